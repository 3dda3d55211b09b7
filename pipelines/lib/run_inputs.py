"""What a run's result depends on, written down after each successful run: a run on the same finds nothing to do.

A successful ingest empties the inbox (receipts in `receipts/`), so "the inputs did not change" means: no new
delivery in the inbox, the staged (pseudonymised) data the last run left, the same code, contracts and SQL, the
same configuration, the same processing day (retention counts from it) and the same current publication.
`monitor run` compares these with the manifest the last successful run wrote (`dagster/run-inputs.json`) before
it starts Dagster at all, and when they are equal it says so and changes nothing: no Dagster run, no new
publication version, no receipt, not a file touched.

Nothing here holds person data: file names, sizes, modification times and SHA-256 digests of code and settings.
Its one file lies in the run history folder, written under the run's lock and owner-only like the rest of it.
Neither Dagster, DuckDB nor pyarrow is imported, so the comparison costs milliseconds, not the seconds of
importing the pipeline.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipelines.lib.settings import PROJECT_ROOT
from pseudonymisation.retention import processing_today

MANIFEST = "run-inputs.json"
#: What the run executes or reads as rules: a change to any of these files makes the next run a full one.
CODE_FOLDERS = ("pipelines", "pseudonymisation", "dashboards", "sql", "contracts")
CODE_FILES = ("uv.lock", "pyproject.toml")
#: Settings in the environment that change what a run writes.
ENVIRONMENT = ("MONITOR_CHART_EXPORTS",)


def _manifest_path(out: Path) -> Path:
    return out / "dagster" / MANIFEST


def code_digest(root: Path = PROJECT_ROOT) -> str:
    """SHA-256 over every source, SQL, contract and template file: its path, size and modification time (ns),
    bytecode left out. Editing, checking out or installing a file changes its time, so this is as conservative
    as hashing contents, and costs a stat per file instead of reading them all (≈ 1 s on a loaded machine)."""
    digest = hashlib.sha256()
    files = [root / name for name in CODE_FILES if (root / name).is_file()]
    for folder in CODE_FOLDERS:
        for dirpath, dirnames, filenames in os.walk(root / folder):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and not d.startswith("."))
            files += [Path(dirpath) / f for f in sorted(filenames) if not f.endswith((".pyc", ".pyo"))]
    for path in files:
        info = path.stat()
        digest.update(f"{path.relative_to(root).as_posix()}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def _listing(folder: Path) -> list[list[Any]]:
    """Every file below `folder` (links not followed): relative name, size and modification time in ns."""
    if not folder.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            info = (Path(dirpath) / name).lstat()
            found.append([(Path(dirpath) / name).relative_to(folder).as_posix(), info.st_size, info.st_mtime_ns])
    return found


def run_inputs(inbox: Path, out: Path, config: Path) -> dict[str, Any]:
    """Everything the next run's result depends on, as it stands now."""
    publish = out / "publish"
    return {
        "inbox": _listing(inbox),
        "staged": _listing(out / "warehouse" / "staged"),
        "code": code_digest(),
        "config": hashlib.sha256(config.read_bytes()).hexdigest() if config.is_file() else "",
        "environment": {name: os.environ.get(name, "") for name in ENVIRONMENT},
        "today": processing_today().isoformat(),
        "publication": os.readlink(publish) if publish.is_symlink() else "",
    }


def record_run_inputs(inbox: Path, out: Path, config: Path, run_id: str) -> None:
    """After a successful run (under its lock): what it depended on, for the next run to compare with."""
    manifest = {
        "run_id": run_id,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs": run_inputs(inbox.resolve(), out.resolve(), config.resolve()),
    }
    path = _manifest_path(out.resolve())
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    os.replace(partial, path)


def forget_run_inputs(out: Path) -> None:
    """Before a run starts: until it succeeds, the next run must not take the last manifest as still valid."""
    _manifest_path(out.resolve()).unlink(missing_ok=True)


def unchanged_since(inbox: Path, out: Path, config: Path) -> dict[str, Any] | None:
    """The last successful run's manifest when nothing it depended on changed since; else None."""
    path = _manifest_path(out.resolve())
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("inputs") != run_inputs(inbox.resolve(), out.resolve(), config.resolve()):
        return None
    return manifest
