"""Screenshots of a region run's dashboard (issue 21): the new levels and the comparison with similar gemeenten.

Why a script and not a test: it needs a finished region run (several gemeenten in one inbox, ~4 min), which the
test suite does not make. It rebuilds the dashboard of a publication of that run with this checkout's code from the
publication's own files (indicatoren.parquet, scholen.parquet, vergelijking.parquet; a run made before
vergelijking.parquet was published gets it from the run's protected table, `pipelines/publish/views.py`), then opens
the overview, the gemeente page, a school, a samenwerkingsverband and the comparison page in headless Chromium at
1366 px and 390 px and writes tests/artifacts/dashboard-regio-<page>-<width>.png.

    .venv/bin/python -m dev.region_screenshots OUT CONFIG [--publication publish|gemeenten/GM0995]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import tempfile
import threading
from pathlib import Path
from typing import Any

import polars as pl

from dashboards.site import build_dashboard
from pipelines.indicators.catalogue import load_indicators
from pipelines.lib.settings import MonitorConfig
from pipelines.protect.school_attributes import SCHOOLS_FILE
from pipelines.publish.publication import BENCHMARK_FILE, site_settings
from pipelines.publish.views import gemeente_benchmarks

ARTIFACTS = Path(__file__).resolve().parents[1] / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
WIDTHS = (1366, 390)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def rebuild(out: Path, config: MonitorConfig, publication: Path, site: Path) -> None:
    """The publication's dashboard built anew into `site`."""
    table = pl.read_parquet(publication / "indicatoren.parquet")
    code = table.filter(pl.col("niveau") == "gemeente").get_column("eenheid_code")[0]
    if (publication / BENCHMARK_FILE).is_file():
        benchmarks = pl.read_parquet(publication / BENCHMARK_FILE)
    else:
        protected = pl.read_parquet(out / "warehouse" / "protected" / "indicatoren.parquet")
        benchmarks = gemeente_benchmarks(protected, config, code)
    synthetic = bool(json.loads((publication / "manifest.json").read_text(encoding="utf-8"))["synthetic_data"])
    settings = site_settings(config, config.gemeenten[code], synthetic, exports=False)
    schools = pl.read_parquet(publication / SCHOOLS_FILE)
    build_dashboard(site, table, load_indicators(), settings, schools=schools, benchmarks=benchmarks)


def shoot(site: Path, name: str) -> list[Path]:
    """Screenshots of the page types that show the new levels, at a laptop's and a phone's width."""
    from playwright.sync_api import sync_playwright

    school = max(site.glob("school/*.html"), key=lambda p: p.read_text(encoding="utf-8").count("class='num"))
    pages = {
        "overzicht": "index.html",
        "gemeente": str(next(site.glob("gemeente/*.html")).relative_to(site)),
        "school": str(school.relative_to(site)),
        "samenwerkingsverband": str(next(site.glob("samenwerkingsverband/*.html")).relative_to(site)),
        "vergelijking": "vergelijking.html",
    }
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    written = []
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for width in WIDTHS:
                for kind, path in pages.items():
                    page = browser.new_page(viewport={"width": width, "height": 900}, locale="nl-NL")
                    page.goto(f"http://127.0.0.1:{server.server_port}/{path}")
                    page.wait_for_selector("html[data-first-view='nl']", timeout=60_000)
                    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
                    page.wait_for_selector("html[data-charts='nl']", timeout=60_000)
                    target = ARTIFACTS / f"dashboard-regio-{name}-{kind}-{width}.png"
                    page.screenshot(path=str(target), full_page=kind in ("vergelijking", "gemeente"))
                    written.append(target)
                    page.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the region run's output folder")
    parser.add_argument("config", type=Path, help="its monitor.toml")
    parser.add_argument("--publication", default="publish", help="publish (the run's own) or gemeenten/<code>")
    args = parser.parse_args()
    config = MonitorConfig.load(args.config)
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "dashboard"
        rebuild(args.out, config, args.out / args.publication, site)
        for path in shoot(site, Path(args.publication).name):
            print(path)


if __name__ == "__main__":
    main()
