"""vergelijking.parquet: a gemeente beside similar gemeenten, its jeugdregio and the country (docs/levels.md).

A hand-made protected table of A1 in one school year: gemeenten G1..G5 with 1 000, 1 500, 1 900, 4 000 and 800
pupils, G5's A1 suppressed; jeugdregio JZ99 and the country. For G1 (1 000 pupils) the similar gemeenten are those
with 500..2 000 pupils: G2, G3 and G5 (G4 has 4 000).
"""

from __future__ import annotations

import polars as pl

from pipelines.publish.benchmarks import benchmarks, similar_gemeenten

Y = "2023/2024"


def cell(niveau: str, code: str, indicator: str, teller: float | None, noemer: float | None) -> dict[str, object]:
    waarde = None if teller is None else (teller if noemer is None else teller / noemer * 100)
    return {
        "schooljaar": Y, "niveau": niveau, "eenheid_code": code, "eenheid_naam": code, "gemeente_code": None,
        "indicator": indicator, "indicator_naam": indicator, "dimensie": None, "categorie": None,
        "teller": teller, "noemer": noemer, "waarde": waarde, "eenheid": "%", "gemeente_waarde": None,
        "onderdrukt": teller is None, "reden": "primair" if teller is None else None,
    }  # fmt: skip


def table() -> pl.DataFrame:
    pupils = {"G1": 1000, "G2": 1500, "G3": 1900, "G4": 4000, "G5": 800}
    a1 = {"G1": 100, "G2": 180, "G3": 95, "G4": 300, "G5": None}
    rows = [cell("gemeente", g, "G1", n, None) for g, n in pupils.items()]
    rows += [cell("gemeente", g, "A1", a1[g], None if a1[g] is None else pupils[g]) for g in pupils]
    rows += [cell("jeugdregio", "JZ99", "A1", 675, 9200), cell("nederland", "NL", "A1", 90000, 1000000)]
    return pl.DataFrame(rows)


def test_similar_gemeenten_are_those_of_about_the_same_size_or_the_configured_ones() -> None:
    assert similar_gemeenten(table(), "G1") == ["G2", "G3", "G5"]
    assert similar_gemeenten(table(), "G4") == ["G3", "G2", "G1"], "none within a factor 2: the three nearest"
    assert similar_gemeenten(table(), "G1", ("G4", "G1")) == ["G4"], "a configured list, without the gemeente itself"


def test_the_benchmark_ranks_the_gemeente_among_the_similar_ones_with_intervals() -> None:
    """A1 values: G1 10 %, G2 12 %, G3 5 %, G5 suppressed. Ranked among G1, G2, G3 (G5 has no value): G2 1st,
    G1 2nd, G3 3rd of 3. The jeugdregio (7.34 %) and the country (9 %) are reference rows, not ranked. Every shown
    value has a Wilson interval around it; the suppressed one has none."""
    got = benchmarks(table().filter(pl.col("indicator") == "A1"), "G1", ["G2", "G3", "G5"], "JZ99")
    rows = {r["eenheid_code"]: r for r in got.to_dicts()}
    assert [r["rol"] for r in got.to_dicts()] == ["eigen", "vergelijkbaar", "vergelijkbaar", "vergelijkbaar",
                                                 "jeugdregio", "nederland"]  # fmt: skip
    assert (rows["G1"]["rang"], rows["G2"]["rang"], rows["G3"]["rang"]) == (2, 1, 3)
    assert rows["G1"]["gerangschikt"] == 3
    assert rows["G5"]["rang"] is None and rows["G5"]["waarde"] is None and rows["G5"]["ondergrens"] is None
    assert rows["G5"]["reden"] == "primair", "the reason as published, so the page can say '< 10'"
    assert rows["JZ99"]["rang"] is None and rows["NL"]["rang"] is None
    assert rows["G1"]["ondergrens"] < 10 < rows["G1"]["bovengrens"]
    assert (round(rows["G1"]["ondergrens"], 2), round(rows["G1"]["bovengrens"], 2)) == (8.29, 12.02)
