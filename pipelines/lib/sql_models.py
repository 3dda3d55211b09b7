"""The SQL models: every `sql/<stage>/<name>.sql` creates the table `<name>`, and declares its inputs by reading them.

Why: a hand-written dependency list drifts from the query (two of 22 had). Here the tables a file reads are taken
from the file itself, parsed with sqlglot's DuckDB dialect (common table expressions and table functions are not
tables), as dbt and Dagster's `project_sql_but_not_dbt` do. A table that another file creates is a dependency on
that model; anything else it reads (`stg_*`, `ref_*`, `monitor_settings`) is loaded by the `warehouse` asset. The
asset graph, the run order of the partitioned path and of the tests, and the retention purge's rebuild all come
from here. The description is the first line of the file's comment block.
"""

from __future__ import annotations

import graphlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp

from pipelines.lib.settings import SQL_DIR

STAGES = ("link", "indicators")  # folders under sql/, in the flow's order
MACROS = SQL_DIR / "macros.sql"
WAREHOUSE = "warehouse"  # the asset that loads what no SQL model creates


class SqlModelError(ValueError):
    """A SQL file does not create the table it is named after, or the files form a cycle."""


@dataclass(frozen=True)
class SqlModel:
    """One SQL file: the table it creates, its stage (asset group), what it reads and what it says it does."""

    name: str
    stage: str
    path: Path
    reads: frozenset[str]  # every table the file reads, models and loaded tables alike
    description: str

    @property
    def relative_path(self) -> str:
        return self.path.relative_to(SQL_DIR.parent).as_posix()


def _tables_read_and_created(sql: str, where: Path) -> tuple[set[str], set[str]]:
    try:
        statements = sqlglot.parse(sql, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        raise SqlModelError(f"{where}: not parseable as DuckDB SQL: {exc}") from None
    read: set[str] = set()
    created: set[str] = set()
    for statement in statements:
        if statement is None:
            continue
        ctes = {cte.alias_or_name for cte in statement.find_all(exp.CTE)}
        target = statement.this if isinstance(statement, exp.Create) else None
        if isinstance(target, exp.Schema):
            target = target.this
        if isinstance(target, exp.Table):
            created.add(target.name)
        for table in statement.find_all(exp.Table):
            if table is not target and table.name and table.name not in ctes:
                read.add(table.name)
    return read - created, created


def _description(sql: str, name: str) -> str:
    first = next((line for line in sql.splitlines() if line.startswith("--")), "--")
    text = first.removeprefix("--").strip().removeprefix(f"{name}:").strip()
    return text[:1].upper() + text[1:].rstrip(".") + "."


def _model(path: Path, stage: str) -> SqlModel:
    sql = path.read_text(encoding="utf-8")
    reads, created = _tables_read_and_created(sql, path)
    if path.stem not in created:
        raise SqlModelError(f"{path}: must create the table or view {path.stem!r} it is named after")
    return SqlModel(path.stem, stage, path, frozenset(reads), _description(sql, path.stem))


@cache
def sql_models() -> dict[str, SqlModel]:
    """Every model of the link and indicator stages by name, in run order (each after what it reads)."""
    found = {path.stem: _model(path, stage) for stage in STAGES for path in sorted((SQL_DIR / stage).glob("*.sql"))}
    graph = {name: {r for r in model.reads if r in found} for name, model in found.items()}
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        raise SqlModelError(f"the SQL files read each other in a cycle: {exc.args[1]}") from None
    return {name: found[name] for name in order}


def model_deps(model: SqlModel) -> list[str]:
    """The asset keys a model depends on: the models it reads, and the warehouse when it reads a loaded table."""
    models = sql_models()
    deps = sorted(r for r in model.reads if r in models)
    return [WAREHOUSE, *deps] if any(r not in models for r in model.reads) else deps


def models_of(stage: str) -> list[SqlModel]:
    return [m for m in sql_models().values() if m.stage == stage]


def create_macros(con: duckdb.DuckDBPyConnection) -> None:
    """The shared SQL macros (sql/macros.sql: age, school year, age band) every model may use."""
    con.execute(MACROS.read_text(encoding="utf-8"))


def run_model(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Create the model's table (the connection's database must hold the macros: `create_macros`)."""
    con.execute(sql_models()[name].path.read_text(encoding="utf-8"))
