"""One partition of the person-level stages: the link and indicator SQL for one gemeente and one school year.

DuckDB allows one writer per database file. Partitions that run at the same time (worker processes here,
pods or Celery workers on a cluster) therefore each get a private scratch database under
`warehouse/partitions/<gemeente>/<schooljaar>/`. The staged Parquet files are only read. The same
SQL models (`pipelines.lib.sql_models`) as the ordinary run compute the tables; the one difference is that
`school_years` is cut
to the partition's year, the two after it and the one before (E1 and E2 look one year ahead, the outcomes U1-U5
two, U6 one year back). Only that year's aggregates
leave the scratch database, as `indicators.parquet` and `linkage_quality.parquet`; the scratch database
(person level, sealed with the warehouse data key) is deleted when the partition is done, and a failed
partition leaves the previous result.
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.lib.sealing import sealed_dataset
from pipelines.lib.settings import MonitorConfig, Paths
from pipelines.lib.sql_models import create_macros, run_model
from pipelines.lib.warehouse import connect, load_references

RESULT_TABLES = ("indicators", "linkage_quality")


def partition_key(schooljaar: str) -> str:
    """'2023/2024' → '2023-2024': a school year as a partition key (no slash, which paths and URLs dislike)."""
    return schooljaar.replace("/", "-")


def school_year_of_key(key: str) -> str:
    return key.replace("-", "/")


def school_years_in(staged: Path) -> list[str]:
    """The school years the enrolments cover, by the ordinary run's own rule (sql/link/school_years.sql)."""
    with duckdb.connect() as con:
        _staged_view(con, "inschrijvingen", staged)
        create_macros(con)
        run_model(con, "school_years")
        return [str(row[0]) for row in con.execute("SELECT schooljaar FROM school_years ORDER BY jaar").fetchall()]


def _staged_view(con: duckdb.DuckDBPyConnection, source: str, staged: Path) -> None:
    """stg_<source> reads the sealed staged Parquet file in place (decrypted by pyarrow as DuckDB scans it)."""
    con.register(f"stg_{source}", sealed_dataset(staged / f"{source}.parquet"))


def partition_folder(paths: Paths, gemeente: str, schooljaar: str) -> Path:
    return paths.warehouse / "partitions" / gemeente / partition_key(schooljaar)


@dataclass(frozen=True)
class PartitionResult:
    folder: Path
    rows: dict[str, int]
    seconds: float


def compute_partition(
    paths: Paths,
    config: MonitorConfig,
    gemeente: str,
    schooljaar: str,
    sources: list[str],
    sql_files: list[str],
) -> PartitionResult:
    """Run `sql_files` (in order, after school_years) for one gemeente and school year; keep its aggregates."""
    started = time.perf_counter()
    target = partition_folder(paths, gemeente, schooljaar)
    work = target.with_name(f".{target.name}.partial")
    shutil.rmtree(work, ignore_errors=True)
    scratch = Paths(inbox=paths.inbox, out=work / "scratch")
    # One gemeente per partition: its residents and the pupils of its schools (a pupil living in another gemeente
    # of the region counts there, in that gemeente's partition).
    local = dataclasses.replace(config, gemeente_code=gemeente, gemeente_naam=config.gemeenten[gemeente], region=())
    rows: dict[str, int] = {}
    try:
        with connect(scratch) as con:
            create_macros(con)
            load_references(con, local)
            for source in sources:
                _staged_view(con, source, paths.staged)
            run_model(con, "school_years")
            jaar = int(schooljaar[:4])
            con.execute("DELETE FROM school_years WHERE jaar NOT BETWEEN ? AND ?", [jaar - 1, jaar + 2])
            for name in sql_files:
                run_model(con, name)
            for table in RESULT_TABLES:
                rows[table] = _export(con, table, schooljaar, work / f"{table}.parquet")
        shutil.rmtree(work / "scratch")
        if target.exists():
            shutil.rmtree(target)
        work.rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return PartitionResult(target, rows, time.perf_counter() - started)


def _export(con: duckdb.DuckDBPyConnection, table: str, schooljaar: str, path: Path) -> int:
    query = f"SELECT * FROM {table} WHERE schooljaar = ?"
    if table == "indicators":  # with the catalogue factor, as the protect step reads it
        query = "SELECT i.*, c.factor FROM indicators i JOIN ref_catalogue c ON c.id = i.indicator WHERE schooljaar = ?"
    frame = con.sql(query, params=[schooljaar]).pl()
    frame.write_parquet(path)
    return frame.height


def read_partitions(paths: Paths, gemeente: str, schooljaren: list[str], table: str) -> pl.DataFrame:
    """`table` of one gemeente over the given school years, in that order; every partition must be there."""
    files = [partition_folder(paths, gemeente, y) / f"{table}.parquet" for y in schooljaren]
    missing = [f"{gemeente} {y}" for y, f in zip(schooljaren, files, strict=True) if not f.is_file()]
    if missing:
        raise FileNotFoundError(f"Partitions not computed yet: {', '.join(missing)}. Run them first.")
    return pl.concat([pl.read_parquet(f) for f in files], how="vertical")


def remove_stale_partitions(paths: Paths, gemeenten: list[str], schooljaren: list[str]) -> list[str]:
    """Delete results of gemeenten or school years no longer in the configuration or the data."""
    keep = {(g, partition_key(y)) for g in gemeenten for y in schooljaren}
    root = paths.warehouse / "partitions"
    removed = []
    for folder in sorted(root.glob("*/*")) if root.is_dir() else []:
        if folder.is_dir() and (folder.parent.name, folder.name) not in keep:
            shutil.rmtree(folder)
            removed.append(f"{folder.parent.name}/{folder.name}")
    for gemeente in root.iterdir() if root.is_dir() else []:
        if gemeente.is_dir() and not any(gemeente.iterdir()):
            gemeente.rmdir()
    return removed
