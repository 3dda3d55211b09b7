"""An attacker who reads only the published files and narrows every hidden count with a linear program.

Written apart from `pipelines/protect/` on purpose (its own relation builder, its own LP set-up): what it
finds is what a reader with the catalogue, the published Parquet and an LP solver finds. It knows what the
catalogue says in words: every rate on pupils divides by G1; A6 and B2 count the same new trajectories, which
are B1's noemer; schools and wijken add up to the gemeente (F4's schools at most), and the schools of a
samenwerkingsverband (scholen.parquet) to it; verwijzer categories add
up to their noemer; each A2 vorm is at most A1 and together at least A1; a percentage's teller is at most its
noemer; counts are whole and never negative; a cell labelled '< 10' of a count ('aantal') holds at most 9;
a cell labelled 'secundair' passed every primary rule, so its teller is at least 10 and, for a rate, its
noemer at least 50 and (percentage) its noemer minus teller at least 10; a school or wijk with a row has at
least one pupil. Amounts in euro are left out (it attacks counts of persons).

The linkage table (`koppelingskwaliteit.parquet`) is attacked the same way (`attack_linkage`): the
`koppeling` rows of one source share its persons as noemer, the age bands of a measure have noemers that add
up to that source's persons, and each band's teller is at most its noemer.

Per school year it solves, for every hidden count, min and max over all solutions (one LP each, HiGHS).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

PUPIL_NOEMERS = {"A1", "A2", "A3", "A4", "A6", "B2", "C2", "F2", "F4"}
SHARED = {("G1", "t"): "pupils", **{(i, "n"): "pupils" for i in PUPIL_NOEMERS}}
SHARED |= {("A6", "t"): "new", ("B2", "t"): "new", ("B1", "n"): "new"}
COUNTED = {"aantal", "percentage", "per_1000", "per_100"}
COST_FIELDS = {("C1", "t"), ("C2", "t"), ("C3", "t"), ("C4", "t"), ("C5", "t"), ("C5", "n")}


@dataclass
class Finding:
    schooljaar: str
    niveau: str
    eenheid_code: str
    indicator: str
    categorie: str | None
    low: float
    high: float
    floor: float = 0.0  # the least a reader knows before reading any number (`_pupil_floors`)


@dataclass
class _Year:
    names: dict[tuple[object, ...], int] = field(default_factory=dict)
    known: dict[int, float] = field(default_factory=dict)
    upper: dict[int, float] = field(default_factory=dict)
    lower: dict[int, float] = field(default_factory=dict)
    cells: dict[int, list[tuple[str, str, str, str | None]]] = field(default_factory=lambda: defaultdict(list))
    equal: list[dict[int, float]] = field(default_factory=list)
    at_most: list[dict[int, float]] = field(default_factory=list)

    def var(self, key: tuple[object, ...]) -> int:
        return self.names.setdefault(key, len(self.names))

    def one(self) -> int:
        """A variable fixed at 1: the constant term of a relation."""
        v = self.var(("", "", "constant"))
        self.known[v] = 1.0
        return v


def _name(indicator: str, dim: str | None, cat: str | None, f: str) -> str:
    return SHARED.get((indicator, f)) or f"{indicator}|{dim}|{cat}|{f}"


def _build(rows: list[dict[str, object]], school_swv: dict[str, str]) -> _Year:
    year = _Year()
    by_group: dict[tuple[object, ...], list[tuple[int, int | None]]] = defaultdict(list)
    for r in rows:
        ind, dim, cat = str(r["indicator"]), r["dimensie"], r["categorie"]
        unit = (r["niveau"], r["eenheid_code"])
        pair: list[int | None] = []
        for f in ("t", "n"):
            if (ind, f) in COST_FIELDS or (f == "n" and r["soort"] == "aantal"):
                pair.append(None)
                continue
            v = year.var((*unit, _name(ind, dim, cat, f)))  # type: ignore[arg-type]
            pair.append(v)
            value = r["teller" if f == "t" else "noemer"]
            if value is not None:
                year.known[v] = float(value)  # type: ignore[arg-type]
            elif f == "t":
                year.cells[v].append((str(r["niveau"]), str(r["eenheid_code"]), ind, cat))  # type: ignore[arg-type]
            if f == "t" and r["soort"] == "aantal" and r["reden"] == "primair":
                year.upper[v] = min(year.upper.get(v, 9.0), 9.0)
            if r["reden"] == "secundair" and r["soort"] in COUNTED:
                year.lower[v] = max(year.lower.get(v, 0.0), 10.0 if f == "t" else 50.0)
            if _name(ind, dim, cat, f) == "pupils" and r["niveau"] != "gemeente":  # type: ignore[arg-type]
                year.lower[v] = max(year.lower.get(v, 0.0), 1.0)
        t, n = pair
        if t is not None and n is not None and r["reden"] == "secundair" and r["soort"] == "percentage":
            year.at_most.append({t: 1.0, n: -1.0, year.one(): 10.0})
        if t is not None and n is not None and r["soort"] == "percentage":
            year.at_most.append({t: 1.0, n: -1.0})
        if dim is not None and t is not None:
            by_group[(*unit, ind, dim)].append((t, n))
    for (_, _, _, dim), pairs in by_group.items():
        tellers = [t for t, _ in pairs]
        if dim == "verwijzer" and pairs[0][1] is not None:
            year.equal.append({pairs[0][1]: 1.0, **{t: -1.0 for t in tellers}})
    # vorm: each at most A1's teller, together at least it (per unit)
    for key, v in list(year.names.items()):
        niveau, code, name = key
        if str(name).startswith("A2|vorm|"):
            a1 = year.names.get((niveau, code, "A1|None|None|t"))
            if a1 is not None:
                year.at_most.append({v: 1.0, a1: -1.0})
    vorm: dict[tuple[object, object], list[int]] = defaultdict(list)
    for (niveau, code, name), v in year.names.items():
        if str(name).startswith("A2|vorm|"):
            vorm[(niveau, code)].append(v)
    for (niveau, code), members in vorm.items():
        a1 = year.names.get((niveau, code, "A1|None|None|t"))
        if a1 is not None:
            year.at_most.append({a1: 1.0, **{m: -1.0 for m in members}})
    # levels: schools and wijken add up to the gemeente, a samenwerkingsverband's schools to it
    children: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    totals: dict[tuple[str, str], int] = {}
    for (niveau, code, name), v in year.names.items():
        if niveau == "gemeente":
            totals[("gemeente", str(name))] = v
        elif niveau == "samenwerkingsverband":
            totals[(str(code), str(name))] = v
        elif niveau in ("school", "wijk"):
            children[("gemeente", str(niveau), str(name))].append(v)
            if niveau == "school" and str(code) in school_swv:
                children[(school_swv[str(code)], "school", str(name))].append(v)
    for (parent, niveau, name), members in children.items():
        if (parent, name) in totals:
            total = totals[(parent, name)]
            row = {total: -1.0, **dict.fromkeys(members, 1.0)}
            if not (name.startswith("F4|") and niveau == "school"):
                year.equal.append(row)
            elif parent == "gemeente":
                year.at_most.append(row)
            else:  # a samenwerkingsverband counts a pupil with cases at two of its schools once
                year.at_most += [{m: 1.0, total: -1.0} for m in members]
                year.at_most.append({total: 1.0, **dict.fromkeys(members, -1.0)})
    return year


def school_samenwerkingsverband(scholen: pl.DataFrame) -> dict[str, str]:
    """Per school the samenwerkingsverband it counts in, as scholen.parquet and the catalogue say: PO, SBO and SO
    schools their PO one, VO schools their VO one, MBO none."""
    po, vo = pl.col("sector").is_in(["PO", "SBO", "SO"]), pl.col("sector") == "VO"
    swv = pl.when(po).then(pl.col("po_swv")).when(vo).then(pl.col("vo_swv"))
    return dict(scholen.select("eenheid_code", swv.alias("swv")).drop_nulls("swv").rows())


def attack(indicatoren: pl.DataFrame, every: int = 1, school_swv: dict[str, str] | None = None) -> list[Finding]:
    """Min and max of every hidden count of the published table, per school year (`every` > 1: of every
    every-th hidden count in key order only, a deterministic sample that keeps a test fast)."""
    findings: list[Finding] = []
    for (jaar,), part in indicatoren.partition_by("schooljaar", as_dict=True).items():
        year = _build(part.to_dicts(), school_swv or {})
        if every > 1:
            year.cells = defaultdict(list, dict(sorted(year.cells.items())[::every]))
        floors = _pupil_floors(year)
        for cell, lo, hi in _solve(year):
            floor = floors.get((cell[0], cell[1]), 0.0) if cell[2] == "G1" else 0.0
            findings.append(Finding(str(jaar), *cell, lo, hi, floor))
    return findings


def _pupil_floors(year: _Year) -> dict[tuple[str, str], float]:
    """The least each unit's pupil count can be from which rows exist alone, before any number is read: a
    school or wijk with a row has a pupil, and schools (and wijken) add up to the gemeente, so a gemeente with
    two schools has at least two pupils, and so has its only wijk."""
    pupils = {v: (str(niveau), str(code)) for (niveau, code, name), v in year.names.items() if name == "pupils"}
    col = {v: i for i, v in enumerate(pupils)}
    rows = [t for t in year.equal if set(t) <= set(pupils)]
    a_eq = np.array([[t.get(v, 0.0) for v in pupils] for t in rows]) if rows else None
    b_eq = np.zeros(len(rows)) if rows else None
    bounds = [(1.0 if unit[0] != "gemeente" else 0.0, None) for unit in pupils.values()]
    floors = {}
    for v, unit in pupils.items():
        objective = np.zeros(len(pupils))
        objective[col[v]] = 1.0
        res = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        floors[unit] = float(np.ceil(res.fun - 1e-6)) if res.status == 0 else 1.0
    return floors


def attack_linkage(koppelingskwaliteit: pl.DataFrame) -> list[Finding]:
    """Min and max of every hidden teller of the linkage table, per school year (niveau 'gemeente', eenheid
    the measure, indicator 'maat|bron|doelbron', categorie the age band)."""
    findings: list[Finding] = []
    for (jaar,), part in koppelingskwaliteit.partition_by("schooljaar", as_dict=True).items():
        year = _Year()
        bands: dict[tuple[str, str], list[int]] = defaultdict(list)
        for r in part.to_dicts():
            measure = f"{r['maat']}|{r['bron']}|{r['doelbron']}"
            band = r["leeftijdsgroep"]
            t = year.var(("t", measure, band))
            persons = ("persons", r["bron"]) if r["maat"] == "koppeling" else ("n", measure, band)
            n = year.var(persons)
            for v, value in ((t, r["teller"]), (n, r["noemer"])):
                if value is not None:
                    year.known[v] = float(value)
            if r["onderdrukt"]:
                year.cells[t].append(("gemeente", str(r["maat"]), measure, band))
                if r["reden"] == "secundair":
                    year.lower[t], year.lower[n] = 10.0, 50.0
                    year.at_most.append({t: 1.0, n: -1.0, year.one(): 10.0})
            year.at_most.append({t: 1.0, n: -1.0})
            if band is not None and r["maat"] != "koppeling":
                bands[(str(r["maat"]), str(r["bron"]))].append(n)
        for (_, bron), noemers in bands.items():  # the bands' noemers add up to the source's persons
            year.equal.append({year.var(("persons", bron)): 1.0, **{n: -1.0 for n in noemers}})
        findings += [Finding(str(jaar), *cell, lo, hi) for cell, lo, hi in _solve(year)]
    return findings


def _solve(year: _Year) -> list[tuple[tuple[str, str, str, str | None], float, float]]:
    """Per connected part of the relations over the hidden counts: an LP for each end of each hidden count,
    its optimum rounded inwards to a whole number (counts are whole)."""
    unknown = sorted(v for v in year.names.values() if v not in year.known)
    col = {v: i for i, v in enumerate(unknown)}
    relations = [(t, True) for t in year.equal] + [(t, False) for t in year.at_most]
    local = [({col[v]: a for v, a in t.items() if v in col}, t, eq) for t, eq in relations]
    local = [(lt, t, eq) for lt, t, eq in local if lt]
    edges_r, edges_c = [], []
    for r, (lt, _, _) in enumerate(local):
        for c in lt:
            edges_r.append(r)
            edges_c.append(c)
    incidence = sparse.csr_array((np.ones(len(edges_r)), (edges_r, edges_c)), shape=(len(local), len(unknown)))
    graph = (incidence.T @ incidence).tocsr()
    _, label = connected_components(graph, directed=False)
    rows_of: dict[int, list[int]] = defaultdict(list)
    for r, (lt, _, _) in enumerate(local):
        rows_of[int(label[next(iter(lt))])].append(r)
    out = []
    systems: dict[int, tuple[Any, ...]] = {}
    for v, cells in sorted(year.cells.items()):
        part = int(label[col[v]])
        if part not in systems:
            members = sorted(int(c) for c in np.flatnonzero(label == part))
            pos = {c: i for i, c in enumerate(members)}
            bounds = [(year.lower.get(unknown[c], 0.0), year.upper.get(unknown[c])) for c in members]
            systems[part] = (members, pos, bounds, *_matrices([local[r] for r in rows_of[part]], pos, year))
        members, pos, bounds, a_eq, b_eq, a_ub, b_ub = systems[part]
        ends = []
        for sign in (1.0, -1.0):
            objective = np.zeros(len(members))
            objective[pos[col[v]]] = sign
            res = linprog(objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            if res.status != 0:
                ends.append(0.0 if sign > 0 else np.inf)
            else:
                ends.append(np.ceil(res.fun - 1e-6) if sign > 0 else np.floor(-res.fun + 1e-6))
        out += [(cell, ends[0], ends[1]) for cell in cells]
    return out


def _matrices(
    rows: list[tuple[dict[int, float], dict[int, float], bool]], pos: dict[int, int], year: _Year
) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    parts: dict[bool, tuple[list[np.ndarray], list[float]]] = {True: ([], []), False: ([], [])}
    for lt, terms, eq in rows:
        line = np.zeros(len(pos))
        for c, a in lt.items():
            line[pos[c]] = a
        parts[eq][0].append(line)
        parts[eq][1].append(-sum(a * year.known[v] for v, a in terms.items() if v in year.known))
    out: list[np.ndarray | None] = []
    for eq in (True, False):
        lines, b = parts[eq]
        out += [np.array(lines), np.array(b)] if lines else [None, None]
    return out[0], out[1], out[2], out[3]


def summary(findings: list[Finding], truth: pl.DataFrame, margin: float, small: float) -> pl.DataFrame:
    """Per indicator and level: hidden counts attacked, recovered exactly, narrower than the margin, and with
    0 (for a unit's pupils: 1) excluded while the truth is below `small` (`truth`: the cell key with the true
    teller, `w_teller`)."""
    key = ["schooljaar", "niveau", "eenheid_code", "indicator", "categorie"]
    found = pl.DataFrame(
        [(f.schooljaar, f.niveau, f.eenheid_code, f.indicator, f.categorie, f.low, f.high, f.floor) for f in findings],
        schema={**dict.fromkeys(key, pl.String), "low": pl.Float64, "high": pl.Float64, "floor": pl.Float64},
        orient="row",
    ).join(truth.select(*key, "w_teller"), on=key, how="left", nulls_equal=True)
    return (
        found.group_by("indicator", "niveau")
        .agg(
            pl.len().alias("hidden"),
            (pl.col("high") - pl.col("low") < 0.5).sum().alias("exact"),
            (pl.col("high") - pl.col("low") < margin).sum().alias("narrow"),
            ((pl.col("low") > pl.col("floor")) & (pl.col("w_teller") < small)).sum().alias("zero_excluded"),
        )
        .sort("indicator", "niveau")
    )
