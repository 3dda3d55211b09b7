"""Across publications: a monthly run must not let a reader subtract two successive publications.

A reader keeps last month's `indicatoren.parquet`. Two ways the pair tells more than each file alone:
- a cell hidden last month and shown now (same school year): its new number, next to last month's relations,
  can narrow the cells that were hidden together with it;
- a cell shown last month and hidden now with the same numbers: hiding it protects nothing (the reader still
  has last month's number), so a guarantee computed as if it were hidden is false.

The rule (within one school year; a new school year starts afresh): once hidden, a cell stays hidden; a
cell shown last month whose true numbers did not change stays shown, and the suppression may not choose it
as a secondary cell. The suppression applies it (`carried_over`); the independent check verifies both halves
(`violations`). With both halves held, every cell hidden now was hidden last month or has new numbers, so
last month's file adds no true number to what this month's relations give; the check's LP over this
month's file is then the reader's. The previous publication's hidden cells need no true values: they stay
hidden whatever their numbers became.

Not modelled: a change of a hidden group's total between months that is smaller than the margin (one child
joining a hidden cell whose siblings did not change) shows the size of the change, not the cell.
"""

from __future__ import annotations

import polars as pl

from pipelines.lib.published_schema import CELL_KEY

PREVIOUS = ["_vorig_onderdrukt", "_vorig_teller", "_vorig_noemer"]


def _with_previous(frame: pl.DataFrame, previous: pl.DataFrame) -> pl.DataFrame:
    """`frame` with the previous publication's state of each cell (nulls where it had no such cell)."""
    before = previous.select(
        *CELL_KEY,
        pl.col("onderdrukt").alias(PREVIOUS[0]),
        pl.col("teller").cast(pl.Float64).alias(PREVIOUS[1]),
        pl.col("noemer").cast(pl.Float64).alias(PREVIOUS[2]),
    )
    return frame.join(before, on=list(CELL_KEY), how="left", nulls_equal=True, maintain_order="left")


def _unchanged(teller: str, noemer: str) -> pl.Expr:
    """Shown last month with the same numbers as `teller`/`noemer` now."""
    same_teller = pl.col(PREVIOUS[1]) == pl.col(teller).cast(pl.Float64)
    same_noemer = pl.col(PREVIOUS[2]).eq_missing(pl.col(noemer).cast(pl.Float64))
    return (~pl.col(PREVIOUS[0]) & same_teller & same_noemer).fill_null(False)


def carried_over(frame: pl.DataFrame, previous: pl.DataFrame | None) -> tuple[list[bool], list[bool]]:
    """Per row of `frame` (true numbers): (stays hidden, stays shown) under the rule above."""
    if previous is None:
        return [False] * frame.height, [False] * frame.height
    joined = _with_previous(frame, previous)
    hidden = joined.select(pl.col(PREVIOUS[0]).fill_null(False)).to_series().to_list()
    shown = joined.select(_unchanged("teller", "noemer")).to_series().to_list()
    return hidden, shown


def violations(published: pl.DataFrame, truth: pl.DataFrame, previous: pl.DataFrame) -> list[tuple[object, ...]]:
    """Cells that break the rule: hidden last month and shown now, or shown last month, unchanged, hidden now.
    `truth`: the same cells' true teller and noemer (CELL_KEY, teller, noemer)."""
    true = truth.select(*CELL_KEY, pl.col("teller").alias("_w_teller"), pl.col("noemer").alias("_w_noemer"))
    joined = _with_previous(published.join(true, on=list(CELL_KEY), how="left", nulls_equal=True), previous)
    revealed = pl.col(PREVIOUS[0]).fill_null(False) & ~pl.col("onderdrukt")
    pointless = pl.col("onderdrukt") & _unchanged("_w_teller", "_w_noemer")
    return joined.filter(revealed | pointless).select(CELL_KEY).rows()
