"""The retention purge: removing person-level rows that aged past their contract's retention since they were staged.

Each person-level contract names the date a row's age counts from (`retentionField`: end of enrolment,
diploma date, end of an absence case, of an address period, of an allocation, of a declaration period).
A row is past retention when that date lies before today minus the contract's `retention` (ISO 8601, e.g.
P5Y); a row without the date is still running (open enrolment, current address) and stays. Reference
sources (schools, districts, postcode table) hold no personal data and have no reference date.

Retention is enforced twice: ingest leaves out every row past retention before anything is staged (so such
a row never enters a run, not even the run that would purge it), and the purge removes rows that aged past
it since they were staged (the weekly job, and the end of every run). The purge works on the warehouse only:
the staged Parquet files and their `stg_` tables. The publication holds aggregates that passed disclosure
control and is never touched.

"Today" is the real date, unless the environment sets MONITOR_TODAY (YYYY-MM-DD). That is for tests only:
their fixtures have fixed dates, and the indicators computed from them must not change as the calendar
moves on (tests/conftest.py, TEST_TODAY). The audit's and the purge's own `--today`/`today` win over it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from pipelines.lib.sealing import sealed_dataset, write_sealed
from pseudonymisation.contract import Contract
from pseudonymisation.retention import retention_cutoff


@dataclass(frozen=True)
class RetentionRule:
    source: str
    period: str  # ISO 8601 duration from the contract
    field: str  # the contract's retentionField
    cutoff: date  # rows whose field lies before this date are past retention

    @property
    def table(self) -> str:
        return f"stg_{self.source}"


@dataclass(frozen=True)
class Purged:
    """Rows before and removed, per store, for one source."""

    source: str
    cutoff: date
    parquet_rows: int
    parquet_removed: int
    duckdb_rows: int | None  # None: no stg_ table in the warehouse
    duckdb_removed: int | None


def retention_rules(contracts: dict[str, Contract], today: date) -> list[RetentionRule]:
    """One rule per source whose contract names a retention reference date."""
    return [
        RetentionRule(source, c.retention, c.retentionField, cutoff)
        for source, c in contracts.items()
        if c.retentionField is not None and (cutoff := retention_cutoff(c, today)) is not None
    ]


def _past(rule: RetentionRule) -> pl.Expr:
    return pl.col(rule.field).is_not_null() & (pl.col(rule.field) < rule.cutoff)


def _scan_sealed(path: Path) -> pl.LazyFrame:
    return pl.scan_pyarrow_dataset(sealed_dataset(path))


def count_rows_parquet(path: Path) -> int:
    return int(_scan_sealed(path).select(pl.len()).collect().item())


def count_past_parquet(path: Path, rule: RetentionRule) -> tuple[int, int]:
    """Rows in a staged Parquet file and how many of them are past retention."""
    counts = _scan_sealed(path).select(pl.len().alias("rows"), _past(rule).sum().alias("past")).collect()
    return int(counts.item(0, "rows")), int(counts.item(0, "past"))


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()
    return bool(row and row[0])


def count_past_duckdb(con: duckdb.DuckDBPyConnection, rule: RetentionRule) -> tuple[int, int] | None:
    """Rows in the source's stg_ table and how many are past retention (None: no such table)."""
    if not has_table(con, rule.table):
        return None
    row = con.execute(
        f'SELECT count(*), count(*) FILTER (WHERE "{rule.field}" < ?) FROM {rule.table}', [rule.cutoff]
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def purge_parquet(path: Path, rule: RetentionRule) -> tuple[int, int]:
    """Rewrite a staged Parquet file without its rows past retention; return (rows before, removed).

    Written sealed next to the original and renamed over it, so a failure leaves the file as it was.
    """
    rows, past = count_past_parquet(path, rule)
    if past:
        write_sealed(_scan_sealed(path).filter(~_past(rule)).collect(), path)
    return rows, past


def purge_duckdb(con: duckdb.DuckDBPyConnection, rule: RetentionRule) -> tuple[int, int] | None:
    """Delete the rows past retention from the source's stg_ table; (rows before, removed) or None."""
    counted = count_past_duckdb(con, rule)
    if counted is None:
        return None
    row = con.execute(f'DELETE FROM {rule.table} WHERE "{rule.field}" < ?', [rule.cutoff]).fetchone()
    removed = int(row[0]) if row else 0
    return counted[0], removed


def purge_source(staged: Path, con: duckdb.DuckDBPyConnection, rule: RetentionRule) -> Purged:
    """Purge one source from its staged Parquet file and its warehouse table."""
    parquet = staged / f"{rule.source}.parquet"
    rows, removed = purge_parquet(parquet, rule) if parquet.is_file() else (0, 0)
    table = purge_duckdb(con, rule)
    return Purged(
        rule.source,
        rule.cutoff,
        rows,
        removed,
        table[0] if table else None,
        table[1] if table else None,
    )
