"""Atomic publication and the run manifest.

The publish step builds each publication in a version folder of its own (`publish.versions/<time>/`) and
switches the symlink `publish` to it with one atomic rename, so a reader (or a failed or killed run) never
sees half a publication: either the previous one or the new one. The previous version is kept.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from dashboards.context import WijkContext
from dashboards.downloads import ALL as ALL_UNITS
from dashboards.downloads import FOLDER as DOWNLOADS
from dashboards.site import SiteReport, SiteSettings, build_dashboard, write_report_charts
from pipelines.context.kerncijfers import load_contract as load_open_data_contract
from pipelines.context.wijkcontext import CBS_YOUTH_CARE
from pipelines.indicators.catalogue import load_indicators, write_catalogue
from pipelines.lib.faults import fault_point
from pipelines.lib.owner_only import make_private_dir
from pipelines.lib.settings import PROJECT_ROOT, MonitorConfig
from pipelines.protect.school_attributes import SCHOOLS_FILE

SYNTHETIC_MARKER = "SYNTHETISCHE DATA"

LINKAGE_FILE = "koppelingskwaliteit.parquet"  # the protected linkage-quality table
TRENDS_FILE = "trends.parquet"  # trends computed from the protected indicators
TARGETS_FILE = "doelen.parquet"  # progress towards the agreed targets, from the protected indicators
WIJKCONTEXT_FILE = "wijkcontext.parquet"  # A1/A11 beside CBS context and the expected use (issue 20)
WIJKCONTEXT_MODEL_FILE = "wijkcontext_model.parquet"  # its coefficients per school year
BENCHMARK_FILE = "vergelijking.parquet"  # the gemeente beside similar gemeenten, its jeugdregio and the country


def is_synthetic(inbox: Path) -> bool:
    """The generator marks its inbox with a README.txt that starts with 'SYNTHETISCHE DATA'."""
    readme = inbox / "README.txt"
    return readme.is_file() and readme.read_text(encoding="utf-8", errors="ignore").startswith(SYNTHETIC_MARKER)


def code_version() -> str:
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except OSError:
        return "unknown"
    return out.stdout.strip() or "unknown"


def publish_atomically(target: Path, build: Callable[[Path], None], keep: int = 2) -> Path:
    """Run `build(folder)` in a new version folder, then switch `target` (a symlink) to it in one rename.

    Readers resolve `target` to the previous or the new version, never to none and never to a mix. The
    version the switch replaced is kept (with `keep` = 2: the current and the previous), so a kill at any
    point leaves a complete publication behind and the next run needs no cleanup. On failure `target` is
    untouched. Returns the new version's folder.
    """
    version = build_version(target, build)
    fault_point("publish.before_switch")
    switch_to(target, version, keep)
    fault_point("publish.after_switch")
    return version


def build_version(target: Path, build: Callable[[Path], None]) -> Path:
    """Run `build(folder)` in a new, complete version folder beside `target`, without showing it: the switch
    is a separate step (`switch_to`), taken at once or, with the four-eyes release, by a second person."""
    versions = versions_folder(target)
    make_private_dir(versions)
    _clear_leftovers(target, versions)
    name = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    building = versions / f".building-{name}"
    make_private_dir(building)
    try:
        build(building)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    version = versions / name
    building.rename(version)
    return version


def switch_to(target: Path, version: Path, keep: int = 2) -> None:
    """Show `version` at `target` (one atomic rename), then delete versions older than the `keep` newest
    shown ones; a version built later and not shown yet (awaiting release) is kept."""
    _switch(target, version)
    versions = versions_folder(target)
    shown = [p for p in versions.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name <= version.name]
    for old in sorted(shown)[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def versions_folder(target: Path) -> Path:
    """Where the versions behind the symlink `target` live: `<target>.versions/` beside it."""
    return target.with_name(f"{target.name}.versions")


def publication_state(target: Path) -> str | None:
    """What `target` shows now (the version it resolves to and its manifest's sha256), None if nothing.

    Compared before and after a failed run, so "the previous publication is unchanged" is checked, not assumed."""
    manifest = target / "manifest.json"
    if not manifest.is_file():
        return None
    return f"{target.resolve()}:{hashlib.sha256(manifest.read_bytes()).hexdigest()}"


def adopt_publication(target: Path, source: Path) -> None:
    """Move the publication `source` shows (a folder or a symlinked version) under `target`'s versions and
    switch `target` to it: key rotation hands over the publication it built beside the current one."""
    versions = versions_folder(target)
    versions.mkdir(parents=True, exist_ok=True)
    version = versions / datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    source.resolve().rename(version)
    _switch(target, version)


def _switch(target: Path, version: Path) -> None:
    """Point the symlink `target` at `version` with one atomic rename of a new symlink over it.

    A real directory at `target` (a publication from before versioning) is exchanged for the symlink with
    renameat2(RENAME_EXCHANGE), atomic too; only where the file system lacks it do two renames remain."""
    link = target.with_name(f".{target.name}.switch")
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(version, target.parent))
    if target.is_symlink() or not target.exists():
        os.replace(link, target)
        return
    retired = versions_folder(target) / f"{version.name[:-1]}-before-versioning"
    if _exchange(link, target):
        link.rename(retired)
    else:
        target.rename(retired)
        os.replace(link, target)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0


def _clear_leftovers(target: Path, versions: Path) -> None:
    """Remove what a killed publish left: a half-built version, a switch symlink not yet renamed. A publication
    of the old two-rename scheme that a kill left only as `.<name>.old` becomes the current version again."""
    for building in versions.glob(".building-*"):
        shutil.rmtree(building, ignore_errors=True)
    target.with_name(f".{target.name}.switch").unlink(missing_ok=True)
    shutil.rmtree(target.with_name(f".{target.name}.new"), ignore_errors=True)
    orphan = target.with_name(f".{target.name}.old")
    if orphan.is_dir() and not target.exists():
        version = versions / "00000000T000000000000Z-recovered"
        orphan.rename(version)
        _switch(target, version)
    else:
        shutil.rmtree(orphan, ignore_errors=True)


def build_manifest(
    *,
    run_id: str,
    started: datetime | None,
    summaries: list[dict[str, Any]],
    pseudonymisation: dict[str, str],
    suppression: list[dict[str, Any]],
    synthetic: bool,
    outputs: list[str],
) -> dict[str, Any]:
    """Spec §4 manifest: inputs, contract versions, pseudonym labels (key ids and fingerprints, never a key),
    code version, times."""
    return {
        "run_id": run_id,
        "started_at": started.isoformat() if started else None,
        "finished_at": datetime.now(UTC).isoformat(),
        "code_version": code_version(),
        "synthetic_data": synthetic,
        "pseudonymisation": pseudonymisation,
        "contracts": {s["source"]: s["contract_version"] for s in summaries},
        "inputs": [{**f, "source": s["source"]} for s in summaries for f in s["files"]],
        "rows": {
            s["source"]: {
                **{k: s[k] for k in ("rows_read", "rows_accepted", "rows_quarantined")},
                "rows_past_retention": s.get("rows_past_retention", 0),  # left out at ingest, never used
            }
            for s in summaries
        },
        "ijw_messages": next((s["ijw_messages"] for s in summaries if s.get("ijw_messages")), {}),
        # files and archive members under ijw/ that are no iJw message: listed with the reason, never read
        "ijw_ignored": [i for s in summaries for i in s.get("ijw_ignored", [])],
        "cells_suppressed": suppression,
        "outputs": outputs,
    }


def site_settings(config: MonitorConfig, gemeente_naam: str, synthetic: bool, exports: bool) -> SiteSettings:
    """The dashboard's settings from the configuration: the legend names the same rules protect applied."""
    rules = config.disclosure
    return SiteSettings(
        gemeente_naam,
        synthetic,
        rules.min_teller,
        rules.min_noemer,
        min_cost_persons=rules.min_cost_persons,
        max_dominance_share=rules.max_dominance_share,
        exports=exports,
    )


def dashboard_context(table: pl.DataFrame, coefficients: pl.DataFrame) -> WijkContext:
    """The wijkcontext tables with the figures the dashboard shows, named and ordered by the contract."""
    contract = load_open_data_contract()
    figures = tuple(
        (v.name, "k€" if "euro" in v.unit else v.unit, (v.description.nl, v.description.en))
        for v in sorted(contract.context, key=lambda v: not v.model)
        if v.name != CBS_YOUTH_CARE  # CBS's own youth-care figure has a column of its own
    )
    return WijkContext(table, coefficients, figures, len(contract.model_variables))


def write_publication(
    folder: Path, table: pl.DataFrame, extras: dict[str, pl.DataFrame], settings: SiteSettings
) -> tuple[list[str], SiteReport]:
    """One gemeente's publication without its manifest: the table, the dashboard, report charts, the extra
    protected tables (the school attributes, `SCHOOLS_FILE`, among them, which the dashboard reads too) and the
    indicator catalogue. Returns the files written (relative) and the site report."""
    table.write_parquet(folder / "indicatoren.parquet")
    context = None
    if WIJKCONTEXT_FILE in extras:
        context = dashboard_context(extras[WIJKCONTEXT_FILE], extras[WIJKCONTEXT_MODEL_FILE])
    site = build_dashboard(
        folder / "dashboard",
        table,
        load_indicators(),
        settings,
        targets=extras.get(TARGETS_FILE),
        context=context,
        schools=extras.get(SCHOOLS_FILE),
        benchmarks=extras.get(BENCHMARK_FILE),
    )
    charts = write_report_charts(folder / "charts", site)
    downloads = [f"dashboard/{DOWNLOADS}/{ALL_UNITS}.{kind}" for kind in ("csv", "xlsx")]
    written = ["indicatoren.parquet", "dashboard/index.html", *downloads, *(str(p.relative_to(folder)) for p in charts)]
    for name, frame in extras.items():
        frame.write_parquet(folder / name)
        written.append(name)
    written.extend(p.name for p in write_catalogue(folder))
    return written, site
