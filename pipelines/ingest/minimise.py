"""Data minimisation: what ingest does to each field before anything is written to disk.

Driven by each field's `fate` in its contract: direct identifiers are pseudonymised (keyed HMAC, see
`pseudonymisation/`) or dropped, quasi-identifiers generalised (birth date → month; postcode and house
number → buurt and wijk) and then dropped, attributes kept. The result holds one person key,
`person_id`, and `id_type` (which identifier it came from), never a raw identifier.
"""

from __future__ import annotations

import polars as pl

from pipelines.ingest.contract import Contract
from pipelines.ingest.read_csv import FILE_COLUMN, LINE_COLUMN
from pseudonymisation.pseudonymiser import Pseudonymiser

ADDRESS_COLUMNS = ("postcode", "huisnummer")
AREA_COLUMNS = ("buurt_code", "wijk_code", "gemeente_code")
PERSON_COLUMNS = ("person_id", "id_type")
LINEAGE_COLUMNS = ("source_file", "source_line")


def month_column(field_name: str) -> str:
    """Where a generalised date goes: `geboortedatum` → `geboortemaand`."""
    return f"{field_name.removesuffix('datum')}maand" if field_name.endswith("datum") else f"{field_name}_maand"


def staged_columns(contract: Contract) -> list[str]:
    """The columns a source has after minimisation, in order: what may be stored, and nothing else."""
    lead = list(PERSON_COLUMNS) if contract.identifier_fields else []
    kept: list[str] = []
    for f in contract.properties:
        if f.fate == "keep":
            kept.append(f.name)
        elif f.generalisation == "year_month":
            kept.append(month_column(f.name))
    if any(f.generalisation == "buurt_wijk" for f in contract.properties):
        kept += AREA_COLUMNS
    return [*lead, *kept, *LINEAGE_COLUMNS]


def _pseudonyms(frame: pl.DataFrame, column: str, identifier_type: str, p: Pseudonymiser) -> pl.Expr:
    """Pseudonym per distinct value (a pupil appears in many rows; hash each identifier once)."""
    values = frame.get_column(column).drop_nulls().unique().sort().to_list()
    mapping = dict(zip(values, p.pseudonymise_many(identifier_type, values), strict=True))
    return pl.col(column).replace_strict(mapping, default=None, return_dtype=pl.String)


def minimise(
    accepted: pl.DataFrame,
    contract: Contract,
    pseudonymiser: Pseudonymiser | None,
    addresses: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Apply every field's fate; `addresses` (postcode, huisnummer, buurt, wijk, gemeente) for buurt_wijk."""
    frame = accepted
    person_exprs: list[pl.Expr] = []
    type_exprs: list[pl.Expr] = []
    for f in contract.identifier_fields:
        if f.identifierType is None or pseudonymiser is None:
            raise ValueError(f"{contract.id}: field {f.name} needs an identifier type and a key to be pseudonymised")
        pseudo = _pseudonyms(frame, f.name, f.identifierType, pseudonymiser)
        person_exprs.append(pseudo)
        type_exprs.append(pl.when(pl.col(f.name).is_not_null()).then(pl.lit(f.identifierType)))
    if person_exprs:
        frame = frame.with_columns(
            pl.coalesce(person_exprs).alias("person_id"), pl.coalesce(type_exprs).alias("id_type")
        )
    for f in contract.properties:
        if f.generalisation == "year_month":
            frame = frame.with_columns(pl.col(f.name).dt.truncate("1mo").alias(month_column(f.name)))
    if any(f.generalisation == "buurt_wijk" for f in contract.properties):
        if addresses is None:
            raise ValueError(f"{contract.id}: generalising addresses needs the pc6hnr reference table")
        lookup = addresses.select(
            "postcode",
            "huisnummer",
            pl.format("BU{}", pl.col("buurt").cast(pl.String).str.zfill(8)).alias("buurt_code"),
            pl.format("WK{}", pl.col("wijk").cast(pl.String).str.zfill(6)).alias("wijk_code"),
            pl.format("GM{}", pl.col("gemeente").cast(pl.String).str.zfill(4)).alias("gemeente_code"),
        ).unique(subset=["postcode", "huisnummer"], keep="first")
        frame = frame.with_columns(pl.col("huisnummer").cast(pl.Int64)).join(
            lookup, on=["postcode", "huisnummer"], how="left", maintain_order="left"
        )
    frame = frame.rename({FILE_COLUMN: "source_file", LINE_COLUMN: "source_line"})
    return frame.select(staged_columns(contract))
