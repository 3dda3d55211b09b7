"""Trends for the dashboard: each published cell next to its previous school year and the gemeente.

Why from the protected table: a difference of two numbers reveals nothing new only if both numbers are
published. So every derived figure is computed from published values and is null as soon as either side
is suppressed (or missing); it can never be used to recover a suppressed cell.
"""

from __future__ import annotations

import polars as pl

from pipelines.lib.published_schema import SERIES_KEY

CELL = list(SERIES_KEY)
TREND_COLUMNS = [
    "schooljaar",
    "niveau",
    "eenheid_code",
    "eenheid_naam",
    "gemeente_code",
    "indicator",
    "indicator_naam",
    "dimensie",
    "categorie",
    "eenheid",
    "waarde",
    "onderdrukt",
    "vorig_schooljaar",
    "vorige_waarde",
    "verandering",
    "gemeente_waarde",
    "verschil_met_gemeente",
]


def previous_school_year(schooljaar: pl.Expr) -> pl.Expr:
    """'2023/2024' → '2022/2023'."""
    start = schooljaar.str.slice(0, 4).cast(pl.Int32)
    return pl.format("{}/{}", start - 1, start)


def indicator_trends(protected: pl.DataFrame) -> pl.DataFrame:
    """One row per published cell (spec §4 key) with the previous year's value, the change and the gap to
    the gemeente; null where a side is suppressed or absent (the first year, E1 and E2 in the last year)."""
    # A table of many gemeenten has a wijk ONBEKEND in each: its cell is known by its gemeente too.
    cell = [*CELL, "gemeente_code"] if "gemeente_code" in protected.columns else CELL
    if "gemeente_code" not in protected.columns:
        protected = protected.with_columns(gemeente_code=pl.lit(None, pl.String))
    previous = protected.select(
        *cell, pl.col("schooljaar").alias("vorig_schooljaar"), pl.col("waarde").alias("vorige_waarde")
    )
    return (
        protected.with_columns(vorig_schooljaar=previous_school_year(pl.col("schooljaar")))
        .join(previous, on=[*cell, "vorig_schooljaar"], how="left", nulls_equal=True)
        .with_columns(
            verandering=pl.col("waarde") - pl.col("vorige_waarde"),
            verschil_met_gemeente=pl.col("waarde") - pl.col("gemeente_waarde"),
        )
        .select(TREND_COLUMNS)
        .with_columns(pl.col("waarde", "vorige_waarde", "verandering", "gemeente_waarde").cast(pl.Float64))
        .sort("indicator", "niveau", "eenheid_code", "dimensie", "categorie", "schooljaar", nulls_last=True)
    )
