"""Shared test fixtures: a test key in the environment, and running the real pipeline with Dagster."""

from __future__ import annotations

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
    """No silent skips: without the shared reference material the suite refuses to start, in one sentence."""
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


def materialize_all(inbox: Path, out: Path, raise_on_error: bool = True) -> dg.ExecuteInProcessResult:
    """Materialise every asset and run every check with Dagster's own API, history kept under out/dagster.

    Runs under the test key itself: module- and session-scoped fixtures start before the autouse key fixture."""
    instance = prepare_instance(out / "dagster")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MONITOR_PSEUDONYM_KEY", TEST_KEY_HEX)
        return dg.materialize(
            [*ASSETS, *CHECKS],
            resources={"monitor": MonitorResource(inbox=str(inbox), out=str(out))},
            instance=instance,
            raise_on_error=raise_on_error,
        )


@pytest.fixture(scope="session")
def small_synthetic_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dg.ExecuteInProcessResult]:
    """One small synthetic run (scale 0.05, seed 11) shared by every test that only reads its outputs."""
    from pipelines.synthetic import generate

    root = tmp_path_factory.mktemp("small_synthetic")
    generate(root / "inbox", scale=0.05, seed=11)
    result = materialize_all(root / "inbox", root / "out")
    assert result.success
    return root, result
