"""Key rotation: re-pseudonymise everything from the raw inbox with a new key, then retire the old warehouse.

Pseudonyms made with the old key must not live on next to new ones (they would let someone link old and
new extracts, and the old key is being retired because it may be known). So rotation is a full run on the
raw inbox with the new key into a separate folder; only when that run succeeded, its warehouse and
publication replace the current ones, the old warehouse is deleted, and the rotation is logged (key
fingerprints, never keys). A failed rotation run leaves everything as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from pipelines.lib.lock import output_lock
from pipelines.lib.publication import adopt_publication
from pipelines.lib.settings import Paths
from pipelines.runner import RunOutcome, run_monitor
from pseudonymisation.config import load_hashing_config
from pseudonymisation.key import KeyError_, PseudonymKey, load_key

ROTATION_LOG = "key-rotations.json"


class RotationRefused(RuntimeError):
    """The rotation cannot start; the message says why, for the analyst."""


@dataclass(frozen=True)
class Rotation:
    old_fingerprint: str | None
    new_fingerprint: str
    key_id: str
    run: RunOutcome


@contextmanager
def _key_environment(key_file: Path) -> Iterator[None]:
    """The run in this process reads its key from the environment: point it at the new key file only."""
    saved = {name: os.environ.get(name) for name in ("MONITOR_PSEUDONYM_KEY", "MONITOR_KEY_FILE")}
    os.environ.pop("MONITOR_PSEUDONYM_KEY", None)
    os.environ["MONITOR_KEY_FILE"] = str(key_file)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def current_fingerprint(paths: Paths) -> str | None:
    """The fingerprint of the key the current publication was made with, from its manifest."""
    manifest = paths.publish / "manifest.json"
    if not manifest.is_file():
        return None
    return str(json.loads(manifest.read_text(encoding="utf-8"))["pseudonymisation"]["key_fingerprint"])


def _new_key(key_file: Path) -> PseudonymKey:
    try:
        return load_key(load_hashing_config(), environ={"MONITOR_KEY_FILE": str(key_file)})
    except KeyError_ as exc:
        raise RotationRefused(str(exc)) from None


def rotate_key(inbox: Path, out: Path, new_key_file: Path, stream: TextIO | None = None) -> Rotation:
    """Run everything with the new key in `out/.rotation`, then swap it in and delete the old warehouse.

    Progress goes to `stream`, by default the standard error of the moment of the call.
    """
    paths = Paths(inbox=inbox, out=out)
    new_key = _new_key(new_key_file)
    old = current_fingerprint(paths)
    if old == new_key.fingerprint:
        raise RotationRefused(f"the new key has the fingerprint of the key in use ({old}); nothing to rotate.")
    with output_lock(out, "monitor key rotate"):  # no run may write the folder while it is replaced
        work = out / ".rotation"
        shutil.rmtree(work, ignore_errors=True)
        with _key_environment(new_key_file):
            outcome = run_monitor(inbox, work, stream or sys.stderr)
        if not outcome.success:
            shutil.rmtree(work, ignore_errors=True)
            return Rotation(old, new_key.fingerprint, new_key.key_id, outcome)
        fresh = Paths(inbox=inbox, out=work)
        shutil.copytree(work / "runs", out / "runs", dirs_exist_ok=True)  # the run history goes on
        retired = paths.warehouse.with_name(f".retired-{paths.warehouse.name}")
        if paths.warehouse.exists():
            paths.warehouse.rename(retired)
        fresh.warehouse.rename(paths.warehouse)
        shutil.rmtree(retired, ignore_errors=True)
        adopt_publication(paths.publish, fresh.publish)  # one atomic switch, as every run's publication
        shutil.rmtree(work, ignore_errors=True)
        _log(out, old, new_key, outcome.run_id)
        return Rotation(old, new_key.fingerprint, new_key.key_id, outcome)


def _log(out: Path, old: str | None, new_key: PseudonymKey, run_id: str) -> None:
    log_path = out / ROTATION_LOG
    entries = json.loads(log_path.read_text(encoding="utf-8")) if log_path.is_file() else []
    entries.append(
        {
            "rotated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "old_key_fingerprint": old,
            "new_key_fingerprint": new_key.fingerprint,
            "key_id": new_key.key_id,
            "run_id": run_id,
            "old_warehouse": "deleted",
        }
    )
    log_path.write_text(json.dumps(entries, indent=2), encoding="utf-8")
