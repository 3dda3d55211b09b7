"""The protect stage applied to the indicator table, as every publication path runs it (the ordinary assets,
the partitioned ones, tests): the rules from the configuration, the unprotected table, protection in the
published schema, the independent check, and the publication it replaces (`continuity`)."""

import polars as pl

from pipelines.indicators.trends import indicator_trends
from pipelines.lib.published_schema import PUBLISHED_COLUMNS
from pipelines.lib.resources import MonitorResource
from pipelines.lib.settings import DisclosureRules
from pipelines.lib.warehouse import connect
from pipelines.protect import continuity
from pipelines.protect.disclosure_check import BASIS_COLUMNS, CheckReport, check_publication
from pipelines.protect.intervals import interval_solver
from pipelines.protect.suppression import protect


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
    """Primary and secondary suppression in the published schema: the one path of every publication. Also
    returns the number of LPs it solved, for the run's metadata."""
    solver = interval_solver(rules.protection_margin)
    protected = (
        protect(with_gemeente_code(indicators), rules, previous, solver)
        .select(PUBLISHED_COLUMNS)
        .with_columns(pl.col("teller", "noemer", "waarde", "gemeente_waarde").cast(pl.Float64))
    )
    return protected, solver.lps


def check_protected(
    published: pl.DataFrame, indicators: pl.DataFrame, rules: DisclosureRules, previous: pl.DataFrame | None = None
) -> CheckReport:
    """The independent check of a protected table against the unprotected one, trends included, and against
    the publication it replaces (`continuity`)."""
    # The year-over-year figures the publication shows next to this table (trends.parquet, the dashboard).
    changes = indicator_trends(published)
    basis = [*BASIS_COLUMNS, *(["ouders"] if "ouders" in indicators.columns else [])]
    report = check_publication(published, indicators.select(basis), rules, changes=changes)
    if previous is not None:
        report.tried.append(
            "across publications: every cell hidden in the previous publication is hidden, every cell shown "
            "there with the same numbers is shown"
        )
        report.add(
            "cell breaks the previous publication's pattern", continuity.violations(published, indicators, previous)
        )
    return report
