"""The four-eyes release (issue 17): with `[publish] four_eyes = true` a run prepares its publication and a
second person shows it; the person who prepared it cannot, and a version checked against another
publication than the one shown now cannot be shown at all."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.publish.publication import build_version, publication_state, publish_atomically
from pipelines.publish.release import OPERATOR_VARIABLE, ReleaseRefused, hold_for_release, release, waiting_versions
from tests.conftest import TEST_CONFIG_FILE, materialize_all
from tests.handmade_inbox import write_handmade_inbox


def _manifest(run_id: str) -> Callable[[Path], None]:
    """Builds a complete, tiny version: a manifest only."""

    def build(folder: Path) -> None:
        (folder / "manifest.json").write_text(json.dumps({"run_id": run_id}), encoding="utf-8")

    return build


def _version(target: Path, run_id: str) -> Path:
    """A version built and not shown."""
    return build_version(target, _manifest(run_id))


@pytest.fixture
def shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A publication folder showing run-1's version, operated by "A"."""
    target = tmp_path / "publish"
    monkeypatch.setenv(OPERATOR_VARIABLE, "A")
    publish_atomically(target, _manifest("run-1"))
    return target


def test_a_real_run_prepares_and_a_second_person_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "monitor.toml"
    text = TEST_CONFIG_FILE.read_text(encoding="utf-8")
    assert "four_eyes = false" in text
    config.write_text(text.replace("four_eyes = false", "four_eyes = true"), encoding="utf-8")
    monkeypatch.setenv(OPERATOR_VARIABLE, "Analist A")
    write_handmade_inbox(tmp_path / "inbox")
    out = tmp_path / "out"
    assert materialize_all(tmp_path / "inbox", out, config=config).success
    publish = out / "publish"
    assert not publish.exists(), "nothing is shown before the release"
    [waiting] = waiting_versions(publish)
    assert waiting.prepared_by == "Analist A" and waiting.replaces is None
    assert (waiting.version / "indicatoren.parquet").is_file()

    assert main(["release", "--out", str(out), "--by", "analist a"]) == 2
    assert "a second person must release it" in capsys.readouterr().err
    assert not publish.exists()

    assert main(["release", "--out", str(out), "--by", "Privacy Officer B"]) == 0
    assert (publish / "indicatoren.parquet").is_file() and not waiting_versions(publish)
    [record] = (out / "runs").glob("release-*.json")
    facts = json.loads(record.read_text(encoding="utf-8"))
    assert (facts["prepared_by"], facts["released_by"]) == ("Analist A", "Privacy Officer B")
    manifest = json.loads((out / "runs" / f"manifest-{facts['run_id']}.json").read_text(encoding="utf-8"))
    assert manifest["published"] is True


def test_a_version_checked_against_another_publication_is_refused(shown: Path, tmp_path: Path) -> None:
    target = shown
    first = publication_state(target)
    waiting = hold_for_release(target, _version(target, "next"), "run-2", first)
    publish_atomically(target, _manifest("run-other"))
    now = publication_state(target)
    with pytest.raises(ReleaseRefused, match="not the one"):
        release(target, tmp_path, "B")
    assert publication_state(target) == now and waiting.version.is_dir()


def test_only_the_newest_waiting_version_is_shown_and_older_ones_are_superseded(shown: Path, tmp_path: Path) -> None:
    target = shown
    state = publication_state(target)
    older = hold_for_release(target, _version(target, "2"), "run-2", state)
    newer = hold_for_release(target, _version(target, "3"), "run-3", state)
    record = release(target, tmp_path, "B")
    assert record["superseded"] == [older.version.name]
    assert target.resolve() == newer.version.resolve() and not older.version.exists()
    previous = [p for p in target.with_name("publish.versions").iterdir() if not p.name.startswith(".")]
    assert len(previous) == 2, "the publication shown before the release is kept as the previous one"
    with pytest.raises(ReleaseRefused, match="no publication is waiting"):
        release(target, tmp_path, "B")
