"""Finding and reading iJw message files (folders, sub-folders and zip archives) for `pseudonymisation.ijw`.

Kept apart from the XML logic so that the safety rules for *bytes* live in one place:

* every message is read with a hard cap (``max_message_bytes``); a file or zip member that is larger is
  rejected instead of read, which also defuses zip bombs (the cap is enforced on the bytes actually
  decompressed, not on the size the archive header claims);
* zip members whose name is absolute or contains ``..`` are never opened (zip-slip);
* symlinked directories are not followed, so a link loop cannot make the walk endless;
* nothing is written to disk and nothing is logged.

Errors are raised as :class:`IjwInputError` with a reason that never contains message content; the caller
turns them into rejections.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from pseudonymisation.inbox import check_entry, walk_inbox

#: Read size when streaming a file or zip member; small enough to keep peak memory low.
CHUNK_BYTES = 64 * 1024

_DRIVE_RE = re.compile(r"^[A-Za-z]:")


class IjwInputError(Exception):
    """One message (or archive) cannot be used; ``reason`` is safe to show and store."""

    def __init__(self, reason: str, message_type: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message_type = message_type


@dataclass(frozen=True)
class MessageSource:
    """Where one message lives: a plain ``.xml`` file, or member ``member_index`` of a zip archive.

    The member is addressed by its index in ``ZipFile.infolist()`` rather than by name because an archive
    may hold two members with the same name, and ``ZipFile.open(name)`` would silently pick one of them.
    """

    source_file: str
    fs_path: Path
    member_index: int | None = None


@dataclass(frozen=True)
class SourceProblem:
    """A file or archive member that was found but cannot even be addressed (bad zip, unsafe name)."""

    source_file: str
    reason: str


def _is_xml_name(name: str) -> bool:
    """Messages are recognised by extension; macOS resource-fork twins (``._x.xml``) are not messages."""
    base = name.rsplit("/", 1)[-1]
    return base.lower().endswith(".xml") and not base.startswith("._")


def _unsafe_member_name(name: str) -> bool:
    """True for names that could escape an extraction folder; we never extract, but such an archive is
    suspect and its member names would be misleading in ``source_file``."""
    norm = name.replace("\\", "/")
    return norm.startswith("/") or bool(_DRIVE_RE.match(norm)) or ".." in PurePosixPath(norm).parts


def _zip_sources(
    zip_path: Path, display: str, max_message_bytes: int
) -> tuple[list[MessageSource], list[SourceProblem]]:
    """List the ``.xml`` members of one archive; unsafe or oversized members become problems right away."""
    sources: list[MessageSource] = []
    problems: list[SourceProblem] = []
    try:
        with zipfile.ZipFile(zip_path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        problems.append(
            SourceProblem(display, f"zip-archief onleesbaar / unreadable zip archive ({type(exc).__name__}).")
        )
        return sources, problems
    for index, info in enumerate(infos):
        name = info.filename
        if info.is_dir() or name.startswith("__MACOSX/") or not _is_xml_name(name):
            continue
        member_display = f"{display}:{name}"
        if _unsafe_member_name(name):
            problems.append(
                SourceProblem(
                    member_display,
                    "zip-onderdeel met absoluut pad of '..' wordt niet gelezen / "
                    "zip member with an absolute path or '..' is refused.",
                )
            )
            continue
        if info.file_size > max_message_bytes:
            problems.append(SourceProblem(member_display, _too_large_reason(max_message_bytes)))
            continue
        sources.append(MessageSource(member_display, zip_path, index))
    return sources, problems


def _too_large_reason(max_message_bytes: int) -> str:
    return (
        f"bericht is groter dan {max_message_bytes} bytes en wordt niet gelezen / "
        f"message exceeds the limit of {max_message_bytes} bytes."
    )


def discover(path: Path, max_message_bytes: int) -> tuple[list[MessageSource], list[SourceProblem]]:
    """All message sources under ``path`` (a folder, one ``.xml`` or one ``.zip``), in a stable order.

    Files that are neither ``.xml`` nor ``.zip`` are ignored: an inbox folder may hold notes or checksums
    next to the messages. ``source_file`` is relative to ``path`` (POSIX separators) so that it is the same
    on every machine and never reveals where the inbox lives.
    """
    if not path.exists() and not path.is_symlink():
        raise FileNotFoundError(f"iJw input not found: {path}")
    files: list[tuple[Path, str]] = []
    if not path.is_dir() or path.is_symlink():
        check_entry(path, path.parent)
        files.append((path, path.name))
    else:
        for full in walk_inbox(path):
            check_entry(full, path)  # links, pipes and devices are refused before anything is read
            if not full.is_dir():
                files.append((full, full.relative_to(path).as_posix()))
    sources: list[MessageSource] = []
    problems: list[SourceProblem] = []
    for full, display in files:
        lower = full.name.lower()
        if lower.endswith(".zip"):
            zs, zp = _zip_sources(full, display, max_message_bytes)
            sources.extend(zs)
            problems.extend(zp)
        elif _is_xml_name(full.name):
            sources.append(MessageSource(display, full))
    return sources, problems


class ZipCache:
    """Keeps a few archives open during the ordered pass, which visits members of one zip out of order.

    Re-opening an archive per member would re-read its central directory every time; keeping *all* open
    could exhaust file handles, so this is a small LRU.
    """

    def __init__(self, max_open: int = 4) -> None:
        self._open: OrderedDict[Path, zipfile.ZipFile] = OrderedDict()
        self._max_open = max_open

    def get(self, path: Path) -> zipfile.ZipFile:
        zf = self._open.get(path)
        if zf is not None:
            self._open.move_to_end(path)
            return zf
        zf = zipfile.ZipFile(path)
        self._open[path] = zf
        if len(self._open) > self._max_open:
            _, oldest = self._open.popitem(last=False)
            oldest.close()
        return zf

    def close(self) -> None:
        while self._open:
            _, zf = self._open.popitem()
            zf.close()


def _read_capped(stream: IO[bytes], max_message_bytes: int) -> bytes:
    """Read a whole stream but refuse to go past the cap (one byte over is enough to know)."""
    parts: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(CHUNK_BYTES)
        if not chunk:
            break
        total += len(chunk)
        if total > max_message_bytes:
            raise IjwInputError(_too_large_reason(max_message_bytes))
        parts.append(chunk)
    return b"".join(parts)


#: What reading one message can raise: corrupt data (BadZipFile, zlib.error, EOFError), encrypted members
#: (RuntimeError), unsupported compression (NotImplementedError), I/O (OSError). One bad member must only
#: reject that member, so these are caught per message.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    RuntimeError,
    NotImplementedError,
    ValueError,
)


def iter_chunks(source: MessageSource, zips: ZipCache, limit: int) -> Generator[bytes, None, None]:
    """Stream at most ``limit`` bytes of a message; used by the cheap header pass."""
    try:
        if source.member_index is None:
            with open(source.fs_path, "rb") as fh:
                yield from _chunks(fh, limit)
        else:
            zf = zips.get(source.fs_path)
            with zf.open(zf.infolist()[source.member_index]) as fh:
                yield from _chunks(fh, limit)
    except _ZIP_ERRORS as exc:
        raise IjwInputError(f"bericht is onleesbaar / message unreadable ({type(exc).__name__}).") from None


def _chunks(fh: IO[bytes], limit: int) -> Generator[bytes, None, None]:
    remaining = limit
    while remaining > 0:
        chunk = fh.read(min(CHUNK_BYTES, remaining))
        if not chunk:
            return
        remaining -= len(chunk)
        yield chunk


def read_message(source: MessageSource, zips: ZipCache, max_message_bytes: int) -> bytes:
    """The whole message as bytes, capped at ``max_message_bytes`` (one message is small by design)."""
    try:
        if source.member_index is None:
            if source.fs_path.stat().st_size > max_message_bytes:
                raise IjwInputError(_too_large_reason(max_message_bytes))
            with open(source.fs_path, "rb") as fh:
                return _read_capped(fh, max_message_bytes)
        zf = zips.get(source.fs_path)
        with zf.open(zf.infolist()[source.member_index]) as fh:
            return _read_capped(fh, max_message_bytes)
    except _ZIP_ERRORS as exc:
        raise IjwInputError(f"bericht is onleesbaar / message unreadable ({type(exc).__name__}).") from None
