"""Run history for the audit, read from the manifests every publishing run leaves behind.

Every successful run writes `runs/manifest-<run id>.json` next to the publication (and the current one as
`publish/manifest.json`). Per run the audit shows when it ran, with which key (fingerprint, never the
key), how many rows came in and were kept, and how many cells disclosure control suppressed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    started_at: str
    finished_at: str
    synthetic: bool
    key_id: str
    key_fingerprint: str
    inputs: int
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    cells: int
    cells_suppressed: int
    source: str  # the manifest file it came from, relative to the output folder


def _record(manifest: dict[str, Any], source: str) -> RunRecord:
    rows = manifest.get("rows", {}).values()
    cells = manifest.get("cells_suppressed", [])
    pseudonymisation = manifest.get("pseudonymisation", {})
    return RunRecord(
        run_id=str(manifest.get("run_id", "?")),
        started_at=str(manifest.get("started_at") or ""),
        finished_at=str(manifest.get("finished_at") or ""),
        synthetic=bool(manifest.get("synthetic_data")),
        key_id=str(pseudonymisation.get("key_id", "")),
        key_fingerprint=str(pseudonymisation.get("key_fingerprint", "")),
        inputs=len(manifest.get("inputs", [])),
        rows_read=sum(int(r.get("rows_read", 0)) for r in rows),
        rows_accepted=sum(int(r.get("rows_accepted", 0)) for r in rows),
        rows_quarantined=sum(int(r.get("rows_quarantined", 0)) for r in rows),
        cells=sum(int(c.get("cellen", 0)) for c in cells),
        cells_suppressed=sum(int(c.get("onderdrukt", 0)) for c in cells),  # primair + secundair
        source=source,
    )


def read_run_history(out: Path) -> tuple[list[RunRecord], list[str]]:
    """Every run recorded under `out`, oldest first, and the manifests that could not be read."""
    paths = sorted((out / "runs").glob("manifest-*.json"))
    current = out / "publish" / "manifest.json"
    if current.is_file():
        paths.append(current)
    records: dict[str, RunRecord] = {}
    unreadable: list[str] = []
    for path in paths:
        label = str(path.relative_to(out))
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            if manifest.get("published") is False:
                continue  # a run that never switched its publication in: not a publishing run
            record = _record(manifest, label)
        except (OSError, ValueError, AttributeError, TypeError):
            unreadable.append(label)
            continue
        records.setdefault(record.run_id, record)
    return sorted(records.values(), key=lambda r: (r.started_at, r.finished_at)), unreadable
