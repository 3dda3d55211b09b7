"""The wijk context through the real pipeline: CBS kerncijfers in the synthetic Almere inbox, wijkcontext out."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from tests.conftest import materialize_all


@pytest.fixture(scope="module")
def context_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dg.ExecuteInProcessResult]:
    from dev.synthetic import generate

    root = tmp_path_factory.mktemp("wijkcontext")
    generate(root / "inbox", scale=0.05, seed=11)
    result = materialize_all(root / "inbox", root / "out", raise_on_error=False)
    return root, result


def test_the_run_publishes_the_wijkcontext(context_run: tuple[Path, dg.ExecuteInProcessResult]) -> None:
    root, result = context_run
    checks = result.get_asset_check_evaluations()
    failed = [(c.check_name, c.metadata) for c in checks if not c.passed]
    assert result.success, failed
    table = pl.read_parquet(root / "out" / "publish" / "wijkcontext.parquet")
    assert table.height > 0
