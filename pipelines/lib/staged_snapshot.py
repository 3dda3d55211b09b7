"""Staged files are replaced only when the whole ingest succeeds: a snapshot of `warehouse/staged/` per run.

Each source's ingest replaces its own staged Parquet as soon as that source is done. Without more, a run
that fails in a later source (or is killed halfway) would leave some sources new and some old: a warehouse
that matches no delivery and no publication. So every run starts by saving the staged files in
`warehouse/.staged-before-run/` (the sources' Parquet files as hard links, no copy: they are replaced by
rename, so the links keep the old bytes; the small files written in place are copied), and ends by
dropping the snapshot when its ingest succeeded, or by putting it back when an ingest step or a blocking
ingest check failed. A snapshot found at the start of a run is from a run that died: it
is put back first.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg

from pseudonymisation.contract import load_all_contracts

SNAPSHOT = ".staged-before-run"
_COMPLETE = ".complete"  # written last: a snapshot without it was cut off while being made and is ignored


def snapshot_folder(staged: Path) -> Path:
    return staged.parent / SNAPSHOT


def take_snapshot(staged: Path) -> None:
    snapshot = snapshot_folder(staged)
    shutil.rmtree(snapshot, ignore_errors=True)
    snapshot.mkdir(parents=True)
    renamed = {f"{source}.parquet" for source in load_all_contracts()}
    for path in _staged_files(staged):
        if path.name in renamed:  # replaced by rename (ingest's sink, the retention purge): a link keeps it
            os.link(path, snapshot / path.name)
        else:  # written in place (summaries, the iJw consistency facts; small): a link would change with it
            shutil.copy2(path, snapshot / path.name)
    (snapshot / _COMPLETE).touch()


def restore_snapshot(staged: Path) -> bool:
    """Put the staged files of before the run back (and remove files the run added); False if no snapshot."""
    snapshot = snapshot_folder(staged)
    if not (snapshot / _COMPLETE).is_file():
        shutil.rmtree(snapshot, ignore_errors=True)
        return False
    kept = {p.name for p in snapshot.iterdir()} - {_COMPLETE}
    for path in _staged_files(staged):
        if path.name not in kept:
            path.unlink()
    staged.mkdir(parents=True, exist_ok=True)
    for name in kept:
        os.replace(snapshot / name, staged / name)
    shutil.rmtree(snapshot)
    return True


def drop_snapshot(staged: Path) -> None:
    shutil.rmtree(snapshot_folder(staged), ignore_errors=True)


def ingest_failed(instance: dg.DagsterInstance, run_id: str) -> bool:
    """Whether an ingest step (a `staged/…` asset) or a blocking check on one failed in this run."""
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_FAILURE and str(event.step_key).startswith("staged"):
            return True
        data = event.event_specific_data
        blocking = isinstance(data, dg.AssetCheckEvaluation) and data.severity != dg.AssetCheckSeverity.WARN
        if blocking and not data.passed and data.asset_key.path[0] == "staged":  # type: ignore[union-attr]
            return True
    return False


def _staged_files(staged: Path) -> list[Path]:
    if not staged.is_dir():
        return []
    return [p for p in staged.iterdir() if p.is_file() and not p.name.endswith(".partial")]
