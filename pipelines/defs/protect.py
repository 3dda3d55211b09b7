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
from pipelines.lib.keys import OWNER
from pipelines.lib.resources import MonitorResource
from pipelines.lib.warehouse import connect
from pipelines.protect.indicator_table import (
    check_protected,
    previous_publication,
    protect_for_publication,
    read_indicators,
    suppressed_per_indicator_level,
)
from pipelines.protect.school_attributes import SCHOOLS_FILE, public_school_attributes, school_attribute_violations


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
    protected, lps = protect_for_publication(read_indicators(monitor), monitor.config.disclosure, previous)
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
