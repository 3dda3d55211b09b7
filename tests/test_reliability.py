"""Reliability under faults (issue 23), the fast half: the lock, the publication switch and stable reads.

Real processes and real kills (SIGKILL, no cleanup runs) where the fault is a process dying; real files and
the real ingest everywhere. The pipeline runs under faults are in tests/test_faults_pipeline.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

import pipelines.ingest.sources as sources
from pipelines.defs.ingest import source_assets, staged_key
from pipelines.defs.plausibility import Change, implausible, rows_by_form
from pipelines.lib.lock import OutputBusy, output_lock, read_holder
from pipelines.lib.resources import MonitorResource
from pipelines.lib.run_history import prune_runs
from pipelines.lib.sealing import read_sealed
from pipelines.lib.settings import PROJECT_ROOT
from pipelines.publish.publication import publication_state, publish_atomically, versions_folder
from pipelines.runner import failure_sentences, prepare_instance
from pseudonymisation.config import load_hashing_config
from pseudonymisation.contract import load_contract
from pseudonymisation.key import load_key
from pseudonymisation.pseudonymiser import Pseudonymiser
from tests.handmade_inbox import valid_bsn

PYTHON = [sys.executable, "-c"]


def complete_publication(publish: Path) -> dict[str, object]:
    """What a reader must always find: a manifest, and every output it lists."""
    manifest = json.loads((publish / "manifest.json").read_text(encoding="utf-8"))
    missing = [o for o in manifest["outputs"] if not (publish / o).is_file()]
    assert not missing, f"the manifest lists outputs the publication lacks: {missing}"
    return dict(manifest)


def _child(code: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*PYTHON, code],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_second_writer_is_refused_in_one_sentence_naming_the_holder(tmp_path: Path) -> None:
    with output_lock(tmp_path, "monitor run", "run-1"):
        other = _child(
            "import sys; from pathlib import Path; from pipelines.lib.lock import output_lock\n"
            f"with output_lock(Path({str(tmp_path)!r}), 'monitor audit', wait=0): pass"
        )
        _, err = other.communicate(timeout=60)
    assert other.returncode != 0
    sentence = err.strip().splitlines()[-1]
    assert f"is in use by monitor run (pid {os.getpid()}, started " in sentence and "run run-1)" in sentence


def test_the_lock_waits_then_refuses_and_is_reentrant_in_one_process(tmp_path: Path) -> None:
    holder = _child(
        "import sys, time; from pathlib import Path; from pipelines.lib.lock import output_lock\n"
        f"with output_lock(Path({str(tmp_path)!r}), 'monitor run', 'r-2'):\n"
        "    print('held', flush=True); time.sleep(60)"
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    with pytest.raises(OutputBusy, match="in use by monitor run"), output_lock(tmp_path, "monitor run", wait=1.0):
        pass
    assert time.monotonic() - started >= 1.0, "it waited before refusing"
    holder.kill()
    holder.wait()
    with output_lock(tmp_path, "monitor run", "mine") as outer, output_lock(tmp_path, "Dagster run") as inner:
        assert inner is outer, "the resource of a run in this process shares the CLI's lock"


def test_a_killed_holder_frees_the_folder_and_names_its_unfinished_run(tmp_path: Path) -> None:
    holder = _child(
        "import time; from pathlib import Path; from pipelines.lib.lock import output_lock\n"
        f"with output_lock(Path({str(tmp_path)!r}), 'monitor run', 'run-killed'):\n"
        "    print('held', flush=True); time.sleep(60)"
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with output_lock(tmp_path, "monitor run", "run-next", wait=0) as held:
        assert held.stale is not None and held.stale.run_id == "run-killed" and held.stale.pid == holder.pid
    assert read_holder(tmp_path) is None, "a holder that ends normally leaves no record"


BUILD = """
import json, sys
from pathlib import Path
from pipelines.lib.resources import MonitorResource
from pipelines.publish.publication import publish_atomically

def build(folder: Path) -> None:
    (folder / "indicatoren.parquet").write_text(sys.argv[2])
    (folder / "manifest.json").write_text(json.dumps({"run_id": sys.argv[2], "outputs": ["indicatoren.parquet"]}))

publish_atomically(Path(sys.argv[1]), build)
"""


def _publish(target: Path, label: str, fault: str | None = None) -> int:
    env = {**os.environ, "MONITOR_FAULT_AT": fault} if fault else dict(os.environ)
    return subprocess.run([*PYTHON, BUILD, str(target), label], cwd=PROJECT_ROOT, env=env, check=False).returncode


@pytest.mark.parametrize(("fault", "shows"), [("publish.before_switch", "v1"), ("publish.after_switch", "v2")])
def test_a_kill_at_the_publication_switch_leaves_a_complete_publication(tmp_path: Path, fault: str, shows: str) -> None:
    publish = tmp_path / "publish"
    assert _publish(publish, "v1") == 0
    assert _publish(publish, "v2", fault) == -signal.SIGKILL
    assert complete_publication(publish)["run_id"] == shows, "the old or the new publication, never none"
    assert _publish(publish, "v3") == 0, "the next publication needs no cleanup"
    assert complete_publication(publish)["run_id"] == "v3"
    kept = sorted(p.name for p in versions_folder(publish).iterdir())
    assert len(kept) == 2, f"the current and the previous version are kept, half-built ones removed: {kept}"


def test_a_publication_folder_from_before_versioning_is_switched_without_a_gap(tmp_path: Path) -> None:
    publish = tmp_path / "publish"
    publish.mkdir()
    (publish / "manifest.json").write_text(json.dumps({"run_id": "old", "outputs": []}))

    def build(folder: Path) -> None:
        (folder / "manifest.json").write_text(json.dumps({"run_id": "new", "outputs": []}))

    before = publication_state(publish)
    publish_atomically(publish, build)
    assert publish.is_symlink() and complete_publication(publish)["run_id"] == "new"
    assert publication_state(publish) != before
    previous = [p for p in versions_folder(publish).iterdir() if p.resolve() != publish.resolve()]
    assert [json.loads((p / "manifest.json").read_text())["run_id"] for p in previous] == ["old"]


def test_the_dagster_instance_queues_runs_one_at_a_time(tmp_path: Path) -> None:
    """Runs from the UI, the schedule or the sensor wait in Dagster's queue (what its daemon dequeues by)."""
    instance = prepare_instance(tmp_path / "dagster")
    assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
    queue = instance.get_concurrency_config().run_queue_config
    assert queue is not None and queue.max_concurrent_runs == 1


ENROL = "bsn;onderwijsnummer;geboortedatum;brin;vestigingsnummer;onderwijssoort;leerjaar;datum_inschrijving;"
ENROL += "datum_uitschrijving"


def _enrolments(n: int, first: int = 0) -> bytes:
    rows = [f"{valid_bsn(first + i)};;2014-03-15;11AA;0;BAO;5;2022-08-01;" for i in range(n)]
    return ("\r\n".join([ENROL, *rows]) + "\r\n").encode()


def _ingest(inbox: Path, out: Path, stable_seconds: float = 0.0) -> sources.Ingested:
    hashing = load_hashing_config().for_gemeente("GM0034")
    return sources.ingest_source(
        inbox,
        load_contract("inschrijvingen"),
        Pseudonymiser(hashing, load_key(hashing)),
        out / "staged.parquet",
        out / "quarantine.parquet",
        stable_seconds=stable_seconds,
    )


def _age(path: Path, seconds: float = 60) -> None:
    os.utime(path, (time.time() - seconds, time.time() - seconds))


def test_a_file_replaced_while_it_is_read_is_read_again_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The holder replaces the export between our hash and our read: the rows and the sha256 recorded are those
    of one delivery (the second, 40 rows), never 30 rows of one with the size or hash of the other."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    export = inbox / "inschrijvingen.csv"
    export.write_bytes(_enrolments(30))
    second = tmp_path / "second.csv"
    second.write_bytes(_enrolments(40, first=100))
    real_sha256 = sources.sha256_of
    replaced: list[Path] = []

    def hash_then_replace(path: Path) -> str:
        digest = real_sha256(path)
        if not replaced:
            os.replace(second, path)  # a new delivery lands right after we hashed the old one
            replaced.append(path)
        return digest

    monkeypatch.setattr(sources, "sha256_of", hash_then_replace)
    ingested = _ingest(inbox, tmp_path)
    [recorded] = ingested.files
    assert replaced and ingested.rows_read == 40
    assert recorded.sha256 == hashlib.sha256(export.read_bytes()).hexdigest()
    assert recorded.size == export.stat().st_size
    assert read_sealed(tmp_path / "staged.parquet").height == 40


def test_a_file_still_being_written_is_waited_for(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "inschrijvingen.csv").write_bytes(_enrolments(5))  # modified just now
    started = time.monotonic()
    assert _ingest(inbox, tmp_path, stable_seconds=0.6).rows_read == 5
    assert time.monotonic() - started >= 0.6


def test_the_same_delivery_twice_is_reported_and_counted_once(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "kopie").mkdir(parents=True)
    for path in (inbox / "inschrijvingen.csv", inbox / "kopie" / "inschrijvingen.csv"):
        path.write_bytes(_enrolments(7))
        _age(path)
    ingested = _ingest(inbox, tmp_path, stable_seconds=2)
    assert ingested.rows_read == 7 and ingested.rows_accepted == 7
    duplicate = [f for f in ingested.files if f.duplicate_of]
    assert [(f.name, f.duplicate_of, f.rows_read) for f in duplicate] == [
        ("kopie/inschrijvingen.csv", "inschrijvingen.csv", 0)
    ]


def test_volume_band_stops_a_drop_and_allows_growth_only_where_months_arrive() -> None:
    assert implausible(Change("C1 2025/2026", 5_310_000, 340_000), 0.5)
    assert not implausible(Change("C1 2024/2025", 5_310_000, 5_000_000), 0.5)
    assert implausible(Change("rows", 100, 260), 0.5)
    assert not implausible(Change("C1 2025/2026", 1_000_000, 2_600_000), 0.5, may_grow=True)
    assert not implausible(Change("new source", 0, 10), 0.5), "nothing to compare with"
    files = [
        {"name": "declaraties.csv", "rows_accepted": 10},
        {"name": "ijw/", "rows_accepted": 4},
        {"name": "kopie/declaraties.csv", "rows_accepted": 0, "duplicate_of": "declaraties.csv"},
    ]
    assert rows_by_form(files) == {"CSV exports": 10, "iJw messages": 4}


def test_run_history_is_pruned_with_its_files(tmp_path: Path) -> None:
    instance = prepare_instance(tmp_path / "dagster")

    @dg.op
    def step() -> None:
        pass

    @dg.job
    def tiny() -> None:
        step()

    run_ids = [tiny.execute_in_process(instance=instance).run_id for _ in range(3)]
    assert prune_runs(instance, keep=1) == 2
    assert [r.run_id for r in instance.get_runs()] == run_ids[-1:]
    shards = {p.stem for p in (tmp_path / "dagster" / "history" / "runs").glob("*.db")} - {"index"}
    assert shards <= {run_ids[-1]}, "the deleted runs' event-log files are gone too"


def test_a_run_dagster_starts_itself_takes_the_lock_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As a run launched from the UI: no `monitor run` around it, the monitor resource takes the lock."""
    out = tmp_path / "out"
    holder = _child(
        "import time; from pathlib import Path; from pipelines.lib.lock import output_lock\n"
        f"with output_lock(Path({str(out)!r}), 'monitor run', 'r-cli'):\n"
        "    print('held', flush=True); time.sleep(60)"
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    monkeypatch.setenv("MONITOR_LOCK_WAIT", "1")
    instance = prepare_instance(out / "dagster")
    scholen = next(a for a in source_assets if a.key == staged_key("scholen"))
    monitor = MonitorResource(inbox=str(tmp_path / "inbox"), out=str(out))
    result = dg.materialize([scholen], resources={"monitor": monitor}, instance=instance, raise_on_error=False)
    holder.kill()
    holder.wait()
    assert not result.success
    [sentence] = failure_sentences(instance, result.run_id)
    assert sentence.startswith(f"the output folder {out} is in use by monitor run (pid {holder.pid}, started"), sentence
