"""Primary and secondary suppression: which cells `protect` hides, and why (hand-made tables, see the docstrings)."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.lib.settings import DEFAULT_CONFIG, ConfigError, DisclosureRules, MonitorConfig
from pipelines.protect.suppression import protect
from tests.test_disclosure_check import GM, RULES, cell, check, g1, hide, reasons, table


def test_a_lone_small_school_gets_a_secondary_partner_the_smallest_other_school() -> None:
    """Schools 3, 40, 25, 60 → total 128. Hiding only the 3 would leave it as 128 - 40 - 25 - 60;
    the smallest other school (25) is hidden too."""
    protected = protect(table(g1({"AA00": 3, "BB00": 40, "CC00": 25, "DD00": 60})), RULES)
    assert reasons(protected) == {
        (GM, "G1", None): None,
        ("AA00", "G1", None): "primair",
        ("BB00", "G1", None): None,
        ("CC00", "G1", None): "secundair",
        ("DD00", "G1", None): None,
    }


def test_hidden_schools_must_hide_at_least_the_margin_together() -> None:
    """Schools 1, 0, 12, 30, 45 → 88. The 1 and the 0 are hidden (primary), but together they are 1 < 3: a reader
    knows each is 0 or 1. The partner closes the gap: the smallest school of at least 2, the 12. That alone is not
    enough: its label 'secundair' tells it holds at least 10, so the three hide 13 of which the 1 and the 0 hold at
    most 3 together and the 1 (a row: at least 1 pupil) lies in [1, 3]. The 30 is hidden as well."""
    protected = protect(table(g1({"AA00": 1, "BB00": 0, "CC00": 12, "DD00": 30, "EE00": 45})), RULES)
    assert reasons(protected)[("CC00", "G1", None)] == "secundair"
    assert reasons(protected)[("DD00", "G1", None)] == "secundair"
    assert protected.get_column("onderdrukt").sum() == 4


def test_the_margin_is_configurable() -> None:
    """With a margin of 1, a hidden 1 and 2 leave each in [1, 2]: enough. With the default 3, not."""
    truth = table(g1({"AA00": 1, "BB00": 2, "CC00": 12, "DD00": 30}))
    assert protect(truth, DisclosureRules(protection_margin=1)).get_column("onderdrukt").sum() == 2
    assert protect(truth, RULES).get_column("onderdrukt").sum() == 3


def test_a_cost_total_dominated_by_one_person_is_suppressed() -> None:
    """C1 of 100 000 euro on 20 persons: one of 51 000 (51 %) → suppressed; one of 50 000 (exactly half) → shown."""
    dominated = table([cell("gemeente", GM, "C1", 100_000, soort="bedrag", personen=20, max_persoon=51_000)])
    shared = table([cell("gemeente", GM, "C1", 100_000, soort="bedrag", personen=20, max_persoon=50_000)])
    assert protect(dominated, RULES).get_column("reden").to_list() == ["primair"]
    assert protect(shared, RULES).get_column("reden").to_list() == [None]
    assert protect(shared, DisclosureRules(max_dominance_share=0.4)).get_column("reden").to_list() == ["primair"]


def test_a_small_wijk_hides_every_rate_that_shows_its_pupils() -> None:
    """Wijk W1 has 8 pupils (G1 primary). A1 there (2 of 8) is primary anyway; W2 (60 pupils) partners W1 in the
    G1 sum, so W2's A1 (15 of 60), which shows the 60 as its noemer, is hidden with it (secundair)."""
    truth = table(
        [
            cell("gemeente", GM, "G1", 168),
            cell("wijk", "W1", "G1", 8),
            cell("wijk", "W2", "G1", 60),
            cell("wijk", "W3", "G1", 100),
            cell("gemeente", GM, "A1", 47, 168, soort="percentage"),
            cell("wijk", "W1", "A1", 2, 8, soort="percentage"),
            cell("wijk", "W2", "A1", 15, 60, soort="percentage"),
            cell("wijk", "W3", "A1", 30, 100, soort="percentage"),
        ]
    )
    protected = protect(truth, RULES)
    assert reasons(protected) == {
        (GM, "G1", None): None,
        ("W1", "G1", None): "primair",
        ("W2", "G1", None): "secundair",
        ("W3", "G1", None): None,
        (GM, "A1", None): None,
        ("W1", "A1", None): "primair",
        ("W2", "A1", None): "secundair",
        ("W3", "A1", None): None,
    }
    assert check(protected, truth).passed


def test_the_outcome_does_not_depend_on_row_order() -> None:
    truth = table(g1({"AA00": 3, "BB00": 25, "CC00": 25, "DD00": 60}))
    forward = protect(truth, RULES).sort("eenheid_code")
    backward = protect(truth.reverse(), RULES).sort("eenheid_code")
    assert forward.get_column("reden").to_list() == backward.get_column("reden").to_list()


def test_suppressed_cells_show_nothing_and_the_gemeente_value_follows_the_gemeente_cell() -> None:
    """G1 gemeente 5 (< 10): hidden, so no school row may carry its value as gemeente_waarde."""
    protected = protect(table(g1({"AA00": 2, "BB00": 3})), RULES)
    assert protected.select(pl.col("teller", "noemer", "waarde", "gemeente_waarde").is_null().all()).row(0) == (
        True,
        True,
        True,
        True,
    )


def test_the_complement_rule_applies_to_percentages_only() -> None:
    """95 of 100 pupils with care (complement 5) is hidden; 95 new trajectories per 100 pupils is a rate per
    1.000 with no complement to protect, so it is shown."""
    truth = table(
        [
            cell("gemeente", GM, "A1", 95, 100, soort="percentage"),
            cell("gemeente", GM, "A6", 95, 100, soort="per_1000"),
        ]
    )
    assert protect(truth, RULES).get_column("reden").to_list() == ["primair", None]


def test_the_count_rule_counts_the_persons_behind_a_cell_not_its_trajectories() -> None:
    """A6 of 12 new trajectories per 1.000 pupils, and B1's 11 referrals by the huisarts: both rest on 7 pupils
    (basis_personen), fewer than 10, so both are primary; the same tellers on 10 pupils are shown."""
    truth = table(
        [
            cell("gemeente", GM, "A6", 12, 400, soort="per_1000", personen=7),
            cell("gemeente", GM, "D1", 12, 400, soort="per_100", personen=10),
        ]
    )
    assert protect(truth, RULES).get_column("reden").to_list() == ["primair", None]
    published = hide(truth, pl.lit(False))
    assert any("primary rule" in v for v in check(published, truth).violations)


def test_two_small_schools_are_not_left_to_each_other_when_their_labels_bound_them() -> None:
    """Schools 8, 9, 50, 60 → 127. '< 10' tells a reader each hidden school is at most 9; with only the 8 and the
    9 hidden, together 17, each must be 8 or 9. The check says so of that naive publication; protect hides a
    third school (the 50: fewest cells, then the smallest), after which each small one can be anything in 0..9."""
    truth = table(g1({"AA00": 8, "BB00": 9, "CC00": 50, "DD00": 60}))
    naive = hide(truth, pl.col("teller") < 10)
    assert any("below the margin" in v for v in check(naive, truth).violations)
    protected = protect(truth, RULES)
    assert reasons(protected)[("CC00", "G1", None)] == "secundair"
    assert check(protected, truth).passed


def test_a_small_school_whose_partners_cannot_absorb_the_rest_would_show_it_is_not_zero() -> None:
    """Schools 7, 8, 9, 40, 70 → 134, the 7, 8 and 9 primary: hidden 24, each at most 9, so the other two hold at
    most 18 and the 7 is at least 6: a reader learns it is not 0. Protect hides the 40 as well."""
    truth = table(g1({"AA00": 7, "BB00": 8, "CC00": 9, "DD00": 40, "EE00": 70}))
    naive = hide(truth, pl.col("teller") < 10)
    assert any("below the margin" in v for v in check(naive, truth).violations)
    protected = protect(truth, RULES)
    assert reasons(protected)[("DD00", "G1", None)] == "secundair"
    assert check(protected, truth).passed


def test_a_hidden_vorm_is_not_left_to_be_at_least_one_by_the_forms_together() -> None:
    """A1: 14 of 200 pupils; A2 vorm: 9 (primary) and 12. Forms together are at least A1 (a pupil has one form
    or more), so with only the 9 hidden a reader learns it is at least 14 - 12 = 2: not 0. The 12 is hidden too."""
    truth = table(
        [
            cell("school", "AA00", "A1", 14, 200, soort="percentage"),
            cell("school", "AA00", "A2", 9, 200, soort="percentage", dimensie="vorm", categorie="ambulant"),
            cell("school", "AA00", "A2", 12, 200, soort="percentage", dimensie="vorm", categorie="zonder_verblijf"),
        ]
    )
    naive = hide(truth, pl.col("teller") < 10)
    assert any("below the margin" in v for v in check(naive, truth).violations)
    protected = protect(truth, RULES)
    assert reasons(protected)[("AA00", "A2", "zonder_verblijf")] == "secundair"
    assert check(protected, truth).passed


def test_the_rules_are_read_once_from_monitor_toml_and_a_typo_or_an_impossible_value_is_refused() -> None:
    config = MonitorConfig.load(DEFAULT_CONFIG)
    assert config.disclosure == DisclosureRules(min_teller=10, min_noemer=50, min_cost_persons=10)
    with pytest.raises(ConfigError, match=r"unknown setting.*min_tellers"):
        DisclosureRules.from_table({"min_tellers": 5})
    with pytest.raises(ConfigError, match="max_dominance_share"):
        DisclosureRules.from_table({"max_dominance_share": 1.5})
    assert DisclosureRules.from_table({"min_teller": "5", "round_to": 5}).min_teller == 5


def test_a_cell_hidden_through_its_noemer_takes_its_shared_teller_with_it() -> None:
    """School AA00: 120 pupils (G1), 14 new trajectories (A6 = 14 / 120 per 100; B2 shows the same 14 / 120; B1's
    noemer is the same 14). When the suppression hides the school's pupils, A6 and B2 go with them (their noemer);
    their teller, 14, may then not stay readable as B1's noemer: every cell showing it is hidden too."""
    from pipelines.lib.published_schema import CELL_KEY
    from pipelines.protect.intervals import interval_solver
    from pipelines.protect.reader import Thresholds
    from pipelines.protect.secondary import Suppressor, build_model

    rows = [
        cell("school", "AA00", "G1", 120),
        cell("school", "AA00", "A6", 14, 120, soort="per_100"),
        cell("school", "AA00", "B2", 14, 120, soort="per_100"),
        cell("school", "AA00", "B1", 9, 14, soort="percentage", dimensie="verwijzer", categorie="01"),
        cell("school", "AA00", "B1", 5, 14, soort="percentage", dimensie="verwijzer", categorie="02"),
    ]
    frame = table(rows).sort(list(CELL_KEY), nulls_last=True)
    model = build_model(frame, RULES.min_teller)
    suppressor = Suppressor(
        model, RULES.protection_margin, [False] * frame.height, Thresholds(10, 50), interval_solver(3.0)
    )
    pupils = model.teller_of[frame.get_column("indicator").to_list().index("G1")]
    suppressor.hide(pupils)
    hidden = dict(zip(frame.get_column("indicator").to_list(), suppressor.suppressed, strict=False))
    assert hidden["A6"] and hidden["B2"], "hidden with their noemer"
    assert all(suppressor.suppressed), "B1's cells show the hidden teller as their noemer: hidden too"
