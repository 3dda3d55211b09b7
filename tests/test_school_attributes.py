"""The schools' public attributes (sql/link/schools.sql → scholen.parquet): sector, wijk, samenwerkingsverband.

Hand-made warehouse (tests/indicator_fixtures.py), two school years 2022/2023 and 2023/2024:
- 11AA00 Basisschool De Eik, postcode 1311AA: pupils p1 (BAO, both years) and p2 (SBO, both years) → 2 BAO and 2
  SBO pupil-years, a tie: PO wins (the first in PO, SBO, SO, VO, MBO). 1311AA has two addresses in WK003401 and
  one in WK003402 → WK003401 (Haven). PC4 1311 is in the Regeling's 2015 table: PO2401 / VO2401, from the pc4.
- 22BB00 College Noord, postcode 1345AB: pupils p3, p4 (HAVO) and p5 (VSO) → 4 VO against 2 SO → VO. 1345AB's one
  address is in WK003402 (Stad). PC4 1345 is not in the table (issued after 2015): Almere's PC4s all lie in
  PO2401 / VO2401, so those, 'gemeente'.
- 33CC00 ROC Almere, no postcode: p6 (MBO-2) → MBO; no wijk; swv from the gemeente.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.protect.school_attributes import (
    COLUMNS,
    public_school_attributes,
    school_attribute_violations,
)
from tests.indicator_fixtures import S1, S2, W1, W2, build_warehouse, pupil

ROC = "33CC00"


def _warehouse() -> duckdb.DuckDBPyConnection:
    return build_warehouse(
        pupil("p1", S1, "BAO"),
        pupil("p2", S1, "SBO"),
        pupil("p3", S2, "HAVO", born="2009-03"),
        pupil("p4", S2, "HAVO", born="2009-03"),
        pupil("p5", S2, "VSO", born="2009-03"),
        pupil("p6", ROC, "MBO-2", born="2005-03"),
    )


def test_sector_wijk_and_samenwerkingsverband_per_school() -> None:
    con = _warehouse()
    rows = {r[0]: r[1:] for r in con.execute("SELECT * FROM schools").fetchall()}
    assert rows == {
        S1: ("Basisschool De Eik", "PO", W1, "Haven", "PO2401", "VO2401", "pc4"),
        S2: ("College Noord", "VO", W2, "Stad", "PO2401", "VO2401", "gemeente"),
        ROC: ("ROC Almere", "MBO", None, None, "PO2401", "VO2401", "gemeente"),
    }
    columns = [c[0] for c in con.execute("DESCRIBE schools").fetchall()]
    assert "postcode" not in columns, "no postcode is kept: the table is about schools, not addresses"


def test_published_table_lists_exactly_the_published_schools_under_their_published_names() -> None:
    con = _warehouse()
    schools = con.sql("SELECT * FROM schools").pl()
    protected = pl.DataFrame(
        {
            "niveau": ["school", "school", "wijk", "gemeente"],
            "eenheid_code": [S1, "44DD00", W1, "GM0034"],
            "eenheid_naam": ["Basisschool De Eik", "Kindcentrum Zonder Leerlingen", "Haven", "Almere"],
        }
    )
    published = public_school_attributes(schools, protected)
    assert tuple(published.columns) == COLUMNS
    assert published.get_column("eenheid_code").to_list() == [S1, "44DD00"], "22BB00 and the ROC have no rows"
    assert published.row(1) == ("44DD00", "Kindcentrum Zonder Leerlingen", *([None] * 6))
    assert school_attribute_violations(published, protected) == []


def test_check_refuses_a_school_a_name_or_a_column_the_indicators_do_not_publish() -> None:
    protected = pl.DataFrame({"niveau": ["school"], "eenheid_code": [S1], "eenheid_naam": ["Basisschool De Eik"]})
    good = pl.DataFrame({c: [None] for c in COLUMNS}, schema=dict.fromkeys(COLUMNS, pl.String)).with_columns(
        eenheid_code=pl.lit(S1), eenheid_naam=pl.lit("Basisschool De Eik"), sector=pl.lit("PO")
    )
    assert school_attribute_violations(good, protected) == []
    other = pl.concat([good, good.with_columns(eenheid_code=pl.lit(S2))])
    assert school_attribute_violations(other, protected) == [f"{S2}: not a school of the protected table"]
    renamed = good.with_columns(eenheid_naam=pl.lit("De Eik"))
    assert school_attribute_violations(renamed, protected) == [
        f"{S1}: name 'De Eik' is not the published 'Basisschool De Eik'"
    ]
    assert school_attribute_violations(good.with_columns(sector=pl.lit("HBO")), protected) == [
        f"{S1}: sector 'HBO' is not one of PO, SBO, SO, VO, MBO"
    ]
    counted = good.with_columns(leerlingen=pl.lit(12))
    assert school_attribute_violations(counted, protected)[0].startswith("columns")
