"""The interval test both the suppression and the check use (`pipelines.protect.intervals`), on systems small
enough to solve by hand: counts need an interval at least the margin wide (and reaching 0 when small), amounts
in cents only more than one value."""

from __future__ import annotations

from pipelines.protect.intervals import NOT_CONSTANT, Target, interval_solver
from pipelines.protect.linear_system import LinearSystem


def system(equal: list[tuple[dict[int, float], float]], unknowns: int, lower: float = 0.0) -> LinearSystem:
    s = LinearSystem()
    for _ in range(unknowns):
        s.add_unknown(lower)
    s.equal.extend(equal)
    return s


def test_two_hidden_counts_that_add_up_to_17_each_at_most_9_are_8_or_9() -> None:
    s = system([({0: 1.0, 1: 1.0}, 17.0)], 2)
    s.upper[0] = s.upper[1] = 9.0
    [first, second] = interval_solver(3).narrowed(s, [Target(0, None), Target(1, None)])
    assert (first.low, first.high) == (second.low, second.high) == (8.0, 9.0)


def test_a_wide_interval_that_excludes_0_for_a_small_count_misses_the_guarantee() -> None:
    """x + y = 20 with y at least 10 (its label): x in [0, 10] passes; with x at least 1 it no longer reaches 0."""
    s = system([({0: 1.0, 1: 1.0}, 20.0)], 2)
    s.lower[1] = 10.0
    assert interval_solver(3).narrowed(s, [Target(0, 0.0)]) == []
    s.lower[0] = 1.0
    [narrowed] = interval_solver(3).narrowed(s, [Target(0, 0.0)])
    assert (narrowed.low, narrowed.high) == (1.0, 10.0)


def test_an_amount_fixed_by_two_sums_together_is_found_and_one_with_room_is_not() -> None:
    """Amounts in cents, which may be negative (credits): x + y = 1000 and x - y = 200 fix x = 600 and y = 400,
    though neither sum alone fixes either. Without the second sum both move freely."""
    fixed = system([({0: 1.0, 1: 1.0}, 1000.0), ({0: 1.0, 1: -1.0}, 200.0)], 2, lower=-1e6)
    found = interval_solver(3).narrowed(fixed, [Target(0, None, NOT_CONSTANT), Target(1, None, NOT_CONSTANT)])
    assert [(n.target, n.low, n.high) for n in found] == [(0, 600.0, 600.0), (1, 400.0, 400.0)]
    free = system([({0: 1.0, 1: 1.0}, 1000.0)], 2, lower=-1e6)
    assert interval_solver(3).narrowed(free, [Target(0, None, NOT_CONSTANT)]) == []


def test_an_amount_asks_one_cent_where_a_count_asks_the_margin() -> None:
    """x + y = 2 (cents or persons): x in [0, 2] is more than one value, but narrower than a margin of 3."""
    s = system([({0: 1.0, 1: 1.0}, 2.0)], 2)
    assert interval_solver(3).narrowed(s, [Target(0, None, NOT_CONSTANT)]) == []
    [count] = interval_solver(3).narrowed(s, [Target(0, None)])
    assert (count.low, count.high) == (0.0, 2.0)


def test_a_margin_below_one_still_leaves_no_count_a_single_value() -> None:
    s = system([({0: 1.0}, 4.0)], 1)
    [narrowed] = interval_solver(0).narrowed(s, [Target(0, None)])
    assert (narrowed.low, narrowed.high) == (4.0, 4.0)
