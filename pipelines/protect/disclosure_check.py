"""An independent check of a published indicator table: does any cell point at a child?

Written separately from the suppression (polars group-bys here, a work-list there) so that a bug in one is
caught by the other; they share only the facts of `structure`, the reader's system of `reader` and the LPs
of `intervals`. It re-reads what
is about to be published, next to the true values of the warehouse, and reports every violation:
- a suppressed cell that still shows a number, a published cell that breaks a primary rule (true values),
  a published number that is not the warehouse's (or, with rounding, not its rounded value), a value
  that does not follow from the published teller and noemer, a gemeente value shown for a suppressed gemeente;
- a hidden number that can be recovered: shown by another published cell (shared numbers), constant on
  every solution of the published relations (sums over schools, wijken and categories, non-negativity,
  teller <= noemer), or confined by one published sum to less than the protection margin;
- a change across years shown next to a suppressed cell (trends): it would give the suppressed value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import polars as pl

from pipelines.lib.published_schema import CELL_KEY, UNIT_KEY
from pipelines.lib.settings import DisclosureRules
from pipelines.protect import structure as st
from pipelines.protect.intervals import interval_solver
from pipelines.protect.linear_system import LinearSystem, Terms
from pipelines.protect.reader import HiddenCell, Quantities, Thresholds, existence_floors, guarantee, reader_system
from pipelines.protect.suppression import RATE_KINDS

KEY = list(CELL_KEY)
UNIT = list(UNIT_KEY)
BASIS_COLUMNS = [*KEY, "soort", "factor", "basis_personen", "max_persoon_kosten", "teller", "noemer"]
SHOWN = 20  # violations listed per kind


@dataclass
class CheckReport:
    tried: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.violations

    def add(self, kind: str, rows: list[Any]) -> None:
        self.violations += [f"{kind}: {r}" for r in rows[:SHOWN]]
        if len(rows) > SHOWN:
            self.violations.append(f"{kind}: {len(rows) - SHOWN} more")


def check_publication(
    published: pl.DataFrame,
    basis: pl.DataFrame,
    rules: DisclosureRules,
    changes: pl.DataFrame | None = None,
) -> CheckReport:
    """`published`: the spec §4 table; `basis`: the same cells' true values (`BASIS_COLUMNS`, warehouse);
    `changes`: year-over-year figures published next to it (KEY + vorige_waarde, verandering), if any."""
    report = CheckReport()
    true = basis.select(
        *KEY,
        "soort",
        "factor",
        "basis_personen",
        (pl.col("max_persoon_kosten") if "max_persoon_kosten" in basis.columns else pl.lit(None, pl.Float64)).alias(
            "max_persoon_kosten"
        ),
        pl.col("teller").alias("w_teller"),
        pl.col("noemer").alias("w_noemer"),
        *(["ouders"] if "ouders" in basis.columns else []),  # the units' parents (`structure.parent_links`)
    )
    shown = [
        c
        for c in ("teller", "noemer", "waarde", "onderdrukt", "reden", "gemeente_waarde", "gemeente_code")
        if c in published.columns
    ]
    cells = published.select(*KEY, *shown).join(true, on=KEY, how="full", nulls_equal=True, coalesce=True)
    unmatched = _check_cells(cells, rules, report)
    if unmatched:
        report.tried.append("relations: not tried, the table does not match the warehouse cell for cell")
    else:
        _check_relations(cells, rules, report)
    if changes is not None:
        _check_changes(published, changes, report)
    return report


def _check_cells(cells: pl.DataFrame, rules: DisclosureRules, report: CheckReport) -> bool:
    """The per-cell rules; True when some cell has no counterpart (then the relations cannot be set up)."""
    report.tried.append("every published cell is a warehouse cell and the other way round")
    unmatched = cells.filter(pl.col("onderdrukt").is_null() | pl.col("soort").is_null()).select(KEY).rows()
    report.add("cell without a match", unmatched)

    report.tried.append("suppressed cells show no teller, noemer or waarde; published cells show them")
    hidden, shown = pl.col("onderdrukt"), ~pl.col("onderdrukt")
    any_number = pl.any_horizontal(pl.col("teller", "noemer", "waarde").is_not_null())
    incomplete = pl.col("teller").is_null() | (pl.col("w_noemer").is_not_null() & pl.col("noemer").is_null())
    report.add("suppressed cell shows a number", cells.filter(hidden & any_number).select(KEY).rows())
    report.add("published cell without its numbers", cells.filter(shown & incomplete).select(KEY).rows())

    report.tried.append(
        f"published cells pass the primary rules on the true values: counts >= {rules.min_teller} and on >= "
        f"{rules.min_teller} persons (basis_personen), rate noemer >= "
        f"{rules.min_noemer}, percentage complement >= {rules.min_teller}, costs on >= {rules.min_cost_persons} "
        f"persons with no person above {rules.max_dominance_share:.0%} of the amount"
    )
    teller, noemer, soort = pl.col("w_teller"), pl.col("w_noemer"), pl.col("soort")
    few = (teller < rules.min_teller) | (pl.col("basis_personen").fill_null(rules.min_teller) < rules.min_teller)
    breaks = (
        ((soort == "aantal") & few)
        | (soort.is_in(RATE_KINDS) & (few | (noemer < rules.min_noemer) | noemer.is_null()))
        | ((soort == "percentage") & (noemer - teller < rules.min_teller))
        | ((soort == "bedrag") & (pl.col("basis_personen") < rules.min_cost_persons))
        | ((soort == "bedrag") & (pl.col("max_persoon_kosten").fill_null(0) > rules.max_dominance_share * teller))
        | ((soort == "bedrag") & (teller <= 0))
        | ~soort.is_in(["aantal", "bedrag", *RATE_KINDS])
    )
    report.add("published cell breaks a primary rule", cells.filter(shown & breaks.fill_null(True)).select(KEY).rows())

    step = rules.round_to
    report.tried.append(
        "published numbers are the warehouse's" + (f" (counts rounded to a multiple of {step})" if step else "")
    )
    wrong = pl.lit(False)
    for column in ("teller", "noemer"):
        cost = (soort == "bedrag") & ((column == "teller") | pl.col("indicator").is_in(sorted(st.COST_NOEMERS)))
        gap = (pl.col(column) - pl.col(f"w_{column}")).abs()
        allowed = pl.when(cost | (step == 0)).then(1e-6 * pl.col(f"w_{column}").abs().clip(1, None)).otherwise(step / 2)
        off_grid = ~cost & (step > 0) & ((pl.col(column) % max(step, 1)) != 0)
        wrong = wrong | (gap > allowed) | off_grid
    report.add(
        "published number differs from the warehouse", cells.filter(shown & wrong.fill_null(False)).select(KEY).rows()
    )

    report.tried.append(
        "published waarde = teller (no noemer) or teller / noemer x factor; gemeente_waarde = the "
        "published gemeente value"
    )
    expected = (
        pl.when(pl.col("noemer").is_null())
        .then(pl.col("teller"))
        .otherwise(pl.col("teller") / pl.col("noemer") * pl.col("factor"))
    )
    inconsistent = (pl.col("waarde") - expected).abs() > 1e-9 * expected.abs().clip(1, None)
    report.add(
        "waarde does not follow from teller and noemer",
        cells.filter(shown & inconsistent.fill_null(True)).select(KEY).rows(),
    )
    if "gemeente_waarde" in cells.columns:
        report.add("gemeente_waarde is not the published gemeente value", gemeente_value_violations(cells))
    return bool(unmatched)


def gemeente_value_violations(cells: pl.DataFrame) -> list[tuple[Any, ...]]:
    """School and wijk rows whose gemeente_waarde is not their gemeente's published waarde (`gemeente_code`; a
    table without it is one gemeente)."""
    cell = ["schooljaar", "indicator", "dimensie", "categorie"]
    gemeenten = cells.filter(pl.col("niveau") == st.GEMEENTE)
    gemeente = gemeenten.select(*cell, pl.col("waarde").alias("g_waarde"))
    if "gemeente_code" in cells.columns:  # a school's or wijk's own gemeente
        gemeente = gemeente.with_columns(gemeente_code=gemeenten.get_column("eenheid_code"))
        cell.append("gemeente_code")
    units = cells.filter(pl.col("niveau").is_in(st.UNIT_LEVELS))
    rows = units.join(gemeente, on=cell, how="left", nulls_equal=True)
    return rows.filter(pl.col("gemeente_waarde").ne_missing(pl.col("g_waarde"))).select(KEY).rows()


def _quantities(cells: pl.DataFrame) -> pl.DataFrame:
    """One row per (cell, field): the quantity it shows, its published and true value, and whether it is shown."""
    shared = pl.DataFrame(
        [(ind, f, name) for (ind, f), name in st.SHARED_QUANTITIES.items()],
        schema=["indicator", "veld", "naam"],
        orient="row",
    )
    parts = []
    for f in (st.TELLER, st.NOEMER):
        parts.append(
            cells.filter(pl.col(f"w_{f}").is_not_null()).select(
                *KEY,
                "soort",
                pl.lit(f).alias("veld"),
                pl.col(f).alias("gepubliceerd"),
                pl.col(f"w_{f}").alias("waar"),
                (~pl.col("onderdrukt") & pl.col(f).is_not_null()).alias("getoond"),
                (pl.col("reden") if "reden" in cells.columns else pl.lit(None, pl.String)).alias("reden"),
            )
        )
    fields = pl.concat(parts).join(shared, on=["indicator", "veld"], how="left")
    own = (
        pl.when(pl.col("dimensie").is_null())
        .then(pl.concat_str("indicator", "veld", separator="|"))
        .otherwise(pl.concat_str("indicator", "dimensie", "categorie", "veld", separator="|"))
    )
    cost = (pl.col("soort") == "bedrag") & ((pl.col("veld") == st.TELLER) | (pl.col("naam") == st.COSTS))
    fields = fields.with_columns(naam=pl.coalesce("naam", own), kosten=cost)
    # Exact arithmetic (see `structure.in_units`): amounts in whole cents, counts as they are.
    in_units = {
        c: pl.when("kosten").then((pl.col(c) * st.CENTS).round()).otherwise(pl.col(c)) for c in ("gepubliceerd", "waar")
    }
    return fields.with_columns(**in_units)


def _check_relations(cells: pl.DataFrame, rules: DisclosureRules, report: CheckReport) -> None:
    fields = _quantities(cells)
    qkey = [*UNIT, "naam"]
    quantities = (
        fields.group_by(qkey, maintain_order=True)
        .agg(
            pl.col("getoond").any().alias("bekend"),
            pl.col("gepubliceerd").filter(pl.col("getoond")).n_unique().alias("waarden"),
            pl.col("gepubliceerd").filter(pl.col("getoond")).first().alias("gepubliceerd"),
            pl.col("waar").first(),
            pl.col("kosten").any(),
            pl.struct("soort", "reden").filter(pl.col("veld") == st.TELLER, ~pl.col("getoond")).alias("redenen"),
        )
        .with_row_index("q")
    )
    report.tried.append("cells showing the same number (G1 and the rates' noemer, A6/B2, C1-C5) show it alike")
    report.add("one number shown with different values", quantities.filter(pl.col("waarden") > 1).select(qkey).rows())

    hidden_tellers = fields.filter(~pl.col("getoond"), pl.col("veld") == st.TELLER).join(quantities, on=qkey)
    report.tried.append("a suppressed cell's teller is shown by no published cell")
    report.add("suppressed teller shown elsewhere", hidden_tellers.filter(pl.col("bekend")).select(KEY).rows())

    relations = _relations(cells, fields, quantities, rules)
    report.tried.append(
        f"relations: {len(relations.equal)} sums (schools and wijken within the gemeente, categories within their "
        f"total; F4 schools and A2 vorm as bounds, not sums), {len(relations.at_most)} bounds (teller <= noemer, "
        "non-additive parts), every count and amount >= 0"
        + (f", rounded counts within {rules.round_to / 2:g} of the truth" if rules.round_to else "")
    )
    report.add("a relation does not hold on the true values", relations.broken)
    report.tried.append(
        f"every published sum leaves its hidden members together >= {rules.protection_margin:g} (counts) or 1 euro, "
        f"and each hidden count an interval >= {rules.protection_margin:g} wide that contains 0 when its true value "
        f"is below {rules.min_teller} (with the bounds a cell's published reason tells)"
    )
    report.add("hidden members of a sum confined below the margin", relations.narrow)

    targets = sorted(set(hidden_tellers.get_column("q").to_list()) | relations.hidden_noemers)
    system, unknown, table = relations.system(quantities, rules, _hidden_cells(fields, quantities))
    in_system = [q for q in targets if q in unknown]
    counts = [q for q in in_system if not table.cost[q]]
    amounts = [q for q in in_system if table.cost[q]]
    small, zero = rules.min_teller, rules.zero_for_small
    solver = interval_solver(rules.protection_margin)
    try:
        witness = [0.0] * len(system.lower)  # the true values: a solution the check knows
        for q, v in unknown.items():
            witness[v] = table.truth[q]
        wanted = [guarantee(q, unknown, table, small, zero) for q in (*counts, *amounts)]
        found = solver.narrowed(system, wanted, witness=witness)
    except ValueError as error:
        report.add("the published numbers contradict the relations", [str(error)])
        return
    narrowed = [n for n in found if n.target < len(counts)]
    names = quantities.select(qkey).rows()
    report.tried.append(
        f"{len(amounts)} hidden amounts: each takes more than one value (in whole cents) on the solutions of the "
        "relations"
    )
    report.add(
        "hidden number recoverable from the published ones",
        [names[amounts[n.target - len(counts)]] for n in found if n.target >= len(counts)],
    )
    report.tried.append(
        f"{len(counts)} hidden counts: min and max over every solution of the reader's relations (bounds the "
        f"labels tell, complements, a row's existence; ends rounded to whole numbers; {solver.lps} LPs) leave "
        f"each an interval >= {rules.protection_margin:g} wide"
        + (
            f" that contains 0 (pupils: the least the rows alone tell) where its true value is below {small}"
            if zero
            else ""
        )
    )
    report.add(
        "hidden count narrowed by the published relations",
        [(*names[counts[n.target]], f"[{n.low:g}, {n.high:g}]") for n in narrowed],
    )


@dataclass
class _Relations:
    equal: list[Terms] = field(default_factory=list)  # sum(a_q q) == 0 over quantities
    at_most: list[Terms] = field(default_factory=list)  # sum(a_q q) <= 0
    broken: list[Any] = field(default_factory=list)
    narrow: list[Any] = field(default_factory=list)
    hidden_noemers: set[int] = field(default_factory=set)
    external: dict[int, tuple[float, bool]] = field(default_factory=dict)  # quantity → (true value, known)
    parents: pl.DataFrame = field(default_factory=pl.DataFrame)  # the units' parents (`structure.parent_links`)

    def system(
        self, quantities: pl.DataFrame, rules: DisclosureRules, hidden: list[HiddenCell]
    ) -> tuple[LinearSystem, dict[int, int], Quantities]:
        """The reader's system (`reader`): unknowns are hidden quantities (and, with rounding, published counts
        within half a step)."""
        known = quantities.get_column("bekend").to_list()
        value = quantities.get_column("gepubliceerd").to_list()
        truth = quantities.get_column("waar").to_list()
        cost = quantities.get_column("kosten").to_list()
        for _, (v, is_known) in sorted(self.external.items()):  # numbered after the table's quantities
            known.append(is_known)
            value.append(v)
            truth.append(v)
            cost.append(False)
        pupils = quantities.filter(pl.col("naam") == st.PUPILS).select(*UNIT, "q", "waar")
        table = Quantities(known, value, truth, cost, existence_floors(pupils.rows(), self.parents.rows()))
        half = rules.round_to / 2
        free = [
            (q, max(0.0, value[q] - half), value[q] + half)
            for q in range(quantities.height)
            if rules.round_to and known[q] and not cost[q]
        ]
        system, unknown = reader_system(
            table, self.equal, self.at_most, hidden, Thresholds(rules.min_teller, rules.min_noemer), free
        )
        return system, unknown, table


def _relations(
    cells: pl.DataFrame, fields: pl.DataFrame, quantities: pl.DataFrame, rules: DisclosureRules
) -> _Relations:
    """The published relations between quantities, from group-bys over the table."""
    relations = _Relations()
    parents = relations.parents = st.parent_links(cells)
    q_of = {row[:-1]: row[-1] for row in quantities.select(*UNIT, "naam", "q").rows()}
    known = quantities.get_column("bekend").to_list()
    truth = quantities.get_column("waar").to_list()
    cost = quantities.get_column("kosten").to_list()
    next_q = quantities.height

    reasons = quantities.get_column("redenen").to_list()

    caps: dict[int, float] = {}  # hidden teller → a published number it is at most (its noemer, A1 for a vorm)
    pending: list[tuple[int, list[int], Any]] = []  # sums, judged once every bound is known

    def bounds(m: int) -> tuple[float, float]:
        """What the published reasons of the hidden cells showing m as their teller tell (`structure`), and
        the published number it is at most."""
        lower, upper = 0.0, caps.get(m, st.INF)
        for r in reasons[m] if m < len(reasons) else []:
            lo, hi = st.reason_bounds(r["soort"], r["reden"] == "primair", truth[m], rules.min_teller)
            lower, upper = max(lower, lo), min(upper, hi)
        return lower, upper

    def add_sum(total: int, members: list[int], where: Any) -> None:
        if abs(truth[total] - sum(truth[m] for m in members)) > 1e-6 * max(1.0, abs(truth[total])):
            relations.broken.append(where)
        relations.equal.append({total: 1.0, **{m: -1.0 for m in members}})
        pending.append((total, members, where))

    def judge_sum(total: int, members: list[int], where: Any) -> None:
        hidden = [m for m in members if not known[m]]
        if not known[total] or not hidden:
            return
        residual = sum(truth[m] for m in hidden)
        if residual < (st.CENTS if cost[hidden[0]] else rules.protection_margin):
            relations.narrow.append(where)
        elif not cost[hidden[0]]:
            intervals = st.member_intervals(residual, [bounds(m) for m in hidden])
            for m, (low, high) in zip(hidden, intervals, strict=True):
                if high - low < rules.protection_margin or (low > 0 and truth[m] < rules.min_teller):
                    relations.narrow.append((*where, f"member {m}: [{low:g}, {high:g}]"))

    deferred: list[Callable[[], None]] = []

    def judge_cover(total: int, tellers: list[int], where: Any) -> None:
        hidden = [t for t in tellers if not known[t]]
        if known[total] and hidden:
            need = truth[total] - sum(truth[t] for t in tellers if known[t])
            intervals = st.cover_intervals(need, truth[total], [bounds(t) for t in hidden])
            for t, (low, high) in zip(hidden, intervals, strict=True):
                if high - low < rules.protection_margin or (low > 0 and truth[t] < rules.min_teller):
                    relations.narrow.append((*where, f"member {t}: [{low:g}, {high:g}]"))

    # Levels: unit quantities against their parent's (`structure.parent_links`).
    parent_quantities = quantities.select(
        "schooljaar",
        pl.col("niveau").alias("ouder_niveau"),
        pl.col("eenheid_code").alias("ouder_code"),
        "naam",
        pl.col("q").alias("totaal"),
    )
    levels = (
        quantities.join(parents, on=list(UNIT))
        .group_by("schooljaar", "naam", "relatie", "ouder_niveau", "ouder_code", maintain_order=True)
        .agg(pl.col("q"))
        .join(parent_quantities, on=["schooljaar", "ouder_niveau", "ouder_code", "naam"])
    )
    for jaar, naam, relatie, ouder_niveau, _, members, total in levels.rows():
        kind = st.partial_relation(naam.split("|")[0], relatie, ouder_niveau)
        if kind == "at_most":
            relations.at_most.append({**dict.fromkeys(members, 1.0), total: -1.0})
        elif kind == "cover":
            relations.at_most += [{m: 1.0, total: -1.0} for m in members]
            relations.at_most.append({total: 1.0, **dict.fromkeys(members, -1.0)})
            deferred.append(partial(judge_cover, total, members, (jaar, relatie, naam)))
        else:
            add_sum(total, members, (jaar, relatie, naam))

    # Dimensions: categories of one unit.
    groups = (
        fields.filter(pl.col("dimensie").is_not_null())
        .join(quantities.select(*UNIT, "naam", "q"), on=[*UNIT, "naam"])
        .group_by(*UNIT, "indicator", "dimensie", "veld", maintain_order=True)
        .agg(pl.col("q"))
    )
    by_group: dict[tuple[Any, ...], dict[str, list[int]]] = {}
    for jaar, niveau, code, ind, dim, veld, qs in groups.rows():
        by_group.setdefault((jaar, niveau, code, ind, dim), {})[veld] = qs
    for (jaar, niveau, code, ind, dim), parts in by_group.items():
        spec = st.dimension(dim)
        tellers, noemers = parts.get(st.TELLER, []), parts.get(st.NOEMER, [])
        where = (jaar, niveau, code, ind, dim)
        split = st.SPLIT_OF.get(ind)
        if not spec.additive and split is None:
            if isinstance(spec.total, tuple):
                name = st.quantity_name(spec.total[0], None, None, spec.total[1])
                if (total := q_of.get((jaar, niveau, code, name))) is not None:
                    relations.at_most += [{t: 1.0, total: -1.0} for t in tellers]
                    relations.at_most.append({total: 1.0, **dict.fromkeys(tellers, -1.0)})
                    deferred.append(partial(judge_cover, total, tellers, where))
        elif spec.total == st.NOEMER and len(set(noemers)) == 1 and split is None:
            add_sum(noemers[0], tellers, where)
        else:
            for veld, members in ((st.TELLER, tellers), (st.NOEMER, noemers)):
                if not members or len(set(members)) < len(members):
                    continue
                total = q_of.get((jaar, niveau, code, st.quantity_name(split, None, None, veld))) if split else None
                if total is not None:
                    add_sum(total, members, (*where, veld))
                    continue
                value = sum(truth[m] for m in members)
                known.append(value >= rules.min_teller)
                truth.append(value)
                cost.append(False)
                relations.external[next_q] = (value, value >= rules.min_teller)
                add_sum(next_q, members, (*where, veld))
                next_q += 1

    # Bounds: a percentage's teller is at most its noemer.
    pairs = (
        fields.filter(pl.col("soort").is_in(list(st.BOUNDED_BY_NOEMER)))
        .join(quantities.select(*UNIT, "naam", "q"), on=[*UNIT, "naam"])
        .group_by(*KEY)
        .agg(
            pl.col("q").filter(pl.col("veld") == st.TELLER).first().alias("t"),
            pl.col("q").filter(pl.col("veld") == st.NOEMER).first().alias("n"),
        )
        .filter(pl.col("t") != pl.col("n"))
        .select("t", "n")
        .unique()
        .sort("t", "n")
    )
    relations.at_most += [{t: 1.0, n: -1.0} for t, n in pairs.rows()]

    hidden_noemers = fields.filter(~pl.col("getoond"), pl.col("veld") == st.NOEMER).join(
        quantities.filter(~pl.col("bekend")), on=[*UNIT, "naam"]
    )
    relations.hidden_noemers = set(hidden_noemers.get_column("q").to_list())
    for terms in relations.at_most:
        if len(terms) == 2:
            (a, ca), (b, cb) = terms.items()
            for m, cap, sign in ((a, b, ca), (b, a, cb)):
                if sign == 1.0 and terms[cap] == -1.0 and known[cap] and not known[m]:
                    caps[m] = min(caps.get(m, st.INF), truth[cap])
    for total, members, where in pending:
        judge_sum(total, members, where)
    for judge in deferred:
        judge()
    return relations


def _hidden_cells(fields: pl.DataFrame, quantities: pl.DataFrame) -> list[HiddenCell]:
    """Every suppressed cell: the quantities it shows and what its label says."""
    teller, noemer = pl.col("veld") == st.TELLER, pl.col("veld") == st.NOEMER
    per_cell = (
        fields.join(quantities.select(*UNIT, "naam", "q"), on=[*UNIT, "naam"])
        .group_by(KEY, maintain_order=True)
        .agg(
            pl.col("q").filter(teller).first().alias("t"),
            pl.col("q").filter(noemer).first().alias("n"),
            pl.col("soort").first(),
            pl.col("reden").first(),
            pl.col("waar").filter(teller).first().alias("w"),
            pl.col("getoond").filter(teller).first().alias("shown"),
        )
        .filter(~pl.col("shown"), pl.col("t").is_not_null())
    )
    return [
        HiddenCell(t, n, soort, reden == "primair", w)
        for t, n, soort, reden, w in per_cell.select("t", "n", "soort", "reden", "w").rows()
    ]


def _check_changes(published: pl.DataFrame, changes: pl.DataFrame, report: CheckReport) -> None:
    """A change next to a suppressed cell gives it: waarde(y) = waarde(y-1) + change (and the other way round)."""
    report.tried.append(
        "across years: a previous value is shown only where that year is published, a change only where both are"
    )
    cell = ["niveau", "eenheid_code", "indicator", "dimensie", "categorie"]
    start = pl.col("schooljaar").str.slice(0, 4).cast(pl.Int32)
    previous = published.select(
        *cell,
        pl.format("{}/{}", start + 1, start + 2).alias("schooljaar"),
        pl.col("onderdrukt").alias("vorig_onderdrukt"),
    )
    rows = changes.join(published.select(*KEY, "onderdrukt"), on=KEY, how="left", nulls_equal=True).join(
        previous, on=[*cell, "schooljaar"], how="left", nulls_equal=True
    )
    previous_hidden = pl.col("vorig_onderdrukt").fill_null(True)
    change_leaks = pl.col("verandering").is_not_null() & (pl.col("onderdrukt").fill_null(True) | previous_hidden)
    leaks = rows.filter(change_leaks | (pl.col("vorige_waarde").is_not_null() & previous_hidden))
    report.add("change shown next to a suppressed year", leaks.select(KEY).rows())
