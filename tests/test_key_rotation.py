"""Key rotation: everything is re-pseudonymised with the new key, no old pseudonym survives, figures stay."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import polars as pl
import pytest

from pipelines.cli import main as monitor_main
from pipelines.lib.sealing import read_sealed
from tests.conftest import TEST_KEY_HEX, deliver
from tests.handmade_inbox import write_handmade_inbox


def person_ids(out: Path) -> set[str]:
    staged = out / "warehouse" / "staged"
    return {v for s in ("inschrijvingen", "bewoners") for v in read_sealed(staged / f"{s}.parquet")["person_id"]}


@pytest.fixture(scope="module")
def rotated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str], pl.DataFrame, str]:
    tmp_path = tmp_path_factory.mktemp("rotation")
    mp = pytest.MonkeyPatch()
    mp.setenv("MONITOR_PSEUDONYM_KEY", TEST_KEY_HEX)
    try:
        return rotate_once(tmp_path)
    finally:
        mp.undo()


def rotate_once(tmp_path: Path) -> tuple[Path, set[str], pl.DataFrame, str]:
    """A run, then a rotation. The run empties its inbox: the holders deliver their raw exports again for the
    rotation, which re-reads them (until rotation translates pseudonyms at the TTP, issue 15a)."""
    write_handmade_inbox(tmp_path / "inbox")
    out = tmp_path / "out"
    assert monitor_main(["run", "--inbox", str(deliver(tmp_path / "inbox", out)), "--out", str(out)]) == 0
    before_ids = person_ids(out)
    before = pl.read_parquet(out / "publish" / "indicatoren.parquet")
    keys = tmp_path / "keys"
    keys.mkdir()
    assert monitor_main(["key", "new", "--out", str(keys / "new.key")]) == 0
    rotate = [
        "key",
        "rotate",
        "--new-key-file",
        str(keys / "new.key"),
        "--inbox",
        str(deliver(tmp_path / "inbox", out)),
    ]
    printed = io.StringIO()
    with redirect_stdout(printed):
        assert monitor_main([*rotate, "--out", str(out)]) == 0
    return out, before_ids, before, printed.getvalue()


def test_rotation_replaces_every_pseudonym_and_keeps_the_published_figures(
    rotated: tuple[Path, set[str], pl.DataFrame, str],
) -> None:
    out, before_ids, before, _ = rotated
    after_ids = person_ids(out)
    assert len(after_ids) == len(before_ids)
    assert not after_ids & before_ids, "no pseudonym made with the old key survives in the warehouse"
    assert pl.read_parquet(out / "publish" / "indicatoren.parquet").equals(before), "the figures do not change"
    assert not list(out.glob(".rotation*")) and not list(out.glob(".retired-*")), "the old warehouse is deleted"


def test_rotation_is_logged_with_fingerprints_and_the_run_history_goes_on(
    rotated: tuple[Path, set[str], pl.DataFrame, str],
) -> None:
    out, _, _, printed = rotated
    log = json.loads((out / "key-rotations.json").read_text(encoding="utf-8"))
    manifest = json.loads((out / "publish" / "manifest.json").read_text(encoding="utf-8"))
    assert len(log) == 1 and log[0]["new_key_fingerprint"] == manifest["pseudonymisation"]["key_fingerprint"]
    assert log[0]["old_key_fingerprint"] != log[0]["new_key_fingerprint"]
    assert f"→ {log[0]['new_key_fingerprint']}" in printed
    assert len(list((out / "runs").glob("manifest-*.json"))) == 2, "both runs stay in the history"


def test_rotating_to_the_key_in_use_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_handmade_inbox(tmp_path / "inbox")
    out = tmp_path / "out"
    assert monitor_main(["run", "--inbox", str(tmp_path / "inbox"), "--out", str(out)]) == 0
    same = tmp_path / "same.key"
    same.write_text(TEST_KEY_HEX, encoding="utf-8")
    same.chmod(0o600)
    capsys.readouterr()
    args = ["key", "rotate", "--new-key-file", str(same), "--inbox", str(tmp_path / "inbox"), "--out", str(out)]
    assert monitor_main(args) == 2
    assert "has the fingerprint of the key in use" in capsys.readouterr().err
