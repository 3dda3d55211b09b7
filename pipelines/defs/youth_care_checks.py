"""Consistency checks of iJw declaration lines on the staged youth-care declarations (issue 5).

Why non-blocking: an inconsistent declaration is still money spent, so the canonical table keeps it and the
indicators use it; the checks make the inconsistency visible (counts per rule, the first lines with file and
line number) instead of silently fixing or dropping it. Severity WARN. With youth care only as flat CSV there
is nothing to check: the checks pass and say so.
"""

from typing import Any

import dagster as dg
import polars as pl

from pipelines.lib.keys import staged_key
from pipelines.lib.resources import MonitorResource
from pseudonymisation.ijw_consistency import CONSISTENCY_FILE, RULES, RuleReport, rule_report

NOT_APPLICABLE = "not applicable: no iJw declaration lines (JW323) in this run"


def _metadata(report: RuleReport) -> dict[str, Any]:
    return {
        "jw323_lines": report.lines,
        "lines_checked": report.checked,
        "lines_inconsistent": report.failed,
        "lines_not_applicable": report.not_applicable,
        "examples": dg.MetadataValue.json(report.examples),
        "consistency_file": f"staged/{CONSISTENCY_FILE}",
    }


def _description(report: RuleReport) -> str:
    if report.lines == 0:
        return NOT_APPLICABLE
    return (
        f"{report.failed} of {report.checked} checked declaration lines inconsistent "
        f"({report.not_applicable} not applicable): {RULES[report.rule]}."
    )


def _make_consistency_check(rule: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=staged_key("declaraties"),
        name=f"ijw_{rule}",
        blocking=False,
        description=f"iJw JW323: {RULES[rule]}. Reported, never fixed.",
    )
    def _check(monitor: MonitorResource) -> dg.AssetCheckResult:
        report = rule_report(pl.read_parquet(monitor.paths.staged / CONSISTENCY_FILE), rule)
        return dg.AssetCheckResult(
            passed=report.failed == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata=_metadata(report),
            description=_description(report),
        )

    return _check


consistency_checks = [_make_consistency_check(rule) for rule in RULES]
