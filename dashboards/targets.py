"""The agreed targets (streefwaarden) on a gemeente, wijk or school page and in its conversation document.

Why here and so small: a target is read in the conversation between gemeente, school and samenwerkingsverband
("are we on the way to what we agreed?"), so each is one block: the ambition in words, baseline → goal, the latest
value with its interval, the status, who agreed it when, and a small chart of the straight path with the measured
values. Everything comes from doelen.parquet and the published indicator table, both protected: a target on a
suppressed cell says so and shows no number. The chart is inline SVG: it prints, needs no script and no template.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from dashboards.catalogue import CatalogueEntry
from dashboards.i18n import both, category_label, format_value
from dashboards.intervals import interval

e = html.escape
STATUS = {
    "op koers": ("op koers", "on track", "on"),
    "niet op koers": ("niet op koers", "off track", "off"),
    "niet te beoordelen": ("niet te beoordelen", "cannot be assessed", "open"),
}
REASONS = {
    "basiswaarde onderdrukt": "baseline suppressed",
    "geen basiswaarde (geen cel in het basisjaar)": "no baseline (no cell in the baseline year)",
    "nog geen meting na het basisjaar": "no measurement after the baseline year yet",
    "laatste meting onderdrukt": "latest measurement suppressed",
    "interval breder dan de afgesproken verandering": "interval wider than the agreed change",
    "doel gelijk aan de basiswaarde": "goal equal to the baseline",
}
WIDTH, HEIGHT, PAD = 260, 96, 26


@dataclass(frozen=True)
class Point:
    """A measured year: its value and interval, or None where the cell is suppressed."""

    jaar: int
    waarde: float | None
    laag: float | None
    hoog: float | None


def _start(schooljaar: str) -> int:
    return int(schooljaar[:4])


def measured(target: dict[str, Any], table: pl.DataFrame, soort: str) -> list[Point]:
    """The published cells of the target's unit from the baseline to the target year."""
    cells = table.filter(
        pl.col("indicator") == target["indicator"],
        pl.col("niveau") == target["niveau"],
        pl.col("eenheid_code") == target["eenheid_code"],
        pl.col("categorie").eq_missing(pl.lit(target["categorie"], pl.String)),
    )
    points = []
    for r in cells.sort("schooljaar").iter_rows(named=True):
        year = _start(r["schooljaar"])
        if not _start(target["basisjaar"]) <= year <= _start(target["doeljaar"]):
            continue
        bounds = interval(soort, r["teller"], r["noemer"]) if r["waarde"] is not None else None
        points.append(Point(year, r["waarde"], bounds.low if bounds else None, bounds.high if bounds else None))
    return points


def path_chart(target: dict[str, Any], points: Sequence[Point]) -> str:
    """Inline SVG: the straight path from baseline to goal (dashed) and the measured values with intervals."""
    first, last = _start(target["basisjaar"]), _start(target["doeljaar"])
    values = [v for p in points for v in (p.waarde, p.laag, p.hoog) if v is not None]
    values += [v for v in (target["basiswaarde"], target["doelwaarde"]) if v is not None]
    if not values:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or max(abs(high), 1.0)
    low, high = low - span * 0.15, high + span * 0.15

    def x(year: int) -> float:
        return PAD + (WIDTH - 2 * PAD) * (year - first) / (last - first)

    def y(value: float) -> float:
        return HEIGHT - 16 - (HEIGHT - 26) * (value - low) / (high - low)

    unit = target["eenheid"]
    parts = [
        f"<line class='axis' x1='{PAD}' x2='{WIDTH - PAD}' y1='{HEIGHT - 14}' y2='{HEIGHT - 14}'/>",
        f"<text x='{PAD}' y='{HEIGHT - 2}' text-anchor='middle'>{e(target['basisjaar'])}</text>",
        f"<text x='{WIDTH - PAD}' y='{HEIGHT - 2}' text-anchor='middle'>{e(target['doeljaar'])}</text>",
    ]
    if target["basiswaarde"] is not None and target["doelwaarde"] is not None:
        b, g = float(target["basiswaarde"]), float(target["doelwaarde"])
        parts.append(f"<line class='path' x1='{x(first):.1f}' y1='{y(b):.1f}' x2='{x(last):.1f}' y2='{y(g):.1f}'/>")
        parts.append(f"<circle class='goal' cx='{x(last):.1f}' cy='{y(g):.1f}' r='4'/>")
        label = format_value(g, unit, "nl")
        parts.append(f"<text x='{x(last):.1f}' y='{y(g) - 7:.1f}' text-anchor='middle'>{e(label)}</text>")
    for p in points:
        if p.waarde is None:
            parts.append(f"<text class='hidden' x='{x(p.jaar):.1f}' y='{HEIGHT - 18}' text-anchor='middle'>×</text>")
            continue
        if p.laag is not None and p.hoog is not None:
            at = f"{x(p.jaar):.1f}"
            parts.append(f"<line class='ci' x1='{at}' x2='{at}' y1='{y(p.laag):.1f}' y2='{y(p.hoog):.1f}'/>")
        parts.append(f"<circle class='value' cx='{x(p.jaar):.1f}' cy='{y(p.waarde):.1f}' r='3'/>")
    shown = [p for p in points if p.waarde is not None]
    described = "; ".join(f"{p.jaar}: {format_value(p.waarde, unit, 'nl')}" for p in shown if p.waarde is not None)
    label = (
        f"Pad van {target['basisjaar']} naar {target['doeljaar']} met de gemeten waarden"
        + (f" ({described})" if described else "")
        + "; × = onderdrukt"
    )
    return (
        f"<svg class='target-chart' viewBox='0 0 {WIDTH} {HEIGHT}' width='{WIDTH}' height='{HEIGHT}' role='img' "
        f"aria-label='{e(label)}'>{''.join(parts)}</svg>"
    )


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return both("onbekend", "unknown")
    return both(format_value(value, unit, "nl"), format_value(value, unit, "en"))


def target_block(target: dict[str, Any], indicator: CatalogueEntry, points: Sequence[Point]) -> str:
    """One target: ambition, numbers, status and agreement in both languages, and its chart."""
    unit = target["eenheid"]
    name_nl, name_en = indicator.naam_nl, indicator.naam_en
    if target["categorie"] is not None:
        name_nl += f" – {category_label(indicator.dimensie, target['categorie'], 'nl')}"
        name_en += f" – {category_label(indicator.dimensie, target['categorie'], 'en')}"
    nl, en, css = STATUS[target["status"]]
    reason = target["reden"]
    why = f" ({both(reason, REASONS.get(reason, reason))})" if reason else ""
    latest = ""
    if target["meetjaar"] is not None:
        shown = _value(target["waarde"], unit) if target["waarde"] is not None else both("onderdrukt", "suppressed")
        ci = ""
        if target["interval_laag"] is not None:
            bounds = f"{_value(target['interval_laag'], unit)} – {_value(target['interval_hoog'], unit)}"
            ci = f" <span class='ci'>({bounds})</span>"
        path = ""
        if target["padwaarde"] is not None:
            path = f"; {both('pad', 'path')} {_value(target['padwaarde'], unit)}"
        latest = f"<br>{both('Laatste meting', 'Latest')} {e(target['meetjaar'])}: {shown}{ci}{path}"
    group = f" · {e(target['groep'])}" if target["groep"] else ""
    return (
        f"<div class='target'><div class='target-text'>"
        f"<p class='target-goal'>{both(target['omschrijving_nl'], target['omschrijving_en'])}</p>"
        f"<p class='target-numbers'>{both(name_nl, name_en)}: {both('basis', 'baseline')} {e(target['basisjaar'])} "
        f"{_value(target['basiswaarde'], unit)} → {both('doel', 'goal')} {e(target['doeljaar'])} "
        f"{_value(target['doelwaarde'], unit)}{latest}</p>"
        f"<p><span class='status status-{css}'>{both(nl, en)}</span>{why}</p>"
        f"<p class='target-agreed'>{both('Afgesproken', 'Agreed')}: {e(target['afspraak'])} "
        f"({e(target['partijen'])}){group}</p>"
        f"</div>{path_chart(target, points)}</div>"
    )


def targets_html(
    doelen: pl.DataFrame | None, table: pl.DataFrame, catalogue: Sequence[CatalogueEntry]
) -> dict[tuple[str, str], str]:
    """The targets section of every page that has targets: (niveau, eenheid_code) → HTML."""
    if doelen is None or doelen.is_empty():
        return {}
    entries = {i.id: i for i in catalogue}
    blocks: dict[tuple[str, str], list[str]] = {}
    for target in doelen.iter_rows(named=True):
        indicator = entries[target["indicator"]]
        points = measured(target, table, indicator.soort)
        blocks.setdefault((target["niveau"], target["eenheid_code"]), []).append(
            target_block(target, indicator, points)
        )
    title = both("Afspraken: op weg naar de streefwaarden", "Agreements: on the way to the targets")
    legend = both(
        "Gestreept: het rechte pad van basis naar doel; punt: gemeten, met 95 %-interval; × onderdrukt.",
        "Dashed: the straight path from baseline to goal; dot: measured, with its 95 % interval; × suppressed.",
    )
    return {
        unit: f"<section class='targets'><h2>{title}</h2>{''.join(parts)}"
        f"<p class='target-agreed'>{legend}</p></section>"
        for unit, parts in blocks.items()
    }
