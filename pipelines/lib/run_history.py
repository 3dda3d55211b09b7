"""Runs end: what the holder of an output folder's lock does about runs that did not, and about old runs.

A run killed with kill -9, interrupted or stopped by a full disk cannot record its own end, so Dagster would
show it STARTED forever. The next process that takes the folder's lock (pipelines/lib/lock.py) knows from the
record the dead holder left which run that was, marks it failed in Dagster and leaves its manifest marked
unpublished. Run storage is pruned to the configured history (`[runs] keep_runs`), oldest finished runs first.
"""

from __future__ import annotations

import shutil
from contextlib import suppress
from pathlib import Path

import dagster as dg

from pipelines.lib.lock import Holder
from pipelines.lib.run_manifests import reconcile_run_manifests


def end_unfinished_run(instance: dg.DagsterInstance, out: Path, stale: Holder | None) -> str | None:
    """Mark the run a dead lock holder left STARTED as failed; returns its id when one was marked.

    Also settles the run manifests: a kill right after the publication switch leaves the publishing run's
    manifest marked unpublished, which the publication itself then corrects."""
    reconcile_run_manifests(out, out / "publish")
    if stale is None or stale.run_id is None:
        return None
    run = instance.get_run_by_id(stale.run_id)
    if run is None or run.is_finished:
        return None
    instance.report_run_failed(
        run,
        f"The run ended without finishing ({stale.command}, pid {stale.pid}, started {stale.started}: killed, "
        "interrupted or out of disk space); marked failed by the next process that took the output folder.",
    )
    return run.run_id


def end_run(instance: dg.DagsterInstance, run_id: str, message: str) -> bool:
    """Record `run_id` as failed if it is not recorded as ended; False when that cannot be written either."""
    with suppress(Exception):
        run = instance.get_run_by_id(run_id)
        if run is not None and not run.is_finished:
            instance.report_run_failed(run, message)
        return True
    return False


def prune_runs(instance: dg.DagsterInstance, keep: int) -> int:
    """Delete all but the newest `keep` finished runs with their event logs; returns how many were deleted.

    `delete_run` removes a run's rows, but the local SQLite storage keeps one event-log file per run
    (`history/runs/<id>.db`) and its compute logs (`storage/<id>/`): those go too, or the folder still grows."""
    finished = [r for r in instance.get_runs() if r.is_finished]  # newest first
    home = Path(instance.root_directory)
    for run in finished[keep:]:
        instance.delete_run(run.run_id)
        (home / "history" / "runs" / f"{run.run_id}.db").unlink(missing_ok=True)
        shutil.rmtree(home / "storage" / run.run_id, ignore_errors=True)
    return max(len(finished) - keep, 0)
