"""Scale-out: the partitioned path (per gemeente and school year) publishes what the ordinary run publishes."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.audit.known_identifiers import scan_for_identifiers
from pipelines.cli import main as monitor_main
from pipelines.definitions import build_definitions
from pipelines.defs.partitions import partition_sql_files
from pipelines.lib.keys import ALL_SOURCES
from pipelines.lib.partitions import compute_partition, partition_folder, school_years_in
from pipelines.lib.sealing import WarehouseUnsealer
from pipelines.lib.settings import DEFAULT_CONFIG, MonitorConfig, Paths
from pseudonymisation.retention import TODAY_VARIABLE
from tests.conftest import TEST_KEY_HEX, TEST_TODAY, deliver
from tests.test_synthetic_pipeline import raw_identifiers

pytestmark = pytest.mark.slow

PUBLISHED = ["indicatoren.parquet", "koppelingskwaliteit.parquet", "trends.parquet", "doelen.parquet"]


def _sorted(path: Path) -> pl.DataFrame:
    frame = pl.read_parquet(path)
    return frame.sort(frame.columns, nulls_last=True)


@pytest.fixture(scope="module")
def regional_run(
    small_synthetic_run: tuple[Path, dg.ExecuteInProcessResult], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, list[str]]:
    """The small synthetic inbox run partitioned through `monitor run --partitioned`, for Almere and a second
    gemeente of the region, 2 at a time; each partition's step in its worker process (MONITOR_EXECUTOR=in_process,
    which spares a step process per partition; the multiprocess default only adds that process)."""
    root, _ = small_synthetic_run
    out = tmp_path_factory.mktemp("regional") / "out"
    config = out.parent / "monitor.toml"
    config.write_text(
        DEFAULT_CONFIG.read_text(encoding="utf-8").replace("gemeenten = {}", 'gemeenten = { GM0995 = "Lelystad" }'),
        encoding="utf-8",
    )
    mp = pytest.MonkeyPatch()
    settings = {"MONITOR_PSEUDONYM_KEY": TEST_KEY_HEX, "MONITOR_CONFIG": str(config), "MONITOR_EXECUTOR": "in_process"}
    settings |= {"MONITOR_INBOX": "", "MONITOR_OUT": "", TODAY_VARIABLE: TEST_TODAY}  # retention as the ordinary run
    for name, value in settings.items():
        mp.setenv(name, value)  # restored afterwards, also the two that run_partitioned sets
    try:
        args = [
            "run",
            "--partitioned",
            "--workers",
            "2",
            "--inbox",
            str(deliver(root / "inbox", out)),
            "--out",
            str(out),
        ]
        assert monitor_main(args) == 0
    finally:
        mp.undo()
    return root, out, [f"{g.name}|{p.name}" for g in (out / "warehouse" / "partitions").iterdir() for p in g.iterdir()]


def test_every_gemeente_and_school_year_is_a_partition_of_its_own(regional_run: tuple[Path, Path, list[str]]) -> None:
    root, out, partitions = regional_run
    years = [y.replace("/", "-") for y in school_years_in(root / "out" / "warehouse" / "staged")]
    assert len(years) >= 3
    assert sorted(partitions) == sorted(f"{g}|{y}" for g in ("GM0034", "GM0995") for y in years)
    for gemeente in ("GM0034", "GM0995"):
        for year in years:  # only the year's aggregates stay; the person-level scratch database is gone
            kept = {p.name for p in (out / "warehouse" / "partitions" / gemeente / year).iterdir()}
            assert kept == {"indicators.parquet", "linkage_quality.parquet"}


def test_partitioned_publication_of_the_own_gemeente_equals_the_ordinary_run(
    regional_run: tuple[Path, Path, list[str]],
) -> None:
    root, out, _ = regional_run
    for name in PUBLISHED:
        assert_frame_equal(_sorted(out / "regio" / "GM0034" / name), _sorted(root / "out" / "publish" / name))


def test_the_other_gemeente_gets_its_own_protected_publication(regional_run: tuple[Path, Path, list[str]]) -> None:
    _, out, _ = regional_run
    lelystad = pl.read_parquet(out / "regio" / "GM0995" / "indicatoren.parquet")
    gemeente = lelystad.filter(pl.col("niveau") == "gemeente")
    assert gemeente.height and set(gemeente.get_column("eenheid_code")) == {"GM0995"}
    assert set(gemeente.get_column("eenheid_naam")) == {"Lelystad"}
    # No synthetic resident lives in Lelystad: its A11 (residents 0-17 with youth care) has no noemer to show.
    a11 = gemeente.filter(pl.col("indicator") == "A11")
    assert a11.height == 0 or a11.get_column("onderdrukt").all()
    assert (out / "regio" / "GM0995" / "dashboard" / "index.html").is_file()
    assert (out / "regio" / "GM0995" / "manifest.json").is_file()


def test_no_raw_identifier_in_anything_the_partitioned_run_wrote(regional_run: tuple[Path, Path, list[str]]) -> None:
    root, out, _ = regional_run
    identifiers = raw_identifiers(root / "inbox")
    assert len(identifiers) > 1000
    findings = scan_for_identifiers(out, identifiers, unseal=WarehouseUnsealer())
    assert not findings, [str(f) for f in findings[:10]]


def test_a_failed_partition_keeps_its_previous_result(
    small_synthetic_run: tuple[Path, dg.ExecuteInProcessResult], tmp_path: Path
) -> None:
    root, _ = small_synthetic_run
    paths = Paths(inbox=root / "inbox", out=tmp_path)
    shutil.copytree(root / "out" / "warehouse" / "staged", paths.staged)
    config = MonitorConfig.load()
    year = school_years_in(paths.staged)[0]
    sources = list(ALL_SOURCES)
    first = compute_partition(paths, config, "GM0034", year, sources, partition_sql_files())
    before = {p.name: p.read_bytes() for p in first.folder.iterdir()}
    with pytest.raises(Exception, match="no_such_table"):
        compute_partition(paths, config, "GM0034", year, sources, [*partition_sql_files()[:3], "no_such_table"])
    folder = partition_folder(paths, "GM0034", year)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert [p.name for p in folder.parent.iterdir()] == [folder.name], "no partial folder left behind"


@pytest.mark.parametrize("executor", ["multiprocess", "in_process", "k8s", "celery"])
def test_the_deployment_picks_the_executor_of_the_partitioned_job_without_code_changes(
    monkeypatch: pytest.MonkeyPatch, executor: str
) -> None:
    monkeypatch.setenv("MONITOR_EXECUTOR", executor)
    assert build_definitions().resolve_job_def("yearly_job").executor_def.name == executor


def test_an_unknown_executor_is_refused_with_the_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_EXECUTOR", "slurm")
    with pytest.raises(ValueError, match="multiprocess, in_process, k8s or celery"):
        build_definitions()
