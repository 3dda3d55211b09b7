"""Linkage quality: how the sources link per school year, and what of it may be published."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from pipelines.lib.settings import DisclosureRules
from pipelines.protect.linkage_quality import (
    PUBLISHED_COLUMNS,
    check_linkage_quality,
    protect_linkage_quality,
)
from tests.indicator_fixtures import (
    ELSEWHERE,
    GM,
    S1,
    S2,
    W1,
    W2,
    Y1,
    absence,
    build_warehouse,
    declaration,
    diploma,
    enrolment,
    pupil,
    residence,
    trajectory,
)

RULES = DisclosureRules(min_teller=10, min_noemer=50, min_cost_persons=10)


@pytest.fixture(scope="module")
def linkage() -> duckdb.DuckDBPyConnection:
    """Six persons, Y1 = 2022/2023 (peildatum 2022-10-01):
    K1 pupil (S1, W1, 8) with jeugdhulp T1; K2 pupil with only an onderwijsnummer (no address, 7);
    K3 pupil (S2, 14) living outside the gemeente; K4 resident of 2 with jeugdhulp; K5 resident of 16 with
    jeugdhulp and an ABSOLUUT absence case, no pupil; K6 pupil (S2, W2, 17) leaving 2023-07-15 with a HAVO
    diploma of 2023-06-30. Declarations in Y1: one line of T1 and one of the unknown toewijzingnummer X1."""
    return build_warehouse(
        pupil("K1", S1, "BAO", born="2014-03", wijk=W1),
        enrolment("K2", S1, "BAO", born="2015-03", id_type="onderwijsnummer"),
        enrolment("K3", S2, "HAVO", born="2008-01"),
        residence("K3", None, born="2008-01", gemeente=ELSEWHERE),
        residence("K4", W1, born="2020-01"),
        residence("K5", W2, born="2006-03"),
        pupil("K6", S2, "HAVO", born="2005-01", wijk=W2, end="2023-07-15"),
        trajectory("T1", "K1", "45", "2022-09-01"),
        trajectory("T4", "K4", "45", "2022-09-01"),
        trajectory("T5", "K5", "45", "2022-09-01"),
        declaration("T1", "K1", "2022-10-01", "100.00"),
        declaration("X1", "K1", "2022-11-01", "50.00"),
        absence("K5", "ABSOLUUT", "2022-09-01", None, None),
        diploma("K6", "HAVO", "2023-06-30"),
    )


def measure(con: duckdb.DuckDBPyConnection, maat: str, bron: str, year: str = Y1) -> dict[str | None, tuple]:
    rows = con.execute(
        "SELECT coalesce(leeftijdsgroep, doelbron), teller, noemer FROM linkage_quality "
        "WHERE schooljaar = ? AND maat = ? AND bron = ?",
        [year, maat, bron],
    ).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def test_pupils_are_counted_per_other_source_they_occur_in(linkage: duckdb.DuckDBPyConnection) -> None:
    """Pupils of Y1: K1, K2, K3, K6 (4). In the register: K1, K3 (an address elsewhere is still a record) and
    K6 → 3; K2 has no BSN and cannot link. Youth care and declarations: K1; diplomas: K6; absence: none."""
    assert measure(linkage, "koppeling", "inschrijvingen") == {
        "bewoners": (3, 4),
        "toewijzingen": (1, 4),
        "declaraties": (1, 4),
        "verzuim": (0, 4),
        "diplomas": (1, 4),
    }


def test_each_source_has_its_own_population_per_year(linkage: duckdb.DuckDBPyConnection) -> None:
    """Residents on 2022-10-01: K1, K4, K5, K6 (K3 lives elsewhere) → pupils among them K1, K6 = 2/4.
    Active trajectories: K1, K4, K5 → pupils 1/3. Absence cases: K5 → in the register 1/1, pupil 0/1."""
    assert measure(linkage, "koppeling", "bewoners")["inschrijvingen"] == (2, 4)
    assert measure(linkage, "koppeling", "toewijzingen")["inschrijvingen"] == (1, 3)
    assert measure(linkage, "koppeling", "verzuim")["bewoners"] == (1, 1)
    assert measure(linkage, "koppeling", "verzuim")["inschrijvingen"] == (0, 1)


def test_l1_is_part_of_the_report(linkage: duckdb.DuckDBPyConnection) -> None:
    """Residents aged 4-17 with active jeugdhulp: K1 (8) and K5 (16); K4 is 2. Pupil: K1 → 1/2."""
    assert measure(linkage, "L1", "toewijzingen") == {"inschrijvingen": (1, 2)}


def test_pupils_without_an_address_in_the_gemeente_by_age_band(linkage: duckdb.DuckDBPyConnection) -> None:
    """4-11: K1 (has one) and K2 (none) → 1/2; 12-17: K3 (elsewhere) and K6 → 1/2; every other band 0/0."""
    assert measure(linkage, "leerlingen_zonder_woonadres", "inschrijvingen") == {
        "0-3": (0, 0),
        "4-11": (1, 2),
        "12-17": (1, 2),
        "18-22": (0, 0),
        "23+": (0, 0),
        "onbekend": (0, 0),
    }


def test_youth_care_clients_who_are_no_pupil_by_age_band(linkage: duckdb.DuckDBPyConnection) -> None:
    """Active jeugdhulp in Y1: K4 (2, no pupil) → 0-3: 1/1; K1 (8, pupil) → 4-11: 0/1; K5 (16) → 12-17: 1/1."""
    got = measure(linkage, "jeugdhulpclienten_zonder_school", "toewijzingen")
    assert {k: v for k, v in got.items() if v[1]} == {"0-3": (1, 1), "4-11": (0, 1), "12-17": (1, 1)}


def test_declaration_lines_of_an_unknown_toewijzingnummer_are_reported(linkage: duckdb.DuckDBPyConnection) -> None:
    """Two lines in Y1, one of them (X1) of no known trajectory → 1/2; C1 leaves it out."""
    assert measure(linkage, "declaraties_zonder_toewijzing", "declaraties") == {"toewijzingen": (1, 2)}


def test_small_counts_are_never_published_and_no_person_level_row_is(linkage: duckdb.DuckDBPyConnection) -> None:
    raw = linkage.sql("SELECT * FROM linkage_quality").pl()
    published = protect_linkage_quality(raw, RULES, GM)
    assert published.columns == PUBLISHED_COLUMNS
    assert published.height == raw.height
    assert published.get_column("onderdrukt").all(), "every count here is below 10"
    assert published.select(pl.col("teller", "noemer", "waarde").is_null().all()).row(0) == (True, True, True)
    assert check_linkage_quality(published, raw, RULES, GM).passed


def linkage_rows(rows: list[tuple[str, str, str, str | None, int, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema=["maat", "bron", "doelbron", "leeftijdsgroep", "teller", "noemer"],
        orient="row",
    ).with_columns(schooljaar=pl.lit(Y1))


def test_publication_follows_the_indicator_disclosure_rules() -> None:
    """Thresholds from monitor.toml: teller >= 10, noemer >= 50, noemer - teller >= 10. 60 of 100 pupils
    found in youth care is shown (60 %); 95 of 100 in the register is not (only 5 are missing); 12 of 40
    diplomas is not (noemer < 50). Age bands of one measure add up to a total that is published elsewhere,
    so one hidden band (12-17: 5) takes the smallest shown band (23+: 12) with it (secundair)."""
    raw = linkage_rows(
        [
            ("koppeling", "inschrijvingen", "toewijzingen", None, 60, 100),
            ("koppeling", "inschrijvingen", "bewoners", None, 95, 100),
            ("koppeling", "diplomas", "inschrijvingen", None, 12, 40),
            ("leerlingen_zonder_woonadres", "inschrijvingen", "bewoners", "0-3", 20, 100),
            ("leerlingen_zonder_woonadres", "inschrijvingen", "bewoners", "4-11", 30, 200),
            ("leerlingen_zonder_woonadres", "inschrijvingen", "bewoners", "12-17", 5, 150),
            ("leerlingen_zonder_woonadres", "inschrijvingen", "bewoners", "18-22", 15, 80),
            ("leerlingen_zonder_woonadres", "inschrijvingen", "bewoners", "23+", 12, 60),
            ("leerlingen_zonder_woonadres", "inschrijvingen", "bewoners", "onbekend", 40, 55),
        ]
    )
    published = protect_linkage_quality(raw, RULES, GM)
    shown = {
        (r["bron"], r["doelbron"], r["leeftijdsgroep"]): (r["waarde"], r["reden"])
        for r in published.iter_rows(named=True)
    }
    assert shown[("inschrijvingen", "toewijzingen", None)] == (60.0, None)
    assert shown[("inschrijvingen", "bewoners", None)] == (None, "primair")
    assert shown[("diplomas", "inschrijvingen", None)] == (None, "primair")
    assert shown[("inschrijvingen", "bewoners", "12-17")] == (None, "primair")
    assert shown[("inschrijvingen", "bewoners", "23+")] == (None, "secundair")
    assert shown[("inschrijvingen", "bewoners", "4-11")] == (15.0, None)
    assert check_linkage_quality(published, raw, RULES, GM).passed


def test_the_check_catches_a_band_left_alone() -> None:
    """If only the 12-17 band were hidden, it could be recovered from the total: the check must say so."""
    raw = linkage_rows(
        [
            ("leerlingen_zonder_woonadres", "inschrijvingen", "bewoners", "4-11", 30, 200),
            ("leerlingen_zonder_woonadres", "inschrijvingen", "bewoners", "12-17", 5, 150),
            ("leerlingen_zonder_woonadres", "inschrijvingen", "bewoners", "18-22", 15, 80),
        ]
    )
    leaky = protect_linkage_quality(raw, RULES, GM).with_columns(
        onderdrukt=pl.col("leeftijdsgroep") == "12-17",
        teller=pl.when(pl.col("leeftijdsgroep") == "12-17").then(None).otherwise(pl.col("teller").fill_null(15.0)),
    )
    assert not check_linkage_quality(leaky, raw, RULES, GM).passed
