"""Shared test fixtures: test keys in the environment, and running the real pipeline with Dagster."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from pipelines.definitions import ASSETS, CHECKS
from pipelines.lib.resources import MonitorResource
from pipelines.lib.sealing import KEY_FILE_VARIABLE
from pipelines.runner import prepare_instance

TEST_KEY_HEX = "5a" * 16 + "c3" * 16  # a test key, never used outside the tests
TEST_WAREHOUSE_KEY_HEX = bytes(range(7, 39)).hex()  # the tests' warehouse data key
SHARED = Path(__file__).resolve().parents[2] / "shared"


def _test_warehouse_key_file() -> Path:
    """The test warehouse data key, owner-only, outside the repository; one file per test process, since this
    module is imported twice (as conftest and as tests.conftest) and both must name the same key."""
    folder = Path(tempfile.gettempdir()) / f"jeugdmonitor-test-keys-{os.getpid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / "warehouse.key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path
    with os.fdopen(fd, "w") as handle:
        handle.write(TEST_WAREHOUSE_KEY_HEX + "\n")
    return path


WAREHOUSE_KEY_FILE = _test_warehouse_key_file()
# For the whole session, so that module- and session-scoped fixtures that read a warehouse have the key too.
os.environ[KEY_FILE_VARIABLE] = str(WAREHOUSE_KEY_FILE)


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("MONITOR_PSEUDONYM_KEY", TEST_KEY_HEX)
    monkeypatch.delenv("MONITOR_KEY_FILE", raising=False)
    monkeypatch.setenv(KEY_FILE_VARIABLE, str(WAREHOUSE_KEY_FILE))
    yield TEST_KEY_HEX


def deliver(exports: Path, out: Path) -> Path:
    """A fresh copy of `exports` (the holders' own files) as the run's inbox: a successful ingest empties its inbox,
    and most tests compare outputs with the exports afterwards. Links are copied as links."""
    delivery = out.parent / f"{out.name}-delivery"
    shutil.rmtree(delivery, ignore_errors=True)
    shutil.copytree(exports, delivery, symlinks=True)
    return delivery


def materialize_all(
    inbox: Path, out: Path, raise_on_error: bool = True, holder_copy: bool = True
) -> dg.ExecuteInProcessResult:
    """Materialise every asset and run every check with Dagster's own API, history kept under out/dagster.

    With `holder_copy` the run reads a delivered copy of `inbox` (`deliver`), so `inbox` keeps the exports.
    Runs under the test key itself: module- and session-scoped fixtures start before the autouse key fixture."""
    if holder_copy:
        inbox = deliver(inbox, out)
    instance = prepare_instance(out / "dagster")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MONITOR_PSEUDONYM_KEY", TEST_KEY_HEX)
        mp.setenv(KEY_FILE_VARIABLE, str(WAREHOUSE_KEY_FILE))
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
