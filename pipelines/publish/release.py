"""The four-eyes release: a publication shown only after a second person has read its check report.

With `[publish] four_eyes = true` the publish step builds the new version completely but does not show it; it
records who prepared it and which publication it was checked against (`.pending-<version>.json` beside the
versions). `monitor release --by NAME` shows it, by one atomic switch, when:

* NAME is not the person who prepared it (a procedural control: the monitor has no login; the release
  record names both, and the privacy officer audits it);
* the publication shown now is still the one the new version was protected and checked against (the
  across-publications rule compares with the publication a version replaces: releasing it over another one
  would skip that comparison, so the run must be repeated);
* it is the newest version waiting (older waiting versions are superseded and removed).

The release record (`release-<version>.json`, under `<out>/runs/`) says who prepared and who released, when,
and the manifest's sha256.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipelines.lib.run_manifests import record_run_manifest, run_manifest_path, write_json
from pipelines.publish.publication import publication_state, switch_to, versions_folder

OPERATOR_VARIABLE = "MONITOR_OPERATOR"  # who runs the monitor, when the login name is a shared service account


class ReleaseRefused(RuntimeError):
    """The waiting publication may not be shown; the message says why and what to do."""


@dataclass(frozen=True)
class Waiting:
    """A complete version built by a run, not shown yet."""

    version: Path
    prepared_by: str
    prepared_at: str
    replaces: str | None
    run_id: str

    @property
    def manifest(self) -> Path:
        """What the second person reads: the run, its inputs, and the suppression the checks passed."""
        return self.version / "manifest.json"


def operator() -> str:
    """The person running the monitor: MONITOR_OPERATOR, else the login name."""
    return os.environ.get(OPERATOR_VARIABLE) or getpass.getuser()


def _marker(version: Path) -> Path:
    return version.parent / f".pending-{version.name}.json"


def hold_for_release(target: Path, version: Path, run_id: str, replaces: str | None) -> Waiting:
    """Record `version` (built, not shown) as waiting for a second person's release."""
    waiting = Waiting(version, operator(), datetime.now(UTC).isoformat(timespec="seconds"), replaces, run_id)
    record = {
        "version": version.name,
        "prepared_by": waiting.prepared_by,
        "prepared_at": waiting.prepared_at,
        "replaces": replaces,
        "run_id": run_id,
    }
    write_json(_marker(version), record)
    return waiting


def waiting_versions(target: Path) -> list[Waiting]:
    """Every version waiting for release, oldest first (a marker whose version is gone is ignored)."""
    found = []
    versions = versions_folder(target)
    for marker in sorted(versions.glob(".pending-*.json")) if versions.is_dir() else []:
        record = json.loads(marker.read_text(encoding="utf-8"))
        version = versions / str(record["version"])
        if version.is_dir():
            found.append(
                Waiting(version, record["prepared_by"], record["prepared_at"], record["replaces"], record["run_id"])
            )
    return found


def release(target: Path, out: Path, by: str) -> dict[str, Any]:
    """Show the newest waiting version at `target` if `by` may release it (module docstring); returns the
    release record. Raises ReleaseRefused with the reason otherwise; the publication shown stays."""
    waiting = waiting_versions(target)
    if not waiting:
        raise ReleaseRefused("no publication is waiting for release; `monitor run` prepares one.")
    newest = waiting[-1]
    if by.strip().casefold() == newest.prepared_by.strip().casefold():
        raise ReleaseRefused(
            f"{by} prepared this publication ({newest.version.name}); a second person must release it."
        )
    if publication_state(target) != newest.replaces:
        raise ReleaseRefused(
            f"the publication shown now is not the one {newest.version.name} was checked against; run the "
            "monitor again so that the new publication is protected against the one it replaces."
        )
    for superseded in waiting[:-1]:
        shutil.rmtree(superseded.version, ignore_errors=True)
        _marker(superseded.version).unlink(missing_ok=True)
    manifest = newest.manifest.read_bytes()
    switch_to(target, newest.version)
    _marker(newest.version).unlink(missing_ok=True)
    record_run_manifest(out, json.loads(manifest), published=True)
    record = {
        "version": newest.version.name,
        "run_id": newest.run_id,
        "prepared_by": newest.prepared_by,
        "prepared_at": newest.prepared_at,
        "released_by": by,
        "released_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "manifest_sha256": hashlib.sha256(manifest).hexdigest(),
        "superseded": [w.version.name for w in waiting[:-1]],
    }
    write_json(run_manifest_path(out, newest.run_id).with_name(f"release-{newest.version.name}.json"), record)
    return record
