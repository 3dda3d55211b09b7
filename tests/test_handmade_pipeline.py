"""The whole pipeline on twelve hand-made persons: every indicator value is worked out by hand.

Who is who (see tests/handmade_inbox.py), peildata 2022-10-01 and 2023-10-01:
- P1, P2, P3, P8 (onderwijsnummer only), P10: BAO at school A (11AA00) in both years.
- P4, P12: VO at school B (22BB00) in both years. P9: at A and B on 2022-10-01, B enrolled later → B.
- P5 (no diploma) and P6 (HAVO diploma 2023-06-30) leave B in July 2023; P7 moves on to MBO school C.
- P11 is a 3-year-old with youth care, not a pupil. P10 moves from wijk 3401 to 3402 on 2023-05-01.
- Trajectories: P1 jeugdhulp 2022-09 to 2023-03 (referrer 02, new in 2022/23); P3 jeugdbescherming (48);
  P10 jeugdhulp from 2023-09 (referrer empty → onbekend, new in 2023/24); P12 verblijf 2021-01 to 2022-12.
- Absence: P4 (22BB00, wijk 3402) has a RELATIEF case 2022-11-01 to 2022-12-15 without vrijstelling (45 days).
The per-indicator hand computations for all indicators are in tests/test_indicators_*.py; this module proves
the same SQL works after real ingest of CSV exports.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipelines.lib.warehouse import read_warehouse
from tests.conftest import materialize_all
from tests.handmade_inbox import write_handmade_inbox

Y1, Y2 = "2022/2023", "2023/2024"


@pytest.fixture(scope="module")
def handmade_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("handmade")
    write_handmade_inbox(root / "inbox")
    result = materialize_all(root / "inbox", root / "out")
    assert result.success
    return root / "out"


def values(out: Path) -> dict[tuple[str, str, str, str, str | None], tuple[float | None, float | None]]:
    with read_warehouse(out / "warehouse" / "monitor.duckdb") as con:
        rows = con.execute(
            "SELECT schooljaar, niveau, eenheid_code, indicator, categorie, teller, noemer FROM indicators"
        ).fetchall()
    return {(r[0], r[1], r[2], r[3], r[4]): (r[5], r[6]) for r in rows}


def test_school_years_are_those_with_a_peildatum_inside_the_enrolment_data(handmade_run: Path) -> None:
    with read_warehouse(handmade_run / "warehouse" / "monitor.duckdb") as con:
        years = con.execute("SELECT schooljaar, has_next FROM school_years ORDER BY 1").fetchall()
    assert years == [(Y1, True), (Y2, False)]


def test_g1_counts_pupils_on_the_peildatum_per_school_wijk_and_gemeente(handmade_run: Path) -> None:
    """2022/23: 11 pupils (A: P1 P2 P3 P8 P10 = 5; B: P4 P5 P6 P7 P9 P12 = 6); wijk 3401: P1 P2 P5 P6 P10 P12,
    3402: P3 P4 P7 P9, ONBEKEND: P8 (no BSN, so no residence). 2023/24: P5 and P6 left, P7 at C: 9 pupils;
    P10 now lives in 3402."""
    v = values(handmade_run)
    expected = {
        (Y1, "gemeente", "GM0034"): 11,
        (Y1, "school", "11AA00"): 5,
        (Y1, "school", "22BB00"): 6,
        (Y1, "wijk", "WK003401"): 6,
        (Y1, "wijk", "WK003402"): 4,
        (Y1, "wijk", "ONBEKEND"): 1,
        (Y2, "gemeente", "GM0034"): 9,
        (Y2, "school", "11AA00"): 5,
        (Y2, "school", "22BB00"): 3,
        (Y2, "school", "33CC00"): 1,
        (Y2, "wijk", "WK003401"): 3,
        (Y2, "wijk", "WK003402"): 5,
        (Y2, "wijk", "ONBEKEND"): 1,
    }
    for (year, level, unit), count in expected.items():
        assert v[(year, level, unit, "G1", None)] == (count, None), (year, level, unit)


def test_a1_counts_pupils_with_active_jeugdhulp_not_jeugdbescherming(handmade_run: Path) -> None:
    """2022/23: P1 (new) and P12 (verblijf since 2021, still active) → 2 of 11; P3's category 48 does not count;
    P11 is not a pupil. 2023/24: P10 → 1 of 9."""
    v = values(handmade_run)
    assert v[(Y1, "gemeente", "GM0034", "A1", None)] == (2, 11)
    assert v[(Y1, "school", "11AA00", "A1", None)] == (1, 5)
    assert v[(Y1, "school", "22BB00", "A1", None)] == (1, 6)
    assert v[(Y1, "wijk", "WK003401", "A1", None)] == (2, 6)
    assert v[(Y1, "wijk", "WK003402", "A1", None)] == (0, 4)
    assert v[(Y2, "gemeente", "GM0034", "A1", None)] == (1, 9)
    assert v[(Y2, "wijk", "WK003402", "A1", None)] == (1, 5)
    assert v[(Y2, "school", "22BB00", "A1", None)] == (0, 3)


def test_b1_counts_new_jeugdhulp_trajectories_by_verwijzer(handmade_run: Path) -> None:
    """New jeugdhulp trajectories of pupils: 2022/23 only P1's (huisarts 02); P12's started in 2021.
    2023/24 only P10's, with an empty verwijzer → onbekend. Every category has a row."""
    v = values(handmade_run)
    assert v[(Y1, "gemeente", "GM0034", "B1", "02")] == (1, 1)
    assert v[(Y1, "gemeente", "GM0034", "B1", "01")] == (0, 1)
    assert v[(Y1, "school", "11AA00", "B1", "02")] == (1, 1)
    assert v[(Y2, "gemeente", "GM0034", "B1", "onbekend")] == (1, 1)
    assert v[(Y2, "wijk", "WK003402", "B1", "onbekend")] == (1, 1)
    assert v[(Y2, "school", "22BB00", "B1", "onbekend")] == (0, 0)


def test_c1_sums_net_cost_of_all_categories_debet_minus_credit(handmade_run: Path) -> None:
    """2022/23: P1 500 + 500 - 100 = 900; P3 (jeugdbescherming counts for cost) 1000; P12 8000 → 9900.
    School A: 900 + 1000; school B: 8000. Wijk 3401: P1 + P12 = 8900; 3402: P3 = 1000. 2023/24: nothing."""
    v = values(handmade_run)
    assert v[(Y1, "gemeente", "GM0034", "C1", None)] == (9900, None)
    assert v[(Y1, "school", "11AA00", "C1", None)] == (1900, None)
    assert v[(Y1, "school", "22BB00", "C1", None)] == (8000, None)
    assert v[(Y1, "wijk", "WK003401", "C1", None)] == (8900, None)
    assert v[(Y1, "wijk", "WK003402", "C1", None)] == (1000, None)
    assert v[(Y2, "gemeente", "GM0034", "C1", None)] == (0, None)


def test_e1_counts_leavers_without_startkwalificatie_and_skips_the_last_year(handmade_run: Path) -> None:
    """Cohort 2022/23 (VO/MBO, < 23): P4 P5 P6 P7 P9 P12 = 6. Not enrolled on 2023-10-01: P5 and P6; P6 has
    a HAVO diploma → only P5 is a new early leaver: 1 of 6. P5 lives in 3401 with P6 and P12 → 1 of 3.
    2023/24 is the last year: E1 is not computed (no row, not zero)."""
    v = values(handmade_run)
    assert v[(Y1, "gemeente", "GM0034", "E1", None)] == (1, 6)
    assert v[(Y1, "school", "22BB00", "E1", None)] == (1, 6)
    assert v[(Y1, "wijk", "WK003401", "E1", None)] == (1, 3)
    assert v[(Y1, "wijk", "WK003402", "E1", None)] == (0, 3)
    assert not [k for k in v if k[0] == Y2 and k[3] == "E1"]


def test_published_cells_below_ten_are_suppressed(handmade_run: Path) -> None:
    """Only G1 for the gemeente in 2022/23 (11 pupils) reaches 10, but its two schools (5, 6) are hidden as
    "< 10": next to a published 11 each would be at least 2, so a reader learns "not zero" of a small count.
    The per-member guarantee (issue 17) therefore hides the gemeente's 11 too, as secondary: nothing is shown."""
    published = pl.read_parquet(handmade_run / "publish" / "indicatoren.parquet")
    assert published.filter(~pl.col("onderdrukt")).height == 0
    g1 = published.filter(
        (pl.col("schooljaar") == Y1) & (pl.col("niveau") == "gemeente") & (pl.col("indicator") == "G1")
    )
    assert g1.get_column("reden").to_list() == ["secundair"]
    hidden = published.filter(pl.col("onderdrukt"))
    assert hidden.select(pl.col("teller").is_null().all(), pl.col("waarde").is_null().all()).row(0) == (
        True,
        True,
    )
    assert set(hidden.get_column("reden").unique()) <= {"primair", "secundair"}


def test_f2_and_f4_come_from_the_absence_export(handmade_run: Path) -> None:
    """P4's RELATIEF case starts in 2022/23 and lasts 45 days (>= 28, no vrijstelling): F2 and F4 are 1 of 11
    pupils; at school 22BB00 (the case's school and P4's) 1 of 6, in wijk 3402 1 of 4. 2023/24: 0 of 9."""
    v = values(handmade_run)
    for indicator in ("F2", "F4"):
        assert v[(Y1, "gemeente", "GM0034", indicator, None)] == (1, 11)
        assert v[(Y1, "school", "22BB00", indicator, None)] == (1, 6)
        assert v[(Y1, "wijk", "WK003402", indicator, None)] == (1, 4)
        assert v[(Y2, "gemeente", "GM0034", indicator, None)] == (0, 9)


def test_a11_and_l1_use_residents_of_the_register(handmade_run: Path) -> None:
    """Residents aged 0-17: P1-P7, P9-P12 (11; P8 has no BSN). Active jeugdhulp 2022/23: P1, P11, P12 →
    A11 3/11; 2023/24: P10, P11 → 2/11. L1 (aged 4-17): 2022/23 P1 and P12, both pupils → 2/2; 2023/24 P10
    (pupil) and P11 (now 4, no pupil) → 1/2."""
    v = values(handmade_run)
    assert v[(Y1, "gemeente", "GM0034", "A11", None)] == (3, 11)
    assert v[(Y2, "gemeente", "GM0034", "A11", None)] == (2, 11)
    assert v[(Y1, "gemeente", "GM0034", "L1", None)] == (2, 2)
    assert v[(Y2, "gemeente", "GM0034", "L1", None)] == (1, 2)
    assert not [k for k in v if k[3] in ("A11", "L1") and k[1] == "school"]


def test_publication_holds_catalogue_linkage_quality_and_trends(handmade_run: Path) -> None:
    """Every linkage count of twelve persons is below 10, so all of it is suppressed; the trends have one row
    per published indicator cell; the catalogue lists all twenty indicators of the spec and the six outcomes."""
    publish = handmade_run / "publish"
    linkage = pl.read_parquet(publish / "koppelingskwaliteit.parquet")
    assert linkage.height > 0 and linkage.get_column("onderdrukt").all()
    trends = pl.read_parquet(publish / "trends.parquet")
    assert trends.height == pl.read_parquet(publish / "indicatoren.parquet").height
    assert pl.read_parquet(publish / "indicatorcatalogus.parquet").height == 26
    assert "Thuiszitters" in (publish / "indicatorcatalogus.md").read_text(encoding="utf-8")
