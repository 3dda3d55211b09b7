"""Stage 6, protect: primary and secondary suppression, then an independent, blocking disclosure check.

The protected table is written to `warehouse/protected/`, not to the published folder: only the publish
step copies it there, and only after the check passed. Next to it, `suppression.json`: suppressed cells per
indicator and level (primary, secondary), which the publish step copies into the run manifest.
"""

import json
import time

import dagster as dg
import polars as pl

from pipelines.audit.storage import mode_findings, sealing_findings
from pipelines.indicators.trends import indicator_trends
from pipelines.lib.keys import OWNER
from pipelines.lib.published_schema import PUBLISHED_COLUMNS
from pipelines.lib.resources import MonitorResource
from pipelines.lib.warehouse import connect
from pipelines.protect import continuity
from pipelines.protect.disclosure_check import BASIS_COLUMNS, CheckReport, check_publication
from pipelines.protect.recoverable import Recoverer
from pipelines.protect.suppression import DisclosureRules, protect


def rules_of(monitor: MonitorResource) -> DisclosureRules:
    c = monitor.config
    return DisclosureRules(
        min_teller=c.min_teller,
        min_noemer=c.min_noemer,
        min_cost_persons=c.min_cost_persons,
        max_dominance_share=c.max_dominance_share,
        protection_margin=c.protection_margin,
        round_to=c.round_to,
    )


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


def protect_for_publication(
    indicators: pl.DataFrame, rules: DisclosureRules, previous: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, Recoverer]:
    """Primary and secondary suppression in the published schema: the one path of every publication."""
    recoverer = Recoverer()
    protected = (
        protect(indicators, rules, recoverer, previous)
        .select(PUBLISHED_COLUMNS)
        .with_columns(pl.col("teller", "noemer", "waarde", "gemeente_waarde").cast(pl.Float64))
    )
    return protected, recoverer


def check_protected(
    published: pl.DataFrame, indicators: pl.DataFrame, rules: DisclosureRules, previous: pl.DataFrame | None = None
) -> CheckReport:
    """The independent check of a protected table against the unprotected one, trends included, and against
    the publication it replaces (`continuity`)."""
    # The year-over-year figures the publication shows next to this table (trends.parquet, the dashboard).
    changes = indicator_trends(published)
    report = check_publication(published, indicators.select(BASIS_COLUMNS), rules, changes=changes)
    if previous is not None:
        report.tried.append(
            "across publications: every cell hidden in the previous publication is hidden, every cell shown "
            "there with the same numbers is shown"
        )
        report.add(
            "cell breaks the previous publication's pattern", continuity.violations(published, indicators, previous)
        )
    return report


@dg.asset(
    group_name="protect",
    deps=["indicators"],
    owners=[OWNER],
    kinds={"polars", "parquet"},
    description="Indicators with primary and secondary suppression (spec §4), in the published schema.",
)
def protected_indicators(monitor: MonitorResource) -> dg.MaterializeResult:
    started = time.perf_counter()
    previous = previous_publication(monitor)
    protected, recoverer = protect_for_publication(read_indicators(monitor), rules_of(monitor), previous)
    seconds = time.perf_counter() - started
    out = monitor.paths.protected
    out.mkdir(parents=True, exist_ok=True)
    protected.write_parquet(out / "indicatoren.parquet")
    counts = suppressed_per_indicator_level(protected).to_dicts()
    (out / "suppression.json").write_text(json.dumps(counts, indent=2), encoding="utf-8")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": protected.height,
            "cells_suppressed": int(protected.get_column("onderdrukt").sum()),
            "suppressed_per_indicator_level": dg.MetadataValue.json(counts),
            "protect_seconds": round(seconds, 2),
            "lps_solved": recoverer.lps,
            "previous_publication": previous is not None,
        }
    )


@dg.asset_check(
    asset=protected_indicators,
    name="disclosure_check",
    blocking=True,
    description="Re-reads the protected table; fails if a cell breaks a rule or a suppressed value is recoverable.",
)
def disclosure_check(monitor: MonitorResource) -> dg.AssetCheckResult:
    started = time.perf_counter()
    published = pl.read_parquet(monitor.paths.protected / "indicatoren.parquet")
    report = check_protected(published, read_indicators(monitor), rules_of(monitor), previous_publication(monitor))
    return dg.AssetCheckResult(
        passed=report.passed,
        metadata={
            "tried": dg.MetadataValue.json(report.tried),
            "violations": dg.MetadataValue.json(report.violations[:50]),
            "n_violations": len(report.violations),
            "check_seconds": round(time.perf_counter() - started, 2),
        },
    )


@dg.asset_check(
    asset=protected_indicators,
    name="warehouse_sealed_and_owner_only",
    blocking=True,
    description="The audit's storage scan before anything is published: every file of the run owner-only and the "
    "person-level warehouse encrypted; a finding stops the publication.",
)
def warehouse_sealed_and_owner_only(monitor: MonitorResource) -> dg.AssetCheckResult:
    out = monitor.paths.out
    findings = [*mode_findings(out), *sealing_findings(out)]
    return dg.AssetCheckResult(
        passed=not findings,
        metadata={
            "findings": len(findings),
            "examples": dg.MetadataValue.json([str(f) for f in findings[:20]]),
        },
    )
