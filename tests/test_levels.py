"""Many gemeenten in one inbox: who counts where, and the levels above a gemeente (docs/levels.md).

A hand-made inbox of the three gemeenten of jeugdregio JZ43 (Midden-Limburg West in the CBS indeling): Weert
(GM0988, the run's own), Nederweert (GM0946) and Leudal (GM1640). By the Regeling regio-indeling the PC4 areas of
Weert and Nederweert lie in samenwerkingsverband PO3103 (both gemeenten, nothing else: complete in this run);
Leudal's in PO3102, which also spans Echt-Susteren, Maasgouw, Roerdalen and Roermond (not in the run, so not
published). Jeugdregio JZ43 holds exactly these three gemeenten, so it is published.

Schools (primary, BAO): SW at PC4 6001 (Weert), SN at 6031 (Nederweert), SL at 6011 (Leudal).
Pupils, enrolled all of 2022-08-01 .. 2024-07-31 (school years Y1 = 2022/2023, peildatum 2022-10-01, and
Y2 = 2023/2024, peildatum 2023-10-01):

| pupil | school | lives in (BRP)                                   | youth care (45) |
|-------|--------|--------------------------------------------------|-----------------|
| P1    | SW     | Weert, wijk WA                                   | yes             |
| P2    | SW     | Nederweert, wijk NA (crosses the border)         | yes             |
| P3    | SN     | Nederweert, wijk NA                              | no              |
| P4    | SL     | Leudal, wijk LA                                  | no              |
| P5    | SN     | Weert, wijk WB (crosses the border)              | no              |
| P6    | SL     | Leudal, wijk LA; moves to Weert, wijk WA, on 2023-03-01 | yes      |
| P7    | SN     | no address in the data (onderwijsnummer only)    | no              |
| P8    | SW     | Amsterdam (outside the run); leaves SW on 2023-07-15 | no          |
"""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from pipelines.lib.settings import MonitorConfig
from pipelines.protect import indicator_table
from pipelines.protect.indicator_table import check_protected, protect_for_publication
from pipelines.protect.parts import PART, distinct_units, part_of_units
from pipelines.publish.views import gemeente_view
from tests.indicator_fixtures import (
    Y1,
    Y2,
    build_warehouse,
    enrolment,
    pupil,
    residence,
    trajectory,
)

WEERT, NEDERWEERT, LEUDAL = "GM0988", "GM0946", "GM1640"
GEMEENTEN = {WEERT: "Weert", NEDERWEERT: "Nederweert", LEUDAL: "Leudal"}
SW, SN, SL = "31AA00", "32BB00", "33CC00"
SCHOOLS = [
    ("31AA", SW, "Basisschool Weert", "6001AB", "0988"),
    ("32BB", SN, "Basisschool Nederweert", "6031AB", "0946"),
    ("33CC", SL, "Basisschool Leudal", "6011AB", "1640"),
]
WA, WB, NA, LA = "WK098801", "WK098802", "WK094601", "WK164001"
WIJKEN = [(WA, "Weert-Centrum"), (WB, "Weert-Zuid"), (NA, "Nederweert-Centrum"), (LA, "Heythuysen")]
ONB = "ONBEKEND"


@pytest.fixture(scope="module")
def region() -> duckdb.DuckDBPyConnection:
    return build_warehouse(
        pupil("P1", SW, wijk=None),
        residence("P1", WA, gemeente=WEERT),
        pupil("P2", SW, wijk=None),
        residence("P2", NA, gemeente=NEDERWEERT),
        pupil("P3", SN, wijk=None),
        residence("P3", NA, gemeente=NEDERWEERT),
        pupil("P4", SL, wijk=None),
        residence("P4", LA, gemeente=LEUDAL),
        pupil("P5", SN, wijk=None),
        residence("P5", WB, gemeente=WEERT),
        pupil("P6", SL, wijk=None),
        residence("P6", LA, end="2023-03-01", gemeente=LEUDAL),
        residence("P6", WA, start="2023-03-01", gemeente=WEERT),
        enrolment("P7", SN, id_type="onderwijsnummer"),
        pupil("P8", SW, wijk=None, end="2023-07-15"),
        residence("P8", None, gemeente="GM0363"),
        trajectory("T1", "P1", start="2022-01-01"),
        trajectory("T2", "P2", start="2022-01-01"),
        trajectory("T6", "P6", start="2022-01-01"),
        gemeenten=GEMEENTEN,
        schools=SCHOOLS,
        wijken=WIJKEN,
    )


def a1(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str, str | None, str], tuple[float, float]]:
    rows = con.execute(
        "SELECT schooljaar, niveau, gemeente_code, eenheid_code, teller, noemer FROM indicators WHERE indicator = 'A1'"
    ).fetchall()
    return {(r[0], r[1], r[2], r[3]): (r[4], r[5]) for r in rows}


def test_every_level_of_a1_worked_out_by_hand(region: duckdb.DuckDBPyConnection) -> None:
    """A1 (pupils with youth care / pupils) per level.

    Schools count all their pupils, wherever they live, and belong to the school's gemeente (DUO):
    SW = P1 P2 P8 → 2/3 in Y1, P1 P2 → 2/2 in Y2 (P8 has left); SN = P3 P5 P7 → 0/3; SL = P4 P6 → 1/2.
    Samenwerkingsverband PO3103 = SW + SN → 2/6 in Y1, 2/5 in Y2 (SL lies in PO3102, not complete here: no row).
    Gemeenten count the pupils who live there (woonplaatsbeginsel); P7 has no address, so he counts for the
    gemeente of his school (Nederweert), in its wijk ONBEKEND; P8 lives outside the run and counts for none.
    Y1: Weert P1 P5 → 1/2; Nederweert P2 P3 P7 → 1/3; Leudal P4 P6 → 1/2. Y2 (P6 has moved to Weert):
    Weert P1 P5 P6 → 2/3; Nederweert 1/3; Leudal P4 → 0/1.
    Jeugdregio JZ43 = the three gemeenten: P1..P7 → 3/7 both years (P8 not).
    Wijken, Y1: WA P1 1/1, WB P5 0/1, NA P2 P3 1/2, Nederweert ONBEKEND P7 0/1, LA P4 P6 1/2;
    Y2: WA P1 P6 2/2, LA P4 0/1, the others as in Y1.
    """
    got = a1(region)
    Cell = tuple[str, str, str | None, str]
    schools: dict[Cell, tuple[float, float]] = {(y, "school", g, s): v for y in (Y1, Y2) for g, s, v in
               ((NEDERWEERT, SN, (0, 3)), (LEUDAL, SL, (1, 2)))}  # fmt: skip
    expected: dict[Cell, tuple[float, float]] = {
        **schools,
        (Y1, "school", WEERT, SW): (2, 3),
        (Y2, "school", WEERT, SW): (2, 2),
        (Y1, "samenwerkingsverband", None, "PO3103"): (2, 6),
        (Y2, "samenwerkingsverband", None, "PO3103"): (2, 5),
        **{(y, "jeugdregio", None, "JZ43"): (3, 7) for y in (Y1, Y2)},
        (Y1, "gemeente", WEERT, WEERT): (1, 2),
        (Y1, "gemeente", NEDERWEERT, NEDERWEERT): (1, 3),
        (Y1, "gemeente", LEUDAL, LEUDAL): (1, 2),
        (Y2, "gemeente", WEERT, WEERT): (2, 3),
        (Y2, "gemeente", NEDERWEERT, NEDERWEERT): (1, 3),
        (Y2, "gemeente", LEUDAL, LEUDAL): (0, 1),
        (Y1, "wijk", WEERT, WA): (1, 1),
        (Y1, "wijk", WEERT, WB): (0, 1),
        (Y1, "wijk", NEDERWEERT, NA): (1, 2),
        (Y1, "wijk", NEDERWEERT, ONB): (0, 1),
        (Y1, "wijk", LEUDAL, LA): (1, 2),
        (Y2, "wijk", WEERT, WA): (2, 2),
        (Y2, "wijk", WEERT, WB): (0, 1),
        (Y2, "wijk", NEDERWEERT, NA): (1, 2),
        (Y2, "wijk", NEDERWEERT, ONB): (0, 1),
        (Y2, "wijk", LEUDAL, LA): (0, 1),
    }
    assert got == expected


def test_no_country_without_a_national_run(region: duckdb.DuckDBPyConnection) -> None:
    """`nederland` needs [region] national = true; PO3102 and Leudal's VO samenwerkingsverband are incomplete."""
    levels = region.execute("SELECT DISTINCT niveau, eenheid_code FROM indicators WHERE niveau NOT IN "
                            "('school', 'wijk', 'gemeente') ORDER BY ALL").fetchall()  # fmt: skip
    assert levels == [("jeugdregio", "JZ43"), ("samenwerkingsverband", "PO3103")]


def test_the_parents_of_each_unit_are_the_units_it_adds_up_to(region: duckdb.DuckDBPyConnection) -> None:
    """Wijken belong to their gemeente, gemeenten to the jeugdregio, SW and SN to PO3103. A school adds up to its
    gemeente only where no pupil crosses the gemeente's border: Leudal in Y1 (P4 and P6 live there and go to SL),
    not in Y2 (P6 lives in Weert) and never Weert or Nederweert."""
    rows = region.execute(
        "SELECT DISTINCT schooljaar, niveau, eenheid_code, gemeente_code, ouders FROM indicators ORDER BY ALL"
    ).fetchall()
    parents = {(r[0], r[1], r[2], r[3]): r[4] for r in rows}
    for year in (Y1, Y2):
        assert parents[(year, "wijk", ONB, NEDERWEERT)] == [f"gemeente|{NEDERWEERT}"]
        assert parents[(year, "wijk", WA, WEERT)] == [f"gemeente|{WEERT}"]
        assert parents[(year, "gemeente", WEERT, WEERT)] == ["jeugdregio|JZ43"]
        assert parents[(year, "school", SW, WEERT)] == ["samenwerkingsverband|PO3103"]
        assert parents[(year, "samenwerkingsverband", "PO3103", None)] == []
        assert parents[(year, "jeugdregio", "JZ43", None)] == []
    assert parents[(Y1, "school", SL, LEUDAL)] == [f"gemeente|{LEUDAL}"]
    assert parents[(Y2, "school", SL, LEUDAL)] == []


def test_school_rows_carry_their_own_gemeentes_value(region: duckdb.DuckDBPyConnection) -> None:
    """gemeente_waarde on SW is Weert's A1 (1/2 = 50 % in Y1), on SN Nederweert's (33.33 %), on a wijk of
    Leudal Leudal's (50 %); the samenwerkingsverband and the jeugdregio have none."""
    rows = region.execute(
        "SELECT niveau, eenheid_code, round(gemeente_waarde, 2) FROM indicators WHERE indicator = 'A1' "
        "AND schooljaar = ? AND niveau <> 'gemeente' ORDER BY ALL",
        [Y1],
    ).fetchall()
    got = {(n, c): g for n, c, g in rows}
    assert got[("school", SW)] == 50.0
    assert got[("school", SN)] == 33.33
    assert got[("wijk", LA)] == 50.0
    assert got[("samenwerkingsverband", "PO3103")] is None
    assert got[("jeugdregio", "JZ43")] is None


def test_the_region_is_protected_in_parts_each_checked_on_its_own(region: duckdb.DuckDBPyConnection) -> None:
    """Two parts: jeugdregio JZ43 with its gemeenten, their wijken and Leudal's school SL (which adds up to
    Leudal in Y1), and samenwerkingsverband PO3103 with SW and SN. Protection and the independent check run per
    part; the wijken ONBEKEND of the gemeenten stay apart (ONBEKEND|<gemeente> while protected)."""
    indicators = region.sql("SELECT i.*, c.factor FROM indicators i JOIN ref_catalogue c ON c.id = i.indicator").pl()
    parts = part_of_units(distinct_units(indicators))
    part = dict(((n, c), p) for n, c, p in parts.rows())
    assert parts.get_column(PART).n_unique() == 2
    assert part[("jeugdregio", "JZ43")] == part[("gemeente", LEUDAL)] == part[("school", SL)]
    assert part[("wijk", f"ONBEKEND|{NEDERWEERT}")] == part[("wijk", WA)] == part[("gemeente", WEERT)]
    assert part[("samenwerkingsverband", "PO3103")] == part[("school", SW)] == part[("school", SN)]
    assert part[("school", SW)] != part[("gemeente", WEERT)]
    rules = MonitorConfig.load().disclosure
    protected, _ = protect_for_publication(indicators, rules)
    assert protected.height == indicators.height
    assert protected.filter(pl.col("niveau") == "wijk", pl.col("eenheid_code") == ONB).height > 0
    report = check_protected(protected, indicators, rules)
    assert report.passed, report.violations


def test_a_gemeente_publication_shows_its_own_units_and_the_levels_above_it(
    region: duckdb.DuckDBPyConnection,
) -> None:
    """Nederweert's publication: its school SN, its wijken (NA, ONBEKEND), itself, PO3103 (its school's) and
    JZ43; not Weert's school SW, though SW is in PO3103 too, and not Leudal."""
    indicators = region.sql("SELECT * FROM indicators").pl()
    schools = pl.DataFrame(
        {"eenheid_code": [SW, SN, SL], "po_swv": ["PO3103", "PO3103", None], "vo_swv": [None, None, None]}
    )
    units = set(gemeente_view(indicators, schools, NEDERWEERT).select("niveau", "eenheid_code").unique().rows())
    assert units == {
        ("school", SN),
        ("wijk", NA),
        ("wijk", ONB),
        ("gemeente", NEDERWEERT),
        ("samenwerkingsverband", "PO3103"),
        ("jeugdregio", "JZ43"),
    }


def test_parts_protected_in_worker_processes_give_the_same_table(
    region: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large parts go to worker processes (one per core); the outcome is the same as one after the other."""
    indicators = region.sql("SELECT i.*, c.factor FROM indicators i JOIN ref_catalogue c ON c.id = i.indicator").pl()
    rules = MonitorConfig.load().disclosure
    one_by_one, _ = protect_for_publication(indicators, rules)
    monkeypatch.setattr(indicator_table, "PARALLEL_ROWS", 1)
    monkeypatch.setattr(indicator_table.os, "cpu_count", lambda: 2)
    in_workers, _ = protect_for_publication(indicators, rules)
    assert in_workers.equals(one_by_one)


def test_a_national_run_adds_the_country_as_the_sum_of_its_samenwerkingsverbanden() -> None:
    """With `national = true` (here: the country is these three gemeenten) every samenwerkingsverband counts as
    complete, so SL's PO3102 is published too, and the country adds up to the samenwerkingsverbanden (with the
    schools that have none: here every school has one) and to its jeugdregio's, so the country is one part (its
    protection in layers is not built yet: docs/levels.md). P1..P7 as above, no P8:
    NL A1 = P1 P2 P6 of 7 = 3/7 = PO3103 (2/5: SW P1 P2, SN P3 P5 P7) + PO3102 (1/2: SL P4 P6)."""
    con = build_warehouse(
        pupil("P1", SW, wijk=None),
        residence("P1", WA, gemeente=WEERT),
        pupil("P2", SW, wijk=None),
        residence("P2", NA, gemeente=NEDERWEERT),
        pupil("P3", SN, wijk=None),
        residence("P3", NA, gemeente=NEDERWEERT),
        pupil("P4", SL, wijk=None, end="2023-07-15"),
        residence("P4", LA, gemeente=LEUDAL),
        pupil("P5", SN, wijk=None),
        residence("P5", WB, gemeente=WEERT),
        pupil("P6", SL, wijk=None),
        residence("P6", LA, gemeente=LEUDAL),
        enrolment("P7", SN, id_type="onderwijsnummer"),
        trajectory("T1", "P1", start="2022-01-01"),
        trajectory("T2", "P2", start="2022-01-01"),
        trajectory("T6", "P6", start="2022-01-01"),
        gemeenten=GEMEENTEN,
        schools=SCHOOLS,
        wijken=WIJKEN,
        national=True,
    )
    got = a1(con)
    assert got[(Y1, "nederland", None, "NL")] == (3, 7)
    assert got[(Y1, "samenwerkingsverband", None, "PO3103")] == (2, 5)
    assert got[(Y1, "samenwerkingsverband", None, "PO3102")] == (1, 2)
    parents = dict(
        ((r[0], r[1]), r[2])
        for r in con.execute(
            "SELECT DISTINCT niveau, eenheid_code, ouders FROM indicators WHERE schooljaar = ?", [Y1]
        ).fetchall()
    )
    assert parents[("samenwerkingsverband", "PO3102")] == ["nederland|NL|scholen"]
    assert parents[("jeugdregio", "JZ43")] == ["nederland|NL"]
    indicators = con.sql("SELECT * FROM indicators").pl()
    assert part_of_units(distinct_units(indicators)).get_column(PART).n_unique() == 1, "the country ties all"
