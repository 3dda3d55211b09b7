"""Reading a holder's CSV export the way its contract describes it, streamed in batches.

Dutch exports come from Excel and a dozen registration systems: `;` or `,`, UTF-8 with or without BOM
or Windows-1252, CRLF or LF, header names in the holder's own spelling. `open_export` checks the whole
file first (encoding, header, data present, not truncated) and either rejects it with one sentence
naming the file, what was expected and what was found, or returns an `ExportFile` whose `batches()`
yield tables of text columns named after the contract's fields. Batches end on record boundaries, so
a file of any size is read with bounded memory. Values stay text here; typing and row rules are
`validate`'s job, so a bad value quarantines a row instead of failing the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pseudonymisation.contract import Contract, load_all_contracts
from pseudonymisation.inbox import escape_name

LINE_COLUMN = "_line"
FILE_COLUMN = "_file"
ROW_COLUMN = "_row"
EXTRA_COLUMN = "_extra"
CHUNK_BYTES = 8 << 20
_PROBE_BYTES = 64 << 10


class FileRejected(RuntimeError):
    """A whole input file cannot be used. The message is meant for the analyst, as is."""


@dataclass
class RawTable:
    """A parsed batch: text columns named after contract fields, plus row number, source file and line.

    `_row` counts rows from 0 over the whole file; `_line` is the physical line for CSV files (exact at
    each batch start, then off by embedded newlines in quoted fields, which registration exports do not
    have) and the element's line for iJw messages. `_extra` holds the first field beyond the header's
    width, if a row has one: such a row is quarantined, its values are probably shifted.
    """

    source_file: str
    frame: pl.DataFrame
    encoding: str
    delimiter: str
    dropped_columns: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return self.frame.height


def normalise_header(name: str) -> str:
    """Compare headers case-, space-, dash- and underscore-insensitively (`BRIN NUMMER` = `brin_nummer`)."""
    return re.sub(r"[\s_\-]+", "", name.strip().lower())


def detect_encoding(path: Path, source: str) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes as such, else Windows-1252; else reject.

    The whole file is checked (streamed) before anything is parsed: a file cannot switch encoding halfway.
    """
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        position = 0
        try:
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(CHUNK_BYTES), b""):
                    decoder.decode(block)
                    position += len(block)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            if encoding == "cp1252":
                offset = position + exc.start
                raise FileRejected(
                    f"{source}: unreadable encoding: expected UTF-8 or Windows-1252, found byte "
                    f"0x{exc.object[exc.start]:02x} at position {offset} that is neither."
                ) from None
            continue
        with path.open("rb") as handle:
            bom = handle.read(3) == codecs.BOM_UTF8
        return "utf-8-sig" if encoding == "utf-8" and bom else ("windows-1252" if encoding == "cp1252" else "utf-8")
    raise AssertionError("unreachable")


def detect_delimiter(header_line: str) -> str:
    """The header tells: Dutch Excel writes `;`, most other tools `,`."""
    return ";" if header_line.count(";") >= header_line.count(",") and ";" in header_line else ","


def map_headers(headers: list[str], contract: Contract) -> tuple[dict[int, str], list[str]]:
    """Map the file's header positions to contract fields; return (position → field, dropped headers).

    A header maps by the field's own name, the contract's `renames` or `headerPatterns`; a `fallbacks` header
    only when no other header of the file maps to that field. The first header for a field wins."""
    fields = {normalise_header(f.name): f.name for f in contract.properties}
    renames = {normalise_header(k): v for k, v in contract.file.renames.items()}
    fallbacks = {normalise_header(k): v for k, v in contract.file.fallbacks.items()}
    patterns = [(re.compile(p), v) for p, v in contract.file.headerPatterns.items()]
    mapping: dict[int, str] = {}
    for position, header in enumerate(headers):
        key = normalise_header(header)
        target = renames.get(key) or fields.get(key)
        if target is None:
            target = next((v for p, v in patterns if p.match(key)), None)
        if target is not None and target not in mapping.values():
            mapping[position] = target
    for position, header in enumerate(headers):
        target = fallbacks.get(normalise_header(header))
        if position not in mapping and target is not None and target not in mapping.values():
            mapping[position] = target
    dropped = [h for position, h in enumerate(headers) if position not in mapping]
    return mapping, dropped


def _fields_outside_quotes(line: str, delimiter: str) -> int:
    return re.sub(r'"[^"]*"', "", line).count(delimiter) + 1


def _best_other_contract(headers: list[str], contract: Contract) -> str | None:
    """The contract whose required columns this header does carry: the file was put in the wrong place."""
    for other in load_all_contracts().values():
        if other.id == contract.id:
            continue
        mapping, _ = map_headers(headers, other)
        required = [f.name for f in other.properties if f.required]
        if required and all(name in mapping.values() for name in required):
            return f"'{other.id}' ({other.file.name})"
    return None


@dataclass
class ExportFile:
    """An export file that passed the whole-file checks, ready to be read in batches."""

    path: Path
    source_file: str
    contract: Contract
    encoding: str
    delimiter: str
    headers: list[str]
    mapping: dict[int, str]
    dropped_columns: list[str]

    def batches(self, chunk_bytes: int = CHUNK_BYTES) -> Iterator[RawTable]:
        """The data rows in batches of about `chunk_bytes`, each ending on a record boundary."""
        names = [f"c{i}" for i in range(len(self.headers))] + [EXTRA_COLUMN]
        header = self.delimiter.join(names)
        row_offset = 0
        for text, first_line in _record_chunks(self.path, self.encoding, chunk_bytes, self.source_file):
            try:
                frame = pl.read_csv(
                    io.BytesIO(f"{header}\n{text}".encode()),
                    separator=self.delimiter,
                    infer_schema=False,
                    quote_char='"',
                    truncate_ragged_lines=True,
                    raise_if_empty=False,
                )
            except pl.exceptions.PolarsError as exc:
                raise FileRejected(  # polars' message would quote the file: no value of a refused file is echoed
                    f"{self.source_file}: not a readable CSV table near line {first_line} ({type(exc).__name__})."
                ) from None
            absent = [f.name for f in self.contract.properties if f.name not in self.mapping.values()]
            frame = frame.select(
                (pl.int_range(0, pl.len(), dtype=pl.Int64) + row_offset).alias(ROW_COLUMN),
                pl.lit(self.source_file).alias(FILE_COLUMN),
                (pl.int_range(0, pl.len(), dtype=pl.Int64) + first_line).alias(LINE_COLUMN),
                *[pl.col(f"c{i}").alias(name) for i, name in self.mapping.items()],
                *[pl.lit(self.contract.field(name).absentAs, dtype=pl.String).alias(name) for name in absent],
                pl.col(EXTRA_COLUMN),
            ).select(
                ROW_COLUMN,
                FILE_COLUMN,
                LINE_COLUMN,
                *[pl.col(f.name).str.strip_chars().replace("", None) for f in self.contract.properties],
                pl.col(EXTRA_COLUMN).str.strip_chars().replace("", None),
            )
            row_offset += frame.height
            yield RawTable(self.source_file, frame, self.encoding, self.delimiter, self.dropped_columns)


def _record_chunks(path: Path, encoding: str, chunk_bytes: int, source: str) -> Iterator[tuple[str, int]]:
    """Decoded text after the header in pieces that end on a record boundary, with their first line number.

    A newline ends a record only outside quotes (an even number of `"` before it in the piece). Blank
    lines at the end of the file are not records. A file that ends inside a quoted field, or whose last
    line has fewer fields than the header and no line end, was cut off: it is rejected whole.
    """
    decoder = codecs.getincrementaldecoder("utf-8-sig" if encoding.startswith("utf-8") else "cp1252")()
    pending = ""
    line = 1
    header_done = False
    delimiter = ""
    width = 0
    with path.open("rb") as handle:
        while True:
            block = handle.read(chunk_bytes)
            final = not block
            pending += decoder.decode(block, final=final)
            if not header_done:
                end = pending.find("\n")
                if end < 0 and not final:
                    continue
                header_line = pending if end < 0 else pending[:end]
                delimiter = detect_delimiter(header_line)
                width = _fields_outside_quotes(header_line.rstrip("\r"), delimiter)
                pending = "" if end < 0 else pending[end + 1 :]
                line, header_done = 2, True
            if final:
                tail = pending.rstrip("\r\n \t")
                if tail.count('"') % 2:
                    start = line + tail[: _record_boundary(tail)].count("\n")
                    raise FileRejected(
                        f"{source}: the file is truncated: it ends inside a quoted field (a record starting near "
                        f"line {start}); expected every quote to be closed. Ask the holder for a complete export."
                    )
                last = tail.rsplit("\n", 1)[-1]
                if tail and not pending.endswith("\n") and _fields_outside_quotes(last, delimiter) < width:
                    raise FileRejected(
                        f"{source}: the file is truncated: its last line ({line + tail.count(chr(10))}) has "
                        f"{_fields_outside_quotes(last, delimiter)} of {width} fields and no line end. "
                        "Ask the holder for a complete export."
                    )
                if tail:
                    yield tail, line
                return
            cut = _record_boundary(pending)
            if cut > 0:
                piece, pending = pending[:cut], pending[cut:]
                yield piece, line
                line += piece.count("\n")


def _record_boundary(text: str) -> int:
    """Position just after the last newline that is outside quotes, or 0 if there is none."""
    quotes = text.count('"')
    end = len(text)
    while True:
        newline = text.rfind("\n", 0, end)
        if newline < 0:
            return 0
        quotes -= text.count('"', newline, end)
        if quotes % 2 == 0:
            return newline + 1
        end = newline


def open_export(path: Path, contract: Contract, display_name: str | None = None) -> ExportFile:
    """Check one export file as a whole per its contract, or raise `FileRejected` with one clear sentence."""
    source = display_name or path.name
    with path.open("rb") as handle:
        probe = handle.read(_PROBE_BYTES)
    if not probe.removeprefix(codecs.BOM_UTF8).strip() and path.stat().st_size <= _PROBE_BYTES:
        raise FileRejected(f"{source}: the file is empty; expected a header row and data for '{contract.id}'.")
    if probe.count(b"\x00") > len(probe) // 10 or b"\x00" in probe.split(b"\n", 1)[0]:
        raise FileRejected(f"{source}: the file contains NUL bytes; expected a text CSV export (is it a binary file?).")
    if probe.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<"):
        raise FileRejected(
            f"{source}: the file is XML or HTML, not a CSV export for '{contract.id}'; "
            "iJw messages belong in the inbox folder ijw/."
        )
    encoding = detect_encoding(path, source)
    text = probe.decode("utf-8-sig" if encoding.startswith("utf-8") else "cp1252", errors="ignore")
    lines = text.splitlines() or [""]
    header_line = lines[0]
    delimiter = detect_delimiter(header_line)
    headers = _header_names(header_line, delimiter)
    mapping, dropped = map_headers(headers, contract)
    missing = [
        f.name for f in contract.properties if f.required and f.absentAs is None and f.name not in mapping.values()
    ]
    if missing:
        expected = ", ".join(f.name for f in contract.properties)
        other = _best_other_contract(headers, contract)
        hint = f" These look like the columns of {other}: is the file in the wrong place?" if other else ""
        if not other and len(headers) == 1 and re.search(r"[\t|]", header_line):
            hint = " The columns are separated by a tab or '|'; expected ';' or ','."
        if contract.file.layouts:
            expected = "one of the layouts " + "; ".join(
                f"{layout.name.en} ({', '.join(layout.headers)})" for layout in contract.file.layouts
            )
        else:
            expected = f"columns {expected}"
        raise FileRejected(
            f"{source}: missing required column(s) {', '.join(missing)} for '{contract.id}'; "
            f"expected {expected}; found {_found_columns(headers, mapping)}."
            f"{hint or ' Is this the right file?'}"
        )
    has_data = any(line.strip() for line in lines[1:]) or path.stat().st_size > _PROBE_BYTES
    if not has_data:
        raise FileRejected(
            f"{source}: the file has a header but no data rows; expected at least one '{contract.id}' row. "
            "Was the export interrupted?"
        )
    return ExportFile(path, source, contract, encoding, delimiter, headers, mapping, dropped)


def _found_columns(headers: list[str], mapping: dict[int, str]) -> str:
    """The columns a refused file has, naming only those the contract knows: its first line may be anything (a
    key, a person's data), and no value of a refused file is ever echoed."""
    known = [h for position, h in enumerate(headers) if position in mapping]
    others = len(headers) - len(known)
    shown = ", ".join(escape_name(h) for h in known) or "none the contract knows"
    return shown + (f" and {others} other(s), not shown (a refused file's values are never echoed)" if others else "")


def _header_names(header_line: str, delimiter: str) -> list[str]:
    return next(csv.reader([header_line], delimiter=delimiter))


def read_export(path: Path, contract: Contract, display_name: str | None = None) -> RawTable:
    """A whole (small) export as one table: for tools and tests; the pipeline reads `batches()`."""
    export = open_export(path, contract, display_name)
    frame = pl.concat([t.frame for t in export.batches()], how="vertical")
    return RawTable(export.source_file, frame, export.encoding, export.delimiter, export.dropped_columns)
