"""Data-quality defects as real exports contain them (documented in README.md).

Why: the monitor must quarantine bad rows with a reason and count exact duplicates once; the synthetic inbox
therefore contains a small, known number of each defect. ``generate(..., defects=False)`` skips all of them.
"""

from __future__ import annotations

import numpy as np
import polars as pl

RATE_DUPLICATE = 0.001
RATE_BAD = 0.0005


def _pick(rng: np.random.Generator, n: int, rate: float, exclude: set[int]) -> list[int]:
    """At least one row (if any), otherwise ``rate`` of the rows, avoiding rows already damaged."""
    k = min(n, max(1, round(rate * n)))
    out = [int(i) for i in rng.choice(n, min(n, k + len(exclude)), replace=False) if int(i) not in exclude][:k]
    exclude.update(out)
    return out


def _set(df: pl.DataFrame, rows: list[int], column: str, values: list[str]) -> pl.DataFrame:
    col = df[column].to_list()
    for r, v in zip(rows, values, strict=True):
        col[r] = v
    return df.with_columns(pl.Series(column, col, dtype=pl.Utf8))


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


def inject(
    rng: np.random.Generator, df: pl.DataFrame, kinds: dict[str, tuple[str, ...]]
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Apply the listed defect kinds. kinds: name → (column, [column2]) where relevant."""
    if df.height == 0:
        return df, {}
    used: set[int] = set()
    counts: dict[str, int] = {}
    for kind, cols in kinds.items():
        if kind == "bad_bsn":
            rows = [r for r in _pick(rng, df.height, RATE_BAD, used) if df["bsn"][r]]
            df = _set(df, rows, "bsn", [bad_bsn(df["bsn"][r]) for r in rows])
        elif kind == "unknown_code" or kind == "impossible_date":
            rows = _pick(rng, df.height, RATE_BAD, used)
            df = _set(df, rows, cols[0], [cols[1]] * len(rows))
        elif kind == "end_before_start":
            rows = [r for r in _pick(rng, df.height, RATE_BAD * 4, used) if df[cols[1]][r]][
                : max(1, round(RATE_BAD * df.height))
            ]
            a, b = [df[cols[0]][r] for r in rows], [df[cols[1]][r] for r in rows]
            df = _set(_set(df, rows, cols[0], b), rows, cols[1], a)
            rows = [r for r, x, y in zip(rows, a, b, strict=True) if x != y]
        elif kind == "negative_amount":
            rows = _pick(rng, df.height, RATE_BAD, used)
            df = _set(df, rows, cols[0], ["-" + df[cols[0]][r] for r in rows])
        else:
            continue
        counts[kind] = len(rows)
    dup = _pick(rng, df.height, RATE_DUPLICATE, set())
    counts["duplicate"] = len(dup)
    idx = np.sort(np.concatenate([np.arange(df.height), np.asarray(dup, dtype=np.int64)]))
    return df[idx], counts
