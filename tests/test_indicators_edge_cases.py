"""Edge cases of spec §2 and §3, each a few hand-made persons through the real SQL.

Every case keeps the fixture convention of tests/indicator_fixtures.py: the first school year is 2022/2023
(a pupil leaving on 2023-07-15 marks it) and the last 2023/2024.
"""

from __future__ import annotations

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
    declaration,
    diploma,
    enrolment,
    pupil,
    residence,
    trajectory,
)

LEAVER = pupil("Z99", S1, "BAO", wijk=W1, end="2023-07-15")  # marks the first school year, no other role


def test_a_pupil_enrolled_at_two_schools_belongs_to_the_latest_enrolment_then_the_lowest_code() -> None:
    """On 2022-10-01 P1 is enrolled at S2 (since 2022-08-01) and at S1 (since 2022-09-01): the latest
    enrolment wins → S1. P2 is enrolled at both since the same day: the lowest vestiging code → 11AA00 (S1).
    So S1 has P1, P2 and the leaver Z99 (3), S2 none in Y1; every pupil counts once at the gemeente (3)."""
    con = build_warehouse(
        LEAVER,
        pupil("P1", S2, "VWO", born="2010-01", wijk=W1),
        enrolment("P1", S1, "BAO", born="2010-01", start="2022-09-01"),
        pupil("P2", S2, "VWO", born="2010-01", wijk=W1),
        enrolment("P2", S1, "BAO", born="2010-01"),
    )
    g1 = cells(con, "G1")
    assert g1[(Y1, "school", S1, None)] == (3, None)
    assert (Y1, "school", S2, None) not in g1
    assert g1[(Y1, "gemeente", GM, None)] == (3, None)


def test_a_trajectory_without_end_is_active_in_every_year_from_its_start() -> None:
    """T1 starts 2022-03-01 and never ends: active in Y1 and Y2, new in neither (it started in 2021/2022).
    T2 ends on 2022-08-01, the first day of Y1: still active in Y1 (end >= 1 August), not in Y2."""
    con = build_warehouse(
        LEAVER,
        pupil("P1", S1, "BAO", wijk=W1),
        pupil("P2", S1, "BAO", wijk=W1),
        trajectory("T1", "P1", "45", "2022-03-01", None),
        trajectory("T2", "P2", "45", "2021-09-01", "2022-08-01"),
    )
    a1, a6 = cells(con, "A1"), cells(con, "A6")
    assert a1[(Y1, "gemeente", GM, None)] == (2, 3)
    assert a1[(Y2, "gemeente", GM, None)] == (1, 2)
    assert a6[(Y1, "gemeente", GM, None)] == (0, 3)
    assert a6[(Y2, "gemeente", GM, None)] == (0, 2)


def test_start_and_end_of_care_replace_the_allocation_dates_when_known() -> None:
    """T1 is allocated from 2023-07-01 (Y1) but care starts on 2023-08-15 (JW305): new in Y2, not in Y1, and
    not active in Y1. T2 is allocated until 2024-07-31 but care stopped on 2023-06-30 (JW307): not active in Y2."""
    con = build_warehouse(
        LEAVER,
        pupil("P1", S1, "BAO", wijk=W1),
        pupil("P2", S1, "BAO", wijk=W1),
        trajectory("T1", "P1", "45", "2023-07-01", care_start="2023-08-15"),
        trajectory("T2", "P2", "45", "2022-09-01", "2024-07-31", care_end="2023-06-30"),
    )
    a1, a6 = cells(con, "A1"), cells(con, "A6")
    assert a1[(Y1, "gemeente", GM, None)] == (1, 3), "only P2"
    assert a6[(Y1, "gemeente", GM, None)] == (1, 3), "only T2"
    assert a1[(Y2, "gemeente", GM, None)] == (1, 2), "only P1"
    assert a6[(Y2, "gemeente", GM, None)] == (1, 2), "only T1"


def test_a_declaration_before_the_trajectory_starts_counts_in_the_year_it_falls_in() -> None:
    """T1 starts on 2023-09-01 (Y2), but its first line is for July 2023 (Y1): 400 in Y1, although T1 is not
    active then, and 600 in Y2. C4 counts T1 as a trajectory with cost in both years."""
    con = build_warehouse(
        LEAVER,
        pupil("P1", S1, "BAO", wijk=W1),
        trajectory("T1", "P1", "45", "2023-09-01"),
        declaration("T1", "P1", "2023-07-01", "400.00"),
        declaration("T1", "P1", "2023-09-01", "600.00"),
    )
    c4 = cells(con, "C4")
    assert c4[(Y1, "gemeente", GM, None)] == (400, 1)
    assert c4[(Y2, "gemeente", GM, None)] == (600, 1)


def test_credits_are_subtracted_and_may_make_a_year_negative() -> None:
    """T1: 1000 D in September 2022, then in Y2 a 300 C correcting it and nothing else → Y1 +1000, Y2 -300.
    T2: 500 D and 500 C in the same month → 0: no trajectory with cost, so C3 and C4 have noemer 0 in Y1
    for P2's part. Gemeente Y1: C1 1000, C3 1000/1 (only P1), C4 1000/1; Y2: C1 -300 over P1."""
    con = build_warehouse(
        LEAVER,
        pupil("P1", S1, "BAO", wijk=W1),
        pupil("P2", S1, "BAO", wijk=W2),
        trajectory("T1", "P1", "45", "2022-09-01", "2023-06-30"),
        trajectory("T2", "P2", "45", "2022-09-01", "2023-06-30"),
        declaration("T1", "P1", "2022-09-01", "1000.00"),
        declaration("T1", "P1", "2023-08-01", "300.00", "C"),
        declaration("T2", "P2", "2022-10-01", "500.00"),
        declaration("T2", "P2", "2022-10-01", "500.00", "C"),
    )
    assert cells(con, "C1")[(Y1, "gemeente", GM, None)] == (1000, None)
    assert cells(con, "C1")[(Y2, "gemeente", GM, None)] == (-300, None)
    assert cells(con, "C3")[(Y1, "gemeente", GM, None)] == (1000, 1)
    assert cells(con, "C3")[(Y1, "wijk", W2, None)] == (0, 0)
    assert cells(con, "C4")[(Y2, "gemeente", GM, None)] == (-300, 1)


def test_a_person_moving_between_wijken_counts_where_they_live_on_the_peildatum() -> None:
    """P1 lives in W1 until 2023-10-01 and in W2 from that day (the old period's end is exclusive): W1 in Y1,
    W2 in Y2. P2 moves on 2023-10-02, one day after the peildatum: W1 in both years."""
    con = build_warehouse(
        LEAVER,
        enrolment("P1", S1, "BAO"),
        residence("P1", W1, end="2023-10-01"),
        residence("P1", W2, start="2023-10-01"),
        enrolment("P2", S1, "BAO"),
        residence("P2", W1, end="2023-10-02"),
        residence("P2", W2, start="2023-10-02"),
    )
    g1 = cells(con, "G1")
    assert g1[(Y1, "wijk", W1, None)] == (3, None), "P1, P2 and the leaver"
    assert (Y1, "wijk", W2, None) not in g1
    assert g1[(Y2, "wijk", W1, None)] == (1, None), "P2"
    assert g1[(Y2, "wijk", W2, None)] == (1, None), "P1"


def test_an_unknown_wijk_is_onbekend_for_every_reason() -> None:
    """P1 has no residence at all, P2 only an onderwijsnummer, P3 an address outside the gemeente and P4 an
    address whose postcode was not in the CBS table (no buurt, wijk or gemeente). P3 lives in another gemeente
    and counts for that one (woonplaatsbeginsel), not here; the other three have no known gemeente, so they count
    for the gemeente of their school, in wijk ONBEKEND. With the leaver (W1): ONBEKEND 3 of 4; school S1 has all."""
    con = build_warehouse(
        LEAVER,
        enrolment("P1", S1, "BAO"),
        enrolment("P2", S1, "BAO", id_type="onderwijsnummer"),
        enrolment("P3", S1, "BAO"),
        residence("P3", None, gemeente=ELSEWHERE),
        enrolment("P4", S1, "BAO"),
        residence("P4", None, gemeente=None),
    )
    assert cells(con, "G1")[(Y1, "wijk", "ONBEKEND", None)] == (3, None)
    assert cells(con, "G1")[(Y1, "wijk", W1, None)] == (1, None)
    assert cells(con, "G1")[(Y1, "gemeente", GM, None)] == (4, None)
    assert cells(con, "G1")[(Y1, "school", S1, None)] == (5, None)


def test_an_empty_verwijzer_is_onbekend() -> None:
    """T1 has no verwijzer (empty COD327): it is counted in category onbekend, 1 of 1."""
    con = build_warehouse(LEAVER, pupil("P1"), trajectory("T1", "P1", "45", "2022-09-01", verwijzer=None))
    b1 = cells(con, "B1")
    assert b1[(Y1, "gemeente", GM, "onbekend")] == (1, 1)
    assert b1[(Y1, "gemeente", GM, "01")] == (0, 1)


def test_a_product_code_outside_the_national_list_gets_its_form_from_the_categorie() -> None:
    """T1 has a municipal code 36ZZZ in categorie 36 → met verblijf; T2 a municipal code 45ZZZ → zonder
    verblijf; T3 crisis (46) with a residential code 46A03 is still crisis."""
    con = build_warehouse(
        LEAVER,
        pupil("P1"),
        pupil("P2"),
        pupil("P3"),
        trajectory("T1", "P1", "36", "2022-09-01", code="36ZZZ"),
        trajectory("T2", "P2", "45", "2022-09-01", code="45ZZZ"),
        trajectory("T3", "P3", "46", "2022-09-01", code="46A03"),
    )
    a2 = cells(con, "A2")
    assert a2[(Y1, "gemeente", GM, "met_verblijf")] == (1, 4)
    assert a2[(Y1, "gemeente", GM, "zonder_verblijf")] == (1, 4)
    assert a2[(Y1, "gemeente", GM, "crisis")] == (1, 4)


def test_a_redelivered_toewijzingnummer_counts_once_with_its_latest_allocation() -> None:
    """T1 is delivered twice: allocated from 2022-09-01 (referrer 02) and again from 2023-09-01 (referrer
    01). The later row wins: one trajectory, new in Y2 with referrer 01; not active in Y1."""
    con = build_warehouse(
        LEAVER,
        pupil("P1"),
        trajectory("T1", "P1", "45", "2022-09-01", verwijzer="02"),
        trajectory("T1", "P1", "45", "2023-09-01", verwijzer="01"),
    )
    assert cells(con, "A1")[(Y1, "gemeente", GM, None)] == (0, 2)
    assert cells(con, "B1")[(Y2, "gemeente", GM, "01")] == (1, 1)


def test_age_comes_from_the_register_else_from_the_enrolment() -> None:
    """P1 is 22 by the register (born 2000-01) although the enrolment says 2010-01: in the E1 cohort as 22.
    P2 has only an onderwijsnummer, so its enrolment birth month (1999-05, 23 on 2022-10-01) decides: out of
    the E1 cohort. P3 (born 1999-11) is 22 on the peildatum and turns 23 in November 2022: in the cohort.
    None of them is enrolled on 2023-10-01 and none has a diploma → E1 = 2/2 (P1 and P3). E2 (no age
    limit) = 0/3 of the leavers P1, P2, P3. Z99 and P4 (who keeps the data running into Y2) are BAO pupils."""
    con = build_warehouse(
        LEAVER,
        enrolment("P1", S2, "MBO-2", born="2010-01", end="2023-06-30"),
        residence("P1", W1, born="2000-01"),
        enrolment("P2", S2, "MBO-2", born="1999-05", end="2023-06-30", id_type="onderwijsnummer"),
        pupil("P3", S2, "MBO-3", born="1999-11", wijk=W2, end="2023-06-30"),
        pupil("P4", S1, "BAO"),
    )
    assert cells(con, "E1")[(Y1, "gemeente", GM, None)] == (2, 2)
    assert cells(con, "E2")[(Y1, "gemeente", GM, None)] == (0, 3)


def test_e1_and_e2_are_not_computed_for_the_last_year() -> None:
    """Y2 has no next school year in the data: no E1 or E2 row for it, for any level (not a zero), while
    Y1 has them; a diploma dated after the next peildatum (2023-10-02) is no startkwalificatie for Y1."""
    con = build_warehouse(
        LEAVER,
        pupil("P1", S2, "HAVO", born="2006-01", wijk=W1, end="2023-06-30"),
        pupil("P2", S2, "HAVO", born="2006-01", wijk=W1),
        diploma("P1", "HAVO", "2023-10-02"),
    )
    e1, e2 = cells(con, "E1"), cells(con, "E2")
    assert {k[0] for k in e1} == {Y1}
    assert {k[0] for k in e2} == {Y1}
    assert e1[(Y1, "gemeente", GM, None)] == (1, 2)
    assert e2[(Y1, "gemeente", GM, None)] == (0, 1)
