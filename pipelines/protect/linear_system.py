"""The reader's relations as a linear system, and its independent parts.

The reader knows the published numbers and linear relations (sums, and bounds such as "a count is never
negative"). The hidden numbers then lie in a polytope P = {x : lower <= x <= upper, A x = b, C x <= d}; how
far each hidden number can move inside it is what `intervals` measures. Unknowns that share no relation are
solved apart (`components`): a municipality's table falls apart into many small parts and a few large ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

Terms = dict[int, float]
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
