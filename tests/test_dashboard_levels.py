"""The dashboard of a gemeente in a region run (issue 21): the levels above it and the comparison with similar
gemeenten, built from a small hand-made table and read in headless Chromium.

The table (2023/2024, A1 "leerlingen met jeugdhulp", a percentage):

| niveau | eenheid | teller / noemer | A1 | 95 % interval (Wilson) |
|---|---|---|---|---|
| gemeente | Almere GM0034 | 1000 / 10000 | 10,0 % | 9,4 – 10,6 % |
| gemeente | Lelystad GM0995 | 600 / 5000 | 12,0 % | 11,1 – 12,9 % |
| gemeente | Dronten GM0303 | 160 / 2000 | 8,0 % | 6,9 – 9,3 % |
| gemeente | Zeewolde GM0050 | suppressed (primair) | – | – |
| jeugdregio | Flevoland JZ08 | 1900 / 18000 | 10,6 % | |
| samenwerkingsverband | PO2401 (its schools and a third, not in Almere) | 48 / 400 | 12,0 % | |
| school | Basisschool Een (PO, PO2401) | 30 / 300 | 10,0 % | 7,1 – 13,9 % |
| school | Basisschool Twee (PO, PO2401) | 10 / 100 | 10,0 % | |
| provincie (a level the dashboard does not know) | PV24 | 1900 / 18000 | | |

Almere's similar gemeenten are Lelystad, Dronten and Zeewolde; ranked among those with a value (1 = highest):
Lelystad 1e, Almere 2e, Dronten 3e van 3; Zeewolde has no value and no rank. The benchmark frame is made by the
publish stage's own `benchmarks` (pipelines/publish/benchmarks.py) from the whole table; Almere's publication
holds its own rows and the levels above it.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from dashboards.site import SiteSettings, build_dashboard
from pipelines.indicators.catalogue import load_indicators
from pipelines.protect.school_attributes import COLUMNS as SCHOOL_COLUMNS
from pipelines.publish.benchmarks import benchmarks
from tests.test_dashboard import AXE, CHART_STATE, CHROMIUM, CHROMIUM_ARGS, QuietHandler, draw_every_chart
from tests.test_synthetic_pipeline import SPEC_COLUMNS

YEAR = "2023/2024"
PEERS = ["GM0995", "GM0303", "GM0050"]
UNITS: dict[tuple[str, str], tuple[str, str | None, int | None, int | None]] = {
    ("gemeente", "GM0034"): ("Almere", "GM0034", 1000, 10_000),
    ("gemeente", "GM0995"): ("Lelystad", "GM0995", 600, 5000),
    ("gemeente", "GM0303"): ("Dronten", "GM0303", 160, 2000),
    ("gemeente", "GM0050"): ("Zeewolde", "GM0050", None, None),
    ("jeugdregio", "JZ08"): ("Jeugdregio Flevoland", None, 1900, 18_000),
    ("samenwerkingsverband", "PO2401"): ("Samenwerkingsverband PO2401", None, 48, 400),
    ("school", "11PO00"): ("Basisschool Een", "GM0034", 30, 300),
    ("school", "11PO01"): ("Basisschool Twee", "GM0034", 10, 100),
    ("provincie", "PV24"): ("Provincie Flevoland", None, 1900, 18_000),
}


def row(level: str, code: str, year: str = YEAR) -> dict[str, Any]:
    name, gemeente, teller, noemer = UNITS[(level, code)]
    hidden = teller is None or noemer is None
    return {
        "schooljaar": year,
        "niveau": level,
        "eenheid_code": code,
        "eenheid_naam": name,
        "gemeente_code": gemeente,
        "indicator": "A1",
        "indicator_naam": "Leerlingen met jeugdhulp",
        "dimensie": None,
        "categorie": None,
        "teller": teller,
        "noemer": noemer,
        "waarde": None if teller is None or noemer is None else teller / noemer * 100,
        "eenheid": "%",
        "gemeente_waarde": None if level != "school" else 10.0,
        "onderdrukt": hidden,
        "reden": "primair" if hidden else None,
    }


def whole_table() -> pl.DataFrame:
    """Every gemeente of the run, in two years (a trend has two points)."""
    return pl.DataFrame([row(*unit, year) for unit in UNITS for year in ("2022/2023", YEAR)], schema=SPEC_COLUMNS)


def almere_view(table: pl.DataFrame) -> pl.DataFrame:
    """Almere's publication: its own rows and the levels above it (and the unknown level, which must not hurt)."""
    return table.filter(
        (pl.col("gemeente_code") == "GM0034")
        | pl.col("niveau").is_in(["jeugdregio", "samenwerkingsverband", "provincie"])
    )


def schools() -> pl.DataFrame:
    return pl.DataFrame(
        [
            (code, UNITS[("school", code)][0], "PO", "WK003401", "Stad", "PO2401", "VO2401", "pc4")
            for code in ("11PO00", "11PO01")
        ],
        schema=dict.fromkeys(SCHOOL_COLUMNS, pl.String),
        orient="row",
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Almere's dashboard of the hand-made region (no PNG/SVG exports: nothing here looks at them)."""
    table = whole_table()
    frame = benchmarks(table, "GM0034", PEERS, "JZ08")
    folder = tmp_path_factory.mktemp("regio") / "dashboard"
    settings = SiteSettings("Almere", True, 10, 50, exports=False)
    build_dashboard(folder, almere_view(table), load_indicators(), settings, schools=schools(), benchmarks=frame)
    return folder


def page_data(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    data = re.search(r"<script type=\"application/json\" id=\"page-data\">(.*?)</script>", text, re.S)
    assert data is not None
    loaded: dict[str, Any] = json.loads(data.group(1))
    return loaded


def text_of(html: str) -> str:
    """The Dutch text of a piece of HTML: English spans and tags dropped, spaces folded."""
    dutch = re.sub(r'<span class="l-en" lang="en">.*?</span>', "", html)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dutch)).replace("\u00a0", " ")
    return text.replace("( ", "(").replace(" )", ")").strip()


def test_the_benchmark_shows_value_interval_rank_and_reference_levels_and_no_value_for_a_suppressed_peer(
    site: Path,
) -> None:
    page = (site / "vergelijking.html").read_text(encoding="utf-8")
    table = page[page.index("<table class='data benchmark'>") : page.index("</table>")]
    a1 = text_of(table[table.index("A1 ") :])
    assert a1.startswith("A1 Leerlingen met jeugdhulp (2023/2024) 10,0 % (9,4 % – 10,6 %) 2e van 3 10,6 %"), a1
    assert "Nederland staat er niet bij" in text_of(page), "a level without figures says so in one sentence"
    detail = page[page.index("id='vgl-A1'") :]
    rows = {m[0]: text_of(m[1]) for m in re.findall(r"<tr><th scope='row'>(.*?)</th>(.*?)</tr>", detail)}
    assert rows["Lelystad"].startswith("Vergelijkbare gemeente 12,0 % (11,1 % – 12,9 %) 1e van 3")
    assert rows["Dronten"].startswith("Vergelijkbare gemeente 8,0 % (6,9 % – 9,3 %) 3e van 3")
    # vergelijking.parquet carries the published reason: a primary suppression reads "< 10", no value, no rank, never 0
    assert html.unescape(rows["Zeewolde"]) == "Vergelijkbare gemeente < 10 geen rang"
    assert "uitvallen" not in text_of(page) and "betrouwbaarheidsinterval" in text_of(page)
    chart = page_data(site / "vergelijking.html")["charts"]["vgl-A1"]
    by_name = {r["naam"]: r for r in chart["rows"]}
    assert by_name["Zeewolde"]["waarde"] is None and "lo" not in by_name["Zeewolde"]
    assert by_name["Zeewolde"]["status"] == "klein"
    assert [r["naam"] for r in chart["rows"]] == ["Almere", "Lelystad", "Dronten", "Zeewolde", "Jeugdregio Flevoland"]
    assert by_name["Jeugdregio Flevoland"]["rol"] == "jeugdregio"


def test_a_gemeente_without_similar_gemeenten_gets_no_comparison_page(tmp_path: Path) -> None:
    table = whole_table()
    alone = benchmarks(table, "GM0034", [], "JZ08")  # a run of one gemeente: no similar ones
    settings = SiteSettings("Almere", True, 10, 50, exports=False)
    build_dashboard(
        tmp_path / "d", almere_view(table), load_indicators(), settings, schools=schools(), benchmarks=alone
    )
    assert not (tmp_path / "d" / "vergelijking.html").exists()
    assert "vergelijking.html" not in (tmp_path / "d" / "index.html").read_text(encoding="utf-8")


def test_the_new_levels_show_where_a_reader_looks_and_an_unknown_level_breaks_nothing(site: Path) -> None:
    school = (site / "school" / "11PO00.html").read_text(encoding="utf-8")
    summary = school[school.index("<table class='data summary'>") : school.index("</table>")]
    assert "SWV</abbr> PO2401" in summary, "the school's samenwerkingsverband beside the gemeente"
    a1 = text_of(summary[summary.index("A1 ") :])
    assert a1.startswith(
        "A1 Leerlingen met jeugdhulp (%, 2023/2024) 10,0 % (7,1 % – 13,9 %) ±0,0 %-punt 10,0 % 12,0 % 10,0 %"
    ), a1
    assert "href='../samenwerkingsverband/PO2401.html'" in school
    swv = (site / "samenwerkingsverband" / "PO2401.html").read_text(encoding="utf-8")
    schools_table = text_of(swv[swv.index("id='h-swv-schools'") : swv.index("</table>")])
    assert "Samenwerkingsverband PO2401 Samenwerkingsverband 12,0 %" in schools_table, "its own figure first"
    assert "Basisschool Een Basisonderwijs (po) 10,0 %" in schools_table, "then its schools, with their sector"
    assert "Basisschool Twee Basisonderwijs (po) 10,0 %" in schools_table
    gemeente = page_data(site / "gemeente" / "GM0034.html")["charts"]["gemeente-A1"]
    assert {r["reeks"] for r in gemeente["rows"]} == {"gemeente", "jeugdregio"}, "the jeugdregio as comparison line"
    overview = (site / "index.html").read_text(encoding="utf-8")
    assert "href='vergelijking.html'" in overview
    tiles = page_data(site / "index.html")["charts"]["kern-A1"]
    assert {r["reeks"] for r in tiles["rows"]} == {"gemeente"}, "a tile has no room for a legend"
    assert not (site / "provincie").exists(), "a level the dashboard does not know gets no page"
    specs = (site / "assets" / "specs.js").read_text(encoding="utf-8")
    assert "Jeugdregio Flevoland" in specs, "the legend names the jeugdregio"


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_the_region_pages_draw_fit_a_phone_and_axe_finds_nothing_serious(served: str) -> None:
    """The comparison, gemeente, school and samenwerkingsverband pages at 1366 and 390 px; in the comparison chart
    the suppressed Zeewolde is on the axis as "Zeewolde (< 10)" without a dot: three dots for four gemeenten."""
    assert AXE.is_file(), "axe-core is missing: `make browser` installs it from npm"
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for width in (1366, 390):
            for path in (
                "vergelijking.html",
                "gemeente/GM0034.html",
                "school/11PO00.html",
                "samenwerkingsverband/PO2401.html",
                "index.html",
            ):
                page = browser.new_page(viewport={"width": width, "height": 768}, locale="nl-NL")
                page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
                page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
                page.goto(f"{served}{path}")
                draw_every_chart(page)
                for chart in page.evaluate(CHART_STATE):
                    if chart["marks"] == 0 or not chart["alt"]:
                        problems.append(f"{path}: chart {chart['id']} not drawn")
                scroll, client = page.evaluate(
                    "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
                )
                if scroll > client:
                    problems.append(f"{width} px {path}: {scroll} px wide")
                if path == "vergelijking.html":
                    chart = page.locator("#chart-vgl-A1")
                    labels = chart.locator("g.role-axis-label text").evaluate_all("ts => ts.map(t => t.textContent)")
                    assert "Zeewolde (< 10)" in labels, labels
                    assert chart.locator("svg.marks g.mark-symbol.role-mark path").count() == 3, (
                        "no dot for the suppressed gemeente"
                    )
                if width == 1366:
                    page.add_script_tag(path=str(AXE))
                    found = page.evaluate(
                        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
                        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                        ".map(v => v.id + ' ×' + v.nodes.length))"
                    )
                    problems.extend(f"axe {path}: {v}" for v in found)
                page.close()
        browser.close()
    assert not problems, problems
