"""Reliability under faults (issue 23), the pipeline half: real `monitor run` processes, real SIGKILLs.

A copy of the session's small synthetic run (scale 0.05) is the previous publication. Runs are killed at
each stage, two runs start together on one folder, an audit runs beside them, and youth-care deliveries
go missing; the publication must stay byte-identical (or be the complete new one) and the next run must
succeed without cleanup. The messages a user meets (issue 14) are checked on the hand-made inbox.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from pipelines.cli import main as monitor_main
from pipelines.lib.lock import read_holder
from pipelines.lib.run_manifests import run_manifest_path
from pipelines.lib.settings import PROJECT_ROOT
from pipelines.publish.publication import publication_state
from pipelines.runner import run_monitor
from tests.handmade_inbox import write_handmade_inbox
from tests.test_reliability import complete_publication

DAGSTER_CLASS_NAMES = ("dagster.", "DagsterExecutionStepExecutionError", "Error occurred while executing")


def _monitor(*args: str | Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-u", "-m", "pipelines.cli", *map(str, args)],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _kill_when(proc: subprocess.Popen[str], marker: str, out: Path) -> str:
    """SIGKILL `proc` once its progress shows `marker`; returns the run id its lock record names."""
    assert proc.stderr is not None
    for line in proc.stderr:
        if marker in line:
            break
    else:
        pytest.fail(f"the run ended before '{marker}' (exit {proc.wait()})")
    holder = read_holder(out)
    assert holder is not None and holder.pid == proc.pid and holder.run_id
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return holder.run_id


@pytest.fixture
def previous(small_synthetic_run: tuple[Path, dg.ExecuteInProcessResult], tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the small synthetic inbox and of its output folder (the previous publication included).

    The inbox is a copy because a successful run empties its inbox: the session's shared exports must stay whole
    for the tests that run after this one in the same process."""
    root, _ = small_synthetic_run
    shutil.copytree(root / "out", tmp_path / "out", symlinks=True)
    shutil.copytree(root / "inbox", tmp_path / "delivered", symlinks=True)
    return tmp_path / "delivered", tmp_path / "out"


def test_kills_at_each_stage_then_two_runs_and_an_audit_together(previous: tuple[Path, Path]) -> None:
    inbox, out = previous
    publish = out / "publish"
    baseline = _files(publish)
    killed = []
    for stage, marker in (("ingest", "] staged/"), ("link", "] warehouse "), ("protect", "] indicators ")):
        killed.append(_kill_when(_monitor("run", "--inbox", inbox, "--out", out), marker, out))
        assert _files(publish) == baseline, f"a kill in {stage} leaves the publication byte-identical"

    # Two runs started together: one runs, the other refuses at once naming it; an audit waits for the run.
    runs = [_monitor("run", "--inbox", inbox, "--out", out, MONITOR_LOCK_WAIT="0") for _ in range(2)]
    while all(r.poll() is None for r in runs):
        time.sleep(0.2)
    loser = next(r for r in runs if r.poll() is not None)
    winner = next(r for r in runs if r is not loser)
    _, refusal = loser.communicate()
    assert loser.returncode == 2, refusal
    assert f"is in use by monitor run (pid {winner.pid}, started" in refusal
    audit = _monitor("audit", "--out", out, MONITOR_LOCK_WAIT="900")
    done, progress = winner.communicate(timeout=900)
    assert winner.returncode == 0, progress[-3000:]
    assert "Done in" in done and "FAILED" not in progress, "no failed check; WARN checks show as warnings"
    _, audit_err = audit.communicate(timeout=300)
    assert audit.returncode == 0 and "in use" not in audit_err, audit_err[-2000:]

    manifest = complete_publication(publish)
    instance = dg.DagsterInstance.from_config(str(out / "dagster"))
    assert manifest["run_id"] not in killed and run_manifest_path(out, str(manifest["run_id"])).is_file()
    statuses = {run.run_id: run.status for run in instance.get_runs()}
    assert all(statuses[r] == dg.DagsterRunStatus.FAILURE for r in killed), "killed runs end as failed"
    assert not [r for r, s in statuses.items() if s in (dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING)]
    assert not [r for r in killed if run_manifest_path(out, r).is_file()], "no manifest claims a killed run published"


def test_an_empty_ijw_folder_stops_the_run_before_it_publishes(previous: tuple[Path, Path], tmp_path: Path) -> None:
    inbox, out = previous
    work = tmp_path / "inbox"
    shutil.copytree(inbox, work, ignore=shutil.ignore_patterns("ijw"))
    (work / "ijw").mkdir()
    before, staged = publication_state(out / "publish"), _files(out / "warehouse" / "staged")
    outcome = run_monitor(work, out, stream=None, until="ingest")
    assert not outcome.success
    assert any("toewijzingen rows from iJw messages: 0 now against" in e for e in outcome.errors), outcome.errors
    assert publication_state(out / "publish") == before
    assert _files(out / "warehouse" / "staged") == staged, "staged files are replaced only by a whole ingest"


def test_thirty_percent_invalid_ijw_messages_stop_the_run(previous: tuple[Path, Path], tmp_path: Path) -> None:
    inbox, out = previous
    work = tmp_path / "inbox"
    shutil.copytree(inbox, work)
    messages = sorted((work / "ijw").rglob("*.xml"))
    for path in messages[::3]:  # every third message (33 %) cut off halfway, as a broken transfer does
        stat = path.stat()
        path.write_bytes(path.read_bytes()[: stat.st_size // 2])
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    staged = _files(out / "warehouse" / "staged")
    outcome = run_monitor(work, out, stream=None, until="ingest")
    assert not outcome.success
    refused = [e for e in outcome.errors if "iJw messages refused" in e]
    assert refused and "limit 5%" in refused[0], outcome.errors
    assert _files(out / "warehouse" / "staged") == staged, "the sources that did pass are not replaced either"


def _stderr_of_failed_run(inbox: Path, out: Path, capfd: pytest.CaptureFixture[str]) -> list[str]:
    status = monitor_main(["run", "--inbox", str(inbox), "--out", str(out)])
    err = capfd.readouterr().err
    assert status == 2
    assert "Traceback" not in err and not [n for n in DAGSTER_CLASS_NAMES if n in err], err
    return [line for line in err.splitlines() if line.startswith(("monitor:", "         Look at:"))]


def _log_named(lines: list[str]) -> Path:
    log = Path(lines[-1].split("Look at: ", 1)[1].split(" (", 1)[0])
    assert log.is_file() and "Traceback" in log.read_text(encoding="utf-8"), "the log file holds the traceback"
    return log


def test_an_empty_inbox_is_one_sentence(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "inbox").mkdir()
    assert monitor_main(["run", "--inbox", str(tmp_path / "inbox"), "--out", str(tmp_path / "out")]) == 2
    err = capfd.readouterr().err.strip().splitlines()
    assert err[0].startswith("Single-key mode (tests and trials only): key "), "the keys are checked first"
    assert err[1].startswith("Warehouse data key, fingerprint ")
    assert len(err) == 4 and "is empty; expected the exports" in err[2] and "Look at:" in err[3]


def test_a_garbage_csv_and_a_wrong_column_name_say_so_first(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    inbox = tmp_path / "inbox"
    write_handmade_inbox(inbox)
    (inbox / "scholen.csv").write_bytes(b"%PDF-1.7\x00\x00\x01\x02 not a table \x00" * 20)
    enrolments = inbox / "inschrijvingen.csv"
    enrolments.write_text(enrolments.read_text(encoding="utf-8").replace(";onderwijssoort;", ";schooltype;", 1))
    for path in inbox.iterdir():
        os.utime(path, (time.time() - 60, time.time() - 60))
    lines = _stderr_of_failed_run(inbox, tmp_path / "out", capfd)
    assert len(lines) <= 6, lines
    causes = " ".join(lines[:2])
    assert "scholen.csv: the file contains NUL bytes" in causes
    assert "inschrijvingen.csv: missing required column(s) onderwijssoort" in causes
    assert "nothing was published (there was no previous publication)" in lines[-2]
    assert "quarantine" not in " ".join(lines), "nothing was quarantined, so the quarantine is not pointed at"
    _log_named(lines)
    assert not _files(tmp_path / "out" / "warehouse" / "staged"), "a failed first ingest stages nothing"


def test_a_failed_step_names_its_cause_not_dagster(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_handmade_inbox(inbox)
    for path in inbox.iterdir():
        os.utime(path, (time.time() - 60, time.time() - 60))
    (out / "warehouse").mkdir(parents=True)
    (out / "warehouse" / "staged").write_text("a file where the staged folder belongs")
    lines = _stderr_of_failed_run(inbox, out, capfd)
    assert lines[0].startswith("monitor: not a directory: ") and "(step staged/" in lines[0], lines
    assert len(lines) <= 9, lines
    _log_named(lines)
