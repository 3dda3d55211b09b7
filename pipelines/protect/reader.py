"""What a reader knows, as one linear system: the single model that both the suppression and the check solve.

The suppression (`secondary`) and the independent check (`disclosure_check`) each find the sums and bounds of
a table their own way (a work-list there, group-bys here), so a bug in one builder is caught by the other.
What they then hand to the LP is assembled here, once: which quantities are unknown, the bounds a hidden
cell's published label tells (`structure.reason_bounds`: a primary '< 10' count is at most 9; a secondary
cell passed every primary rule, so its teller, its noemer and its complement noemer - teller are at least
the thresholds), that a published row exists (a unit with a row has at least 1 pupil), non-negativity and
the sums. Counts are whole: `intervals` rounds each LP end inwards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pipelines.protect import structure as st
from pipelines.protect.intervals import NOT_CONSTANT, Target
from pipelines.protect.linear_system import INF, LinearSystem, Terms

ONE = -1  # a pseudo-quantity of value 1: the constant term of a relation


@dataclass(frozen=True)
class HiddenCell:
    """A suppressed cell as the reader sees it: which quantities it shows and what its label says."""

    teller: int
    noemer: int | None
    soort: str
    primary: bool
    true_teller: float  # the suppression knows it; a primary count's bound holds only where it is small


@dataclass(frozen=True)
class Quantities:
    """Per quantity: known to the reader, the value the relations use where known (published), the true
    value, amount in cents (may be negative: credits), and the least a row's existence tells (`existence_floors`)."""

    known: Sequence[bool]
    value: Sequence[float | None]
    truth: Sequence[float]
    cost: Sequence[bool]
    floors: Mapping[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Thresholds:
    min_teller: int
    min_noemer: int


def reader_system(
    quantities: Quantities,
    equal: Iterable[Terms],
    at_most: Iterable[Terms],
    hidden: Iterable[HiddenCell],
    thresholds: Thresholds,
    free: Iterable[tuple[int, float, float]] = (),
) -> tuple[LinearSystem, dict[int, int]]:
    """The reader's system over the unknown quantities (known ones are constants): quantity → unknown.

    `free`: known quantities the reader knows only within (low, high) (rounded counts)."""
    known, value, cost = quantities.known, quantities.value, quantities.cost

    def constant_of(q: int) -> float:
        number = 1.0 if q == ONE else value[q]
        if number is None:
            raise ValueError(f"quantity {q} is known but has no published value")
        return number

    equal, at_most, hidden = list(equal), list(at_most), list(hidden)
    lower: dict[int, float] = {}
    upper: dict[int, float] = {}
    extra: list[Terms] = []
    for cell in hidden:
        low, high = st.reason_bounds(cell.soort, cell.primary, cell.true_teller, thresholds.min_teller)
        lower[cell.teller] = max(lower.get(cell.teller, 0.0), low)
        upper[cell.teller] = min(upper.get(cell.teller, INF), high)
        if not cell.primary and cell.noemer is not None and cell.soort in st.RATE_KINDS:
            lower[cell.noemer] = max(lower.get(cell.noemer, 0.0), float(thresholds.min_noemer))
            if cell.soort in st.BOUNDED_BY_NOEMER:  # complement: noemer - teller >= min_teller
                extra.append({cell.teller: 1.0, cell.noemer: -1.0, ONE: float(thresholds.min_teller)})
    for q, floor in quantities.floors.items():
        lower[q] = max(lower.get(q, 0.0), floor)

    system = LinearSystem()
    unknown: dict[int, int] = {}
    ranged = {q: (low, high) for q, low, high in free}
    involved = sorted({q for terms in (*equal, *at_most, *extra) for q in terms if q != ONE} | set(lower) | set(upper))
    for q in involved:
        if not known[q]:
            # Amounts can be negative (credits); the reader is granted the true floor (conservative).
            floor = min(0.0, quantities.truth[q]) if cost[q] else 0.0
            unknown[q] = system.add_unknown(max(floor, lower.get(q, floor)), upper.get(q, INF))
        elif q in ranged:
            unknown[q] = system.add_unknown(*ranged[q])
    for rows, target in ((equal, system.equal), ([*at_most, *extra], system.at_most)):
        for terms in rows:
            local = {unknown[q]: a for q, a in terms.items() if q in unknown}
            if local:
                constant = -sum(a * constant_of(q) for q, a in terms.items() if q not in unknown)
                target.append((local, constant))
    return system, unknown


def guarantee(
    q: int, unknown: Mapping[int, int], quantities: Quantities, min_teller: int, zero_for_small: bool
) -> Target:
    """What hidden quantity q's interval must meet (`intervals.Target`), for the suppression and the check alike:
    an amount takes more than one value (in whole cents); a count is at least the margin wide and, when small,
    reaches what the table's shape alone tells (`must_reach`)."""
    if quantities.cost[q]:
        return Target(unknown[q], None, NOT_CONSTANT)
    reach = must_reach(quantities.truth[q], quantities.floors.get(q, 0.0), min_teller, zero_for_small)
    return Target(unknown[q], reach)


def must_reach(truth: float, floor: float, min_teller: int, zero_for_small: bool) -> float | None:
    """The value a hidden count's interval must contain (`intervals.Target`): where its true value is below
    min_teller, the least the table's shape alone tells (`existence_floors`; 0 for every other count)."""
    if not zero_for_small or truth >= min_teller:
        return None
    return floor


def existence_floors(
    pupils: Iterable[tuple[str, str, str, int, float]], links: Iterable[tuple[str, str, str, str, str, str]]
) -> dict[int, float]:
    """The least a reader knows of each unit's pupils from which rows exist, before reading any number:
    (schooljaar, niveau, eenheid_code, quantity, true value) of every unit's pupils, and the units' parents
    (`structure.parent_links`: exact sums of pupils) → 1 for a unit without children (a row exists only for a
    unit with pupils), for a parent the sum of its children's floors on one level (the most of its levels), and
    the parent's floor for the only child of its level (it then holds every pupil). Repeated up and down the
    levels (the country, a jeugdregio, a gemeente, its wijken) until nothing changes. That is the minimum of each
    over the levels' sums with every number hidden.

    Only where it holds: a unit with 0 pupils (a hand-made table) gets no floor."""
    quantity = {(jaar, niveau, code): q for jaar, niveau, code, q, truth in pupils if truth >= 1}
    children: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for jaar, niveau, code, parent_niveau, parent_code, relatie in links:
        child, parent = quantity.get((jaar, niveau, code)), quantity.get((jaar, parent_niveau, parent_code))
        if child is not None and parent is not None:
            children[parent][relatie].append(child)
    floors = dict.fromkeys(quantity.values(), 1.0)
    for _ in range(2 * len(st.LEVEL_DEPTH)):  # until nothing changes: at most down and up every level
        changed = False
        for parent, levels in children.items():
            up = max(sum(floors[q] for q in qs) for qs in levels.values())  # a parent is the sum of its children
            if up > floors[parent]:
                floors[parent], changed = up, True
            for qs in levels.values():  # an only child holds all of its parent
                if len(qs) == 1 and floors[parent] > floors[qs[0]]:
                    floors[qs[0]], changed = floors[parent], True
        if not changed:
            break
    return floors
