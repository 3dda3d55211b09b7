"""What encryption at rest costs: the city run's staged tables written, read and loaded sealed and plain.

Same process, same tables, each measurement the best of three, so the two sides see the same machine load
(a whole timed run before and after is dominated by load on a shared machine). Prints figures, asserts none.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.lib.sealing import (
    WarehouseKey,
    load_warehouse_key,
    open_sealed,
    parquet_decryption,
    parquet_encryption,
    read_sealed_table,
)
from pseudonymisation.ijw_consistency import CONSISTENCY_FILE


def _best(run: Callable[[], object], repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def _write(tables: dict[str, pa.Table], folder: Path, key: WarehouseKey | None) -> None:
    for name, table in tables.items():
        encryption = parquet_encryption(key) if key else None
        pq.write_table(table, folder / f"{name}.parquet", compression="zstd", encryption_properties=encryption)


def _read(tables: dict[str, pa.Table], folder: Path, key: WarehouseKey | None) -> None:
    for name in tables:
        pq.read_table(folder / f"{name}.parquet", decryption_properties=parquet_decryption(key) if key else None)


def _load(tables: dict[str, pa.Table], database: Path, key: WarehouseKey | None) -> None:
    database.unlink(missing_ok=True)
    with open_sealed(database, key) if key else duckdb.connect(str(database)) as con:
        for name, table in tables.items():
            con.register("incoming", table)
            con.execute(f"CREATE TABLE stg_{name} AS SELECT * FROM incoming")
            con.unregister("incoming")
        con.execute("CHECKPOINT")
        con.execute(
            "SELECT count(*), count(DISTINCT i.person_id) "
            "FROM stg_inschrijvingen i JOIN stg_bewoners b USING (person_id)"
        ).fetchall()


def bench_sealing(staged: Path, work: Path) -> None:
    key = load_warehouse_key()
    tables = {p.stem: read_sealed_table(p, key) for p in sorted(staged.glob("*.parquet")) if p.name != CONSISTENCY_FILE}
    rows = sum(t.num_rows for t in tables.values())
    plain_dir, sealed_dir = work / "plain", work / "sealed"
    for folder in (plain_dir, sealed_dir):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    print(f"\nEncryption at rest: {rows:,} staged rows in {len(tables)} tables, best of 3")
    print(f"  {'step':<36}{'plain s':>9}{'sealed s':>10}{'ratio':>8}")
    steps: list[tuple[str, Callable[[WarehouseKey | None], None]]] = [
        ("Parquet write (zstd)", lambda k: _write(tables, sealed_dir if k else plain_dir, k)),
        ("Parquet read", lambda k: _read(tables, sealed_dir if k else plain_dir, k)),
        ("DuckDB load + checkpoint + join", lambda k: _load(tables, (sealed_dir if k else plain_dir) / "w.duckdb", k)),
    ]
    for label, step in steps:
        plain, sealed = _best(lambda: step(None)), _best(lambda: step(key))  # noqa: B023 - called at once
        print(f"  {label:<36}{plain:>9.2f}{sealed:>10.2f}{sealed / plain:>8.2f}")
