"""Data-quality defects as real exports contain them (documented in README.md).

Why: the monitor must quarantine bad rows with a reason and count exact duplicates once; the synthetic inbox
therefore contains a small, known number of each defect. ``generate(..., defects=False)`` skips all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

RATE_DUPLICATE = 0.001
RATE_BAD = 0.0005


def _pick(rng: np.random.Generator, n: int, rate: float, exclude: set[int]) -> list[int]:
    """At least one row (if any), otherwise ``rate`` of the rows, avoiding rows already damaged."""
    k = min(n, max(1, round(rate * n)))
    out = [int(i) for i in rng.choice(n, min(n, k + len(exclude)), replace=False) if int(i) not in exclude][:k]
    exclude.update(out)
    return out


def bad_bsn(value: str) -> str:
    """Change the last digit so the eleven-test fails (the weighted sum moves by exactly 1)."""
    return value[:-1] + str((int(value[-1]) + 1) % 10)


def mark(rng: np.random.Generator, n: int, kinds: tuple[str, ...]) -> list[str]:
    """Label ``max(1, rate × n)`` distinct rows per kind (others ""), for defects a writer applies itself."""
    labels = [""] * n
    used: set[int] = set()
    for kind in kinds:
        for row in _pick(rng, n, RATE_BAD, used):
            labels[row] = kind
    return labels


Cells = Callable[[list[int], str], list[str | None]]


@dataclass(frozen=True)
class Plan:
    """Defects of one file as patches: column → {row: new text}, plus the rows written twice."""

    patches: dict[str, dict[int, str | None]] = field(default_factory=dict)
    duplicates: npt.NDArray[np.int64] = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    counts: dict[str, int] = field(default_factory=dict)

    def apply(self, df: pl.DataFrame, first_row: int) -> pl.DataFrame:
        """Patch and duplicate the rows of ``df``, which holds rows ``first_row`` … of the whole file."""
        last_row = first_row + df.height
        for column, cells in self.patches.items():
            rows = [r for r in cells if first_row <= r < last_row]
            if rows:
                values = pl.Series(column, [cells[r] for r in rows], dtype=pl.Utf8)
                df = df.with_columns(df[column].scatter([r - first_row for r in rows], values).alias(column))
        lo, hi = np.searchsorted(self.duplicates, [first_row, last_row])
        if hi == lo:
            return df
        idx = np.sort(np.concatenate([np.arange(df.height), self.duplicates[lo:hi] - first_row]))
        return df[idx]


def plan(rng: np.random.Generator, n: int, kinds: dict[str, tuple[str, ...]], cells: Cells) -> Plan:
    """Choose the defects of a file of ``n`` rows. kinds: name → (column, [column2]) where relevant;
    ``cells(rows, column)`` gives the file's text at those rows (before any defect)."""
    if n == 0:
        return Plan()
    used: set[int] = set()
    counts: dict[str, int] = {}
    patches: dict[str, dict[int, str | None]] = {}

    def put(column: str, rows: list[int], values: list[str | None]) -> None:
        patches.setdefault(column, {}).update(zip(rows, values, strict=True))

    # Each kind only reads rows no earlier kind has touched (``used``), so the text before defects suffices.
    for kind, cols in kinds.items():
        if kind == "bad_bsn":
            picked = _pick(rng, n, RATE_BAD, used)
            rows = [r for r, v in zip(picked, cells(picked, "bsn"), strict=True) if v]
            put("bsn", rows, [bad_bsn(v) for v in cells(rows, "bsn")])  # type: ignore[arg-type]
        elif kind == "unknown_code" or kind == "impossible_date":
            rows = _pick(rng, n, RATE_BAD, used)
            put(cols[0], rows, [cols[1]] * len(rows))
        elif kind == "end_before_start":
            picked = _pick(rng, n, RATE_BAD * 4, used)
            rows = [r for r, v in zip(picked, cells(picked, cols[1]), strict=True) if v][: max(1, round(RATE_BAD * n))]
            a, b = cells(rows, cols[0]), cells(rows, cols[1])
            put(cols[0], rows, b)
            put(cols[1], rows, a)
            rows = [r for r, x, y in zip(rows, a, b, strict=True) if x != y]
        elif kind == "negative_amount":
            rows = _pick(rng, n, RATE_BAD, used)
            put(cols[0], rows, ["-" + v for v in cells(rows, cols[0])])  # type: ignore[operator]
        else:
            continue
        counts[kind] = len(rows)
    dup = _pick(rng, n, RATE_DUPLICATE, set())
    counts["duplicate"] = len(dup)
    return Plan(patches, np.sort(np.asarray(dup, dtype=np.int64)), counts)
