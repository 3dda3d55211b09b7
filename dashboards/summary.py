"""The first screen of a school or wijk page: its key figures next to last year, the gemeente and its peers.

Why: a director or wethouder preparing the periodic conversation wants to see in half a minute how the school
compares, not scroll through twenty charts. Each row carries the published teller and noemer behind the rate and
its 95 % interval; a difference from the gemeente is named only where that interval leaves the gemeente's value
out (dashboards/intervals.py), and never where the two figures do not mean the same (school F4).
"""

from __future__ import annotations

import html

from dashboards.catalogue import CatalogueEntry
from dashboards.charts import like_gemeente
from dashboards.i18n import both, both_t, format_change, format_value, t, unit_label
from dashboards.model import KEY_FIGURES, SWV, Cell, Publication, Unit, previous_year

e = html.escape
QUESTIONS = (
    ("Herkennen we de cijfers?", "Do we recognise the figures?"),
    ("Kunnen we ze verklaren?", "Can we explain them?"),
    ("Wat vinden we ervan?", "What do we think of them?"),
    ("Wat willen we verbeteren?", "What do we want to improve?"),
)
CONVERSATION = ("Voor het gesprek", "For the conversation")
LATEST = ("Dit jaar", "This year")
NOT_COMPARABLE = ("niet vergelijkbaar¹", "not comparable¹")


def number(value: float, unit: str) -> str:
    """A number written out in both languages (the page script does not re-format these)."""
    return both(format_value(value, unit, "nl"), format_value(value, unit, "en"))


def interval_text(cell: Cell, unit: str) -> str:
    if cell.interval is None:
        return ""
    low, high = (
        both(format_value(v, unit, "nl"), format_value(v, unit, "en")) for v in (cell.interval.low, cell.interval.high)
    )
    return f" <span class='ci'>({low} – {high})</span>"


def difference(cell: Cell, gemeente: Cell | None) -> str:
    """'hoger/lager dan de gemeente' where the interval leaves the gemeente's value out, else nothing."""
    if cell.interval is None or gemeente is None or gemeente.value is None:
        return ""
    if not cell.interval.excludes(gemeente.value):
        return ""
    key, mark = ("higher", "▲") if cell.interval.low > gemeente.value else ("lower", "▼")
    return f" <strong class='differs' data-differs='{key}'>{mark} {both_t(key)}</strong>"


def _teller_noemer(cell: Cell, indicator: CatalogueEntry) -> str:
    if cell.teller is None:
        return "–"
    teller = number(cell.teller, "euro" if indicator.eenheid == "euro" else "aantal")
    if cell.noemer is None or indicator.noemer is None:
        return teller
    return f"{teller} / {number(cell.noemer, 'aantal')}"


def _value(cell: Cell | None, unit: str, min_teller: int) -> str:
    if cell is None:
        return "–"
    if cell.value is not None:
        return f"<span class='num'>{number(cell.value, unit)}</span>"
    if cell.status == "leeg":
        return both_t("no_value")
    label = both(t("suppressed", "nl"), t("suppressed", "en")) if cell.status == "onderdrukt" else f"&lt; {min_teller}"
    return f"<span class='suppressed'>{label}</span>"


def _row(unit: Unit, indicator: CatalogueEntry, pub: Publication, min_teller: int, swv: Unit | None) -> str | None:
    year = pub.latest_year(indicator.id)
    own = pub.totals(unit, indicator.id).get(year or "")
    if year is None or own is None:
        return None
    unit_name = both(unit_label(indicator.eenheid, "nl"), unit_label(indicator.eenheid, "en"))
    head = (
        f"<th scope='row'>{e(indicator.id)} {both(indicator.naam_nl, indicator.naam_en)} "
        f"<span class='unit'>({unit_name}, {e(year)})</span></th>"
    )
    comparable = like_gemeente(indicator, unit.level) or indicator.noemer is None
    gemeente = pub.totals(pub.gemeente, indicator.id).get(year)
    value = _value(own, indicator.eenheid, min_teller)
    if own.value is not None:
        value += interval_text(own, indicator.eenheid)
        if comparable:
            value += difference(own, gemeente)
    before = pub.totals(unit, indicator.id).get(previous_year(year))
    change = "–"
    if own.value is not None and before is not None and before.value is not None:
        delta = own.value - before.value
        change = both(format_change(delta, indicator.eenheid, "nl"), format_change(delta, indicator.eenheid, "en"))
    benchmark = _value(gemeente, indicator.eenheid, min_teller) if comparable else both(*NOT_COMPARABLE)
    # The school's samenwerkingsverband counts its schools' pupils as the school does: the same kind of figure,
    # F4 included (both count relative absence at the case's school).
    above = f"<td>{_value(pub.totals(swv, indicator.id).get(year), indicator.eenheid, min_teller)}</td>" if swv else ""
    peers = "–"
    if indicator.noemer is not None and (median := pub.peer_median(unit, indicator.id, year)) is not None:
        peers = f"{number(median[0], indicator.eenheid)} <span class='unit'>({both_t('median_of')} {median[1]})</span>"
    return (
        f"<tr>{head}<td>{value}</td><td>{change}</td><td>{benchmark}</td>{above}<td>{peers}</td>"
        f"<td>{_teller_noemer(own, indicator) if own.value is not None else '–'}</td></tr>"
    )


def _swv_page(pub: Publication, code: str) -> Unit | None:
    return next((u for u in pub.units(SWV) if u.code == code), None)


def school_facts(unit: Unit, pub: Publication, root: str) -> str:
    """Sector, wijk and samenwerkingsverband of a school (scholen.parquet), as one line; empty otherwise."""
    facts = pub.school(unit)
    if facts is None:
        return ""
    sector = both_t(f"sector_{facts.sector}" if facts.sector else "sector_unknown")
    wijk = both_t("sector_unknown")
    if (page := pub.wijk_unit(facts.wijk_code)) is not None:
        wijk = f"<a href='{root}{page.page}'>{e(page.name)}</a>"
    elif facts.wijk_naam:
        wijk = e(facts.wijk_naam)
    if facts.swv:
        swv = ", ".join(
            f"<a href='{root}{page.page}'>{e(code)}</a>" if (page := _swv_page(pub, code)) else e(code)
            for code in facts.swv
        )
        if facts.swv_source == "gemeente":
            swv += f" <span class='unit'>({both_t('swv_by_gemeente')})</span>"
    else:
        swv = both_t("swv_none" if facts.sector == "mbo" else "sector_unknown")
    items = ((both_t("sector"), sector), (both_t("school_wijk"), wijk), (both_t("swv"), swv))
    return "<dl class='facts'>" + "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in items) + "</dl>"


def summary(unit: Unit, pub: Publication, min_teller: int, root: str = "../") -> str:
    """The summary section of a school or wijk page (empty for the gemeente): for a school its sector, wijk and
    samenwerkingsverband first, then the key figures."""
    indicators = [i for key in KEY_FIGURES if (i := pub.indicator(key)) is not None]
    swv = pub.swv_of(unit) if unit.level == "school" else None
    rows = [r for i in indicators if (r := _row(unit, i, pub, min_teller, swv)) is not None]
    facts = school_facts(unit, pub, root)
    if not rows:
        return (
            f"<section class='summary' aria-labelledby='h-summary'><h2 id='h-summary'>{both_t('summary')}</h2>"
            f"{facts}</section>"
            if facts
            else ""
        )
    peers = both_t("peers_school_col" if unit.level == "school" else "peers_wijk_col")
    if unit.level == "school" and (sector := pub.sector(unit)):
        peers = f"{peers} <span class='unit'>({both_t(f'sector_{sector}')})</span>"
    head = "".join(
        f"<th scope='col'>{h}</th>"
        for h in (
            both_t("key_figure"),
            f"{both(*LATEST)} <span class='unit'>({both_t('interval_95')})</span>",
            both_t("change_last_year"),
            f"{both_t('gemeente')} {e(pub.gemeente.name)}",
            *([f"<abbr title='{e(t('swv', 'nl'))}'>SWV</abbr> {e(swv.code)}"] if swv else []),
            peers,
            both_t("teller_noemer"),
        )
    )
    footnote = ""
    if any(not like_gemeente(i, unit.level) and i.noemer is not None for i in indicators):
        footnote = f"<p class='footnote'>¹ F4: {both_t('not_like_gemeente')}</p>"
    return (
        "<section class='summary' aria-labelledby='h-summary'>"
        f"<h2 id='h-summary'>{both_t('summary')}</h2>{facts}"
        f"<div class='scroll' tabindex='0' role='region' aria-label='{e(unit.name)}'><table class='data summary'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        f"<p class='explain'>{both_t('interval_note')}</p>{footnote}</section>"
    )


def conversation() -> str:
    """The four questions of the periodic conversation, with room for notes when printed."""
    items = "".join(f"<li><h3>{both(nl, en)}</h3><div class='notes-space'></div></li>" for nl, en in QUESTIONS)
    return (
        "<section class='conversation' aria-labelledby='h-conversation'>"
        f"<h2 id='h-conversation'>{both(*CONVERSATION)}</h2><ol>{items}</ol></section>"
    )
