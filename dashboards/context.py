"""The wijk context view: observed A11 against the use a wijk's CBS context predicts, and per wijk its figures.

Why a view of its own: "high" youth-care use means something else in a wijk with many low incomes than in one with
few, so the monitor shows per wijk what the model of `pipelines.context.model` expects for its context next to
what it saw. Everything drawn comes from `wijkcontext.parquet` as published (protected, checked): a suppressed
wijk is listed with its expected use and "< 10" or "onderdrukt", never with an observed value.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import altair as alt
import polars as pl

from dashboards.charts import DATA_NAME, GEMEENTE_COLOUR, UNCLEAR_COLOUR, UNIT_COLOUR, Spec, to_spec
from dashboards.i18n import Language, both, format_value, suppressed_label
from dashboards.model import Unit
from dashboards.pages import Page, PageContext, aria_label, frame

e = html.escape
PAGE = "wijkcontext.html"
SPEC = "context/A11"
CHART_ID = "context-A11"
VERDICT_TEXT: dict[str, tuple[str, str]] = {
    "hoger": ("hoger dan verwacht", "higher than expected"),
    "lager": ("lager dan verwacht", "lower than expected"),
    "zoals_verwacht": ("zoals verwacht", "as expected"),
    "onderdrukt": ("niet getoond (klein aantal)", "not shown (small number)"),
    "geen_context": ("geen CBS-cijfers", "no CBS figures"),
    "geen_model": ("te weinig wijken voor het model", "too few wijken for the model"),
    "gemeente": ("gemeente", "gemeente"),
    "geen_cel": ("geen jeugdigen", "no young residents"),
}
COLOURS = {"hoger": GEMEENTE_COLOUR, "lager": UNIT_COLOUR, "zoals_verwacht": UNCLEAR_COLOUR}
Figure = tuple[str, str, tuple[str, str]]  # column, unit ('%', 'k€', 'aantal'), name in Dutch and English


@dataclass(frozen=True)
class WijkContext:
    """What the publish stage hands the dashboard: the published wijkcontext table and its model, and the context
    figures to show (from the contract; the dashboard imports nothing of the pipeline), the first `modelled` of
    them the model's covariates."""

    table: pl.DataFrame
    coefficients: pl.DataFrame
    figures: tuple[Figure, ...]
    modelled: int


def _region(label: tuple[str, str], ctx: PageContext) -> str:
    """A scrolling region's aria-label in the page's language, switched by the page script (as `aria_label`)."""
    nl, en = (e(x) for x in label)
    shown = e(_pick(label, ctx.language))
    return f"aria-label='{shown}' data-i18n-attr='aria-label' data-attr-nl='{nl}' data-attr-en='{en}'"


def _pick(pair: tuple[str, str], language: Language) -> str:
    return pair[0] if language == "nl" else pair[1]


def scatter_template(language: Language) -> Spec:
    """Observed A11 (y) against expected (x) per wijk: a vertical line is the range the observed value would
    fall in if the wijk's use were as its context predicts (95 %), a horizontal one the expected value's own
    interval; the diagonal is 'as expected'."""
    observed = _pick(("Waargenomen A11 (%)", "Observed A11 (%)"), language)
    expected = _pick(("Verwacht bij de context (%)", "Expected for the context (%)"), language)
    verdict = _pick(("Oordeel", "Verdict"), language)
    tooltip = [
        alt.Tooltip("naam:N", title=_pick(("Wijk", "Wijk"), language)),
        alt.Tooltip("a11_waarde:Q", title=observed, format=".1f"),
        alt.Tooltip("verwacht:Q", title=expected, format=".1f"),
        alt.Tooltip(
            "voorspel_laag:Q", title=_pick(("Verwacht bereik, van", "Expected range, from"), language), format=".1f"
        ),
        alt.Tooltip("voorspel_hoog:Q", title=_pick(("tot", "to"), language), format=".1f"),
        alt.Tooltip("oordeel_tekst:N", title=verdict),
    ]
    domain = [_pick(VERDICT_TEXT[v], language) for v in COLOURS]
    colour = alt.Color(
        "oordeel_tekst:N",
        title=verdict,
        scale=alt.Scale(domain=domain, range=list(COLOURS.values())),
        legend=alt.Legend(orient="bottom", labelLimit=0),
    )
    x = alt.X("verwacht:Q", title=expected, scale=alt.Scale(zero=False, nice=True))
    y = alt.Y("a11_waarde:Q", title=observed, scale=alt.Scale(zero=False, nice=True))
    diagonal = (
        alt.Chart()
        .transform_aggregate(lo="min(verwacht_laag)", hi="max(verwacht_hoog)")
        .transform_fold(["lo", "hi"], as_=["end", "v"])
        .mark_line(color="#1b1b1b", strokeDash=[4, 4], strokeWidth=1, aria=False)
        .encode(x="v:Q", y="v:Q")
    )
    ranges = (
        alt.Chart()
        .mark_rule(strokeWidth=1.5, opacity=0.6)
        .encode(x=x, y="voorspel_laag:Q", y2="voorspel_hoog:Q", color=colour, tooltip=tooltip)
    )
    model_range = (
        alt.Chart()
        .mark_rule(strokeWidth=1, opacity=0.6)
        .encode(x="verwacht_laag:Q", x2="verwacht_hoog:Q", y=y, color=colour, tooltip=tooltip)
    )
    points = alt.Chart().mark_point(filled=True, size=60).encode(x=x, y=y, color=colour, href="url:N", tooltip=tooltip)
    title = _pick(
        (
            "A11 per wijk: waargenomen tegen verwacht bij de context",
            "A11 per wijk: observed against expected for the context",
        ),
        language,
    )
    subtitle = _pick(
        (
            "Verticale lijn: verwacht bereik (95 %) · stippellijn: waargenomen = verwacht",
            "Vertical line: expected range (95%) · dashed line: observed = expected",
        ),
        language,
    )
    labels = " : ".join(f"datum.oordeel === '{v}' ? '{_pick(VERDICT_TEXT[v], language)}'" for v in COLOURS)
    chart = (
        alt.layer(diagonal, ranges, model_range, points, data=alt.NamedData(name=DATA_NAME))
        .transform_calculate(oordeel_tekst=f"{labels} : ''")
        .properties(width=520, height=420, title=alt.Title(title, subtitle=subtitle, anchor="start"), description=title)
    )
    return to_spec(chart)


def templates(language: Language) -> dict[str, Spec]:
    return {SPEC: scatter_template(language)}


def latest_modelled_year(table: pl.DataFrame) -> str | None:
    years = table.filter(pl.col("in_model"))["schooljaar"].unique().sort()
    return years[-1] if len(years) else None


def chart_rows(table: pl.DataFrame, year: str, wijken: dict[str, Unit], root: str) -> list[dict[str, Any]]:
    """The wijken of one year with an observed and an expected value (never a suppressed one)."""
    rows = table.filter(
        pl.col("schooljaar") == year, pl.col("oordeel").is_in(list(COLOURS)), pl.col("niveau") == "wijk"
    )
    out = []
    for r in rows.iter_rows(named=True):
        unit = wijken.get(r["eenheid_code"])
        out.append(
            {
                "naam": unit.name if unit else r["eenheid_code"],
                "url": f"{root}{unit.page}" if unit else None,
                "oordeel": r["oordeel"],
                **{k: r[k] for k in ("a11_waarde", "verwacht", "verwacht_laag", "verwacht_hoog")},
                **{k: r[k] for k in ("voorspel_laag", "voorspel_hoog")},
            }
        )
    return out


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return both("–", "–")
    if unit == "k€":
        return both(f"€\u00a0{format_value(value, '', 'nl')}\u00a0k", f"€{format_value(value, '', 'en')}k")
    return both(format_value(value, unit, "nl"), format_value(value, unit, "en"))


def _observed(row: dict[str, Any], ctx: PageContext) -> str:
    if row["a11_onderdrukt"] is None:
        return both("–", "–")
    if row["a11_onderdrukt"]:
        return both(*(suppressed_label(row["a11_reden"], ctx.min_teller, lang) for lang in ("nl", "en")))
    return _value(row["a11_waarde"], "%")


def _expected(row: dict[str, Any]) -> str:
    if row["verwacht"] is None:
        return both("–", "–")
    low, high = row["verwacht_laag"], row["verwacht_hoog"]
    return f"{_value(row['verwacht'], '%')} <span class='interval'>({_value(low, '%')} – {_value(high, '%')})</span>"


def _verdict(row: dict[str, Any]) -> str:
    return both(*VERDICT_TEXT.get(row["oordeel"], (row["oordeel"], row["oordeel"])))


def _model_text(context: WijkContext, year: str) -> str:
    rows = context.coefficients.filter(pl.col("schooljaar") == year)
    if rows.is_empty():
        return ""
    names = {v: pair for v, _, pair in context.figures}
    body = "".join(
        f"<tr><th scope='row'>{both(*names.get(r['term'], ('Gemiddelde wijk', 'Average wijk')))}</th>"
        f"<td>{r['exp_coefficient']:.3f}</td><td>{r['coefficient']:.3f} ± {r['standaardfout']:.3f}</td></tr>"
        for r in rows.iter_rows(named=True)
    )
    first = rows.row(0, named=True)
    caption = both(
        f"Model {year}: Poisson-regressie over {first['wijken']} gepubliceerde wijken, dispersie "
        f"{first['dispersie']:.2f}. Een factor boven 1: meer jeugdhulp bij één standaarddeviatie meer van die "
        "kenmerk; bij de gemiddelde wijk het verwachte aandeel.",
        f"Model {year}: Poisson regression over {first['wijken']} published wijken, dispersion "
        f"{first['dispersie']:.2f}. A factor above 1: more youth care with one standard deviation more of that "
        "characteristic; for the average wijk the expected share.",
    )
    head = both("Kenmerk (gestandaardiseerd)", "Characteristic (standardised)")
    return (
        f"<table class='model'><caption>{caption}</caption><thead><tr><th scope='col'>{head}</th>"
        f"<th scope='col'>{both('Factor', 'Factor')}</th><th scope='col'>{both('Coëfficiënt', 'Coefficient')}</th>"
        f"</tr></thead><tbody>{body}</tbody></table>"
    )


def _wijk_table(context: WijkContext, year: str, wijken: dict[str, Unit], ctx: PageContext, root: str) -> str:
    modelled = context.figures[: context.modelled]
    rows = context.table.filter(
        pl.col("schooljaar") == year, pl.col("niveau") == "wijk", pl.col("oordeel") != "geen_cel"
    )
    heads = [
        both("Wijk", "Wijk"),
        *(both(*label) for _, _, label in modelled),
        both("A11 waargenomen", "A11 observed"),
        both("Verwacht (95 %-interval)", "Expected (95% interval)"),
        both("Oordeel", "Verdict"),
        both("CBS jeugdzorg", "CBS youth care"),
    ]
    body = []
    for r in rows.iter_rows(named=True):
        unit = wijken.get(r["eenheid_code"])
        name = f"<a href='{root}{e(unit.page)}'>{e(unit.name)}</a>" if unit else e(r["eenheid_code"])
        figures = "".join(f"<td>{_value(r[k], u)}</td>" for k, u, _ in modelled)
        body.append(
            f"<tr><th scope='row'>{name}</th>{figures}<td>{_observed(r, ctx)}</td><td>{_expected(r)}</td>"
            f"<td>{_verdict(r)}</td><td>{_value(r['cbs_pct_jeugdzorg'], '%')}</td></tr>"
        )
    head = "".join(f"<th scope='col'>{h}</th>" for h in heads)
    caption = both(f"Alle wijken, schooljaar {year}", f"Every wijk, school year {year}")
    return (
        f"<div class='scroll' tabindex='0' role='region' {_region(('Alle wijken', 'Every wijk'), ctx)}>"
        f"<table class='context'><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


EXPLANATION = (
    "Hoeveel jeugdhulp past bij een wijk? Het model schat per schooljaar, over de gepubliceerde wijken van de "
    "gemeente, hoe het aandeel jeugdigen met jeugdhulp (A11) samenhangt met drie CBS-kenmerken van de wijk: "
    "huishoudens met kinderen, inkomen en opleidingsniveau. Het verwachte aandeel is wat een wijk met die kenmerken "
    "gemiddeld heeft. Ligt het waargenomen aandeel buiten het verwachte bereik, dan is het gebruik hoger of lager "
    "dan de context doet verwachten: een aanleiding voor een gesprek, geen oordeel over de wijk. Wijken met kleine "
    "aantallen tellen niet mee in het model en tonen alleen hun verwachte aandeel.",
    "How much youth care fits a wijk? Per school year, over the gemeente's published wijken, the model estimates "
    "how the share of young residents with youth care (A11) goes with three CBS characteristics of the wijk: "
    "households with children, income and education level. The expected share is what a wijk with those "
    "characteristics has on average. An observed share outside the expected range means use is higher or lower "
    "than the context suggests: a reason for a conversation, not a judgement of the wijk. Wijken with small "
    "numbers are left out of the model and show only their expected share.",
)


def context_page(context: WijkContext, wijken: list[Unit], ctx: PageContext) -> tuple[Page, str | None]:
    """The gemeente's wijk context page (`wijkcontext.html`) and the school year it shows."""
    root = ""
    units = {u.code: u for u in wijken}
    table = context.table
    year = latest_modelled_year(table)
    charts: dict[str, dict[str, Any]] = {}
    heading = both("Jeugdhulp en de context van de wijk", "Youth care and the wijk's context")
    if year is None:
        content = f"<p class='note empty'>{both('Geen model: te weinig gepubliceerde wijken of geen CBS-cijfers.', 'No model: too few published wijken or no CBS figures.')}</p>"  # noqa: E501
    else:
        rows = chart_rows(table, year, units, root)
        charts[CHART_ID] = {
            "spec": SPEC,
            "rows": rows,
            "alt": {
                lang: _pick(
                    (
                        f"Spreidingsdiagram van {len(rows)} wijken: waargenomen tegen verwacht aandeel jeugdigen met "
                        f"jeugdhulp, schooljaar {year}.",
                        f"Scatter plot of {len(rows)} wijken: observed against "
                        f"expected share of young residents with youth care, school year {year}.",
                    ),
                    lang,
                )
                for lang in ("nl", "en")
            },
        }
        content = (
            f"<figure><div class='chart' id='chart-{CHART_ID}' data-chart='{CHART_ID}'></div></figure>"
            f"{_model_text(context, year)}{_wijk_table(context, year, units, ctx, root)}"
        )
    body = (
        f"<nav class='crumbs' {aria_label('breadcrumb', ctx)}><a href='index.html'>{both('Overzicht', 'Overview')}"
        f"</a> › <span aria-current='page'>{heading}</span></nav><h1>{heading}</h1>"
        f"<p class='lead'>{both(*EXPLANATION)}</p>{content}"
        f"<p class='note'>{both('Bron context: CBS, Kerncijfers wijken en buurten (CC BY 4.0). Uitleg: docs/wijkcontext.md.', 'Context source: CBS, Kerncijfers wijken en buurten (CC BY 4.0). Explained in docs/wijkcontext.md.')}</p>"  # noqa: E501
    )
    title = ("Jeugdhulp en wijkcontext", "Youth care and wijk context")
    return Page(PAGE, frame(root, title, body, charts, ctx), charts), year


def overview_link() -> str:
    """The overview's link to the context page."""
    return (
        f"<a href='{PAGE}'>{both('Jeugdhulp naast de context van de wijk', 'Youth care beside the wijk context')}</a>"
    )


def wijk_section(context: WijkContext, unit: Unit, ctx: PageContext, root: str = "../") -> str:
    """A wijk page's context block: per school year its CBS figures, A11 observed and expected, the verdict."""
    rows = context.table.filter(pl.col("eenheid_code") == unit.code, pl.col("niveau") == "wijk").sort("schooljaar")
    if rows.is_empty():
        return ""
    heads = [
        both("Schooljaar", "School year"),
        *(both(*label) for _, _, label in context.figures),
        both("A11 waargenomen", "A11 observed"),
        both("Verwacht (95 %-interval)", "Expected (95% interval)"),
        both("Oordeel", "Verdict"),
        both("CBS jeugdzorg", "CBS youth care"),
    ]
    body = "".join(
        f"<tr><th scope='row'>{e(r['schooljaar'])}</th>"
        + "".join(f"<td>{_value(r[k], u)}</td>" for k, u, _ in context.figures)
        + f"<td>{_observed(r, ctx)}</td><td>{_expected(r)}</td><td>{_verdict(r)}</td>"
        f"<td>{_value(r['cbs_pct_jeugdzorg'], '%')}</td></tr>"
        for r in rows.iter_rows(named=True)
    )
    head = "".join(f"<th scope='col'>{h}</th>" for h in heads)
    link = f"<a href='{root}{PAGE}'>{both('Alle wijken naast elkaar', 'All wijken side by side')}</a>"
    return (
        f"<section class='context' id='wijkcontext' aria-labelledby='h-wijkcontext'>"
        f"<h2 id='h-wijkcontext'>{both('Context van de wijk (CBS) en verwacht gebruik', 'Wijk context (CBS) and expected use')}</h2>"  # noqa: E501
        f"<div class='scroll' tabindex='0' role='region' {_region(('Context van de wijk', 'Wijk context'), ctx)}>"
        f"<table class='context'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        f"</div><p class='note'>{link}</p></section>"
    )
