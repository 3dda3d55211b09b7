"""Stage 6, protect: primary and secondary suppression, then an independent, blocking disclosure check.

The protected table is written to `warehouse/protected/`, not to the published folder: only the publish
step copies it there, and only after the check passed. Next to it, `suppression.json`: suppressed cells per
indicator and level (primary, secondary), which the publish step copies into the run manifest.

Also the two tables published next to the indicators, both derived only from aggregates: the linkage
quality report (protected with the indicators' own disclosure rules and checked apart) and the trends
(computed from the protected indicator table, so they can never reveal a suppressed cell).
"""

import json
import time

import dagster as dg
import polars as pl

from pipelines.audit.storage import mode_findings, sealing_findings
from pipelines.indicators.trends import indicator_trends
from pipelines.lib.check_results import check_result
from pipelines.lib.keys import OWNER
from pipelines.lib.resources import MonitorResource
from pipelines.lib.warehouse import close_run_connection, connect
from pipelines.protect.indicator_table import (
    check_protected,
    part_sizes,
    previous_publication,
    protect_for_publication,
    read_indicators,
    suppressed_per_indicator_level,
)
from pipelines.protect.linkage_quality import check_linkage_quality, protect_linkage_quality
from pipelines.protect.school_attributes import SCHOOLS_FILE, public_school_attributes, school_attribute_violations
from pipelines.publish.publication import LINKAGE_FILE, TRENDS_FILE


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
    indicators = read_indicators(monitor)
    protected, lps = protect_for_publication(indicators, monitor.config.disclosure, previous)
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
            "lps_solved": lps,
            "parts": dg.MetadataValue.json(part_sizes(indicators)),
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
    report = check_protected(
        published, read_indicators(monitor), monitor.config.disclosure, previous_publication(monitor)
    )
    return check_result(report, check_seconds=round(time.perf_counter() - started, 2))


@dg.asset_check(
    asset=protected_indicators,
    name="warehouse_sealed_and_owner_only",
    blocking=True,
    description="The audit's storage scan before anything is published: every file of the run owner-only and the "
    "person-level warehouse encrypted; a finding stops the publication.",
)
def warehouse_sealed_and_owner_only(monitor: MonitorResource) -> dg.AssetCheckResult:
    out = monitor.paths.out
    # The files are scanned as they lie at rest: the run's open warehouse connection is closed (checkpointed) first,
    # and DuckDB will not attach a file twice in one process. A later step opens it again.
    close_run_connection(monitor.paths)
    findings = [*mode_findings(out), *sealing_findings(out)]
    return dg.AssetCheckResult(
        passed=not findings,
        metadata={
            "findings": len(findings),
            "examples": dg.MetadataValue.json([str(f) for f in findings[:20]]),
        },
    )


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
    return check_result(report)


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


@dg.asset(
    group_name="protect",
    deps=["schools", "protected_indicators"],
    owners=[OWNER],
    kinds={"polars", "parquet"},
    description="The public attributes (name, sector, wijk, samenwerkingsverbanden) of exactly the schools of the "
    "protected indicator table: scholen.parquet.",
)
def published_schools(monitor: MonitorResource) -> dg.MaterializeResult:
    with connect(monitor.paths) as con:
        schools = con.sql("SELECT * FROM schools").pl()
    protected = pl.read_parquet(monitor.paths.protected / "indicatoren.parquet")
    table = public_school_attributes(schools, protected)
    table.write_parquet(monitor.paths.protected / SCHOOLS_FILE)
    sectors = table.group_by("sector").len().sort("sector", nulls_last=True)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": table.height,
            "per_sector": dg.MetadataValue.json({str(s): n for s, n in sectors.iter_rows()}),
            "without_wijk": table.get_column("wijk_code").null_count(),
            "without_swv": table.filter(pl.col("po_swv").is_null() & pl.col("vo_swv").is_null()).height,
        }
    )


@dg.asset_check(
    asset=published_schools,
    name="school_attributes_check",
    blocking=True,
    description="The school table tells nothing the protected indicators do not: the same schools under the same "
    "names, only the public attribute columns, sectors from the fixed list.",
)
def school_attributes_check(monitor: MonitorResource) -> dg.AssetCheckResult:
    published = pl.read_parquet(monitor.paths.protected / SCHOOLS_FILE)
    protected = pl.read_parquet(monitor.paths.protected / "indicatoren.parquet")
    problems = school_attribute_violations(published, protected)
    return dg.AssetCheckResult(
        passed=not problems,
        metadata={"n_violations": len(problems), "violations": dg.MetadataValue.json(problems[:50])},
    )
