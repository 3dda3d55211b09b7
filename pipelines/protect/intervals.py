"""The interval a reader can narrow each hidden count to, and whether it meets the guarantee.

A reader who knows the published numbers and the relations (`structure`) can minimise and maximise a hidden
count over every solution: one LP per end. Counts are whole, so the ends are rounded inwards (ceil of the
minimum, floor of the maximum). The guarantee per hidden count (issue 17, spec §4): that interval is at least
`margin` wide, and for a count whose true value is below min_teller it contains 0 (else the reader learns
"at least one child"; for a unit's pupils, whose published row already says "at least one", it contains 1).
Exact recovery is the special case of width 0.

Cost: most targets never need an LP of their own. Every LP's optimum is a feasible point, and it shows a
value for every target of the component; a target whose smallest and largest value seen so far already span
the margin (and reach 0 where needed) is proven protected without solving for it. The model is built once
per component and re-solved with a new objective (HiGHS keeps its basis: a warm start), so a city's table
costs a few hundred small LPs. HiGHS comes with scipy (`scipy.optimize._highspy`); its Python binding is not
public API, so it is wrapped here and only here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize._highspy import _core as highs

from pipelines.protect.linear_system import INF, LinearSystem, components

TOLERANCE = 1e-6  # LP optima within this of a whole number count as that number


@dataclass(frozen=True)
class Target:
    """A hidden number: its unknown, and the value its interval must contain, if any (its a-priori least: 0, or
    1 for a unit's pupils, whose row exists), because its true value is small; None: no such requirement.
    `margin`: the least width asked of it, when not the solver's (an amount in cents: `NOT_CONSTANT`)."""

    unknown: int
    must_reach: float | None
    margin: float | None = None


NOT_CONSTANT = 1.0  # in whole units (persons, cents): an interval at least one unit wide holds two values


@dataclass(frozen=True)
class Narrowed:
    """A target that misses the guarantee, with the interval a reader works out."""

    target: int  # index into the targets
    low: float
    high: float


@dataclass
class IntervalSolver:
    """Finds the targets that miss the guarantee; counts the LPs solved, for the reports."""

    margin: float
    lps: int = 0
    protected_parts: set[int] = field(default_factory=set)  # fingerprints of components found protected

    def narrowed(
        self,
        system: LinearSystem,
        targets: Sequence[Target],
        labels: Sequence[int] | None = None,
        witness: Sequence[float] | None = None,
    ) -> list[Narrowed]:
        """Targets whose interval is narrower than the margin, or excludes 0 where it must contain it.

        `labels`: a stable name per unknown (the suppression's quantity numbers). With them, a component
        found protected once is not solved again while its relations stay the same (the suppression asks
        after every round of extra suppressions, and most components did not change). `witness`: a solution
        known to the caller (the true values: both the suppression and the check have them), one more point
        seen for free.

        Raises ValueError when the relations admit no solution (they do not hold on the data)."""
        forms = [{t.unknown: 1.0} for t in targets]
        out: list[Narrowed] = []
        for variables, rows_eq, rows_le, members in components(system, forms):
            key = (
                None if labels is None else _fingerprint(system, targets, labels, variables, rows_eq, rows_le, members)
            )
            if key is not None and key in self.protected_parts:
                continue
            found = self._component(system, targets, variables, rows_eq, rows_le, members, witness)
            if key is not None and not found:
                self.protected_parts.add(key)
            out += found
        return sorted(out, key=lambda n: n.target)

    def _component(
        self,
        system: LinearSystem,
        targets: Sequence[Target],
        variables: list[int],
        rows_eq: list[int],
        rows_le: list[int],
        members: list[int],
        witness: Sequence[float] | None = None,
    ) -> list[Narrowed]:
        model = _Model(system, variables, rows_eq, rows_le)
        column = np.array([model.local[targets[t].unknown] for t in members], dtype=np.int64)
        margin = np.array([self.margin if targets[t].margin is None else targets[t].margin for t in members])
        seen_low = np.full(len(members), INF)
        seen_high = np.full(len(members), -INF)
        out: list[Narrowed] = []

        def see(point: np.ndarray) -> None:
            np.minimum(seen_low, point[column], out=seen_low)
            np.maximum(seen_high, point[column], out=seen_high)

        def protected(i: int, low: float, high: float) -> bool:
            if low > high:  # nothing seen yet
                return False
            wide = high == INF or _inwards(high, -1.0) - _inwards(low, 1.0) >= margin[i]
            reach = targets[members[i]].must_reach
            return wide and (reach is None or low <= reach + TOLERANCE)

        def unproven() -> list[int]:
            return [i for i in range(len(members)) if not protected(i, seen_low[i], seen_high[i])]

        # Together first: every target as low as it goes, then the unproven ones as high as the margin asks
        # (capped, so that the sum stays bounded), again while that proves enough of the rest; then the ones
        # whose floor was not reached, as low as they go together. Most targets are proven by these points.
        if witness is not None:
            see(np.array([witness[v] for v in variables], dtype=float))
        self.lps += 1
        lowest = model.optimise_together(column, 1.0)
        if lowest is not None:
            see(lowest)
        todo = unproven()
        # Raise the unproven targets together again and again, as long as each round proves at least one: a
        # round costs one warm-started LP, where a target of its own costs two. When a few small sums bound a
        # large component (a school year without youth care: every count 0, the gemeente at most 9), a round
        # can lift only a handful together, yet that is still fewer LPs than one per target.
        while todo:
            self.lps += 1
            caps = np.ceil(seen_low[todo] - TOLERANCE) + margin[todo]
            point = model.optimise_together(column[todo], -1.0, caps)
            if point is None:
                break
            see(point)
            left = unproven()
            if len(left) == len(todo):
                break
            todo = left
        floors = [i for i in todo if seen_low[i] > (targets[members[i]].must_reach or 0.0) + TOLERANCE]
        if floors and any(targets[members[i]].must_reach is not None for i in floors):
            self.lps += 1
            point = model.optimise_together(column[floors], 1.0)
            if point is not None:
                see(point)
        for i in unproven():
            t = members[i]
            for sense in (1.0, -1.0):  # minimise, then maximise
                self.lps += 1
                value, point = model.optimise(int(column[i]), sense)
                if point is not None:
                    see(point)
                if sense > 0:
                    seen_low[i] = min(seen_low[i], value)
                else:
                    seen_high[i] = max(seen_high[i], value)  # inf when unbounded
                if protected(i, seen_low[i], seen_high[i]):
                    break
            else:  # both ends are optima now
                out.append(Narrowed(t, _inwards(seen_low[i], 1.0), _inwards(seen_high[i], -1.0)))
        return out


def interval_solver(margin: float) -> IntervalSolver:
    """The solver for a protection margin: at least `NOT_CONSTANT` wide, so that even a margin below one person
    leaves no hidden count a single value."""
    return IntervalSolver(max(margin, NOT_CONSTANT))


def _fingerprint(
    system: LinearSystem,
    targets: Sequence[Target],
    labels: Sequence[int],
    variables: list[int],
    rows_eq: list[int],
    rows_le: list[int],
    members: list[int],
) -> int:
    """A component's relations, bounds and targets in stable names."""
    rows = [(True, r) for r in rows_eq] + [(False, r) for r in rows_le]
    relations = sorted(
        (
            eq,
            tuple(sorted((labels[v], a) for v, a in (system.equal if eq else system.at_most)[r][0].items())),
            (system.equal if eq else system.at_most)[r][1],
        )
        for eq, r in rows
    )
    bounds = sorted((labels[v], system.lower[v], system.upper[v]) for v in variables)
    wanted = sorted(
        (labels[targets[t].unknown], targets[t].must_reach or -1.0, targets[t].margin or 0.0) for t in members
    )
    return hash((tuple(relations), tuple(bounds), tuple(wanted), len(members)))


def _inwards(end: float, sense: float) -> float:
    """An LP end rounded inwards to a whole number (sense 1: a minimum, up; -1: a maximum, down)."""
    if math.isinf(end):
        return end
    return float(math.ceil(end - TOLERANCE) if sense > 0 else math.floor(end + TOLERANCE))


class _Model:
    """One component's LP in HiGHS, re-solved per objective."""

    def __init__(self, system: LinearSystem, variables: list[int], rows_eq: list[int], rows_le: list[int]) -> None:
        self.local = {v: i for i, v in enumerate(variables)}
        rows = [system.equal[r] for r in rows_eq] + [system.at_most[r] for r in rows_le]
        data, row_index, col_index = [], [], []
        for r, (terms, _) in enumerate(rows):
            for v, a in terms.items():
                data.append(a)
                row_index.append(r)
                col_index.append(self.local[v])
        n = len(variables)
        matrix = sparse.csc_array((data, (row_index, col_index)), shape=(len(rows), n))
        rhs = np.array([b for _, b in rows], dtype=float)
        lp = highs.HighsLp()
        lp.num_col_, lp.num_row_ = n, len(rows)
        lp.col_cost_ = np.zeros(n)
        self.lower = np.array([system.lower[v] for v in variables], dtype=float)
        self.upper = np.array([system.upper[v] for v in variables], dtype=float)
        lp.col_lower_, lp.col_upper_ = self.lower, self.upper
        lp.row_lower_ = np.concatenate([rhs[: len(rows_eq)], np.full(len(rows_le), -INF)])
        lp.row_upper_ = rhs
        lp.a_matrix_.format_ = highs.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr
        lp.a_matrix_.index_ = matrix.indices
        lp.a_matrix_.value_ = matrix.data
        self.solver = highs._Highs()
        self.solver.setOptionValue("output_flag", False)
        self.solver.passModel(lp)
        self.n = n
        self.costed: int | None = None

    def optimise_together(self, columns: np.ndarray, sense: float, caps: np.ndarray | None = None) -> np.ndarray | None:
        """min (sense 1) or max (sense -1) of the sum of some columns, each at most its cap while solving: the
        optimal point; None when the caps leave no solution. Raises ValueError when no solution exists."""
        self._clear_cost()
        index = columns.astype(np.int32)
        self.solver.changeColsCost(len(index), index, np.full(len(index), sense))
        if caps is not None:
            upper = np.minimum(self.upper[index], caps)
            self.solver.changeColsBounds(len(index), index, self.lower[index], upper)
        self.solver.run()
        status = self.solver.getModelStatus()
        point = np.asarray(self.solver.getSolution().col_value) if status == highs.HighsModelStatus.kOptimal else None
        self.solver.changeColsCost(len(index), index, np.zeros(len(index)))
        if caps is not None:
            self.solver.changeColsBounds(len(index), index, self.lower[index], self.upper[index])
        if point is None and caps is None:
            raise ValueError(f"the published relations admit no solution ({self.solver.modelStatusToString(status)})")
        return point

    def _clear_cost(self) -> None:
        if self.costed is not None:
            self.solver.changeColCost(self.costed, 0.0)
            self.costed = None

    def optimise(self, column: int, sense: float) -> tuple[float, np.ndarray | None]:
        """min (sense 1) or max (sense -1) of one column: (its optimum, the optimal point); an unbounded
        maximum is (inf, None). Raises ValueError when no solution exists."""
        if self.costed is not None and self.costed != column:
            self.solver.changeColCost(self.costed, 0.0)
        self.solver.changeColCost(column, sense)
        self.costed = column
        self.solver.run()
        status = self.solver.getModelStatus()
        if status == highs.HighsModelStatus.kOptimal:
            point = np.asarray(self.solver.getSolution().col_value)
            return float(point[column]), point
        unbounded = (highs.HighsModelStatus.kUnbounded, highs.HighsModelStatus.kUnboundedOrInfeasible)
        if status in unbounded and sense < 0:  # the minimum was found first: the system has solutions
            return INF, None
        raise ValueError(f"the published relations admit no solution ({self.solver.modelStatusToString(status)})")
