"""The dashboard's 95 % intervals: Wilson for percentages, exact Poisson (Garwood) for rates, none for amounts."""

from __future__ import annotations

import pytest

from dashboards.intervals import Interval, garwood, interval, wilson


def test_wilson_interval_of_a_share_matches_the_textbook_values() -> None:
    low, high = wilson(5, 100)
    assert (round(low, 4), round(high, 4)) == (0.0215, 0.1118)  # Wilson (1927), z = 1.96
    assert wilson(0, 50)[0] == 0.0 and wilson(50, 50)[1] == 1.0, "it stays within 0-100 %"


def test_garwood_interval_of_a_count_is_the_exact_poisson_one() -> None:
    assert garwood(0) == (0.0, pytest.approx(3.6889, abs=1e-4))
    low, high = garwood(10)
    assert (round(low, 3), round(high, 3)) == (4.795, 18.390)


def test_a_figure_gets_its_interval_in_its_own_unit_and_only_where_it_is_a_sample() -> None:
    share = interval("percentage", 12, 120)
    assert share is not None and share.low < 10.0 < share.high, "percent, around 12/120 = 10 %"
    rate = interval("per_1000", 50, 1177)
    assert rate == Interval(31.5301, 56.0057), "per 1,000 pupils around 42.5 (Garwood 50: 37.11-65.92)"
    assert interval("bedrag", 1_361_943, 1177) is None, "an amount is not a sample: no interval"
    assert interval("aantal", 1177, None) is None
    assert interval("percentage", None, None) is None, "a suppressed cell has no numbers, so no interval"


def test_a_difference_is_only_named_where_the_interval_leaves_the_gemeente_out() -> None:
    school = Interval(4.7, 7.4)
    assert school.excludes(11.3)
    assert not school.excludes(6.0)
    assert not school.excludes(7.4), "the bound itself is inside"
