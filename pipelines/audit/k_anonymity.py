"""k-anonymity of what the warehouse stores: how many persons stand out on their quasi-identifiers.

Minimisation (pseudonymisation/minimise.py) decides what is stored; this measures whether that is little
enough. For each person-level source with quasi-identifiers, the combination measured is: the stored form of
its contract's quasi-identifier fields (birth cohort, wijk and gemeente) plus the stored columns that place a
person in a small group (`[privacy] group_columns` in monitor.toml: school and type of education). A row's
k is the number of distinct persons with the same values on that combination; a person counts as unique
(k = 1) or below k when any of their rows is. The audit fails when the share of unique persons or of persons
below k exceeds its configured maximum (`[privacy]`), so a contract change that keeps too much is caught.

A second combination, the same plus the source's stored dates, is reported for information only: dates of
moving house or of enrolment make nearly everyone unique, and the indicators need them to the day (see
docs/minimisation.md). It shows the residual risk that the sealed warehouse and access control must carry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.lib.sealing import read_sealed
from pseudonymisation.contract import Contract
from pseudonymisation.minimise import AREA_COLUMNS, cohort_column, staged_columns

PERSON = "person_id"


@dataclass(frozen=True)
class PrivacyThresholds:
    """`[privacy]` in monitor.toml."""

    k: int
    max_share_unique: float
    max_share_below_k: float
    group_columns: tuple[str, ...]


@dataclass(frozen=True)
class KAnonymity:
    """k-anonymity of one source on one combination of stored columns."""

    source: str
    columns: tuple[str, ...]
    k: int
    persons: int
    unique: int  # persons with a row whose combination no other person shares
    below_k: int  # persons with a row whose combination fewer than k persons share
    gating: bool  # False: reported for information, never fails the audit

    @property
    def share_unique(self) -> float:
        return self.unique / self.persons if self.persons else 0.0

    @property
    def share_below_k(self) -> float:
        return self.below_k / self.persons if self.persons else 0.0

    def exceeds(self, thresholds: PrivacyThresholds) -> bool:
        return self.gating and (
            self.share_unique > thresholds.max_share_unique or self.share_below_k > thresholds.max_share_below_k
        )

    def as_dict(self) -> dict[str, object]:
        """The English form, for audit.json."""
        return {
            "source": self.source,
            "quasi_identifiers": list(self.columns),
            "k": self.k,
            "persons": self.persons,
            "persons_unique": self.unique,
            "persons_below_k": self.below_k,
            "share_unique": round(self.share_unique, 4),
            "share_below_k": round(self.share_below_k, 4),
            "gating": self.gating,
        }


def quasi_identifiers(contract: Contract, group_columns: tuple[str, ...]) -> tuple[str, ...]:
    """The stored columns of `contract` that single a person out: generalised quasi-identifiers and groups.

    Empty for a source without quasi-identifier fields (its rows carry no birth date or address)."""
    stored = staged_columns(contract)
    generalised: list[str] = []
    for f in contract.properties:
        if f.privacy != "quasi_identifier" or f.fate == "drop":
            continue
        if f.generalisation == "birth_cohort":
            generalised.append(cohort_column(f.name))
        elif f.generalisation == "buurt_wijk":
            generalised += [c for c in AREA_COLUMNS if c not in generalised]
    if not generalised:
        return ()
    return tuple(c for c in stored if c in generalised or c in group_columns)


def date_columns(contract: Contract) -> tuple[str, ...]:
    """The stored dates of a source (kept date fields)."""
    return tuple(f.name for f in contract.properties if f.fate == "keep" and f.logicalType == "date")


def measure(frame: pl.DataFrame, source: str, columns: tuple[str, ...], k: int, gating: bool = True) -> KAnonymity:
    """k-anonymity of `frame` (one row per record, `person_id` per person) on `columns`; null is a value."""
    cells = frame.select(PERSON, *columns).unique()
    sized = cells.with_columns(pl.col(PERSON).n_unique().over(list(columns)).alias("_k"))
    per_person = sized.group_by(PERSON).agg(pl.col("_k").min())
    counts = per_person.select(
        pl.len().alias("persons"),
        (pl.col("_k") == 1).sum().alias("unique"),
        (pl.col("_k") < k).sum().alias("below"),
    )
    persons, unique, below = counts.row(0)
    return KAnonymity(source, columns, k, int(persons), int(unique or 0), int(below or 0), gating)


def measure_source(staged: Path, contract: Contract, thresholds: PrivacyThresholds) -> list[KAnonymity]:
    """Both combinations of one staged source (none when it has no quasi-identifiers or is not staged)."""
    columns = quasi_identifiers(contract, thresholds.group_columns)
    path = staged / f"{contract.id}.parquet"
    if not columns or not path.is_file():
        return []
    frame = read_sealed(path)
    dated = columns + tuple(c for c in date_columns(contract) if c in frame.columns)
    return [
        measure(frame, contract.id, columns, thresholds.k),
        measure(frame, contract.id, dated, thresholds.k, gating=False),
    ]
