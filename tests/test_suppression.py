"""Primary and secondary suppression, and the independent disclosure check that must catch leaks."""

from __future__ import annotations

import polars as pl

from pipelines.defs.protect import BASIS_COLUMNS
from pipelines.protect.disclosure_check import check_publication
from pipelines.protect.suppression import DisclosureRules, protect

RULES = DisclosureRules(min_teller=10, min_noemer=50, min_cost_persons=10)


def g1_table(schools: dict[str, int]) -> pl.DataFrame:
    rows = [("2024/2025", "gemeente", "GM0034", sum(schools.values()))]
    rows += [("2024/2025", "school", code, n) for code, n in schools.items()]
    return pl.DataFrame(
        {
            "schooljaar": [r[0] for r in rows],
            "niveau": [r[1] for r in rows],
            "eenheid_code": [r[2] for r in rows],
            "indicator": "G1",
            "dimensie": pl.Series([None] * len(rows), dtype=pl.String),
            "categorie": pl.Series([None] * len(rows), dtype=pl.String),
            "teller": [float(r[3]) for r in rows],
            "noemer": pl.Series([None] * len(rows), dtype=pl.Float64),
            "waarde": [float(r[3]) for r in rows],
            "soort": "aantal",
            "basis_personen": [r[3] for r in rows],
        }
    )


def basis(table: pl.DataFrame) -> pl.DataFrame:
    return table.select(BASIS_COLUMNS)


def test_a_lone_small_school_gets_a_secondary_partner_the_smallest_other_school() -> None:
    """Schools 3, 40, 25, 60 → total 128. Hiding only the 3 would leave it as 128 - 40 - 25 - 60;
    the smallest other school (25) is hidden too."""
    table = g1_table({"AA00": 3, "BB00": 40, "CC00": 25, "DD00": 60})
    protected = protect(table, RULES)
    reasons = dict(zip(protected.get_column("eenheid_code"), protected.get_column("reden"), strict=True))
    assert reasons == {"GM0034": None, "AA00": "primair", "BB00": None, "CC00": "secundair", "DD00": None}


def test_the_disclosure_check_catches_the_unprotected_table_and_passes_the_protected_one() -> None:
    table = g1_table({"AA00": 3, "BB00": 40, "CC00": 25, "DD00": 60})
    only_primary = table.with_columns(onderdrukt=pl.col("teller") < 10, reden=pl.lit(None, pl.String)).with_columns(
        teller=pl.when(pl.col("onderdrukt")).then(None).otherwise(pl.col("teller")),
        waarde=pl.when(pl.col("onderdrukt")).then(None).otherwise(pl.col("waarde")),
    )
    assert not check_publication(only_primary.drop("soort", "basis_personen"), basis(table), RULES).passed
    protected = protect(table, RULES)
    report = check_publication(protected.drop("soort", "basis_personen"), basis(table), RULES)
    assert report.passed, report.violations
    assert len(report.tried) == 4
