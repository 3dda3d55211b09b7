"""Nothing raw stays: after a successful ingest the raw exports leave the inbox, with a receipt.

Once every source is staged (pseudonymised, sealed) and its blocking checks passed, the exports that were read
are deleted from the inbox, or moved to a folder the data holder controls (`--raw-to DIR`, e.g. the holder's
own share). Only a file whose size and sha256 are still those ingested is touched: a file that changed or
arrived during the run stays for the next run. The receipt lists per file its source, name, size, sha256 and
row counts (read, accepted, quarantined), and what happened to it; it holds no value from any file. It is
written to `<out>/receipts/` and, when moving, next to the moved files for the holder.

iJw messages are counted per source, not per file: the receipt lists each message file of `ijw/` with its size
and sha256 as recorded before it was read (`ijw_files.json`), and the message counts of the delivery.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pseudonymisation.receipts import PSEUDO_SUFFIX, receipt_path
from pseudonymisation.receipts import sha256_file as sha256_of

IJW_LISTING = "ijw_files.json"


@dataclass(frozen=True)
class Released:
    source: str
    name: str  # relative to the inbox
    size: int
    sha256: str
    rows_read: int | None
    rows_accepted: int | None
    rows_quarantined: int | None
    action: str  # "verwijderd" / "verplaatst" / a reason it stayed


def list_ijw_files(folder: Path, inbox: Path) -> list[dict[str, Any]]:
    """Name (relative to the inbox), size and sha256 of every regular file under `folder`, before reading."""
    if not folder.is_dir() or folder.is_symlink():
        return []
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    return [{"name": str(p.relative_to(inbox)), "size": p.stat().st_size, "sha256": sha256_of(p)} for p in files]


def ingested_files(staged: Path, sources: tuple[str, ...]) -> list[dict[str, Any]]:
    """The files the current staged tables were made from, from each source's summary and the iJw listing."""
    files: list[dict[str, Any]] = []
    for source in sources:
        summary_path = staged / f"{source}.summary.json"
        if not summary_path.is_file():
            continue
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        files.extend({**f, "source": source} for f in summary["files"] if f.get("sha256"))
    listing = staged / IJW_LISTING
    if listing.is_file():
        files.extend({**f, "source": "ijw"} for f in json.loads(listing.read_text(encoding="utf-8")))
    return files


def release(inbox: Path, files: list[dict[str, Any]], move_to: Path | None) -> list[Released]:
    """Delete (or move to `move_to`) every ingested file still in the inbox unchanged; say what happened to each.

    Files of an earlier delivery that are gone already are not listed: the receipt of that run lists them."""
    released: list[Released] = []
    for entry in [*files, *_receipts_of(inbox, files)]:
        path = inbox / entry["name"]
        if not path.is_file() or path.is_symlink():
            continue
        if path.stat().st_size != entry["size"] or sha256_of(path) != entry["sha256"]:
            action = "blijft: gewijzigd sinds het inlezen (volgende run)"
        elif move_to is None:
            path.unlink()
            action = "verwijderd"
        else:
            target = move_to / entry["name"]
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            shutil.move(path, target)
            action = "verplaatst"
        released.append(
            Released(
                entry["source"],
                entry["name"],
                entry["size"],
                entry["sha256"],
                entry.get("rows_read"),
                entry.get("rows_accepted"),
                entry.get("rows_quarantined"),
                action,
            )
        )
    _remove_empty_folders(inbox)
    return released


def _receipts_of(inbox: Path, files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The TTP's receipt next to each ingested `*.pseudo.csv`: it leaves with its file (it was checked with it)."""
    receipts = []
    for entry in files:
        if not entry["name"].endswith(PSEUDO_SUFFIX):
            continue
        receipt = receipt_path(inbox / entry["name"])
        if receipt.is_file() and not receipt.is_symlink():
            name = str(receipt.relative_to(inbox))
            size, sha = receipt.stat().st_size, sha256_of(receipt)
            receipts.append({"source": entry["source"], "name": name, "size": size, "sha256": sha})
    return receipts


def _remove_empty_folders(inbox: Path) -> None:
    for folder in sorted((p for p in inbox.rglob("*") if p.is_dir() and not p.is_symlink()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


def write_receipt(
    receipts: Path, run_id: str, released: list[Released], move_to: Path | None, ijw_messages: dict[str, int]
) -> Path:
    """`<receipts>/<time>-<run>.json` (and a copy in `move_to`); the receipt names files, never their values."""
    created = datetime.now(UTC)
    receipt = {
        "run_id": run_id,
        "created": created.isoformat(),
        "raw_exports": "moved" if move_to else "removed",
        "moved_to": str(move_to) if move_to else None,
        "ijw_messages": ijw_messages,
        "files": [asdict(r) for r in released],
    }
    receipts.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = receipts / f"{created:%Y%m%dT%H%M%SZ}-{run_id[:8]}.json"
    text = json.dumps(receipt, indent=2, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    if move_to is not None and released:
        (move_to / f"ontvangstbewijs-{path.name}").write_text(text, encoding="utf-8")
    return path
