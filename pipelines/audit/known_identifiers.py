"""Scan what a run wrote for raw identifiers: the proof that no BSN went where it should not.

Compressed formats hide text from a byte search, so Parquet files and DuckDB databases are decoded and
every value is checked; every other file (JSON, HTML, PNG, SQLite event log, logs) is searched as bytes.
A match is a known raw identifier (from the inbox) as written or with its leading zeros lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

# A run of 7-9 digits, unless it lies inside a hex token of 32+ characters (a pseudonym, hash or key): about one
# pseudonym in ten holds such a run by chance, and one in 10^5 of those equals some known BSN, so without the
# exclusion a large clean run is reported as leaking now and then. The first alternative consumes the hex token.
_NUMBER = re.compile(rb"[0-9a-fA-F]{32,}|(?<!\d)(\d{7,9})(?!\d)")
_TEXT_NUMBER = re.compile(r"[0-9a-fA-F]{32,}|(?<!\d)(\d{7,9})(?!\d)")


@dataclass(frozen=True)
class Finding:
    path: Path
    where: str  # "bytes", or "table.column" for decoded formats

    def __str__(self) -> str:
        return f"{self.path} ({self.where})"


def identifier_forms(identifiers: Iterable[str]) -> set[str]:
    """Each identifier as written and without its leading zero (spreadsheet form)."""
    forms: set[str] = set()
    for value in identifiers:
        forms.add(value)
        if value.startswith("0") and len(value.lstrip("0")) >= 7:
            forms.add(value[1:])
            forms.add(value.lstrip("0"))
    return forms


def _values_hit(values: Iterable[object], forms: set[str]) -> bool:
    for value in values:
        if value is None:
            continue
        text = str(value)
        if text in forms or any(m and m in forms for m in _TEXT_NUMBER.findall(text)):
            return True
    return False


class Unsealer(Protocol):
    """Opens files sealed at rest (the analyst's warehouse); this package holds no such key itself."""

    def read_parquet(self, path: Path) -> pa.Table: ...

    def open_duckdb(self, path: Path) -> AbstractContextManager[duckdb.DuckDBPyConnection]: ...


def _scan_parquet(path: Path, forms: set[str], unseal: Unsealer | None) -> Iterator[Finding]:
    table = unseal.read_parquet(path) if unseal else pq.read_table(path)
    for name in table.column_names:
        if _values_hit(table.column(name).to_pylist(), forms):
            yield Finding(path, name)


def _scan_duckdb(path: Path, forms: set[str], unseal: Unsealer | None) -> Iterator[Finding]:
    with unseal.open_duckdb(path) if unseal else duckdb.connect(str(path), read_only=True) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        for table in tables:
            for column, _type in [(r[0], r[1]) for r in con.execute(f'DESCRIBE "{table}"').fetchall()]:
                values = [r[0] for r in con.execute(f'SELECT DISTINCT "{column}"::VARCHAR FROM "{table}"').fetchall()]
                if _values_hit(values, forms):
                    yield Finding(path, f"{table}.{column}")


def scan_for_identifiers(root: Path, identifiers: Iterable[str], unseal: Unsealer | None = None) -> list[Finding]:
    """Every place under `root` where one of `identifiers` occurs; `unseal` opens encrypted files to look inside."""
    forms = identifier_forms(identifiers)
    findings: list[Finding] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            findings.extend(_scan_parquet(path, forms, unseal))
        elif path.suffix == ".duckdb":
            findings.extend(_scan_duckdb(path, forms, unseal))
        data = path.read_bytes()
        if any(m and m.decode() in forms for m in _NUMBER.findall(data)):
            findings.append(Finding(path, "bytes"))
    return findings
