"""Consistency checks of iJw messages on the staged youth-care tables (issues 5 and 18).

Declaration-line rules (JW323, also across messages: header total, one person per toewijzing) are checks of the
staged declaraties; the toewijzing rule (ingangsdatum of JW301/JW305/JW307) is a check of the staged toewijzingen.

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
from pseudonymisation.ijw_consistency import (
    ALLOCATION,
    CONSISTENCY_FILE,
    LINE,
    RULE_LEVEL,
    RULES,
    RuleReport,
    rule_report,
)

NOT_APPLICABLE = {
    LINE: "not applicable: no iJw declaration lines (JW323) in this run",
    ALLOCATION: "not applicable: no iJw toewijzingen (JW301/JW305/JW307) in this run",
}
# Per level: the staged table a rule's check is attached to, the messages it reads, and the words for what it
# counts (metadata key of the total, of the counts, and the description's noun).
_ASSET = {LINE: "declaraties", ALLOCATION: "toewijzingen"}
_MESSAGES = {LINE: "JW323", ALLOCATION: "JW301/JW305/JW307"}
_ROWS = {
    LINE: ("jw323_lines", "lines", "declaration lines"),
    ALLOCATION: ("toewijzingen", "toewijzingen", "toewijzingen"),
}


def _metadata(report: RuleReport) -> dict[str, Any]:
    total, unit, _ = _ROWS[RULE_LEVEL[report.rule]]
    metadata: dict[str, Any] = {
        total: report.lines,
        f"{unit}_checked": report.checked,
        f"{unit}_inconsistent": report.failed,
        f"{unit}_not_applicable": report.not_applicable,
        "examples": dg.MetadataValue.json(report.examples),
        "consistency_file": f"staged/{CONSISTENCY_FILE}",
    }
    if RULE_LEVEL[report.rule] == LINE:
        metadata["messages_inconsistent"] = report.messages_failed
    return metadata


def _description(report: RuleReport) -> str:
    level = RULE_LEVEL[report.rule]
    if report.lines == 0:
        return NOT_APPLICABLE[level]
    messages = f", in {report.messages_failed} message(s)" if level == LINE and report.failed else ""
    return (
        f"{report.failed} of {report.checked} checked {_ROWS[level][2]} inconsistent{messages} "
        f"({report.not_applicable} not applicable): {RULES[report.rule]}."
    )


def _make_consistency_check(rule: str) -> dg.AssetChecksDefinition:
    level = RULE_LEVEL[rule]

    @dg.asset_check(
        asset=staged_key(_ASSET[level]),
        name=f"ijw_{rule}",
        blocking=False,
        description=f"iJw {_MESSAGES[level]}: {RULES[rule]}. Reported, never fixed.",
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
