"""The full attack on a finished run (e.g. the demo): `python -m tests.attack.report RUN_ROOT`, where RUN_ROOT
holds publish/ and warehouse/ (`make demo`: data/) or out/publish and out/warehouse. Prints the table per
indicator and level (hidden, exact, width < margin, 0 excluded while the truth is below 10), the same for the
linkage table, and the share of cells suppressed per level."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import polars as pl

from pipelines.lib.warehouse import read_warehouse
from tests.attack.lp_attacker import attack, attack_linkage, summary


def main(root: Path) -> None:
    out = root / "out" if (root / "out" / "publish").is_dir() else root
    publish = out / "publish"
    soort = pl.read_parquet(publish / "indicatorcatalogus.parquet").select("indicator", "soort")
    published = pl.read_parquet(publish / "indicatoren.parquet").join(soort, on="indicator", how="left")
    with read_warehouse(out / "warehouse" / "monitor.duckdb") as con:
        truth = con.sql(
            "SELECT schooljaar, niveau, eenheid_code, indicator, categorie, teller AS w_teller FROM indicators"
        ).pl()
        linkage_truth = con.sql(
            "SELECT schooljaar, 'gemeente' AS niveau, maat AS eenheid_code, concat_ws('|', maat, bron, doelbron) "
            "AS indicator, leeftijdsgroep AS categorie, teller::DOUBLE AS w_teller FROM linkage_quality"
        ).pl()
    pl.Config.set_tbl_rows(200)
    started = time.perf_counter()
    findings = attack(published)
    print(f"{len(findings)} hidden counts attacked in {time.perf_counter() - started:.0f} s")
    print(summary(findings, truth, 3, 10))
    linkage = attack_linkage(pl.read_parquet(publish / "koppelingskwaliteit.parquet"))
    print(summary(linkage, linkage_truth, 3, 10))
    print(published.group_by("niveau").agg(pl.col("onderdrukt").mean().alias("onderdrukt_aandeel")).sort("niveau"))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
