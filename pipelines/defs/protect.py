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
from pipelines.lib.warehouse import close_run_connection
from pipelines.protect.indicator_table import (
    check_protected,
    previous_publication,
    protect_for_publication,
    read_indicators,
    suppressed_per_indicator_level,
)


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
