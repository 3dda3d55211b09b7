"""The iJw reader gives the same result with worker processes as in one process, message for message.

Reading, parsing and XSD validation run in worker processes; the order in which messages update each other is
decided afterwards in the reading process (pseudonymisation/ijw.py, "Parallel reading"). Nothing about the output
may depend on that: the same rows, the same rejections with the same reasons, the same counts and consistency
facts. The input mixes a synthetic delivery (many messages that update one another: JW301 changes, JW305/JW307,
JW315 referrals, JW323 credits) with the real example messages of the shared reference set (iJw 3.2 and 3.0) and
invalid messages built from them: not well-formed, failing the XSD, with a DOCTYPE, and a file that is no message.
The thresholds are lowered so that the small input still crosses several windows and tasks.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from dev.synthetic import generate
from pseudonymisation import ijw
from pseudonymisation.ijw import IjwResult, read_ijw
from tests.reference_material import IJW_REFERENCE


@pytest.fixture(scope="module")
def mixed_delivery(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ijw-parallel")
    generate(root / "generated", scale=0.01, seed=5, youth_care_form="ijw")
    folder = root / "ijw"
    shutil.copytree(root / "generated" / "ijw", folder)
    shutil.copytree(IJW_REFERENCE / "examples-3.2", folder / "examples-3.2")
    shutil.copytree(IJW_REFERENCE / "examples-3.0", folder / "examples-3.0")
    jw301 = (IJW_REFERENCE / "examples-3.2" / "JW301.xml").read_text(encoding="utf-8")
    invalid = folder / "invalid"
    invalid.mkdir()
    (invalid / "truncated.xml").write_text(jw301[: len(jw301) // 2], encoding="utf-8")
    (invalid / "bad-date.xml").write_text(jw301.replace("<ijw:Dagtekening>", "<ijw:Dagtekening>x", 1), "utf-8")
    (invalid / "doctype.xml").write_text(jw301.replace("?>", '?><!DOCTYPE x [<!ENTITY e "e">]>', 1), "utf-8")
    (invalid / "notes.txt").write_text("geen bericht\n", encoding="utf-8")
    with zipfile.ZipFile(folder / "archive.zip", "w") as archive:
        for name in ("JW305.xml", "JW307.xml", "JW323.xml"):
            archive.write(IJW_REFERENCE / "examples-3.2" / name, f"2026/{name}")
    return folder


def test_worker_processes_change_nothing(mixed_delivery: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alone = read_ijw(mixed_delivery, workers=1)
    pools: list[object] = []
    make_pool = ijw._pool

    def recorded(workers: int, messages: int) -> object:
        pool = make_pool(workers, messages)
        pools.append(pool)
        return pool

    monkeypatch.setattr(ijw, "_pool", recorded)
    monkeypatch.setattr(ijw, "PARALLEL_MIN_MESSAGES", 1)
    monkeypatch.setattr(ijw, "WINDOW_MESSAGES", 50)
    monkeypatch.setattr(ijw, "TASK_MESSAGES", 7)
    parallel = read_ijw(mixed_delivery, workers=2)

    assert pools and all(p is not None for p in pools), "the worker processes really ran"
    assert sum(alone.messages_read.values()) > 3 * 50, "several windows of messages"
    assert len(alone.rejected) >= 4 and alone.ignored, "invalid messages and non-messages are in the input"
    assert alone.declaraties and alone.toewijzingen and alone.declaration_lines
    for field in IjwResult.__dataclass_fields__:
        assert getattr(parallel, field) == getattr(alone, field), field


def test_small_inputs_are_read_in_this_process(mixed_delivery: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Starting workers costs ≈ 0.3 s each: below PARALLEL_MIN_MESSAGES messages no pool is started."""
    pools: list[object] = []
    make_pool = ijw._pool
    monkeypatch.setattr(ijw, "_pool", lambda workers, messages: pools.append(make_pool(workers, messages)))
    read_ijw(IJW_REFERENCE / "examples-3.2", workers=2)
    assert pools == [None]
