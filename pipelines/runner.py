"""Running the whole asset graph in process, with progress lines and a one-sentence error.

`monitor run` and the tests use the same Dagster definitions as the UI. The run happens in a worker
thread while this module reads the run's events from the Dagster instance and prints one line per
finished step, so an analyst sees where a long run is without reading Dagster's debug log.
"""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import re
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import dagster as dg
from dagster._utils.error import SerializableErrorInfo

from pipelines.definitions import STAGES, build_definitions
from pipelines.lib.lock import output_lock
from pipelines.lib.owner_only import make_private_dir, restrict_umask, tighten
from pipelines.lib.resources import MonitorResource, default_monitor_resource
from pipelines.lib.run_history import end_run, end_unfinished_run, prune_runs
from pipelines.lib.run_inputs import forget_run_inputs, record_run_inputs
from pipelines.lib.settings import MonitorConfig, configured_path

# Dagster's own console log stays silent: its step failures come with stack traces and class names. The
# causes reach the user as sentences (`failure_sentences`), the tracebacks a log file (`write_failure_log`).
QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
INSTANCE_CONFIG = """\
# Written by `monitor` (pipelines/runner.py prepare_instance); changes here are overwritten.
telemetry:
  enabled: false
# One run at a time per output folder: runs launched from the UI, a schedule or the sensor queue behind each
# other (the run lock in pipelines/lib/lock.py makes CLI runs, which bypass this queue, wait or refuse too).
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
concurrency:
  runs:
    max_concurrent_runs: 1
# Dagster's own SQLite event log files in their usual place, written through connections kept open
# (pipelines/lib/run_storage.py): the default storage opens and closes a connection per event.
event_log_storage:
  module: pipelines.lib.run_storage
  class: PooledSqliteEventLogStorage
  config:
    base_dir: {event_logs}
"""


@dataclass
class RunOutcome:
    run_id: str
    success: bool
    errors: list[str] = field(default_factory=list)
    steps: int = 0
    seconds: float = 0.0
    log: Path | None = None  # the tracebacks of a failed run


def prepare_instance(dagster_home: Path) -> dg.DagsterInstance:
    """A Dagster instance whose run history lives under the output folder (no telemetry, one run at a time).

    Before anything is created the process umask is set to owner-only, and the output folder is closed to group
    and others (`pipelines.lib.owner_only`): run storage, warehouse and logs are never world-readable."""
    restrict_umask()
    make_private_dir(dagster_home)
    tighten(dagster_home.parent)
    config = dagster_home / "dagster.yaml"
    text = INSTANCE_CONFIG.format(event_logs=json.dumps(str((dagster_home / "history" / "runs").resolve())))
    if not config.is_file() or config.read_text(encoding="utf-8") != text:
        config.write_text(text, encoding="utf-8")
    return dg.DagsterInstance.from_config(str(dagster_home))


OWN_ERRORS = ("Failure", "OutputBusy", "FileRejected", "FileChanged")


def _root_cause(error: SerializableErrorInfo) -> SerializableErrorInfo:
    """The error our code raised: Dagster wraps it in 'Error occurred while executing op …' (a Dagster class)."""
    while error.cause is not None and (error.cls_name or "").startswith("Dagster"):
        error = error.cause
    return error


def cause_sentence(message: str, cls_name: str | None) -> str:
    """One sentence for an error message, without a Dagster class name; known system errors in plain words."""
    first = message.strip().splitlines()[0] if message.strip() else (cls_name or "unknown error")
    first = re.sub(r"^(?:[A-Za-z_]\w*\.)+(?=[A-Za-z_]\w*: )", "", first)  # dagster._core…Failure: → Failure:
    for own in OWN_ERRORS:  # their messages are written as sentences for the user
        first = first.removeprefix(f"{own}: ")
    if _errno_of(first) == errno.ENOSPC or "database or disk is full" in first:
        where = _quoted_path(first)
        return f"the disk is full (no space left on device{f' writing {where}' if where else ''})."
    if "disk I/O error" in first:
        return "Dagster could not write its run history (disk I/O error): is the disk full?"
    if _errno_of(first) == errno.ENOENT:
        return f"a file is missing: {_quoted_path(first) or first}."
    if system := re.match(r"^\w+: \[Errno \d+\] ([^:]+)(?:: '(.+)')?$", first):  # other OS errors, no class
        return f"{system.group(1)[0].lower()}{system.group(1)[1:]}{f': {system.group(2)}' if system.group(2) else ''}."
    if "Could not set lock on file" in first:
        return f"the warehouse database is in use by another process ({_quoted_path(first) or 'monitor.duckdb'})."
    return first


def _errno_of(text: str) -> int | None:
    found = re.search(r"\[Errno (\d+)\]", text)
    return int(found.group(1)) if found else None


def _quoted_path(text: str) -> str | None:
    found = re.search(r"""['"](/[^'"]+)['"]""", text)
    return found.group(1) if found else None


def failure_sentences(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """The causes of a failed run, the cause first: failed steps, then failed blocking checks.

    Checks of severity WARN do not stop a run and are not failures here (the progress lines show them)."""
    sentences: list[str] = []
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error if event.step_failure_data else None
            cause = cause_sentence(*_message_of(error)) if error else "unknown error"
            sentences.append(f"{cause.rstrip('.')} (step {str(event.step_key).replace('__', '/')}).")
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            data = event.event_specific_data
            if isinstance(data, dg.AssetCheckEvaluation) and _is_blocking_failure(data):
                target = data.asset_key.to_user_string()
                cause = (data.description or "see the check metadata").rstrip(".")
                sentences.append(f"{cause} (check {target}:{data.check_name}).")
        elif event.event_type == dg.DagsterEventType.RUN_FAILURE and not sentences:
            error = event.event_specific_data.error if event.event_specific_data else None  # type: ignore[union-attr]
            if error is not None:
                sentences.append(cause_sentence(*_message_of(error)))
    return sentences


def _message_of(error: SerializableErrorInfo) -> tuple[str, str | None]:
    root = _root_cause(error)
    return root.message, root.cls_name


def _is_warning(data: dg.AssetCheckEvaluation) -> bool:
    return not data.passed and data.severity == dg.AssetCheckSeverity.WARN and not data.blocking


def _is_blocking_failure(data: dg.AssetCheckEvaluation) -> bool:
    return not data.passed and not _is_warning(data)


def write_failure_log(out: Path, run_id: str, instance: dg.DagsterInstance | None, extra: list[str]) -> Path:
    """Every traceback of a failed run in `<out>/logs/run-<run id>.log`, the file the error message names.

    Tracebacks name files and values of the code, never person data: ingest errors carry masked values only."""
    lines = [f"Run {run_id}, {datetime.now(UTC).isoformat(timespec='seconds')}", ""]
    for record in instance.all_logs(run_id) if instance is not None and instance.has_run(run_id) else []:
        event = record.dagster_event
        error = None
        if event is not None and event.event_type == dg.DagsterEventType.STEP_FAILURE and event.step_failure_data:
            error = event.step_failure_data.error
        elif event is not None and event.event_type == dg.DagsterEventType.RUN_FAILURE:
            error = getattr(event.event_specific_data, "error", None)
        if error is not None:
            lines += [f"--- {event.step_key or 'run'} ({event.event_type_value})", _traceback_text(error), ""]  # type: ignore[union-attr]
    lines += extra
    log = out.resolve() / "logs" / f"run-{run_id}.log"
    make_private_dir(log.parent)
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if os.environ.get("MONITOR_DEBUG"):
        print(log.read_text(encoding="utf-8"), file=sys.stderr)
    return log


def _traceback_text(error: SerializableErrorInfo) -> str:
    """A Dagster error and its causes as Python prints a chained traceback, innermost cause first."""
    chain = [error]
    while chain[-1].cause is not None:
        chain.append(chain[-1].cause)
    parts = [f"Traceback (most recent call last):\n{''.join(e.stack)}{e.message}" for e in reversed(chain)]
    return "\nThe above exception was the direct cause of the following exception:\n\n".join(parts)


def run_monitor(
    inbox: Path,
    out: Path,
    stream: TextIO | None = sys.stderr,
    until: str | None = None,
    raw_to: Path | None = None,
    config: Path | None = None,
) -> RunOutcome:
    """Materialise every asset for one inbox; print progress to `stream` (None = silent).

    Holds the output folder's lock for the whole run (raises `OutputBusy` naming the holder when another run,
    the UI or an audit keeps it past the wait), ends a run a killed predecessor left STARTED, and prunes the
    run history afterwards. `until` (a stage, for the benchmark) materialises the stages up to it only. `raw_to`: the
    holder's folder the raw exports move to after ingest (None: they are deleted). `config`: a monitor.toml other
    than MONITOR_CONFIG's (key rotation runs with the new TTP fingerprint)."""
    run_id = str(uuid.uuid4())
    with output_lock(out, "monitor run", run_id) as held:
        instance = prepare_instance(out / "dagster")
        end_unfinished_run(instance, out, held.stale)
        forget_run_inputs(out)
        outcome = _execute(instance, inbox, out, run_id, stream, until, raw_to, config)
        held.finished = end_run(instance, run_id, "The run process stopped before Dagster recorded its end.")
        if outcome.success and until is None:  # what the next run compares with (pipelines/lib/run_inputs.py)
            record_run_inputs(inbox, out, config or configured_path(), run_id)
        if held.finished:
            with suppress(Exception):  # pruning is housekeeping: a failure here must not fail the run
                prune_runs(instance, MonitorConfig.load().keep_runs)
        with suppress(Exception):  # the event log's kept-open connections closed: its WAL checkpointed, under the lock
            instance.dispose()
    return outcome


def _execute(
    instance: dg.DagsterInstance,
    inbox: Path,
    out: Path,
    run_id: str,
    stream: TextIO | None,
    until: str | None,
    raw_to: Path | None,
    config: Path | None = None,
) -> RunOutcome:
    settings: dict[str, Any] = {} if config is None else {"config_file": str(config.resolve())}
    monitor = MonitorResource(
        inbox=str(inbox.resolve()), out=str(out.resolve()), raw_to=str(raw_to.resolve()) if raw_to else "", **settings
    )
    defs = build_definitions(monitor)
    job = defs.resolve_job_def("monitor_job")
    selection = None
    if until is not None:
        graph, wanted = defs.resolve_asset_graph(), STAGES[: STAGES.index(until) + 1]
        selection = [k for k in job.asset_layer.executable_asset_keys if graph.get(k).group_name in wanted]
    started = time.monotonic()
    result: dict[str, object] = {}

    def work() -> None:
        try:
            outcome = job.execute_in_process(
                instance=instance, run_id=run_id, raise_on_error=False, run_config=QUIET_LOGS, asset_selection=selection
            )
            result["success"] = outcome.success
        except Exception as exc:  # e.g. Dagster's own storage cannot be written: reported, not lost
            result["error"] = exc
            result["traceback"] = traceback.format_exc()

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    seen = 0
    done = 0
    total = len(selection) if selection is not None else len(list(job.asset_layer.executable_asset_keys))
    try:
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
                        status = "ok" if data.passed else ("warning" if _is_warning(data) else "FAILED")
                        target = data.asset_key.to_user_string()
                        print(f"          check {target}:{data.check_name} {status}", file=stream, flush=True)
            seen = len(records)
            if not worker.is_alive() and (seen or "error" in result):
                break
    except KeyboardInterrupt:
        with suppress(Exception):
            run = instance.get_run_by_id(run_id)
            if run is not None and not run.is_finished:
                instance.report_run_canceled(run, "Interrupted (Ctrl-C) in `monitor run`.")
        raise
    success = result.get("success") is True
    if success:
        return RunOutcome(run_id, True, [], done, time.monotonic() - started)
    errors: list[str] = []
    with suppress(Exception):
        errors = failure_sentences(instance, run_id)
    extra: list[str] = []
    if isinstance(result.get("error"), Exception):
        exc = result["error"]
        errors = errors or [cause_sentence(f"{type(exc).__name__}: {exc}", type(exc).__name__)]
        extra = [str(result["traceback"])]
    if not errors:
        errors = ["The run did not finish; see the Dagster UI (make ui) for this run."]
    try:
        log: Path | None = write_failure_log(out, run_id, instance, extra)
    except OSError:
        log = None  # e.g. the disk is full: the sentence still says why
    return RunOutcome(run_id, False, errors, done, time.monotonic() - started, log)


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
    (set here) and MONITOR_CONFIG, as `monitor ui` passes them to Dagster's own processes. They run under this
    process's lock on the output folder.
    """

    def say(line: str) -> None:
        if stream is not None:
            print(line, file=stream, flush=True)

    with output_lock(out, "monitor run --partitioned") as held:
        instance = prepare_instance(out / "dagster")
        end_unfinished_run(instance, out, held.stale)
        return _partitioned(instance, inbox, out, workers, say, raw_to)


def _partitioned(
    instance: dg.DagsterInstance,
    inbox: Path,
    out: Path,
    workers: int,
    say: Callable[[str], None],
    raw_to: Path | None,
) -> PartitionedOutcome:
    from pipelines.defs.partitions import PARTITIONS

    started = time.monotonic()
    os.environ["MONITOR_INBOX"], os.environ["MONITOR_OUT"] = str(inbox.resolve()), str(out.resolve())
    os.environ["MONITOR_RAW_TO"] = str(raw_to.resolve()) if raw_to else ""
    defs = build_definitions(default_monitor_resource())  # the very resource the worker processes build

    def in_process(job_name: str) -> list[str]:
        result = defs.resolve_job_def(job_name).execute_in_process(
            instance=instance, raise_on_error=False, run_config=QUIET_LOGS
        )
        say(f"  {job_name}: {'ok' if result.success else 'FAILED'} ({time.monotonic() - started:.1f} s)")
        return [] if result.success else failure_sentences(instance, result.run_id)

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
                sentences = failure_sentences(instance, run_id) or [f"run {run_id} failed; see the Dagster UI."]
                outcome.errors.extend(f"Partition {key}: {e}" for e in sentences)
    if not outcome.errors:
        outcome.errors = in_process("regional_publication_job") or in_process("retention_job")
    outcome.success = not outcome.errors
    outcome.seconds = time.monotonic() - started
    return outcome
