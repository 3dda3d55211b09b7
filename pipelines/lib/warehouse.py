"""The DuckDB warehouse: person-level, pseudonymised, never published.

Python only orchestrates here: loading staged Parquet and reference tables, and running the SQL files
in sql/, each of which creates the table it is named after.
"""

from __future__ import annotations

import csv
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import Any

import duckdb
import yaml

from pipelines.lib.owner_only import make_private_dir
from pipelines.lib.regions import jeugdregio_indeling
from pipelines.lib.sealing import WAREHOUSE_ALIAS, load_warehouse_key, open_sealed, sealed_dataset
from pipelines.lib.settings import SQL_DIR, MonitorConfig, Paths
from pseudonymisation.contract import CODELISTS_DIR

CATALOGUE_FILE = SQL_DIR / "catalogue.yaml"
SWV_FILE = "SWV_regio_indeling_pc4_2015.csv"


# DuckDB's own default takes 80 % of the machine's memory; the link and indicator steps need far less when they
# spill, and the process (DuckDB's cache plus Python) stays well under 8 GiB at national scale with this cap.
DEFAULT_MEMORY_LIMIT_GB = 5.0
DEFAULT_MEMORY_SHARE = 0.4


def default_memory_limit() -> str:
    """The smaller of 5 GB and 40 % of the machine's memory, as a DuckDB memory_limit setting."""
    try:
        machine = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError, AttributeError):
        return f"{DEFAULT_MEMORY_LIMIT_GB:g}GB"
    return f"{max(1, int(min(DEFAULT_MEMORY_LIMIT_GB, DEFAULT_MEMORY_SHARE * machine) * 1000))}MB"


# The run's shared connection per database file (`one_connection_per_run`): opened at the first step that needs
# it, closed when the run ends. Steps run one after another in the run's process (the in-process executor).
_run_scopes: dict[Path, int] = {}
_run_connections: dict[Path, tuple[ExitStack, duckdb.DuckDBPyConnection]] = {}
_run_lock = threading.Lock()


@contextmanager
def one_connection_per_run(paths: Paths) -> Iterator[None]:
    """Within this block every `connect(paths)` is a cursor of one sealed connection instead of a connection of
    its own: opening the encrypted database (extension load, key derivation, ATTACH, WAL replay) costs ≈ 90 ms,
    and a run used to do it ≈ 100 times. The sealing is the same connection's: the database file, its WAL and
    the spill files stay encrypted with the warehouse key (`pipelines.lib.sealing`). Each step still gets its own
    cursor (its own temporary objects, registrations and transaction), closed when the step ends; the connection
    is opened at the first step that needs it and closed, which checkpoints the file, when the block ends."""
    database = paths.duckdb
    with _run_lock:
        _run_scopes[database] = _run_scopes.get(database, 0) + 1
    try:
        yield
    finally:
        with _run_lock:
            _run_scopes[database] -= 1
            shared = None
            if not _run_scopes[database]:
                del _run_scopes[database]
                shared = _run_connections.pop(database, None)
        if shared is not None:
            shared[0].close()


def close_run_connection(paths: Paths) -> None:
    """Close the run's shared connection now (a later `connect` opens it again): for a step that must see the
    database file at rest, as no other connection of this process has it attached."""
    with _run_lock:
        shared = _run_connections.pop(paths.duckdb, None)
    if shared is not None:
        shared[0].close()


@contextmanager
def connect(paths: Paths) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the warehouse for one step: DuckDB allows a single writer, so steps run one after another.

    Inside a run (`one_connection_per_run`) this is a cursor of the run's one connection; elsewhere a connection
    of its own. Large joins and aggregates spill to `warehouse/duckdb-tmp/`. DuckDB's memory is capped at
    `default_memory_limit()` (5 GB, less on a small machine) unless MONITOR_DUCKDB_MEMORY_LIMIT sets another
    cap (e.g. `6GB`). At national scale the link and indicator steps complete under the 5 GB cap with a peak
    resident set of about 5.3 GB. preserve_insertion_order and threads keep DuckDB's defaults: turning the
    former off saved no time here, and readers of tables without ORDER BY may rely on it.

    The database file and the spill files are encrypted with the warehouse data key (`pipelines.lib.sealing`).
    """
    database = paths.duckdb
    with _run_lock:
        shared = _run_connections.get(database)
        if shared is None and database in _run_scopes:
            stack = ExitStack()
            try:
                shared = stack, stack.enter_context(_sealed(paths))
            except BaseException:
                stack.close()
                raise
            _run_connections[database] = shared
    if shared is None:
        with _sealed(paths) as con:
            yield con
        return
    cursor = shared[1].cursor()
    try:
        cursor.execute(f"USE {WAREHOUSE_ALIAS}")
        yield cursor
    finally:
        cursor.close()


def _sealed(paths: Paths) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    """A sealed connection of its own, with the warehouse's spill folder and memory cap."""
    make_private_dir(paths.warehouse)
    config: dict[str, str | bool | int | float | list[str]] = {
        "temp_directory": str(paths.warehouse / "duckdb-tmp"),
        "memory_limit": os.environ.get("MONITOR_DUCKDB_MEMORY_LIMIT") or default_memory_limit(),
    }
    return open_sealed(paths.duckdb, config=config)


@contextmanager
def read_warehouse(database: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The sealed warehouse, read-only: for the audit, the tests and anyone who only reads its tables."""
    with open_sealed(database, read_only=True) as con:
        yield con


def load_catalogue() -> list[dict[str, Any]]:
    with CATALOGUE_FILE.open(encoding="utf-8") as handle:
        entries: list[dict[str, Any]] = yaml.safe_load(handle)
    return entries


def load_references(con: duckdb.DuckDBPyConnection, config: MonitorConfig) -> None:
    """Settings, product-code list and indicator catalogue as tables the SQL files can join."""
    con.execute(
        "CREATE OR REPLACE TABLE monitor_settings AS "
        "SELECT ?::VARCHAR AS gemeente_code, ?::VARCHAR AS gemeente_naam, ?::VARCHAR[] AS dyslexia_codes",
        [config.gemeente_code, config.gemeente_naam, list(config.dyslexia_product_codes)],
    )
    # The gemeenten the run computes (its own first), and whether it covers the whole country (level nederland).
    con.execute(
        "CREATE OR REPLACE TABLE run_gemeenten (gemeente_code VARCHAR, gemeente_naam VARCHAR, volgorde INTEGER)"
    )
    con.executemany(
        "INSERT INTO run_gemeenten VALUES (?, ?, ?)",
        [(code, naam, i) for i, (code, naam) in enumerate(config.gemeenten.items())],
    )
    con.execute("CREATE OR REPLACE TABLE run_scope AS SELECT ?::BOOLEAN AS national", [config.national])
    # Gemeente -> jeugdregio on 1-1-2026 (CBS codes JZ01-JZ43; docs/levels.md).
    con.execute(
        "CREATE OR REPLACE TABLE ref_jeugdregio (gemeente_code VARCHAR, gemeente_naam VARCHAR, "
        "jeugdregio_code VARCHAR, jeugdregio_naam VARCHAR)"
    )
    con.executemany("INSERT INTO ref_jeugdregio VALUES (?, ?, ?, ?)", jeugdregio_indeling())
    with (CODELISTS_DIR / "JZ21_standaardproductcodelijst_jeugdwet.csv").open(encoding="utf-8") as handle:
        products = [
            (r["productcode"], r["productcategorie_code"], r["dimensie_hulpvorm_code"])
            for r in csv.DictReader(handle)
            if r["productcategorie_code"] not in ("", "-")
        ]
    con.execute(
        "CREATE OR REPLACE TABLE ref_productcodes (productcode VARCHAR, productcategorie VARCHAR, hulpvorm VARCHAR)"
    )
    con.executemany("INSERT INTO ref_productcodes VALUES (?, ?, ?)", products)
    # The samenwerkingsverbanden passend onderwijs by the PC4 of a school's location (Regeling regio-indeling
    # samenwerkingsverbanden passend onderwijs PO en VO, BWBR0032324, bijlage as of 2015-04-23; docs/dashboard.md).
    with (CODELISTS_DIR / SWV_FILE).open(encoding="utf-8") as handle:
        swv = [(r["PC4"], r["gemeente"], r["PO SWV"], r["VO SWV"]) for r in csv.DictReader(handle, delimiter=";")]
    con.execute("CREATE OR REPLACE TABLE ref_swv (pc4 VARCHAR, gemeente VARCHAR, po_swv VARCHAR, vo_swv VARCHAR)")
    con.executemany("INSERT INTO ref_swv VALUES (?, ?, ?, ?)", swv)
    catalogue = load_catalogue()
    con.execute(
        "CREATE OR REPLACE TABLE ref_catalogue (id VARCHAR, naam_nl VARCHAR, naam_en VARCHAR, soort VARCHAR, "
        "eenheid VARCHAR, factor DOUBLE)"
    )
    con.executemany(
        "INSERT INTO ref_catalogue VALUES (?, ?, ?, ?, ?, ?)",
        [(c["id"], c["naam_nl"], c["naam_en"], c["soort"], c["eenheid"], c["factor"]) for c in catalogue],
    )


def load_staged(con: duckdb.DuckDBPyConnection, staged_dir: Path, sources: list[str]) -> dict[str, int]:
    """Copy each staged (pseudonymised, sealed) Parquet file into a stg_<source> table; return row counts."""
    counts: dict[str, int] = {}
    key = load_warehouse_key()
    for source in sources:
        con.register("sealed_staged", sealed_dataset(staged_dir / f"{source}.parquet", key))
        con.execute(f"CREATE OR REPLACE TABLE stg_{source} AS SELECT * FROM sealed_staged")
        con.unregister("sealed_staged")
        counts[source] = table_rows(con, f"stg_{source}")
    return counts


def table_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchall()
    return int(row[0][0])


def table_schema(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    rows = con.execute(f"DESCRIBE {table}").fetchall()
    return [(str(r[0]), str(r[1])) for r in rows]
