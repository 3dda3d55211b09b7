"""Across publications (issue 17): a reader who keeps last month's file and subtracts gains nothing.

Within a school year a hidden cell stays hidden and a shown cell whose numbers did not change stays shown;
the suppression follows that rule and the independent check blocks a publication that breaks it."""

from __future__ import annotations

import polars as pl

from pipelines.protect.indicator_table import check_protected, protect_for_publication
from tests.test_disclosure_check import GM, RULES, cell, table

SCHOOLS = {"AA00": 8, "BB00": 9, "CC00": 50, "DD00": 60, "EE00": 70}


def month(schools: dict[str, int]) -> pl.DataFrame:
    """G1 of the gemeente and its schools, with A1 (a tenth of each school's pupils, at least 1)."""
    a1 = {code: max(1, n // 10) for code, n in schools.items()}
    return table(
        [cell("gemeente", GM, "G1", sum(schools.values())), cell("gemeente", GM, "A1", sum(a1.values()))]
        + [cell("school", code, "G1", n) for code, n in schools.items()]
        + [cell("school", code, "A1", n) for code, n in a1.items()]
    )


def hidden(published: pl.DataFrame) -> set[tuple[str, str]]:
    return set(published.filter("onderdrukt").select("eenheid_code", "indicator").rows())


def test_next_month_keeps_last_months_hidden_cells_and_its_unchanged_shown_ones() -> None:
    first, _ = protect_for_publication(month(SCHOOLS), RULES)
    # A month later AA00 has 12 pupils and CC00 51: protected on its own, CC00 (hidden last month as AA00's and
    # BB00's partner) would now be shown, and its new number next to last month's relations is what a reader
    # subtracts.
    later = month({**SCHOOLS, "AA00": 12, "CC00": 51})
    second, _ = protect_for_publication(later, RULES, previous=first)
    assert hidden(first) <= hidden(second)
    unchanged_shown = {("DD00", "G1"), ("EE00", "G1")} - hidden(first)
    assert unchanged_shown and not unchanged_shown & hidden(second)
    assert check_protected(second, later, RULES, previous=first).passed
    alone, _ = protect_for_publication(later, RULES)
    assert ("CC00", "G1") in hidden(first) and ("CC00", "G1") in hidden(second)
    assert ("CC00", "G1") not in hidden(alone), "without the previous publication CC00 would be shown"


def test_the_check_blocks_a_cell_revealed_after_last_month() -> None:
    first, _ = protect_for_publication(month(SCHOOLS), RULES)
    later = month({**SCHOOLS, "AA00": 12, "CC00": 51})
    alone, _ = protect_for_publication(later, RULES)  # protected without looking back
    report = check_protected(alone, later, RULES, previous=first)
    assert not report.passed
    assert any("previous publication" in v and "CC00" in v for v in report.violations), report.violations


def test_the_check_blocks_hiding_a_cell_whose_numbers_last_month_already_showed() -> None:
    first, _ = protect_for_publication(month(SCHOOLS), RULES)
    later = month({**SCHOOLS, "AA00": 12, "CC00": 51})
    second, _ = protect_for_publication(later, RULES, previous=first)
    dd00 = (pl.col("eenheid_code") == "DD00") & (pl.col("indicator") == "G1")
    pretends = second.with_columns(
        onderdrukt=pl.col("onderdrukt") | dd00,
        reden=pl.when(dd00).then(pl.lit("secundair")).otherwise("reden"),
        **{c: pl.when(dd00).then(None).otherwise(c) for c in ("teller", "noemer", "waarde")},
    )
    report = check_protected(pretends, later, RULES, previous=first)
    assert any("previous publication" in v and "DD00" in v for v in report.violations), report.violations
