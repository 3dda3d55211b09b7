"""A run whose inputs did not change does nothing, and says so (pipelines/lib/run_inputs.py).

Month 1: `monitor run` on the hand-made exports publishes and empties the inbox (receipts). A second `monitor
run` on the emptied inbox finds no new delivery, the same code, configuration, staged data, processing day and
publication as the manifest of the first run, and stops before Dagster starts: exit status 0, a sentence that
names the earlier run, and not one file of the output folder written (names, contents and modification times
compared), no Dagster run added. Each thing the result depends on, changed, makes the next run a full one.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.lib.run_inputs import MANIFEST, unchanged_since
from pipelines.lib.settings import CONFIG_VARIABLE, configured_path
from pseudonymisation.retention import TODAY_VARIABLE
from tests.conftest import TEST_CONFIG_FILE, TEST_KEY_HEX, TEST_TODAY, deliver
from tests.handmade_inbox import write_handmade_inbox


def _tree(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file below `folder`: its SHA-256 and modification time (ns); links as their target."""
    found: dict[str, tuple[str, int]] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[name] = (os.readlink(path), 0)
        elif path.is_file():
            found[name] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    return found


@pytest.fixture(scope="module")
def first_month(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("incremental")
    write_handmade_inbox(root / "exports")
    inbox, out = deliver(root / "exports", root / "out"), root / "out"
    with pytest.MonkeyPatch.context() as mp:  # module scope: the autouse fixture's environment is not there yet
        mp.setenv("MONITOR_PSEUDONYM_KEY", TEST_KEY_HEX)
        mp.setenv(TODAY_VARIABLE, TEST_TODAY)
        mp.setenv(CONFIG_VARIABLE, str(TEST_CONFIG_FILE))
        assert main(["run", "--inbox", str(inbox), "--out", str(out)]) == 0
    return inbox, out


def test_a_second_run_without_a_new_delivery_changes_nothing(
    first_month: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    inbox, out = first_month
    assert not [p for p in inbox.rglob("*") if p.is_file()], "the first run emptied the inbox"
    assert (out / "dagster" / MANIFEST).is_file()
    before = _tree(out)
    capsys.readouterr()

    assert main(["run", "--inbox", str(inbox), "--out", str(out)]) == 0

    assert "Nothing to do" in capsys.readouterr().err
    assert _tree(out) == before


def test_any_change_to_what_the_result_depends_on_makes_a_full_run(
    first_month: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, out = first_month
    config = configured_path()
    assert config == TEST_CONFIG_FILE
    assert unchanged_since(inbox, out, config) is not None

    other_config = tmp_path / "monitor.toml"
    other_config.write_text(config.read_text(encoding="utf-8") + "\n# another line\n", encoding="utf-8")
    assert unchanged_since(inbox, out, other_config) is None, "another configuration"

    monkeypatch.setenv(TODAY_VARIABLE, "1999-01-02")
    assert unchanged_since(inbox, out, config) is None, "another processing day (retention counts from it)"
    monkeypatch.setenv(TODAY_VARIABLE, TEST_TODAY)
    assert unchanged_since(inbox, out, config) is not None

    monkeypatch.setenv("MONITOR_CHART_EXPORTS", "1")
    assert unchanged_since(inbox, out, config) is None, "chart exports asked for"
    monkeypatch.setenv("MONITOR_CHART_EXPORTS", "0")

    (inbox / "inschrijvingen.csv").write_text("a new delivery\n", encoding="utf-8")
    try:
        assert unchanged_since(inbox, out, config) is None, "a new delivery"
    finally:
        (inbox / "inschrijvingen.csv").unlink()

    staged = next((out / "warehouse" / "staged").glob("*.parquet"))
    os.utime(staged, ns=(staged.stat().st_atime_ns, staged.stat().st_mtime_ns + 1))
    assert unchanged_since(inbox, out, config) is None, "staged data written since"
