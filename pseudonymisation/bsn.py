"""Burgerservicenummer (BSN): normalisation and the eleven-test.

A BSN is nine digits whose weighted sum (weights 9..2 and -1) is divisible by 11. Exports from
spreadsheets drop leading zeros (about 1 % of BSNs start with 00), so seven or eight digits are
left-padded before the test; the eleven-test then still guards against a mangled number. Only a number
that passes is ever pseudonymised: hashing an invalid one would create a person who does not exist.
"""

from __future__ import annotations

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def compact(value: str) -> str:
    """Strip spaces, dots and dashes, and restore leading zeros lost by spreadsheet software."""
    digits = value.strip().replace(" ", "").replace(".", "").replace("-", "")
    if digits.isdigit() and len(digits) in (7, 8):
        digits = digits.zfill(9)
    return digits


def checksum(digits: str) -> int:
    """Weighted sum used by both the BSN (mod 11 = 0) and the onderwijsnummer (mod 11 = 5)."""
    return sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True))


def is_valid(value: str) -> bool:
    """True when `value` (after `compact`) is a well-formed BSN passing the eleven-test."""
    digits = compact(value)
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit() or digits == "000000000":
        return False
    return checksum(digits) % 11 == 0
