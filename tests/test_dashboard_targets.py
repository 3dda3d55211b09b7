"""The agreed targets on the dashboard: a block per target on its unit's page and in the conversation document.

Built the way a run builds them (the synthetic run's publication, with the demonstration targets of
targets/streefwaarden.yaml), read in headless Chromium; the screenshot is tests/artifacts/dashboard-targets.png.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from dashboards.targets import Point, path_chart, target_block
from pipelines.indicators.catalogue import load_indicators
from tests.test_dashboard import (  # noqa: F401
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    draw_every_chart,
    publication,
    served,
)

SUPPRESSED = {
    "doel_id": "x",
    "omschrijving_nl": "Minder thuiszitters.",
    "omschrijving_en": "Fewer children out of school.",
    "indicator": "F4",
    "categorie": None,
    "eenheid": "per 1.000",
    "niveau": "school",
    "eenheid_code": "22BB00",
    "groep": None,
    "basisjaar": "2021/2022",
    "basiswaarde": 4.0,
    "doeljaar": "2025/2026",
    "doelwaarde": 3.2,
    "meetjaar": "2023/2024",
    "teller": None,
    "noemer": None,
    "waarde": None,
    "interval_laag": None,
    "interval_hoog": None,
    "padwaarde": None,
    "status": "niet te beoordelen",
    "reden": "laatste meting onderdrukt",
    "afspraak": "OOGO 2024-03-12",
    "partijen": "Gemeente",
}


def test_a_target_on_a_suppressed_cell_says_so_and_draws_only_the_path() -> None:
    """Baseline 4,0 → goal 3,2 per 1.000; 2023/2024 suppressed: the block says 'onderdrukt' and 'niet te
    beoordelen', names why, and the chart draws the path and a × for the hidden year, no measured point."""
    f4 = next(i for i in load_indicators() if i.id == "F4")
    points = [Point(2021, 4.0, 2.0, 6.5), Point(2023, None, None, None)]
    block = target_block(SUPPRESSED, f4, points)
    assert "onderdrukt" in block and "niet te beoordelen" in block and "laatste meting onderdrukt" in block
    assert "4,0" in block and "3,2" in block
    chart = path_chart(SUPPRESSED, points)
    assert chart.count("class='value'") == 1 and chart.count("class='path'") == 1 and "×" in chart


@pytest.mark.slow
def test_targets_show_on_their_pages_with_path_and_status_and_print_within_two_a4_pages(
    publication: Path,  # noqa: F811
    served: str,  # noqa: F811
) -> None:
    from playwright.sync_api import sync_playwright

    doelen = pl.read_parquet(publication / "doelen.parquet")
    assert doelen.height >= 5, "the demonstration targets reach the publication"
    site = publication / "dashboard"
    gemeente = doelen.filter(pl.col("niveau") == "gemeente")
    school = doelen.filter(pl.col("niveau") == "school").group_by("eenheid_code").len().sort("len").row(-1)[0]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="nl-NL")
        gemeente_page = next(site.glob("gemeente/*.html")).relative_to(site)
        page.goto(f"{served}dashboard/{gemeente_page}")
        draw_every_chart(page)
        section = page.locator("section.targets")
        assert section.locator(".target").count() == gemeente.height
        shown = section.locator(".status").all_inner_texts()
        assert shown == gemeente.get_column("status").to_list()
        for text in gemeente.get_column("omschrijving_nl"):
            assert page.get_by_text(text).is_visible()
        assert section.locator("svg.target-chart").count() >= 1
        assert "OOGO 2024-03-12" in section.inner_text()
        section.screenshot(path=str(ARTIFACTS / "dashboard-targets.png"))
        for unit in (str(gemeente_page), f"school/{school}.html"):
            # One tab throughout, as the school page's print test: the print media draws every chart, then the PDF.
            page.emulate_media(media="screen")
            page.goto(f"{served}dashboard/{unit}")
            page.wait_for_selector("html[data-first-view='nl']", timeout=60_000)
            page.emulate_media(media="print")
            page.wait_for_selector("html[data-charts='nl']", timeout=60_000)
            pdf = page.pdf(prefer_css_page_size=True)
            pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
            assert 1 <= pages <= 2, f"{unit}: the conversation document with its targets is {pages} A4 pages"
            assert page.locator("section.targets").is_visible(), f"{unit}: targets on paper"
        (ARTIFACTS / "dashboard-school-targets-print.pdf").write_bytes(pdf)
        browser.close()
