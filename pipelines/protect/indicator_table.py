"""The protect stage applied to the indicator table, as every publication path runs it (the ordinary assets,
the partitioned ones, tests): the rules from the configuration, the unprotected table, protection in the
published schema, the independent check, and the publication it replaces (`continuity`)."""

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import polars as pl

from pipelines.indicators.trends import indicator_trends
from pipelines.lib.published_schema import PUBLISHED_COLUMNS
from pipelines.lib.resources import MonitorResource
from pipelines.lib.settings import DisclosureRules
from pipelines.lib.warehouse import connect
from pipelines.protect import continuity
from pipelines.protect.disclosure_check import (
    BASIS_COLUMNS,
    KEY,
    CheckReport,
    check_publication,
    gemeente_value_violations,
)
from pipelines.protect.intervals import interval_solver
from pipelines.protect.parts import PART, distinct_units, part_of_units, published_units, with_parts
from pipelines.protect.suppression import protect, with_gemeente_value

ROW = "_rij_tabel"
PARALLEL_ROWS = 20_000  # parts this large are protected in worker processes, one per core
MAX_WORKERS = 8


def read_indicators(monitor: MonitorResource) -> pl.DataFrame:
    """The unprotected indicators with the catalogue factor (to recompute a rounded value)."""
    with connect(monitor.paths) as con:
        return con.sql("SELECT i.*, c.factor FROM indicators i JOIN ref_catalogue c ON c.id = i.indicator").pl()


def suppressed_per_indicator_level(protected: pl.DataFrame) -> pl.DataFrame:
    """Cells, suppressed cells (onderdrukt) and of those primary and secondary, per indicator and level."""
    return (
        protected.group_by("indicator", "niveau")
        .agg(
            pl.len().alias("cellen"),
            pl.col("onderdrukt").sum().alias("onderdrukt"),
            (pl.col("reden") == "primair").sum().alias("primair"),
            (pl.col("reden") == "secundair").sum().alias("secundair"),
        )
        .sort("indicator", "niveau")
    )


def previous_publication(monitor: MonitorResource) -> pl.DataFrame | None:
    """The published table this run replaces, if any (`protect.continuity`)."""
    path = monitor.paths.publish / "indicatoren.parquet"
    return pl.read_parquet(path) if path.is_file() else None


def with_gemeente_code(indicators: pl.DataFrame) -> pl.DataFrame:
    """The table as the warehouse holds it: with `gemeente_code` (a table without it is one gemeente's, whose
    schools and wijken belong to it)."""
    if "gemeente_code" in indicators.columns:
        return indicators
    codes = indicators.filter(pl.col("niveau") == "gemeente").get_column("eenheid_code").unique().to_list()
    if len(codes) > 1:
        raise ValueError(f"a table of {len(codes)} gemeenten needs gemeente_code")
    own = pl.col("niveau").is_in(["school", "wijk", "gemeente"])
    return indicators.with_columns(gemeente_code=pl.when(own).then(pl.lit(codes[0] if codes else None, pl.String)))


def protect_for_publication(
    indicators: pl.DataFrame, rules: DisclosureRules, previous: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, int]:
    """Primary and secondary suppression in the published schema: the one path of every publication, part by
    part (`parts`: units no relation ties are protected apart). Also returns the number of LPs it solved, for
    the run's metadata."""
    table = with_parts(distinct_units(with_gemeente_code(indicators))).with_row_index(ROW)
    before = distinct_units(with_gemeente_code(previous)) if previous is not None else None
    parts = sorted(table.partition_by(PART), key=lambda part: -part.height)  # the largest first, to balance
    large = sum(1 for part in parts if part.height >= PARALLEL_ROWS)
    workers = min(large, os.cpu_count() or 1, MAX_WORKERS)
    jobs = [(part.drop(PART), rules, before) for part in parts]
    if workers > 1:
        context = multiprocessing.get_context("forkserver")  # no fork of a process holding DuckDB threads
        context.set_forkserver_preload([__name__])
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            results = list(pool.map(_protect_part, jobs))
    else:
        results = [_protect_part(job) for job in jobs]
    protected = pl.concat([frame for frame, _ in results], how="vertical").sort(ROW) if results else table.drop(PART)
    protected = (
        published_units(with_gemeente_value(protected))  # a school's gemeente may lie in another part
        .select(PUBLISHED_COLUMNS)
        .with_columns(pl.col("teller", "noemer", "waarde", "gemeente_waarde").cast(pl.Float64))
    )
    return protected, sum(lps for _, lps in results)


def part_sizes(indicators: pl.DataFrame) -> dict[str, int]:
    """How the table splits into parts protected apart (`parts`), for the run's metadata: count and rows."""
    sizes = with_parts(distinct_units(with_gemeente_code(indicators))).group_by(PART).len().get_column("len").to_list()
    return {"parts": len(sizes), "rows_largest": max(sizes, default=0), "rows_total": sum(sizes)}


def _protect_part(job: tuple[pl.DataFrame, DisclosureRules, pl.DataFrame | None]) -> tuple[pl.DataFrame, int]:
    """One part's protection (in a worker process when there are several large parts)."""
    part, rules, before = job
    solver = interval_solver(rules.protection_margin)
    return protect(part, rules, before, solver), solver.lps


def check_protected(
    published: pl.DataFrame, indicators: pl.DataFrame, rules: DisclosureRules, previous: pl.DataFrame | None = None
) -> CheckReport:
    """The independent check of a protected table against the unprotected one, part by part (`parts`), trends
    included, and against the publication it replaces (`continuity`)."""
    truth = with_parts(distinct_units(with_gemeente_code(indicators)))
    shown = distinct_units(with_gemeente_code(published))
    shown = shown.join(part_of_units(truth), on=["niveau", "eenheid_code"], how="left", maintain_order="left")
    basis = [*BASIS_COLUMNS, *(["ouders"] if "ouders" in indicators.columns else [])]
    report = CheckReport()
    report.add("published cell of no unit in the warehouse", shown.filter(pl.col(PART).is_null()).select(KEY).rows())
    for part in truth.partition_by(PART, maintain_order=True):
        cells = shown.filter(pl.col(PART) == part.get_column(PART)[0]).drop(PART)
        # The year-over-year figures the publication shows next to this table (trends.parquet, the dashboard).
        changes = indicator_trends(cells)
        # gemeente_waarde is checked over the whole table below: a school's gemeente may lie in another part.
        sub = check_publication(cells.drop("gemeente_waarde"), part.select(basis), rules, changes=changes)
        report.tried = report.tried or sub.tried
        report.violations += sub.violations
    report.tried.append("gemeente_waarde on every school and wijk row is its gemeente's published value")
    report.add("gemeente_waarde is not the published gemeente value", gemeente_value_violations(shown))
    if previous is not None:
        report.tried.append(
            "across publications: every cell hidden in the previous publication is hidden, every cell shown "
            "there with the same numbers is shown"
        )
        before = distinct_units(with_gemeente_code(previous))
        report.add(
            "cell breaks the previous publication's pattern",
            continuity.violations(shown, truth, before),
        )
    return report
