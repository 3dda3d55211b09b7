"""Names the asset graph shares: the owning team, the staged asset of each source, the sources by kind.

Why here and not in `defs/`: every stage's Dagster module needs them, and `defs/` modules do not import each
other (they are autoloaded side by side). The sources and their kind come from the contracts, the one list of
what may enter (`pseudonymisation.contract.contract_sources`, `source_kind`).
"""

from __future__ import annotations

import dagster as dg

from pseudonymisation.contract import SOURCES, load_all_contracts, source_kind

OWNER = "team:data-engineering"


_CONTRACTS = load_all_contracts()
REFERENCE_SOURCES = tuple(s for s, c in _CONTRACTS.items() if source_kind(c) == "reference")
PERSON_SOURCES = tuple(s for s, c in _CONTRACTS.items() if source_kind(c) == "person")
YOUTH_CARE_SOURCES = tuple(s for s, c in _CONTRACTS.items() if source_kind(c) == "youth_care")
ALL_SOURCES = SOURCES  # by kind, in the order of the flow
# Public open data read by its own contract (contracts/opendata/), optional, beside the sources: CBS kerncijfers.
KERNCIJFERS = "kerncijfers"


def staged_key(source: str) -> dg.AssetKey:
    """The asset of a source's accepted, pseudonymised rows (`warehouse/staged/<source>.parquet`)."""
    return dg.AssetKey(["staged", source])
