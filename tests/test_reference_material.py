"""The suite needs the shared reference material and says so in one sentence when it is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.reference_material import missing_reference

ROOT = Path(__file__).resolve().parents[1]


def test_the_reference_material_is_there() -> None:
    assert missing_reference() == []


def test_without_the_reference_material_the_suite_refuses_to_start(tmp_path: Path) -> None:
    env = dict(os.environ, MONITOR_SHARED=str(tmp_path / "nowhere"))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_reference_material.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 4, done.stdout + done.stderr  # pytest's usage error: nothing ran, nothing skipped
    output = (done.stdout + done.stderr).strip().splitlines()
    assert any("the reference material is missing" in line and "nowhere" in line for line in output)
    assert "passed" not in done.stdout and "skipped" not in done.stdout
