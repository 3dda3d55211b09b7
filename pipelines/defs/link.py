"""Stage 4, link: pseudonymised sources joined at person level in DuckDB, one SQL file per table.

Every asset here runs `sql/link/<asset name>.sql`; what it depends on is what that file reads.
"""

import dagster as dg

from pipelines.lib.keys import ALL_SOURCES, OWNER, staged_key
from pipelines.lib.resources import MonitorResource
from pipelines.lib.sql_assets import sql_asset
from pipelines.lib.sql_models import create_macros, models_of
from pipelines.lib.warehouse import connect, load_references, load_staged


@dg.asset(
    group_name="link",
    deps=[staged_key(s) for s in ALL_SOURCES],
    owners=[OWNER],
    kinds={"duckdb"},
    description="Loads the staged, pseudonymised Parquet files and reference tables into the DuckDB warehouse.",
)
def warehouse(monitor: MonitorResource) -> dg.MaterializeResult:
    with connect(monitor.paths) as con:
        create_macros(con)
        load_references(con, monitor.config)
        counts = load_staged(con, monitor.paths.staged, list(ALL_SOURCES))
    return dg.MaterializeResult(metadata={f"rows_{k}": v for k, v in counts.items()})


link_assets = [sql_asset(model) for model in models_of("link")]
