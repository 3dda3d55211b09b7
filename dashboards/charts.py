"""Altair chart templates of the dashboard, and their export as PNG and SVG with vl-convert.

Why templates: a school page and a wijk page show the same chart for an indicator, only with other
numbers. Each chart is therefore built once per indicator, level and language, with a named data source
that the page fills in (assets/dashboard.js) or the exporter fills in (`with_data`). The site ships the
templates once instead of one spec per chart, and every template is validated against the Vega-Lite schema.

Honest about small numbers: a suppressed cell is never drawn as a value (the line breaks there) but as a
label "< 10" or "onderdrukt" at the foot of the chart. Colours are from the Okabe-Ito palette (safe for
colour-blind readers) and the two series also differ in dash and point shape.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import struct
import zlib
from dataclasses import dataclass
from typing import Any

import altair as alt
import vl_convert as vlc

from dashboards.catalogue import CatalogueEntry
from dashboards.i18n import AXIS_FORMAT, DEFAULT_AXIS_FORMAT, Language, t, unit_label, vega_locales
from dashboards.intervals import METHODS

UNIT_COLOUR = "#0072B2"  # Okabe-Ito blue
GEMEENTE_COLOUR = "#D55E00"  # Okabe-Ito vermillion
PEER_COLOUR = "#007A5A"  # Okabe-Ito bluish green, darkened to 4.5:1 on white
UNCLEAR_COLOUR = "#767676"  # grey, 4.5:1 on white: a ranking bar whose interval holds the gemeente's value
JEUGDREGIO_COLOUR = "#882255"  # Paul Tol's wine, 9:1 on white: the jeugdregio beside a gemeente
NEDERLAND_COLOUR = "#1b1b1b"  # near-black: the country
# At school level F4 counts relative absence only (at the case's school); the gemeente's F4 also counts
# absolute absence, so a school is compared with other schools (same kind of figure), not with the gemeente.
NOT_LIKE_GEMEENTE = {("school", "F4")}
DATA_NAME = "values"
TREND_SIZE = (560, 240)
FACET_SIZE = (170, 120)
KEY_SIZE = (210, 80)
MAP_SIZE = (560, 420)
TALL = 800  # pixels: taller charts are exported to PNG at their own size, not at twice the size
Spec = dict[str, Any]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The bundle shipped with the site and the exporter use the Vega-Lite version Altair's schema is for.
VEGA_LITE_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


@dataclass(frozen=True)
class ChartContext:
    """What every chart of one build shares: its years, the gemeente, the language and the threshold."""

    years: tuple[str, ...]
    gemeente: str
    synthetic: bool
    min_teller: int
    language: Language
    # The levels above the gemeente the publication holds (docs/levels.md): drawn as comparison lines on the
    # gemeente's charts. Not set for a single-gemeente publication without them: its charts stay as they were.
    jeugdregio: str | None = None
    nederland: bool = False

    def text(self, key: str) -> str:
        return t(key, self.language)

    def name(self, indicator: CatalogueEntry) -> str:
        return indicator.naam_nl if self.language == "nl" else indicator.naam_en

    def series(self, level: str) -> tuple[str, str]:
        """Legend names of the unit's series and the benchmark."""
        own = {"school": "this_school", "wijk": "this_wijk"}.get(level)
        gemeente = f"{self.text('gemeente')} {self.gemeente}"
        return (self.text(own) if own else gemeente, gemeente)

    def subtitle(self, *lines: str) -> list[str]:
        return [*lines, *([self.text("synthetic")] if self.synthetic else [])]

    def status_label(self) -> str:
        """Vega expression: the text drawn where a cell is suppressed."""
        return (
            f"datum.status === 'onderdrukt' ? '{self.text('suppressed')}' : "
            f"datum.status === 'klein' ? '< {self.min_teller}' : ''"
        )


def _format(indicator: CatalogueEntry) -> str:
    return AXIS_FORMAT.get(indicator.eenheid, DEFAULT_AXIS_FORMAT)


def _value_title(indicator: CatalogueEntry, ctx: ChartContext) -> str:
    return unit_label(indicator.eenheid, ctx.language)


def _tooltip(indicator: CatalogueEntry, ctx: ChartContext, *extra: alt.Tooltip) -> list[alt.Tooltip]:
    return [
        alt.Tooltip("jaar:O", title=ctx.text("school_year")),
        *extra,
        alt.Tooltip("reeks:N", title=" "),
        alt.Tooltip("waarde:Q", title=_value_title(indicator, ctx), format=_format(indicator)),
    ]


def benchmarked(indicator: CatalogueEntry) -> bool:
    """A rate or ratio can be held against the gemeente's; a count or total (G1, C1) cannot."""
    return indicator.noemer is not None


def like_gemeente(indicator: CatalogueEntry, level: str) -> bool:
    """Whether a school's or wijk's figure is held against the gemeente's: a rate with the same definition at both
    levels. A samenwerkingsverband spans gemeenten (and counts its schools' pupils, wherever they live): never."""
    return level in ("school", "wijk") and benchmarked(indicator) and (level, indicator.id) not in NOT_LIKE_GEMEENTE


def has_peers(indicator: CatalogueEntry, level: str) -> bool:
    """A school's or wijk's rate is also drawn against the median of its peers (same sector, or the wijken)."""
    return level in ("school", "wijk") and benchmarked(indicator) and indicator.dimensie is None


def _series(indicator: CatalogueEntry, level: str, ctx: ChartContext) -> dict[str, tuple[str, str, list[int], str]]:
    """The series a chart draws, data code → (legend name, colour, dash, point shape)."""
    gemeente = (f"{ctx.text('gemeente')} {ctx.gemeente}", GEMEENTE_COLOUR, [6, 3], "square")
    if level == "gemeente":
        above: dict[str, tuple[str, str, list[int], str]] = {"gemeente": gemeente}
        if benchmarked(indicator) and ctx.jeugdregio:
            above["jeugdregio"] = (ctx.jeugdregio, JEUGDREGIO_COLOUR, [2, 2], "diamond")
        if benchmarked(indicator) and ctx.nederland:
            above["nederland"] = (ctx.text("nederland"), NEDERLAND_COLOUR, [8, 2, 2, 2], "cross")
        return above
    own = ctx.text({"school": "this_school", "wijk": "this_wijk"}.get(level, "this_swv"))
    series = {"eenheid": (own, UNIT_COLOUR, [1, 0], "circle")}
    if like_gemeente(indicator, level):
        series["gemeente"] = gemeente
    if has_peers(indicator, level):
        peers = ctx.text("peer_schools" if level == "school" else "peer_wijken")
        series["peers"] = (peers, PEER_COLOUR, [2, 2], "triangle-up")
    return series


def _series_names(indicator: CatalogueEntry, level: str, ctx: ChartContext) -> list[str]:
    """Legend names of the series a chart draws: the unit's and, where it compares, the gemeente's and peers'."""
    return [name for name, *_ in _series(indicator, level, ctx).values()]


def _series_layers(
    indicator: CatalogueEntry,
    level: str,
    ctx: ChartContext,
    height: int,
    point_size: int,
    legend: bool = True,
    short_years: bool = False,
) -> list[alt.Chart]:
    """Unit and gemeente lines over the years, points on the values, labels where a cell is suppressed.

    The layers read the field `reeks` as the legend name (see `_name_series`). Colour, dash and point
    shape share one legend, so the series are told apart without relying on colour."""
    drawn = list(_series(indicator, level, ctx).values())
    domain = [name for name, *_ in drawn]
    shown = alt.Legend(orient="bottom", title=None, symbolStrokeWidth=2, columns=1, labelLimit=0) if legend else None

    def series(channel: type[alt.Color] | type[alt.StrokeDash] | type[alt.Shape], part: int) -> Any:
        return channel("reeks:N", scale=alt.Scale(domain=domain, range=[s[part] for s in drawn]), legend=shown)

    colour = series(alt.Color, 1)
    # '2021/2022' as '21/22' where panels are narrow
    years = "substring(datum.label, 2, 4) + '/' + substring(datum.label, 7, 9)" if short_years else "datum.label"
    x = alt.X(
        "jaar:O",
        title=ctx.text("school_year"),
        scale=alt.Scale(domain=list(ctx.years)),
        axis=alt.Axis(labelAngle=0, labelExpr=years),
    )
    y = alt.Y(
        "waarde:Q",
        title=_value_title(indicator, ctx),
        scale=alt.Scale(zero=True),
        axis=alt.Axis(format=_format(indicator), tickCount=4),
    )
    categories = [alt.Tooltip("categorie:N", title=ctx.text("category"))] if indicator.dimensie else []
    line = (
        alt.Chart()
        .mark_line(invalid="break-paths-show-domains", strokeWidth=2)
        .encode(x=x, y=y, color=colour, strokeDash=series(alt.StrokeDash, 2))
    )
    whiskers = (
        alt.Chart()
        .transform_filter("isValid(datum.lo)")
        .mark_rule(strokeWidth=1.5, aria=False)
        .encode(
            x=x,
            y=alt.Y("lo:Q", title=_value_title(indicator, ctx)),
            y2="hi:Q",
            color=colour,
            tooltip=[
                alt.Tooltip("jaar:O", title=ctx.text("school_year")),
                alt.Tooltip("lo:Q", title=ctx.text("interval_low"), format=_format(indicator)),
                alt.Tooltip("hi:Q", title=ctx.text("interval_high"), format=_format(indicator)),
            ],
        )
    )
    points = (
        alt.Chart()
        .mark_point(filled=True, size=point_size, opacity=1)
        .encode(
            x=x,
            y=y,
            color=colour,
            shape=series(alt.Shape, 3),
            tooltip=_tooltip(indicator, ctx, *categories),
        )
    )
    # "< 10" is written at the top of the plot, one line per series, never on the zero line where it
    # would read as a value of 0.
    lines = " : ".join(f"datum.reeks === '{name}' ? {7 + 13 * i}" for i, name in enumerate(domain[1:], start=1))
    labels = (
        alt.Chart()
        .transform_filter("datum.status === 'klein' || datum.status === 'onderdrukt'")
        .transform_calculate(label=ctx.status_label(), ypix=f"{lines} : 7" if lines else "7")
        .mark_text(fontSize=11, fontWeight="bold")
        .encode(x=x, y=alt.Y("ypix:Q", scale=None), text="label:N", color=colour)
    )
    return [whiskers, line, points, labels]


def _name_series(indicator: CatalogueEntry, level: str, ctx: ChartContext) -> str:
    """Vega expression: the data's series code ('eenheid', 'gemeente', 'peers') as its legend name."""
    expression = "''"
    for code, (name, *_) in _series(indicator, level, ctx).items():
        expression = f"datum.reeks === '{code}' ? '{name}' : {expression}"
    return expression


# Font sizes a reader can read on screen and in a report (Vega's defaults are 10-11 px). Set on the spec in
# `to_spec`, not with Altair's configure_*: each of those deep-copies the whole chart (a quarter of a publish).
READABLE: dict[str, dict[str, Any]] = {
    "axis": {"labelFontSize": 12, "titleFontSize": 12},
    "legend": {"labelFontSize": 12},
    "header": {"titleFontSize": 12, "labelFontSize": 12},
    "title": {"fontSize": 15, "subtitleFontSize": 12, "subtitleColor": "#444"},
}


def trend_template(
    indicator: CatalogueEntry, level: str, ctx: ChartContext, categories: dict[str, str] | None = None
) -> alt.TopLevelMixin:
    """An indicator over the years for a school, wijk or the gemeente, with the gemeente as benchmark.

    A dimension (vorm, verwijzer, productcategorie) becomes small multiples, one panel per category, so
    the same two colours keep meaning 'this unit' and 'gemeente' everywhere. `categories` maps the
    category codes in the data to their names in the chart's language (in this order)."""
    name = ctx.name(indicator)
    unit = _value_title(indicator, ctx)
    title = alt.Title(f"{indicator.id} {name}", subtitle=ctx.subtitle(f"{ctx.text('unit')}: {unit}"), anchor="start")
    description = f"{indicator.id} {name} ({unit}) {ctx.text('school_year').lower()}"
    data = alt.NamedData(name=DATA_NAME)
    if indicator.dimensie is None:
        width, height = TREND_SIZE
        chart = (
            alt.layer(*_series_layers(indicator, level, ctx, height, 70), data=data)
            .transform_calculate(reeks=_name_series(indicator, level, ctx))
            .properties(width=width, height=height, title=title, description=description)
        )
        return chart
    width, height = FACET_SIZE
    names = [
        {"cat": code, "categorie": label, "volgorde": i} for i, (code, label) in enumerate((categories or {}).items())
    ]
    layers = _series_layers(indicator, level, ctx, height, 40, short_years=True)
    panel = alt.layer(*layers).properties(width=width, height=height)
    facet = alt.Facet(
        "categorie:N",
        title=f"{ctx.text('breakdown')} {indicator.dimensie}",
        sort=alt.EncodingSortField("volgorde", op="min"),
        header=alt.Header(labelLimit=width + 30, labelFontWeight="bold"),
    )
    chart = (
        panel.facet(facet=facet, columns=3, data=data)
        .transform_lookup(
            lookup="cat",
            from_=alt.LookupData(alt.InlineData(values=names), key="cat", fields=["categorie", "volgorde"]),
        )
        .transform_calculate(reeks=_name_series(indicator, level, ctx))
        .properties(title=title, description=description)
    )
    return chart


def ranking_template(indicator: CatalogueEntry, level: str, ctx: ChartContext) -> alt.TopLevelMixin:
    """Every school (or wijk) on one indicator, ranked, against a line at the gemeente's value.

    Names come shortened from the data (labelLimit 0): measuring labels to cut them costs the exporter
    most of its time."""
    name = ctx.name(indicator)
    unit = _value_title(indicator, ctx)
    plural = ctx.text("schools" if level == "school" else "wijken")
    # A suppressed unit says so in its name on the axis ("School X (< 10)"), not as text at the bars' zero.
    y = alt.Y("naam:N", title=None, sort=alt.EncodingSortField("rang", op="min"), axis=alt.Axis(labelLimit=0))
    x = alt.X(
        "waarde:Q", title=unit, scale=alt.Scale(zero=True), axis=alt.Axis(format=_format(indicator), orient="top")
    )
    tooltip = [
        alt.Tooltip("naam:N", title=ctx.text("name")),
        alt.Tooltip("waarde:Q", title=unit, format=_format(indicator)),
    ]
    compared = like_gemeente(indicator, level)
    with_interval = indicator.soort in METHODS
    if with_interval:
        tooltip += [
            alt.Tooltip("lo:Q", title=ctx.text("interval_low"), format=_format(indicator)),
            alt.Tooltip("hi:Q", title=ctx.text("interval_high"), format=_format(indicator)),
        ]
    colour: Any = alt.value(UNIT_COLOUR)
    if with_interval and compared:
        differs, unclear = ctx.text("differs"), ctx.text("not_clearly_different")
        colour = alt.Color(
            "verschil:N",
            scale=alt.Scale(domain=[differs, unclear], range=[UNIT_COLOUR, UNCLEAR_COLOUR]),
            legend=alt.Legend(orient="bottom", title=None, columns=1, labelLimit=0),
        )
    bars = (
        alt.Chart()
        .transform_calculate(
            verschil=f"datum.afwijkend === true ? '{ctx.text('differs')}' : '{ctx.text('not_clearly_different')}'"
        )
        .mark_bar()
        .encode(x=x, y=y, href="url:N", color=colour, tooltip=tooltip)
    )
    layers = [bars]
    if with_interval:
        layers.append(
            alt.Chart()
            .transform_filter("isValid(datum.lo)")
            .mark_rule(color="#1b1b1b", strokeWidth=1.5, aria=False)
            .encode(x="lo:Q", x2="hi:Q", y=y, tooltip=tooltip)
        )
    subtitle = f"{ctx.text('unit')}: {unit}"
    if with_interval:
        subtitle += f"; — {ctx.text('interval_95')}"
    if compared:
        gemeente = f"{ctx.text('gemeente')} {ctx.gemeente}"
        subtitle += f"; - - - {gemeente}"
        layers.append(
            alt.Chart()
            .mark_rule(color=GEMEENTE_COLOUR, strokeDash=[6, 3], strokeWidth=2, aria=False)
            .encode(
                x=alt.X("max(gemeente):Q"),
                tooltip=[alt.Tooltip("max(gemeente):Q", title=gemeente, format=_format(indicator))],
            )
        )
    status = ctx.status_label()
    naam = f"({status}) === '' ? datum.label : datum.label + ' (' + ({status}) + ')'"
    chart = (
        alt.layer(*layers, data=alt.NamedData(name=DATA_NAME))
        .transform_calculate(naam=naam)
        .properties(
            width=460,
            height=alt.Step(16),
            title=alt.Title(
                f"{indicator.id} {name}: {plural.lower()}", subtitle=ctx.subtitle(subtitle), anchor="start"
            ),
            description=f"{indicator.id} {name}, {plural.lower()}",
        )
    )
    return chart


def key_figure_template(indicator: CatalogueEntry, ctx: ChartContext) -> alt.TopLevelMixin:
    """A small trend line of one gemeente key figure, for the overview's tiles (their heading is its title): the
    gemeente alone, as a tile has no room for a legend (the gemeente page draws the levels above it)."""
    ctx = dataclasses.replace(ctx, jeugdregio=None, nederland=False)
    width, height = KEY_SIZE
    chart = (
        alt.layer(
            *_series_layers(indicator, "gemeente", ctx, height, 40, legend=False, short_years=True),
            data=alt.NamedData(name=DATA_NAME),
        )
        .transform_calculate(reeks=_name_series(indicator, "gemeente", ctx))
        .properties(
            width=width,
            height=height,
            description=f"{indicator.id} {ctx.name(indicator)}, {ctx.text('gemeente').lower()} {ctx.gemeente}",
        )
    )
    return chart


BENCHMARK_ROLES = ("eigen", "vergelijkbaar", "jeugdregio", "nederland")


def benchmark_template(indicator: CatalogueEntry, ctx: ChartContext) -> alt.TopLevelMixin:
    """The gemeente among its similar gemeenten on one indicator (vergelijking.parquet): a dot per gemeente with
    its 95 % interval as a whisker, highest first, the jeugdregio and the country as vertical reference lines.

    A suppressed gemeente has no dot and says so in its name on the axis ("Lelystad (onderdrukt)"), as in the
    rankings: never a dot at 0. The rows carry `naam`, `rol`, `waarde`, `lo`, `hi`, `status` and `volgorde`."""
    name = ctx.name(indicator)
    unit = _value_title(indicator, ctx)
    names = {
        "eigen": (f"{ctx.text('gemeente')} {ctx.gemeente}", UNIT_COLOUR),
        "vergelijkbaar": (ctx.text("similar_gemeenten"), UNCLEAR_COLOUR),
    }
    if ctx.jeugdregio and benchmarked(indicator):
        names["jeugdregio"] = (ctx.jeugdregio, JEUGDREGIO_COLOUR)
    if ctx.nederland and benchmarked(indicator):
        names["nederland"] = (ctx.text("nederland"), NEDERLAND_COLOUR)
    colour = alt.Color(
        "rolnaam:N",
        scale=alt.Scale(domain=[n for n, _ in names.values()], range=[c for _, c in names.values()]),
        legend=alt.Legend(orient="bottom", title=None, columns=2, labelLimit=0),
    )
    role_name = "''"
    for code, (label, _) in names.items():
        role_name = f"datum.rol === '{code}' ? '{label}' : {role_name}"
    status = ctx.status_label()
    naam = f"({status}) === '' ? datum.naam : datum.naam + ' (' + ({status}) + ')'"
    y = alt.Y("label:N", title=None, sort=alt.EncodingSortField("volgorde", op="min"), axis=alt.Axis(labelLimit=0))
    x = alt.X(
        "waarde:Q", title=unit, scale=alt.Scale(zero=True), axis=alt.Axis(format=_format(indicator), orient="top")
    )
    tooltip = [
        alt.Tooltip("label:N", title=ctx.text("name")),
        alt.Tooltip("waarde:Q", title=unit, format=_format(indicator)),
        alt.Tooltip("lo:Q", title=ctx.text("interval_low"), format=_format(indicator)),
        alt.Tooltip("hi:Q", title=ctx.text("interval_high"), format=_format(indicator)),
    ]
    gemeenten = "datum.rol === 'eigen' || datum.rol === 'vergelijkbaar'"
    whiskers = (
        alt.Chart()
        .transform_filter(f"({gemeenten}) && isValid(datum.lo)")
        .mark_rule(strokeWidth=2, aria=False)
        .encode(x="lo:Q", x2="hi:Q", y=y, color=colour, tooltip=tooltip)
    )
    dots = (
        alt.Chart()
        .transform_filter(f"({gemeenten}) && isValid(datum.waarde)")
        .mark_point(filled=True, size=90, opacity=1)
        .encode(x=x, y=y, color=colour, shape=alt.value("circle"), tooltip=tooltip)
    )
    # every gemeente on the axis, also a suppressed one (it has no dot): an invisible rule per name
    names_on_axis = alt.Chart().transform_filter(gemeenten).mark_rule(opacity=0, aria=False).encode(y=y)
    references = (
        alt.Chart()
        .transform_filter("(datum.rol === 'jeugdregio' || datum.rol === 'nederland') && isValid(datum.waarde)")
        .mark_rule(strokeWidth=2, strokeDash=[6, 3])
        .encode(
            x=alt.X("waarde:Q"),
            color=colour,
            tooltip=[alt.Tooltip("label:N", title=ctx.text("name")), tooltip[1], tooltip[2], tooltip[3]],
        )
    )
    subtitle = f"{ctx.text('unit')}: {unit}; — {ctx.text('interval_95')}"
    if len(names) > 2:
        subtitle += f"; - - - {', '.join(n for code, (n, _) in names.items() if code in ('jeugdregio', 'nederland'))}"
    return (
        alt.layer(names_on_axis, references, whiskers, dots, data=alt.NamedData(name=DATA_NAME))
        .transform_calculate(label=naam, rolnaam=role_name)
        .properties(
            width=460,
            height=alt.Step(22),
            title=alt.Title(
                f"{indicator.id} {name}: {ctx.text('benchmark_short')}", subtitle=ctx.subtitle(subtitle), anchor="start"
            ),
            description=f"{indicator.id} {name}, {ctx.text('benchmark_short')}",
        )
    )


def to_spec(chart: alt.TopLevelMixin) -> Spec:
    """The Vega-Lite spec. Not validated here: schema validation was 45 % of a city-scale publish, and the templates
    depend only on the catalogue and the language, so tests/test_dashboard.py validates every one of them instead."""
    spec: Spec = chart.to_dict(validate=False)
    config = spec.setdefault("config", {})
    for part, settings in READABLE.items():
        config[part] = {**settings, **config.get(part, {})}
    return spec


def with_data(spec: Spec, rows: list[dict[str, Any]], description: str | None = None) -> Spec:
    """A template filled with its rows: what the page renders and what is exported."""
    filled = copy.deepcopy(spec)
    filled["data"] = {"name": DATA_NAME, "values": rows}
    if description:
        filled["description"] = description
    return filled


def export(spec: Spec, language: Language) -> tuple[bytes, str]:
    """SVG and PNG of a filled spec, numbers in the language's locale.

    The PNG is drawn at twice the size for print, except tall charts (rankings of a hundred schools),
    which are already large enough and would otherwise weigh megabytes each."""
    locale = vega_locales()[language]
    svg = vlc.vegalite_to_svg(
        spec, vl_version=VEGA_LITE_VERSION, format_locale=locale["format"], time_format_locale=locale["time"]
    )
    height = re.search(r'height="([0-9.]+)"', svg)
    png = vlc.svg_to_png(svg, scale=1 if height and float(height.group(1)) > TALL else 2)
    return compact_png(png), svg


def compact_png(png: bytes) -> bytes:
    """The same image with its pixel data deflated again at zlib's default level.

    vl-convert writes PNGs with fast compression; recompressing makes them about four times smaller
    (≈ 0.05 s each), which is what keeps the exported charts of a site in megabytes, not tens of them."""
    chunks: list[tuple[bytes, bytes]] = []
    position = len(PNG_SIGNATURE)
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        chunks.append((png[position + 4 : position + 8], png[position + 8 : position + 8 + length]))
        position += 12 + length
    pixels = zlib.compress(zlib.decompress(b"".join(data for kind, data in chunks if kind == b"IDAT")))
    out = [PNG_SIGNATURE]
    for kind, data in chunks:
        if kind != b"IDAT":
            out.append(_chunk(kind, data))
        elif pixels:  # all pixel data goes into the place of the first IDAT chunk
            out.append(_chunk(kind, pixels))
            pixels = b""
    return b"".join(out)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


HATCH = "url(#hatch)"  # an SVG pattern in the overview page (dashboards/pages.py HATCH_PATTERN)
GEO_NAME = "geo"


def map_template(indicator: CatalogueEntry, ctx: ChartContext) -> alt.TopLevelMixin:
    """The wijken coloured by the indicator (the wijk ranking's rows, looked up by code), from the CBS 2024 wijk
    boundaries shipped in assets/wijken.js. A suppressed wijk is hatched, never coloured as 0; a wijk without a
    row is light grey. The page fills the named data `geo` (boundaries) and `values` (rows)."""
    unit = _value_title(indicator, ctx)
    lookup = alt.LookupData(alt.NamedData(name=DATA_NAME), key="code", fields=["waarde", "status", "label"])
    base = alt.Chart().mark_geoshape(fill="#eeeeee", stroke="#ffffff", strokeWidth=0.7, aria=False)
    tooltip = [
        alt.Tooltip("properties.statnaam:N", title=ctx.text("name")),
        alt.Tooltip("waarde:Q", title=unit, format=_format(indicator)),
    ]
    shown = (
        alt.Chart()
        .transform_filter("isValid(datum.waarde)")
        .mark_geoshape(stroke="#ffffff", strokeWidth=0.7)
        .encode(
            color=alt.Color(
                "waarde:Q",
                title=unit,
                scale=alt.Scale(scheme="blues", zero=True),
                legend=alt.Legend(format=_format(indicator), orient="bottom"),
            ),
            tooltip=tooltip,
        )
    )
    hidden = (
        alt.Chart()
        .transform_filter("datum.status === 'klein' || datum.status === 'onderdrukt'")
        .transform_calculate(tekst=ctx.status_label())
        .mark_geoshape(fill=HATCH, stroke="#555555", strokeWidth=0.7)
        .encode(
            tooltip=[
                alt.Tooltip("properties.statnaam:N", title=ctx.text("name")),
                alt.Tooltip("tekst:N", title=unit),
            ]
        )
    )
    chart = (
        alt.layer(base, shown, hidden, data=alt.NamedData(name=GEO_NAME))
        .transform_lookup(lookup="properties.statcode", from_=lookup)
        .project(type="mercator")
        .properties(
            width=MAP_SIZE[0],  # scaled down by CSS on a phone, as every chart (viewBox)
            height=MAP_SIZE[1],
            title=alt.Title(
                f"{indicator.id} {ctx.name(indicator)}: {ctx.text('map')}",
                subtitle=ctx.subtitle(f"{ctx.text('unit')}: {unit}; {ctx.text('map_hatched')}"),
                anchor="start",
            ),
            description=f"{indicator.id} {ctx.name(indicator)}, {ctx.text('map').lower()}",
        )
    )
    return chart
