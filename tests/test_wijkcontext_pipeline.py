"""The wijk context through the real pipeline: the synthetic Almere inbox carries CBS's real kerncijfers
(`dev/synthetic/data/kerncijfers_wijken_buurten.csv`); the run stages them, builds `wijkcontext.parquet` from the
protected indicators, passes its blocking disclosure check and publishes it, and the CBS file leaves the inbox
with a receipt like every other delivery.

At the session's small scale (0.05) few wijken have a published A11 cell, so the model is not fitted
(`geen_model`); the model itself is pinned on the real CBS figures in tests/test_wijkcontext.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.context.wijkcontext import VERDICTS
from pipelines.lib.sealing import read_sealed


def test_the_run_stages_the_cbs_figures_and_publishes_a_checked_wijkcontext(
    small_synthetic_run: tuple[Path, dg.ExecuteInProcessResult],
) -> None:
    root, result = small_synthetic_run
    out = root / "out"
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks["kerncijfers_readable"] and checks["wijkcontext_disclosure_check"]
    staged = read_sealed(out / "warehouse" / "staged" / "kerncijfers.parquet")
    assert staged.height == 316 and staged["jaar"].min() == 2018
    meta = result.asset_materializations_for_node("wijkcontext")[-1].metadata
    assert meta["cbs_years_of_the_indeling"].value == [2022, 2023, 2024, 2025]

    table = pl.read_parquet(out / "publish" / "wijkcontext.parquet")
    published = pl.read_parquet(out / "publish" / "indicatoren.parquet")
    a11 = published.filter(pl.col("indicator") == "A11", pl.col("niveau") == "wijk")
    assert table.filter(pl.col("niveau") == "wijk", pl.col("a11_onderdrukt").is_not_null()).height == a11.height
    joined = table.join(a11, on=["schooljaar", "eenheid_code"])
    assert joined.filter(pl.col("a11_waarde").ne_missing(pl.col("waarde"))).is_empty(), "A11 as published"
    assert set(table["oordeel"]) <= set(VERDICTS)
    wijk = table.filter(pl.col("niveau") == "wijk", pl.col("a11_onderdrukt").is_not_null())
    years_with_cbs = wijk.filter(pl.col("cbs_jaar") <= 2025)
    assert years_with_cbs["aandeel_huishoudens_met_kinderen"].null_count() < years_with_cbs.height / 10, (
        "the synthetic wijken are CBS's 2022 indeling: nearly all have context"
    )
    assert table.filter(pl.col("a11_onderdrukt"))["voorspel_hoog"].null_count() == table["a11_onderdrukt"].sum()
    site = out / "publish" / "dashboard"
    assert (site / "wijkcontext.html").is_file()
    some_wijk = wijk["eenheid_code"][0]
    assert "id='wijkcontext'" in (site / "wijk" / f"{some_wijk}.html").read_text(encoding="utf-8")

    manifest = json.loads((out / "publish" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["contracts"]["kerncijfers"] == "1.0.0"
    assert [i["name"] for i in manifest["inputs"] if i["source"] == "kerncijfers"] == ["kerncijfers_wijken_buurten.csv"]
    assert {"wijkcontext.parquet", "wijkcontext_model.parquet"} <= set(manifest["outputs"])

    receipts = sorted((out / "receipts").glob("*.json"))
    files = json.loads(receipts[-1].read_text(encoding="utf-8"))["files"]
    cbs = [f for f in files if f["source"] == "kerncijfers"]
    assert [(f["name"], f["action"], f["rows_read"]) for f in cbs] == [
        ("kerncijfers_wijken_buurten.csv", "verwijderd", 316)
    ]
