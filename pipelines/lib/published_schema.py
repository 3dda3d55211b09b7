"""The published cell and its columns (docs/spec.md §4), written once for every stage that makes or reads a cell.

One row of `indicatoren.parquet` is one cell: (schooljaar, niveau, eenheid_code, indicator, dimensie, categorie).
Protection suppresses per cell, the independent check and the trends join per cell, the dashboard draws per cell;
each takes the key and the column types from here.
"""

from __future__ import annotations

import polars as pl

UNIT_KEY = ("schooljaar", "niveau", "eenheid_code")  # one publication unit (a school, wijk or gemeente) in a year
CATEGORY_KEY = ("indicator", "dimensie", "categorie")  # what is counted, and in which category of its dimension
CELL_KEY = (*UNIT_KEY, *CATEGORY_KEY)
SERIES_KEY = tuple(c for c in CELL_KEY if c != "schooljaar")  # one cell followed across school years (trends)
GEMEENTE_CELL_KEY = ("schooljaar", *CATEGORY_KEY)  # a cell's gemeente counterpart, whose value is gemeente_waarde

PUBLISHED_SCHEMA: dict[str, type[pl.DataType] | pl.DataType] = {
    "schooljaar": pl.String,
    "niveau": pl.String,
    "eenheid_code": pl.String,
    "eenheid_naam": pl.String,
    "gemeente_code": pl.String,  # the gemeente a school, wijk or gemeente belongs to; empty above (docs/levels.md)
    "indicator": pl.String,
    "indicator_naam": pl.String,
    "dimensie": pl.String,
    "categorie": pl.String,
    "teller": pl.Float64,
    "noemer": pl.Float64,
    "waarde": pl.Float64,
    "eenheid": pl.String,
    "gemeente_waarde": pl.Float64,
    "onderdrukt": pl.Boolean,
    "reden": pl.String,
}
PUBLISHED_COLUMNS = list(PUBLISHED_SCHEMA)


def of_gemeente(cells: pl.DataFrame, gemeente: str) -> pl.DataFrame:
    """The cells of one gemeente's schools, wijken and itself (a table without `gemeente_code` is one gemeente)."""
    return cells.filter(pl.col("gemeente_code") == gemeente) if "gemeente_code" in cells.columns else cells
