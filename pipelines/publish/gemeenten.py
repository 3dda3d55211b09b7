"""The publications of the run's other gemeenten (`<out>/gemeenten/<code>/`, docs/levels.md), written side by side.

Each is one gemeente's view of the one protected table (`views`), with the same files and dashboard as the run's
own publication. Building a dashboard is the slow part of publishing (Altair specs, page HTML), and the
gemeenten are independent, so they are written in worker processes, one per core.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.indicators.trends import indicator_trends
from pipelines.lib.run_manifests import write_json
from pipelines.lib.settings import MonitorConfig
from pipelines.protect.indicator_table import suppressed_per_indicator_level
from pipelines.protect.school_attributes import SCHOOLS_FILE
from pipelines.publish.publication import (
    BENCHMARK_FILE,
    TRENDS_FILE,
    build_manifest,
    site_settings,
    write_publication,
)
from pipelines.publish.views import gemeente_benchmarks, gemeente_view, school_view

GEMEENTEN_FOLDER = "gemeenten"  # <out>/gemeenten/<code>/: the publication of every other gemeente of the run


@dataclass(frozen=True)
class GemeentePublication:
    """What one worker needs to write one gemeente's publication."""

    folder: Path
    code: str
    naam: str
    table: pl.DataFrame
    schools: pl.DataFrame
    config: MonitorConfig
    synthetic: bool
    manifest: dict[str, Any]  # build_manifest's arguments but outputs and suppression


def view_extras(
    table: pl.DataFrame, view: pl.DataFrame, schools: pl.DataFrame, config: MonitorConfig, gemeente: str
) -> dict[str, pl.DataFrame]:
    """The tables every gemeente's publication derives from its view: trends, its schools, its benchmark."""
    return {
        TRENDS_FILE: indicator_trends(view),
        SCHOOLS_FILE: school_view(schools, view),
        BENCHMARK_FILE: gemeente_benchmarks(table, config, gemeente),
    }


def write_gemeente(job: GemeentePublication) -> list[str]:
    """One gemeente's publication and manifest; returns the files written."""
    view = gemeente_view(job.table, job.schools, job.code)
    extras = view_extras(job.table, view, job.schools, job.config, job.code)
    job.folder.mkdir()
    settings = site_settings(job.config, job.naam, job.synthetic, False)
    files, _ = write_publication(job.folder, view, extras, settings)
    suppression = suppressed_per_indicator_level(view).to_dicts()
    manifest = build_manifest(**job.manifest, suppression=suppression, outputs=files)
    write_json(job.folder / "manifest.json", {**manifest, "gemeente": job.code})
    return files


def write_gemeenten(jobs: list[GemeentePublication]) -> list[list[str]]:
    """Every job, in worker processes when there are several (no fork of a process holding DuckDB threads)."""
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers < 2:
        return [write_gemeente(job) for job in jobs]
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(write_gemeente, jobs))
