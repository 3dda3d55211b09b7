"""Ingest one source: find its files in the inbox, read, validate and minimise them.

This is the first (and only) step that sees raw identifiers. It keeps them in memory, replaces them by
pseudonyms and writes nothing but pseudonymised rows and a quarantine with masked values. Youth care
arrives as flat CSV, as iJw 3.2 messages, or both; both forms pass the same contract.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.ingest.ijw_cache import read_ijw_files
from pipelines.ingest.parquet_sink import ParquetSink
from pseudonymisation.contract import Contract
from pseudonymisation.ijw_consistency import SCHEMA as CONSISTENCY_SCHEMA
from pseudonymisation.ijw_files import input_files
from pseudonymisation.ijw_tokens import PRECHECKED
from pseudonymisation.inbox import UnsafeInput, check_entry, escape_name, find_exports, walk_inbox
from pseudonymisation.minimise import Minimiser
from pseudonymisation.pseudonymised_exports import check_receipt, pseudonymised_contract, pseudonymised_name
from pseudonymisation.pseudonymiser import Pseudonymiser
from pseudonymisation.read_csv import (
    ExportFile,
    FileRejected,
    RawTable,
    open_export,
)
from pseudonymisation.receipts import ExpectedKeys
from pseudonymisation.receipts import sha256_file as sha256_of  # one file hash for holder, TTP and monitor
from pseudonymisation.retention import processing_today, retention_cutoff
from pseudonymisation.staging import (
    IjwTables,
    InputFile,
    PhaseClock,
    Transform,
    ijw_folder_tables,
    ijw_result_tables,
    stage_export,
    stage_ijw_table,
    stage_rejected,
)
from pseudonymisation.validate import QUARANTINE_SCHEMA

IJW_FOLDER = "ijw"


@dataclass
class Ingested:
    """What ingesting one source did: per-file counts, the staged schema, quarantine counts per rule."""

    source: str
    contract_version: str
    files: list[InputFile] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    quarantine_by_rule: Counter[str] = field(default_factory=Counter)
    ijw_messages: dict[str, int] = field(default_factory=dict)
    ijw_ignored: list[dict[str, str]] = field(default_factory=list)  # no message, not read: file and reason
    ijw_cache: dict[str, int] = field(default_factory=dict)  # iJw files and messages parsed or taken from the cache
    seconds: dict[str, float] = field(default_factory=dict)  # per phase, see PHASES

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_accepted(self) -> int:
        return sum(f.rows_accepted for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    @property
    def rows_past_retention(self) -> int:
        return sum(f.rows_past_retention for f in self.files)


class FileChanged(FileRejected):
    """A file changed while it was read; it is read again once it is stable."""


STABLE_ATTEMPTS = 3


def _identity(path: Path) -> tuple[int, int, int, int, int]:
    """What changes whenever a file's bytes do: inode (a rename over it), size, mtime and ctime (any write;
    ctime cannot be set back by the writer, unlike mtime)."""
    st = path.stat()
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def wait_until_stable(paths: list[Path], seconds: float, display: Callable[[Path], str]) -> None:
    """Return once no file in `paths` changed size or modification time for `seconds` (a delivery still being
    copied in is not read); refuse after STABLE_ATTEMPTS windows of change."""
    if seconds <= 0 or not paths:
        return
    for _ in range(STABLE_ATTEMPTS * 4):
        before = {p: _identity(p)[2:4] for p in paths}
        newest = max(ns for _, ns in before.values()) / 1e9
        if time.time() - newest >= seconds:
            return
        time.sleep(seconds)
        if {p: _identity(p)[2:4] for p in paths} == before and time.time() - newest >= seconds:
            return
    changing = [display(p) for p in paths if time.time() - _identity(p)[3] / 1e9 < seconds]
    raise FileRejected(
        f"{', '.join(changing) or display(paths[0])}: still being written (changed within the last {seconds:g} s, "
        f"{STABLE_ATTEMPTS * 4} times in a row); run again when the delivery is complete."
    )


def find_files(inbox: Path, file_name: str) -> list[Path]:
    """All deliveries of one export: the file itself and any copy in a sub-folder, in a stable order.

    Links, pipes, devices and anything outside the inbox are refused before they are read (`pseudonymisation.inbox`).
    """
    try:
        return find_exports(inbox, file_name)
    except UnsafeInput as exc:
        raise FileRejected(str(exc)) from None


def _shown(path: Path, inbox: Path) -> str:
    """A file's name as messages and the manifest show it: relative to the inbox, control characters escaped."""
    return escape_name(str(path.relative_to(inbox)))


def ijw_tables(
    inbox: Path, stable_seconds: float = 0.0, pseudonymiser: Pseudonymiser | None = None, cache: Path | None = None
) -> tuple[IjwTables, dict[str, int]]:
    """The inbox's iJw messages (folder `ijw/`); no folder, no messages. Read once the folder is stable, and
    again when a message changed (or came or went) while it was read.

    With a pseudonymiser (single-key mode) and a `cache`, only files not parsed before are parsed and the rows
    hold their identifiers as tokens (`PRECHECKED`; pipelines/ingest/ijw_cache.py); the counts say how many
    files and messages were parsed and taken from the cache. Without one (two-step mode, which refuses raw
    messages) they are read as they are, to be refused."""
    folder = inbox / IJW_FOLDER
    if not folder.is_dir() and not folder.is_symlink():
        empty = IjwTables({}, pl.DataFrame(schema=QUARANTINE_SCHEMA), {}, pl.DataFrame(schema=CONSISTENCY_SCHEMA))
        return empty, {}
    prefix = f"{IJW_FOLDER}/"
    try:
        for _ in range(STABLE_ATTEMPTS):
            files = _message_files(folder, inbox)
            wait_until_stable(files, stable_seconds, lambda p: _shown(p, inbox))
            before = {p: _identity(p) for p in files}
            if pseudonymiser is None or cache is None:
                tables, counts = ijw_folder_tables(folder, prefix), {}
            else:
                reading = read_ijw_files(input_files(folder), pseudonymiser, cache, processing_today())
                tables, counts = ijw_result_tables(reading.result, prefix), reading.counts
            if {p: _identity(p) for p in _message_files(folder, inbox)} == before:
                return tables, counts
    except UnsafeInput as exc:
        raise FileRejected(f"{IJW_FOLDER}/: {exc}") from None
    raise FileRejected(
        f"{IJW_FOLDER}/: messages kept changing while they were read; run again when the delivery is complete."
    )


def _message_files(folder: Path, inbox: Path) -> list[Path]:
    """The regular files below the iJw folder, each checked before anything (even its size) is looked at."""
    check_entry(folder, inbox)  # the folder itself may not be a link
    files = []
    real_folders: dict[Path, Path] = {}  # one realpath per folder, not per file (150 000 files at city scale)
    for path in walk_inbox(folder):
        check_entry(path, folder, real_folders)
        if not path.is_dir():
            files.append(path)
    return sorted(files)


def ingest_source(
    inbox: Path,
    contract: Contract,
    pseudonymiser: Pseudonymiser | None,
    staged: Path,
    quarantine: Path,
    addresses: pl.DataFrame | None = None,
    ijw_table: RawTable | None = None,
    rejected: pl.DataFrame | None = None,
    stable_seconds: float = 0.0,
    expected: ExpectedKeys | None = None,
    today: date | None = None,
    ijw_tokens: bool = False,
) -> Ingested:
    """Read, validate and minimise every file of one source batch by batch into `staged` and `quarantine`.

    Rows past the contract's retention (measured from `today`, default `processing_today()`) are left out
    before anything is written and counted per file (`rows_past_retention`): they never enter a run.

    Single-key mode (`pseudonymiser` given): raw exports are pseudonymised here. Two-step mode (`expected`
    given, no key): only exports pseudonymised by the holder and the TTP (`<export>.pseudo.csv`) are taken, as
    they are, once their receipt carries the expected domain and key fingerprints; a raw person-level export is
    refused, as is a pseudonymised one in single-key mode (its pseudonyms would not link).
    Raises `FileRejected` for unusable input; both outputs then keep their previous content. `rejected` holds
    whole iJw messages refused before they became rows: quarantined, not counted as rows. `ijw_tokens`: the
    iJw rows hold their identifiers as tokens (`ijw_tables` with a cache), checked and pseudonymised already.

    Stable inputs: a file is read once its size and modification time held still for `stable_seconds`; the
    sha256 recorded is that of the bytes read (the file's identity is the same before hashing and after the
    last read, else the source is read again, up to STABLE_ATTEMPTS times). A file with the bytes of an
    earlier delivery of the same export is reported (`duplicate_of`) and its rows are counted once.
    """
    for attempt in range(1, STABLE_ATTEMPTS + 1):
        raw_paths = find_files(inbox, contract.file.name)
        pseudo_paths = find_files(inbox, pseudonymised_name(contract))
        if not raw_paths and not pseudo_paths and ijw_table is None:
            raise FileRejected(
                f"{contract.file.name}: not found in the inbox {inbox}; expected the '{contract.id}' export "
                f"({contract.owner}) or its pseudonymised form {pseudonymised_name(contract)}."
            )
        wait_until_stable([*raw_paths, *pseudo_paths], stable_seconds, lambda p: _shown(p, inbox))
        try:
            outputs, found = (staged, quarantine), (raw_paths, pseudo_paths)
            _check_mode(contract, raw_paths, pseudo_paths, ijw_table, pseudonymiser, expected, inbox)
            cutoff = retention_cutoff(contract, today or processing_today())
            keys = (pseudonymiser, expected)
            ijw = (ijw_table, rejected, ijw_tokens)
            return _ingest_files(inbox, contract, keys, outputs, found, addresses, ijw, cutoff)
        except FileChanged:
            if attempt == STABLE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _check_mode(
    contract: Contract,
    raw_paths: list[Path],
    pseudo_paths: list[Path],
    ijw_table: RawTable | None,
    pseudonymiser: Pseudonymiser | None,
    expected: ExpectedKeys | None,
    inbox: Path,
) -> None:
    """Refuse files this installation's pseudonymisation mode cannot take, with a sentence that says why."""
    person_level = bool(contract.identifier_fields or contract.linkable_fields)
    if pseudonymiser is None and person_level and (raw_paths or ijw_table is not None):
        shown = _shown(raw_paths[0], inbox) if raw_paths else IJW_FOLDER + "/"
        raise FileRejected(
            f"{shown}: a raw export with identifiers, refused: in the two-step mode the analyst holds no key and "
            f"accepts only {pseudonymised_name(contract)} from the trusted third party. Nothing of it was read; "
            "return it to its holder (docs/pseudonymisation.md)."
        )
    if expected is None and pseudo_paths:
        raise FileRejected(
            f"{_shown(pseudo_paths[0], inbox)}: pseudonymised by the holder and the TTP, but this monitor is in the "
            "single-key mode, whose pseudonyms would not link with it; set [pseudonymisation] mode = 'two-step'."
        )


def _ingest_files(
    inbox: Path,
    contract: Contract,
    keys: tuple[Pseudonymiser | None, ExpectedKeys | None],
    outputs: tuple[Path, Path],
    found: tuple[list[Path], list[Path]],
    addresses: pl.DataFrame | None,
    ijw: tuple[RawTable | None, pl.DataFrame | None, bool],
    cutoff: date | None,
) -> Ingested:
    staged, quarantine = outputs
    raw_paths, pseudo_paths = found
    pseudonymiser, expected = keys
    ijw_table, rejected, ijw_tokens = ijw

    minimisers: dict[str, Minimiser] = {}  # made at first use: one per source, so identifiers hash once

    def pseudonymise(frame: pl.DataFrame) -> pl.DataFrame:
        if "raw" not in minimisers:
            minimisers["raw"] = Minimiser(contract, pseudonymiser, addresses, cutoff)
        return minimisers["raw"](frame)

    derived = pseudonymised_contract(contract)

    def as_delivered(frame: pl.DataFrame) -> pl.DataFrame:
        if "derived" not in minimisers:
            minimisers["derived"] = Minimiser(derived, None, retention_cutoff=cutoff)
        return minimisers["derived"](frame)

    clock = PhaseClock()
    pinned: dict[Path, tuple[int, int, int, int, int]] = {}
    seen: dict[str, str] = {}  # sha256 → the first delivery with those bytes
    duplicates: list[InputFile] = []

    def first_delivery(path: Path) -> str | None:
        """The sha256 of `path`'s bytes as they are now (identity pinned first), unless a delivery before it
        had the same bytes: then that one is reported as the original and this one is not read."""
        pinned[path] = _identity(path)
        sha = sha256_of(path)
        name = _shown(path, inbox)
        if sha in seen:
            duplicates.append(InputFile(name, pinned[path][2], sha, 0, 0, 0, duplicate_of=seen[sha]))
            return None
        seen[sha] = name
        return sha

    with clock.phase("read_validate"):
        exports: list[tuple[ExportFile, Transform, str, dict[str, Any] | None]] = []
        for path in raw_paths:
            if (sha := first_delivery(path)) is not None:
                exports.append((open_export(path, contract, _shown(path, inbox)), pseudonymise, sha, None))
        for path in pseudo_paths:
            if (sha := first_delivery(path)) is None:
                continue
            assert expected is not None  # _check_mode refused pseudonymised exports in the single-key mode
            checked_receipt = check_receipt(path, contract, expected, sha)
            exports.append((open_export(path, derived, _shown(path, inbox)), as_delivered, sha, checked_receipt))
    result = Ingested(source=contract.id, contract_version=contract.version, seconds=clock.seconds)
    quarantine_schema = {k: v for k, v in QUARANTINE_SCHEMA.items() if k != "_row"}
    with ParquetSink(staged) as accepted_sink, ParquetSink(quarantine, quarantine_schema) as quarantine_sink:  # type: ignore[arg-type]
        sinks = (accepted_sink, quarantine_sink)
        tally = result.quarantine_by_rule
        for export, transform, sha, receipt in exports:
            staged_file = stage_export(export, transform, sinks, tally, sha, clock)
            if _identity(export.path) != pinned[export.path]:
                raise FileChanged(f"{export.source_file}: the file changed while it was read.")
            if receipt is not None:
                staged_file = replace(staged_file, at_source=_receipt_summary(receipt))
            result.files.append(staged_file)
        result.files.extend(duplicates)
        if ijw_table is not None and ijw_tokens:
            tokens = Minimiser(contract, pseudonymiser, addresses, cutoff, pseudonymised=True)
            staged_ijw = stage_ijw_table(ijw_table, contract, tokens, sinks, tally, clock=clock, prechecked=PRECHECKED)
            result.files.append(staged_ijw)
        elif ijw_table is not None:
            result.files.append(stage_ijw_table(ijw_table, contract, pseudonymise, sinks, tally, clock=clock))
        if rejected is not None:
            with clock.phase("write"):
                stage_rejected(rejected, quarantine_sink, tally)
        result.columns = accepted_sink.columns
    return result


def _receipt_summary(receipt: dict[str, Any]) -> dict[str, Any]:
    """What the manifest keeps of a receipt: the holder's own counts, key id and fingerprint, when."""
    keys = (
        "input",
        "rows_read",
        "rows_accepted",
        "rows_quarantined",
        "key_id",
        "key_fingerprint",
        "pseudonym_label",
        "created",
    )
    return {k: receipt.get(k) for k in keys}
