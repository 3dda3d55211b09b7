"""Names the asset graph shares: the owning team, the staged asset of each source, the sources by kind.

Why here and not in `defs/`: every stage's Dagster module needs them, and `defs/` modules do not import each
other (they are autoloaded side by side). The sources and their kind come from the contracts, the one list of
what may enter: a contract with a pseudonymised linkable number (toewijzingnummer) is youth care, delivered as
CSV or iJw messages; one with a person identifier is a person-level source; the rest are public reference tables.
"""

from __future__ import annotations

import dagster as dg

from pseudonymisation.contract import Contract, load_all_contracts

OWNER = "team:data-engineering"


def _kind(contract: Contract) -> str:
    if contract.linkable_fields:
        return "youth_care"
    return "person" if contract.identifier_fields else "reference"


_CONTRACTS = load_all_contracts()
REFERENCE_SOURCES = tuple(s for s, c in _CONTRACTS.items() if _kind(c) == "reference")
PERSON_SOURCES = tuple(s for s, c in _CONTRACTS.items() if _kind(c) == "person")
YOUTH_CARE_SOURCES = tuple(s for s, c in _CONTRACTS.items() if _kind(c) == "youth_care")
ALL_SOURCES = (*REFERENCE_SOURCES, *PERSON_SOURCES, *YOUTH_CARE_SOURCES)


def staged_key(source: str) -> dg.AssetKey:
    """The asset of a source's accepted, pseudonymised rows (`warehouse/staged/<source>.parquet`)."""
    return dg.AssetKey(["staged", source])
