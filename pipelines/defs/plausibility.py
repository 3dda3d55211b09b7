"""Plausibility gates on youth-care data: blocking checks, so a delivery that lost data stops the run.

Why: a youth-care delivery can go missing without breaking any row rule. An empty `ijw/` folder or a batch of
rejected iJw messages leaves fewer rows, all of them valid, and the run would publish C1 far too low. Two gates:

* `ijw_quarantine_share`: whole iJw messages refused (and iJw clients with quarantined rows) count against
  the same `max_quarantine_share` as CSV rows do;
* volume against the previous publication, per youth-care source and delivery form (accepted rows from CSV
  and from iJw messages apart) and per school year at
  gemeente level (C1 costs, A11 clients): a drop of more than `[quality] max_volume_change` stops the run;
  so does a rise, except in the previous publication's last school year, which grows as months arrive.
  Without a previous publication there is nothing to compare with and the gates pass, saying so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import polars as pl

from pipelines.lib.keys import YOUTH_CARE_SOURCES, staged_key
from pipelines.lib.resources import MonitorResource
from pipelines.protect.indicator_table import read_indicators

YEARLY_INDICATORS = {"C1": "waarde", "A11": "teller"}  # indicator → the column compared per school year
NO_PREVIOUS = "no previous publication to compare with"


@dataclass(frozen=True)
class Change:
    what: str
    previous: float
    now: float

    @property
    def ratio(self) -> float:
        return self.now / self.previous if self.previous else float("inf")

    def sentence(self) -> str:
        return f"{self.what}: {self.now:,.0f} now against {self.previous:,.0f} in the previous publication"


def implausible(change: Change, band: float, may_grow: bool = False) -> bool:
    """Outside [1 - band, 1 + band] times the previous value (a rise allowed where `may_grow`)."""
    if change.previous <= 0:
        return False
    return change.ratio < 1 - band or (not may_grow and change.ratio > 1 + band)


def previous_manifest(monitor: MonitorResource) -> dict[str, Any] | None:
    path = monitor.paths.publish / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _summary(staged: Path, source: str) -> dict[str, Any]:
    return dict(json.loads((staged / f"{source}.summary.json").read_text(encoding="utf-8")))


@dg.asset_check(
    asset=staged_key("toewijzingen"),
    name="ijw_quarantine_share",
    blocking=True,
    description="iJw messages refused whole, and iJw clients with quarantined rows, stay under the maximum "
    "quarantine share ([quality] max_quarantine_share), as CSV rows do.",
)
def ijw_quarantine_share(monitor: MonitorResource) -> dg.AssetCheckResult:
    staged, limit = monitor.paths.staged, monitor.config.max_quarantine_share
    counts = _summary(staged, "toewijzingen").get("ijw_messages") or {}
    rejected = int(counts.get("rejected", 0))
    messages = sum(int(v) for k, v in counts.items() if k.startswith("JW")) + rejected
    ijw_files = [f for s in YOUTH_CARE_SOURCES for f in _summary(staged, s)["files"] if f.get("clients")]
    clients = sum(int(f["clients"]) for f in ijw_files)
    affected = sum(int(f["clients_quarantined"]) for f in ijw_files)
    message_share = rejected / messages if messages else 0.0
    client_share = affected / clients if clients else 0.0
    return dg.AssetCheckResult(
        passed=message_share <= limit and client_share <= limit,
        metadata={
            "messages": messages,
            "messages_rejected": rejected,
            "rejected_share": round(message_share, 5),
            "clients": clients,
            "clients_with_quarantined_rows": affected,
            "client_share": round(client_share, 5),
            "max_share": limit,
        },
        description=(
            f"{rejected} of {messages} iJw messages refused ({message_share:.1%}) and {affected} of {clients} "
            f"iJw clients with quarantined rows ({client_share:.1%}); limit {limit:.0%}."
            if messages
            else "no iJw messages in this run."
        ),
    )


def rows_by_form(files: list[dict[str, Any]]) -> dict[str, int]:
    """Accepted rows per delivery form: iJw messages (`ijw/`) and flat exports apart, so losing one form is
    seen even when the other holds most of the rows."""
    rows: dict[str, int] = {}
    for f in files:
        if f.get("duplicate_of"):
            continue
        form = "iJw messages" if str(f["name"]).startswith("ijw/") else "CSV exports"
        rows[form] = rows.get(form, 0) + int(f["rows_accepted"])
    return rows


def _make_volume_check(source: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=staged_key(source),
        name="volume_vs_previous_publication",
        blocking=True,
        description=f"Accepted {source} rows per delivery form (CSV, iJw) within [quality] max_volume_change "
        "of the previous publication's.",
    )
    def _check(monitor: MonitorResource) -> dg.AssetCheckResult:
        band = monitor.config.max_volume_change
        now = rows_by_form(_summary(monitor.paths.staged, source)["files"])
        manifest = previous_manifest(monitor)
        if manifest is None:
            return dg.AssetCheckResult(passed=True, description=f"{source}: {sum(now.values())} rows; {NO_PREVIOUS}.")
        previous = rows_by_form([f for f in manifest.get("inputs", []) if f.get("source") == source])
        changes = [Change(f"{source} rows from {form}", rows, now.get(form, 0)) for form, rows in previous.items()]
        bad = [c for c in changes if implausible(c, band)]
        shown = bad or changes
        return dg.AssetCheckResult(
            passed=not bad,
            metadata={"rows_now": dg.MetadataValue.json(now), "rows_previous": dg.MetadataValue.json(previous)},
            description="; ".join(f"{c.sentence()} ({c.ratio:.0%})" for c in shown)
            + (f"; allowed ±{band:.0%}: is a delivery missing or cut off?" if bad else f"; allowed ±{band:.0%}."),
        )

    return _check


def _gemeente_values(table: pl.DataFrame, gemeente: str) -> dict[tuple[str, str], float]:
    """(indicator, school year) → the compared number, gemeente level, published cells only."""
    values: dict[tuple[str, str], float] = {}
    rows = table.filter(
        (pl.col("niveau") == "gemeente")
        & (pl.col("eenheid_code") == gemeente)
        & pl.col("indicator").is_in(list(YEARLY_INDICATORS))
        & pl.col("dimensie").is_null()
    )
    if "onderdrukt" in rows.columns:
        rows = rows.filter(~pl.col("onderdrukt").fill_null(False))
    for row in rows.iter_rows(named=True):
        value = row[YEARLY_INDICATORS[row["indicator"]]]
        if value is not None:
            values[(row["indicator"], row["schooljaar"])] = float(value)
    return values


@dg.asset_check(
    asset=dg.AssetKey("indicators"),
    name="youth_care_vs_previous_publication",
    blocking=True,
    description="Per school year, C1 (youth-care costs) and A11 (clients 0-17) at gemeente level within "
    "[quality] max_volume_change of the previous publication (a rise allowed in its last school year).",
)
def youth_care_vs_previous_publication(monitor: MonitorResource) -> dg.AssetCheckResult:
    published = monitor.paths.publish / "indicatoren.parquet"
    if not published.is_file():
        return dg.AssetCheckResult(passed=True, description=f"C1 and A11 per school year: {NO_PREVIOUS}.")
    band, gemeente = monitor.config.max_volume_change, monitor.config.gemeente_code
    previous = _gemeente_values(pl.read_parquet(published), gemeente)
    now = _gemeente_values(read_indicators(monitor), gemeente)
    last_year = max((year for _, year in previous), default="")
    changes = [Change(f"{ind} {year}", previous[(ind, year)], now.get((ind, year), 0.0)) for ind, year in previous]
    bad = [c for c in changes if implausible(c, band, may_grow=c.what.endswith(last_year))]
    return dg.AssetCheckResult(
        passed=not bad,
        metadata={
            "compared": len(changes),
            "implausible": dg.MetadataValue.json([c.sentence() for c in bad]),
            "max_change": band,
        },
        description=(
            f"{bad[0].sentence()} ({bad[0].ratio:.0%}; allowed ±{band:.0%}); is a youth-care delivery missing "
            f"or cut off?{f' ({len(bad) - 1} more)' if len(bad) > 1 else ''}"
            if bad
            else f"{len(changes)} gemeente values of C1 and A11 within ±{band:.0%} of the previous publication."
        ),
    )


plausibility_checks = [
    ijw_quarantine_share,
    *[_make_volume_check(s) for s in YOUTH_CARE_SOURCES],
    youth_care_vs_previous_publication,
]
