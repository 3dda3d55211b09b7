"""Burgerservicenummer (BSN): normalisation and the eleven-test, the only place the rule is written.

A BSN is nine digits whose weighted sum (weights 9..2 and -1, `WEIGHTS`) is divisible by 11. The rule is
given twice here, once per value (`compact`, `is_valid`) and once as a polars expression (`compact_expr`,
`valid_expr`) for ingest, both built from the same constants; a property test holds them equal on any text.

Normalisation (`compact`): every character of `SEPARATORS` is removed wherever it stands: the Unicode white
space characters (the same set the CSV reader trims and polars' `\\s` matches, so a non-breaking U+00A0 or a
thin U+2009/U+202F space pasted from a document is removed), dots (`1234.56.782`) and the hyphen and dash
characters a word processor puts in (`-`, U+2010..U+2013). Anything else (a letter, a zero-width space, a
digit of another script) makes the value invalid, not silently stripped.

Lost leading zeros: exports from spreadsheets drop them (about 1 % of BSNs start with 00), so seven or eight
digits are left-padded to nine; the eleven-test then still guards against a mangled number. Unlike
python-stdnum (`stdnum.nl.bsn.compact` pads any shorter value to nine digits, so `"1"` becomes `000000001`
and only then fails), two to six digits are never padded: no issued BSN starts with three zeros, so such a
value is a truncated or different number, and padding it would let one in eleven of them pass as a person.
`000000000` is never valid (stdnum rejects it too, as `int(number) <= 0`), and neither is `None`.

Only a number that passes is ever pseudonymised: hashing an invalid one would create a person who does not
exist.
"""

from __future__ import annotations

import polars as pl

WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
LENGTH = len(WEIGHTS)
# Unicode White_Space (what `str.strip_chars()` and the regex `\s` of polars mean), dots and dashes.
WHITE_SPACE = "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
SEPARATORS = WHITE_SPACE + ".-\u2010\u2011\u2012\u2013"
PADDED_LENGTHS = (7, 8)  # what a spreadsheet leaves of a BSN starting with one or two zeros
RULE = "bsn_eleven_test"
DESCRIPTION = "BSN: 9 cijfers (7 of 8 worden met voorloopnullen aangevuld), elfproef"

_SEPARATOR_CLASS = "[" + "".join(f"\\x{{{ord(c):X}}}" for c in SEPARATORS) + "]"  # RE2/Rust escapes
_DROP = str.maketrans("", "", SEPARATORS)


def strip_separators(value: str) -> str:
    """`value` without any of `SEPARATORS`: the normalisation the BSN and the onderwijsnummer share."""
    return value.translate(_DROP)


def strip_separators_expr(col: pl.Expr) -> pl.Expr:
    """`strip_separators` for a column of text."""
    return col.str.replace_all(_SEPARATOR_CLASS, "")


def compact(value: str) -> str:
    """Remove separators and restore leading zeros lost by spreadsheet software (7 or 8 ASCII digits only)."""
    digits = strip_separators(value)
    if len(digits) in PADDED_LENGTHS and digits.isascii() and digits.isdigit():
        digits = digits.zfill(LENGTH)
    return digits


def compact_expr(col: pl.Expr) -> pl.Expr:
    """`compact` for a column of text: one pass per step, each reading the previous step's result once."""
    digits = strip_separators_expr(col)
    for length in PADDED_LENGTHS:
        digits = digits.str.replace(f"^([0-9]{{{length}}})$", "0" * (LENGTH - length) + "${1}")
    return digits


def checksum(digits: str) -> int:
    """Weighted sum used by both the BSN (mod 11 = 0) and the onderwijsnummer (mod 11 = 5)."""
    return sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True))


def checksum_expr(digits: pl.Expr) -> pl.Expr:
    """`checksum` of a column of nine-digit text, by integer arithmetic on the parsed number (null otherwise)."""
    number = digits.cast(pl.Int64, strict=False)
    return pl.sum_horizontal([(number // 10 ** (LENGTH - 1 - i)) % 10 * w for i, w in enumerate(WEIGHTS)])


def is_nine_digits(digits: str) -> bool:
    """Nine ASCII digits, the shape of every BSN and onderwijsnummer after normalisation."""
    return len(digits) == LENGTH and digits.isascii() and digits.isdigit()


def is_nine_digits_expr(digits: pl.Expr) -> pl.Expr:
    """`is_nine_digits` for a column of text."""
    return digits.str.contains(f"^[0-9]{{{LENGTH}}}$")


def is_valid(value: str | None) -> bool:
    """True when `value` (after `compact`) is a well-formed BSN passing the eleven-test."""
    if value is None:
        return False
    digits = compact(value)
    return is_nine_digits(digits) and digits != "0" * LENGTH and checksum(digits) % 11 == 0


def valid_expr(col: pl.Expr) -> pl.Expr:
    """`is_valid` for a column of text: true or false for every row, false for null."""
    return compacted_valid_expr(compact_expr(col))


def compacted_valid_expr(digits: pl.Expr) -> pl.Expr:
    """`valid_expr` of a column that `compact_expr` already normalised, as ingest holds it: the check then reads
    the column itself, where `valid_expr` would repeat the normalisation in each of its terms (polars shares
    such sub-expressions only in a lazy query)."""
    ok = is_nine_digits_expr(digits) & (digits != "0" * LENGTH) & (checksum_expr(digits) % 11 == 0)
    return ok.fill_null(False)
