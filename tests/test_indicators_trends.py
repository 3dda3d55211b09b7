"""Trends for the dashboard are computed from the protected table and never reveal a suppressed value."""

from __future__ import annotations

import polars as pl

from pipelines.indicators.trends import TREND_COLUMNS, indicator_trends
from pipelines.lib.published_schema import PUBLISHED_COLUMNS


def cell(year: str, level: str, unit: str, waarde: float | None, gemeente: float | None) -> dict[str, object]:
    hidden = waarde is None
    return {
        "schooljaar": year,
        "niveau": level,
        "eenheid_code": unit,
        "eenheid_naam": unit,
        "indicator": "A1",
        "indicator_naam": "Leerlingen met jeugdhulp",
        "dimensie": None,
        "categorie": None,
        "teller": None if hidden else 1.0,
        "noemer": None if hidden else 1.0,
        "waarde": waarde,
        "eenheid": "%",
        "gemeente_code": "GM0034",
        "gemeente_waarde": gemeente,
        "onderdrukt": hidden,
        "reden": "primair" if hidden else None,
    }


def protected(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema_overrides={"dimensie": pl.String, "categorie": pl.String}).select(
        PUBLISHED_COLUMNS
    )


def test_change_and_difference_are_computed_only_between_published_values() -> None:
    """School X: 10.0 % in 2021/22, suppressed in 2022/23, 14.0 % in 2023/24; the gemeente: 8, 9, 12 %.
    2021/22 has no previous year. 2022/23 is suppressed: its previous value (published) is shown, but no
    change and no difference. 2023/24: the previous
    year is suppressed, so no change (it would reveal 2022/23); difference to the gemeente 14 - 12 = 2.
    Gemeente: change 9 - 8 = 1 and 12 - 9 = 3; no difference to itself."""
    years = ["2021/2022", "2022/2023", "2023/2024"]
    table = protected(
        [
            cell(years[0], "school", "X", 10.0, 8.0),
            cell(years[1], "school", "X", None, 9.0),
            cell(years[2], "school", "X", 14.0, 12.0),
            cell(years[0], "gemeente", "GM", 8.0, None),
            cell(years[1], "gemeente", "GM", 9.0, None),
            cell(years[2], "gemeente", "GM", 12.0, None),
        ]
    )
    trends = indicator_trends(table)
    assert trends.columns == TREND_COLUMNS
    got = {
        (r["niveau"], r["schooljaar"]): (r["vorige_waarde"], r["verandering"], r["verschil_met_gemeente"])
        for r in trends.iter_rows(named=True)
    }
    assert got[("school", years[0])] == (None, None, 2.0)
    assert got[("school", years[1])] == (10.0, None, None)
    assert got[("school", years[2])] == (None, None, 2.0)
    assert got[("gemeente", years[1])] == (8.0, 1.0, None)
    assert got[("gemeente", years[2])] == (9.0, 3.0, None)


def test_a_suppressed_gemeente_value_gives_no_difference() -> None:
    """The protected table already empties gemeente_waarde when the gemeente cell is suppressed."""
    trends = indicator_trends(protected([cell("2022/2023", "wijk", "WK1", 20.0, None)]))
    assert trends.get_column("verschil_met_gemeente").to_list() == [None]


def test_every_published_cell_has_exactly_one_trend_row() -> None:
    table = protected([cell("2022/2023", "school", "X", 1.0, 2.0), cell("2023/2024", "school", "X", 3.0, 2.0)])
    trends = indicator_trends(table)
    assert trends.height == table.height
    assert trends.filter(pl.col("schooljaar") == "2023/2024").get_column("verandering").to_list() == [2.0]
