"""Onderwijsnummer: the education number DUO gives a pupil without a BSN; the only place its rule is written.

Nine digits starting with ``10``; the BSN weights (`pseudonymisation.bsn.WEIGHTS`) give a sum that is 5 modulo
11, which is what keeps the two number spaces apart. Such a pupil can never be linked to youth care or residence.
Normalisation removes the same separators as the BSN's (`pseudonymisation.bsn.SEPARATORS`), but restores no
leading zeros: every onderwijsnummer starts with ``10``, so a shorter value is never one that lost its zeros.
As for the BSN, the rule is given per value (`compact`, `is_valid`) and as a polars expression (`compact_expr`,
`valid_expr`), and a property test holds the two equal on any text.
"""

from __future__ import annotations

import polars as pl

from pseudonymisation.bsn import (
    checksum,
    checksum_expr,
    is_nine_digits,
    is_nine_digits_expr,
    strip_separators,
    strip_separators_expr,
)

PREFIX = "10"
REMAINDER = 5
RULE = "onderwijsnummer_mod11"
DESCRIPTION = "onderwijsnummer: 9 cijfers, begint met 10, gewogen som mod 11 = 5"


def compact(value: str) -> str:
    """Remove separators (white space, dots, dashes)."""
    return strip_separators(value)


def compact_expr(col: pl.Expr) -> pl.Expr:
    """`compact` for a column of text."""
    return strip_separators_expr(col)


def is_valid(value: str | None) -> bool:
    """True for nine ASCII digits starting with 10 whose weighted sum is 5 modulo 11."""
    if value is None:
        return False
    digits = compact(value)
    return is_nine_digits(digits) and digits.startswith(PREFIX) and checksum(digits) % 11 == REMAINDER


def valid_expr(col: pl.Expr) -> pl.Expr:
    """`is_valid` for a column of text: true or false for every row, false for null."""
    return compacted_valid_expr(compact_expr(col))


def compacted_valid_expr(digits: pl.Expr) -> pl.Expr:
    """`valid_expr` of a column that `compact_expr` already normalised (see `pseudonymisation.bsn`)."""
    ok = is_nine_digits_expr(digits) & digits.str.starts_with(PREFIX) & (checksum_expr(digits) % 11 == REMAINDER)
    return ok.fill_null(False)
