"""Which hidden numbers a reader can work out exactly from the published ones and the relations between them.

The reader knows the published numbers and linear relations (sums, and bounds such as "a count is never
negative"). The hidden numbers then lie in a polytope P = {x : lower <= x, A x = b, C x <= d}. A hidden number
(or a linear form of them, such as noemer - teller) is recovered when it is constant on P. That happens in
two ways, both caught here per independent component of the system:

1. Bounds that hold with equality on all of P: hidden siblings of a sum whose published members already
   reach the total must all be 0 (non-negativity). One LP finds every bound that can be slack: maximise
   sum(y) with y_j <= slack_j, 0 <= y_j <= 1, on the homogenised system (A x = lambda b, lambda >= 1), where
   scaling lets every slack that can be positive reach 1 at once. The others are implicit equalities.
2. Linear algebra: with those implicit equalities added, P spans the affine space {A' x = b'}; a form f is
   constant on it iff f lies in the row space of A' (after dropping the unknowns pinned at their bound, which
   are constant). A thin SVD gives that row space. A form of pinned unknowns only is constant too.

This is exact (no sampling), and costs one LP and one SVD per component, so a municipality's table is
checked in seconds. Being constant is the criterion here; how narrow a range may be is enforced per relation
by the protection margin (see `secondary`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

Terms = dict[int, float]
RANK_TOLERANCE = 1e-9
INF = float("inf")


@dataclass
class LinearSystem:
    """Unknowns lower <= x_0..x_{n-1} <= upper; rows sum(a_j x_j) == b (`equal`) or <= b (`at_most`)."""

    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    equal: list[tuple[Terms, float]] = field(default_factory=list)
    at_most: list[tuple[Terms, float]] = field(default_factory=list)

    def add_unknown(self, lower: float = 0.0, upper: float = INF) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        return len(self.lower) - 1

    def with_upper_rows(self) -> LinearSystem:
        """The same system with each finite upper bound as an at-most row (for methods that take lower bounds
        only)."""
        rows = [({v: 1.0}, u) for v, u in enumerate(self.upper) if u != INF]
        return LinearSystem(list(self.lower), [INF] * len(self.lower), list(self.equal), [*self.at_most, *rows])


@dataclass
class Recoverer:
    """Finds recoverable targets; counts the LPs solved, for the reports."""

    lps: int = 0

    def recoverable(self, system: LinearSystem, targets: Sequence[Terms]) -> list[int]:
        """Indices of the targets (linear forms of unknowns) that are constant on every feasible solution.

        Raises ValueError when the relations admit no solution at all (they do not hold on the data).
        """
        found: list[int] = []
        system = system.with_upper_rows()
        for variables, rows_eq, rows_le, members in components(system, targets):
            found += self._component(system, targets, variables, rows_eq, rows_le, members)
        return sorted(found)

    def _component(
        self,
        system: LinearSystem,
        targets: Sequence[Terms],
        variables: list[int],
        rows_eq: list[int],
        rows_le: list[int],
        members: list[int],
    ) -> list[int]:
        local = {v: i for i, v in enumerate(variables)}
        a_eq, b_eq = _matrix([system.equal[r] for r in rows_eq], local, len(variables))
        a_le, b_le = _matrix([system.at_most[r] for r in rows_le], local, len(variables))
        lower = np.array([system.lower[v] for v in variables], dtype=float)
        at_lower, tight = self._implicit_equalities(a_eq, b_eq, a_le, b_le, lower)
        free = np.setdiff1d(np.arange(len(variables)), at_lower)  # the others are constant: drop their columns
        hull = sparse.vstack([a_eq, a_le[np.flatnonzero(tight)]]).tocsc()[:, free].toarray()
        basis = _row_space(hull)
        forms = np.zeros((len(members), len(variables)))
        for row, t in enumerate(members):
            for v, a in targets[t].items():
                forms[row, local[v]] += a
        forms = forms[:, free]
        residual = forms - (forms @ basis.T) @ basis
        scale = np.maximum(np.abs(forms).sum(axis=1), 1e-12)
        return [t for t, r in zip(members, np.abs(residual).sum(axis=1) / scale, strict=True) if r < 1e-7]

    def _implicit_equalities(
        self, a_eq: sparse.csr_array, b_eq: np.ndarray, a_le: sparse.csr_array, b_le: np.ndarray, lower: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Unknowns at their lower bound and at-most rows at equality on every feasible solution.

        Columns: x (n), slack s of the at-most rows (k), y for each of the n + k slacks, lambda.
        Rows: A x - lambda b = 0; C x + s - lambda d = 0; x - lambda lower - y_x >= 0; s - y_s >= 0.
        """
        n, k = a_eq.shape[1], a_le.shape[0]
        if n + k == 0:
            return np.zeros(0, dtype=int), np.zeros(0, dtype=bool)
        eye_n, eye_k = sparse.eye_array(n), sparse.eye_array(k)
        zeros = sparse.csr_array
        a_equal = sparse.vstack(
            [
                sparse.hstack([a_eq, zeros((a_eq.shape[0], k)), zeros((a_eq.shape[0], n + k)), -b_eq[:, None]]),
                sparse.hstack([a_le, eye_k, zeros((k, n + k)), -b_le[:, None]]),
            ]
        )
        a_upper = sparse.vstack(
            [
                sparse.hstack([-eye_n, zeros((n, k)), eye_n, zeros((n, k)), lower[:, None]]),
                sparse.hstack([zeros((k, n)), -eye_k, zeros((k, n)), eye_k, zeros((k, 1))]),
            ]
        )
        objective = np.concatenate([np.zeros(n + k), -np.ones(n + k), [0.0]])
        bounds = [(None, None)] * n + [(0, None)] * k + [(0, 1)] * (n + k) + [(1, None)]
        for presolve in (True, False):
            # Presolve reasons in exact arithmetic on the scaled system: if it calls a system infeasible that
            # the caller checked on the true values, solving without it (within tolerances) is the safety net.
            self.lps += 1
            result = linprog(
                objective,
                A_ub=a_upper,
                b_ub=np.zeros(n + k),
                A_eq=a_equal,
                b_eq=np.zeros(a_equal.shape[0]),
                bounds=bounds,
                method="highs",
                options={"presolve": presolve},
            )
            if result.status != 2:
                break
        if result.status != 0:
            raise ValueError(f"the published relations admit no solution ({result.message})")
        slack_room = np.asarray(result.x[n + k : 2 * (n + k)])
        return np.flatnonzero(slack_room[:n] < 0.5), slack_room[n:] < 0.5


def _row_space(matrix: np.ndarray) -> np.ndarray:
    """Orthonormal rows spanning the row space."""
    if matrix.size == 0:
        return np.zeros((0, matrix.shape[1]))
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    rank = int((singular > RANK_TOLERANCE * max(singular.max(initial=0.0), 1.0)).sum())
    return vt[:rank]


def _matrix(rows: list[tuple[Terms, float]], local: dict[int, int], width: int) -> tuple[sparse.csr_array, np.ndarray]:
    data, row_index, col_index = [], [], []
    for r, (terms, _) in enumerate(rows):
        for v, a in terms.items():
            data.append(a)
            row_index.append(r)
            col_index.append(local[v])
    matrix = sparse.csr_array((data, (row_index, col_index)), shape=(len(rows), width))
    return matrix, np.array([b for _, b in rows], dtype=float)


def components(
    system: LinearSystem, targets: Sequence[Terms]
) -> list[tuple[list[int], list[int], list[int], list[int]]]:
    """Split into independent parts: (unknowns, equal rows, at-most rows, targets) per part that has targets."""
    parent = list(range(len(system.lower)))

    def find(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    def join(terms: Terms) -> None:
        first, *rest = terms
        for v in rest:
            a, b = find(first), find(v)
            if a != b:
                parent[max(a, b)] = min(a, b)

    for terms, _ in (*system.equal, *system.at_most):
        join(terms)
    for target in targets:
        join(target)
    parts: dict[int, tuple[list[int], list[int], list[int], list[int]]] = {}
    for t, target in enumerate(targets):
        parts.setdefault(find(next(iter(target))), ([], [], [], []))[3].append(t)
    for v in range(len(system.lower)):
        if find(v) in parts:
            parts[find(v)][0].append(v)
    for which, rows in ((1, system.equal), (2, system.at_most)):
        for r, (terms, _) in enumerate(rows):
            if find(next(iter(terms))) in parts:
                parts[find(next(iter(terms)))][which].append(r)
    return [parts[root] for root in sorted(parts)]
