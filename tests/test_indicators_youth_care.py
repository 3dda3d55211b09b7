"""A1-A4, A6 (youth-care use of pupils), A11 (all young residents) and L1 (linkage rate), worked out by hand.

Twelve persons, two school years: Y1 = 2022/2023 (peildatum 2022-10-01, year 2022-08-01..2023-07-31) and
Y2 = 2023/2024 (peildatum 2023-10-01, year 2023-08-01..2024-07-31). S1 = 11AA00 (BAO), S2 = 22BB00 (VO).

| person | school | wijk | born | trajectories (categorie, vorm, start - end) |
|---|---|---|---|---|
| P01 | S1 | W1 | 2014-03 | T01 45 zonder 2022-09-01 - 2023-03-31 |
| P02 | S1 | W1 | 2014-06 | T02 43 met verblijf 2021-01-01 - open; T03 45 zonder 2023-09-01 - open |
| P03 | S1 | W2 | 2015-01 | T04 48 jeugdbescherming 2022-01-01 - open |
| P04 | S2 | W2 | 2010-02 | T05 47 jeugdreclassering 2023-02-01 - 2023-06-30 |
| P05 | S2 | W2 | 2009-11 | T06 46 crisis 2023-11-01 - 2023-11-20 |
| P06 | S2 | W1 | 2009-05 | T07 49 jeugdreclassering 2022-08-15 - open; T08, T09 45 zonder, both within Y1 |
| P07 | S1 | - (onderwijsnummer only: ONBEKEND) | 2015-06 | - |
| P08 | S1, leaves 2023-07-15 | W1 | 2014-09 | - |
| P09 | S2 | W1 | 2010-07 | T10 45 ended 2022-07-31 (before Y1); T11 45 starts 2024-08-01 (after Y2) |
| P10 | not a pupil | W1 | 2019-04 (3 in Y1, 4 in Y2) | T12 45 2022-09-01 - open |
| P11 | not a pupil | W2 | 2005-05 (17 in Y1, 18 in Y2) | T13 45 2021-06-01 - open |
| P12 | S2 | address outside the gemeente: ONBEKEND | 2008-09 | T14 45 2022-08-01 - 2024-07-31 |

Pupils Y1: S1 = P01 P02 P03 P07 P08 (5), S2 = P04 P05 P06 P09 P12 (5); W1 = P01 P02 P06 P08 P09 (5),
W2 = P03 P04 P05 (3), ONBEKEND = P07 P12 (2); gemeente 10. Y2: P08 has left: S1 4, S2 5, W1 4, W2 3,
ONBEKEND 2, gemeente 9.
"""

from __future__ import annotations

import duckdb
import pytest

from tests.indicator_fixtures import (
    ELSEWHERE,
    GM,
    S1,
    S2,
    W1,
    W2,
    Y1,
    Y2,
    build_warehouse,
    cells,
    enrolment,
    pupil,
    residence,
    trajectory,
    values,
)

ONB = "ONBEKEND"


@pytest.fixture(scope="module")
def youth_care() -> duckdb.DuckDBPyConnection:
    return build_warehouse(
        pupil("P01", S1, "BAO", born="2014-03", wijk=W1),
        pupil("P02", S1, "BAO", born="2014-06", wijk=W1),
        pupil("P03", S1, "BAO", born="2015-01", wijk=W2),
        pupil("P04", S2, "HAVO", born="2010-02", wijk=W2),
        pupil("P05", S2, "VMBO-GT", born="2009-11", wijk=W2),
        pupil("P06", S2, "VWO", born="2009-05", wijk=W1),
        enrolment("P07", S1, "BAO", born="2015-06", id_type="onderwijsnummer"),
        pupil("P08", S1, "BAO", born="2014-09", wijk=W1, end="2023-07-15"),
        pupil("P09", S2, "HAVO", born="2010-07", wijk=W1),
        residence("P10", W1, born="2019-04"),
        residence("P11", W2, born="2005-05"),
        enrolment("P12", S2, "HAVO", born="2008-09"),
        residence("P12", None, born="2008-09", gemeente=ELSEWHERE),
        trajectory("T01", "P01", "45", "2022-09-01", "2023-03-31"),
        trajectory("T02", "P02", "43", "2021-01-01", code="43A01"),
        trajectory("T03", "P02", "45", "2023-09-01"),
        trajectory("T04", "P03", "48", "2022-01-01", code="48A01"),
        trajectory("T05", "P04", "47", "2023-02-01", "2023-06-30", code="47A01"),
        trajectory("T06", "P05", "46", "2023-11-01", "2023-11-20", code="46A01"),
        trajectory("T07", "P06", "49", "2022-08-15", code="49A01"),
        trajectory("T08", "P06", "45", "2022-10-01", "2022-10-31"),
        trajectory("T09", "P06", "45", "2023-01-10", "2023-02-10"),
        trajectory("T10", "P09", "45", "2021-09-01", "2022-07-31"),
        trajectory("T11", "P09", "45", "2024-08-01"),
        trajectory("T12", "P10", "45", "2022-09-01"),
        trajectory("T13", "P11", "45", "2021-06-01"),
        trajectory("T14", "P12", "45", "2022-08-01", "2024-07-31"),
    )


def test_a1_counts_pupils_with_an_active_jeugdhulp_trajectory(youth_care: duckdb.DuckDBPyConnection) -> None:
    """Y1 active jeugdhulp of pupils: P01 (T01), P02 (T02), P06 (T08, T09, once), P12 (T14). P12 lives in
    another gemeente (ELSEWHERE): he counts for his school S2 but not for this gemeente or its wijken
    (woonplaatsbeginsel, docs/levels.md). Gemeente: P01 P02 P06 → 3 of 9.
    Not: P03 (48), P04 (47), P06's T07 (49), P09 (T10 ended the day before Y1, T11 after Y2), P10 and P11
    (no pupils). S1: P01 P02 = 2/5; S2: P06 P12 = 2/5; W1: P01 P02 P06 = 3/5; W2: 0/3; ONBEKEND: P07 (no
    address, so the gemeente of his school) = 0/1. Y2: P02 (T02, T03), P05 (T06 crisis is jeugdhulp) → 2/8;
    S1 1/4, S2 (P05, P12) 2/5, W1 1/4, W2 1/3, ONBEKEND 0/1."""
    got = cells(youth_care, "A1")
    assert got == {
        (Y1, "gemeente", GM, None): (3, 9),
        (Y1, "school", S1, None): (2, 5),
        (Y1, "school", S2, None): (2, 5),
        (Y1, "wijk", W1, None): (3, 5),
        (Y1, "wijk", W2, None): (0, 3),
        (Y1, "wijk", ONB, None): (0, 1),
        (Y2, "gemeente", GM, None): (2, 8),
        (Y2, "school", S1, None): (1, 4),
        (Y2, "school", S2, None): (2, 5),
        (Y2, "wijk", W1, None): (1, 4),
        (Y2, "wijk", W2, None): (1, 3),
        (Y2, "wijk", ONB, None): (0, 1),
    }
    assert values(youth_care, "A1")[(Y1, "gemeente", GM, None)] == 33.33


def test_a2_counts_pupils_per_form_and_a_pupil_with_two_forms_in_both(youth_care: duckdb.DuckDBPyConnection) -> None:
    """Vorm from the product code's hulpvorm: 45A03 → 02 zonder verblijf, 43A01 → 14 met verblijf; categorie
    46 = crisis. P12 lives elsewhere: school S2 only. Y1: zonder = P01 P06 (2/9), met = P02 (1/9), crisis 0.
    Y2: P02 has T02 (met) and T03 (zonder) and counts in both; zonder = P02 (1/8), met = P02 (1/8), crisis =
    P05 (1/8), so the forms (3) add up to more than A1 (2). Schools Y2: S1 zonder 1/4, met 1/4, crisis 0/4;
    S2 zonder P12 1/5, crisis P05 1/5. Wijken Y2: W1 zonder 1/4, met 1/4; W2 crisis 1/3; ONBEKEND 0/1."""
    got = cells(youth_care, "A2")
    expected_y1 = {
        ("gemeente", GM): (2, 1, 0, 9),
        ("school", S1): (1, 1, 0, 5),
        ("school", S2): (2, 0, 0, 5),
        ("wijk", W1): (2, 1, 0, 5),
        ("wijk", W2): (0, 0, 0, 3),
        ("wijk", ONB): (0, 0, 0, 1),
    }
    expected_y2 = {
        ("gemeente", GM): (1, 1, 1, 8),
        ("school", S1): (1, 1, 0, 4),
        ("school", S2): (1, 0, 1, 5),
        ("wijk", W1): (1, 1, 0, 4),
        ("wijk", W2): (0, 0, 1, 3),
        ("wijk", ONB): (0, 0, 0, 1),
    }
    for year, expected in ((Y1, expected_y1), (Y2, expected_y2)):
        for (level, unit), (zonder, met, crisis, pupils) in expected.items():
            assert got[(year, level, unit, "zonder_verblijf")] == (zonder, pupils), (year, level, unit)
            assert got[(year, level, unit, "met_verblijf")] == (met, pupils), (year, level, unit)
            assert got[(year, level, unit, "crisis")] == (crisis, pupils), (year, level, unit)
    assert len(got) == 12 * 3, "every unit has all three forms, also when zero"


def test_a3_counts_pupils_under_child_protection(youth_care: duckdb.DuckDBPyConnection) -> None:
    """Only P03 (categorie 48, open since 2022-01-01): 1/9 in Y1 and 1/8 in Y2; S1 (1/5, 1/4) and W2
    (1/3 both years); every other unit 0."""
    got = cells(youth_care, "A3")
    assert got[(Y1, "gemeente", GM, None)] == (1, 9)
    assert got[(Y2, "gemeente", GM, None)] == (1, 8)
    assert got[(Y1, "school", S1, None)] == (1, 5)
    assert got[(Y2, "school", S1, None)] == (1, 4)
    assert got[(Y1, "wijk", W2, None)] == (1, 3)
    assert got[(Y2, "wijk", W2, None)] == (1, 3)
    others = {k: v[0] for k, v in got.items() if k[2] not in (GM, S1, W2)}
    assert set(others.values()) == {0}


def test_a4_counts_pupils_under_juvenile_probation_47_and_49(youth_care: duckdb.DuckDBPyConnection) -> None:
    """Y1: P04 (47, Feb-Jun 2023) and P06 (49, open) → 2/9; S2 2/5; W1 P06 1/5; W2 P04 1/3; ONBEKEND 0/1.
    Y2: P04's ended in June 2023 → only P06: 1/8; S2 1/5; W1 1/4; W2 0/3."""
    got = cells(youth_care, "A4")
    assert got[(Y1, "gemeente", GM, None)] == (2, 9)
    assert got[(Y1, "school", S1, None)] == (0, 5)
    assert got[(Y1, "school", S2, None)] == (2, 5)
    assert got[(Y1, "wijk", W1, None)] == (1, 5)
    assert got[(Y1, "wijk", W2, None)] == (1, 3)
    assert got[(Y1, "wijk", ONB, None)] == (0, 1)
    assert got[(Y2, "gemeente", GM, None)] == (1, 8)
    assert got[(Y2, "school", S2, None)] == (1, 5)
    assert got[(Y2, "wijk", W1, None)] == (1, 4)
    assert got[(Y2, "wijk", W2, None)] == (0, 3)


def test_a6_counts_new_jeugdhulp_trajectories_not_persons_per_1000(youth_care: duckdb.DuckDBPyConnection) -> None:
    """New jeugdhulp trajectories of pupils. Y1: T01 (P01), T08 and T09 (both P06) → 3 per 9 pupils of the
    gemeente = 333.33 per 1.000; T14 (P12, starts on 2022-08-01, the first day of Y1) counts for school S2 only
    (P12 lives elsewhere); T07 is new but jeugdreclassering, T12 is new but P10 is no pupil. S1: 1/5 = 200;
    S2: 3/5 = 600; W1: 3/5; W2: 0/3; ONBEKEND: 0/1. Y2: T03 (P02) and T06 (P05) → 2/8 = 250; S1 1/4 = 250;
    S2 1/5 = 200; W1 1/4; W2 1/3 = 333.33."""
    got = cells(youth_care, "A6")
    assert got[(Y1, "gemeente", GM, None)] == (3, 9)
    assert got[(Y1, "school", S1, None)] == (1, 5)
    assert got[(Y1, "school", S2, None)] == (3, 5)
    assert got[(Y1, "wijk", W1, None)] == (3, 5)
    assert got[(Y1, "wijk", W2, None)] == (0, 3)
    assert got[(Y1, "wijk", ONB, None)] == (0, 1)
    assert got[(Y2, "gemeente", GM, None)] == (2, 8)
    assert got[(Y2, "school", S1, None)] == (1, 4)
    assert got[(Y2, "school", S2, None)] == (1, 5)
    assert got[(Y2, "wijk", W2, None)] == (1, 3)
    shown = values(youth_care, "A6")
    assert shown[(Y1, "gemeente", GM, None)] == 333.33
    assert shown[(Y2, "gemeente", GM, None)] == 250.0
    assert shown[(Y2, "wijk", W2, None)] == 333.33
    basis = youth_care.execute(
        "SELECT basis_personen FROM indicators WHERE indicator = 'A6' AND niveau = 'gemeente' AND schooljaar = ?",
        [Y1],
    ).fetchall()
    assert basis == [(2,)], "3 trajectories of 2 pupils (P01, P06)"


def test_a11_counts_young_residents_pupil_or_not_at_wijk_and_gemeente_only(
    youth_care: duckdb.DuckDBPyConnection,
) -> None:
    """Residents = an address in the gemeente on the peildatum, aged 0-17: not P07 (no address), not P12
    (lives elsewhere). Y1: P01 P02 P03 P04 P05 P06 P08 P09 P10 (3) P11 (17) = 10; with active jeugdhulp:
    P01 P02 P06 P10 P11 → 5/10. W1: P01 P02 P06 P08 P09 P10 → 4/6 (P01 P02 P06 P10); W2: P03 P04 P05 P11 →
    1/4 (P11). Y2: P11 is 18 and drops out; jeugdhulp: P02 P05 P10 (P06 only has 49) → 3/9; W1 2/6 (P02,
    P10); W2 1/3 (P05). No school rows."""
    got = cells(youth_care, "A11")
    assert got == {
        (Y1, "gemeente", GM, None): (5, 10),
        (Y1, "wijk", W1, None): (4, 6),
        (Y1, "wijk", W2, None): (1, 4),
        (Y2, "gemeente", GM, None): (3, 9),
        (Y2, "wijk", W1, None): (2, 6),
        (Y2, "wijk", W2, None): (1, 3),
    }


def test_l1_is_the_share_of_young_resident_clients_found_as_pupils_gemeente_only(
    youth_care: duckdb.DuckDBPyConnection,
) -> None:
    """Noemer: residents aged 4-17 with active jeugdhulp. Y1: P01, P02, P06 (pupils) and P11 (17, no pupil);
    P10 is 3, P12 lives elsewhere → 3/4 = 75 %. Y2: P02, P05 (pupils) and P10 (now 4, no pupil); P11 is
    18 → 2/3 = 66.67 %. Only a gemeente row."""
    assert cells(youth_care, "L1") == {(Y1, "gemeente", GM, None): (3, 4), (Y2, "gemeente", GM, None): (2, 3)}
    assert values(youth_care, "L1")[(Y2, "gemeente", GM, None)] == 66.67


def test_school_and_wijk_rows_carry_the_gemeente_value(youth_care: duckdb.DuckDBPyConnection) -> None:
    """gemeente_waarde of A1 in Y1 is 3/9 = 33.33 % on every school and wijk row (its gemeente's), null on the
    gemeente row and on the levels above (samenwerkingsverband)."""
    rows = youth_care.execute(
        "SELECT niveau, round(gemeente_waarde, 2) FROM indicators WHERE indicator = 'A1' AND schooljaar = ?", [Y1]
    ).fetchall()
    assert {(n, g) for n, g in rows} == {
        ("school", 33.33),
        ("wijk", 33.33),
        ("gemeente", None),
        ("samenwerkingsverband", None),
    }
