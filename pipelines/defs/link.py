"""Stage 4, link: pseudonymised sources joined at person level in DuckDB, one SQL file per table.

Every asset here runs `sql/link/<asset name>.sql`; what it depends on is what that file reads.
"""

import dagster as dg

from pipelines.defs.ingest import ALL_SOURCES, OWNER, staged_key
from pipelines.lib.resources import MonitorResource
from pipelines.lib.sql_models import SqlModel, create_macros, model_deps, models_of, run_model
from pipelines.lib.warehouse import connect, load_references, load_staged, table_rows, table_schema


def table_metadata(monitor: MonitorResource, table: str, sql_file: str) -> dict[str, object]:
    """Schema and row count; a view gets no row count, since counting its rows would run its whole query."""
    with connect(monitor.paths) as con:
        views = con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = ?", [table]).fetchall()
        metadata: dict[str, object] = {} if views[0][0] else {"dagster/row_count": table_rows(con, table)}
        return metadata | {
            "dagster/column_schema": dg.TableSchema(
                columns=[dg.TableColumn(n, t) for n, t in table_schema(con, table)]
            ),
            "sql_file": sql_file,
        }


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


def sql_asset(model: SqlModel) -> dg.AssetsDefinition:
    """An asset that runs one SQL file; its dependencies are the tables the file reads (`pipelines.lib.sql_models`)."""

    @dg.asset(
        name=model.name,
        group_name=model.stage,
        deps=[dg.AssetKey(d) for d in model_deps(model)],
        owners=[OWNER],
        kinds={"duckdb", "sql"},
        description=model.description,
        metadata={"sql_file": model.relative_path},
    )
    def _asset(monitor: MonitorResource) -> dg.MaterializeResult:
        with connect(monitor.paths) as con:
            run_model(con, model.name)
        return dg.MaterializeResult(metadata=table_metadata(monitor, model.name, model.relative_path))  # type: ignore[arg-type]

    return _asset


link_assets = [sql_asset(model) for model in models_of("link")]
