"""Finding and reading iJw message files (folders, sub-folders, zip archives, zips in zips) for `pseudonymisation.ijw`.

Every file and archive member under the input is accounted for (`Discovery`): a message source, a problem
refused with a reason, or ignored with a reason; none is passed over in silence. What a file is comes from its
content, not its name (a message saved as `JW323.txt`, or under a GUID without extension, is still read).

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

import io
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
    """Where one message lives: a plain file, or a member of a zip archive (possibly inside other archives).

    ``members`` is the chain of member indices from the archive on disk inward (empty for a plain file). A
    member is addressed by its index in ``ZipFile.infolist()`` rather than by name because an archive may hold
    two members with the same name, and ``ZipFile.open(name)`` would silently pick one of them.
    """

    source_file: str
    fs_path: Path
    members: tuple[int, ...] = ()


@dataclass(frozen=True)
class SourceProblem:
    """A file or archive member that was found but cannot even be addressed (bad zip, unsafe name)."""

    source_file: str
    reason: str


@dataclass(frozen=True)
class Ignored:
    """A file or archive member that is not an iJw message, with the reason: listed, never silently skipped."""

    source_file: str
    reason: str


@dataclass
class Discovery:
    """Every file and archive member found under one input: a message, a problem, or ignored with a reason."""

    sources: list[MessageSource]
    problems: list[SourceProblem]
    ignored: list[Ignored]


#: How deep archives may nest (a zip in a zip in a zip) and how large a nested archive may be: it is read into
#: memory to be opened, so the cap bounds memory; the outermost archive is read from disk in place.
MAX_ZIP_DEPTH = 3
MAX_NESTED_ZIP_BYTES = 256 * 1024 * 1024
#: How much of a file is looked at to tell what it is (zip, XML, something else).
SNIFF_BYTES = 4096
IJW_NAMESPACE = b"istandaarden.nl/ijw/"
_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"


def sniff(head: bytes, name: str = "") -> str:
    """What a file is: 'zip', 'xml' or 'other'. Messages are recognised by content, not only by extension:
    transport systems name payloads ``JW323.txt`` or a GUID without extension. A file named ``.xml`` or ``.zip``
    is taken at its word whatever its bytes, so a broken one is refused with a reason rather than ignored."""
    if (named := _named_kind(name)) is not None:
        return named
    if head.startswith((_ZIP_MAGIC, _EMPTY_ZIP_MAGIC)):
        return "zip"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<"):
        return "xml"
    if text[:2] in (b"\xff\xfe", b"\xfe\xff") or head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "xml"  # UTF-16 with a byte-order mark: the parser decides
    return "other"


def _named_kind(name: str) -> str | None:
    """What `sniff` decides from a name alone (`.xml`, `.zip`), without reading the file; None: read it."""
    lower = name.lower()
    return "zip" if lower.endswith(".zip") else "xml" if lower.endswith(".xml") else None


def _not_a_message(kind: str) -> str:
    return (
        "geen iJw-bericht: de inhoud is geen XML of zip-archief / not an iJw message: the content is neither XML "
        f"nor a zip archive ({kind})."
    )


def _unsafe_member_name(name: str) -> bool:
    """True for names that could escape an extraction folder; we never extract, but such an archive is
    suspect and its member names would be misleading in ``source_file``."""
    norm = name.replace("\\", "/")
    return norm.startswith("/") or bool(_DRIVE_RE.match(norm)) or ".." in PurePosixPath(norm).parts


def _zip_sources(
    zips: ZipCache, zip_path: Path, chain: tuple[int, ...], display: str, max_message_bytes: int, found: Discovery
) -> None:
    """Account for every member of one archive (nested archives too, up to MAX_ZIP_DEPTH): a message, a
    problem, or ignored with a reason. Unsafe or oversized members become problems right away."""
    try:
        infos = zips.get(zip_path, chain).infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, IjwInputError) as exc:
        reason = exc.reason if isinstance(exc, IjwInputError) else type(exc).__name__
        found.problems.append(SourceProblem(display, f"zip-archief onleesbaar / unreadable zip archive ({reason})."))
        return
    for index, info in enumerate(infos):
        name = info.filename
        base = name.rsplit("/", 1)[-1]
        if info.is_dir():
            continue
        member_display = f"{display}:{name}"
        if name.startswith("__MACOSX/") or base.startswith("._"):
            found.ignored.append(Ignored(member_display, "macOS-bijbestand / macOS resource fork, not a message."))
            continue
        if _unsafe_member_name(name):
            found.problems.append(
                SourceProblem(
                    member_display,
                    "zip-onderdeel met absoluut pad of '..' wordt niet gelezen / "
                    "zip member with an absolute path or '..' is refused.",
                )
            )
            continue
        member = (*chain, index)
        try:
            kind = sniff(zips.head(zip_path, member), base)
        except IjwInputError as exc:
            found.problems.append(SourceProblem(member_display, exc.reason))
            continue
        if kind == "zip":
            if len(member) >= MAX_ZIP_DEPTH:
                found.problems.append(SourceProblem(member_display, _too_deep_reason()))
            elif info.file_size > MAX_NESTED_ZIP_BYTES:
                found.problems.append(SourceProblem(member_display, _too_large_reason(MAX_NESTED_ZIP_BYTES)))
            else:
                _zip_sources(zips, zip_path, member, member_display, max_message_bytes, found)
        elif kind == "other":
            found.ignored.append(
                Ignored(member_display, _not_a_message(base.rsplit(".", 1)[-1] if "." in base else ""))
            )
        elif info.file_size > max_message_bytes:
            found.problems.append(SourceProblem(member_display, _too_large_reason(max_message_bytes)))
        else:
            found.sources.append(MessageSource(member_display, zip_path, member))


def _too_deep_reason() -> str:
    return (
        f"zip-archief dieper dan {MAX_ZIP_DEPTH} niveaus genest wordt niet gelezen / "
        f"zip archive nested deeper than {MAX_ZIP_DEPTH} levels is refused."
    )


def _too_large_reason(max_message_bytes: int) -> str:
    return (
        f"bericht is groter dan {max_message_bytes} bytes en wordt niet gelezen / "
        f"message exceeds the limit of {max_message_bytes} bytes."
    )


def discover(path: Path, max_message_bytes: int, zips: ZipCache | None = None) -> Discovery:
    """Every file and archive member under ``path`` (a folder, one file or one archive), in a stable order,
    each accounted for: a message source, a problem (refused with a reason) or ignored with a reason.

    What a file is comes from its content (``sniff``), not its name: XML is read as a message (an envelope is
    unpacked when it is read), a zip archive is opened (nested ones too), anything else (notes, checksums) is
    listed as ignored. ``source_file`` is relative to ``path`` (POSIX separators) so that it is the same on
    every machine and never reveals where the inbox lives.
    """
    if not path.exists() and not path.is_symlink():
        raise FileNotFoundError(f"iJw input not found: {path}")
    zips = zips or ZipCache()
    found = Discovery([], [], [])
    for full, display in input_files(path):
        discover_file(full, display, max_message_bytes, zips, found)
    return found


def input_files(path: Path) -> list[tuple[Path, str]]:
    """The files under ``path`` (or ``path`` itself) in walk order, each with its name relative to ``path``;
    links, pipes and devices are refused before anything is read from them."""
    if not path.is_dir() or path.is_symlink():
        check_entry(path, path.parent)
        return [(path, path.name)]
    files: list[tuple[Path, str]] = []
    real_folders: dict[Path, Path] = {}
    for full in walk_inbox(path):
        check_entry(full, path, real_folders)
        if not full.is_dir():
            files.append((full, full.relative_to(path).as_posix()))
    return files


def discover_file(full: Path, display: str, max_message_bytes: int, zips: ZipCache, found: Discovery) -> None:
    """Account for one file (shown as ``display``) in ``found``: what it holds depends on its bytes alone, which
    is what lets a run keep the parsed messages of a file it has seen before (pipelines/ingest/ijw_cache.py)."""
    if full.name.startswith("._"):
        found.ignored.append(Ignored(display, "macOS-bijbestand / macOS resource fork, not a message."))
        return
    kind = _named_kind(full.name)
    if kind is None:  # the name says nothing: the content decides
        with open(full, "rb") as fh:
            kind = sniff(fh.read(SNIFF_BYTES), full.name)
    if kind == "zip":
        _zip_sources(zips, full, (), display, max_message_bytes, found)
    elif kind == "xml":
        found.sources.append(MessageSource(display, full))
    else:
        found.ignored.append(Ignored(display, _not_a_message(full.suffix.lstrip(".").lower())))


class ZipCache:
    """Keeps a few archives open during the ordered pass, which visits members of one zip out of order.

    Re-opening an archive per member would re-read its central directory every time; keeping *all* open
    could exhaust file handles, so this is a small LRU. A nested archive is read into memory (at most
    MAX_NESTED_ZIP_BYTES) and opened from there; it is addressed by its archive on disk and member chain.
    """

    def __init__(self, max_open: int = 4) -> None:
        self._open: OrderedDict[tuple[Path, tuple[int, ...]], zipfile.ZipFile] = OrderedDict()
        self._max_open = max_open

    def get(self, path: Path, chain: tuple[int, ...] = ()) -> zipfile.ZipFile:
        key = (path, chain)
        zf = self._open.get(key)
        if zf is not None:
            self._open.move_to_end(key)
            return zf
        if chain:
            outer = self.get(path, chain[:-1])
            with outer.open(outer.infolist()[chain[-1]]) as fh:
                zf = zipfile.ZipFile(io.BytesIO(_read_capped(fh, MAX_NESTED_ZIP_BYTES)))
        else:
            zf = zipfile.ZipFile(path)
        self._open[key] = zf
        if len(self._open) > self._max_open:
            _, oldest = self._open.popitem(last=False)
            oldest.close()
        return zf

    def open_member(self, path: Path, members: tuple[int, ...]) -> IO[bytes]:
        """A stream of the member at the end of ``members`` (its archives opened on the way)."""
        zf = self.get(path, members[:-1])
        return zf.open(zf.infolist()[members[-1]])

    def head(self, path: Path, members: tuple[int, ...]) -> bytes:
        """The first SNIFF_BYTES of a member, to tell what it is."""
        try:
            with self.open_member(path, members) as fh:
                return fh.read(SNIFF_BYTES)
        except _ZIP_ERRORS as exc:
            raise IjwInputError(f"zip-onderdeel onleesbaar / zip member unreadable ({type(exc).__name__}).") from None

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


def iter_chunks(
    source: MessageSource, zips: ZipCache, limit: int, chunk_bytes: int = CHUNK_BYTES
) -> Generator[bytes, None, None]:
    """Stream at most ``limit`` bytes of a message in chunks of ``chunk_bytes``; used by the cheap header pass."""
    try:
        if not source.members:
            with open(source.fs_path, "rb") as fh:
                yield from _chunks(fh, limit, chunk_bytes)
        else:
            with zips.open_member(source.fs_path, source.members) as fh:
                yield from _chunks(fh, limit, chunk_bytes)
    except _ZIP_ERRORS as exc:
        raise IjwInputError(f"bericht is onleesbaar / message unreadable ({type(exc).__name__}).") from None


def _chunks(fh: IO[bytes], limit: int, chunk_bytes: int) -> Generator[bytes, None, None]:
    remaining = limit
    while remaining > 0:
        chunk = fh.read(min(chunk_bytes, remaining))
        if not chunk:
            return
        remaining -= len(chunk)
        yield chunk


def read_message(source: MessageSource, zips: ZipCache, max_message_bytes: int) -> bytes:
    """The whole message as bytes, capped at ``max_message_bytes`` (one message is small by design)."""
    try:
        if not source.members:
            if source.fs_path.stat().st_size > max_message_bytes:
                raise IjwInputError(_too_large_reason(max_message_bytes))
            with open(source.fs_path, "rb") as fh:
                return _read_capped(fh, max_message_bytes)
        with zips.open_member(source.fs_path, source.members) as fh:
            return _read_capped(fh, max_message_bytes)
    except _ZIP_ERRORS as exc:
        raise IjwInputError(f"bericht is onleesbaar / message unreadable ({type(exc).__name__}).") from None
