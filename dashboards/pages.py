"""HTML of the dashboard's pages: the overview, one page per school, wijk and the gemeente.

Pages are plain HTML that read without JavaScript in the default language: every text is there in Dutch
and English (the stylesheet shows one), numbers are written out, suppressed cells say "< 10" or
"onderdrukt". The page script (assets/dashboard.js) adds the charts from the shared templates and the
page's own data, switches language, and sorts and filters the tables.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dashboards import benchmark
from dashboards.catalogue import CatalogueEntry
from dashboards.charts import NOT_LIKE_GEMEENTE
from dashboards.downloads import ALL, DEFINITIONS, FOLDER, file_stem
from dashboards.i18n import (
    Language,
    both,
    both_t,
    category_label,
    format_change,
    format_date,
    format_value,
    suppressed_label,
    t,
    unit_label,
)
from dashboards.intervals import METHODS
from dashboards.model import KEY_FIGURES, LEVELS, SAME_AS, SECTORS, SWV, Cell, Publication, Unit
from dashboards.summary import conversation, interval_text, summary

e = html.escape


@dataclass(frozen=True)
class PageContext:
    """What every page of one build shares."""

    gemeente: str
    synthetic: bool
    min_teller: int
    min_noemer: int
    built: datetime
    language: Language
    min_cost_persons: int = 10
    max_dominance_share: float = 0.5
    nlds: bool = False  # the NL Design System components are shipped (assets/nlds.css, dashboards/site.py)


@dataclass
class Page:
    """A page's HTML and the charts it shows: chart id → template key, rows and alt text per language.
    `files` are loaded by the page on demand (path relative to the site → content)."""

    path: str
    html: str
    charts: dict[str, dict[str, Any]]
    files: dict[str, str] = field(default_factory=dict)


def value_html(cell: Cell | None, unit: str, ctx: PageContext, tag: str = "td", css: str = "") -> str:
    """A value in an element: the number (re-formatted by the page script on a language switch) or why not."""
    if cell is None:
        return f"<{tag} class='none {css}'>–</{tag}>"
    if cell.value is not None:
        text = e(format_value(cell.value, unit, ctx.language))
        return f"<{tag} class='num {css}' data-v='{cell.value}' data-u='{e(unit)}'>{text}</{tag}>"
    if cell.status == "leeg":
        return f"<{tag} class='none {css}'>{both_t('no_value')}</{tag}>"
    reason = "secundair" if cell.status == "onderdrukt" else "primair"
    label = both(suppressed_label(reason, ctx.min_teller, "nl"), suppressed_label(reason, ctx.min_teller, "en"))
    return f"<{tag} class='suppressed {css}'>{label}</{tag}>"


def aria_label(key: str, ctx: PageContext) -> str:
    """An aria-label in the page's language that the page script switches with the rest."""
    nl, en = (e(t(key, lang)) for lang in ("nl", "en"))
    return f"aria-label='{e(t(key, ctx.language))}' data-i18n-attr='aria-label' data-attr-nl='{nl}' data-attr-en='{en}'"


def _name(indicator: CatalogueEntry) -> str:
    return both(f"{indicator.id} {indicator.naam_nl}", f"{indicator.id} {indicator.naam_en}")


def _alt_text(
    unit: Unit, indicator: CatalogueEntry, cells: list[Cell], gemeente: list[Cell], language: Language
) -> str:
    """Alt text of a unit's chart: what it shows and its latest published value next to the gemeente's."""
    name = indicator.naam_nl if language == "nl" else indicator.naam_en
    where = unit.name if unit.level != "gemeente" else f"{t('gemeente', language).lower()} {unit.name}"
    years = sorted({c.year for c in cells})
    span = f"{years[0]}–{years[-1]}" if years else ""
    text = f"{indicator.id} {name}, {where}, {span}."
    if indicator.dimensie is not None:
        hidden = sum(1 for c in cells if c.status in ("klein", "onderdrukt"))
        hidden_text = f"{hidden}/{len(cells)} {t('suppressed', language)}"
        return f"{text} {t('breakdown', language)} {indicator.dimensie}; {hidden_text}."
    shown = [c for c in cells if c.category is None and c.value is not None]
    if not shown:
        return f"{text} {t('suppressed', language).capitalize()}."
    last = shown[-1]
    assert last.value is not None
    text += f" {last.year}: {format_value(last.value, indicator.eenheid, language)}"
    benchmark = next((c for c in gemeente if c.year == last.year and c.category is None and c.value is not None), None)
    if benchmark is not None and unit.level in LEVELS:
        assert benchmark.value is not None
        text += f" ({t('gemeente', language).lower()} {format_value(benchmark.value, indicator.eenheid, language)})"
    return text + "."


def _lags(indicator: CatalogueEntry, pub: Publication) -> bool:
    """E1 and E2 need the next school year: the gemeente has no cell for the latest year."""
    return all(c.year < pub.years[-1] for c in pub.cells(pub.gemeente, indicator.id))


def _section(indicator: CatalogueEntry, content: str) -> str:
    key = e(indicator.id)
    css = "indicator key" if indicator.id in KEY_FIGURES else "indicator"
    return f"<section class='{css}' id='ind-{key}' aria-labelledby='h-{key}'>{content}</section>"


def _chart_div(chart_id: str) -> str:
    """Where the page script draws a chart from the page's data (see assets/dashboard.js)."""
    return f"<div class='chart' id='chart-{e(chart_id)}' data-chart='{e(chart_id)}'></div>"


def _downloads(chart_id: str, root: str) -> str:
    """Links to the PNG and SVG exported for reports (only charts that were exported have them)."""
    return (
        f"<p class='downloads'>{both_t('download')}: "
        f"<a data-export='png' href='{root}export/{e(chart_id)}.png' download>PNG</a> · "
        f"<a data-export='svg' href='{root}export/{e(chart_id)}.svg' download>SVG</a></p>"
    )


def data_links(key: str, stem: str, root: str) -> str:
    """Links to the CSV and XLSX of exactly the published cells (dashboards/downloads.py)."""
    return (
        f"<p class='data-links'>{both_t(key)}: <a href='{root}{stem}.csv' download>{both_t('csv_excel')}</a> · "
        f"<a href='{root}{stem}.xlsx' download>XLSX</a> · "
        f"<a href='{root}{FOLDER}/{DEFINITIONS}.csv' download>{both_t('definitions_csv')}</a></p>"
    )


def _definition(indicator: CatalogueEntry, tag: str = "figcaption") -> str:
    noemer = e(indicator.noemer) if indicator.noemer else "—"
    same = f"<p class='meta'>{both_t('same_as_b2')}</p>" if indicator.id in SAME_AS.values() else ""
    return (
        f"<{tag} class='definition'><p><strong>{both_t('definition')}:</strong> "
        f"{both(indicator.definitie_nl, indicator.definitie_en)}</p>{same}"
        f"<p class='meta'>{both_t('numerator')}: {e(indicator.teller)} · {both_t('denominator')}: {noemer} · "
        f"{both_t('unit')}: {both(unit_label(indicator.eenheid, 'nl'), unit_label(indicator.eenheid, 'en'))}</p>"
        f"</{tag}>"
    )


def _values_table(unit: Unit, indicator: CatalogueEntry, pub: Publication, ctx: PageContext) -> str:
    """The chart's numbers as an accessible table: year (and category) × this unit and the gemeente."""
    own = pub.cells(unit, indicator.id)
    bench = {(c.year, c.category): c for c in pub.cells(pub.gemeente, indicator.id)}
    with_gemeente = unit.level in LEVELS and (unit.level, indicator.id) not in NOT_LIKE_GEMEENTE
    with_interval = unit.level != "gemeente" and indicator.soort in METHODS
    head = f"<th scope='col'>{both_t('school_year')}</th>"
    if indicator.dimensie is not None:
        head += f"<th scope='col'>{e(indicator.dimensie)}</th>"
    head += f"<th scope='col'>{e(unit.name)}</th>"
    if with_interval:
        head += f"<th scope='col'>{both_t('interval_95')}</th>"
    if with_gemeente:
        head += f"<th scope='col'>{both_t('gemeente')} {e(pub.gemeente.name)}</th>"
    rows = []
    for cell in own:
        row = f"<th scope='row'>{e(cell.year)}</th>"
        if indicator.dimensie is not None:
            labels = (category_label(indicator.dimensie, cell.category, lang) for lang in ("nl", "en"))
            row += f"<td>{both(*labels)}</td>"
        row += value_html(cell, indicator.eenheid, ctx)
        if with_interval:
            row += f"<td class='num'>{interval_text(cell, indicator.eenheid).strip() or '–'}</td>"
        if with_gemeente:
            row += value_html(bench.get((cell.year, cell.category)), indicator.eenheid, ctx)
        rows.append(f"<tr>{row}</tr>")
    return (
        f"<details><summary>{both_t('as_table')}</summary><div class='scroll' tabindex='0' role='region' "
        f"aria-label='{e(indicator.id)}'><table class='data'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}"
        "</tbody></table></div></details>"
    )


def unit_page(unit: Unit, pub: Publication, ctx: PageContext, exported: bool, extra: str = "") -> Page:
    """A school, wijk or the gemeente: every catalogue indicator at its level with trend and benchmark; `extra`
    are the sections placed after the summary, also in the printed document: the unit's agreed targets
    (dashboards/targets.py) and a wijk's context (dashboards/context.py)."""
    root = "../"
    charts: dict[str, dict[str, Any]] = {}
    sections = []
    shown_any = False
    indicators = pub.indicators(unit.level)
    gemeente_cells = {i.id: pub.cells(pub.gemeente, i.id) for i in indicators}
    for indicator in indicators:
        chart_id = f"{unit.level}-{indicator.id}" if exported else indicator.id
        cells = pub.cells(unit, indicator.id)
        heading = f"<h2 id='h-{e(indicator.id)}'>{_name(indicator)}</h2>"
        if not cells:  # e.g. D1 (BAO and SBO pupils) at a secondary school
            sections.append(_section(indicator, f"{heading}<p class='note'>{both_t('not_applicable')}</p>"))
            continue
        lagging = f"<p class='note'>{both_t('not_computed')}</p>" if _lags(indicator, pub) else ""
        table = _values_table(unit, indicator, pub, ctx)
        if not any(c.shown for c in cells):  # nothing of this unit to draw: say so, no empty axes
            empty = f"<p class='note empty'>{both_t('nothing_shown')}</p>"
            sections.append(_section(indicator, f"{heading}{empty}{_definition(indicator, 'div')}{table}"))
            continue
        shown_any = True
        charts[chart_id] = {
            "spec": f"trend/{unit.level}/{indicator.id}",
            "rows": pub.chart_rows(unit, indicator),
            "alt": {
                lang: _alt_text(unit, indicator, cells, gemeente_cells[indicator.id], lang) for lang in ("nl", "en")
            },
        }
        downloads = _downloads(chart_id, root) if exported else ""
        sections.append(
            _section(
                indicator,
                f"{heading}<figure>{_chart_div(chart_id)}{_definition(indicator)}</figure>{lagging}{table}{downloads}",
            )
        )
    toc = "".join(f"<li><a href='#ind-{e(i.id)}'>{_name(i)}</a></li>" for i in indicators)
    level = both_t(unit.level)
    pupils = pub.totals(unit, "G1").get(pub.years[-1])
    facts = ""
    if pupils is not None:
        facts += f" · {both_t('pupils')} {e(pub.years[-1])}: {value_html(pupils, 'aantal', ctx, tag='span')}"
    empty = "" if shown_any else f"<p class='note empty' role='note'>{both_t('nothing_on_page')}</p>"
    first = summary(unit, pub, ctx.min_teller, root) if unit.level in LEVELS else ""
    period = f"{pub.years[0]}–{pub.years[-1]}"
    printed = both(
        f"Gespreksdocument · {unit.name} · gegevens {period} · gemaakt op {format_date(ctx.built, 'nl')}",
        f"Conversation document · {unit.name} · data {period} · built on {format_date(ctx.built, 'en')}",
    )
    last = conversation() if unit.level in LEVELS else ""
    crumbs = (
        f"<nav class='crumbs' {aria_label('breadcrumb', ctx)}><a href='{root}index.html'>{both_t('overview')}</a> › "
        f"{level} › <span aria-current='page'>{e(unit.name)}</span></nav>"
    )
    body = (
        f"{crumbs}<p class='print-only'>{printed}</p><h1>{e(unit.name)} <span class='code'>{e(unit.code)}</span></h1>"
        f"<p class='lead'>{level}{facts}</p>{empty}{first}{extra}"
        f"{data_links('page_data', file_stem(unit.level, unit.code), root)}"
        f"<nav class='toc' {aria_label('contents', ctx)}>"
        f"<h2 class='toc-title'>{both_t('contents')}</h2>"
        f"<ul>{toc}</ul></nav><div class='key-trends'>{''.join(sections)}</div>{last}"
    )
    title = (f"{unit.name} – {t('site_title', 'nl')}", f"{unit.name} – {t('site_title', 'en')}")
    running = f"{unit.name} · {period} · {format_date(ctx.built, ctx.language)}"
    return Page(unit.page, frame(root, title, body, charts, ctx, running), charts)


def _unit_name(indicator: CatalogueEntry) -> str:
    return both(unit_label(indicator.eenheid, "nl"), unit_label(indicator.eenheid, "en"))


def _key_tile(indicator: CatalogueEntry, pub: Publication, ctx: PageContext) -> tuple[str, dict[str, Any]]:
    """One key figure: latest published value, its change since the year before, a small trend."""
    totals = pub.totals(pub.gemeente, indicator.id)
    shown = [c for c in totals.values() if c.value is not None]
    latest = shown[-1] if shown else None
    previous = totals.get(f"{int(latest.year[:4]) - 1}/{latest.year[:4]}") if latest else None
    value = value_html(latest, indicator.eenheid, ctx, tag="p", css="big")
    change = ""
    if latest is not None and previous is not None and latest.value is not None and previous.value is not None:
        delta = latest.value - previous.value
        change = (
            f"<span data-v='{delta}' data-u='{e(indicator.eenheid)}' data-signed='1'>"
            f"{e(format_change(delta, indicator.eenheid, ctx.language))}</span> "
            f"{both_t('compared_to')} {e(previous.year)}"
        )
    year = e(latest.year) if latest else ""
    chart_id = f"kern-{indicator.id}"
    rows = pub.chart_rows(pub.gemeente, indicator)
    alt = {
        lang: _alt_text(pub.gemeente, indicator, pub.cells(pub.gemeente, indicator.id), [], lang)
        for lang in ("nl", "en")
    }
    tile = (
        f"<article class='tile'><h3>{_name(indicator)}</h3>"
        f"<p class='unit-line'>{both_t('unit')}: {_unit_name(indicator)}</p>{value}<p class='sub'>{year} {change}</p>"
        f"{_chart_div(chart_id)}</article>"
    )
    return tile, {"spec": f"kern/{indicator.id}", "rows": rows, "alt": alt}


def _key_table(indicators: list[CatalogueEntry], pub: Publication, ctx: PageContext) -> str:
    head = "".join(f"<th scope='col'>{e(y)}</th>" for y in pub.years)
    rows = "".join(
        f"<tr><th scope='row'>{_name(i)}</th>"
        + "".join(value_html(pub.totals(pub.gemeente, i.id).get(y), i.eenheid, ctx) for y in pub.years)
        + "</tr>"
        for i in indicators
    )
    return (
        f"<div class='scroll' tabindex='0' role='region' {aria_label('key_table', ctx)}>"
        f"<table class='data'><caption>{both_t('key_table')}</caption><thead><tr><th scope='col'>"
        f"{both_t('indicator')}</th>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
    )


def _ranking_id(level: str, sector: str | None, indicator: str) -> str:
    return "-".join(("rank", level, *([sector] if sector else []), indicator))


def _comparison(level: str, pub: Publication, root: str) -> tuple[str, dict[str, dict[str, Any]]]:
    """A ranking of the schools of one sector group (or of the wijken) on the chosen indicator, each with its
    95 % interval, the gemeente as a line: a primary school is not ranked against an MBO college."""
    charts: dict[str, dict[str, Any]] = {}
    options: dict[str, str] = {}
    sectors: tuple[str | None, ...] = SECTORS if level == "school" else (None,)
    plural = "schools" if level == "school" else "wijken"
    for indicator in pub.indicators(level):
        if indicator.dimensie is not None:
            continue
        year = pub.latest_year(indicator.id)
        for sector in sectors:
            rows = pub.ranking_rows(level, indicator.id, sector)
            if not any(row["status"] == "ok" for row in rows):  # nothing to compare: every unit suppressed
                continue
            group = {lang: f" ({t(f'sector_{sector}', lang).lower()})" if sector else "" for lang in ("nl", "en")}
            charts[_ranking_id(level, sector, indicator.id)] = {
                "spec": f"rank/{level}/{indicator.id}",
                "rows": rows,
                "alt": {
                    lang: f"{indicator.id} {indicator.naam_nl if lang == 'nl' else indicator.naam_en}, {year}: "
                    f"{len(rows)} {t(plural, lang).lower()}{group[lang]}"
                    for lang in ("nl", "en")
                },
            }
            options.setdefault(
                indicator.id,
                f"<option value='{e(indicator.id)}' "
                f"data-nl='{e(indicator.id)} {e(indicator.naam_nl)} ({e(year or '')})' "
                f"data-en='{e(indicator.id)} {e(indicator.naam_en)} ({e(year or '')})'>{e(indicator.id)} "
                f"{e(indicator.naam_nl)} ({e(year or '')})</option>",
            )
    if not charts:
        return "", charts
    first = next(iter(charts))
    key = "compare_schools" if level == "school" else "compare_wijken"
    sector_select = ""
    if level == "school":
        choices = "".join(
            f"<option value='{s}' data-nl='{e(t(f'sector_{s}', 'nl'))}' data-en='{e(t(f'sector_{s}', 'en'))}'>"
            f"{e(t(f'sector_{s}', 'nl'))}</option>"
            for s in SECTORS
            if any(chart_id.startswith(f"rank-school-{s}-") for chart_id in charts)
        )
        sector_select = (
            f" <label for='sector-{level}'>{both_t('ranking_sector')}</label> "
            f"<select id='sector-{level}' class='rank-part' data-part='sector'>{choices}</select>"
        )
    html_ = (
        f"<section class='ranking' aria-labelledby='h-{level}' data-level='{level}' "
        f"data-available='{' '.join(charts)}'>"
        f"<h2 id='h-{level}'>{both_t(key)}</h2>"
        f"<p>{both_t('compare_note')} {both_t('interval_note')}</p>"
        f"<p class='filters'><label for='select-{level}'>{both_t('indicator')}</label> "
        f"<select id='select-{level}' class='rank-part' data-part='indicator'>{''.join(options.values())}</select>"
        f"{sector_select}</p>"
        f"<figure><div class='chart' id='chart-rank-{level}' data-chart='{first}'></div>"
        f"<p class='note empty' hidden>{both_t('no_ranking')}</p></figure>"
        + (
            f"<figure>{HATCH_PATTERN}<div class='chart map' id='chart-map-{level}' data-chart='{first}' "
            "data-template='map'></div></figure>"
            if level == "wijk"
            else ""
        )
        + f"{_downloads(first, root)}</section>"
    )
    return html_, charts


# The hatching of suppressed wijken on the map (charts.HATCH refers to it by id).
HATCH_PATTERN = (
    "<svg width='0' height='0' aria-hidden='true' focusable='false' style='position:absolute'><defs>"
    "<pattern id='hatch' width='6' height='6' patternUnits='userSpaceOnUse' patternTransform='rotate(45)'>"
    "<rect width='6' height='6' fill='#ffffff'/><line x1='0' y1='0' x2='0' y2='6' stroke='#555555' "
    "stroke-width='2.5'/></pattern></defs></svg>"
)


def _units_table(pub: Publication, ctx: PageContext) -> str:
    """All schools and wijken with the key figures of the latest year: searchable, sortable by keyboard."""
    indicators = [i for k in KEY_FIGURES if (i := pub.indicator(k)) is not None]
    years = {i.id: pub.latest_year(i.id) for i in indicators}
    head = (
        f"<th scope='col' data-type='text'><button type='button'>{both_t('name')}</button></th>"
        f"<th scope='col' data-type='text'><button type='button'>{both_t('level')}</button></th>"
        + "".join(
            f"<th scope='col' data-type='number'><button type='button'>{e(i.id)} "
            f"{both(i.naam_nl, i.naam_en)} <span class='year'>{e(years[i.id] or '')}</span></button></th>"
            for i in indicators
        )
    )
    rows = []
    for level in LEVELS:
        for unit in pub.units(level):
            cells = "".join(
                value_html(pub.totals(unit, i.id).get(years[i.id] or ""), i.eenheid, ctx)
                if level in i.niveaus
                else "<td class='none'>–</td>"
                for i in indicators
            )
            search = e(f"{unit.name} {unit.code}".lower())
            rows.append(
                f"<tr data-level='{level}' data-search='{search}'><th scope='row' data-s='{e(unit.name.lower())}'>"
                f"<a href='{e(unit.page)}'>{e(unit.name)}</a> <span class='code'>{e(unit.code)}</span></th>"
                f"<td data-s='{level}'>{both_t(level)}</td>{cells}</tr>"
            )
    level_options = "".join(
        f"<option value='{v}' data-nl='{e(t(k, 'nl'))}' data-en='{e(t(k, 'en'))}'>{e(t(k, ctx.language))}</option>"
        for v, k in (("", "all_levels"), ("school", "schools"), ("wijk", "wijken"))
    )
    return (
        f"<section aria-labelledby='h-units'><h2 id='h-units'>{both_t('all_units')}</h2>"
        f"<p>{both_t('all_units_note')}</p>"
        f"<div class='filters'><label for='unit-search'>{both_t('search')}</label> "
        f"<input id='unit-search' type='search' autocomplete='off'> "
        f"<label for='unit-level'>{both_t('level')}</label> <select id='unit-level'>{level_options}</select> "
        f"<span role='status' aria-live='polite'><span id='unit-count'>{len(rows)}</span> "
        f"{both_t('rows_shown')}</span></div>"
        f"<div class='scroll tall' tabindex='0' role='region' {aria_label('all_units', ctx)}>"
        f"<table class='data sortable' id='units'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        "</div></section>"
    )


def above_links(pub: Publication, root: str, compared: bool) -> str:
    """Links to the pages of the levels above the gemeente's schools and to the comparison with similar gemeenten,
    for the overview's and the gemeente page's lead; empty when the publication has none."""
    links = [f"<a href='{root}{benchmark.PAGE}'>{both_t('benchmark_page')}</a>"] if compared else []
    links += [f"<a href='{root}{e(u.page)}'>{both_t('samenwerkingsverband')} {e(u.code)}</a>" for u in pub.units(SWV)]
    return " · ".join(links)


def overview_page(pub: Publication, ctx: PageContext, lead: str = "") -> Page:
    """The gemeente's key figures with trend, schools and wijken compared with it, and a table of all units;
    `lead` adds links beside the gemeente's page (the wijk context page, the comparison, the samenwerkingsverbanden)."""
    root = ""
    charts: dict[str, dict[str, Any]] = {}
    key_indicators = [i for k in KEY_FIGURES if (i := pub.indicator(k)) is not None]
    tiles = []
    for indicator in key_indicators:
        tile, chart = _key_tile(indicator, pub, ctx)
        chart["rows"] = [r for r in chart["rows"] if r["reeks"] == "gemeente"]  # a tile: the gemeente alone
        tiles.append(tile)
        charts[f"kern-{indicator.id}"] = chart
    embedded = dict(charts)
    sections = []
    for level in LEVELS:
        section, ranking = _comparison(level, pub, root)
        sections.append(section)
        charts |= ranking
        embedded |= dict(list(ranking.items())[:1])
    gemeente = pub.gemeente
    body = (
        f"<h1>{both_t('site_title')}: {e(ctx.gemeente)}</h1>"
        f"<p class='lead'><a href='{e(gemeente.page)}'>{both_t('gemeente_page')}</a>{' · ' + lead if lead else ''}</p>"
        f"<section aria-labelledby='h-kern'><h2 id='h-kern'>{both_t('key_figures')}</h2>"
        f"<div class='tiles'>{''.join(tiles)}</div>{_key_table(key_indicators, pub, ctx)}</section>"
        f"{''.join(sections)}{_units_table(pub, ctx)}"
    )
    title = (f"{t('site_title', 'nl')} – {ctx.gemeente}", f"{t('site_title', 'en')} – {ctx.gemeente}")
    files = {ranking_file(chart_id): ranking_script(chart_id, chart) for chart_id, chart in charts.items()}
    return Page("index.html", frame(root, title, body, embedded, ctx), charts, files)


RANKINGS = "rank"


def ranking_file(chart_id: str) -> str:
    return f"{RANKINGS}/{chart_id}.js"


def ranking_script(chart_id: str, chart: dict[str, Any]) -> str:
    """One ranking's data as a script the overview loads when a reader picks it (works from file:// too, unlike
    fetch): 30 rankings × 3 sector groups embedded would make the overview ≈ 400 kB and slow to parse."""
    data = json.dumps(chart, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f"window.monitorRanking({json.dumps(chart_id)}, {data});\n"


def _notes(ctx: PageContext) -> str:
    """The note every page carries: how suppression shows, and that the data are synthetic when they are."""
    low = f"< {ctx.min_teller}"
    suppression = both(
        f"Cijfers die naar een persoon kunnen wijzen zijn onderdrukt. '{low}': verborgen door een primaire regel: "
        f"de teller telt minder dan {ctx.min_teller} personen, of minder dan {ctx.min_teller} personen vallen er "
        f"buiten (noemer min teller, bij een percentage), of de noemer is kleiner dan {ctx.min_noemer}, of een "
        f"bedrag rust op minder dan {ctx.min_cost_persons} personen of één persoon heeft meer dan "
        f"{ctx.max_dominance_share:.0%} ervan. '{low}' zegt dus niet dat het getal zelf kleiner is dan "
        f"{ctx.min_teller}. 'onderdrukt': verborgen zodat een andere verborgen cel niet terug te rekenen is, ook "
        "niet via totalen, andere jaren of de koppelingskwaliteit. Onderdrukte cellen zijn nooit als 0 getekend; "
        "de lijn is daar onderbroken.",
        f"Figures that could point at a person are suppressed. '{low}': hidden by a primary rule: the numerator "
        f"counts fewer than {ctx.min_teller} persons, or fewer than {ctx.min_teller} persons are left out "
        f"(denominator minus numerator, for a percentage), or the denominator is below {ctx.min_noemer}, or an "
        f"amount rests on fewer than {ctx.min_cost_persons} persons or one person holds more than "
        f"{ctx.max_dominance_share:.0%} of it. So '{low}' does not say that the number itself is below "
        f"{ctx.min_teller}. 'suppressed': hidden so that another hidden cell cannot be worked out, not even through "
        "totals, other years or the linkage quality table. Suppressed cells are never drawn as 0; the line is "
        "broken there.",
    )
    return f"<p class='note suppression' role='note' id='suppression'>{suppression}</p>"


def _running_head(text: str) -> str:
    """A page-specific @page rule: CSS cannot read the page's name from the document into a page margin."""
    if not text:
        return ""
    quoted = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return f'<style>@page {{ @top-left {{ content: "{quoted}"; font: 8pt system-ui, sans-serif; }} }}</style>'


def frame(
    root: str,
    title: tuple[str, str],
    body: str,
    charts: dict[str, dict[str, Any]],
    ctx: PageContext,
    running: str = "",
) -> str:
    """The page around a body: header with language switch, notes, footer, scripts and the page's data.
    `running` is printed at the top of every printed page (name, data period, date)."""
    lang = ctx.language
    built = both(format_date(ctx.built, "nl"), format_date(ctx.built, "en"))
    data = json.dumps({"charts": charts}, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    synthetic = f"<p class='banner' role='note'><strong>{both_t('synthetic')}</strong></p>" if ctx.synthetic else ""
    nlds = f'<link rel="stylesheet" href="{root}assets/nlds.css">\n' if ctx.nlds else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}" data-default-lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title data-nl="{e(title[0])}" data-en="{e(title[1])}">{e(title[0] if lang == "nl" else title[1])}</title>
<link rel="icon" href="data:,">
{nlds}<link rel="stylesheet" href="{root}assets/dashboard.css">{_running_head(running)}
<script src="{root}assets/vega.js" defer></script>
<script src="{root}assets/specs.js" defer></script>
<script src="{root}assets/dashboard.js" defer></script>
</head>
<body>
<a class="skip utrecht-skip-link utrecht-skip-link--visible-on-focus" href="#main">{both_t("skip")}</a>
<header class="top"><a class="brand" href="{root}index.html">{both_t("site_title")} · {e(ctx.gemeente)}</a>
<button type="button" id="lang-switch" class="lang utrecht-button utrecht-button--secondary-action"
 {aria_label("switch_label", ctx)}>{both_t("switch")}</button>
</header>
<main id="main">
{synthetic}
{body}
{_notes(ctx)}
</main>
<footer><p>{both_t("built")} {built} · <a href="{root}../indicatorcatalogus.html">{both_t("catalogue")}</a> ·
<a href="{root}../indicatoren.parquet">{both_t("data_file")}</a> ·
<a href="{root}toegankelijkheid.html">{both_t("accessibility")}</a></p>
{data_links("all_data", f"{FOLDER}/{ALL}", root)}</footer>
<script type="application/json" id="page-data">{data}</script>
</body>
</html>
"""


STATEMENT = (
    (
        "Toegankelijkheidsverklaring",
        "De gemeente wil dat iedereen dit dashboard kan gebruiken, ook met een schermlezer, alleen het "
        "toetsenbord, vergroting of op een telefoon. Het doel is de norm WCAG 2.1 niveau AA, zoals het Besluit "
        "digitale toegankelijkheid overheid voorschrijft.",
    ),
    (
        "Wat we doen",
        "Elke grafiek heeft een beschrijving en dezelfde cijfers staan in een tabel. Kleuren zijn ook zonder "
        "kleurwaarneming te onderscheiden (lijnsoort en vorm van de punten). Alle knoppen en keuzelijsten hebben "
        "een naam, en alles werkt met het toetsenbord. Bij elke publicatie controleert een automatische test "
        "(axe-core in een browser) de overzichtspagina, de gemeentepagina, een school- en een wijkpagina op "
        "ernstige en kritieke problemen, op een breed scherm en op een telefoonbreedte.",
    ),
    (
        "Wat nog niet klaar is",
        "Een automatische test vindt niet alle problemen. Het dashboard is nog niet beoordeeld door een "
        "onafhankelijke deskundige; de officiële verklaring wordt pas ingediend na zo'n onderzoek. De grafieken "
        "zelf zijn voor een schermlezer alleen als geheel beschreven; gebruik de tabel onder elke grafiek.",
    ),
    (
        "Contact",
        "Loopt u tegen een probleem aan? Meld het bij de afdeling onderzoek en statistiek van de gemeente; "
        "vermeld de pagina en wat niet werkte. U krijgt binnen vijf werkdagen antwoord.",
    ),
)
STATEMENT_EN = (
    (
        "Accessibility statement",
        "The municipality wants everyone to be able to use this dashboard, also with a screen reader, the keyboard "
        "only, magnification or on a phone. The aim is WCAG 2.1 level AA, as the Dutch government decree on digital "
        "accessibility requires.",
    ),
    (
        "What we do",
        "Every chart has a description and the same figures are in a table. Colours can be told apart without "
        "colour vision (line style and point shape). Every button and list has a name, and everything works from "
        "the keyboard. With every publication an automated test (axe-core in a browser) checks the overview, the "
        "municipality page, a school and a district page for serious and critical problems, on a wide screen and "
        "at phone width.",
    ),
    (
        "What is not done yet",
        "An automated test does not find every problem. The dashboard has not yet been reviewed by an independent "
        "expert; the official statement is filed only after such a review. For a screen reader the charts are "
        "described as a whole only; use the table below each chart.",
    ),
    (
        "Contact",
        "Did you run into a problem? Report it to the municipality's research and statistics department, with the "
        "page and what did not work. You will get an answer within five working days.",
    ),
)


def benchmark_page(items: list[benchmark.Figure], pub: Publication, ctx: PageContext) -> Page:
    """vergelijking.html: the gemeente beside its similar gemeenten, its jeugdregio and the country."""
    body, charts = benchmark.body(items, pub, ctx.min_teller)
    crumbs = (
        f"<nav class='crumbs' {aria_label('breadcrumb', ctx)}><a href='index.html'>{both_t('overview')}</a> › "
        f"<span aria-current='page'>{both_t('benchmark_page')}</span></nav>"
    )
    title = tuple(f"{t('benchmark_title', lang)} – {pub.gemeente.name}" for lang in ("nl", "en"))
    return Page(benchmark.PAGE, frame("", (title[0], title[1]), crumbs + body, charts, ctx), charts)


def swv_schools(unit: Unit, pub: Publication, ctx: PageContext) -> str:
    """A samenwerkingsverband page's own section: its schools in this publication, per sector, with the key
    figures of the latest year (the same figures as the overview's table), under its own."""
    schools = [s for s in pub.units("school") if (swv := pub.swv_of(s)) is not None and swv.code == unit.code]
    if not schools:
        return (
            f"<section><h2>{both_t('swv_schools')}</h2><p class='note empty'>{both_t('swv_no_schools')}</p></section>"
        )
    indicators = [i for k in KEY_FIGURES if (i := pub.indicator(k)) is not None]
    years = {i.id: pub.latest_year(i.id) for i in indicators}
    head = f"<th scope='col'>{both_t('name')}</th><th scope='col'>{both_t('sector')}</th>" + "".join(
        f"<th scope='col'>{e(i.id)} {both(i.naam_nl, i.naam_en)} <span class='year'>{e(years[i.id] or '')}</span></th>"
        for i in indicators
    )
    order = {s: n for n, s in enumerate(SECTORS)}
    schools.sort(key=lambda s: (order.get(pub.sector(s) or "", len(order)), s.name.lower()))
    own = f"<tr><th scope='row'>{e(unit.name)}</th><td>{both_t(SWV)}</td>" + "".join(
        value_html(pub.totals(unit, i.id).get(years[i.id] or ""), i.eenheid, ctx) for i in indicators
    )
    rows = (
        own
        + "</tr>"
        + "".join(
            f"<tr><th scope='row'><a href='../{e(s.page)}'>{e(s.name)}</a></th>"
            f"<td>{both_t(f'sector_{pub.sector(s)}' if pub.sector(s) else 'sector_unknown')}</td>"
            + "".join(value_html(pub.totals(s, i.id).get(years[i.id] or ""), i.eenheid, ctx) for i in indicators)
            + "</tr>"
            for s in schools
        )
    )
    return (
        f"<section aria-labelledby='h-swv-schools'><h2 id='h-swv-schools'>{both_t('swv_schools')}</h2>"
        f"<p>{both_t('swv_schools_note')}</p><div class='scroll' tabindex='0' role='region' "
        f"{aria_label('swv_schools', ctx)}><table class='data'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody>"
        "</table></div></section>"
    )


def accessibility_page(ctx: PageContext) -> Page:
    """toegankelijkheid.html: the accessibility statement the Besluit digitale toegankelijkheid overheid asks for."""
    parts = []
    for index, ((nl_head, nl_text), (en_head, en_text)) in enumerate(zip(STATEMENT, STATEMENT_EN, strict=True)):
        tag = "h1" if index == 0 else "h2"
        parts.append(f"<{tag}>{both(nl_head, en_head)}</{tag}><p>{both(nl_text, en_text)}</p>")
    title = (f"{STATEMENT[0][0]} – {t('site_title', 'nl')}", f"{STATEMENT_EN[0][0]} – {t('site_title', 'en')}")
    return Page("toegankelijkheid.html", frame("", title, "".join(parts), {}, ctx), {})
