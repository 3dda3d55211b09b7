"""Protect and its independent check on a table the size of the country's, in a child process (peak memory).

    python -m dev.bench.protect INDICATORS.parquet COPIES

The table: a city run's unprotected indicators (with the catalogue factor, as the protect step reads them),
tiled COPIES times into one gemeente: every school and wijk appears COPIES times under a new code, and the
gemeente's tellers, noemers, persons and amounts are the sums of the copies (its largest person amount their
maximum), values recomputed. Every relation the city table satisfies then holds in the tiled one, and the
component that joins all schools under one gemeente total is COPIES times as large: at 78 copies (the
national scale of `make bench --national`) about 19 000 schools and 4 600 wijken under one sum, the shape that
broke the dense solver of before issue 17. A national pipeline run adds nothing to this stage's cost but the
table it builds; generating and linking 3.5 M pupils takes most of an hour on this machine, protecting them is
what is measured here. Prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time

import polars as pl

from dev.bench.memory import peak_mb
from pipelines.lib.published_schema import GEMEENTE_CELL_KEY
from pipelines.lib.settings import DisclosureRules
from pipelines.protect.indicator_table import check_protected, protect_for_publication

CELL = list(GEMEENTE_CELL_KEY)


def _value(teller: pl.Expr, noemer: pl.Expr) -> pl.Expr:
    return (
        pl.when(noemer.is_null())
        .then(teller)
        .when(noemer == 0)
        .then(None)
        .otherwise(teller / noemer * pl.col("factor"))
    )


def tile(indicators: pl.DataFrame, copies: int) -> pl.DataFrame:
    """The city table `copies` times over as one gemeente (module docstring)."""
    units = indicators.filter(pl.col("niveau") != "gemeente")
    tiled = pl.concat([units.with_columns(eenheid_code=pl.col("eenheid_code") + f"-{k:03d}") for k in range(copies)])
    gemeente = indicators.filter(pl.col("niveau") == "gemeente")
    scaled = gemeente.with_columns(
        teller=pl.col("teller") * copies,
        noemer=pl.col("noemer") * copies,
        basis_personen=pl.col("basis_personen") * copies,
    ).with_columns(waarde=_value(pl.col("teller"), pl.col("noemer")))
    reference = scaled.select(*CELL, pl.col("waarde").alias("gemeente_waarde_tiled"))
    tiled = (
        tiled.join(reference, on=CELL, how="left", nulls_equal=True)
        .with_columns(gemeente_waarde=pl.col("gemeente_waarde_tiled"))
        .drop("gemeente_waarde_tiled")
    )
    return pl.concat([scaled.select(indicators.columns), tiled.select(indicators.columns)])


def main(path: str, copies: str) -> None:
    table = tile(pl.read_parquet(path), int(copies))
    rules = DisclosureRules(min_teller=10, min_noemer=50, min_cost_persons=10)
    started = time.perf_counter()
    published, lps = protect_for_publication(table, rules)
    protected = time.perf_counter() - started
    peak_protect = peak_mb()
    started = time.perf_counter()
    report = check_protected(published, table, rules)
    checked = time.perf_counter() - started
    shares = published.group_by("niveau").agg(pl.col("onderdrukt").mean()).sort("niveau").rows()
    print(
        json.dumps(
            {
                "cells": table.height,
                "schools": table.filter(pl.col("niveau") == "school")["eenheid_code"].n_unique(),
                "hidden": int(published["onderdrukt"].sum()),
                "protect_seconds": protected,
                "check_seconds": checked,
                "passed": report.passed,
                "violations": report.violations[:3],
                "peak_mb_protect": peak_protect,
                "peak_mb": peak_mb(),
                "lps": lps,
                "suppressed_share": dict(shares),
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:3])
