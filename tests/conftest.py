"""Shared test fixtures: a test key in the environment, and running the real pipeline with Dagster."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from pipelines.definitions import ASSETS, CHECKS
from pipelines.lib.resources import MonitorResource
from pipelines.runner import prepare_instance
from tests.reference_material import SHARED, missing_reference

TEST_KEY_HEX = "5a" * 16 + "c3" * 16  # a test key, never used outside the tests


def pytest_sessionstart(session: pytest.Session) -> None:
    """No silent skips: without the shared reference material the suite refuses to start, in one sentence.

    Pipeline runs in tests skip the PNG/SVG chart exports (≈ 10 s a run) unless they ask for them: the session's
    small synthetic run does, and the dashboard test checks them there."""
    os.environ["MONITOR_CHART_EXPORTS"] = "0"
    if missing := missing_reference():
        raise pytest.UsageError(
            f"the reference material is missing ({', '.join(str(p) for p in missing)}): "
            f"put the shared folder beside the checkout as {SHARED} (see README, 'Tests')."
        )


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("MONITOR_PSEUDONYM_KEY", TEST_KEY_HEX)
    monkeypatch.delenv("MONITOR_KEY_FILE", raising=False)
    yield TEST_KEY_HEX


def materialize_all(
    inbox: Path, out: Path, raise_on_error: bool = True, chart_exports: bool = False
) -> dg.ExecuteInProcessResult:
    """Materialise every asset and run every check with Dagster's own API, history kept under out/dagster.

    Runs under the test key itself: module- and session-scoped fixtures start before the autouse key fixture."""
    instance = prepare_instance(out / "dagster")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MONITOR_PSEUDONYM_KEY", TEST_KEY_HEX)
        return dg.materialize(
            [*ASSETS, *CHECKS],
            resources={"monitor": MonitorResource(inbox=str(inbox), out=str(out), chart_exports=chart_exports)},
            instance=instance,
            raise_on_error=raise_on_error,
        )


@pytest.fixture(scope="session")
def small_synthetic_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dg.ExecuteInProcessResult]:
    """One small synthetic run (scale 0.05, seed 11) shared by every test that only reads its outputs."""
    from pipelines.synthetic import generate

    root = tmp_path_factory.mktemp("small_synthetic")
    generate(root / "inbox", scale=0.05, seed=11)
    result = materialize_all(root / "inbox", root / "out", chart_exports=True)
    assert result.success
    return root, result


CLEAN_SCALE = 0.03  # ~1,300 pupils and ~1,100 trajectories a year: every youth-care indicator has non-zero cells


def clean_synthetic_run(root: Path, youth_care_form: str) -> dg.ExecuteInProcessResult:
    """A synthetic inbox without defects (seed 11) in one youth-care form, run through the whole pipeline."""
    from pipelines.synthetic import generate

    generate(root / "inbox", scale=CLEAN_SCALE, seed=11, youth_care_form=youth_care_form, defects=False)  # type: ignore[arg-type]
    result = materialize_all(root / "inbox", root / "out")
    assert result.success
    return result


@pytest.fixture(scope="session")
def clean_csv_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dg.ExecuteInProcessResult]:
    """The defect-free synthetic inbox with youth care as flat CSV: shared by the test that compares the two
    youth-care forms and the test that compares the pipeline with the plain DuckDB reference."""
    root = tmp_path_factory.mktemp("clean_csv")
    return root, clean_synthetic_run(root, "csv")
