"""Onderwijsnummer: the education number DUO gives a pupil without a BSN.

Nine digits starting with ``10``; the BSN weights give a sum that is 5 modulo 11, which is what keeps
the two number spaces apart. Such a pupil can never be linked to youth care or residence.
"""

from __future__ import annotations

from pseudonymisation.bsn import checksum


def compact(value: str) -> str:
    """Strip spaces, dots and dashes."""
    return value.strip().replace(" ", "").replace(".", "").replace("-", "")


def is_valid(value: str) -> bool:
    """True for nine ASCII digits starting with 10 whose weighted sum is 5 modulo 11."""
    digits = compact(value)
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit() or not digits.startswith("10"):
        return False
    return checksum(digits) % 11 == 5
