"""Linkage quality as a publishable table: the warehouse's `linkage_quality` aggregates, protected.

Why a separate output: how well sources link decides how far the indicators can be trusted (a pupil
without BSN never links to youth care), so it is published next to them. It is made of small counts of
persons, so it passes the same disclosure control as the indicators: its cells are mapped onto the
indicator-cell shape and run through `pipelines.protect.suppression.protect` (primary rules of spec §4
with the configured thresholds, and secondary suppression across the age bands of one measure), then
checked with the same independent disclosure check. No person-level row ever leaves the warehouse.
"""

from __future__ import annotations

import polars as pl

from pipelines.lib.published_schema import CELL_KEY
from pipelines.lib.settings import DisclosureRules
from pipelines.protect.disclosure_check import CheckReport, check_publication
from pipelines.protect.suppression import protect

MEASURE_NAMES = {
    "koppeling": "Personen van de bron die ook in de doelbron voorkomen",
    "L1": "Koppelingsgraad jeugdhulp-onderwijs",
    "leerlingen_zonder_woonadres": "Leerlingen zonder woonadres in de gemeente op de peildatum",
    "jeugdhulpclienten_zonder_school": "Jeugdigen met jeugdhulp die geen leerling zijn",
    "declaraties_zonder_toewijzing": "Declaratieregels met een onbekend toewijzingnummer",
}
PUBLISHED_COLUMNS = [
    "schooljaar",
    "maat",
    "maat_naam",
    "bron",
    "doelbron",
    "leeftijdsgroep",
    "teller",
    "noemer",
    "waarde",
    "eenheid",
    "onderdrukt",
    "reden",
]
AGE_BANDS = ["0-3", "4-11", "12-17", "18-22", "23+", "onbekend"]  # sql/macros.sql age_bands(), for sorting
KEY = list(CELL_KEY)


def as_cells(frame: pl.DataFrame, gemeente_code: str) -> pl.DataFrame:
    """Map linkage rows (raw or published) onto indicator cells: one gemeente-level cell per measure,
    source pair and age band; age bands are the categories of dimension `leeftijdsgroep`."""
    return frame.with_columns(
        niveau=pl.lit("gemeente"),
        eenheid_code=pl.lit(gemeente_code),
        indicator=pl.concat_str("maat", "bron", "doelbron", separator="|"),
        dimensie=pl.when(pl.col("leeftijdsgroep").is_not_null()).then(pl.lit("leeftijdsgroep")),
        categorie=pl.col("leeftijdsgroep"),
        soort=pl.lit("percentage"),
        factor=pl.lit(100.0),
        basis_personen=pl.col("teller").cast(pl.Int64),
        teller=pl.col("teller").cast(pl.Float64),
        noemer=pl.col("noemer").cast(pl.Float64),
    )


def protect_linkage_quality(raw: pl.DataFrame, rules: DisclosureRules, gemeente_code: str) -> pl.DataFrame:
    """The publishable linkage-quality table: small counts suppressed (teller, noemer, waarde null)."""
    cells = as_cells(raw, gemeente_code).with_columns(
        waarde=pl.when(pl.col("noemer") > 0).then(pl.col("teller") / pl.col("noemer") * 100)
    )
    return (
        protect(cells, rules)
        .with_columns(
            maat_naam=pl.col("maat").replace_strict(MEASURE_NAMES, return_dtype=pl.String),
            eenheid=pl.lit("%"),
        )
        .select(PUBLISHED_COLUMNS)
        .sort(
            "schooljaar",
            "maat",
            "bron",
            "doelbron",
            pl.col("leeftijdsgroep").cast(pl.Enum(AGE_BANDS)),
            nulls_last=True,
        )
    )


def check_linkage_quality(
    published: pl.DataFrame, raw: pl.DataFrame, rules: DisclosureRules, gemeente_code: str
) -> CheckReport:
    """The indicators' independent disclosure check, applied to the published linkage table."""
    cells = as_cells(published, gemeente_code).with_columns(pl.col("waarde").cast(pl.Float64))
    basis = as_cells(raw, gemeente_code).select(*KEY, "soort", "factor", "basis_personen", "teller", "noemer")
    return check_publication(cells.select(*KEY, "teller", "noemer", "waarde", "onderdrukt", "reden"), basis, rules)
