"""B1, B2 (referrals) and C1-C5 (cost), worked out by hand for twelve persons over two school years.

Y1 = 2022/2023 (2022-08-01..2023-07-31, peildatum 2022-10-01), Y2 = 2023/2024. S1 = 11AA00, S2 = 22BB00.

| person | school | wijk | trajectories (categorie, verwijzer, start - end) | declarations (periode_begin: euro) |
|---|---|---|---|---|
| Q01 | S1 | W1 | T21 45, 01, 2022-09-01 - open | 2022-09: 1000 D; 2022-10: 1000 D, 200 C; 2023-09: 500 D |
| Q02 | S1 | W1 | T22 45, 02, 2022-11-01 - 2023-01-31 | 2022-10: 300 D (before the start); 2022-11: 700 D |
| Q03 | S1 | W2 | T23 45, empty, 2023-03-01 - 2023-05-31 | 2023-03: 400 D, 400 C (net 0) |
| Q04 | S2 | W2 | T24 48, 04, 2021-05-01 - open; T25 43, 04, 2023-10-01 - open | T24 2022-12: 2000; T25 2023-10: 3000 |
| Q05 | S2 | W1 | T26 45, 06, 2022-08-20 - open | none |
| Q06 | S2 | W1 | T27 45, 01, 2023-01-15 - 02-15; T28 45, 01, 2023-05-01 - 06-30 | T27 2023-01: 600; T28 2023-05: 400 |
| Q07 | S1 | ONBEKEND (no address) | T29 47, 08, 2022-10-01 - open | 2022-10: 900 D |
| Q08 | S1, leaves 2023-07-15 | W2 | T30 45, 03, 2023-06-01 - open | 2023-06: 250 D; 2023-08: 250 D (no pupil then) |
| Q09 | S2 | W2 | T31 45, 05, 2024-02-01 - open | 2024-02: 800 D; 2024-03: 100 C |
| Q10 | not a pupil | W1 | T32 45, 02, 2022-09-01 - open | 2022-09: 5000 D |
| Q11 | S2 | W1 | - | - |
| Q12 | S1 | W2 | - | 2022-10: 777 D on toewijzingnummer X99, which is unknown |

Pupils Y1: S1 = Q01 Q02 Q03 Q07 Q08 Q12 (6), S2 = Q04 Q05 Q06 Q09 Q11 (5), W1 = Q01 Q02 Q05 Q06 Q11 (5),
W2 = Q03 Q04 Q08 Q09 Q12 (5), ONBEKEND = Q07 (1); gemeente 11. Y2 (Q08 gone): S1 5, S2 5, W1 5, W2 4,
ONBEKEND 1; gemeente 10.
"""

from __future__ import annotations

import duckdb
import pytest

from tests.indicator_fixtures import (
    GM,
    S1,
    S2,
    W1,
    W2,
    Y1,
    Y2,
    build_warehouse,
    cells,
    declaration,
    enrolment,
    pupil,
    residence,
    trajectory,
    values,
)

ONB = "ONBEKEND"
REFERRERS = ["01", "02", "03", "04", "05", "06", "08", "onbekend"]


@pytest.fixture(scope="module")
def costs() -> duckdb.DuckDBPyConnection:
    return build_warehouse(
        pupil("Q01", S1, "BAO", wijk=W1),
        pupil("Q02", S1, "BAO", wijk=W1),
        pupil("Q03", S1, "BAO", wijk=W2),
        pupil("Q04", S2, "VWO", born="2010-01", wijk=W2),
        pupil("Q05", S2, "HAVO", born="2010-01", wijk=W1),
        pupil("Q06", S2, "HAVO", born="2010-01", wijk=W1),
        enrolment("Q07", S1, "BAO"),
        pupil("Q08", S1, "BAO", wijk=W2, end="2023-07-15"),
        pupil("Q09", S2, "VWO", born="2010-01", wijk=W2),
        residence("Q10", W1, born="2019-04"),
        pupil("Q11", S2, "VWO", born="2010-01", wijk=W1),
        pupil("Q12", S1, "BAO", wijk=W2),
        trajectory("T21", "Q01", "45", "2022-09-01", verwijzer="01"),
        trajectory("T22", "Q02", "45", "2022-11-01", "2023-01-31", verwijzer="02"),
        trajectory("T23", "Q03", "45", "2023-03-01", "2023-05-31", verwijzer=None),
        trajectory("T24", "Q04", "48", "2021-05-01", code="48A01", verwijzer="04"),
        trajectory("T25", "Q04", "43", "2023-10-01", code="43A01", verwijzer="04"),
        trajectory("T26", "Q05", "45", "2022-08-20", verwijzer="06"),
        trajectory("T27", "Q06", "45", "2023-01-15", "2023-02-15", verwijzer="01"),
        trajectory("T28", "Q06", "45", "2023-05-01", "2023-06-30", verwijzer="01"),
        trajectory("T29", "Q07", "47", "2022-10-01", code="47A01", verwijzer="08"),
        trajectory("T30", "Q08", "45", "2023-06-01", verwijzer="03"),
        trajectory("T31", "Q09", "45", "2024-02-01", verwijzer="05"),
        trajectory("T32", "Q10", "45", "2022-09-01", verwijzer="02"),
        declaration("T21", "Q01", "2022-09-01", "1000.00"),
        declaration("T21", "Q01", "2022-10-01", "1000.00"),
        declaration("T21", "Q01", "2022-10-01", "200.00", "C"),
        declaration("T21", "Q01", "2023-09-01", "500.00"),
        declaration("T22", "Q02", "2022-10-01", "300.00"),
        declaration("T22", "Q02", "2022-11-01", "700.00"),
        declaration("T23", "Q03", "2023-03-01", "400.00"),
        declaration("T23", "Q03", "2023-03-01", "400.00", "C"),
        declaration("T24", "Q04", "2022-12-01", "2000.00"),
        declaration("T25", "Q04", "2023-10-01", "3000.00"),
        declaration("T27", "Q06", "2023-01-01", "600.00"),
        declaration("T28", "Q06", "2023-05-01", "400.00"),
        declaration("T29", "Q07", "2022-10-01", "900.00"),
        declaration("T30", "Q08", "2023-06-01", "250.00"),
        declaration("T30", "Q08", "2023-08-01", "250.00"),
        declaration("T31", "Q09", "2024-02-01", "800.00"),
        declaration("T31", "Q09", "2024-03-01", "100.00", "C"),
        declaration("T32", "Q10", "2022-09-01", "5000.00"),
        declaration("X99", "Q12", "2022-10-01", "777.00"),
    )


def referrals(got: dict, year: str, level: str, unit: str) -> dict[str, float | None]:
    """teller per verwijzer of one unit, after checking every row has the unit's total as noemer."""
    rows = {c: got[(year, level, unit, c)] for c in REFERRERS}
    assert len({n for _, n in rows.values()}) == 1, "one noemer per unit"
    return {c: t for c, (t, _) in rows.items() if t}


def test_b1_counts_new_jeugdhulp_trajectories_of_pupils_by_verwijzer(costs: duckdb.DuckDBPyConnection) -> None:
    """Y1 new jeugdhulp trajectories of pupils: T21 (01), T22 (02), T23 (empty → onbekend), T26 (06), T27 and
    T28 (01, both Q06), T30 (03) = 7. Not: T24 (2021), T29 (jeugdreclassering), T32 (Q10 is no pupil).
    Gemeente: 01 = 3, 02 = 1, 03 = 1, 06 = 1, onbekend = 1 of 7. S1: T21 T22 T23 T30 (4); S2: T26 T27 T28 (3).
    W1: T21 T22 T26 T27 T28 (5); W2: T23 T30 (2); ONBEKEND: none (noemer 0).
    Y2: T25 (04) and T31 (05), both S2 and W2: 1 each of 2."""
    got = cells(costs, "B1")
    assert referrals(got, Y1, "gemeente", GM) == {"01": 3, "02": 1, "03": 1, "06": 1, "onbekend": 1}
    assert got[(Y1, "gemeente", GM, "01")] == (3, 7)
    assert referrals(got, Y1, "school", S1) == {"01": 1, "02": 1, "03": 1, "onbekend": 1}
    assert got[(Y1, "school", S1, "02")] == (1, 4)
    assert referrals(got, Y1, "school", S2) == {"01": 2, "06": 1}
    assert got[(Y1, "school", S2, "01")] == (2, 3)
    assert referrals(got, Y1, "wijk", W1) == {"01": 3, "02": 1, "06": 1}
    assert got[(Y1, "wijk", W1, "06")] == (1, 5)
    assert referrals(got, Y1, "wijk", W2) == {"03": 1, "onbekend": 1}
    assert got[(Y1, "wijk", ONB, "01")] == (0, 0)
    assert referrals(got, Y2, "gemeente", GM) == {"04": 1, "05": 1}
    assert got[(Y2, "gemeente", GM, "04")] == (1, 2)
    assert referrals(got, Y2, "school", S2) == {"04": 1, "05": 1}
    assert referrals(got, Y2, "school", S1) == {}
    assert got[(Y2, "wijk", W2, "05")] == (1, 2)
    assert values(costs, "B1")[(Y1, "gemeente", GM, "01")] == 42.86


def test_b2_counts_new_jeugdhulp_trajectories_per_1000_pupils(costs: duckdb.DuckDBPyConnection) -> None:
    """The B1 totals over the pupils. Y1: 7/11 = 636.36; S1 4/6 = 666.67; S2 3/5 = 600; W1 5/5 = 1000;
    W2 2/5 = 400; ONBEKEND 0/1. Y2: 2/10 = 200; S1 0/5; S2 2/5 = 400; W1 0/5; W2 2/4 = 500; ONBEKEND 0/1."""
    assert cells(costs, "B2") == {
        (Y1, "gemeente", GM, None): (7, 11),
        (Y1, "school", S1, None): (4, 6),
        (Y1, "school", S2, None): (3, 5),
        (Y1, "wijk", W1, None): (5, 5),
        (Y1, "wijk", W2, None): (2, 5),
        (Y1, "wijk", ONB, None): (0, 1),
        (Y2, "gemeente", GM, None): (2, 10),
        (Y2, "school", S1, None): (0, 5),
        (Y2, "school", S2, None): (2, 5),
        (Y2, "wijk", W1, None): (0, 5),
        (Y2, "wijk", W2, None): (2, 4),
        (Y2, "wijk", ONB, None): (0, 1),
    }
    shown = values(costs, "B2")
    assert shown[(Y1, "gemeente", GM, None)] == 636.36
    assert shown[(Y1, "school", S1, None)] == 666.67


def test_c1_sums_net_cost_of_pupils_trajectories_of_every_category(costs: duckdb.DuckDBPyConnection) -> None:
    """Y1: T21 1000 + 1000 - 200 = 1800; T22 300 (declared before its start: counts) + 700 = 1000; T23 400 - 400
    = 0; T24 2000 (48 counts for cost); T27 600; T28 400; T29 900 (47 counts); T30 250 → 6950. Not: T32 (Q10
    is no pupil), X99 (unknown toewijzingnummer). S1 = 1800 + 1000 + 0 + 900 + 250 = 3950; S2 = 2000 + 600 +
    400 = 3000; W1 = 1800 + 1000 + 600 + 400 = 3800; W2 = 0 + 2000 + 250 = 2250; ONBEKEND = 900.
    Y2: T21 500, T25 3000, T31 800 - 100 = 700 → 4200 (T30's 250 of 2023-08: Q08 is no pupil in Y2).
    S1 500, S2 3700, W1 500, W2 3700, ONBEKEND 0."""
    assert cells(costs, "C1") == {
        (Y1, "gemeente", GM, None): (6950, None),
        (Y1, "school", S1, None): (3950, None),
        (Y1, "school", S2, None): (3000, None),
        (Y1, "wijk", W1, None): (3800, None),
        (Y1, "wijk", W2, None): (2250, None),
        (Y1, "wijk", ONB, None): (900, None),
        (Y2, "gemeente", GM, None): (4200, None),
        (Y2, "school", S1, None): (500, None),
        (Y2, "school", S2, None): (3700, None),
        (Y2, "wijk", W1, None): (500, None),
        (Y2, "wijk", W2, None): (3700, None),
        (Y2, "wijk", ONB, None): (0, None),
    }
    assert values(costs, "C1")[(Y1, "gemeente", GM, None)] == 6950.0


def test_c2_divides_c1_by_all_pupils(costs: duckdb.DuckDBPyConnection) -> None:
    """Y1: 6950/11 = 631.82; S1 3950/6 = 658.33; S2 3000/5 = 600; W1 3800/5 = 760; W2 2250/5 = 450;
    ONBEKEND 900/1. Y2: 4200/10 = 420; S1 500/5 = 100; S2 3700/5 = 740; W2 3700/4 = 925; ONBEKEND 0/1 = 0."""
    shown = values(costs, "C2")
    assert shown[(Y1, "gemeente", GM, None)] == 631.82
    assert shown[(Y1, "school", S1, None)] == 658.33
    assert shown[(Y1, "school", S2, None)] == 600.0
    assert shown[(Y1, "wijk", W1, None)] == 760.0
    assert shown[(Y1, "wijk", W2, None)] == 450.0
    assert shown[(Y1, "wijk", ONB, None)] == 900.0
    assert shown[(Y2, "gemeente", GM, None)] == 420.0
    assert shown[(Y2, "school", S1, None)] == 100.0
    assert shown[(Y2, "school", S2, None)] == 740.0
    assert shown[(Y2, "wijk", W2, None)] == 925.0
    assert shown[(Y2, "wijk", ONB, None)] == 0.0


def test_c3_divides_c1_by_pupils_with_a_trajectory_with_net_cost(costs: duckdb.DuckDBPyConnection) -> None:
    """Y1 pupils with a trajectory whose net cost is not 0: Q01 Q02 Q04 Q06 Q07 Q08 = 6 (Q03's T23 nets to 0)
    → 6950/6 = 1158.33. S1: Q01 Q02 Q07 Q08 → 3950/4 = 987.5; S2: Q04 Q06 → 1500; W1: Q01 Q02 Q06 →
    1266.67; W2: Q04 Q08 → 1125; ONBEKEND: Q07 → 900. Y2: Q01 Q04 Q09 → 4200/3 = 1400; S2: 3700/2 = 1850;
    ONBEKEND 0/0 → empty, not 0. The cost rule rests on the same persons (basis_personen)."""
    got = cells(costs, "C3")
    assert got[(Y1, "gemeente", GM, None)] == (6950, 6)
    assert got[(Y1, "school", S1, None)] == (3950, 4)
    assert got[(Y1, "school", S2, None)] == (3000, 2)
    assert got[(Y1, "wijk", W1, None)] == (3800, 3)
    assert got[(Y1, "wijk", W2, None)] == (2250, 2)
    assert got[(Y1, "wijk", ONB, None)] == (900, 1)
    assert got[(Y2, "gemeente", GM, None)] == (4200, 3)
    assert got[(Y2, "school", S2, None)] == (3700, 2)
    shown = values(costs, "C3")
    assert shown[(Y1, "gemeente", GM, None)] == 1158.33
    assert shown[(Y1, "wijk", W1, None)] == 1266.67
    assert shown[(Y2, "wijk", ONB, None)] is None
    basis = costs.execute(
        "SELECT DISTINCT basis_personen FROM indicators WHERE indicator LIKE 'C_' AND indicator <> 'C5' "
        "AND niveau = 'gemeente' AND schooljaar = ?",
        [Y1],
    ).fetchall()
    assert basis == [(6,)]


def test_c4_divides_c1_by_trajectories_with_net_cost(costs: duckdb.DuckDBPyConnection) -> None:
    """Y1 trajectories of pupils with net cost not 0: T21 T22 T24 T27 T28 T29 T30 = 7 → 6950/7 = 992.86.
    S1: T21 T22 T29 T30 → 987.5; S2: T24 T27 T28 → 1000; W1: T21 T22 T27 T28 → 950; W2: T24 T30 → 1125.
    Y2: T21 T25 T31 → 1400."""
    got = cells(costs, "C4")
    assert got[(Y1, "gemeente", GM, None)] == (6950, 7)
    assert got[(Y1, "school", S1, None)] == (3950, 4)
    assert got[(Y1, "school", S2, None)] == (3000, 3)
    assert got[(Y1, "wijk", W1, None)] == (3800, 4)
    assert got[(Y1, "wijk", W2, None)] == (2250, 2)
    assert got[(Y2, "gemeente", GM, None)] == (4200, 3)
    assert values(costs, "C4")[(Y1, "gemeente", GM, None)] == 992.86


def test_c5_splits_c1_by_productcategorie(costs: duckdb.DuckDBPyConnection) -> None:
    """Y1 categories with cost of pupils: 45 (T21 1800, T22 1000, T23 0, T27 600, T28 400, T30 250 = 4050),
    47 (T29 900), 48 (T24 2000) of C1 = 6950 → 58.27 %, 12.95 %, 28.78 %. Every unit gets all three:
    S1 45 = 3050, 47 = 900, 48 = 0 of 3950; S2 45 = 1000, 48 = 2000 of 3000; W1 45 = 3800 of 3800;
    W2 45 = 250, 48 = 2000 of 2250; ONBEKEND 47 = 900 of 900. Y2: 43 (T25 3000) and 45 (T21 500 + T31 700)
    of 4200; ONBEKEND has 0 of 0 → empty."""
    got = cells(costs, "C5")
    assert {k[3] for k in got if k[0] == Y1} == {"45", "47", "48"}
    assert {k[3] for k in got if k[0] == Y2} == {"43", "45"}
    assert got[(Y1, "gemeente", GM, "45")] == (4050, 6950)
    assert got[(Y1, "gemeente", GM, "47")] == (900, 6950)
    assert got[(Y1, "gemeente", GM, "48")] == (2000, 6950)
    assert got[(Y1, "school", S1, "45")] == (3050, 3950)
    assert got[(Y1, "school", S1, "48")] == (0, 3950)
    assert got[(Y1, "school", S2, "48")] == (2000, 3000)
    assert got[(Y1, "wijk", W1, "45")] == (3800, 3800)
    assert got[(Y1, "wijk", W2, "45")] == (250, 2250)
    assert got[(Y1, "wijk", ONB, "47")] == (900, 900)
    assert got[(Y2, "gemeente", GM, "43")] == (3000, 4200)
    assert got[(Y2, "school", S2, "45")] == (700, 3700)
    shown = values(costs, "C5")
    assert shown[(Y1, "gemeente", GM, "45")] == 58.27
    assert shown[(Y1, "gemeente", GM, "47")] == 12.95
    assert shown[(Y1, "gemeente", GM, "48")] == 28.78
    assert shown[(Y2, "wijk", ONB, "43")] is None
    basis = dict(
        costs.execute(
            "SELECT categorie, basis_personen FROM indicators WHERE indicator = 'C5' AND niveau = 'gemeente' "
            "AND schooljaar = ?",
            [Y1],
        ).fetchall()
    )
    assert basis == {"45": 4, "47": 1, "48": 1}, "45: Q01 Q02 Q06 Q08 (Q03 nets to 0)"
