"""Protect on tables that once broke it: it must succeed, and the independent check must pass on its output."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.lib.settings import DisclosureRules
from pipelines.protect.indicator_table import check_protected, protect_for_publication
from pipelines.protect.secondary import build_model
from tests.conftest import SHARED

INFEASIBLE_C5 = SHARED / "fixtures" / "protect-infeasible-c5.parquet"


def c5_fixture() -> pl.DataFrame:
    """380 C5 rows of one school year (issue 17), with the catalogue factor the protect step adds (C5: 100)."""
    return pl.read_parquet(INFEASIBLE_C5).with_columns(factor=pl.lit(100.0))


def test_c5_amounts_that_add_up_only_in_cents_are_protected_and_pass_the_check() -> None:
    """The schools' C5 amounts add up to the gemeente's in euro and cents, but summed as binary floats they miss
    it by ~1e-9 euro; the implicit-equality LP scales that noise and used to call the relations infeasible."""
    indicators = c5_fixture()
    protected, _ = protect_for_publication(indicators, DisclosureRules())
    assert protected.height == indicators.height
    assert protected.get_column("onderdrukt").sum() > 0
    report = check_protected(protected, indicators, DisclosureRules())
    assert report.passed, report.violations


def test_an_inconsistent_table_stops_with_one_sentence_naming_indicator_year_and_relation() -> None:
    """One school's amount raised by 5 euro: the schools no longer add up to the gemeente."""
    broken = c5_fixture().with_columns(
        teller=pl.when(
            (pl.col("niveau") == "school") & (pl.col("eenheid_code") == "98VA00") & (pl.col("categorie") == "43")
        )
        .then(pl.col("teller") + 5)
        .otherwise(pl.col("teller"))
    )
    with pytest.raises(ValueError) as raised:
        build_model(broken.sort("schooljaar", "niveau", "eenheid_code", "indicator", "dimensie", "categorie"), 10)
    message = str(raised.value)
    assert "C5" in message and "2021/2022" in message and "school" in message
    assert message.startswith("Inconsistent indicator table") and message.endswith(".") and "\n" not in message
