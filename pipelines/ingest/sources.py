"""Ingest one source: find its files in the inbox, read, validate and minimise them.

This is the first (and only) step that sees raw identifiers. It keeps them in memory, replaces them by
pseudonyms and writes nothing but pseudonymised rows and a quarantine with masked values. Youth care
arrives as flat CSV, as iJw 3.2 messages, or both; both forms pass the same contract.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl

from pipelines.ingest.contract import Contract
from pipelines.ingest.minimise import minimise
from pipelines.ingest.read_csv import (
    FILE_COLUMN,
    LINE_COLUMN,
    ROW_COLUMN,
    FileRejected,
    RawTable,
    open_export,
)
from pipelines.ingest.sink import ParquetSink
from pipelines.ingest.validate import QUARANTINE_SCHEMA, SeenRows, Validated, validate
from pseudonymisation.pseudonymiser import Pseudonymiser

IJW_FOLDER = "ijw"
YOUTH_CARE_SOURCES = ("toewijzingen", "declaraties")


@dataclass(frozen=True)
class InputFile:
    """What the manifest records of one input file."""

    name: str
    size: int
    sha256: str
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    encoding: str = ""
    delimiter: str = ""
    dropped_columns: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class Ingested:
    """What ingesting one source did: per-file counts, the staged schema, quarantine counts per rule."""

    source: str
    contract_version: str
    files: list[InputFile] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    quarantine_by_rule: Counter[str] = field(default_factory=Counter)
    ijw_messages: dict[str, int] = field(default_factory=dict)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_accepted(self) -> int:
        return sum(f.rows_accepted for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def find_files(inbox: Path, file_name: str) -> list[Path]:
    """All deliveries of one export: the file itself and any copy in a sub-folder, in a stable order."""
    return sorted(p for p in inbox.rglob(file_name) if p.is_file() and not p.name.startswith("."))


def ijw_raw_tables(inbox: Path) -> tuple[dict[str, RawTable], pl.DataFrame, dict[str, int]]:
    """iJw messages as raw tables in the flat form-B shape, plus whole-message rejections."""
    from pipelines.ingest.ijw import read_ijw

    folder = inbox / IJW_FOLDER
    if not folder.is_dir():
        return {}, pl.DataFrame(schema=QUARANTINE_SCHEMA), {}
    result = read_ijw(folder)
    tables: dict[str, RawTable] = {}
    for source, rows in (("toewijzingen", result.toewijzingen), ("declaraties", result.declaraties)):
        frame = pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()
        if frame.height:
            frame = frame.with_columns(
                pl.int_range(0, pl.len(), dtype=pl.Int64).alias(ROW_COLUMN),
                (pl.lit(f"{IJW_FOLDER}/") + pl.col("source_file")).alias(FILE_COLUMN),
                pl.col("source_line").cast(pl.Int64, strict=False).alias(LINE_COLUMN),
            ).drop("source_file", "source_line")
            tables[source] = RawTable(f"{IJW_FOLDER}/", frame, "utf-8", "xml")
    rejected = pl.DataFrame(
        {
            "_row": [-1 - i for i in range(len(result.rejected))],
            "source_file": [f"{IJW_FOLDER}/{r.source_file}" for r in result.rejected],
            "line": [None] * len(result.rejected),
            "field": ["*"] * len(result.rejected),
            "rule": ["ijw_message_rejected"] * len(result.rejected),
            "value": [r.reason for r in result.rejected],
        },
        schema=QUARANTINE_SCHEMA,
    )
    counts = dict(result.messages_read)
    counts["rejected"] = len(result.rejected)
    counts["unmatched_credits"] = result.unmatched_credits
    return tables, rejected, counts


def ingest_source(
    inbox: Path,
    contract: Contract,
    pseudonymiser: Pseudonymiser,
    staged: Path,
    quarantine: Path,
    addresses: pl.DataFrame | None = None,
    ijw_table: RawTable | None = None,
    rejected: pl.DataFrame | None = None,
) -> Ingested:
    """Read, validate and minimise every file of one source batch by batch into `staged` and `quarantine`.

    Raises `FileRejected` for unusable input; both outputs then keep their previous content.
    `rejected` holds whole iJw messages refused before they became rows: quarantined, not counted as rows.
    """
    paths = find_files(inbox, contract.file.name)
    if not paths and ijw_table is None:
        raise FileRejected(
            f"{contract.file.name}: not found in the inbox {inbox}; expected the '{contract.id}' export "
            f"({contract.owner})."
        )
    exports = [open_export(p, contract, str(p.relative_to(inbox))) for p in paths]
    result = Ingested(source=contract.id, contract_version=contract.version)
    quarantine_schema = {k: v for k, v in QUARANTINE_SCHEMA.items() if k != "_row"}
    with ParquetSink(staged) as accepted_sink, ParquetSink(quarantine, quarantine_schema) as quarantine_sink:  # type: ignore[arg-type]

        def stage(checked: Validated) -> None:
            accepted_sink.write(minimise(checked.accepted, contract, pseudonymiser, addresses))
            quarantine_sink.write(checked.quarantine.drop("_row"))
            result.quarantine_by_rule.update(
                f"{r['field']}:{r['rule']}" for r in checked.quarantine.select("field", "rule").to_dicts()
            )

        for export in exports:
            counts = [0, 0, 0]
            seen = SeenRows()
            for batch in export.batches():
                checked = validate(batch, contract, seen)
                stage(checked)
                counts = [
                    counts[0] + checked.rows_read,
                    counts[1] + checked.accepted.height,
                    counts[2] + checked.rows_quarantined,
                ]
            result.files.append(
                InputFile(
                    name=export.source_file,
                    size=export.path.stat().st_size,
                    sha256=sha256_of(export.path),
                    rows_read=counts[0],
                    rows_accepted=counts[1],
                    rows_quarantined=counts[2],
                    encoding=export.encoding,
                    delimiter=export.delimiter,
                    dropped_columns=tuple(export.dropped_columns),
                )
            )
        if ijw_table is not None:
            checked = validate(_with_contract_columns(ijw_table, contract), contract)
            stage(checked)
            result.files.append(
                InputFile(
                    name=ijw_table.source_file,
                    size=0,
                    sha256="",
                    rows_read=checked.rows_read,
                    rows_accepted=checked.accepted.height,
                    rows_quarantined=checked.rows_quarantined,
                    encoding=ijw_table.encoding,
                    delimiter=ijw_table.delimiter,
                )
            )
        if rejected is not None and rejected.height:
            quarantine_sink.write(rejected.drop("_row", strict=False))
            result.quarantine_by_rule.update(f"{r['field']}:{r['rule']}" for r in rejected.to_dicts())
        result.columns = accepted_sink.columns
    return result


def _with_contract_columns(raw: RawTable, contract: Contract) -> RawTable:
    """iJw rows may lack optional columns; give them the contract's full column set as text."""
    frame = raw.frame
    missing = [f.name for f in contract.properties if f.name not in frame.columns]
    if not missing and frame.columns[:3] == [ROW_COLUMN, FILE_COLUMN, LINE_COLUMN]:
        return raw
    frame = frame.with_columns([pl.lit(None, dtype=pl.String).alias(n) for n in missing])
    frame = frame.select(
        ROW_COLUMN,
        FILE_COLUMN,
        LINE_COLUMN,
        *[pl.col(f.name).cast(pl.String).str.strip_chars().replace("", None) for f in contract.properties],
    )
    return RawTable(raw.source_file, frame, raw.encoding, raw.delimiter, raw.dropped_columns)
