"""Scan what the monitor stored and published for anything shaped like a personal identifier.

Works without the raw inbox (compare `pipelines.audit.known_identifiers`, which looks for the inbox's known BSNs).
Parquet files and the DuckDB warehouse are decoded and scanned per column; DuckDB narrows each column to
the values matching `patterns.PREFILTER` first, so only a handful of values reach Python. JSON is parsed
(strings are scanned; numbers only under a BSN-like key, since every number the monitor writes to JSON is
a count, size or measure). Other text files are scanned line by line. What is not scanned, and why:

- date, time, boolean and fractional columns (dates and amounts cannot hold an identifier);
- DuckDB views (they are queries over the base tables, which are scanned);
- binary files other than Parquet and DuckDB (chart PNGs are drawn from the scanned protected table).

Reference sources (schools, districts, the CBS postcode table) are public data, not personal data: in
their own staged tables the columns their contract declares (a school's name and postcode, the PC6 of the
lookup) are not flagged as postcodes or name columns. Their other values are scanned like any other.

Allocation numbers (`toewijzingnummer`), the delivery names in the quarantine (`source_file`: staged rows
keep no file name any more, see docs/minimisation.md) and the numbers iJw senders give their messages
(`identificatie`, in the kept iJw parses: pipelines/ingest/ijw_cache.py) are arbitrary numbers chosen by
others, and one random nine-digit number in eleven passes the eleven-test. In those columns a BSN-shaped
number fails the audit only when more of them pass than chance explains (four standard deviations), so a
systematic mix-up of BSN and allocation number is still caught.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipelines.audit.patterns import (
    PREFILTER,
    Hit,
    find_identifiers,
    is_bsn_column,
    mask,
    number_kind,
    person_column_reason,
)
from pipelines.lib.sealing import (
    WarehouseKeyError,
    is_sealed_database,
    is_sealed_parquet,
    open_sealed,
    sealed_dataset,
)
from pseudonymisation import bsn

# source_file: quarantine only; identificatie: an iJw message's own number, in the kept parses (ijw_cache.parquet)
CODE_COLUMNS = frozenset({"toewijzingnummer", "source_file", "identificatie"})
# Chance that a random nine-digit number passes the eleven-test or is a valid onderwijsnummer.
CHANCE_VALID = 1 / 11 + 1 / 990
_NINE_DIGIT_TOKEN = rf"(^|[^0-9A-Za-z])[0-9]{{{bsn.LENGTH}}}([^0-9A-Za-z]|$)"
_INTEGER_TYPES = frozenset(
    {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"}
)
_BINARY_PROBE = 8192


@dataclass(frozen=True)
class Finding:
    """Where something identifying was found; the value itself only masked."""

    path: str  # relative to the output folder
    where: str  # column, table.column, JSON path or line
    kind: str  # bsn, onderwijsnummer, postcode, e-mail, telefoon, kolomnaam
    count: int  # values (rows) found
    example: str  # masked value, or why a column name is suspect

    def __str__(self) -> str:
        return f"{self.path} ({self.where}): {self.kind} ×{self.count}, bv. {self.example}"


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    scanned: list[str] = field(default_factory=list)
    columns: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # path, why
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # path, error

    @property
    def clean(self) -> bool:
        """Nothing found and everything readable: an unreadable file cannot be vouched for."""
        return not self.findings and not self.unreadable


def chance_explains(valid: int, numbers: int) -> bool:
    """True when `valid` eleven-test passes among `numbers` arbitrary nine-digit numbers is plausible."""
    expected = numbers * CHANCE_VALID
    return valid <= expected + 4 * math.sqrt(numbers * CHANCE_VALID * (1 - CHANCE_VALID))


def _tally(path: str, where: str, hits: Iterable[tuple[Hit, int]]) -> list[Finding]:
    """One finding per kind of identifier, with the number of values and the first one masked."""
    counts: dict[str, int] = {}
    examples: dict[str, str] = {}
    for hit, n in hits:
        counts[hit.kind] = counts.get(hit.kind, 0) + n
        examples.setdefault(hit.kind, mask(hit.value))
    return [Finding(path, where, kind, counts[kind], examples[kind]) for kind in sorted(counts)]


def _is_text_type(column_type: str) -> bool:
    return column_type.startswith(("VARCHAR", "STRUCT", "MAP", "UNION", "JSON")) or column_type.endswith("]")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text_hits(
    con: duckdb.DuckDBPyConnection, relation: str, column: str, exempt_postcode: bool
) -> list[tuple[Hit, int]]:
    rows = con.execute(
        f"SELECT v, count(*) FROM (SELECT CAST({_quote(column)} AS VARCHAR) AS v FROM {relation}) "
        "WHERE regexp_matches(v, ?) GROUP BY v",
        [PREFILTER],
    ).fetchall()
    bsn_column = is_bsn_column(column)
    hits = [(hit, int(n)) for value, n in rows for hit in find_identifiers(str(value), bsn_column)]
    return [(hit, n) for hit, n in hits if not (exempt_postcode and hit.kind == "postcode")]


def _integer_hits(con: duckdb.DuckDBPyConnection, relation: str, column: str) -> list[tuple[Hit, int]]:
    bsn_column = is_bsn_column(column)
    low = 10 ** (min(bsn.PADDED_LENGTHS) - 1) if bsn_column else 10 ** (bsn.LENGTH - 1)
    rows = con.execute(
        f"SELECT v, count(*) FROM (SELECT {_quote(column)} AS v FROM {relation}) "
        f"WHERE v BETWEEN {low} AND {10**bsn.LENGTH - 1} GROUP BY v"
    ).fetchall()
    hits: list[tuple[Hit, int]] = []
    for value, n in rows:
        kind = number_kind(int(value), bsn_column)
        if kind is not None:
            hits.append((Hit(kind, str(value)), int(n)))
    return hits


def _without_chance_numbers(
    con: duckdb.DuckDBPyConnection, relation: str, column: str, hits: list[tuple[Hit, int]]
) -> list[tuple[Hit, int]]:
    """In a column of arbitrary numbers keep BSN-shaped hits only when chance cannot explain them."""
    numeric = [(h, n) for h, n in hits if h.kind in ("bsn", "onderwijsnummer")]
    if not numeric:
        return hits
    row = con.execute(
        f"SELECT count(DISTINCT v) FROM (SELECT CAST({_quote(column)} AS VARCHAR) AS v FROM {relation}) "
        "WHERE regexp_matches(v, ?)",
        [_NINE_DIGIT_TOKEN],
    ).fetchone()
    numbers = int(row[0]) if row else 0
    valid = len({h.value for h, _ in numeric})
    if chance_explains(valid, numbers):
        return [(h, n) for h, n in hits if h.kind not in ("bsn", "onderwijsnummer")]
    return hits


def scan_relation(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    path: str,
    prefix: str = "",
    declared: frozenset[str] = frozenset(),
) -> tuple[list[Finding], int]:
    """Findings in one table or Parquet file (`relation` is SQL), and the number of columns looked at.

    `declared`: columns a reference source's contract declares, exempt from the postcode and name checks.
    """
    findings: list[Finding] = []
    columns = [(str(r[0]), str(r[1])) for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]
    for column, column_type in columns:
        where = f"{prefix}{column}"
        reason = person_column_reason(column)
        if reason is not None and column not in declared:
            row = con.execute(f"SELECT count({_quote(column)}) FROM {relation}").fetchone()
            findings.append(Finding(path, where, "kolomnaam", int(row[0]) if row else 0, reason))
        if _is_text_type(column_type):
            hits = _text_hits(con, relation, column, exempt_postcode=column in declared)
        elif column_type in _INTEGER_TYPES:
            hits = _integer_hits(con, relation, column)
        else:
            continue
        if column in CODE_COLUMNS:
            hits = _without_chance_numbers(con, relation, column, hits)
        findings.extend(_tally(path, where, hits))
    return findings, len(columns)


def _json_hits(node: Any, where: str = "", key: str = "") -> Iterator[tuple[str, Hit]]:
    """Walk parsed JSON: strings always, integers only under a BSN-like key."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _json_hits(v, f"{where}.{k}" if where else str(k), str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _json_hits(v, f"{where}[{i}]", key)
    elif isinstance(node, str):
        yield from ((where, hit) for hit in find_identifiers(node, is_bsn_column(key)))
    elif isinstance(node, int) and not isinstance(node, bool) and is_bsn_column(key):
        kind = number_kind(node, bsn_column=True)
        if kind is not None:
            yield where, Hit(kind, str(node))


def scan_text(text: str, path: str, is_json: bool) -> list[Finding]:
    """Findings in a text file: per JSON path for JSON, per line otherwise."""
    if is_json:
        try:
            data = json.loads(text)
        except ValueError:
            pass
        else:
            by_place: dict[str, list[tuple[Hit, int]]] = {}
            for where, hit in _json_hits(data):
                by_place.setdefault(where, []).append((hit, 1))
            return [f for where, hits in by_place.items() for f in _tally(path, where, hits)]
    findings: list[Finding] = []
    for number, line in enumerate(text.splitlines(), start=1):
        hits = find_identifiers(line)
        if hits:
            findings.extend(_tally(path, f"regel {number}", [(h, 1) for h in hits]))
    return findings


def _sql_string(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


@contextmanager
def _open_database(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB file read-only: sealed ones with the warehouse data key (the audit needs it to look inside)."""
    if is_sealed_database(path):
        with open_sealed(path, read_only=True) as con:
            yield con
    else:
        with duckdb.connect(str(path), read_only=True) as con:
            yield con


def _scan_duckdb(path: Path, label: str, declared: dict[str, frozenset[str]], result: ScanResult) -> None:
    with _open_database(path) as con:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
            "ORDER BY table_schema, table_name"
        ).fetchall()
        for schema, table in tables:
            found, columns = scan_relation(
                con,
                f"{_quote(str(schema))}.{_quote(str(table))}",
                label,
                prefix=f"{table}.",
                declared=declared.get(str(table).removeprefix("stg_"), frozenset()),
            )
            result.findings.extend(found)
            result.columns += columns


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(16) == b"SQLite format 3\x00"


def _scan_sqlite(path: Path, label: str, result: ScanResult) -> None:
    """Dagster's run storage (runs, event log, schedules): every text value, as JSON where it parses."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        tables = [str(r[0]) for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            columns = [str(r[1]) for r in con.execute(f"PRAGMA table_info({_quote(table)})")]
            result.columns += len(columns)
            for column in columns:
                query = f"SELECT {_quote(column)} FROM {_quote(table)} WHERE typeof({_quote(column)}) = 'text'"
                for (value,) in con.execute(query):
                    result.findings.extend(scan_text(value, label, is_json=value[:1] in "{["))


def _scan_file(
    path: Path, label: str, declared: dict[str, frozenset[str]], memory: duckdb.DuckDBPyConnection, result: ScanResult
) -> bool:
    """Scan one file into `result`; False when it was skipped as binary."""
    if path.suffix == ".parquet":
        # staged/<source>.parquet holds that source's columns; quarantine files hold values, not columns
        exempt = declared.get(path.stem, frozenset()) if path.parent.name == "staged" else frozenset()
        relation = f"read_parquet({_sql_string(path)})"
        if is_sealed_parquet(path):
            memory.register("sealed_file", sealed_dataset(path))
            relation = "sealed_file"
        found, columns = scan_relation(memory, relation, label, declared=exempt)
        result.findings.extend(found)
        result.columns += columns
        return True
    if path.suffix == ".duckdb":
        _scan_duckdb(path, label, declared, result)
        return True
    if path.suffix == ".db" and _is_sqlite(path):
        _scan_sqlite(path, label, result)
        return True
    with path.open("rb") as handle:
        probe = handle.read(_BINARY_PROBE)
    if b"\x00" in probe or path.suffix in (".png", ".jpg", ".jpeg", ".gif", ".pdf"):
        result.skipped.append((label, "binair bestand (geen tekst, geen Parquet of DuckDB)"))
        return False
    text = path.read_text(encoding="utf-8", errors="replace")
    result.findings.extend(scan_text(text, label, is_json=path.suffix == ".json"))
    return True


def scan_folders(
    base: Path,
    folders: Iterable[Path],
    declared: dict[str, frozenset[str]],
    exclude: frozenset[Path] = frozenset(),
) -> ScanResult:
    """Scan every file under `folders`; paths in the result are relative to `base`.

    `declared` maps a reference source to the columns its contract declares; `exclude` holds files left out
    (the audit's own report, should it be written into a scanned folder: it names patterns like 1234AB).
    """
    result = ScanResult()
    with duckdb.connect() as memory:
        for folder in folders:
            if not folder.is_dir():
                continue
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                if path.resolve() in exclude:
                    continue
                label = str(path.relative_to(base)) if path.is_relative_to(base) else str(path)
                try:
                    if _scan_file(path, label, declared, memory, result):
                        result.scanned.append(label)
                except (duckdb.Error, sqlite3.Error, OSError, WarehouseKeyError) as exc:
                    result.unreadable.append((label, str(exc).strip().splitlines()[0][:200]))
    return result
