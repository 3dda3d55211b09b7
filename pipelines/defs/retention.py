"""Retention: person-level rows past their contract's retention period leave the warehouse.

`retention_purge` removes, per person-level source, the rows whose reference date (`retentionField` in the
contract) lies before today minus the contract's `retention`, from `warehouse/staged/<source>.parquet` and
the `stg_<source>` table, then rebuilds the linked tables (persons, pupil years, trajectories, ...) from what
is left so that no derived person-level row outlives its source; the kept iJw parses that fed a row past
retention go too (`pipelines/ingest/ijw_cache.py`). The publication is never touched.

Ingest already leaves out every row past retention, so no run uses one. The purge runs last in every
monitor run and weekly on its own (`weekly_retention`), so that rows staged earlier that have aged past the
limit since (a source without a new delivery keeps its staged rows) leave too. The date it measures from
is today unless the run config sets `today` (tests, or re-running a missed purge as of a given date).
The asset sits in the publish group because it follows the publication; it belongs to no earlier stage.
"""

import dagster as dg
from pydantic import Field

from pipelines.ingest.ijw_cache import IJW_CACHE, purge_cache
from pipelines.lib.keys import OWNER
from pipelines.lib.resources import MonitorResource
from pipelines.lib.sql_models import models_of, run_model
from pipelines.lib.warehouse import connect
from pipelines.retention.purge import has_table, purge_source, retention_rules
from pseudonymisation.contract import load_all_contracts
from pseudonymisation.retention import parse_today, processing_today


class RetentionConfig(dg.Config):
    today: str = Field(
        default="",
        description="Measure retention from this date (YYYY-MM-DD); empty = the day the run starts "
        "(or MONITOR_TODAY, in tests).",
    )


@dg.asset(
    group_name="publish",
    deps=["publication"],
    owners=[OWNER],
    tags={"maintenance": "true"},  # outside a test's pipeline run (pipelines.definitions)
    kinds={"duckdb", "parquet"},
    description=(
        "Retention: removes person-level rows older than their contract's retention period (counted from the "
        "contract's retentionField) from the staged Parquet files and stg_ tables, then rebuilds the linked "
        "tables. Runs after the publication and weekly; published aggregates stay."
    ),
)
def retention_purge(
    context: dg.AssetExecutionContext, config: RetentionConfig, monitor: MonitorResource
) -> dg.MaterializeResult:
    today = parse_today(config.today) if config.today else processing_today()
    rules = retention_rules(load_all_contracts(), today)
    paths = monitor.paths
    # before the staged rows go: a kept iJw parse past retention is found by the toewijzing row it fed
    cache_removed = purge_cache(paths.warehouse / IJW_CACHE, paths.staged, {r.source: r.cutoff for r in rules})
    with connect(paths) as con:
        purged = [purge_source(paths.staged, con, rule) for rule in rules]
        removed = sum(p.parquet_removed + (p.duckdb_removed or 0) for p in purged)
        rebuilt = [m.name for m in models_of("link") if has_table(con, m.name)] if removed else []
        for name in rebuilt:
            run_model(con, name)
    for p in purged:
        context.log.info(
            f"{p.source}: {p.parquet_removed} of {p.parquet_rows} staged rows and "
            f"{p.duckdb_removed if p.duckdb_removed is not None else 'no'} warehouse rows before {p.cutoff} removed"
        )
    metadata: dict[str, object] = {
        "today": today.isoformat(),
        "rows_removed": sum(p.parquet_removed for p in purged),
        "ijw_cache_files_removed": cache_removed,
        "linked_tables_rebuilt": ", ".join(rebuilt) or "none",
        "per_source": dg.MetadataValue.json(
            {
                p.source: {
                    "cutoff": p.cutoff.isoformat(),
                    "parquet_rows_before": p.parquet_rows,
                    "parquet_removed": p.parquet_removed,
                    "duckdb_rows_before": p.duckdb_rows,
                    "duckdb_removed": p.duckdb_removed,
                }
                for p in purged
            }
        ),
    }
    metadata.update({f"removed_{p.source}": p.parquet_removed for p in purged})
    return dg.MaterializeResult(metadata=metadata)  # type: ignore[arg-type]


retention_job = dg.define_asset_job(
    "retention_job",
    selection=dg.AssetSelection.assets(retention_purge),
    description="Retention purge on its own: the warehouse lets go of rows past their retention period.",
)

weekly_retention = dg.ScheduleDefinition(
    name="weekly_retention",
    job=retention_job,
    cron_schedule="0 5 * * 1",
    execution_timezone="Europe/Amsterdam",
    description="Every Monday at 05:00: rows that aged past their retention period since the last run go.",
    # On by default: retention is a legal duty. It fires while a Dagster daemon runs (make ui starts one).
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
