"""Stage 5, indicators: one SQL file per indicator family (sql/indicators/), then one long table with values and names.

Also the two tables published next to the indicators, both derived only from aggregates: the linkage
quality report (protected here with the indicators' own disclosure rules and check) and the trends
(computed from the protected indicator table, so they can never reveal a suppressed cell).
"""

import dagster as dg
import polars as pl

from pipelines.indicators.trends import indicator_trends
from pipelines.lib.keys import OWNER
from pipelines.lib.resources import MonitorResource
from pipelines.lib.sql_assets import sql_asset
from pipelines.lib.sql_models import models_of
from pipelines.lib.warehouse import connect
from pipelines.protect.linkage_quality import check_linkage_quality, protect_linkage_quality
from pipelines.publish.publication import LINKAGE_FILE, TRENDS_FILE

indicator_assets = [sql_asset(model) for model in models_of("indicators")]


def read_linkage_quality(monitor: MonitorResource) -> pl.DataFrame:
    with connect(monitor.paths) as con:
        return con.sql("SELECT * FROM linkage_quality").pl()


@dg.asset(
    group_name="protect",
    deps=["linkage_quality"],
    owners=[OWNER],
    kinds={"polars", "parquet"},
    description="Linkage quality with the indicators' disclosure control (counts below the thresholds suppressed).",
)
def protected_linkage_quality(monitor: MonitorResource) -> dg.MaterializeResult:
    config = monitor.config
    table = protect_linkage_quality(read_linkage_quality(monitor), monitor.config.disclosure, config.gemeente_code)
    out = monitor.paths.protected
    out.mkdir(parents=True, exist_ok=True)
    table.write_parquet(out / LINKAGE_FILE)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": table.height,
            "cells_suppressed": int(table.get_column("onderdrukt").sum()),
        }
    )


@dg.asset_check(
    asset=protected_linkage_quality,
    name="linkage_disclosure_check",
    blocking=True,
    description="The independent disclosure check, on the protected linkage-quality table.",
)
def linkage_disclosure_check(monitor: MonitorResource) -> dg.AssetCheckResult:
    published = pl.read_parquet(monitor.paths.protected / LINKAGE_FILE)
    report = check_linkage_quality(
        published, read_linkage_quality(monitor), monitor.config.disclosure, monitor.config.gemeente_code
    )
    return dg.AssetCheckResult(
        passed=report.passed,
        metadata={
            "tried": dg.MetadataValue.json(report.tried),
            "violations": dg.MetadataValue.json(report.violations[:50]),
            "n_violations": len(report.violations),
        },
    )


@dg.asset(
    name="indicator_trends",
    group_name="protect",
    deps=["protected_indicators"],
    owners=[OWNER],
    kinds={"polars", "parquet"},
    description="Per published cell: previous year's value, change and difference to the gemeente (from "
    "protected values only; null when either side is suppressed).",
)
def indicator_trends_asset(monitor: MonitorResource) -> dg.MaterializeResult:
    protected = pl.read_parquet(monitor.paths.protected / "indicatoren.parquet")
    trends = indicator_trends(protected)
    trends.write_parquet(monitor.paths.protected / TRENDS_FILE)
    return dg.MaterializeResult(metadata={"dagster/row_count": trends.height})


protected_outputs = [protected_linkage_quality, indicator_trends_asset]
indicator_checks = [linkage_disclosure_check]
