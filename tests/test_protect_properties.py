"""Property: protect never fails on a valid table, and an independent LP attacker narrows no hidden count.

Tables are made from random small person-level data, so every relation holds by construction: pupils in units
of 1-60 (schools, each in one wijk), over two school years; some with youth care (A1), some with new
trajectories by verwijzer (B1, B2; a pupil may have two), some with declarations by product category whose
credits can cancel to 0 or below (C1, C5). The attacker (`tests/attack/lp_attacker.py`, written apart from
`pipelines/protect/`) minimises and maximises every hidden count over everything the published table says.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.protect.suppression import protect
from tests.attack.lp_attacker import attack
from tests.test_disclosure_check import GM, RULES, cell, check, hide, table

YEARS = ("2022/2023", "2023/2024")
VERWIJZERS = ("01", "02", "03")
PRODUCTS = ("41", "43")

person = st.tuples(
    st.integers(0, 5),  # school
    st.booleans(),  # youth care
    st.lists(st.sampled_from(VERWIJZERS), max_size=2),  # new trajectories
    st.lists(st.tuples(st.sampled_from(PRODUCTS), st.integers(-300, 900)), max_size=2),  # declarations
)
people = st.lists(st.lists(person, min_size=1, max_size=160), min_size=len(YEARS), max_size=len(YEARS))


def indicator_table(years: list[list[tuple[int, bool, list[str], list[tuple[str, int]]]]]) -> pl.DataFrame:
    """G1, A1, B2, B1 and C1/C5 per school, wijk (school s lies in wijk s // 3) and gemeente, per year."""
    rows = []
    for jaar, persons in zip(YEARS, years, strict=True):
        units: dict[tuple[str, str], list[int]] = defaultdict(list)
        for p, (school, *_) in enumerate(persons):
            for unit in (("school", f"S{school}"), ("wijk", f"W{school // 3}"), ("gemeente", GM)):
                units[unit].append(p)
        for (niveau, code), members in sorted(units.items()):
            mine = [persons[p] for p in members]
            pupils, care = len(mine), sum(1 for _, c, _, _ in mine if c)
            new = [v for _, _, vs, _ in mine for v in vs]
            with_new = sum(1 for _, _, vs, _ in mine if vs)
            rows += [
                cell(niveau, code, "G1", pupils, jaar=jaar),
                cell(niveau, code, "A1", care, pupils, soort="percentage", jaar=jaar),
                cell(niveau, code, "B2", len(new), pupils, soort="per_1000", jaar=jaar, personen=with_new),
            ]
            for v in VERWIJZERS:
                people_v = sum(1 for _, _, vs, _ in mine if v in vs)
                rows.append(
                    cell(
                        niveau,
                        code,
                        "B1",
                        new.count(v),
                        len(new),
                        soort="percentage",
                        dimensie="verwijzer",
                        categorie=v,
                        jaar=jaar,
                        personen=people_v,
                    )
                )
            cost = {prod: [sum(a for q, a in ds if q == prod) for _, _, _, ds in mine] for prod in PRODUCTS}
            total = [sum(cost[prod][i] for prod in PRODUCTS) for i in range(pupils)]
            c1 = float(sum(total))
            rows.append(
                cell(
                    niveau,
                    code,
                    "C1",
                    c1,
                    soort="bedrag",
                    jaar=jaar,
                    personen=sum(1 for t in total if t),
                    max_persoon=float(max(total, default=0)),
                )
            )
            for prod in PRODUCTS:
                amounts = cost[prod]
                rows.append(
                    cell(
                        niveau,
                        code,
                        "C5",
                        float(sum(amounts)),
                        c1,
                        soort="bedrag",
                        dimensie="productcategorie",
                        categorie=prod,
                        jaar=jaar,
                        personen=sum(1 for a in amounts if a),
                        max_persoon=float(max(amounts, default=0)),
                    )
                )
    return table(rows)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(people)
def test_protect_never_fails_and_no_hidden_count_is_narrowed(years: list[list[tuple]]) -> None:
    truth = indicator_table(years)
    published = protect(truth, RULES)
    report = check(published, truth)
    assert report.passed, report.violations
    true_teller = {
        (r["schooljaar"], r["niveau"], r["eenheid_code"], r["indicator"], r["categorie"]): r["teller"]
        for r in truth.iter_rows(named=True)
    }
    for f in attack(published):
        value = true_teller[(f.schooljaar, f.niveau, f.eenheid_code, f.indicator, f.categorie)]
        where = f"{f.schooljaar} {f.niveau} {f.eenheid_code} {f.indicator} {f.categorie}: [{f.low}, {f.high}]"
        assert f.high - f.low >= RULES.protection_margin, f"narrowed: {where} (true {value})"
        assert f.low <= f.floor or value >= RULES.min_teller, f"0 excluded: {where} (true {value})"


def test_the_attacker_finds_what_a_naive_publication_gives_away() -> None:
    """Schools 8, 9, 50, 60 with only the 8 and 9 hidden: the attacker narrows each to [8, 9]."""
    truth = table(
        [cell("gemeente", GM, "G1", 127)]
        + [cell("school", code, "G1", n) for code, n in (("AA00", 8), ("BB00", 9), ("CC00", 50), ("DD00", 60))]
    )
    naive = hide(truth, pl.col("teller") < 10).with_columns(soort=pl.lit("aantal"))
    assert sorted((f.eenheid_code, f.low, f.high) for f in attack(naive)) == [("AA00", 8, 9), ("BB00", 8, 9)]
