"""Every `monitor` subcommand the README documents, driven through the real `main()` entry point.

A signature change in one command (an option added to `run`, a renamed argument) breaks a test here, not the first
command a municipality types. Commands whose full run is proven elsewhere through `main()` too: `run` (test_at_source,
test_synthetic_pipeline), `key new` and `key rotate` (test_key_rotation), `audit` (test_audit, test_retention),
`run --partitioned` (test_partitions), `contracts check` (test_contracts).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

import polars as pl
import pytest

from dev.demo import main as demo_main
from pipelines.cli import main
from pipelines.definitions import build_definitions
from pipelines.lib.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    """`python -m dev.demo demo` as `make demo` runs it: no keys yet, a secrets folder outside the repository, a
    small scale."""
    root = tmp_path_factory.mktemp("demo")
    secrets = root / "config" / "demo"
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("MONITOR_PSEUDONYM_KEY", raising=False)
        mp.delenv("MONITOR_KEY_FILE", raising=False)
        mp.setenv("MONITOR_DEMO_SECRETS", str(secrets))
        mp.delenv("MONITOR_CONFIG", raising=False)
        status = demo_main(["demo", "--out", str(root / "data"), "--scale", "0.02", "--seed", "7"])
    return root / "data", secrets, status


def test_demo_plays_holders_ttp_and_a_keyless_analyst_and_publishes(demo: tuple[Path, Path, int]) -> None:
    data, secrets, status = demo
    assert status == 0, "the demo failed (the README's first command)"
    for key in (secrets / "holders" / "source.key", secrets / "ttp" / "ttp.key", secrets / "analyst" / "warehouse.key"):
        assert key.is_file() and key.stat().st_mode & 0o077 == 0, f"{key} is owner-only"
    assert {p.name for p in (secrets / "analyst").iterdir()} == {"warehouse.key"}, "the analyst has no pseudonym key"
    assert "two-step" in (data / "analyst" / "monitor.toml").read_text(encoding="utf-8")
    assert (data / "ttp-in" / "inschrijvingen.source.csv").is_file(), "the holders' files went to the TTP"
    assert (data / "receipts").is_dir() and not any((data / "inbox").iterdir()), (
        "the TTP's files and their receipts left the analyst's inbox after ingest, with a receipt"
    )
    publish = data / "publish"
    assert pl.read_parquet(publish / "indicatoren.parquet").height > 0
    assert (publish / "dashboard" / "index.html").is_file()
    manifest = json.loads((publish / "manifest.json").read_text(encoding="utf-8"))
    assert manifest, "the manifest lists the run"


def test_data_writes_a_synthetic_inbox(tmp_path: Path) -> None:
    assert demo_main(["data", "--out", str(tmp_path / "inbox"), "--scale", "0.01", "--seed", "3"]) == 0
    written = {p.name for p in (tmp_path / "inbox").iterdir()}
    assert {"inschrijvingen.csv", "bewoners.csv", "scholen.csv"} <= written


def test_run_refuses_a_missing_inbox_in_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--inbox", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists(), "nothing is written for a refused run"


def test_run_partitioned_options_reach_the_partitioned_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Argument handling of `run --partitioned --workers N`; its full run is test_partitions."""
    status = main(["run", "--partitioned", "--workers", "1", "--inbox", str(tmp_path / "none"), "--out", str(tmp_path)])
    assert status == 2 and "does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["run", "--partitioned", "--workers", "two"])


def test_contracts_docs_writes_the_data_dictionary(tmp_path: Path) -> None:
    assert main(["contracts", "docs", "--out", str(tmp_path / "dd")]) == 0
    assert (tmp_path / "dd" / "index.html").is_file()
    assert any(p.suffix == ".md" for p in (tmp_path / "dd").iterdir())


def test_contracts_check_validates_every_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["contracts", "check"]) == 0
    assert "valid" in capsys.readouterr().out


def test_key_new_writes_an_owner_only_key_file(tmp_path: Path) -> None:
    assert main(["key", "new", "--out", str(tmp_path / "k.key")]) == 0
    assert (tmp_path / "k.key").stat().st_mode & 0o077 == 0


def test_key_rotate_refuses_the_single_key_mode_and_a_missing_translation(
    demo: tuple[Path, Path, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Argument handling and the first checks of `key rotate`; the full rotation is test_key_rotation."""
    data, _, _ = demo
    args = ["key", "rotate", "--translation", str(tmp_path / "absent.csv"), "--new-ttp-fingerprint", "0" * 16]
    assert main([*args, "--out", str(data), "--config", str(PROJECT_ROOT / "monitor.toml")]) == 2
    assert "needs the two-step mode" in capsys.readouterr().err
    assert main([*args, "--out", str(data), "--config", str(data / "analyst" / "monitor.toml")]) == 2
    err = capsys.readouterr().err
    assert "absent.csv does not exist" in err and "Traceback" not in err


def test_audit_audits_the_demo_output(
    demo: tuple[Path, Path, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, secrets, _ = demo
    monkeypatch.setenv("MONITOR_WAREHOUSE_KEY_FILE", str(secrets / "analyst" / "warehouse.key"))
    assert main(["audit", "--out", str(data), "--report", str(tmp_path / "report")]) == 0
    assert (tmp_path / "report" / "audit" / "audit.html").is_file() or any(tmp_path.rglob("audit.html"))


def test_ui_help_and_the_command_it_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["ui", "--help"])
    assert exit_.value.code == 0 and "--port" in capsys.readouterr().out
    started: dict[str, object] = {}

    def execve(path: str, argv: list[str], env: dict[str, str]) -> None:  # the one call that would replace us
        started.update(path=path, argv=argv, env=env)

    monkeypatch.setattr(os, "execve", execve)
    monkeypatch.chdir(tmp_path)
    assert main(["ui", "--inbox", str(tmp_path / "inbox"), "--out", str(tmp_path / "out"), "--port", "3999"]) == 0
    argv = started["argv"]
    assert isinstance(argv, list) and argv[1:4] == ["dev", "-m", "pipelines.definitions"] and "3999" in argv
    env = started["env"]
    assert isinstance(env, dict) and env["DAGSTER_HOME"] == str((tmp_path / "out" / "dagster").resolve())
    assert (tmp_path / "out" / "dagster" / "dagster.yaml").is_file()
    assert Path.cwd() == PROJECT_ROOT


def test_the_readme_dagster_command_names_a_job_that_runs_without_a_partition() -> None:
    """The README's `dagster job execute -m ... -j monitor_job` resolves, and the job holds no partitioned asset
    (a plain `--select '*'` asked for a partition and failed: issue 14). Running it end to end was checked by hand
    (rc 0 on the hand-made inbox); the same job runs in every pipeline test through Dagster's API."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    commands = [shlex.split(line) for line in readme if line.startswith(".venv/bin/dagster ")]
    assert len(commands) == 1, "the README shows one Dagster command"
    command = commands[0]
    assert command[1:3] == ["job", "execute"]
    module, job_name = command[command.index("-m") + 1], command[command.index("-j") + 1]
    printed = subprocess.run(
        [str(PROJECT_ROOT / ".venv" / "bin" / "dagster"), "job", "print", "-m", module, "-j", job_name],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert printed.returncode == 0, printed.stderr[-2000:]
    assert "publication" in printed.stdout
    job = build_definitions().resolve_job_def(job_name)
    graph = job.asset_layer.asset_graph
    assert not [k for k in job.asset_layer.executable_asset_keys if graph.get(k).is_partitioned]
