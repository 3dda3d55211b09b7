"""Property: for random small tables, after protection no suppressed number can be pinned down from the published ones.

The tables are B1/B2-shaped: per school the new trajectories by verwijzer (categories that add up to the school's
B2 teller, which every category row shows as its noemer), the same for the gemeente, and the schools adding up to
the gemeente per category and in total. Independently of the package's own relation code, the test writes down
what a reader knows (published numbers, the sums, teller <= noemer, non-negativity) and asks scipy's HiGHS for the
smallest and largest value of every hidden number.

Protection margin checked here: the feasible interval of a hidden count must be at least 1 wide, i.e. the reader
is left with at least two possible whole numbers (a count pinned to one value, 0 included, is disclosed). The
package's stricter per-sum margin (hidden members of a published sum add up to >= 3) is checked as well.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as strategies
from scipy.optimize import linprog

from pipelines.protect.suppression import protect
from tests.test_disclosure_check import GM, RULES, cell, check, table

CATEGORIES = ("01", "02", "03", "04")


def b1_table(counts: list[list[int]]) -> pl.DataFrame:
    """counts[s][c]: new trajectories of school s with verwijzer c."""
    schools = {f"S{s}": row for s, row in enumerate(counts)}
    units = {**schools, GM: [sum(col) for col in zip(*counts, strict=True)]}
    rows = []
    for code, row in units.items():
        niveau = "gemeente" if code == GM else "school"
        total = sum(row)
        pupils = 1000 * (len(schools) if code == GM else 1)
        rows.append(cell(niveau, code, "B2", total, pupils, soort="per_1000"))
        rows += [
            cell(niveau, code, "B1", n, total, soort="percentage", dimensie="verwijzer", categorie=c)
            for c, n in zip(CATEGORIES, row, strict=True)
        ]
    return table(rows)


def reader_intervals(published: pl.DataFrame, truth: pl.DataFrame) -> dict[tuple[str, str | None], tuple[float, float]]:
    """Per hidden teller (unit, category; None = B2): the feasible interval a reader can work out."""
    true_value = {(r["eenheid_code"], r["categorie"]): r["teller"] for r in truth.iter_rows(named=True)}
    shown = {
        (r["eenheid_code"], r["categorie"]): r["teller"] for r in published.iter_rows(named=True) if not r["onderdrukt"]
    }
    # B1's noemer is B2's teller: published when any B1 row of the unit is.
    for r in published.iter_rows(named=True):
        if not r["onderdrukt"] and r["indicator"] == "B1":
            shown[(r["eenheid_code"], None)] = r["noemer"]
    units = sorted({k[0] for k in true_value})
    hidden = sorted((k for k in true_value if k not in shown), key=lambda k: (k[0], k[1] or ""))
    if not hidden:
        return {}
    index = {k: i for i, k in enumerate(hidden)}

    def row(terms: dict[tuple[str, str | None], float]) -> tuple[np.ndarray, float]:
        coefficients, constant = np.zeros(len(hidden)), 0.0
        for k, a in terms.items():
            if k in index:
                coefficients[index[k]] += a
            else:
                constant -= a * shown[k]
        return coefficients, constant

    equal = [row({(u, None): 1.0, **{(u, c): -1.0 for c in CATEGORIES}}) for u in units]
    schools = [u for u in units if u != GM]
    for c in (*CATEGORIES, None):
        equal.append(row({(GM, c): 1.0, **{(s, c): -1.0 for s in schools}}))
    at_most = [row({(u, c): 1.0, (u, None): -1.0}) for u in units for c in CATEGORIES]
    equal = [(a, b) for a, b in equal if a.any()]
    at_most = [(a, b) for a, b in at_most if a.any()]
    options = {
        "A_eq": np.array([a for a, _ in equal]) if equal else None,
        "b_eq": np.array([b for _, b in equal]) if equal else None,
        "A_ub": np.array([a for a, _ in at_most]) if at_most else None,
        "b_ub": np.array([b for _, b in at_most]) if at_most else None,
        "bounds": [(0, None)] * len(hidden),
        "method": "highs",
    }
    intervals = {}
    for k, i in index.items():
        objective = np.zeros(len(hidden))
        objective[i] = 1.0
        low = linprog(objective, **options)
        high = linprog(-objective, **options)
        assert low.status == 0, low.message
        intervals[k] = (low.fun, np.inf if high.status == 3 else -high.fun)
    return intervals


counts_strategy = strategies.integers(2, 5).flatmap(
    lambda schools: strategies.lists(
        strategies.lists(strategies.integers(0, 40), min_size=len(CATEGORIES), max_size=len(CATEGORIES)),
        min_size=schools,
        max_size=schools,
    )
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts_strategy)
def test_no_hidden_count_can_be_pinned_down_after_protection(counts: list[list[int]]) -> None:
    truth = b1_table(counts)
    published = protect(truth, RULES)
    for key, (low, high) in reader_intervals(published, truth).items():
        assert high - low >= 1 - 1e-6, f"{key} confined to [{low}, {high}]"
    report = check(published, truth)
    assert report.passed, report.violations


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts_strategy)
def test_the_check_agrees_with_the_reader_on_primary_suppression_alone(counts: list[list[int]]) -> None:
    """Publishing with only the primary cells hidden: whenever the reader can pin a hidden count, the check fails."""
    truth = b1_table(counts)
    primary_only = protect(truth, RULES).with_columns(onderdrukt=pl.col("reden").eq_missing("primair"))
    restored = primary_only.with_columns(
        [
            pl.when(pl.col("onderdrukt")).then(None).otherwise(truth.get_column(c)).alias(c)
            for c in ("teller", "noemer", "waarde")
        ]
    )
    pinned = any(high - low < 1 - 1e-6 for low, high in reader_intervals(restored, truth).values())
    if pinned:
        assert not check(restored, truth).passed
