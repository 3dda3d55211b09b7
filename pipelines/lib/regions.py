"""The CBS indeling of gemeenten into jeugdregio's (1-1-2026; contracts/codelists, from
../shared/reference/cbs/indeling with its provenance), read once for the SQL references and the publication."""

from __future__ import annotations

import csv
from functools import cache

from pseudonymisation.contract import CODELISTS_DIR

JEUGDREGIO_FILE = "CBS_gemeente_jeugdregio_2026.csv"


@cache
def jeugdregio_indeling() -> tuple[tuple[str, str, str, str], ...]:
    """(gemeente_code, gemeente_naam, jeugdregio_code, jeugdregio_naam) of every gemeente."""
    with (CODELISTS_DIR / JEUGDREGIO_FILE).open(encoding="utf-8") as handle:
        return tuple(
            (r["gemeentecode"], r["gemeentenaam"], r["jeugdregiocode"], r["jeugdregionaam_cbs2025"])
            for r in csv.DictReader(handle, delimiter=";")
        )


def jeugdregio_of(gemeente_code: str) -> str | None:
    return next((region for code, _, region, _ in jeugdregio_indeling() if code == gemeente_code), None)
