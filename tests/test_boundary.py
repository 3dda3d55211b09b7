"""The intake kit stands alone: `pseudonymisation` depends on no part of the monitor, and ships as its own wheel.

A data holder or the trusted third party installs only `jeugdmonitor-pseudonymisation`. Importing it (every
module) and running its two commands must load no Dagster, DuckDB, Great Expectations, Altair, SciPy or monitor
package (`pipelines`, `dashboards`); every import in its source must be the standard library, itself, or a
dependency its own pyproject declares. The built wheel, installed into a clean virtual environment, carries the
contracts as package data and pseudonymises a sample export exactly as the monitor's own checkout does.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from pseudonymisation.at_source import main as pseudonymise_main
from pseudonymisation.config import load_hashing_config
from pseudonymisation.key import load_key_file, new_key_file
from tests.handmade_inbox import write_handmade_inbox

ROOT = Path(__file__).resolve().parents[1]
KIT = ROOT / "pseudonymisation"
FORBIDDEN = ("dagster", "duckdb", "great_expectations", "altair", "scipy", "pipelines", "dashboards", "tests")
# Import names of the kit's declared dependencies that differ from their distribution names.
IMPORT_NAMES = {"pyyaml": "yaml"}


def declared_imports() -> set[str]:
    """The import names of the dependencies `pseudonymisation/pyproject.toml` declares."""
    project = tomllib.loads((KIT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {dep.split("==")[0].split(">=")[0].split("<")[0].strip().lower() for dep in project["dependencies"]}
    return {IMPORT_NAMES.get(name, name.replace("-", "_")) for name in names}


def imported_tops(path: Path) -> set[str]:
    """Top-level names of every absolute import in one source file, lazy imports inside functions included."""
    tops: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            tops |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            tops.add(node.module.split(".")[0])
    return tops


def test_every_import_of_the_kit_is_the_standard_library_itself_or_a_declared_dependency() -> None:
    allowed = set(sys.stdlib_module_names) | {"pseudonymisation", "__future__"} | declared_imports()
    strays = {
        f"{path.name}: {name}"
        for path in sorted(KIT.glob("*.py"))
        for name in imported_tops(path)
        if name not in allowed
    }
    assert not strays, f"the kit imports what it does not declare: {sorted(strays)}"
    assert not declared_imports() & set(FORBIDDEN)


def test_importing_the_kit_and_running_its_commands_loads_no_monitor_dagster_or_duckdb_module() -> None:
    probe = """
import importlib, pkgutil, sys
import pseudonymisation
for info in pkgutil.iter_modules(pseudonymisation.__path__):
    importlib.import_module(f"pseudonymisation.{info.name}")
from pseudonymisation.at_source import main as holder
from pseudonymisation.ttp import main as ttp
for command in (holder, lambda argv: ttp(["translate", *argv])):
    try:
        command(["--help"])
    except SystemExit:
        pass
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT, timeout=120
    )
    loaded = set(done.stdout.split())
    assert "pseudonymisation" in loaded and "polars" in loaded
    assert not loaded & set(FORBIDDEN), sorted(loaded & set(FORBIDDEN))


def _uv() -> Path:
    uv = ROOT / ".tools" / "bin" / "uv"
    if not uv.exists():
        pytest.fail("uv is not installed in .tools/ (run `make setup`)")
    return uv


@pytest.mark.slow
def test_the_built_wheel_installs_alone_and_pseudonymises_a_sample_export_like_the_checkout(tmp_path: Path) -> None:
    uv = _uv()
    env = {**os.environ, "UV_NO_PROGRESS": "1"}
    env.pop("VIRTUAL_ENV", None)
    subprocess.run([uv, "build", "--wheel", "-o", tmp_path / "dist", KIT], check=True, capture_output=True, env=env)
    wheel = next((tmp_path / "dist").glob("jeugdmonitor_pseudonymisation-*.whl"))
    venv = tmp_path / "kit"
    subprocess.run([uv, "venv", "--python", sys.executable, venv], check=True, capture_output=True, env=env)
    subprocess.run([uv, "pip", "install", "--python", venv / "bin" / "python", wheel], check=True, env=env)
    freeze = subprocess.run([uv, "pip", "freeze", "--python", venv / "bin" / "python"], capture_output=True, text=True)
    names = {line.split("==")[0].split(" @ ")[0].strip().lower() for line in freeze.stdout.splitlines()}
    assert "jeugdmonitor-pseudonymisation" in names
    assert not {n for n in names if n.startswith(("dagster", "duckdb", "great-expectations", "altair", "scipy"))}
    assert "jeugdmonitor" not in names

    raw = tmp_path / "raw"
    write_handmade_inbox(raw)
    key = tmp_path / "secrets" / "source.key"
    new_key_file(key)
    argv = [str(raw / "inschrijvingen.csv"), "--key", str(key), "--gemeente", "GM0034"]
    ran = subprocess.run(
        [venv / "bin" / "pseudonymise", *argv, "--out", str(tmp_path / "kit-out")],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the repository: the installed kit must find its contracts itself
        env=env,
    )
    assert ran.returncode == 0, ran.stderr
    assert pseudonymise_main([*argv, "--out", str(tmp_path / "checkout-out")]) == 0

    kit_rows = (tmp_path / "kit-out" / "inschrijvingen.source.csv").read_bytes()
    assert kit_rows == (tmp_path / "checkout-out" / "inschrijvingen.source.csv").read_bytes()
    receipt = json.loads((tmp_path / "kit-out" / "inschrijvingen.source.receipt.json").read_text(encoding="utf-8"))
    fingerprint = load_key_file(key, key.stem, load_hashing_config()).fingerprint
    assert receipt["rows_accepted"] > 0 and receipt["source_key"]["fingerprint"] == fingerprint
