"""What one gemeente's publication shows of a run of many gemeenten (docs/levels.md).

Every gemeente of a run gets its own publication (the run's own in `publish/`, the others in `regio/<code>/`):
its schools (by the school's gemeente), its wijken and itself, and the levels above it that it is part of: the
samenwerkingsverbanden of its schools, its jeugdregio and the country. All cells come from the one protected
table, so a cell shown in two publications is the same cell, protected once.
"""

from __future__ import annotations

import polars as pl

from pipelines.lib.regions import jeugdregio_of
from pipelines.lib.settings import MonitorConfig
from pipelines.publish.benchmarks import benchmarks, similar_gemeenten


def gemeente_view(table: pl.DataFrame, schools: pl.DataFrame, gemeente: str) -> pl.DataFrame:
    """The cells of `table` (protected, all gemeenten) that `gemeente`'s publication shows; `schools`: the schools'
    public attributes (scholen.parquet: eenheid_code, po_swv, vo_swv)."""
    own = pl.col("gemeente_code") == gemeente
    own_schools = table.filter(own, pl.col("niveau") == "school").get_column("eenheid_code").unique()
    attributes = schools.filter(pl.col("eenheid_code").is_in(own_schools.implode()))
    swv = pl.concat([attributes.get_column("po_swv"), attributes.get_column("vo_swv")]).drop_nulls().unique()
    above = (
        ((pl.col("niveau") == "samenwerkingsverband") & pl.col("eenheid_code").is_in(swv.implode()))
        | ((pl.col("niveau") == "jeugdregio") & (pl.col("eenheid_code") == (jeugdregio_of(gemeente) or "")))
        | (pl.col("niveau") == "nederland")
    )
    return table.filter(own.fill_null(False) | above)


def school_view(schools: pl.DataFrame, view: pl.DataFrame) -> pl.DataFrame:
    """The public attributes of the schools a view shows."""
    shown = view.filter(pl.col("niveau") == "school").get_column("eenheid_code").unique()
    return schools.filter(pl.col("eenheid_code").is_in(shown.implode()))


def gemeente_benchmarks(table: pl.DataFrame, config: MonitorConfig, gemeente: str) -> pl.DataFrame:
    """vergelijking.parquet of one gemeente's publication (`benchmarks`)."""
    peers = similar_gemeenten(table, gemeente, dict(config.peers).get(gemeente, ()))
    return benchmarks(table, gemeente, peers, jeugdregio_of(gemeente))
