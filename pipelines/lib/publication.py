"""Atomic publication and the run manifest.

The publish step builds the new publication in a sibling folder and swaps it in with renames, so a
reader (or a failed run) never sees half a publication: either the previous one or the new one.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipelines.lib.owner_only import make_private_dir
from pipelines.lib.settings import PROJECT_ROOT

SYNTHETIC_MARKER = "SYNTHETISCHE DATA"


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


def publish_atomically(target: Path, build: Callable[[Path], None]) -> None:
    """Run `build(tmp_dir)`, then replace `target` by it; on failure `target` is left untouched."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.new")
    retired = target.with_name(f".{target.name}.old")
    for leftover in (staging, retired):
        if leftover.exists():
            shutil.rmtree(leftover)
    make_private_dir(staging)
    try:
        build(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if target.exists():
        target.rename(retired)
    staging.rename(target)
    shutil.rmtree(retired, ignore_errors=True)


def build_manifest(
    *,
    run_id: str,
    started: datetime | None,
    summaries: list[dict[str, Any]],
    key_id: str,
    key_fingerprint: str,
    hashing_version: str,
    suppression: list[dict[str, Any]],
    synthetic: bool,
    outputs: list[str],
) -> dict[str, Any]:
    """Spec §4 manifest: inputs, contract versions, key fingerprint (never the key), code version, times."""
    return {
        "run_id": run_id,
        "started_at": started.isoformat() if started else None,
        "finished_at": datetime.now(UTC).isoformat(),
        "code_version": code_version(),
        "synthetic_data": synthetic,
        "pseudonymisation": {
            "hashing_config_version": hashing_version,
            "key_id": key_id,
            "key_fingerprint": key_fingerprint,
        },
        "contracts": {s["source"]: s["contract_version"] for s in summaries},
        "inputs": [{**f, "source": s["source"]} for s in summaries for f in s["files"]],
        "rows": {s["source"]: {k: s[k] for k in ("rows_read", "rows_accepted", "rows_quarantined")} for s in summaries},
        "ijw_messages": next((s["ijw_messages"] for s in summaries if s.get("ijw_messages")), {}),
        "cells_suppressed": suppression,
        "outputs": outputs,
    }


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
