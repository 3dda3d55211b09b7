"""Person and institution identifiers: BSN, onderwijsnummer, BRIN, AGB, toewijzingnummer.

Why: the monitor validates identifiers (spec §1: eleven-test for BSN, mod 11 = 5 for onderwijsnummer), so the
synthetic ones are built from the same weights, prefix and remainder (`pseudonymisation.bsn`,
`pseudonymisation.onderwijsnummer`): they pass exactly the same checks, are unique and stay clear of the 9999xxxxx
test range.
"""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np
import numpy.typing as npt

from pseudonymisation import bsn, onderwijsnummer

WEIGHTS = np.array(bsn.WEIGHTS, dtype=np.int64)
_DATA = Path(__file__).parent / "data"


def digits(numbers: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Split 9-digit integers into an (n, 9) digit matrix, most significant first."""
    powers = 10 ** np.arange(8, -1, -1, dtype=np.int64)
    return (numbers[:, None] // powers) % 10


def eleven_remainder(numbers: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Weighted digit sum (9..2, -1) modulo 11: 0 for a valid BSN, 5 for a valid onderwijsnummer."""
    return (digits(numbers) @ WEIGHTS) % 11


def _unique_in_order(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Drop repeated values keeping first occurrences, so the random order is preserved."""
    _, first = np.unique(values, return_index=True)
    return values[np.sort(first)]


def make_bsns(rng: np.random.Generator, n: int, leading_zero_share: float = 0.10) -> npt.NDArray[np.int64]:
    """``n`` unique random BSNs passing the eleven-test; about 10 % start with 0; never 9999xxxxx.

    At most two leading zeros (a spreadsheet leaves 7 digits at worst), like the numbers actually issued.
    """
    out = np.empty(0, dtype=np.int64)
    while out.size < n:
        m = int((n - out.size) * 1.4) + 16
        first = np.where(rng.random(m) < leading_zero_share, 0, rng.integers(1, 10, m))
        body = rng.integers(100_000, 10_000_000, m)  # digits 2..8, never starting with two zeros
        partial = first * 100_000_000 + body * 10
        check = eleven_remainder(partial)  # with check digit 0 the remainder equals the weighted sum
        ok = check < 10
        cand = partial[ok] + check[ok]
        cand = cand[(cand // 100_000 != 9999) & (cand > 0)]
        out = _unique_in_order(np.concatenate([out, cand]))
    return out[:n]


def make_onderwijsnummers(rng: np.random.Generator, n: int) -> npt.NDArray[np.int64]:
    """``n`` unique onderwijsnummers: 9 digits starting with 10, weighted sum mod 11 = 5."""
    out = np.empty(0, dtype=np.int64)
    while out.size < n:
        m = int((n - out.size) * 1.4) + 16
        partial = int(onderwijsnummer.PREFIX) * 10_000_000 + rng.integers(0, 1_000_000, m) * 10
        check = (eleven_remainder(partial) - onderwijsnummer.REMAINDER) % 11  # S - c = 5 mod 11
        ok = check < 10
        out = _unique_in_order(np.concatenate([out, partial[ok] + check[ok]]))
    return out[:n]


def existing_brins() -> set[str]:
    """Real BRIN codes seen in DUO's Almere / national files; synthetic schools must not reuse them."""
    return {line.strip() for line in (_DATA / "bestaande_brin.txt").read_text("utf-8").splitlines() if line}


def make_brins(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` unique plausible BRIN codes (2 digits + 2 letters) that are not real ones."""
    taken = existing_brins()
    letters = string.ascii_uppercase
    if n > 22 * 26 * 26 - len(taken):
        raise ValueError(f"{n} schools need more BRIN codes than the 2-digit + 2-letter pattern has (lower the scale)")
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        code = f"{rng.integers(10, 32):02d}{letters[rng.integers(0, 26)]}{letters[rng.integers(0, 26)]}"
        if code not in taken and code not in seen:
            seen.add(code)
            out.append(code)
    return out


def make_agb_codes(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` unique fictional 8-digit AGB codes for youth-care providers (prefix 98, made up)."""
    values = _unique_in_order(rng.integers(0, 1_000_000, 4 * n + 16))[:n]
    return [f"98{v:06d}" for v in values]
