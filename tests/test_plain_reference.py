"""The benchmark's plain DuckDB reference and the pipeline count the same (G1, A1, B1, C1, E1), on clean input.

The reference skips contracts, quarantine and pseudonymisation, so it only agrees on input without defects:
the synthetic generator without them, youth care as flat CSV (the reference reads no iJw).
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from dev.bench.reference import run_reference
from pipelines.lib.settings import DEFAULT_CONFIG, MonitorConfig
from pipelines.lib.warehouse import read_warehouse

COMMON = ("G1", "A1", "B1", "C1", "E1")
KEY = ["schooljaar", "niveau", "eenheid_code", "indicator", "categorie"]


@pytest.fixture(scope="module")
def both(
    clean_csv_run: tuple[Path, dg.ExecuteInProcessResult], tmp_path_factory: pytest.TempPathFactory
) -> tuple[pl.DataFrame, pl.DataFrame]:
    root, _ = clean_csv_run
    reference_db = tmp_path_factory.mktemp("reference") / "reference.duckdb"
    run_reference(root / "inbox", reference_db, MonitorConfig.load(DEFAULT_CONFIG).gemeente_code)
    with read_warehouse(root / "out" / "warehouse" / "monitor.duckdb") as con:
        pipeline = con.sql(  # the reference computes the levels of one gemeente, not the samenwerkingsverband
            f"SELECT {', '.join(KEY)}, teller, noemer FROM indicators WHERE indicator IN {COMMON} "
            "AND niveau IN ('school', 'wijk', 'gemeente')"
        ).pl()
    with duckdb.connect(str(reference_db), read_only=True) as con:
        reference = con.sql(
            "SELECT schooljaar, niveau, eenheid AS eenheid_code, indicator, categorie, teller, noemer "
            "FROM reference_indicators"
        ).pl()
    return pipeline, reference


def test_reference_and_pipeline_have_the_same_cells(both: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    pipeline, reference = both
    assert pipeline.height > 500
    assert sorted(pipeline.select(KEY).rows(), key=str) == sorted(reference.select(KEY).rows(), key=str)


@pytest.mark.parametrize("indicator", COMMON)
def test_reference_and_pipeline_agree_to_the_unit(both: tuple[pl.DataFrame, pl.DataFrame], indicator: str) -> None:
    pipeline, reference = both
    joined = pipeline.filter(pl.col("indicator") == indicator).join(
        reference.filter(pl.col("indicator") == indicator), on=KEY, how="full", nulls_equal=True, suffix="_ref"
    )
    differ = joined.filter(
        ((pl.col("teller") - pl.col("teller_ref")).abs() > 0.005)
        | (pl.col("noemer").is_null() != pl.col("noemer_ref").is_null())
        | ((pl.col("noemer") - pl.col("noemer_ref")).abs() > 0)
    )
    assert differ.height == 0, differ.head(10)
