"""Shared test fixtures: test keys in the environment, and running the real pipeline with Dagster."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from hypothesis import settings

from pipelines.definitions import pipeline_assets, pipeline_checks
from pipelines.lib.resources import MonitorResource
from pipelines.lib.sealing import KEY_FILE_VARIABLE
from pipelines.lib.settings import CONFIG_VARIABLE, DEFAULT_CONFIG, MonitorConfig
from pipelines.runner import prepare_instance
from pseudonymisation.retention import TODAY_VARIABLE
from tests.reference_material import SHARED, missing_reference

# A test key (32 full-entropy bytes: the key loader refuses patterns), never used outside the tests.
TEST_KEY_HEX = "2c6f408ffe1f10256b0a8e6049b4b8b5b452813f0238a60c0ab5c31f3b2b6955"
# The "today" pipeline runs in tests measure retention from (MONITOR_TODAY): fixtures have fixed dates (the oldest
# a synthetic address period that ended in January 1999), and a test's indicators may not change as the calendar
# moves on. P5Y back from here (1994-01-01) lies before every fixture date, so ingest leaves nothing out as past
# retention and the pipeline can be held against the independent implementation, which knows no retention
# (tests/test_synthetic_pipeline.py checks that nothing was left out). The retention tests use their own dates.
TEST_TODAY = "1999-01-01"

# Tests check correctness only (performance is `make bench`'s): no per-example deadline, which a loaded CI machine
# turned into flaky failures (a 3 ms example taking 320 ms once).
settings.register_profile("correctness", deadline=None)
settings.load_profile("correctness")


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


TEST_WAREHOUSE_KEY_HEX = bytes(range(7, 39)).hex()  # the tests' warehouse data key


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


def _test_config_file() -> Path:
    """monitor.toml with the k-anonymity limits of the audit lifted, for the tests' audits.

    Every fixture is small (a dozen hand-made persons, or a synthetic town at a few percent of Almere), so on its
    birth cohort and wijk nearly everyone is unique and every audit would fail on that. Tests of the other findings
    audit under this configuration; tests/test_k_anonymity.py holds the audit to the real limits."""
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    lifted = text.replace("\nmax_share_unique = ", "\nmax_share_unique = 1.0 # ").replace(
        "\nmax_share_below_k = ", "\nmax_share_below_k = 1.0 # "
    )
    assert lifted.count("= 1.0 # ") == 2, "monitor.toml [privacy] changed: adapt the tests' configuration"
    path = WAREHOUSE_KEY_FILE.parent / "monitor.toml"
    path.write_text(lifted, encoding="utf-8")
    return path


TEST_CONFIG_FILE = _test_config_file()
# For the whole session, so that module- and session-scoped fixtures that read a warehouse have the key too.
os.environ[KEY_FILE_VARIABLE] = str(WAREHOUSE_KEY_FILE)


def pseudonym_of(identifier_type: str, value: str) -> str:
    """What the single-key test runs store for `value`: to name an expected row without its raw number."""
    from pseudonymisation.config import load_hashing_config
    from pseudonymisation.key import PseudonymKey
    from pseudonymisation.pseudonymiser import Pseudonymiser

    hashing = load_hashing_config().for_gemeente(MonitorConfig.load().gemeente_code)
    key = PseudonymKey(bytes.fromhex(TEST_KEY_HEX), "test", hashing.fingerprint.label, hashing.fingerprint.length)
    return Pseudonymiser(hashing, key).pseudonymise(identifier_type, value)


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("MONITOR_PSEUDONYM_KEY", TEST_KEY_HEX)
    monkeypatch.delenv("MONITOR_KEY_FILE", raising=False)
    monkeypatch.setenv(KEY_FILE_VARIABLE, str(WAREHOUSE_KEY_FILE))
    monkeypatch.setenv(TODAY_VARIABLE, TEST_TODAY)
    monkeypatch.setenv(CONFIG_VARIABLE, str(TEST_CONFIG_FILE))
    yield TEST_KEY_HEX


def deliver(exports: Path, out: Path) -> Path:
    """A fresh copy of `exports` (the holders' own files) as the run's inbox: a successful ingest empties its inbox,
    and most tests compare outputs with the exports afterwards. Links are copied as links."""
    delivery = out.parent / f"{out.name}-delivery"
    shutil.rmtree(delivery, ignore_errors=True)
    shutil.copytree(exports, delivery, symlinks=True)
    return delivery


def materialize_all(
    inbox: Path,
    out: Path,
    raise_on_error: bool = True,
    chart_exports: bool = False,
    holder_copy: bool = True,
    config: Path | None = None,
    today: str = TEST_TODAY,
) -> dg.ExecuteInProcessResult:
    """Materialise every asset and run every check with Dagster's own API, history kept under out/dagster.

    With `holder_copy` the run reads a delivered copy of `inbox` (`deliver`), so `inbox` keeps the exports.
    Runs under the test key itself (module- and session-scoped fixtures start before the autouse key fixture),
    unless `config` (a monitor.toml) is in the two-step mode: then no pseudonymisation key is in the environment.
    Retention is measured from `today`."""
    if holder_copy:
        inbox = deliver(inbox, out)
    instance = prepare_instance(out / "dagster")
    settings = {} if config is None else {"config_file": str(config)}
    keyless = config is not None and MonitorConfig.load(config).pseudonymisation.keyless
    with pytest.MonkeyPatch.context() as mp:
        if keyless:
            mp.delenv("MONITOR_PSEUDONYM_KEY", raising=False)
            mp.delenv("MONITOR_KEY_FILE", raising=False)
        else:
            mp.setenv("MONITOR_PSEUDONYM_KEY", TEST_KEY_HEX)
        mp.setenv(KEY_FILE_VARIABLE, str(WAREHOUSE_KEY_FILE))
        mp.setenv(TODAY_VARIABLE, today)
        monitor = MonitorResource(inbox=str(inbox), out=str(out), chart_exports=chart_exports, **settings)
        return dg.materialize(
            [*pipeline_assets(), *pipeline_checks()],
            resources={"monitor": monitor},
            instance=instance,
            raise_on_error=raise_on_error,
        )


@pytest.fixture(scope="session")
def small_synthetic_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dg.ExecuteInProcessResult]:
    """One small synthetic run (scale 0.05, seed 11) shared by every test that only reads its outputs."""
    from dev.synthetic import generate

    root = tmp_path_factory.mktemp("small_synthetic")
    generate(root / "inbox", scale=0.05, seed=11)
    result = materialize_all(root / "inbox", root / "out", chart_exports=True)
    assert result.success
    return root, result


CLEAN_SCALE = 0.03  # ~1,300 pupils and ~1,100 trajectories a year: every youth-care indicator has non-zero cells


def clean_synthetic_run(root: Path, youth_care_form: str) -> dg.ExecuteInProcessResult:
    """A synthetic inbox without defects (seed 11) in one youth-care form, run through the whole pipeline."""
    from dev.synthetic import generate

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
