"""The Dagster asset of a SQL model: runs its file, reports the table's schema and row count.

One factory for the link and indicator stages, so every SQL asset is made the same way; what it depends on comes
from the file (`pipelines.lib.sql_models`), never from a list here.
"""

from __future__ import annotations

import dagster as dg

from pipelines.lib.keys import OWNER
from pipelines.lib.resources import MonitorResource
from pipelines.lib.sql_models import SqlModel, create_macros, model_deps, run_model
from pipelines.lib.warehouse import connect, table_rows, table_schema


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
            create_macros(con)
            run_model(con, model.name)
        return dg.MaterializeResult(metadata=table_metadata(monitor, model.name, model.relative_path))  # type: ignore[arg-type]

    return _asset
