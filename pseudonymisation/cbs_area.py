"""CBS area codes (gemeente, wijk, buurt) as text: the one place their form is stated.

Why text and not numbers: a CBS code is the gemeente's four digits followed by two characters for the wijk and two
more for the buurt, and since the 2025 indeling those characters may be capitals (Amsterdam: `WK0363AF`,
`BU0363AF01`). Older CBS files write all-digit codes as numbers without the prefix and lose the leading zeros
(`340101` for `BU00340101`); normalisation restores both, so every source stores one form: prefix and full width.
A contract field says `cbsArea: wijk` (or `gemeente`, `buurt`); the contract model turns that into the field's
pattern and `validate` into the normalisation, so no contract writes the code's rule itself.
"""

from __future__ import annotations

from typing import Literal

import polars as pl

AreaLevel = Literal["gemeente", "wijk", "buurt"]

# Level → (prefix, characters after the gemeente's four digits).
LEVELS: dict[str, tuple[str, int]] = {"gemeente": ("GM", 0), "wijk": ("WK", 2), "buurt": ("BU", 4)}


def pattern(level: AreaLevel) -> str:
    """The stored form of a code of this level, as a regular expression (`^WK[0-9]{4}[0-9A-Z]{2}$`)."""
    prefix, rest = LEVELS[level]
    return f"^{prefix}[0-9]{{4}}" + (f"[0-9A-Z]{{{rest}}}" if rest else "") + "$"


def normalise_expr(expr: pl.Expr, level: AreaLevel) -> pl.Expr:
    """A code as a file may write it (`3401`, `003401`, `WK003401`, `0363af`) in its stored form (`WK003401`).

    Spaces go, letters become capitals, an all-digit code gets its lost leading zeros back and the prefix is
    added when absent. Anything else is left as it is, for the pattern check to quarantine with its value.
    """
    prefix, rest = LEVELS[level]
    code = expr.str.replace_all(" ", "", literal=True).str.to_uppercase()
    bare = code.str.strip_prefix(prefix)
    padded = pl.when(bare.str.contains(r"^[0-9]+$")).then(bare.str.zfill(4 + rest)).otherwise(bare)
    return pl.concat_str(pl.lit(prefix), padded)  # null stays null (read_csv made empty values null)
