"""Main-thread time and page weight of a first page view of the dashboard, per page type, in headless Chromium.

Why: issue 19 asks for a first page view under 1 s of main-thread work on this machine. This opens the overview,
the gemeente, the largest school and the largest wijk page of a publication (served on localhost, as an intranet
would), waits until the charts of the first view are drawn (html[data-first-view]; a publication built before the
charts were drawn on scroll sets only html[data-charts], after drawing all of them) and reads Chromium's own
counter of main-thread task time (CDP Performance.getMetrics TaskDuration), then adds what printing costs (every
chart drawn on beforeprint). Page weight: the bytes of every response of the view.

    .venv/bin/python -m dev.bench.dashboard PUBLISH_DIR [--cpu-slowdown 4]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import threading
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
DONE = "html[data-first-view], html[data-charts]"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def page_types(site: Path) -> dict[str, str]:
    """Page type → path: the overview, the gemeente and the school and wijk pages with the most charts."""

    def largest(level: str) -> str:
        pages = sorted(site.glob(f"{level}/*.html"), key=lambda p: p.read_text(encoding="utf-8").count("data-chart="))
        return str(pages[-1].relative_to(site))

    gemeente = next(iter(site.glob("gemeente/*.html")))
    return {
        "overview": "index.html",
        "gemeente": str(gemeente.relative_to(site)),
        "school": largest("school"),
        "wijk": largest("wijk"),
    }


def measure(publish: Path, cpu_slowdown: float = 1.0) -> list[dict[str, Any]]:
    from playwright.sync_api import Response, sync_playwright

    handler = functools.partial(_Quiet, directory=str(publish))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/dashboard/"
    results = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for kind, path in page_types(publish / "dashboard").items():
                context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="nl-NL")
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Performance.enable")
                if cpu_slowdown != 1:
                    cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu_slowdown})
                sizes: list[int] = []

                def weigh(response: Response, sizes: list[int] = sizes) -> None:
                    if response.ok:
                        sizes.append(len(response.body()))

                page.on("response", weigh)
                page.goto(base + path)
                page.wait_for_selector(DONE, state="attached", timeout=120_000)
                page.wait_for_timeout(300)
                first = _task_seconds(cdp)
                charts = page.locator(".chart[data-chart]").count()
                drawn = page.locator(".chart[data-rendered]").count()
                page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
                page.wait_for_selector("html[data-charts]", state="attached", timeout=120_000)
                page.wait_for_timeout(300)
                results.append(
                    {
                        "page": kind,
                        "path": path,
                        "charts": charts,
                        "drawn_first": drawn,
                        "main_thread_s": round(first, 2),
                        "with_print_s": round(_task_seconds(cdp), 2),
                        "kilobytes": round(sum(sizes) / 1000),
                    }
                )
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return results


def _task_seconds(cdp: Any) -> float:
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return float(metrics["TaskDuration"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("publish", type=Path)
    parser.add_argument("--cpu-slowdown", type=float, default=1.0)
    options = parser.parse_args()
    for row in measure(options.publish, options.cpu_slowdown):
        print(
            f"{row['page']:9} {row['charts']:3} charts, {row['drawn_first']:3} drawn first: "
            f"{row['main_thread_s']:5.2f} s main thread (with print {row['with_print_s']:5.2f} s), "
            f"{row['kilobytes']:5} kB  {row['path']}"
        )


if __name__ == "__main__":
    main()
