"""On a small synthetic run: the SQL agrees with an independent polars computation, and the publication
carries the catalogue, the protected linkage-quality table and the trends."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from dev.oracles.reference import reference_indicators
from pipelines.indicators.trends import TREND_COLUMNS
from pipelines.lib.settings import MonitorConfig
from pipelines.lib.warehouse import read_warehouse
from pipelines.protect.linkage_quality import PUBLISHED_COLUMNS as LINKAGE_COLUMNS
from pipelines.protect.linkage_quality import check_linkage_quality

CHECKED = ["A1", "B1", "C1", "E1", "F4"]
KEY = ["schooljaar", "niveau", "eenheid_code", "indicator", "categorie"]


@pytest.fixture(scope="module")
def synthetic_out(small_synthetic_run: tuple[Path, dg.ExecuteInProcessResult]) -> Path:
    return small_synthetic_run[0] / "out"


def sql_indicators(out: Path, query: str) -> pl.DataFrame:
    with read_warehouse(out / "warehouse" / "monitor.duckdb") as con:
        return con.sql(query).pl()


def test_sql_and_an_independent_polars_computation_agree_to_the_unit(synthetic_out: Path) -> None:
    """A1, B1, C1, E1 and F4 recomputed in polars from the staged Parquet files (no SQL, no warehouse
    table): the same cells, the same teller and noemer for every level of the gemeente and year, cost to the
    cent. (The samenwerkingsverband and the levels above a gemeente are worked out by hand in tests/test_levels.py.)"""
    ids = ", ".join(f"'{i}'" for i in CHECKED)
    sql = sql_indicators(
        synthetic_out,
        f"SELECT {', '.join(KEY)}, teller, noemer FROM indicators WHERE indicator IN ({ids}) "
        "AND niveau IN ('school', 'wijk', 'gemeente')",
    )
    reference = reference_indicators(synthetic_out / "warehouse" / "staged", MonitorConfig.load().gemeente_code)
    assert sql.height == reference.height
    both = sql.join(reference, on=KEY, how="inner", nulls_equal=True, suffix="_polars")
    assert both.height == sql.height, "the same cells on both sides"
    assert (both.get_column("noemer").fill_null(-1) == both.get_column("noemer_polars").fill_null(-1)).all()
    assert ((both.get_column("teller") - both.get_column("teller_polars")).abs() < 0.005).all()
    per_indicator = both.group_by("indicator").agg(pl.col("schooljaar").n_unique(), pl.col("niveau").n_unique())
    years = sql.get_column("schooljaar").n_unique()
    assert dict(per_indicator.select("indicator", "schooljaar").rows()) == {
        "A1": years,
        "B1": years,
        "C1": years,
        "E1": years - 1,
        "F4": years,
    }
    assert set(per_indicator.get_column("niveau")) == {3}
    assert both.filter(pl.col("indicator") == "F4", pl.col("niveau") == "school").get_column("teller").sum() > 0


def test_every_indicator_of_the_spec_is_published_with_catalogue_names(synthetic_out: Path) -> None:
    publish = synthetic_out / "publish"
    table = pl.read_parquet(publish / "indicatoren.parquet")
    catalogue = pl.read_parquet(publish / "indicatorcatalogus.parquet")
    assert set(table.get_column("indicator")) == set(catalogue.get_column("indicator"))
    names = table.select("indicator", "indicator_naam", "eenheid").unique()
    expected = catalogue.select("indicator", pl.col("naam_nl").alias("indicator_naam"), "eenheid")
    assert names.sort("indicator").equals(expected.sort("indicator"))
    assert (publish / "indicatorcatalogus.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    manifest = json.loads((publish / "manifest.json").read_text(encoding="utf-8"))
    published = ("koppelingskwaliteit.parquet", "trends.parquet", "doelen.parquet")
    for name in (*published, "indicatorcatalogus.json", "indicatorcatalogus.md"):
        assert name in manifest["outputs"]


def test_published_linkage_quality_is_protected_and_aggregate_only(synthetic_out: Path) -> None:
    published = pl.read_parquet(synthetic_out / "publish" / "koppelingskwaliteit.parquet")
    assert published.columns == LINKAGE_COLUMNS
    shown = published.filter(~pl.col("onderdrukt"))
    assert shown.height > 0
    assert (shown.get_column("teller") >= 10).all()
    assert ((shown.get_column("noemer") - shown.get_column("teller")) >= 10).all()
    hidden = published.filter(pl.col("onderdrukt"))
    assert hidden.select(pl.col("teller", "noemer", "waarde").is_null().all()).row(0) == (True, True, True)
    raw = sql_indicators(synthetic_out, "SELECT * FROM linkage_quality")
    config = MonitorConfig.load()
    assert check_linkage_quality(published, raw, config.disclosure, config.gemeente_code).passed
    l1 = published.filter(pl.col("maat") == "L1").get_column("waarde").drop_nulls()
    assert l1.len() > 0 and ((l1 > 0) & (l1 <= 100)).all()


def test_published_trends_reveal_nothing_the_indicator_table_hides(synthetic_out: Path) -> None:
    publish = synthetic_out / "publish"
    table = pl.read_parquet(publish / "indicatoren.parquet")
    trends = pl.read_parquet(publish / "trends.parquet")
    assert trends.columns == TREND_COLUMNS
    assert trends.height == table.height
    hidden = trends.filter(pl.col("onderdrukt"))
    assert hidden.select(pl.col("waarde", "verandering", "verschil_met_gemeente").is_null().all()).row(0) == (
        True,
        True,
        True,
    )
    with_change = trends.filter(pl.col("verandering").is_not_null())
    assert with_change.height > 0
    assert ((with_change["waarde"] - with_change["vorige_waarde"] - with_change["verandering"]).abs() < 1e-9).all()
