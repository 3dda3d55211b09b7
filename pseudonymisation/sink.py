"""Writing a table batch by batch, all or nothing: the sink every intake step writes to.

Intake streams: each batch is validated, pseudonymised and appended to a sink, so memory stays bounded by the
batch, not the file. Rows go to a `.partial` file that replaces the real one only on `commit`, so a run that
fails halfway leaves the previous output as it was. The holder and the TTP write `;`-separated CSV
(`CsvSink`); the analyst's monitor writes sealed Parquet through the same protocol
(`pipelines.ingest.parquet_sink`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

import polars as pl


class Sink(Protocol):
    """Where accepted or quarantined rows go: appended batch by batch, kept only on `commit`."""

    columns: dict[str, str]
    rows: int

    def write(self, frame: pl.DataFrame) -> None: ...

    def commit(self) -> None: ...

    def abort(self) -> None: ...


class AllOrNothing(ABC):
    """A sink as a context manager: committed when the block ends normally, aborted when it raises."""

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def abort(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()


class CsvSink(AllOrNothing):
    """`;`-separated UTF-8 CSV with ISO dates, for pseudonymised exports a holder sends on."""

    def __init__(self, path: Path, empty_schema: dict[str, pl.DataType] | None = None) -> None:
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        self.empty_schema = empty_schema
        self.rows = 0
        self.columns: dict[str, str] = {}

    def write(self, frame: pl.DataFrame) -> None:
        if not self.columns:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.columns = {name: str(dtype) for name, dtype in frame.schema.items()}
            self.partial.write_bytes(b"")
        with self.partial.open("ab") as handle:
            frame.write_csv(handle, separator=";", include_header=self.rows == 0 and handle.tell() == 0)
        self.rows += frame.height

    def commit(self) -> None:
        if not self.columns:
            self.write(pl.DataFrame(schema=self.empty_schema or {}))
        self.partial.replace(self.path)

    def abort(self) -> None:
        self.partial.unlink(missing_ok=True)
