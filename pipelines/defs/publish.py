"""Stage 7, publish: protected indicators as Parquet, the dashboard, charts and the run manifest.

Next to them: the indicator catalogue (Markdown, HTML, JSON, Parquet), the protected linkage-quality
table and the trends, all aggregates that passed disclosure control.

Only runs when the disclosure check passed (it is blocking). The publication is switched in atomically
(a version folder and one symlink rename, pipelines/publish/publication.py);
the dashboard (dashboards/site.py) is built inside it, so a failed build keeps the previous one too.
"""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import polars as pl

from dashboards.site import SiteReport
from pipelines.lib.keys import ALL_SOURCES, KERNCIJFERS, OWNER
from pipelines.lib.resources import MonitorResource
from pipelines.lib.run_manifests import record_run_manifest, write_json
from pipelines.protect.school_attributes import SCHOOLS_FILE
from pipelines.publish.gemeenten import GEMEENTEN_FOLDER, GemeentePublication, view_extras, write_gemeenten
from pipelines.publish.publication import (
    LINKAGE_FILE,
    TARGETS_FILE,
    WIJKCONTEXT_FILE,
    WIJKCONTEXT_MODEL_FILE,
    build_manifest,
    build_version,
    is_synthetic,
    publication_state,
    publish_atomically,
    site_settings,
    write_publication,
)
from pipelines.publish.release import hold_for_release
from pipelines.publish.views import gemeente_view


def _run_start(context: dg.AssetExecutionContext) -> datetime | None:
    stats = context.instance.get_run_stats(context.run_id)
    return datetime.fromtimestamp(stats.start_time, UTC) if stats.start_time else None


@dg.asset(
    group_name="publish",
    deps=[
        "protected_indicators",
        "protected_linkage_quality",
        "indicator_trends",
        "protected_targets",
        "wijkcontext",
        "published_schools",
    ],
    owners=[OWNER],
    kinds={"parquet", "altair", "json"},
    description="data/publish/: indicatoren.parquet (spec §4), the dashboard (dashboard/index.html, a page per "
    "school and wijk), charts for reports (PNG + SVG), manifest.json, the indicator catalogue, "
    "koppelingskwaliteit.parquet, trends.parquet, doelen.parquet, wijkcontext(_model).parquet and scholen.parquet "
    "(the schools' public attributes).",
)
def publication(context: dg.AssetExecutionContext, monitor: MonitorResource) -> dg.MaterializeResult:
    paths = monitor.paths
    table = pl.read_parquet(paths.protected / "indicatoren.parquet")
    synthetic = is_synthetic(paths.inbox)
    labels = monitor.pseudonym_labels()
    summaries = [json.loads((paths.staged / f"{s}.summary.json").read_text(encoding="utf-8")) for s in ALL_SOURCES]
    cbs = paths.staged / f"{KERNCIJFERS}.summary.json"  # the CBS context figures, when delivered (optional)
    summaries += [json.loads(cbs.read_text(encoding="utf-8"))] if cbs.is_file() else []
    suppression = json.loads((paths.protected / "suppression.json").read_text(encoding="utf-8"))
    written: list[str] = []
    sites: list[SiteReport] = []
    manifests: list[dict[str, Any]] = []

    config = monitor.config
    schools = pl.read_parquet(paths.protected / SCHOOLS_FILE)

    def build(folder: Path) -> None:
        settings = site_settings(config, config.gemeente_naam, synthetic, monitor.chart_exports)
        names = (LINKAGE_FILE, TARGETS_FILE, WIJKCONTEXT_FILE, WIJKCONTEXT_MODEL_FILE)
        own = gemeente_view(table, schools, config.gemeente_code)
        extras = {name: pl.read_parquet(paths.protected / name) for name in names}
        extras |= view_extras(table, own, schools, config, config.gemeente_code)
        files, site = write_publication(folder, own, extras, settings)
        written.extend(files)
        sites.append(site)
        manifest = build_manifest(
            run_id=context.run_id,
            started=_run_start(context),
            summaries=summaries,
            pseudonymisation=labels,
            suppression=suppression,
            synthetic=synthetic,
            outputs=written,
        )
        write_json(folder / "manifest.json", manifest)
        record_run_manifest(paths.out, manifest, published=False)
        manifests.append(manifest)

    def build_others(folder: Path) -> None:
        """The other gemeenten of the run, one folder each (docs/levels.md), side by side."""
        manifest = {
            "run_id": context.run_id,
            "started": _run_start(context),
            "summaries": summaries,
            "pseudonymisation": labels,
            "synthetic": synthetic,
        }
        jobs = [
            GemeentePublication(folder / code, code, naam, table, schools, config, synthetic, manifest)
            for code, naam in config.region
        ]
        write_gemeenten(jobs)

    if config.region:
        publish_atomically(paths.out / GEMEENTEN_FOLDER, build_others)
    if monitor.config.four_eyes:
        replaces = publication_state(paths.publish)
        waiting = hold_for_release(paths.publish, build_version(paths.publish, build), context.run_id, replaces)
        context.log.info(f"Publication {waiting.version.name} waits for a second person: monitor release --by NAME")
    else:
        publish_atomically(paths.publish, build)
        record_run_manifest(paths.out, manifests[-1], published=True)
    return dg.MaterializeResult(
        metadata={
            "awaiting_release": monitor.config.four_eyes,
            "path": dg.MetadataValue.path(str(paths.publish)),
            "dagster/row_count": table.height,
            "files": len(written) + 1,
            "synthetic_data": synthetic,
            "dashboard_pages": sites[-1].pages,
            "dashboard_charts": sites[-1].charts,
            "dashboard_megabytes": round(sites[-1].size_bytes / 1e6, 1),
            "dashboard_seconds": round(sites[-1].seconds, 1),
        }
    )
