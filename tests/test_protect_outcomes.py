"""The outcome indicators (U1-U6) under disclosure control: the relations they add to what a reader knows.

U3 splits E1 by youth-care use, so its two categories add up, teller and noemer, to E1's (`structure.SPLIT_OF`);
U1 and U2 show the same starters of youth care as their noemer, and U6 shows F4's gemeente teller as its noemer
(`structure.SHARED_QUANTITIES`). Hand-made tables of a few cells, in the style of test_disclosure_check.py.
"""

from __future__ import annotations

import polars as pl

from pipelines.protect.suppression import protect
from tests.test_disclosure_check import GM, RULES, cell, check, hide, reasons, table


def e1_and_its_split(met: tuple[int, int], zonder: tuple[int, int]) -> pl.DataFrame:
    total = (met[0] + zonder[0], met[1] + zonder[1])
    return table(
        [cell("gemeente", GM, "E1", *total, soort="percentage")]
        + [
            cell("gemeente", GM, "U3", t, n, soort="percentage", dimensie="jeugdhulp", categorie=c)
            for c, (t, n) in (("met", met), ("zonder", zonder))
        ]
    )


def test_a_hidden_category_of_the_e1_split_is_recovered_from_e1() -> None:
    """E1: 25 early school leavers of 300; U3 met 4 of 40 (primary: fewer than 10), zonder 21 of 260. Hiding only
    met leaves it as 25 - 21 = 4 (and its noemer as 300 - 260 = 40): caught. Protected, zonder is hidden too,
    and the check passes."""
    truth = e1_and_its_split(met=(4, 40), zonder=(21, 260))
    leaky = check(hide(truth, pl.col("teller") < 10), truth)
    assert any("hidden count narrowed" in v and "[4, 4]" in v for v in leaky.violations), leaky.violations
    protected = protect(truth, RULES)
    assert reasons(protected) == {
        (GM, "E1", None): None,
        (GM, "U3", "met"): "primair",
        (GM, "U3", "zonder"): "secundair",
    }
    report = check(protected, truth)
    assert report.passed, report.violations


def test_a_hidden_e1_is_recovered_from_its_split() -> None:
    """E1 hidden alone (say for a rule elsewhere) while both U3 categories (12 of 60, 14 of 240) are shown: their
    sum 26 of 300 is E1. Caught."""
    truth = e1_and_its_split(met=(12, 60), zonder=(14, 240))
    leaky = check(hide(truth, pl.col("indicator") == "E1"), truth)
    assert not leaky.passed
    assert any("[26, 26]" in v for v in leaky.violations), leaky.violations


def test_u6_shows_f4s_gemeente_teller_as_its_noemer() -> None:
    """F4 for the gemeente: 25 thuiszitters per 5 000 pupils, hidden; U6: 10 of those 25 with youth care, shown.
    U6's noemer is F4's teller, so the hidden cell shows: caught. Protected, hiding F4 hides U6 as well."""
    truth = table(
        [
            cell("gemeente", GM, "F4", 25, 5000, soort="per_1000"),
            cell("gemeente", GM, "U6", 10, 25, soort="percentage"),
        ]
    )
    leaky = check(hide(truth, pl.col("indicator") == "F4"), truth)
    assert not leaky.passed, "U6's noemer shows the hidden F4 teller"
    protected = protect(truth, RULES)
    assert check(protected, truth).passed


def test_u1_and_u2_share_their_noemer() -> None:
    """U1 and U2 follow the same 40 starters. U1's categories 30 / 6 / 4, U2's 25 / 9 / 6 (primary: below 10 or,
    for op_school, a complement below 10). Whatever is hidden, the noemer 40 is one number: when U2 shows it, U1's
    hidden categories are narrowed by it just the same, and the protected table passes the check."""
    truth = table(
        [
            cell("gemeente", GM, ind, t, 40, soort="percentage", dimensie="situatie", categorie=c)
            for ind, counts in (("U1", (30, 6, 4)), ("U2", (25, 9, 6)))
            for c, t in zip(("op_school", "startkwalificatie", "geen_van_beide"), counts, strict=True)
        ]
    )
    protected = protect(truth, RULES)
    shown = protected.filter(~pl.col("onderdrukt"))
    assert shown.is_empty() or shown.get_column("noemer").unique().to_list() == [40.0]
    assert check(protected, truth).passed


def test_u4s_two_groups_have_no_published_total_so_neither_pins_the_other() -> None:
    """U4 (thuiszitter a year later) with youth care 0 of 400, without 10 of 5 000: the number of thuiszitters
    among these pupils is published nowhere (it is not F4: other ages, the next year). Modelled as a total the
    reader knows, 10 would pin a hidden 'met' to 0 and a hidden 'zonder' to 10, and no suppression could help
    (issue 20, the demo's 2022/2023). With no such total: 'met' is hidden (fewer than 10), 'zonder' shown, and
    the check passes."""
    truth = table(
        [
            cell("gemeente", GM, "U4", t, n, soort="percentage", dimensie="jeugdhulp", categorie=c)
            for c, t, n in (("met", 0, 400), ("zonder", 10, 5000))
        ]
    )
    protected = protect(truth, RULES)
    assert reasons(protected) == {(GM, "U4", "met"): "primair", (GM, "U4", "zonder"): None}
    assert check(protected, truth).passed
