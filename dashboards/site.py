"""Build the static dashboard: overview, one page per school, wijk and the gemeente, charts for reports.

Why static: policy staff and schools open it from a file share or an intranet without internet and
without a server that could leak person-level data; everything it shows is in the protected table.
Vega, Vega-Lite and vega-embed are shipped once (assets/vega.js, from vl-convert), chart templates once
(assets/specs.js); each page carries only its own numbers.

Exports: every chart of the overview (the rankings of all indicators) and of the gemeente page is written
as PNG and SVG for reports. School and wijk charts are not pre-exported: at the demo scale that would be
about 2 900 charts, some 160 MB and five minutes of build time (measured: ≈ 0.1 s and ≈ 55 kB per chart,
against 25 MB and ≈ 28 s for the whole site now); each of them can be saved as PNG or SVG from its chart
menu in the browser, offline.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.metadata
import json
import os
import shutil
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import altair as alt
import polars as pl
import vl_convert as vlc

from dashboards import benchmark
from dashboards import context as wijk_context
from dashboards.catalogue import CatalogueEntry
from dashboards.charts import (
    VEGA_LITE_VERSION,
    ChartContext,
    Spec,
    benchmark_template,
    export,
    key_figure_template,
    map_template,
    ranking_template,
    to_spec,
    trend_template,
    with_data,
)
from dashboards.downloads import write_downloads
from dashboards.i18n import LANGUAGES, Language, vega_locales
from dashboards.model import JEUGDREGIO, KEY_FIGURES, LEVELS, NEDERLAND, SWV, Publication
from dashboards.pages import (
    Page,
    PageContext,
    above_links,
    accessibility_page,
    benchmark_page,
    overview_page,
    swv_schools,
    unit_page,
)
from dashboards.targets import targets_html

ASSETS = ("dashboard.js", "dashboard.css")
# CBS/PDOK wijk boundaries 2024 (CC BY), simplified: cartomap/nl, see ../shared/reference/SOURCES.md §5.
WIJKEN = "wijken_2024.geojson"
BUNDLE_GLOBALS = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"


@dataclass(frozen=True)
class SiteSettings:
    """What a municipality decides about its dashboard."""

    gemeente: str
    synthetic: bool
    min_teller: int
    min_noemer: int
    language: Language = "nl"
    min_cost_persons: int = 10  # monitor.toml [disclosure]; the legend names every rule that hides a cell
    max_dominance_share: float = 0.5
    # PNG/SVG exports of the rankings and gemeente charts (vl-convert, ≈ 0.2 s a chart); off only for test runs
    # that do not look at them (MONITOR_CHART_EXPORTS=0).
    exports: bool = True


@dataclass(frozen=True)
class SiteReport:
    """What a build wrote: for the asset's metadata and the report charts."""

    folder: Path
    pages: int
    charts: int
    exports: dict[str, tuple[Path, Path]] = field(default_factory=dict)
    size_bytes: int = 0
    seconds: float = 0.0


@cache
def vega_bundle() -> str:
    """vega-embed, Vega-Lite and Vega in one classic script that defines them on `window` (no CDN).

    Bundling takes vl-convert ≈ 2 s and depends only on its version and these arguments, so the bundle is kept
    on disk beside the chart templates (`_cache_folder`)."""
    version = importlib.metadata.version("vl-convert-python")
    key = hashlib.sha256(repr((version, BUNDLE_GLOBALS, VEGA_LITE_VERSION)).encode()).hexdigest()
    path = _cache_folder() / "vega-bundles" / f"{key}.js"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    bundle = vlc.javascript_bundle(BUNDLE_GLOBALS, vl_version=VEGA_LITE_VERSION)
    _keep(path, bundle)
    return bundle


def _cache_folder() -> Path:
    return Path(os.environ.get(CACHE_VARIABLE) or Path.home() / ".cache" / "jeugdmonitor")


def _keep(path: Path, text: str) -> None:
    """Write a cache file whole (two processes may write it: each whole, the last one stays); a read-only home
    only means it is made again next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        pass


def chart_context(pub: Publication, settings: SiteSettings, language: Language) -> ChartContext:
    """The charts' shared context: with the jeugdregio and the country when the publication holds them."""
    jeugdregio = pub.above(JEUGDREGIO)
    return ChartContext(
        pub.years,
        settings.gemeente,
        settings.synthetic,
        settings.min_teller,
        language,
        jeugdregio=jeugdregio.name if jeugdregio is not None else None,
        nederland=pub.above(NEDERLAND) is not None,
    )


def chart_templates(pub: Publication, ctx: ChartContext, compared: bool = False) -> dict[str, Spec]:
    """Every chart the site draws, once per indicator and level, validated against Vega-Lite; `compared`: the
    key figures' comparison with similar gemeenten too (dashboards/benchmark.py)."""
    levels = tuple((level, tuple(pub.indicators(level))) for level in (*LEVELS, "gemeente", SWV) if pub.units(level))
    categories = tuple(
        (i.id, tuple(pub.categories(i, ctx.language).items())) for i in pub.catalogue if i.dimensie is not None
    )
    key_figures = tuple(i for key in KEY_FIGURES if (i := pub.indicator(key)) is not None)
    return copy.deepcopy(_templates(ctx, levels, categories, key_figures, compared))


CACHE_VARIABLE = "MONITOR_CACHE_DIR"  # where chart templates are kept between runs (default ~/.cache/jeugdmonitor)


@cache
def _code_version() -> str:
    """What the templates are made by: this package's source and Altair's version."""
    digest = hashlib.sha256(alt.__version__.encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=8)
def _templates(
    ctx: ChartContext,
    levels: tuple[tuple[str, tuple[CatalogueEntry, ...]], ...],
    categories: tuple[tuple[str, tuple[tuple[str, str], ...]], ...],
    key_figures: tuple[CatalogueEntry, ...],
    compared: bool,
) -> dict[str, Spec]:
    """The templates of one shape of publication. They never depend on the numbers, only on these arguments
    and the code, so they are kept on disk under a hash of both: the next monthly run, or another process of
    a test suite, pays Altair's seconds (most of a publish) once per shape. Nothing personal is in them."""
    key = hashlib.sha256(repr((ctx, levels, categories, key_figures, compared, _code_version())).encode()).hexdigest()
    path = _cache_folder() / "chart-templates" / f"{key}.json"
    try:
        cached: dict[str, Spec] = json.loads(path.read_text(encoding="utf-8"))
        return cached
    except (OSError, ValueError):
        pass
    templates = _build_templates(ctx, levels, categories, key_figures, compared)
    _keep(path, json.dumps(templates))
    return templates


def _build_templates(
    ctx: ChartContext,
    levels: tuple[tuple[str, tuple[CatalogueEntry, ...]], ...],
    categories: tuple[tuple[str, tuple[tuple[str, str], ...]], ...],
    key_figures: tuple[CatalogueEntry, ...],
    compared: bool,
) -> dict[str, Spec]:
    names = dict(categories)
    templates: dict[str, Spec] = {}
    for level, indicators in levels:
        for indicator in indicators:
            chart = trend_template(indicator, level, ctx, dict(names.get(indicator.id, ())) or None)
            templates[f"trend/{level}/{indicator.id}"] = to_spec(chart)
            if level in LEVELS and indicator.dimensie is None:
                templates[f"rank/{level}/{indicator.id}"] = to_spec(ranking_template(indicator, level, ctx))
            if level == "wijk" and indicator.dimensie is None:
                templates[f"map/{level}/{indicator.id}"] = to_spec(map_template(indicator, ctx))
    for indicator in key_figures:
        templates[f"kern/{indicator.id}"] = to_spec(key_figure_template(indicator, ctx))
        if compared:
            templates[f"vergelijking/{indicator.id}"] = to_spec(benchmark_template(indicator, ctx))
    return templates


def _compact_json(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


# NL Design System components the site uses (`make browser` installs them, pinned, from npm): copied into the
# site at publish, so it stays offline. Without them the site's own stylesheet styles the same elements.
NLDS_DIR = Path(__file__).resolve().parents[1] / ".tools" / "nlds" / "node_modules" / "@utrecht"
NLDS_COMPONENTS = ("skip-link", "button")
NLDS_FILE = "nlds.css"


def nlds_css() -> str | None:
    """The NL Design System CSS of the components the site uses, with their licence headers; None when not
    installed."""
    files = [NLDS_DIR / f"{name}-css" / "dist" / "index.css" for name in NLDS_COMPONENTS]
    if not all(f.is_file() for f in files):
        return None
    parts = []
    for name, f in zip(NLDS_COMPONENTS, files, strict=True):
        version = json.loads((f.parents[1] / "package.json").read_text(encoding="utf-8"))["version"]
        parts.append(
            f"/* @utrecht/{name}-css {version} (NL Design System, EUPL-1.2) */\n{f.read_text(encoding='utf-8')}"
        )
    return "\n".join(parts)


def _write_assets(folder: Path, templates: dict[Language, dict[str, Spec]], nlds: str | None) -> None:
    assets = folder / "assets"
    assets.mkdir(parents=True)
    if nlds is not None:
        (assets / NLDS_FILE).write_text(nlds, encoding="utf-8")
    (assets / "vega.js").write_text(vega_bundle(), encoding="utf-8")
    specs = f"window.MONITOR_SPECS = {_compact_json(templates)};\n"
    locales = f"window.MONITOR_LOCALES = {_compact_json(vega_locales())};\n"
    geo = resources.files("dashboards").joinpath("assets", WIJKEN).read_text(encoding="utf-8")
    (assets / "specs.js").write_text(specs + locales + f"window.MONITOR_GEO = {geo};\n", encoding="utf-8")
    for name in ASSETS:
        (assets / name).write_text(
            resources.files("dashboards").joinpath("assets", name).read_text(encoding="utf-8"), encoding="utf-8"
        )


def _export_all(
    folder: Path, pages: Iterable[Page], templates: dict[str, Spec], language: Language
) -> dict[str, tuple[Path, Path]]:
    """PNG and SVG of the overview's rankings and the gemeente page's charts, in the default language."""
    wanted = [
        (chart_id, chart)
        for page in pages
        for chart_id, chart in page.charts.items()
        if chart_id.startswith(("rank-", "gemeente-"))
    ]
    folder.mkdir(parents=True, exist_ok=True)

    def one(item: tuple[str, dict[str, Any]]) -> tuple[str, tuple[Path, Path]]:
        chart_id, chart = item
        png, svg = export(with_data(templates[chart["spec"]], chart["rows"], chart["alt"][language]), language)
        png_path, svg_path = folder / f"{chart_id}.png", folder / f"{chart_id}.svg"
        png_path.write_bytes(png)
        svg_path.write_text(svg, encoding="utf-8")
        return chart_id, (png_path, svg_path)

    # vl-convert releases the GIL while it draws: the charts are drawn side by side, one per core.
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        return dict(pool.map(one, wanted))


def build_dashboard(
    folder: Path,
    table: pl.DataFrame,
    catalogue: Sequence[CatalogueEntry],
    settings: SiteSettings,
    targets: pl.DataFrame | None = None,
    context: wijk_context.WijkContext | None = None,
    schools: pl.DataFrame | None = None,
    benchmarks: pl.DataFrame | None = None,
) -> SiteReport:
    """Write the site into `folder` (which must not exist yet) from the protected indicator table and the
    indicator catalogue the publish stage hands over; `targets`: doelen.parquet, if any; `context`: the
    wijkcontext table with its model (issue 20), when there is one: then a wijk context page and a context block
    on each wijk page (dashboards/context.py); `schools`: the schools' public attributes (scholen.parquet);
    `benchmarks`: vergelijking.parquet, the gemeente beside similar gemeenten (then the page vergelijking.html)."""
    started = time.perf_counter()
    pub = Publication(table, list(catalogue), schools)
    compared = benchmark.figures(benchmarks, pub)
    templates = {lang: chart_templates(pub, chart_context(pub, settings, lang), bool(compared)) for lang in LANGUAGES}
    nlds = nlds_css()
    ctx = PageContext(
        gemeente=settings.gemeente,
        synthetic=settings.synthetic,
        min_teller=settings.min_teller,
        min_noemer=settings.min_noemer,
        min_cost_persons=settings.min_cost_persons,
        max_dominance_share=settings.max_dominance_share,
        built=datetime.now().astimezone(),
        language=settings.language,
        nlds=nlds is not None,
    )
    # Sections after each unit's summary: its agreed targets, then (a wijk) its context block.
    extra = dict(targets_html(targets, table, catalogue))
    context_pages: list[Page] = []
    if context is not None and context.table.height:
        for lang in LANGUAGES:
            templates[lang] |= wijk_context.templates(lang)
        context_pages.append(wijk_context.context_page(context, pub.units("wijk"), ctx)[0])
        for u in pub.units("wijk"):
            extra[("wijk", u.code)] = extra.get(("wijk", u.code), "") + wijk_context.wijk_section(context, u, ctx)
    above = above_links(pub, "", bool(compared))
    lead = " · ".join(part for part in (wijk_context.overview_link() if context_pages else "", above) if part)
    gemeente = pub.gemeente
    if above:
        key = (gemeente.level, gemeente.code)
        extra[key] = f"<p class='lead'>{above_links(pub, '../', bool(compared))}</p>" + extra.get(key, "")
    for unit in pub.units(SWV):
        extra[(SWV, unit.code)] = swv_schools(unit, pub, ctx) + extra.get((SWV, unit.code), "")
    pages = [overview_page(pub, ctx, lead), accessibility_page(ctx)]
    pages.append(unit_page(gemeente, pub, ctx, True, extra.get((gemeente.level, gemeente.code), "")))
    pages += [
        unit_page(unit, pub, ctx, False, extra.get((unit.level, unit.code), ""))
        for level in (*LEVELS, SWV)
        for unit in pub.units(level)
    ]
    pages += context_pages
    if compared:
        pages.append(benchmark_page(compared, pub, ctx))
    _write_assets(folder, templates, nlds)
    for page in pages:
        path = folder / page.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page.html, encoding="utf-8")
        for name, content in page.files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(content, encoding="utf-8")
    write_downloads(folder, table, catalogue)
    exports = (
        _export_all(folder / "export", pages, templates[settings.language], settings.language)
        if settings.exports
        else {}
    )
    return SiteReport(
        folder=folder,
        pages=len(pages),
        charts=sum(len(p.charts) for p in pages),
        exports=exports,
        size_bytes=sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()),
        seconds=time.perf_counter() - started,
    )


def write_report_charts(out_dir: Path, site: SiteReport) -> list[Path]:
    """charts/<indicator>.png|svg|html: the gemeente's chart of every indicator, for reports.

    The HTML holds the SVG itself, so it opens offline without any script."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for chart_id, (png, svg) in sorted(site.exports.items()):
        if not chart_id.startswith("gemeente-"):
            continue
        indicator = chart_id.removeprefix("gemeente-")
        page = out_dir / f"{indicator}.html"
        drawing = svg.read_text(encoding="utf-8")
        page.write_text(
            f"<!DOCTYPE html>\n<html lang='nl'><head><meta charset='utf-8'><title>{indicator}</title></head>"
            f"<body>{drawing}</body></html>\n",
            encoding="utf-8",
        )
        written += [
            page,
            Path(shutil.copy(png, out_dir / f"{indicator}.png")),
            Path(shutil.copy(svg, out_dir / f"{indicator}.svg")),
        ]
    return written
