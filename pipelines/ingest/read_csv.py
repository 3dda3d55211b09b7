"""Reading a holder's CSV export the way its contract describes it.

Dutch exports come from Excel and a dozen registration systems: `;` or `,`, UTF-8 with or without BOM
or Windows-1252, CRLF or LF, header names in the holder's own spelling. This module turns such a file
into a table of text columns named after the contract's fields, or rejects the whole file with one
sentence naming the file, what was expected and what was found. Values stay text here; typing and
row rules are `validate`'s job, so a bad value quarantines a row instead of failing the file.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.ingest.contract import Contract

LINE_COLUMN = "_line"
FILE_COLUMN = "_file"
ROW_COLUMN = "_row"


class FileRejected(RuntimeError):
    """A whole input file cannot be used. The message is meant for the analyst, as is."""


@dataclass
class RawTable:
    """A parsed export: text columns named after contract fields, plus row number, source file and line.

    The line is the physical line for CSV files (off by the count of embedded newlines in quoted fields
    above it, which registration exports do not have) and the element's line for iJw messages.
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


def decode(data: bytes, source: str) -> tuple[str, str]:
    """Detect UTF-8 (with or without BOM) or Windows-1252 and return (text, encoding name)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise FileRejected(
            f"{source}: unreadable encoding: expected UTF-8 or Windows-1252, found byte "
            f"0x{data[exc.start]:02x} at position {exc.start} that is neither."
        ) from None


def detect_delimiter(header_line: str) -> str:
    """The header tells: Dutch Excel writes `;`, most other tools `,`."""
    return ";" if header_line.count(";") >= header_line.count(",") and ";" in header_line else ","


def map_headers(headers: list[str], contract: Contract) -> tuple[dict[str, str], list[str]]:
    """Map the file's headers to contract fields; return (file header → field, dropped headers)."""
    fields = {normalise_header(f.name): f.name for f in contract.properties}
    renames = {normalise_header(k): v for k, v in contract.file.renames.items()}
    patterns = [(re.compile(p), v) for p, v in contract.file.headerPatterns.items()]
    mapping: dict[str, str] = {}
    dropped: list[str] = []
    for header in headers:
        key = normalise_header(header)
        target = renames.get(key) or fields.get(key)
        if target is None:
            target = next((v for p, v in patterns if p.match(key)), None)
        if target is None or target in mapping.values():
            dropped.append(header)
        else:
            mapping[header] = target
    return mapping, dropped


def read_export(path: Path, contract: Contract, display_name: str | None = None) -> RawTable:
    """Read one export file per its contract, or raise `FileRejected` with one clear sentence."""
    source = display_name or path.name
    data = path.read_bytes()
    if not data.strip():
        raise FileRejected(f"{source}: the file is empty; expected a header row and data for '{contract.id}'.")
    text, encoding = decode(data, source)
    if "\x00" in text:
        raise FileRejected(f"{source}: the file contains NUL bytes; expected a text CSV export (is it a binary file?).")
    header_line = text.lstrip("\ufeff").splitlines()[0]
    delimiter = detect_delimiter(header_line)
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            separator=delimiter,
            infer_schema=False,
            quote_char='"',
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError as exc:
        first = str(exc).splitlines()[0][:200]
        raise FileRejected(f"{source}: not a readable CSV table ({first}); check for a truncated file.") from None
    mapping, dropped = map_headers(frame.columns, contract)
    missing = [f.name for f in contract.properties if f.required and f.name not in mapping.values()]
    if missing:
        expected = ", ".join(f.name for f in contract.properties)
        raise FileRejected(
            f"{source}: missing required column(s) {', '.join(missing)} for '{contract.id}'; "
            f"expected columns {expected}; found {', '.join(frame.columns) or 'none'}. Is this the right file?"
        )
    frame = frame.select([pl.col(h).alias(t) for h, t in mapping.items()])
    absent = [f.name for f in contract.properties if f.name not in frame.columns]
    frame = frame.with_columns([pl.lit(None, dtype=pl.String).alias(n) for n in absent])
    frame = frame.select(
        pl.int_range(0, pl.len(), dtype=pl.Int64).alias(ROW_COLUMN),
        pl.lit(source).alias(FILE_COLUMN),
        pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias(LINE_COLUMN),
        *[pl.col(f.name).str.strip_chars().replace("", None) for f in contract.properties],
    )
    return RawTable(source, frame, encoding, delimiter, dropped)
