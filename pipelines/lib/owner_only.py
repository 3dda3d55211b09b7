"""Owner-only files and folders (0600 / 0700) for everything a run writes, whatever the umask it starts with.

The warehouse, quarantine, run storage (Dagster home: run and event databases, compute logs), the publication's
staging folder and the audit report hold person-level data or point at it. The monitor therefore sets the process
umask to 077 before it creates anything (the CLI, the Dagster instance, the definitions that Dagster's own
processes load), so every file and folder is created owner-only, including those that Dagster and DuckDB create.
`tighten` closes what an earlier version or a copy left open. Sharing the publication is a deliberate step:
copy `publish/` to where it is served.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

OWNER_ONLY_UMASK = 0o077
OPEN_BITS = stat.S_IRWXG | stat.S_IRWXO


def restrict_umask() -> None:
    """From here on this process creates files 0600 and folders 0700 (whatever mode the creator asks for)."""
    os.umask(OWNER_ONLY_UMASK)


def _walk(root: Path) -> Iterator[Path]:
    """`root` and everything below it, without following symlinks (a link's target is not ours to change)."""
    yield root
    for folder, folders, files in os.walk(root, followlinks=False):
        for name in (*folders, *files):
            yield Path(folder) / name


def open_to_others(root: Path) -> list[tuple[Path, int]]:
    """Every file or folder under `root` with a group or other permission bit, with its mode."""
    if not root.exists():
        return []
    found = []
    for path in _walk(root):
        try:
            mode = path.lstat().st_mode
        except FileNotFoundError:  # removed meanwhile by a step running beside this one
            continue
        if not stat.S_ISLNK(mode) and mode & OPEN_BITS:
            found.append((path, stat.S_IMODE(mode)))
    return found


def tighten(root: Path) -> int:
    """Remove group and other bits below `root`; return how many paths were changed."""
    changed = 0
    for path, mode in open_to_others(root):
        with suppress(FileNotFoundError):
            path.chmod(mode & ~OPEN_BITS)
            changed += 1
    return changed


def make_private_dir(path: Path) -> Path:
    """`path` (and missing parents) created 0700; an existing folder is closed to group and others."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(stat.S_IMODE(path.stat().st_mode) & ~OPEN_BITS)
    return path
