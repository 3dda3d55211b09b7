"""Secondary suppression: hide more cells until no hidden number can be worked out from the published ones.

The table is modelled as quantities (the numbers cells show, shared between cells; see `structure`) tied by
relations: sums (levels, additive dimensions), and bounds (non-negativity, teller <= noemer, the partial
levels and non-additive dimensions). A quantity is known when any published cell shows it; hiding one hides
every cell that shows it.

Two passes, both deterministic (cells are visited in the order of their key, ties broken the same way):
1. Local rule, per exact sum whose total is known: its hidden members must be two or more and must together
   be at least the protection margin (default 3; else non-negativity confines them: hidden siblings of a sum
   that the published ones already reach are all 0). A sum whose total is hidden needs one hidden member.
   When a sum breaks the rule, the cheapest published member is hidden: the one that hides the fewest
   published cells, then one large enough to close the shortfall, then the smallest.
2. Intervals (`intervals`): over all relations together (a bridge between two hidden groups, a chain of
   bounds), every hidden count's interval is at least the margin wide and contains 0 where it is small, and
   every hidden amount takes more than one value. One that misses it gets the nearest cheapest published
   quantity of its relations hidden as well, and the local rule runs again. Repeats until none is left.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from pipelines.lib.published_schema import CELL_KEY
from pipelines.protect import structure as st
from pipelines.protect.intervals import IntervalSolver, interval_solver
from pipelines.protect.linear_system import LinearSystem, Terms
from pipelines.protect.reader import HiddenCell, Quantities, Thresholds, existence_floors, guarantee, reader_system


@dataclass
class Quantity:
    value: float
    cost: bool
    cells: list[int] = field(default_factory=list)
    external_known: bool | None = None  # a total published outside the table: always known or never


@dataclass(frozen=True)
class Sum:
    """total == sum(members)."""

    total: int
    members: tuple[int, ...]
    where: str = ""  # the relation in words, for the error when it does not hold


@dataclass
class Model:
    quantities: list[Quantity]
    teller_of: list[int]
    noemer_of: list[int | None]
    sums: list[Sum]
    at_most: list[Terms]  # sum(a_q q) <= 0
    soort_of: list[str] = field(default_factory=list)
    min_teller: int = 10
    covers: list[Sum] = field(default_factory=list)  # total <= sum(members), each member <= total (A2 vorm)
    floors: dict[int, float] = field(default_factory=dict)  # what a row's existence tells (`reader`)

    def rows_of(self) -> list[list[int]]:
        """Per quantity: the relations it is in (sums first, then at-most rows numbered after them)."""
        rows: list[list[int]] = [[] for _ in self.quantities]
        for r, s in enumerate(self.sums):
            for q in (s.total, *s.members):
                rows[q].append(r)
        for r, terms in enumerate(self.at_most, start=len(self.sums)):
            for q in terms:
                rows[q].append(r)
        return rows

    def row_quantities(self, r: int) -> Iterable[int]:
        if r < len(self.sums):
            return (self.sums[r].total, *self.sums[r].members)
        return self.at_most[r - len(self.sums)].keys()


def build_model(frame: pl.DataFrame, min_teller: int) -> Model:
    """Quantities and relations of a table of true values, rows in the order given (sort it first)."""
    links = st.parent_links(frame).rows()
    return _Builder(frame.select(*CELL_KEY, "teller", "noemer", "soort").rows(), min_teller, links).model()


class _Builder:
    def __init__(self, rows: list[tuple[Any, ...]], min_teller: int, links: list[tuple[Any, ...]]) -> None:
        self.rows = rows
        self.links = links
        self.min_teller = min_teller
        self.index: dict[tuple[Any, ...], int] = {}
        self.quantities: list[Quantity] = []
        self.sums: list[Sum] = []
        self.at_most: list[Terms] = []
        self.at_most_where: list[str] = []
        self.covers: list[Sum] = []
        self.teller_of: list[int] = []
        self.noemer_of: list[int | None] = []

    def quantity(self, key: tuple[Any, ...], value: float, cost: bool, cell: int | None) -> int:
        value = st.in_units(value, cost)
        q = self.index.get(key)
        if q is None:
            q = self.index[key] = len(self.quantities)
            self.quantities.append(Quantity(value, cost))
        elif abs(self.quantities[q].value - value) > 1e-6 * max(1.0, abs(value)):
            raise ValueError(f"cells showing {key} disagree: {self.quantities[q].value} and {value}")
        if cell is not None:
            self.quantities[q].cells.append(cell)
        return q

    def model(self) -> Model:
        for c, (jaar, niveau, code, ind, dim, cat, teller, noemer, soort) in enumerate(self.rows):
            name = st.quantity_name(ind, dim, cat, st.TELLER)
            cost = st.is_cost(name, st.TELLER, soort)
            self.teller_of.append(self.quantity((jaar, niveau, code, name), teller or 0.0, cost, c))
            if noemer is None:
                self.noemer_of.append(None)
                continue
            name = st.quantity_name(ind, dim, cat, st.NOEMER)
            cost = st.is_cost(name, st.NOEMER, soort)
            self.noemer_of.append(self.quantity((jaar, niveau, code, name), noemer, cost, c))
        self.levels()
        self.dimensions()
        self.bounds()
        self.verify()
        soorts = [row[-1] for row in self.rows]
        return Model(
            self.quantities,
            self.teller_of,
            self.noemer_of,
            self.sums,
            self.at_most,
            soorts,
            self.min_teller,
            self.covers,
            existence_floors(
                (
                    (jaar, niveau, code, q, self.quantities[q].value)
                    for (jaar, niveau, code, name), q in self.index.items()
                    if name == st.PUPILS
                ),
                self.links,
            ),
        )

    def levels(self) -> None:
        """A unit's quantities against its parent's (`structure.parent_links`; F4 schools: `partial_relation`)."""
        parents: dict[tuple[Any, ...], list[tuple[str, str, str]]] = {}
        for jaar, niveau, code, parent_niveau, parent_code, relatie in self.links:
            parents.setdefault((jaar, niveau, code), []).append((parent_niveau, parent_code, relatie))
        children: dict[tuple[Any, ...], list[int]] = {}
        for (jaar, niveau, code, name), q in self.index.items():
            for parent_niveau, parent_code, relatie in parents.get((jaar, niveau, code), ()):
                if (jaar, parent_niveau, parent_code, name) in self.index:
                    children.setdefault((jaar, name, relatie, parent_niveau, parent_code), []).append(q)
        for (jaar, name, relatie, parent_niveau, parent_code), members in children.items():
            total = self.index[(jaar, parent_niveau, parent_code, name)]
            where = f"{name.split('|')[0]}, schooljaar {jaar}: the {relatie} rows of {name} add up to {parent_code}'s"
            kind = st.partial_relation(name.split("|")[0], relatie, parent_niveau)
            if kind == "at_most":
                self.at_most.append({**dict.fromkeys(members, 1.0), total: -1.0})
                self.at_most_where.append(where.replace("add up to", "add up to at most"))
            elif kind == "cover":
                self.at_most.extend({m: 1.0, total: -1.0} for m in members)
                self.at_most_where += [where.replace("add up to", "each at most")] * len(members)
                self.at_most.append({total: 1.0, **dict.fromkeys(members, -1.0)})
                self.at_most_where.append(where.replace("add up to", "together at least"))
                self.covers.append(Sum(total, tuple(members), where))
            else:
                self.sums.append(Sum(total, tuple(members), where))

    def dimensions(self) -> None:
        """Categories of one unit: a sum to their total, or bounds for a non-additive dimension."""
        groups: dict[tuple[Any, ...], list[int]] = {}
        for c, (jaar, niveau, code, ind, dim, *_) in enumerate(self.rows):
            if dim is not None:
                groups.setdefault((jaar, niveau, code, ind, dim), []).append(c)
        for (jaar, niveau, code, ind, dim), cells in groups.items():
            spec = st.dimension(dim)
            tellers = [self.teller_of[c] for c in cells]
            noemers = [self.noemer_of[c] for c in cells]
            if (split := st.SPLIT_OF.get(ind)) is not None:
                for field_name, members in ((st.TELLER, tellers), (st.NOEMER, noemers)):
                    key = (jaar, niveau, code, st.quantity_name(split, None, None, field_name))
                    qs = [q for q in members if q is not None]
                    if (total := self.index.get(key)) is not None:
                        where = f"{ind}, schooljaar {jaar}: the {dim} categories of {niveau} {code} add up to {split}"
                        self.sums.append(Sum(total, tuple(qs), where))
                    else:
                        self.external_total((jaar, niveau, code, ind, dim, field_name), qs)
            elif not spec.additive:
                if isinstance(spec.total, tuple):
                    key = (jaar, niveau, code, st.quantity_name(spec.total[0], None, None, spec.total[1]))
                    if (total := self.index.get(key)) is not None:
                        where = f"{ind}, schooljaar {jaar}: each {dim} of {niveau} {code} at most {spec.total[0]}"
                        self.at_most.extend({t: 1.0, total: -1.0} for t in tellers)
                        self.at_most_where += [where] * len(tellers)
                        self.at_most.append({total: 1.0, **dict.fromkeys(tellers, -1.0)})
                        self.covers.append(Sum(total, tuple(tellers), where))
                        self.at_most_where.append(
                            f"{ind}, schooljaar {jaar}: {niveau} {code} {spec.total[0]} at most its {dim} together"
                        )
            elif spec.total == st.NOEMER and len(set(noemers)) == 1 and noemers[0] is not None:
                where = f"{ind}, schooljaar {jaar}: the {dim} categories of {niveau} {code} add up to the noemer"
                self.sums.append(Sum(noemers[0], tuple(tellers), where))
            else:
                self.external_total((jaar, niveau, code, ind, dim, st.TELLER), tellers)
                if None not in noemers and len(set(noemers)) == len(noemers):
                    self.external_total(
                        (jaar, niveau, code, ind, dim, st.NOEMER), [q for q in noemers if q is not None]
                    )

    def external_total(self, key: tuple[Any, ...], members: list[int]) -> None:
        """A total published outside the table: known to the reader when it passes the count rule itself."""
        jaar, niveau, code, ind, dim, field_name = key
        value = sum(self.quantities[q].value for q in members)
        total = self.quantity((jaar, niveau, code, st.external_total_name(ind, dim, field_name)), value, False, None)
        self.quantities[total].external_known = value >= self.min_teller
        self.sums.append(Sum(total, tuple(members), f"{ind}, schooljaar {jaar}: the {dim} of {niveau} {code}"))

    def bounds(self) -> None:
        """A percentage's teller is at most its noemer."""
        pairs = {
            (self.teller_of[c], q)
            for c, row in enumerate(self.rows)
            if row[-1] in st.BOUNDED_BY_NOEMER and (q := self.noemer_of[c]) is not None and q != self.teller_of[c]
        }
        self.at_most += [{t: 1.0, n: -1.0} for t, n in sorted(pairs)]
        self.at_most_where += ["a percentage's teller at most its noemer"] * len(pairs)

    def verify(self) -> None:
        """Every relation holds on the true values (in exact units), else one sentence naming it.

        A table that breaks one is inconsistent: protecting it would rest on a model a reader's data does not
        obey, so the run stops here rather than in an LP that finds no solution."""
        value = [q.value for q in self.quantities]
        for s in self.sums:
            total, members = value[s.total], sum(value[m] for m in s.members)
            if abs(total - members) > 0.5:
                raise ValueError(
                    f"Inconsistent indicator table, {s.where}: {members:.0f} against {total:.0f} (amounts in cents)."
                )
        for terms, where in zip(self.at_most, self.at_most_where, strict=True):
            if sum(a * value[q] for q, a in terms.items()) > 0.5:
                raise ValueError(f"Inconsistent indicator table, {where}: the bound does not hold.")


@dataclass
class Suppressor:
    """Secondary suppression on a model, starting from the primary cells."""

    model: Model
    margin: float
    suppressed: list[bool]
    thresholds: Thresholds
    solver: IntervalSolver
    zero_for_small: bool = True
    stays_hidden: list[bool] = field(default_factory=list)  # per cell: hidden in the previous publication
    stays_shown: list[bool] = field(default_factory=list)  # per cell: shown then, numbers unchanged (`continuity`)
    shown: list[int] = field(init=False)  # per quantity: published cells showing it
    rows_of: list[list[int]] = field(init=False)
    primary: list[bool] = field(init=False)
    caps: list[list[int]] = field(init=False)  # per quantity: quantities it is at most
    pinned: list[bool] = field(init=False)  # per quantity: shown by a cell that stays shown
    queue: deque[int] = field(default_factory=deque)  # sums to look at again, each at most once in it
    pending: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.rows_of = self.model.rows_of()
        self.shown = [len(q.cells) for q in self.model.quantities]
        primary, self.suppressed = self.suppressed, [False] * len(self.suppressed)
        self.primary = primary
        self.caps = [[] for _ in self.model.quantities]
        for terms in self.model.at_most:  # q <= p: teller <= noemer, a vorm <= A1
            if len(terms) == 2:
                (a, ca), (b, cb) = terms.items()
                if ca == 1.0 and cb == -1.0:
                    self.caps[a].append(b)
                elif cb == 1.0 and ca == -1.0:
                    self.caps[b].append(a)
        for c, hidden in enumerate(primary):
            if hidden:
                self.hide_cell(c)
        for c, hidden in enumerate(self.stays_hidden):
            if hidden:
                self.hide_cell(c)
        self.pinned = (
            [any(self.stays_shown[c] for c in q.cells) for q in self.model.quantities]
            if any(self.stays_shown)
            else [False] * len(self.model.quantities)
        )

    def known(self, q: int) -> bool:
        external = self.model.quantities[q].external_known
        return external if external is not None else self.shown[q] > 0

    def hide_cell(self, c: int) -> None:
        if self.suppressed[c]:
            return
        self.suppressed[c] = True
        for q in (self.model.teller_of[c], self.model.noemer_of[c]):
            if q is None:
                continue
            self.shown[q] -= 1
            if self.shown[q] == 0:
                self.enqueue(r for r in self.rows_of[q] if r < len(self.model.sums))
        # A hidden cell's teller is hidden wherever else it is shown (A6's is B2's and B1's noemer, C1's is C5's
        # noemer): whichever rule hid the cell, primary or secondary through its noemer.
        teller = self.model.teller_of[c]
        if self.shown[teller] > 0:
            self.hide(teller)

    def enqueue(self, sums: Iterable[int]) -> None:
        for r in sums:
            if r not in self.pending:
                self.pending.add(r)
                self.queue.append(r)

    def hide(self, q: int) -> None:
        """Hide a quantity: every cell that shows it."""
        for c in self.model.quantities[q].cells:
            self.hide_cell(c)

    def floor(self, q: int) -> float:
        """The least a sum's hidden members must add up to: the margin for counts, 1 euro for amounts."""
        return float(st.CENTS) if self.model.quantities[q].cost else self.margin

    def cheapest(self, candidates: Iterable[int], shortfall: float) -> int | None:
        """Fewest published cells hidden, then large enough to close the shortfall, then smallest."""
        quantities = self.model.quantities
        hideable = [
            q for q in candidates if self.known(q) and quantities[q].external_known is None and not self.pinned[q]
        ]
        if not hideable:
            return None
        return min(
            hideable, key=lambda q: (self.shown[q], abs(quantities[q].value) < shortfall, abs(quantities[q].value), q)
        )

    def local_pass(self) -> None:
        quantities = self.model.quantities
        self.enqueue(range(len(self.model.sums)))
        while self.queue:
            r = self.queue.popleft()
            self.pending.discard(r)
            s = self.model.sums[r]
            hidden = [q for q in s.members if not self.known(q)]
            if not hidden and self.known(s.total):
                continue
            if not self.known(s.total):
                if not hidden:
                    pick = self.cheapest(s.members, 0.0)
                    if pick is not None:
                        self.hide(pick)
                continue
            residual = sum(quantities[q].value for q in hidden)
            floor = self.floor(hidden[0])
            if len(hidden) >= 2 and residual >= floor and self.members_protected(hidden, residual):
                continue
            shortfall = max(0.0, floor - residual)
            pick = self.cheapest(s.members, shortfall)
            if pick is None:
                pick = self.cheapest([s.total], 0.0)
            if pick is not None:
                self.hide(pick)
                self.enqueue([r])

    def reason_bounds(self, q: int) -> tuple[float, float]:
        """What the published reasons of the hidden cells whose teller is q tell a reader (`structure`), and
        the published number it is at most (its noemer, A1 for a vorm)."""
        quantity, model = self.model.quantities[q], self.model
        lower = 0.0
        upper = min((model.quantities[p].value for p in self.caps[q] if self.known(p)), default=st.INF)
        for c in quantity.cells:
            if model.teller_of[c] == q and self.suppressed[c]:
                lo, hi = st.reason_bounds(model.soort_of[c], self.primary[c], quantity.value, model.min_teller)
                lower, upper = max(lower, lo), min(upper, hi)
        return lower, upper

    def members_protected(self, hidden: list[int], residual: float) -> bool:
        """The per-member guarantee on one sum: each hidden count's interval at least the margin wide, and
        containing 0 where its true value is below min_teller. Amounts: the sum's floor alone."""
        quantities = self.model.quantities
        if quantities[hidden[0]].cost:
            return True
        intervals = st.member_intervals(residual, [self.reason_bounds(q) for q in hidden])
        return all(
            high - low >= self.margin and (low <= 0 or quantities[q].value >= self.model.min_teller)
            for q, (low, high) in zip(hidden, intervals, strict=True)
        )

    def system(self) -> tuple[LinearSystem, dict[int, int], Quantities]:
        """The reader's relations over hidden quantities (`reader`); quantity → unknown; the quantities."""
        model, quantities = self.model, self.model.quantities
        values = [q.value for q in quantities]
        known = [self.known(q) for q in range(len(quantities))]
        hidden = [
            HiddenCell(model.teller_of[c], model.noemer_of[c], model.soort_of[c], self.primary[c], values[t])
            for c, t in enumerate(model.teller_of)
            if self.suppressed[c]
        ]
        table = Quantities(known, values, values, [q.cost for q in quantities], model.floors)
        system, unknown = reader_system(
            table,
            [{s.total: 1.0, **{m: -1.0 for m in s.members}} for s in model.sums],
            model.at_most,
            hidden,
            self.thresholds,
        )
        return system, unknown, table

    def nearest_cheapest(self, q: int) -> int | None:
        """The cheapest published quantity in q's relations; when all of those are hidden, in the relations
        one step further out, and so on (a quantity pinned by hidden neighbours needs a partner beyond them)."""
        seen, layer = {q}, [q]
        while layer:
            rows = {r for p in layer for r in self.rows_of[p]}
            candidates = sorted({p for r in rows for p in self.model.row_quantities(r)} - seen)
            pick = self.cheapest(candidates, self.floor(q))
            if pick is not None:
                return pick
            seen.update(candidates)
            layer = candidates
        return None

    def cover_pass(self) -> bool:
        """The per-member guarantee on each non-additive dimension (`structure.cover_intervals`): hides the
        cheapest published category (else the total) where a hidden one is confined; True when it hid one."""
        quantities, changed = self.model.quantities, False
        for s in self.model.covers:
            hidden = [q for q in s.members if not self.known(q)]
            if not hidden or not self.known(s.total):
                continue
            total = quantities[s.total].value
            need = total - sum(quantities[q].value for q in s.members if self.known(q))
            intervals = st.cover_intervals(need, total, [self.reason_bounds(q) for q in hidden])
            if all(
                high - low >= self.margin and (low <= 0 or quantities[q].value >= self.model.min_teller)
                for q, (low, high) in zip(hidden, intervals, strict=True)
            ):
                continue
            pick = self.cheapest(s.members, 0.0)
            if pick is None:
                pick = self.cheapest([s.total], 0.0)
            if pick is not None:
                self.hide(pick)
                changed = True
        return changed

    def interval_pass(self) -> bool:
        """The per-cell guarantee (`intervals`): every hidden count's interval over all the reader's relations
        at least the margin wide, and containing 0 where its true value is below min_teller. A count that
        misses it gets its nearest cheapest published quantity hidden; True when something was hidden."""
        system, unknown, table = self.system()
        quantities = self.model.quantities
        hidden = [q for q in sorted(unknown) if quantities[q].cells]
        value = [q.value for q in quantities]
        targets = [guarantee(q, unknown, table, self.thresholds.min_teller, self.zero_for_small) for q in hidden]
        labels, truth = [0] * len(unknown), [0.0] * len(unknown)
        for q, v in unknown.items():
            labels[v], truth[v] = q, value[q]
        touched: set[int] = set()  # relations of the quantities hidden here: judged again next round
        changed = False
        for narrowed in self.solver.narrowed(system, targets, labels, truth):
            q = hidden[narrowed.target]
            if touched & set(self.rows_of[q]):
                continue
            pick = self.nearest_cheapest(q)
            if pick is not None:
                self.hide(pick)
                touched |= set(self.rows_of[pick])
                changed = True
        return changed

    def run(self) -> list[bool]:
        self.local_pass()
        while self.cover_pass() or self.interval_pass():
            self.local_pass()
        return self.suppressed


def secondary_mask(
    model: Model,
    primary: list[bool],
    margin: float,
    thresholds: Thresholds,
    zero_for_small: bool = True,
    carried: tuple[list[bool], list[bool]] | None = None,
    solver: IntervalSolver | None = None,
) -> list[bool]:
    """Primary plus secondary suppression, per cell of the model. `carried`: per cell, (stays hidden, stays
    shown) from the previous publication (`continuity.carried_over`). `solver`: the interval test, to read its
    LP count afterwards (default: a new one for `margin`)."""
    stays_hidden, stays_shown = carried or ([], [])
    return Suppressor(
        model,
        margin,
        list(primary),
        thresholds,
        solver or interval_solver(margin),
        zero_for_small,
        stays_hidden,
        stays_shown,
    ).run()
