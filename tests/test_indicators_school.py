"""G1, D1 (dyslexia), E1, E2 (school leaving), F2 and F4 (absence), worked out by hand for twelve persons.

Y1 = 2022/2023 (peildatum 2022-10-01, year 2022-08-01..2023-07-31), Y2 = 2023/2024 (peildatum 2023-10-01),
the last year. Schools: S1 = 11AA00 (BAO), SB = 44DD00 (SBO), S2 = 22BB00 (VO), S3 = 33CC00 (MBO).

| person | enrolment | wijk | born (age Y1) | other |
|---|---|---|---|---|
| R01 | S1 BAO | W1 | 2014-03 (8) | dyslexia T41 from 2022-10-15; LUXE absence Jan 2023 |
| R02 | S1 BAO | W1 | 2014-05 (8) | dyslexia T42 from 2023-09-15 and T43 from 2024-01-10 |
| R03 | SB SBO | W2 | 2013-02 (9) | dyslexia T44 since 2021-09-01; RELATIEF at SB 2023-09-20..25 |
| R04 | S2 HAVO | W2 | 2012-06 (10) | dyslexia T45 from 2022-11-01 (VO); RELATIEF at S2 Dec-Jan, vrijstelling J |
| R05 | S2 VMBO-BB, leaves 2023-07-15 | W1 | 2006-11 (15) | no diploma |
| R06 | S2 HAVO, leaves 2023-07-10 | W1 | 2005-12 (16) | HAVO diploma 2023-06-30; RELATIEF S2 2022-10-03..29 (27 d) |
| R07 | S2 VMBO-KB to 2023-07-10, S3 MBO-2 from 2023-08-15 | W2 | 2006-05 (16) | RELATIEF S2 2022-12-01..28 (28 d) |
| R08 | S3 MBO-3, leaves 2023-06-30 | W1 | 1999-09 (23) | no diploma; ABSOLUUT from 2023-09-01, open (24 in Y2) |
| R09 | S3 MBO-4, leaves 2023-07-31 | W2 | 1999-11 (22, turns 23 in Nov 2022) | MBO-4 diploma dated 2023-10-01 |
| R10 | S2 VWO | W1 | 2009-02 (13) | RELATIEF S2 2022-11-01..10 (10 d); RELATIEF S1 2023-02-01..03-10 (38 d) |
| R11 | S1 BAO | W2 | 2015-01 (7) | RELATIEF at S1 from 2023-05-01, open |
| R12 | not a pupil | W1 | 2008-06 (14) | ABSOLUUT 2022-09-01..2023-01-31 |

All absence cases have vrijstelling N unless stated. Pupils Y1: S1 = R01 R02 R11 (3), SB = R03 (1),
S2 = R04 R05 R06 R07 R10 (5), S3 = R08 R09 (2); W1 = R01 R02 R05 R06 R08 R10 (6), W2 = R03 R04 R07 R09 R11
(5); gemeente 11. Y2: S1 3, SB 1, S2 = R04 R10 (2), S3 = R07 (1); W1 = R01 R02 R10 (3), W2 = R03 R04 R07 R11
(4); gemeente 7.
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

SB, S3 = "44DD00", "33CC00"


@pytest.fixture(scope="module")
def school() -> duckdb.DuckDBPyConnection:
    return build_warehouse(
        pupil("R01", S1, "BAO", born="2014-03", wijk=W1),
        pupil("R02", S1, "BAO", born="2014-05", wijk=W1),
        pupil("R03", SB, "SBO", born="2013-02", wijk=W2),
        pupil("R04", S2, "HAVO", born="2012-06", wijk=W2),
        pupil("R05", S2, "VMBO-BB", born="2006-11", wijk=W1, end="2023-07-15"),
        pupil("R06", S2, "HAVO", born="2005-12", wijk=W1, end="2023-07-10"),
        pupil("R07", S2, "VMBO-KB", born="2006-05", wijk=W2, end="2023-07-10"),
        enrolment("R07", S3, "MBO-2", born="2006-05", start="2023-08-15"),
        pupil("R08", S3, "MBO-3", born="1999-09", wijk=W1, end="2023-06-30"),
        pupil("R09", S3, "MBO-4", born="1999-11", wijk=W2, end="2023-07-31"),
        pupil("R10", S2, "VWO", born="2009-02", wijk=W1),
        pupil("R11", S1, "BAO", born="2015-01", wijk=W2),
        residence("R12", W1, born="2008-06"),
        trajectory("T41", "R01", "45", "2022-10-15", code="45D01"),
        trajectory("T42", "R02", "45", "2023-09-15", code="45D02"),
        trajectory("T43", "R02", "45", "2024-01-10", code="45D01"),
        trajectory("T44", "R03", "45", "2021-09-01", code="45D01"),
        trajectory("T45", "R04", "45", "2022-11-01", code="45D01"),
        diploma("R06", "HAVO", "2023-06-30"),
        diploma("R09", "MBO-4", "2023-10-01", school=S3),
        absence("R01", "LUXE", "2023-01-05", "2023-01-12", S1),
        absence("R03", "RELATIEF", "2023-09-20", "2023-09-25", SB),
        absence("R04", "RELATIEF", "2022-12-01", "2023-01-29", S2, vrijstelling="J"),
        absence("R06", "RELATIEF", "2022-10-03", "2022-10-29", S2),
        absence("R07", "RELATIEF", "2022-12-01", "2022-12-28", S2),
        absence("R08", "ABSOLUUT", "2023-09-01", None, None),
        absence("R10", "RELATIEF", "2022-11-01", "2022-11-10", S2),
        absence("R10", "RELATIEF", "2023-02-01", "2023-03-10", S1),
        absence("R11", "RELATIEF", "2023-05-01", None, S1),
        absence("R12", "ABSOLUUT", "2022-09-01", "2023-01-31", None),
    )


def test_g1_counts_pupils_per_school_wijk_and_gemeente(school: duckdb.DuckDBPyConnection) -> None:
    """Y1: 11 pupils (R12 is none); Y2: 7, after R05, R06, R08 and R09 left and R07 moved to S3."""
    assert cells(school, "G1") == {
        (Y1, "gemeente", GM, None): (11, None),
        (Y1, "school", S1, None): (3, None),
        (Y1, "school", SB, None): (1, None),
        (Y1, "school", S2, None): (5, None),
        (Y1, "school", S3, None): (2, None),
        (Y1, "wijk", W1, None): (6, None),
        (Y1, "wijk", W2, None): (5, None),
        (Y2, "gemeente", GM, None): (7, None),
        (Y2, "school", S1, None): (3, None),
        (Y2, "school", SB, None): (1, None),
        (Y2, "school", S2, None): (2, None),
        (Y2, "school", S3, None): (1, None),
        (Y2, "wijk", W1, None): (3, None),
        (Y2, "wijk", W2, None): (4, None),
    }


def test_d1_counts_new_dyslexia_trajectories_of_bao_and_sbo_pupils_per_100(school: duckdb.DuckDBPyConnection) -> None:
    """BAO/SBO pupils: R01 R02 R11 (S1) and R03 (SB) in both years. Y1 new dyslexia trajectories: T41 (R01);
    T44 started in 2021 and T45 is of a VO pupil → 1/4 = 25 per 100; S1 1/3 = 33.33; SB 0/1; W1 (R01 R02)
    1/2 = 50; W2 (R03 R11) 0/2. Y2: T42 and T43, both R02 → 2/4 = 50; S1 2/3 = 66.67; W1 2/2 = 100.
    The VO and MBO schools have no D1 row."""
    assert cells(school, "D1") == {
        (Y1, "gemeente", GM, None): (1, 4),
        (Y1, "school", S1, None): (1, 3),
        (Y1, "school", SB, None): (0, 1),
        (Y1, "wijk", W1, None): (1, 2),
        (Y1, "wijk", W2, None): (0, 2),
        (Y2, "gemeente", GM, None): (2, 4),
        (Y2, "school", S1, None): (2, 3),
        (Y2, "school", SB, None): (0, 1),
        (Y2, "wijk", W1, None): (2, 2),
        (Y2, "wijk", W2, None): (0, 2),
    }
    shown = values(school, "D1")
    assert shown[(Y1, "gemeente", GM, None)] == 25.0
    assert shown[(Y2, "school", S1, None)] == 66.67


def test_e1_counts_leavers_under_23_without_startkwalificatie_and_skips_the_last_year(
    school: duckdb.DuckDBPyConnection,
) -> None:
    """Cohort Y1 (VO/MBO, under 23 on 2022-10-01): R04 R05 R06 R07 R10 and R09 (22; turning 23 in November
    does not matter); R08 is 23 and out → 6. Not enrolled on 2023-10-01: R05, R06, R09 (R07 is at S3).
    Startkwalificatie by then: R06 (HAVO 2023-06-30) and R09 (MBO-4 dated 2023-10-01, on the peildatum
    itself) → only R05: 1/6. S2: 1/5; S3: R09 → 0/1; W1: R05 R06 R10 → 1/3; W2: R04 R07 R09 → 0/3.
    Y2 is the last year: no next peildatum, so no E1 row at all (not zero)."""
    assert cells(school, "E1") == {
        (Y1, "gemeente", GM, None): (1, 6),
        (Y1, "school", S2, None): (1, 5),
        (Y1, "school", S3, None): (0, 1),
        (Y1, "wijk", W1, None): (1, 3),
        (Y1, "wijk", W2, None): (0, 3),
    }
    assert values(school, "E1")[(Y1, "gemeente", GM, None)] == 16.67


def test_e2_counts_leavers_of_any_age_with_startkwalificatie(school: duckdb.DuckDBPyConnection) -> None:
    """VO/MBO pupils of Y1 not enrolled anywhere on 2023-10-01: R05, R06, R08 (23, no age limit for E2), R09
    → 4; with a startkwalificatie: R06, R09 → 2/4 = 50 %. S2: R05 R06 → 1/2; S3: R08 R09 → 1/2; W1: R05 R06
    R08 → 1/3; W2: R09 → 1/1. Like E1, nothing for the last year."""
    assert cells(school, "E2") == {
        (Y1, "gemeente", GM, None): (2, 4),
        (Y1, "school", S2, None): (1, 2),
        (Y1, "school", S3, None): (1, 2),
        (Y1, "wijk", W1, None): (1, 3),
        (Y1, "wijk", W2, None): (1, 1),
    }


def test_f2_counts_pupils_with_a_new_relatief_case_at_their_own_school(school: duckdb.DuckDBPyConnection) -> None:
    """RELATIEF cases starting in Y1, with or without vrijstelling: R04 (J), R06, R07, R10 (two cases, once),
    R11 → 5/11 = 454.55 per 1.000. R01's case is LUXE; R12 is no pupil. Attribution is the pupil's own school:
    R10's case at S1 counts for S2. S1: R11 → 1/3; SB 0/1; S2: R04 R06 R07 R10 → 4/5 = 800; S3 0/2;
    W1: R06 R10 → 2/6; W2: R04 R07 R11 → 3/5 = 600. Y2: only R03 (SB) → 1/7 = 142.86; SB 1/1; W2 1/4."""
    assert cells(school, "F2") == {
        (Y1, "gemeente", GM, None): (5, 11),
        (Y1, "school", S1, None): (1, 3),
        (Y1, "school", SB, None): (0, 1),
        (Y1, "school", S2, None): (4, 5),
        (Y1, "school", S3, None): (0, 2),
        (Y1, "wijk", W1, None): (2, 6),
        (Y1, "wijk", W2, None): (3, 5),
        (Y2, "gemeente", GM, None): (1, 7),
        (Y2, "school", S1, None): (0, 3),
        (Y2, "school", SB, None): (1, 1),
        (Y2, "school", S2, None): (0, 2),
        (Y2, "school", S3, None): (0, 1),
        (Y2, "wijk", W1, None): (0, 3),
        (Y2, "wijk", W2, None): (1, 4),
    }
    shown = values(school, "F2")
    assert shown[(Y1, "gemeente", GM, None)] == 454.55
    assert shown[(Y2, "gemeente", GM, None)] == 142.86


def test_f4_counts_thuiszitters_persons_not_pupils_and_relatief_at_the_case_school(
    school: duckdb.DuckDBPyConnection,
) -> None:
    """Thuiszitter cases overlapping Y1 (vrijstelling N; ABSOLUUT, or RELATIEF of >= 28 days counting both end
    days): R07 (2022-12-01..12-28 = 28 days, just enough), R10 (S1 case, 38 days; the 10-day case does not
    count), R11 (open: until 2023-07-31 = 92 days), R12 (ABSOLUUT, no pupil but a person of 14). Not: R06
    (27 days), R04 (vrijstelling), R01 (LUXE), R08 (starts in Y2). → 4 per 11 pupils = 363.64 per 1.000.
    School level, RELATIEF only, at the case's school: S1 = R10 and R11 → 2/3 = 666.67; S2 = R07 → 1/5; SB
    0/1; S3 0/2. Wijk: W1 = R10 R12 → 2/6; W2 = R07 R11 → 2/5 = 400.
    Y2: R11's open case again (until 2024-07-31); R08's ABSOLUUT case does not count (24 years old); R03's
    case lasts 6 days → 1/7; S1 1/3; W2 1/4."""
    assert cells(school, "F4") == {
        (Y1, "gemeente", GM, None): (4, 11),
        (Y1, "school", S1, None): (2, 3),
        (Y1, "school", SB, None): (0, 1),
        (Y1, "school", S2, None): (1, 5),
        (Y1, "school", S3, None): (0, 2),
        (Y1, "wijk", W1, None): (2, 6),
        (Y1, "wijk", W2, None): (2, 5),
        (Y2, "gemeente", GM, None): (1, 7),
        (Y2, "school", S1, None): (1, 3),
        (Y2, "school", SB, None): (0, 1),
        (Y2, "school", S2, None): (0, 2),
        (Y2, "school", S3, None): (0, 1),
        (Y2, "wijk", W1, None): (0, 3),
        (Y2, "wijk", W2, None): (1, 4),
    }
    shown = values(school, "F4")
    assert shown[(Y1, "gemeente", GM, None)] == 363.64
    assert shown[(Y1, "school", S1, None)] == 666.67
    gemeente_on_school_rows = school.execute(
        "SELECT DISTINCT round(gemeente_waarde, 2) FROM indicators WHERE indicator = 'F4' AND niveau = 'school' "
        "AND schooljaar = ?",
        [Y1],
    ).fetchall()
    assert gemeente_on_school_rows == [(363.64,)], "the gemeente's F4 (ABSOLUUT and RELATIEF) for comparison"
