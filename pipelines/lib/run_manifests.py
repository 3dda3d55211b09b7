"""The run manifests under `<out>/runs/`: which run published what, written so that a kill never lies.

A run writes its manifest unpublished before the publication switch and published right after it; a kill in
between is settled by the next process that takes the output folder (`pipelines.lib.run_history`), which is
why this lives in `lib` and not in `publish`: both the publication and the lock holder's clean-up use it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def write_json(path: Path, data: Any) -> None:
    """Write `data` as JSON through a temporary file and a rename: a kill never leaves half a manifest."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(partial, path)


RUNS_FOLDER = "runs"
NOT_PUBLISHED = "not published: the run ended (failed, killed or interrupted) before its publication was switched in"


def run_manifest_path(out: Path, run_id: str) -> Path:
    return out / RUNS_FOLDER / f"manifest-{run_id}.json"


def record_run_manifest(out: Path, manifest: dict[str, Any], published: bool) -> None:
    """`runs/manifest-<run id>.json`: written unpublished before the switch, published right after it."""
    path = run_manifest_path(out, str(manifest["run_id"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, {**manifest, "published": published, **({} if published else {"status": NOT_PUBLISHED})})


def reconcile_run_manifests(out: Path, publish: Path) -> None:
    """After a kill between the switch and the manifest update: the run the publication shows did publish.

    Every other manifest marked unpublished stays so (the audit leaves such runs out of the run history)."""
    current = publish / "manifest.json"
    if not current.is_file():
        return
    manifest = json.loads(current.read_text(encoding="utf-8"))
    recorded = run_manifest_path(out, str(manifest.get("run_id")))
    if not recorded.is_file() or json.loads(recorded.read_text(encoding="utf-8")).get("published") is False:
        record_run_manifest(out, manifest, published=True)
