"""Inbox hygiene: only regular files that lie inside the inbox are ever opened.

An inbox is written by others. A symbolic link (to a key file, to another municipality's export), a hard link, a
named pipe (which blocks a reader forever), a device or a socket is refused with a sentence before anything is
read from it, so no value of it can reach a log or an error. Names are shown with control characters escaped
(`escape_name`): a file name is written by others too, and a newline or terminal escape in it must not forge a
log line. Standard library only, so that a data holder's intake (issue 16) can use it as well.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from collections.abc import Iterator
from pathlib import Path


class UnsafeInput(RuntimeError):
    """An inbox entry that is not a regular file inside the inbox. The message names it, escaped."""


def escape_name(name: str) -> str:
    """`name` with control and format characters (newline, ESC, bidi overrides) shown as escapes."""
    out = []
    for char in name:
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") or char == "\\":
            code = ord(char)
            out.append("\\\\" if char == "\\" else f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def _kind(mode: int) -> str | None:
    """What a non-regular entry is, in words; None for a regular file or a folder."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return "not a regular file"


def check_entry(path: Path, inbox: Path, real_folders: dict[Path, Path] | None = None) -> None:
    """Refuse `path` unless it is a regular file (or folder) inside `inbox`, reached without any link.

    `real_folders` (optional, for one walk over many files) remembers the real path of each folder: an entry that
    is no link itself lies where its folder really is, so one `realpath` per folder serves all its files."""

    def shown() -> str:  # only when refusing: escaping every name of a large inbox costs more than the check
        return escape_name(str(path.relative_to(inbox)) if path.is_relative_to(inbox) else path.name)

    info = path.lstat()
    kind = _kind(info.st_mode)
    if kind is not None:
        raise UnsafeInput(
            f"{shown()}: refused, it is {kind}; the monitor reads only regular files inside the inbox "
            "(nothing was read from it). Replace it by the export itself."
        )
    if real_folders is None:
        root, real = inbox.resolve(), path.resolve()
    else:
        if inbox not in real_folders:
            real_folders[inbox] = inbox.resolve()
        if path.parent not in real_folders:
            real_folders[path.parent] = path.parent.resolve()
        root, real = real_folders[inbox], real_folders[path.parent] / path.name
    if not real.is_relative_to(root):
        raise UnsafeInput(f"{shown()}: refused, it lies outside the inbox (nothing was read from it).")
    if stat.S_ISREG(info.st_mode) and info.st_nlink > 1:
        raise UnsafeInput(
            f"{shown()}: refused, the file has {info.st_nlink} hard links and may be another file's contents "
            "(nothing was read from it). Deliver a copy of the export instead."
        )


def walk_inbox(inbox: Path) -> Iterator[Path]:
    """Every entry below `inbox` in a stable order, links not followed, the inbox itself checked first."""
    if inbox.is_symlink():
        raise UnsafeInput(f"the inbox {escape_name(str(inbox))} is a symbolic link; name the folder itself.")
    for folder, folders, files in os.walk(inbox, followlinks=False):
        folders.sort()
        for name in sorted(files) + folders:
            yield Path(folder) / name


def find_exports(inbox: Path, file_name: str) -> list[Path]:
    """Every delivery of `file_name` in the inbox or its sub-folders, each checked; hidden names skipped."""
    found = []
    for path in walk_inbox(inbox):
        if path.name == file_name and not path.name.startswith("."):
            check_entry(path, inbox)
            found.append(path)
    return sorted(found)
