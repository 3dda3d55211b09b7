"""Run the plain DuckDB reference (dev/bench/plain_indicators.sql) on a raw inbox and time it per stage."""

from __future__ import annotations

import re
import time
from pathlib import Path

import duckdb

REFERENCE_SQL = Path(__file__).with_name("plain_indicators.sql")
STAGE = re.compile(r"^-- stage: ([^(\n]+?)\s*(?:\(.*)?$", re.MULTILINE)


def reference_stages(script: str) -> dict[str, str]:
    """The script's parts, keyed by the pipeline stage each stands for (its `-- stage:` line)."""
    names = STAGE.findall(script)
    parts = STAGE.split(script)[2::2]
    return dict(zip(names, parts, strict=True))


def run_reference(inbox: Path, database: Path, gemeente_code: str) -> dict[str, float]:
    """Seconds per stage to compute the reference indicators into `database` (table `reference_indicators`)."""
    script = REFERENCE_SQL.read_text(encoding="utf-8")
    script = script.replace("{inbox}", str(inbox.resolve())).replace("{gemeente}", gemeente_code)
    database.unlink(missing_ok=True)
    seconds: dict[str, float] = {}
    with duckdb.connect(str(database)) as con:
        for stage, sql in reference_stages(script).items():
            started = time.perf_counter()
            con.execute(sql)
            seconds[stage] = time.perf_counter() - started
    return seconds
