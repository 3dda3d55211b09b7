"""The intake steps every party runs on an export: validate batch by batch, minimise, write, count.

The data holder (`pseudonymise`), the TTP and the analyst's monitor stage exports with the same functions, so a
row is accepted, quarantined or left out past retention by one rule wherever it is processed. They write to any
`Sink` (CSV at the holder, sealed Parquet at the analyst) and return what the manifest and the receipt record
of one input file (`InputFile`).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from pseudonymisation.contract import Contract
from pseudonymisation.read_csv import FILE_COLUMN, LINE_COLUMN, ROW_COLUMN, ExportFile, RawTable
from pseudonymisation.sink import Sink
from pseudonymisation.validate import QUARANTINE_SCHEMA, SeenRows, Validated, validate

if TYPE_CHECKING:
    from pseudonymisation.ijw import IjwResult


@dataclass(frozen=True)
class InputFile:
    """What the manifest records of one input file."""

    name: str
    size: int
    sha256: str
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    rows_past_retention: int = 0  # valid rows left out: their retention period had ended (rows_read counts them)
    encoding: str = ""
    delimiter: str = ""
    dropped_columns: tuple[str, ...] = ()
    at_source: dict[str, Any] | None = None  # the receipt, for an export pseudonymised by its holder
    duplicate_of: str | None = None  # same bytes as this earlier delivery: reported, its rows counted once
    clients: int = 0  # iJw rows: distinct clients, and those with a quarantined row (counts, never who)
    clients_quarantined: int = 0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


PHASES = ("read_validate", "pseudonymise", "write")


class PhaseClock:
    """Seconds spent per phase of ingest: reading and validating, pseudonymising (minimising), writing."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(PHASES, 0.0)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - started


@dataclass
class IjwTables:
    """What one pass over the iJw messages gives: raw rows per source, rejected messages, message counts,
    and the person-free consistency facts of every declaration line."""

    tables: dict[str, RawTable]
    rejected: pl.DataFrame
    counts: dict[str, int]
    consistency: pl.DataFrame
    ignored: list[dict[str, str]] = field(default_factory=list)  # files and members that are no message, and why


def ijw_folder_tables(folder: Path, prefix: str) -> IjwTables:
    """iJw messages (a folder or zip) as raw tables in the flat form-B shape, read once.

    File names are reported with `prefix` in front, as they are found from where the caller stands.
    """
    from pseudonymisation.ijw import read_ijw

    return ijw_result_tables(read_ijw(folder), prefix)


def ijw_result_tables(result: IjwResult, prefix: str) -> IjwTables:
    """The reader's result as tables in the flat form-B shape (raw, or tokens: `pseudonymisation.ijw_tokens`)."""
    from pseudonymisation.ijw_consistency import consistency_table, declaration_facts

    tables: dict[str, RawTable] = {}
    for source, rows in (("toewijzingen", result.toewijzingen), ("declaraties", result.declaraties)):
        frame = pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()
        if frame.height:
            frame = frame.with_columns(
                pl.int_range(0, pl.len(), dtype=pl.Int64).alias(ROW_COLUMN),
                (pl.lit(prefix) + pl.col("source_file")).alias(FILE_COLUMN),
                pl.col("source_line").cast(pl.Int64, strict=False).alias(LINE_COLUMN),
            ).drop("source_file", "source_line")
            tables[source] = RawTable(prefix, frame, "utf-8", "xml")
    rejected = pl.DataFrame(
        {
            "_row": [-1 - i for i in range(len(result.rejected))],
            "source_file": [f"{prefix}{r.source_file}" for r in result.rejected],
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
    counts["ignored"] = len(result.ignored)
    ignored = [{"file": f"{prefix}{i.source_file}", "reason": i.reason} for i in result.ignored]
    facts = declaration_facts(result.declaration_lines)
    return IjwTables(
        tables, rejected, counts, consistency_table(facts, result.allocated_products, result.allocation_dates), ignored
    )


# Minimises a batch of accepted rows; the only rows it may leave out are those past retention.
Transform = Callable[[pl.DataFrame], pl.DataFrame]


def stage_checked(
    checked: Validated,
    transform: Transform,
    sinks: tuple[Sink, Sink],
    tally: Counter[str],
    clock: PhaseClock | None = None,
) -> int:
    """Accepted rows, minimised, to the first sink; their quarantine rows to the second. Returns how many
    accepted rows were left out as past retention."""
    clock = clock or PhaseClock()
    accepted_sink, quarantine_sink = sinks
    with clock.phase("pseudonymise"):
        staged = transform(checked.accepted)
    with clock.phase("write"):
        accepted_sink.write(staged)
        quarantine_sink.write(checked.quarantine.drop("_row"))
        tally.update(f"{r['field']}:{r['rule']}" for r in checked.quarantine.select("field", "rule").to_dicts())
    return checked.accepted.height - staged.height


def stage_export(
    export: ExportFile,
    transform: Transform,
    sinks: tuple[Sink, Sink],
    tally: Counter[str],
    sha256: str,
    clock: PhaseClock | None = None,
) -> InputFile:
    """Validate one export batch by batch (duplicates found across its batches) and stage it."""
    clock = clock or PhaseClock()
    read = accepted = quarantined = past = 0
    seen = SeenRows()
    batches = export.batches()
    while True:
        with clock.phase("read_validate"):
            batch = next(batches, None)
            if batch is None:
                break
            checked = validate(batch, export.contract, seen)
        dropped = stage_checked(checked, transform, sinks, tally, clock)
        read, accepted = read + checked.rows_read, accepted + checked.accepted.height - dropped
        quarantined, past = quarantined + checked.rows_quarantined, past + dropped
    return InputFile(
        name=export.source_file,
        size=export.path.stat().st_size,
        sha256=sha256,
        rows_read=read,
        rows_accepted=accepted,
        rows_quarantined=quarantined,
        rows_past_retention=past,
        encoding=export.encoding,
        delimiter=export.delimiter,
        dropped_columns=tuple(export.dropped_columns),
    )


def stage_ijw_table(
    raw: RawTable,
    contract: Contract,
    transform: Transform,
    sinks: tuple[Sink, Sink],
    tally: Counter[str],
    name: str | None = None,
    clock: PhaseClock | None = None,
    prechecked: frozenset[str] = frozenset(),
) -> InputFile:
    """Validate and stage the rows parsed from iJw messages (one table, already in memory). `prechecked`: fields
    holding tokens of identifiers checked before the rows were built (`pseudonymisation.validate`)."""
    clock = clock or PhaseClock()
    with clock.phase("read_validate"):
        table = with_contract_columns(raw, contract)
        checked = validate(table, contract, prechecked=prechecked)
        clients, affected = _client_counts(table.frame, checked.quarantine, contract)
    past = stage_checked(checked, transform, sinks, tally, clock)
    return InputFile(
        name=name or raw.source_file,
        size=0,
        sha256="",
        rows_read=checked.rows_read,
        rows_accepted=checked.accepted.height - past,
        rows_quarantined=checked.rows_quarantined,
        rows_past_retention=past,
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        clients=clients,
        clients_quarantined=affected,
    )


def _client_counts(raw: pl.DataFrame, quarantine: pl.DataFrame, contract: Contract) -> tuple[int, int]:
    """Distinct clients (the contract's first direct identifier) in the iJw rows, and how many of them have a
    quarantined row: the plausibility gate counts clients too, so one client's lost history is seen."""
    person = next((f.name for f in contract.properties if f.privacy == "direct_identifier"), None)
    if person is None or person not in raw.columns or not raw.height:
        return 0, 0
    clients = raw.select(pl.col(person).drop_nulls().n_unique()).item()
    bad_rows = quarantine.select(ROW_COLUMN).unique()
    affected = raw.join(bad_rows, on=ROW_COLUMN, how="semi").select(pl.col(person).n_unique()).item()
    return int(clients), int(affected)


def stage_rejected(rejected: pl.DataFrame, quarantine_sink: Sink, tally: Counter[str]) -> None:
    """Whole iJw messages refused before they became rows: quarantined, not counted as rows."""
    if rejected.height:
        quarantine_sink.write(rejected.drop("_row", strict=False))
        tally.update(f"{r['field']}:{r['rule']}" for r in rejected.select("field", "rule").to_dicts())


def with_contract_columns(raw: RawTable, contract: Contract) -> RawTable:
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
        *[contract_text(pl.col(f.name)) for f in contract.properties],
    )
    return RawTable(raw.source_file, frame, raw.encoding, raw.delimiter, raw.dropped_columns)


def contract_text(column: pl.Expr) -> pl.Expr:
    """A parsed value as validation receives it: text, trimmed, empty as null."""
    return column.cast(pl.String).str.strip_chars().replace("", None)
