"""The page "Vergelijking met vergelijkbare gemeenten" from vergelijking.parquet (pipelines/publish/benchmarks.py).

Why a page of its own: a wethouder asks "how do we do next to gemeenten like us?". Per key figure it shows the
gemeente's value and rank among its similar gemeenten ("3e van 5"), every value with its 95 % interval (a dot and
whisker chart, as the rankings draw intervals), the jeugdregio and the country as reference lines. Every number is
a cell of the one protected table: a suppressed gemeente shows "< 10" or "onderdrukt", never a value or a rank.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import polars as pl

from dashboards.catalogue import CatalogueEntry
from dashboards.i18n import LANGUAGES, Language, both, both_t, format_rank, format_value, suppressed_label, t
from dashboards.model import KEY_FIGURES, Publication

e = html.escape
PAGE = "vergelijking.html"
ORDER = ("eigen", "vergelijkbaar", "jeugdregio", "nederland")
ROLE_LABEL = {
    "eigen": "gemeente",
    "vergelijkbaar": "similar_gemeente",
    "jeugdregio": "jeugdregio",
    "nederland": "nederland",
}


@dataclass(frozen=True)
class Entry:
    """One gemeente, jeugdregio or the country on one key figure in one school year."""

    role: str
    code: str
    name: str
    value: float | None
    low: float | None
    high: float | None
    status: str  # ok | klein | onderdrukt | leeg (as dashboards.model.Cell)
    rank: int | None
    ranked: int | None


@dataclass(frozen=True)
class Figure:
    """A key figure's comparison: its school year and entries (own first, then the similar gemeenten by rank)."""

    indicator: CatalogueEntry
    year: str
    entries: tuple[Entry, ...]

    def role(self, role: str) -> list[Entry]:
        return [x for x in self.entries if x.role == role]


def _status(row: dict[str, Any]) -> str:
    if row["onderdrukt"]:
        # vergelijking.parquet may carry the reason; without it the cell is only known to be hidden
        return "klein" if row.get("reden") == "primair" else "onderdrukt"
    return "ok" if row["waarde"] is not None else "leeg"


def figures(frame: pl.DataFrame | None, pub: Publication) -> list[Figure]:
    """Per key figure with rows for the own gemeente: its latest year with a value (else its latest year); none
    when the gemeente has no similar gemeenten at all."""
    if frame is None or frame.is_empty():
        return []
    result = []
    totals = frame.filter(pl.col("categorie").is_null())
    for key in KEY_FIGURES:
        indicator = pub.indicator(key)
        rows = totals.filter(pl.col("indicator") == key)
        own = rows.filter(pl.col("rol") == "eigen")
        if indicator is None or own.is_empty():
            continue
        shown = own.filter(pl.col("waarde").is_not_null())
        year = (shown if not shown.is_empty() else own).get_column("schooljaar").max()
        entries = [
            Entry(
                role=r["rol"],
                code=r["eenheid_code"],
                name=r["eenheid_naam"],
                value=None if r["onderdrukt"] else r["waarde"],
                low=None if r["onderdrukt"] else r["ondergrens"],
                high=None if r["onderdrukt"] else r["bovengrens"],
                status=_status(r),
                rank=None if r["onderdrukt"] else r["rang"],
                ranked=None if r["onderdrukt"] else r["gerangschikt"],
            )
            for r in rows.filter(pl.col("schooljaar") == year).iter_rows(named=True)
        ]
        entries.sort(key=lambda x: (ORDER.index(x.role), x.role != "eigen" and x.rank is None, x.rank or 0, x.name))
        result.append(Figure(indicator, str(year), tuple(entries)))
    # a gemeente without similar gemeenten (a run of one gemeente) gets no page rather than six empty sections
    return result if any(item.role("vergelijkbaar") for item in result) else []


def _number(value: float | None, unit: str) -> str:
    return "–" if value is None else both(format_value(value, unit, "nl"), format_value(value, unit, "en"))


def value_text(entry: Entry | None, unit: str, min_teller: int) -> str:
    """A value with its interval, or why there is none: never a 0 for a suppressed cell."""
    if entry is None:
        return "–"
    if entry.status in ("klein", "onderdrukt"):
        reason = "secundair" if entry.status == "onderdrukt" else "primair"
        labels = (suppressed_label(reason, min_teller, lang) for lang in ("nl", "en"))
        return f"<span class='suppressed'>{both(*labels)}</span>"
    if entry.value is None:
        return both_t("no_value")
    text = f"<span class='num'>{_number(entry.value, unit)}</span>"
    if entry.low is not None and entry.high is not None:
        text += f" <span class='ci'>({_number(entry.low, unit)} – {_number(entry.high, unit)})</span>"
    return text


def rank_text(entry: Entry) -> str:
    if entry.rank is None or entry.ranked is None:
        return both_t("no_rank")
    return both(format_rank(entry.rank, entry.ranked, "nl"), format_rank(entry.rank, entry.ranked, "en"))


def _first(entries: list[Entry]) -> Entry | None:
    return entries[0] if entries else None


def summary_table(items: list[Figure], pub: Publication, min_teller: int) -> str:
    """Per key figure: the gemeente's value, its rank, the jeugdregio and the country; a level the publication
    does not hold gets no column but one sentence under the table."""
    above = [role for role in ("jeugdregio", "nederland") if any(item.role(role) for item in items)]
    head = "".join(
        f"<th scope='col'>{h}</th>"
        for h in (
            both_t("key_figure"),
            f"{both_t('gemeente')} {e(pub.gemeente.name)} <span class='unit'>({both_t('interval_95')})</span>",
            f"{both_t('rank')} <span class='unit'>({both_t('benchmark_short')})</span>",
            *(both_t(role) for role in above),
        )
    )
    rows = []
    for item in items:
        own = _first(item.role("eigen"))
        unit = item.indicator.eenheid
        rank = rank_text(own) if own is not None and item.role("vergelijkbaar") else "–"
        rows.append(
            f"<tr><th scope='row'><a href='#vgl-{e(item.indicator.id)}'>{e(item.indicator.id)} "
            f"{both(item.indicator.naam_nl, item.indicator.naam_en)}</a> "
            f"<span class='unit'>({e(item.year)})</span></th>"
            f"<td>{value_text(own, unit, min_teller)}</td><td>{rank}</td>"
            + "".join(f"<td>{value_text(_first(item.role(role)), unit, min_teller)}</td>" for role in above)
            + "</tr>"
        )
    missing = "".join(
        f"<p class='note'>{both_t(f'no_{role}')}</p>" for role in ("jeugdregio", "nederland") if role not in above
    )
    return (
        f"<div class='scroll' tabindex='0' role='region' aria-label='{e(t('benchmark_title', 'nl'))}'>"
        f"<table class='data benchmark'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        f"{missing}"
    )


def chart_rows(item: Figure) -> list[dict[str, Any]]:
    """The rows of the dot-and-whisker chart (dashboards/charts.py `benchmark_template`): suppressed gemeenten
    without a value, last; the jeugdregio and the country only where the figure is a rate."""
    rows = []
    for order, entry in enumerate(item.entries):
        if entry.role in ("jeugdregio", "nederland") and item.indicator.noemer is None:
            continue  # a count (G1) of a region is no reference for a gemeente's count
        row: dict[str, Any] = {
            "naam": entry.name,
            "rol": entry.role,
            "waarde": entry.value,
            "status": entry.status,
            "volgorde": order,
        }
        if entry.low is not None and entry.high is not None:
            row |= {"lo": entry.low, "hi": entry.high}
        rows.append(row)
    return rows


def _detail_table(item: Figure, min_teller: int) -> str:
    """The chart's numbers as a table (screen readers, print)."""
    unit = item.indicator.eenheid
    rows = "".join(
        f"<tr><th scope='row'>{e(x.name)}</th><td>{both_t(ROLE_LABEL.get(x.role, 'sector_unknown'))}</td>"
        f"<td>{value_text(x, unit, min_teller)}</td>"
        f"<td>{rank_text(x) if x.role in ('eigen', 'vergelijkbaar') else '–'}</td></tr>"
        for x in item.entries
    )
    head = "".join(
        f"<th scope='col'>{h}</th>"
        for h in (both_t("name"), both_t("level"), f"{both(item.year, item.year)}", both_t("rank"))
    )
    return (
        f"<details><summary>{both_t('as_table')}</summary><div class='scroll' tabindex='0' role='region' "
        f"aria-label='{e(item.indicator.id)}'><table class='data'><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table></div></details>"
    )


def _alt(item: Figure, pub: Publication, lang: Language) -> str:
    name = item.indicator.naam_nl if lang == "nl" else item.indicator.naam_en
    own = _first(item.role("eigen"))
    text = f"{item.indicator.id} {name}, {item.year}: {pub.gemeente.name}"
    if own is not None and own.value is not None:
        text += f" {format_value(own.value, item.indicator.eenheid, lang)}"
        if own.rank is not None and own.ranked is not None:
            text += f", {format_rank(own.rank, own.ranked, lang)}"
    return f"{text}; {len(item.role('vergelijkbaar'))} {t('benchmark_short', lang)}."


def sections(items: list[Figure], pub: Publication, min_teller: int) -> tuple[str, dict[str, dict[str, Any]]]:
    """One section per key figure: the chart (or one sentence when there is nothing to draw) and its table."""
    charts: dict[str, dict[str, Any]] = {}
    parts = []
    for item in items:
        key = e(item.indicator.id)
        heading = (
            f"<h2 id='h-vgl-{key}'>{e(item.indicator.id)} {both(item.indicator.naam_nl, item.indicator.naam_en)}</h2>"
        )
        drawable = any(x.value is not None for x in item.entries if x.role in ("eigen", "vergelijkbaar"))
        if not item.role("vergelijkbaar"):
            body = f"<p class='note empty'>{both_t('no_benchmark')}</p>"
        elif not drawable:
            body = f"<p class='note empty'>{both_t('benchmark_nothing')}</p>"
        else:
            chart_id = f"vgl-{item.indicator.id}"
            charts[chart_id] = {
                "spec": f"vergelijking/{item.indicator.id}",
                "rows": chart_rows(item),
                "alt": {lang: _alt(item, pub, lang) for lang in LANGUAGES},
            }
            body = f"<figure><div class='chart' id='chart-{chart_id}' data-chart='{chart_id}'></div></figure>"
        parts.append(
            f"<section class='indicator benchmark' id='vgl-{key}' aria-labelledby='h-vgl-{key}'>{heading}{body}"
            f"{_detail_table(item, min_teller)}</section>"
        )
    return "".join(parts), charts


def body(items: list[Figure], pub: Publication, min_teller: int) -> tuple[str, dict[str, dict[str, Any]]]:
    """The page's body: the summary table, the interval sentence, a section per key figure."""
    figures_html, charts = sections(items, pub, min_teller)
    html_ = (
        f"<h1>{both_t('benchmark_title')}: {e(pub.gemeente.name)}</h1>"
        f"<p class='lead'>{both_t('benchmark_lead')}</p>"
        f"<section aria-labelledby='h-vgl'><h2 id='h-vgl'>{both_t('summary')}</h2>"
        f"{summary_table(items, pub, min_teller)}<p class='explain'>{both_t('benchmark_interval_note')}</p></section>"
        f"{figures_html}"
    )
    return html_, charts
