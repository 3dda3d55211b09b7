"""Stage 4, link: pseudonymised sources joined at person level in DuckDB, one SQL file per table.

Every asset here runs `sql/<asset name>.sql`. The dependency list is the only thing Python adds.
"""

import dagster as dg

from pipelines.defs.ingest import ALL_SOURCES, OWNER, staged_key
from pipelines.lib.resources import MonitorResource
from pipelines.lib.warehouse import (
    connect,
    load_references,
    load_staged,
    run_sql_file,
    table_rows,
    table_schema,
)


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
        run_sql_file(con, "macros")
        load_references(con, monitor.config)
        counts = load_staged(con, monitor.paths.staged, list(ALL_SOURCES))
    return dg.MaterializeResult(metadata={f"rows_{k}": v for k, v in counts.items()})


def sql_asset(name: str, deps: list[str], group: str, description: str, prefix: str = "") -> dg.AssetsDefinition:
    """An asset that runs sql/<prefix><name>.sql, creating the DuckDB table <name>."""

    @dg.asset(
        name=name,
        group_name=group,
        deps=[dg.AssetKey(d) for d in deps],
        owners=[OWNER],
        kinds={"duckdb", "sql"},
        description=description,
    )
    def _asset(monitor: MonitorResource) -> dg.MaterializeResult:
        with connect(monitor.paths) as con:
            run_sql_file(con, "macros")
            run_sql_file(con, f"{prefix}{name}")
        return dg.MaterializeResult(metadata=table_metadata(monitor, name, f"sql/{prefix}{name}.sql"))  # type: ignore[arg-type]

    return _asset


link_assets = [
    sql_asset("school_years", ["warehouse"], "link", "School years whose peildatum lies within the enrolment data."),
    sql_asset(
        "resident_years",
        ["school_years"],
        "link",
        "Residence (wijk, in the gemeente) of each person on each peildatum.",
    ),
    sql_asset(
        "persons",
        ["warehouse"],
        "link",
        "One row per person (pseudonym): birth month (register, else enrolment) and the sources it occurs in.",
    ),
    sql_asset(
        "person_years",
        ["persons", "school_years", "resident_years"],
        "link",
        "View: every person in every school year with age and wijk on the peildatum (the one age and wijk rule).",
    ),
    sql_asset(
        "pupil_years",
        ["school_years", "person_years"],
        "link",
        "One row per pupil per school year: school, wijk, age (attribution rules of spec §2).",
    ),
    sql_asset("pupil_units", ["pupil_years"], "link", "Each pupil-year attributed to school, wijk and gemeente."),
    sql_asset(
        "resident_units",
        ["person_years"],
        "link",
        "View: each resident-year (address in the gemeente on the peildatum) attributed to wijk and gemeente.",
    ),
    sql_asset(
        "trajectories",
        ["warehouse"],
        "link",
        "One row per toewijzingnummer: start, end, soort, vorm, verwijzer.",
    ),
    sql_asset(
        "trajectory_years",
        ["trajectories", "school_years"],
        "link",
        "Trajectories active / new per school year.",
    ),
    sql_asset(
        "declaration_years",
        ["trajectories"],
        "link",
        "Net cost (debet - credit) per trajectory per school year.",
    ),
    sql_asset(
        "absence_years",
        ["school_years"],
        "link",
        "Absence cases per overlapping school year: new, the case's school, duration, thuiszitter rule.",
    ),
]
