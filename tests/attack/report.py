"""The full attack on a finished run (e.g. the demo): `python -m tests.attack.report RUN_ROOT`, where RUN_ROOT
holds publish/ and warehouse/ (`make demo`: data/) or out/publish and out/warehouse. Prints the table per
indicator and level (hidden, exact, width < margin, 0 excluded while the truth is below 10), the same for the
linkage table, and the share of cells suppressed per level."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.lib.warehouse import read_warehouse
from tests.attack.lp_attacker import attack, attack_linkage, school_samenwerkingsverband, summary

MARGIN, SMALL = 3, 10


@dataclass(frozen=True)
class AttackResult:
    indicators: pl.DataFrame  # per indicator and level: hidden, exact, narrow, zero_excluded
    linkage: pl.DataFrame  # the same for koppelingskwaliteit.parquet
    suppressed_share: pl.DataFrame  # per level
    seconds: float


def attack_run(root: Path, every: int = 1) -> AttackResult:
    """Attack the published files of a finished run; the warehouse gives only the true values to score it.
    `every` > 1: every every-th hidden count of the indicator table only (`lp_attacker.attack`)."""
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
    started = time.perf_counter()
    findings = attack(published, every, school_samenwerkingsverband(pl.read_parquet(publish / "scholen.parquet")))
    linkage = attack_linkage(pl.read_parquet(publish / "koppelingskwaliteit.parquet"))
    shares = published.group_by("niveau").agg(pl.col("onderdrukt").mean().alias("onderdrukt_aandeel")).sort("niveau")
    return AttackResult(
        summary(findings, truth, MARGIN, SMALL),
        summary(linkage, linkage_truth, MARGIN, SMALL),
        shares,
        time.perf_counter() - started,
    )


def main(root: Path) -> None:
    result = attack_run(root)
    pl.Config.set_tbl_rows(200)
    print(f"attacked in {result.seconds:.0f} s")
    print(result.indicators)
    print(result.linkage)
    print(result.suppressed_share)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
