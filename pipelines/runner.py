"""Running the whole asset graph in process, with progress lines and a one-sentence error.

`monitor run` and the tests use the same Dagster definitions as the UI. The run happens in a worker
thread while this module reads the run's events from the Dagster instance and prints one line per
finished step, so an analyst sees where a long run is without reading Dagster's debug log.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import dagster as dg

from pipelines.definitions import STAGES, build_definitions
from pipelines.lib.owner_only import make_private_dir, restrict_umask, tighten
from pipelines.lib.resources import MonitorResource, default_monitor_resource

QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


@dataclass
class RunOutcome:
    run_id: str
    success: bool
    errors: list[str] = field(default_factory=list)
    steps: int = 0
    seconds: float = 0.0


def prepare_instance(dagster_home: Path) -> dg.DagsterInstance:
    """A Dagster instance whose run history lives under the output folder (no telemetry).

    Before anything is created the process umask is set to owner-only, and the output folder is closed to group
    and others (`pipelines.lib.owner_only`): run storage, warehouse and logs are never world-readable."""
    restrict_umask()
    make_private_dir(dagster_home)
    tighten(dagster_home.parent)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    return dg.DagsterInstance.from_config(str(dagster_home))


def _failure_sentences(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    sentences: list[str] = []
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error if event.step_failure_data else None
            message = error.message.strip().splitlines()[0] if error and error.message else "unknown error"
            message = message.removeprefix("dagster._core.definitions.events.Failure: ")
            sentences.append(f"Step '{event.step_key}' failed: {message}")
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            data = event.event_specific_data
            if isinstance(data, dg.AssetCheckEvaluation) and not data.passed:
                sentences.append(
                    f"Check '{data.check_name}' on '{data.asset_key.to_user_string()}' failed: "
                    f"{data.description or 'see the check metadata'}"
                )
    return sentences


def run_monitor(
    inbox: Path, out: Path, stream: TextIO | None = sys.stderr, until: str | None = None, raw_to: Path | None = None
) -> RunOutcome:
    """Materialise every asset for one inbox; print progress to `stream` (None = silent).

    `until` (a stage, for the benchmark) materialises only the stages up to and including it. `raw_to`: the
    holder's folder the raw exports move to after ingest (None: they are deleted)."""
    instance = prepare_instance(out / "dagster")
    monitor = MonitorResource(
        inbox=str(inbox.resolve()), out=str(out.resolve()), raw_to=str(raw_to.resolve()) if raw_to else ""
    )
    defs = build_definitions(monitor)
    job = defs.resolve_job_def("monitor_job")
    selection = None
    if until is not None:
        graph, wanted = defs.resolve_asset_graph(), STAGES[: STAGES.index(until) + 1]
        selection = [k for k in job.asset_layer.executable_asset_keys if graph.get(k).group_name in wanted]
    run_id = str(uuid.uuid4())
    started = time.monotonic()
    result: dict[str, bool] = {}

    def work() -> None:
        outcome = job.execute_in_process(
            instance=instance, run_id=run_id, raise_on_error=False, run_config=QUIET_LOGS, asset_selection=selection
        )
        result["success"] = outcome.success

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    seen = 0
    done = 0
    total = len(selection) if selection is not None else len(list(job.asset_layer.executable_asset_keys))
    while worker.is_alive() or seen == 0:
        worker.join(timeout=0.5)
        records = instance.all_logs(run_id) if instance.has_run(run_id) else []
        for record in records[seen:]:
            event = record.dagster_event
            if event is None or stream is None:
                continue
            if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
                done += 1
                key = event.asset_key.to_user_string() if event.asset_key else "?"
                print(
                    f"  [{done:>2}/{total}] {key}  ({time.monotonic() - started:5.1f} s)",
                    file=stream,
                    flush=True,
                )
            elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
                data = event.event_specific_data
                if isinstance(data, dg.AssetCheckEvaluation):
                    status = "ok" if data.passed else "FAILED"
                    target = data.asset_key.to_user_string()
                    print(f"          check {target}:{data.check_name} {status}", file=stream, flush=True)
        seen = len(records)
        if not worker.is_alive() and seen:
            break
    success = result.get("success", False)
    errors = [] if success else _failure_sentences(instance, run_id)
    if not success and not errors:
        errors = ["The run did not finish; see the Dagster UI (make ui) for this run."]
    return RunOutcome(run_id, success, errors, done, time.monotonic() - started)


def _run_partition(out: Path, key: str) -> tuple[str, bool, str, float]:
    """One partition of yearly_job as its own Dagster run, in a worker process (its steps on the job's executor)."""
    from pipelines.definitions import yearly_job_for_workers

    began = time.monotonic()
    instance = prepare_instance(out / "dagster")
    job = dg.reconstructable(yearly_job_for_workers)
    with dg.execute_job(job, instance=instance, tags={"dagster/partition": key}, run_config=QUIET_LOGS) as result:
        return key, result.success, result.run_id, time.monotonic() - began


@dataclass
class PartitionedOutcome:
    success: bool
    errors: list[str] = field(default_factory=list)
    partitions: dict[str, float] = field(default_factory=dict)  # partition key → seconds of its run
    seconds: float = 0.0


def run_partitioned(
    inbox: Path, out: Path, workers: int = 2, stream: TextIO | None = sys.stderr, raw_to: Path | None = None
) -> PartitionedOutcome:
    """The scale-out path: ingest, then one run per (gemeente, school year) with `workers` runs side by side
    (each a Dagster run in a worker process, its step on yearly_job's executor: a process per step here), then
    the regional publication and the purge.

    Worker processes rebuild the definitions themselves, so they find the paths in MONITOR_INBOX, MONITOR_OUT
    (set here) and MONITOR_CONFIG, as `monitor ui` passes them to Dagster's own processes.
    """
    from pipelines.defs.partitions import PARTITIONS

    def say(line: str) -> None:
        if stream is not None:
            print(line, file=stream, flush=True)

    started = time.monotonic()
    os.environ["MONITOR_INBOX"], os.environ["MONITOR_OUT"] = str(inbox.resolve()), str(out.resolve())
    os.environ["MONITOR_RAW_TO"] = str(raw_to.resolve()) if raw_to else ""
    instance = prepare_instance(out / "dagster")
    defs = build_definitions(default_monitor_resource())  # the very resource the worker processes build

    def in_process(job_name: str) -> list[str]:
        result = defs.resolve_job_def(job_name).execute_in_process(
            instance=instance, raise_on_error=False, run_config=QUIET_LOGS
        )
        say(f"  {job_name}: {'ok' if result.success else 'FAILED'} ({time.monotonic() - started:.1f} s)")
        return [] if result.success else _failure_sentences(instance, result.run_id)

    outcome = PartitionedOutcome(success=False)
    if errors := in_process("regional_ingest_job"):
        outcome.errors = errors
        return outcome
    keys = PARTITIONS.get_partition_keys(dynamic_partitions_store=instance)
    say(f"  {len(keys)} partitions, {workers} at a time: {', '.join(keys)}")

    spawn = multiprocessing.get_context("spawn")  # no fork of a process that holds DuckDB and Dagster threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=spawn) as pool:
        runs = pool.map(_run_partition, [out.resolve()] * len(keys), keys)
        for key, success, run_id, seconds in runs:
            outcome.partitions[key] = seconds
            say(f"  yearly_job {key}: {'ok' if success else 'FAILED'} ({seconds:.1f} s)")
            if not success:
                sentences = _failure_sentences(instance, run_id) or [f"run {run_id} failed; see the Dagster UI."]
                outcome.errors.extend(f"Partition {key}: {e}" for e in sentences)
    if not outcome.errors:
        outcome.errors = in_process("regional_publication_job") or in_process("retention_job")
    outcome.success = not outcome.errors
    outcome.seconds = time.monotonic() - started
    return outcome
