"""Hand-made staged data for indicator tests: persons written out in each test, the real SQL run over them.

Why not the whole pipeline: the indicator SQL only reads the staged tables (`stg_<source>`, already
pseudonymised), so a test can write those rows directly, a dozen persons at a time, and run every SQL file
of the link and indicator stages in the order of the Dagster asset graph, in well under a second. The full
pipeline, ingest included, is covered by test_handmade_pipeline.py.

Conventions of every fixture: schools `11AA00` (BAO) and `22BB00` (VO), wijken `WK003401` and `WK003402`
of gemeente GM0034. A pupil is enrolled from 2022-08-01 to 2024-07-31 unless stated; one pupil leaving on
2023-07-15 makes the first school year 2022/2023 (peildatum 2022-10-01), the enrolments up to 2024-07-31
make the last one 2023/2024 (peildatum 2023-10-01).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from pipelines.lib.settings import MonitorConfig
from pipelines.lib.sql_models import create_macros, run_model, sql_models
from pipelines.lib.warehouse import load_references
from pseudonymisation.minimise import birth_cohort

Y1, Y2 = "2022/2023", "2023/2024"
S1, S2 = "11AA00", "22BB00"
W1, W2 = "WK003401", "WK003402"
GM = "GM0034"
ELSEWHERE = "GM0363"  # an address outside the gemeente

STAGED_COLUMNS = {
    "inschrijvingen": (
        "person_id VARCHAR, id_type VARCHAR, geboortecohort INTEGER, brin VARCHAR, vestigingsnummer VARCHAR, "
        "onderwijssoort VARCHAR, datum_inschrijving DATE, datum_uitschrijving DATE"
    ),
    "bewoners": (
        "person_id VARCHAR, id_type VARCHAR, geboortecohort INTEGER, datum_vanaf DATE, datum_tot DATE, "
        "wijk_code VARCHAR, gemeente_code VARCHAR"
    ),
    "toewijzingen": (
        "person_id VARCHAR, id_type VARCHAR, toewijzingnummer VARCHAR, productcategorie VARCHAR, "
        "productcode VARCHAR, verwijzer_type VARCHAR, ingangsdatum DATE, einddatum DATE, begindatum_zorg DATE, "
        "einddatum_zorg DATE"
    ),
    "declaraties": (
        "person_id VARCHAR, id_type VARCHAR, toewijzingnummer VARCHAR, periode_begin DATE, periode_einde DATE, "
        "bedrag DECIMAL(18, 2), debet_credit VARCHAR"
    ),
    "verzuim": (
        "person_id VARCHAR, id_type VARCHAR, brin VARCHAR, vestigingsnummer VARCHAR, soort VARCHAR, "
        "datum_start DATE, datum_einde DATE, vrijstelling VARCHAR"
    ),
    "diplomas": (
        "person_id VARCHAR, id_type VARCHAR, brin VARCHAR, vestigingsnummer VARCHAR, diploma VARCHAR, "
        "datum_diploma DATE"
    ),
}
# DUO register rows (brin, vestiging, naam, postcode). 1311 is in the Regeling regio-indeling's 2015 table (PO2401,
# VO2401); 1345 was issued later and is not, so College Noord gets Almere's samenwerkingsverbanden (all of Almere's
# PC4s lie in PO2401/VO2401); the ROC has no postcode in the register.
SCHOOLS = [
    ("11AA", S1, "Basisschool De Eik", "1311AA"),
    ("22BB", S2, "College Noord", "1345AB"),
    ("33CC", "33CC00", "ROC Almere", None),
]
WIJKEN = [(W1, "Haven"), (W2, "Stad")]
# CBS pc6hnr rows (postcode, huisnummer, buurt, wijk, gemeente): 1311AA has two addresses in W1 and one in W2.
ADDRESSES = [
    ("1311AA", 1, "BU00340101", W1, GM),
    ("1311AA", 3, "BU00340101", W1, GM),
    ("1311AA", 5, "BU00340201", W2, GM),
    ("1345AB", 2, "BU00340201", W2, GM),
]


@dataclass(frozen=True)
class Row:
    source: str
    values: tuple[Any, ...]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _cohort(value: str) -> int:
    """'2014-03' → the birth cohort ingest stores for a birth in that month (its own rule, not a copy)."""
    return int(pl.select(birth_cohort(pl.lit(dt.date.fromisoformat(f"{value}-01")))).item())


def enrolment(
    person: str,
    school: str = S1,
    soort: str = "BAO",
    born: str = "2014-03",
    start: str = "2022-08-01",
    end: str | None = "2024-07-31",
    id_type: str = "bsn",
) -> Row:
    return Row(
        "inschrijvingen",
        (person, id_type, _cohort(born), school[:4], school[4:], soort, _date(start), _date(end)),
    )


def residence(
    person: str,
    wijk: str | None = W1,
    born: str = "2014-03",
    start: str = "2010-01-01",
    end: str | None = None,
    gemeente: str | None = GM,
) -> Row:
    """An address period; `wijk=None` with another gemeente is an address outside the gemeente."""
    return Row("bewoners", (person, "bsn", _cohort(born), _date(start), _date(end), wijk, gemeente))


def pupil(
    person: str,
    school: str = S1,
    soort: str = "BAO",
    born: str = "2014-03",
    wijk: str | None = W1,
    start: str = "2022-08-01",
    end: str | None = "2024-07-31",
) -> list[Row]:
    """An enrolment plus, when `wijk` is given, a residence in that wijk since 2010."""
    rows = [enrolment(person, school, soort, born, start, end)]
    if wijk:
        rows.append(residence(person, wijk, born))
    return rows


def trajectory(
    number: str,
    person: str,
    categorie: str = "45",
    start: str = "2022-09-01",
    end: str | None = None,
    code: str | None = "45A03",
    verwijzer: str | None = "01",
    care_start: str | None = None,
    care_end: str | None = None,
) -> Row:
    return Row(
        "toewijzingen",
        (
            person,
            "bsn",
            number,
            categorie,
            code,
            verwijzer,
            _date(start),
            _date(end),
            _date(care_start),
            _date(care_end),
        ),
    )


def declaration(number: str, person: str, begin: str, amount: str, debet_credit: str = "D") -> Row:
    """One declaration line of a month starting at `begin`; `amount` in euro."""
    start = dt.date.fromisoformat(begin)
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return Row("declaraties", (person, "bsn", number, start, end, amount, debet_credit))


def absence(
    person: str,
    soort: str = "RELATIEF",
    start: str = "2022-11-01",
    end: str | None = None,
    school: str | None = S1,
    vrijstelling: str = "N",
    id_type: str = "bsn",
) -> Row:
    brin, location = (school[:4], school[4:]) if school else (None, None)
    return Row("verzuim", (person, id_type, brin, location, soort, _date(start), _date(end), vrijstelling))


def diploma(person: str, kind: str, date: str, school: str = S2) -> Row:
    return Row("diplomas", (person, "bsn", school[:4], school[4:], kind, _date(date)))


def build_warehouse(
    *groups: Row | list[Row],
    dyslexia_codes: tuple[str, ...] = ("45D01", "45D02"),
    gemeenten: dict[str, str] | None = None,
    schools: Sequence[tuple[str, str, str, str | None, str]] | None = None,
    wijken: list[tuple[str, str]] = WIJKEN,
    national: bool = False,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with these staged rows and every link and indicator table built by the real SQL.

    Default: the gemeente of monitor.toml with `SCHOOLS` (all in Almere). `gemeenten` (code → name, the run's own
    first) and `schools` (brin, vestiging, naam, postcode, DUO gemeentenummer) make an inbox of several."""
    rows = [r for g in groups for r in (g if isinstance(g, list) else [g])]
    con = duckdb.connect(":memory:")
    create_macros(con)
    config = MonitorConfig.load()
    settings: dict[str, Any] = {**config.__dict__, "dyslexia_product_codes": dyslexia_codes}
    if gemeenten:
        (own, naam), *others = gemeenten.items()
        settings |= {"gemeente_code": own, "gemeente_naam": naam, "region": tuple(others), "national": national}
    load_references(con, MonitorConfig(**settings))
    for source, columns in STAGED_COLUMNS.items():
        con.execute(f"CREATE TABLE stg_{source} ({columns})")
        values = [r.values for r in rows if r.source == source]
        if values:
            marks = ", ".join("?" * len(values[0]))
            con.executemany(f"INSERT INTO stg_{source} VALUES ({marks})", values)
    con.execute(
        "CREATE TABLE stg_scholen (brin VARCHAR, vestiging VARCHAR, naam VARCHAR, postcode VARCHAR, "
        "gemeentenummer VARCHAR)"
    )
    register = schools if schools is not None else [(*school, "0034") for school in SCHOOLS]  # DUO: Almere
    con.executemany("INSERT INTO stg_scholen VALUES (?, ?, ?, ?, ?)", register)
    con.execute(
        "CREATE TABLE stg_pc6hnr (postcode VARCHAR, huisnummer BIGINT, buurt VARCHAR, wijk VARCHAR, gemeente VARCHAR)"
    )
    con.executemany("INSERT INTO stg_pc6hnr VALUES (?, ?, ?, ?, ?)", ADDRESSES)
    con.execute("CREATE TABLE stg_wijken (wijkcode VARCHAR, wijknaam VARCHAR)")
    con.executemany("INSERT INTO stg_wijken VALUES (?, ?)", wijken)
    for name in sql_models():
        run_model(con, name)
    return con


Cell = tuple[str, str, str, str | None]  # schooljaar, niveau, eenheid_code, categorie


GEMEENTE_LEVELS = ("school", "wijk", "gemeente")


def cells(con: duckdb.DuckDBPyConnection, indicator: str) -> dict[Cell, tuple[float | None, float | None]]:
    """(teller, noemer) per (schooljaar, niveau, eenheid_code, categorie) of one indicator, at the levels of one
    gemeente (school, wijk, gemeente; the levels above are specified in tests/test_levels.py)."""
    rows = con.execute(
        "SELECT schooljaar, niveau, eenheid_code, categorie, teller, noemer FROM indicators "
        f"WHERE indicator = ? AND niveau IN {GEMEENTE_LEVELS}",
        [indicator],
    ).fetchall()
    return {(r[0], r[1], r[2], r[3]): (r[4], r[5]) for r in rows}


def values(con: duckdb.DuckDBPyConnection, indicator: str) -> dict[Cell, float | None]:
    """waarde per cell, rounded to 2 decimals (what a reader sees), at the levels of one gemeente."""
    rows = con.execute(
        "SELECT schooljaar, niveau, eenheid_code, categorie, round(waarde, 2) FROM indicators "
        f"WHERE indicator = ? AND niveau IN {GEMEENTE_LEVELS}",
        [indicator],
    ).fetchall()
    return {(r[0], r[1], r[2], r[3]): r[4] for r in rows}
