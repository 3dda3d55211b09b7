"""A snapshot of the Dagster definitions: every asset with its group and dependencies, every check and whether it
blocks, every job, schedule and sensor (as dagster-open-platform pins its definitions).

Why: the graph is derived (SQL dependencies from the SQL files, sources from the contracts, modules autoloaded
from `pipelines/defs/`), so a change in any of those shows here as a reviewable diff rather than silently in the
UI. After an intended change, refresh it with `UPDATE_SNAPSHOT=1 pytest tests/test_definitions_snapshot.py`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pipelines.definitions import build_definitions

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.json"


def definitions_snapshot() -> dict[str, Any]:
    defs = build_definitions()
    graph = defs.resolve_asset_graph()
    assets = {
        key.to_user_string(): {
            "group": graph.get(key).group_name,
            "deps": sorted(parent.to_user_string() for parent in graph.get(key).parent_keys),
            "partitioned": graph.get(key).partitions_def is not None,
        }
        for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string())
    }
    checks = sorted(
        (
            {"asset": key.asset_key.to_user_string(), "check": key.name, "blocking": graph.get_check_spec(key).blocking}
            for key in graph.asset_check_keys
        ),
        key=lambda c: (c["asset"], c["check"]),
    )
    return {
        "assets": assets,
        "checks": checks,
        "jobs": sorted(job.name for job in defs.resolve_all_job_defs()),
        "schedules": sorted(s.name for s in defs.schedules or []),
        "sensors": sorted(s.name for s in defs.sensors or []),
    }


def test_the_definitions_match_the_reviewed_snapshot() -> None:
    current = json.dumps(definitions_snapshot(), indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.write_text(current, encoding="utf-8")
    assert SNAPSHOT.exists(), "no snapshot yet: run with UPDATE_SNAPSHOT=1 and review tests/snapshots/definitions.json"
    assert current == SNAPSHOT.read_text(encoding="utf-8"), (
        "the Dagster definitions changed; review the difference and refresh with UPDATE_SNAPSHOT=1"
    )


def test_every_disclosure_and_privacy_check_blocks_what_follows_it() -> None:
    blocking = {(c["asset"], c["check"]) for c in definitions_snapshot()["checks"] if c["blocking"]}
    assert ("protected_indicators", "disclosure_check") in blocking
    assert ("protected_indicators", "warehouse_sealed_and_owner_only") in blocking
    assert ("protected_linkage_quality", "linkage_disclosure_check") in blocking
    assert ("regional_protected_indicators", "regional_disclosure_check") in blocking  # the partitioned path too
