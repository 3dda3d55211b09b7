"""An LP attacker written apart from `pipelines/protect/` (`tests/attack/`) reads the published files of a
synthetic run and narrows every hidden count it can: it must find nothing (issue 17). It attacks every tenth
hidden count of the indicator table (a deterministic sample: the whole table takes two minutes, see
`python -m tests.attack.report` for the full attack) and the whole linkage table."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import polars as pl

from tests.attack.report import attack_run


def test_an_attacker_with_the_published_files_narrows_no_hidden_count(
    small_synthetic_run: tuple[Path, dg.ExecuteInProcessResult],
) -> None:
    root, _ = small_synthetic_run
    result = attack_run(root, every=10)
    assert result.indicators.get_column("hidden").sum() > 300, "the run hides too little to attack"
    for table in (result.indicators, result.linkage):
        leaks = table.filter(pl.col("exact") + pl.col("narrow") + pl.col("zero_excluded") > 0)
        assert leaks.is_empty(), leaks
