"""The LP attacker on the demo's published files (the session's small synthetic run) finds nothing.

It reads only what a reader has: `publish/indicatoren.parquet` and the published catalogue (for each
indicator's soort). The warehouse's true values serve only to judge "0 excluded while the truth is small".
A deterministic sample (every 25th hidden count of each year) keeps the test within seconds; the full attack
is `python -m tests.attack.report` (figures in the closing note of issue 17).
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import polars as pl

from tests.attack.lp_attacker import attack

MARGIN, SMALL = 3, 10


def test_the_attacker_narrows_no_hidden_count_of_the_published_table(
    small_synthetic_run: tuple[Path, dg.ExecuteInProcessResult],
) -> None:
    root, _ = small_synthetic_run
    publish = root / "out" / "publish"
    soort = pl.read_parquet(publish / "indicatorcatalogus.parquet").select("indicator", "soort")
    published = pl.read_parquet(publish / "indicatoren.parquet").join(soort, on="indicator", how="left")
    with duckdb.connect(str(root / "out" / "warehouse" / "monitor.duckdb"), read_only=True) as con:
        truth = {
            row[:5]: row[5]
            for row in con.sql(
                "SELECT schooljaar, niveau, eenheid_code, indicator, categorie, teller FROM indicators"
            ).fetchall()
        }
    findings = attack(published, every=25)
    assert findings, "the sample attacked no hidden count"
    narrowed = [f for f in findings if f.high - f.low < MARGIN]
    zero_excluded = [
        f
        for f in findings
        if f.low > 0 and truth[(f.schooljaar, f.niveau, f.eenheid_code, f.indicator, f.categorie)] < SMALL
    ]
    assert not narrowed, narrowed[:5]
    assert not zero_excluded, zero_excluded[:5]
