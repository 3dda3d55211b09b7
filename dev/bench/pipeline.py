"""The whole pipeline on one inbox, in a child process: wall time and peak memory per stage.

Stages are the asset groups of the Dagster graph (ingest = read + validate + pseudonymise + stage;
link; indicators; protect; publish). Step start and end come from Dagster's own event log; memory is the
peak of the resident set sampled during each stage's steps.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import dagster as dg

from dev.bench.memory import RssSampler, peak_mb
from pipelines.definitions import build_definitions
from pipelines.runner import prepare_instance, run_monitor


def _group_of_step(records: list[dg.EventLogEntry]) -> dict[str, str]:
    """Step key → asset group, from the assets (or checked assets) each step reported."""
    groups = {spec.key: spec.group_name or "other" for spec in build_definitions().resolve_all_asset_specs()}
    step_group: dict[str, str] = {}
    for record in records:
        event = record.dagster_event
        if event is None or not event.step_key or event.step_key in step_group:
            continue
        key = event.asset_key if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION else None
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            data = event.event_specific_data
            key = data.asset_key if isinstance(data, dg.AssetCheckEvaluation) else None
        if key is not None and key in groups:
            step_group[event.step_key] = groups[key]
    return step_group


def measure(inbox: Path, out: Path, until: str | None = None) -> dict[str, object]:
    with RssSampler() as sampler:
        started = time.time()
        outcome = run_monitor(inbox, out, stream=None, until=until)
        ended = time.time()
    records = list(prepare_instance(out / "dagster").all_logs(outcome.run_id))
    step_group = _group_of_step(records)
    windows: dict[str, list[float]] = {}
    for record in records:
        event = record.dagster_event
        if event is None or not event.step_key:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            windows.setdefault(event.step_key, [record.timestamp, record.timestamp])[0] = record.timestamp
        elif event.event_type in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
            windows.setdefault(event.step_key, [record.timestamp, record.timestamp])[1] = record.timestamp
    stages: dict[str, dict[str, float]] = defaultdict(lambda: {"seconds": 0.0, "peak_mb": 0.0})
    for step, (start, end) in windows.items():
        stage = stages[step_group.get(step, "other")]
        stage["seconds"] += end - start
        stage["peak_mb"] = max(stage["peak_mb"], sampler.peak_between(start, end))
    return {
        "success": outcome.success,
        "errors": outcome.errors,
        "wall_seconds": ended - started,
        "peak_mb": peak_mb(),
        "stages": dict(stages),
    }


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]), Path(sys.argv[2]), *sys.argv[3:4])))
