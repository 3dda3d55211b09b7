"""Scale-out: the person-level stages partitioned per gemeente and school year, for a region or the country.

The ordinary run (`monitor_job`) computes one gemeente in one DuckDB file, one step after another. For a
region, or when one machine is not enough, the same SQL models (`pipelines.lib.sql_models`, in the order their
files' dependencies give) run per partition instead, and the same protect, check and publication functions follow:

    regional_ingest_job       ingest every source (as always), then register the partitions:
                              the school years found in the enrolments × the gemeenten of monitor.toml
    yearly_job                link + indicators for one (gemeente, school year), each in its own scratch
                              DuckDB, so partitions run side by side (multiprocess executor here; Kubernetes
                              or Celery on a cluster, chosen with MONITOR_EXECUTOR: see docs/scale-out.md)
    regional_publication_job  per gemeente: all its school years combined and protected
                              (regional_protected_indicators), checked by the blocking asset check
                              regional_disclosure_check, then published under <out>/regio/<gemeente>/ by the
                              ordinary run's write_publication, swapped in atomically

`monitor run --partitioned --workers N` runs the three in order; in the Dagster UI, launch a backfill of
`yearly_job` over all partitions between the other two.
"""

import os
from pathlib import Path

import dagster as dg
import polars as pl
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from pipelines.indicators.trends import indicator_trends
from pipelines.lib.keys import ALL_SOURCES, OWNER, staged_key
from pipelines.lib.partitions import (
    compute_partition,
    partition_key,
    read_partitions,
    remove_stale_partitions,
    school_year_of_key,
    school_years_in,
)
from pipelines.lib.resources import MonitorResource
from pipelines.lib.run_manifests import write_json
from pipelines.lib.settings import Paths
from pipelines.lib.sql_models import sql_models
from pipelines.protect.indicator_table import (
    check_protected,
    protect_for_publication,
    suppressed_per_indicator_level,
)
from pipelines.protect.linkage_quality import check_linkage_quality, protect_linkage_quality
from pipelines.publish.publication import (
    LINKAGE_FILE,
    TARGETS_FILE,
    TRENDS_FILE,
    build_manifest,
    is_synthetic,
    publish_atomically,
    site_settings,
    write_publication,
)
from pipelines.targets.agreements import load_targets
from pipelines.targets.check import check_targets
from pipelines.targets.progress import target_progress

SCHOOL_YEARS = dg.DynamicPartitionsDefinition(name="schooljaar")
GEMEENTEN = dg.DynamicPartitionsDefinition(name="gemeente")
PARTITIONS = dg.MultiPartitionsDefinition({"gemeente": GEMEENTEN, "schooljaar": SCHOOL_YEARS})
REGION_FOLDER = "regio"
SCALE_OUT_TAG = {"scale_out": "true"}  # keeps these assets out of monitor_job


def partition_sql_files() -> list[str]:
    """The ordinary run's SQL models in run order, after school_years (which a partition cuts)."""
    return [name for name in sql_models() if name != "school_years"]


def _sync(instance: dg.DagsterInstance, partitions: dg.DynamicPartitionsDefinition, keys: list[str]) -> None:
    """Make the registered keys of a dynamic partitions definition exactly `keys`."""
    name = str(partitions.name)
    for stale in set(instance.get_dynamic_partitions(name)) - set(keys):
        instance.delete_dynamic_partition(name, stale)
    instance.add_dynamic_partitions(name, keys)


@dg.asset(
    group_name="link",
    deps=[staged_key("inschrijvingen")],
    owners=[OWNER],
    tags=SCALE_OUT_TAG,
    kinds={"duckdb"},
    description="Registers the partitions of yearly_indicators: school years found in the enrolments "
    "(sql/link/school_years.sql) × the gemeenten of monitor.toml; drops results of partitions that no longer exist.",
)
def partition_registry(context: dg.AssetExecutionContext, monitor: MonitorResource) -> dg.MaterializeResult:
    paths = monitor.paths
    years = school_years_in(paths.staged)
    gemeenten = list(monitor.config.gemeenten)
    _sync(context.instance, SCHOOL_YEARS, [partition_key(y) for y in years])
    _sync(context.instance, GEMEENTEN, gemeenten)
    removed = remove_stale_partitions(paths, gemeenten, years)
    return dg.MaterializeResult(
        metadata={
            "school_years": ", ".join(years),
            "gemeenten": ", ".join(gemeenten),
            "partitions": len(years) * len(gemeenten),
            "stale_results_removed": ", ".join(removed) or "none",
        }
    )


@dg.asset(
    group_name="indicators",
    partitions_def=PARTITIONS,
    deps=[partition_registry, *(staged_key(s) for s in ALL_SOURCES)],
    owners=[OWNER],
    tags=SCALE_OUT_TAG,
    kinds={"duckdb", "sql", "parquet"},
    description="Link + indicators for one gemeente and school year: the ordinary run's SQL files in a "
    "private scratch DuckDB (partitions run side by side); keeps only that year's aggregates (not yet protected).",
)
def yearly_indicators(context: dg.AssetExecutionContext, monitor: MonitorResource) -> dg.MaterializeResult:
    keys = context.partition_key.keys_by_dimension
    gemeente, schooljaar = keys["gemeente"], school_year_of_key(keys["schooljaar"])
    result = compute_partition(
        monitor.paths, monitor.config, gemeente, schooljaar, list(ALL_SOURCES), partition_sql_files()
    )
    context.log.info(f"{gemeente} {schooljaar}: {result.rows} in {result.seconds:.1f} s (pid {os.getpid()})")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": result.rows["indicators"],
            "linkage_quality_rows": result.rows["linkage_quality"],
            "seconds": round(result.seconds, 1),
            "folder": dg.MetadataValue.path(str(result.folder)),
        }
    )


REGIONAL_PROTECTED = "regional"  # warehouse/regional/<gemeente>/: protected tables before the regional publication


def _regional_protected(paths: Paths, gemeente: str) -> Path:
    return paths.warehouse / REGIONAL_PROTECTED / gemeente


def _partition_years(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> list[str]:
    return sorted(school_year_of_key(k) for k in context.instance.get_dynamic_partitions(str(SCHOOL_YEARS.name)))


@dg.asset(
    group_name="protect",
    deps=[yearly_indicators],
    owners=[OWNER],
    tags=SCALE_OUT_TAG,
    kinds={"polars", "parquet"},
    description="Per gemeente all school years of yearly_indicators, protected by the ordinary run's own "
    "functions (protect_for_publication, protect_linkage_quality, indicator_trends): "
    "warehouse/regional/<gemeente>/. Checked by regional_disclosure_check (blocking) before anything is published.",
)
def regional_protected_indicators(context: dg.AssetExecutionContext, monitor: MonitorResource) -> dg.MaterializeResult:
    paths, config, rules = monitor.paths, monitor.config, monitor.config.disclosure
    years = _partition_years(context)
    cells: dict[str, int] = {}
    for gemeente in config.gemeenten:
        folder = _regional_protected(paths, gemeente)
        folder.mkdir(parents=True, exist_ok=True)
        protected, _ = protect_for_publication(read_partitions(paths, gemeente, years, "indicators"), rules)
        linkage = protect_linkage_quality(read_partitions(paths, gemeente, years, "linkage_quality"), rules, gemeente)
        protected.write_parquet(folder / "indicatoren.parquet")
        linkage.write_parquet(folder / LINKAGE_FILE)
        indicator_trends(protected).write_parquet(folder / TRENDS_FILE)
        target_progress(load_targets(config.targets_file), protected, gemeente).write_parquet(folder / TARGETS_FILE)
        cells[gemeente] = protected.height
    return dg.MaterializeResult(
        metadata={"cells_per_gemeente": dg.MetadataValue.json(cells), "school_years": ", ".join(years)}
    )


@dg.asset_check(
    asset=regional_protected_indicators,
    name="regional_disclosure_check",
    blocking=True,
    description="The ordinary run's independent disclosure checks (indicators with trends, linkage quality, "
    "targets), per "
    "gemeente of the region; a violation in any gemeente stops the regional publication.",
)
def regional_disclosure_check(context: dg.AssetCheckExecutionContext, monitor: MonitorResource) -> dg.AssetCheckResult:
    paths, rules = monitor.paths, monitor.config.disclosure
    years = _partition_years(context)
    violations: dict[str, int] = {}
    for gemeente in monitor.config.gemeenten:
        folder = _regional_protected(paths, gemeente)
        raw = read_partitions(paths, gemeente, years, "indicators")
        report = check_protected(pl.read_parquet(folder / "indicatoren.parquet"), raw, rules)
        linkage_raw = read_partitions(paths, gemeente, years, "linkage_quality")
        linkage = check_linkage_quality(pl.read_parquet(folder / LINKAGE_FILE), linkage_raw, rules, gemeente)
        targets = check_targets(pl.read_parquet(folder / TARGETS_FILE), pl.read_parquet(folder / "indicatoren.parquet"))
        violations[gemeente] = len(report.violations) + len(linkage.violations) + len(targets.violations)
    return dg.AssetCheckResult(
        passed=not any(violations.values()), metadata={"violations_per_gemeente": dg.MetadataValue.json(violations)}
    )


@dg.asset(
    group_name="publish",
    deps=[regional_protected_indicators],
    owners=[OWNER],
    tags=SCALE_OUT_TAG,
    kinds={"parquet", "altair", "json"},
    description="<out>/regio/<gemeente>/: the ordinary publication (write_publication: indicatoren.parquet, "
    "dashboard, charts, trends, linkage quality, catalogue) and manifest per gemeente of the region, swapped in "
    "atomically once regional_disclosure_check passed for every gemeente.",
)
def regional_publication(context: dg.AssetExecutionContext, monitor: MonitorResource) -> dg.MaterializeResult:
    paths, config = monitor.paths, monitor.config
    years = _partition_years(context)
    synthetic = is_synthetic(paths.inbox)
    labels = monitor.pseudonym_labels()
    summaries = [pl.read_json(paths.staged / f"{s}.summary.json").to_dicts()[0] for s in ALL_SOURCES]

    def build(region: Path) -> None:
        for gemeente, naam in config.gemeenten.items():
            protected_folder = _regional_protected(paths, gemeente)
            protected = pl.read_parquet(protected_folder / "indicatoren.parquet")
            extras = {
                name: pl.read_parquet(protected_folder / name) for name in (LINKAGE_FILE, TRENDS_FILE, TARGETS_FILE)
            }
            folder = region / gemeente
            folder.mkdir()
            settings = site_settings(config, naam, synthetic, monitor.chart_exports)
            written, _site = write_publication(folder, protected, extras, settings)
            manifest = build_manifest(
                run_id=context.run_id,
                started=None,
                summaries=summaries,
                pseudonymisation=labels,
                suppression=suppressed_per_indicator_level(protected).to_dicts(),
                synthetic=synthetic,
                outputs=written,
            )
            write_json(folder / "manifest.json", {**manifest, "gemeente": gemeente, "school_years": years})

    publish_atomically(paths.out / REGION_FOLDER, build)
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(paths.out / REGION_FOLDER)), "school_years": ", ".join(years)}
    )


def scale_out_executor() -> dg.ExecutorDefinition:
    """Where yearly_job's steps run, chosen by the deployment (MONITOR_EXECUTOR), never by editing code.

    multiprocess (default): a process per step on this machine. k8s: a Kubernetes job per step (dagster-k8s).
    celery: a Celery task per step on the workers of a broker (dagster-celery). in_process: the step runs in the
    partition's own worker process (`monitor run --partitioned` starts one per worker), which saves starting a step
    process per partition on one small machine.
    """
    choice = os.environ.get("MONITOR_EXECUTOR", "multiprocess")
    if choice == "multiprocess":
        return dg.multiprocess_executor
    if choice == "in_process":
        return dg.in_process_executor
    if choice == "k8s":
        from dagster_k8s import k8s_job_executor

        return k8s_job_executor
    if choice == "celery":
        from dagster_celery import celery_executor

        return celery_executor
    raise ValueError(f"MONITOR_EXECUTOR={choice!r}: choose multiprocess, in_process, k8s or celery.")


regional_ingest_job = dg.define_asset_job(
    "regional_ingest_job",
    selection=dg.AssetSelection.groups("ingest") | dg.AssetSelection.assets(partition_registry),
    description="Scale-out, step 1: ingest every source, then register the (gemeente, school year) partitions.",
)
regional_publication_job = dg.define_asset_job(
    "regional_publication_job",
    selection=dg.AssetSelection.assets(regional_protected_indicators, regional_publication),
    description="Scale-out, step 3: per gemeente, combine its school years, protect, check (blocking) and publish.",
)


def yearly_job() -> UnresolvedAssetJobDefinition:
    """Scale-out, step 2: one run per (gemeente, school year) partition, on the deployment's executor."""
    return dg.define_asset_job(
        "yearly_job",
        selection=dg.AssetSelection.assets(yearly_indicators),
        partitions_def=PARTITIONS,
        executor_def=scale_out_executor(),
        description="Scale-out, step 2: link + indicators for one gemeente and school year (launch a backfill "
        "over all partitions; they run side by side).",
    )
