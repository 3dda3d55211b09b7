"""U1-U6, the outcomes of the school career after youth care, worked out by hand for ten persons over three years.

Y1 = 2022/2023 (peildatum 2022-10-01), Y2 = 2023/2024 (2023-10-01), Y3 = 2024/2025 (2024-10-01), the last year:
P01's enrolment runs to 2025-07-31, so Y3 is in the data; there is no Y4. Schools: S1 = 11AA00 (BAO),
S2 = 22BB00 (VO), SB = 44DD00 (SBO), SV = 55EE00 (VSO). Every outcome indicator has gemeente rows only, except U5
(school of origin and gemeente).

| person | enrolment | born (age Y1) | youth care | other |
|---|---|---|---|---|
| P01 | S1 BAO throughout | 2012-03 (10) | T1 from 2022-09-01, open (new Y1) | |
| P02 | S1 BAO to 2023-07-31, SB SBO from 2023-08-15 | 2012-05 (10) | T2 2022-11-01..2023-06-30 (new Y1) | |
| P03 | S2 HAVO, leaves 2023-07-10 | 2005-06 (17) | T3 from 2022-10-15, open (new Y1) | HAVO diploma 2023-06-30 |
| P04 | S2 VMBO-BB, leaves 2023-07-15 | 2006-01 (16) | T4 2022-12-01..2023-03-01 (new Y1) | ABSOLUUT 2023-09-01, open |
| P05 | S2 VWO throughout | 2009-02 (13) | T5 from 2023-10-01 (new Y2) | RELATIEF S2 2023-11-01..12-15 (45 days) |
| P06 | S2 VMBO-KB, leaves 2023-07-20 | 2007-04 (15) | T6 category 48 (child protection, not youth care) | no diploma |
| P07 | S2 HAVO throughout | 2008-01 (14) | none | RELATIEF S2 2024-01-08..02-29 (53 days) |
| P08 | not a pupil | 2010-06 (12) | none | ABSOLUUT 2022-09-01..2022-12-31 |
| P09 | SV VSO throughout | 2010-01 (12) | T9 from 2022-09-15, open (new Y1) | |
| P10 | S1 BAO throughout | 2013-01 (9) | T10 since 2021-09-01, open (active, never new) | |

Pupils: Y1 all but P08 (9); Y2 and Y3 P01 P02 P05 P07 P09 P10 (6). Thuiszitters (F4's rule, aged 5-17): Y1 P08;
Y2 P04 (17), P05, P07; Y3 none (P04's open case continues, but he is 18).
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
    absence,
    build_warehouse,
    cells,
    diploma,
    enrolment,
    pupil,
    residence,
    trajectory,
    values,
)

Y3 = "2024/2025"
SB, SV = "44DD00", "55EE00"
END = "2025-07-31"


@pytest.fixture(scope="module")
def careers() -> duckdb.DuckDBPyConnection:
    return build_warehouse(
        pupil("P01", S1, "BAO", born="2012-03", wijk=W1, end=END),
        pupil("P02", S1, "BAO", born="2012-05", wijk=W1, end="2023-07-31"),
        enrolment("P02", SB, "SBO", born="2012-05", start="2023-08-15", end=END),
        pupil("P03", S2, "HAVO", born="2005-06", wijk=W2, end="2023-07-10"),
        pupil("P04", S2, "VMBO-BB", born="2006-01", wijk=W2, end="2023-07-15"),
        pupil("P05", S2, "VWO", born="2009-02", wijk=W1, end=END),
        pupil("P06", S2, "VMBO-KB", born="2007-04", wijk=W1, end="2023-07-20"),
        pupil("P07", S2, "HAVO", born="2008-01", wijk=W2, end=END),
        residence("P08", W1, born="2010-06"),
        pupil("P09", SV, "VSO", born="2010-01", wijk=W2, end=END),
        pupil("P10", S1, "BAO", born="2013-01", wijk=W2, end=END),
        trajectory("T1", "P01", "45", "2022-09-01"),
        trajectory("T2", "P02", "45", "2022-11-01", "2023-06-30"),
        trajectory("T3", "P03", "45", "2022-10-15"),
        trajectory("T4", "P04", "45", "2022-12-01", "2023-03-01"),
        trajectory("T5", "P05", "45", "2023-10-01"),
        trajectory("T6", "P06", "48", "2022-10-01", code="48A01"),
        trajectory("T9", "P09", "45", "2022-09-15"),
        trajectory("T10", "P10", "45", "2021-09-01"),
        diploma("P03", "HAVO", "2023-06-30"),
        absence("P04", "ABSOLUUT", "2023-09-01", None, None),
        absence("P05", "RELATIEF", "2023-11-01", "2023-12-15", S2),
        absence("P07", "RELATIEF", "2024-01-08", "2024-02-29", S2),
        absence("P08", "ABSOLUUT", "2022-09-01", "2022-12-31", None),
    )


def test_the_fixture_spans_three_school_years(careers: duckdb.DuckDBPyConnection) -> None:
    assert cells(careers, "G1")[(Y1, "gemeente", GM, None)] == (9, None)
    assert cells(careers, "G1")[(Y3, "gemeente", GM, None)] == (6, None)


def test_u1_situation_one_year_after_starting_youth_care(careers: duckdb.DuckDBPyConnection) -> None:
    """Starters Y1 (a new youth-care trajectory in Y1): P01 P02 P03 P04 P09 (5; P10's trajectory began in 2021,
    P06's is child protection). On 2023-10-01: P01, P02 (now SBO), P09 at school = 3; P03 left with a HAVO
    diploma = startkwalificatie 1; P04 left without one = geen_van_beide 1. Starters Y2: P05 (T5), at school on
    2024-10-01 → 1/1. Y3 has no next year: no cell, not a zero."""
    assert cells(careers, "U1") == {
        (Y1, "gemeente", GM, "op_school"): (3, 5),
        (Y1, "gemeente", GM, "startkwalificatie"): (1, 5),
        (Y1, "gemeente", GM, "geen_van_beide"): (1, 5),
        (Y2, "gemeente", GM, "op_school"): (1, 1),
        (Y2, "gemeente", GM, "startkwalificatie"): (0, 1),
        (Y2, "gemeente", GM, "geen_van_beide"): (0, 1),
    }
    assert values(careers, "U1")[(Y1, "gemeente", GM, "op_school")] == 60.0
    # "startkwalificatie of nog op school" = op_school + startkwalificatie = 4 of 5 = 80 %.


def test_u2_situation_two_years_later_only_where_that_year_is_in_the_data(careers: duckdb.DuckDBPyConnection) -> None:
    """The same five starters of Y1 on 2024-10-01: unchanged, 3 / 1 / 1. Y2's starter would need 2025/2026,
    which is not in the data: no cell."""
    assert cells(careers, "U2") == {
        (Y1, "gemeente", GM, "op_school"): (3, 5),
        (Y1, "gemeente", GM, "startkwalificatie"): (1, 5),
        (Y1, "gemeente", GM, "geen_van_beide"): (1, 5),
    }


def test_u3_splits_e1_by_youth_care_use(careers: duckdb.DuckDBPyConnection) -> None:
    """E1 cohort Y1 (VO/MBO under 23): P03 P04 P05 P06 P07 (P09 is VSO, not VO/MBO); early school leavers P04 and
    P06 → E1 = 2/5. With youth care active in Y1: P03, P04 → met 1/2 = 50 %; zonder: P05, P06 (child protection
    only), P07 → 1/3 = 33.33 %. Y2: P05 (T5) met 0/1, P07 zonder 0/1; E1 0/2. The categories add up to E1."""
    assert cells(careers, "U3") == {
        (Y1, "gemeente", GM, "met"): (1, 2),
        (Y1, "gemeente", GM, "zonder"): (1, 3),
        (Y2, "gemeente", GM, "met"): (0, 1),
        (Y2, "gemeente", GM, "zonder"): (0, 1),
    }
    assert cells(careers, "E1")[(Y1, "gemeente", GM, None)] == (2, 5)
    assert values(careers, "U3")[(Y1, "gemeente", GM, "zonder")] == 33.33


def test_u4_thuiszitter_a_year_later_by_youth_care_use(careers: duckdb.DuckDBPyConnection) -> None:
    """Cohort Y1, pupils aged 4-16 on 2022-10-01: all but P03 (17) = 8. With youth care in Y1: P01 P02 P04 P09
    P10 (5), of whom P04 is a thuiszitter in Y2 → 1/5; without: P05 P06 P07 (3), of whom P05 and P07 → 2/3.
    Cohort Y2 (ages on 2023-10-01): P01 P02 P05 P07 P09 P10; with youth care in Y2 P01 P05 P09 P10 (4), without
    P02 P07 (2); no thuiszitters in Y3 → 0/4 and 0/2. Y3: no next year."""
    assert cells(careers, "U4") == {
        (Y1, "gemeente", GM, "met"): (1, 5),
        (Y1, "gemeente", GM, "zonder"): (2, 3),
        (Y2, "gemeente", GM, "met"): (0, 4),
        (Y2, "gemeente", GM, "zonder"): (0, 2),
    }


def test_u5_moves_to_special_education_per_school_of_origin(careers: duckdb.DuckDBPyConnection) -> None:
    """Starters Y1 outside SBO/SO/VSO/PRO: P01 P02 (S1), P03 P04 (S2); P09 is in VSO already. On the peildatum
    one or two years later P02 is in SBO → gemeente 1/4 = 25 %, S1 1/2, S2 0/2. Y2's starter P05 would need
    2025/2026: no cell; there is no wijk level."""
    assert cells(careers, "U5") == {
        (Y1, "gemeente", GM, None): (1, 4),
        (Y1, "school", S1, None): (1, 2),
        (Y1, "school", S2, None): (0, 2),
    }
    assert values(careers, "U5")[(Y1, "gemeente", GM, None)] == 25.0


def test_u6_thuiszitters_with_youth_care_this_or_the_previous_year(careers: duckdb.DuckDBPyConnection) -> None:
    """Y2 thuiszitters: P04, P05, P07 (3, F4's teller for the gemeente); P04 had youth care in Y1 (T4), P05 in
    Y2 (T5), P07 none → 2/3 = 66.67 %. Y1 is the first year (no previous year in the data): no cell; Y3 has
    no thuiszitters: nothing to divide, no cell."""
    assert cells(careers, "U6") == {(Y2, "gemeente", GM, None): (2, 3)}
    assert cells(careers, "F4")[(Y2, "gemeente", GM, None)][0] == 3
    assert values(careers, "U6")[(Y2, "gemeente", GM, None)] == 66.67
