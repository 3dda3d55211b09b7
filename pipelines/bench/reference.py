"""Run the plain DuckDB reference (sql/reference/plain_indicators.sql) on a raw inbox and time it."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from pipelines.lib.settings import PROJECT_ROOT

REFERENCE_SQL = PROJECT_ROOT / "sql" / "reference" / "plain_indicators.sql"


def run_reference(inbox: Path, database: Path, gemeente_code: str) -> float:
    """Seconds to compute the reference indicators into `database` (table `reference_indicators`)."""
    script = REFERENCE_SQL.read_text(encoding="utf-8")
    script = script.replace("{inbox}", str(inbox.resolve())).replace("{gemeente}", gemeente_code)
    database.unlink(missing_ok=True)
    started = time.perf_counter()
    with duckdb.connect(str(database)) as con:
        con.execute(script)
    return time.perf_counter() - started
