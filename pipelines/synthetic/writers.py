"""CSV exports in the formats real source systems produce (spec §1): delimiter, encoding, dates, decimals.

Why: the ingest must detect `;` vs `,`, UTF-8 (with/without BOM) vs Windows-1252, CRLF vs LF and two date
styles; each file here deliberately uses the convention of the system it imitates.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from pipelines.synthetic.dates import EXTRACT_DAY

ISO = "%Y-%m-%d"
DMY = "%d-%m-%Y"


def write_csv(
    df: pl.DataFrame,
    path: Path,
    *,
    sep: str = ";",
    encoding: str = "utf-8",
    crlf: bool = False,
    bom: bool = False,
) -> int:
    """Write an all-text frame; returns the number of data rows."""
    # Empty text is written as an empty field (polars would quote "" to tell it from null).
    df = df.with_columns(pl.when(pl.col(pl.Utf8) == "").then(None).otherwise(pl.col(pl.Utf8)).name.keep())
    text = df.write_csv(separator=sep, line_terminator="\r\n" if crlf else "\n", quote_style="necessary")
    data = text.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return df.height


def date_text(col: str, fmt: str = ISO) -> pl.Expr:
    """Date column as text in ``fmt``; null becomes empty."""
    return pl.col(col).dt.strftime(fmt).fill_null("")


def bsn_text(col: str = "bsn", pad: bool = True) -> pl.Expr:
    """BSN as text; ``pad=False`` mimics Excel dropping the leading zero (8 digits)."""
    txt = pl.col(col).cast(pl.Utf8)
    txt = txt.str.zfill(9) if pad else txt
    return pl.when(pl.col(col) >= 0).then(txt).otherwise(pl.lit(""))


def onr_text(col: str = "onr") -> pl.Expr:
    """Onderwijsnummer as text, empty for pupils with a BSN."""
    return pl.when(pl.col(col) >= 0).then(pl.col(col).cast(pl.Utf8)).otherwise(pl.lit(""))


def inschrijvingen(
    enr: pl.DataFrame, persons: pl.DataFrame, schools: pl.DataFrame, rng: np.random.Generator
) -> pl.DataFrame:
    """Enrolment export (leerplicht system via Excel): BSN loses its leading 0, '01' sometimes '1'."""
    df = enr.join(persons.select("pid", "bsn", "onr", "birth"), on="pid", how="left").join(
        schools.select("school_id", "brin", "vestnr"), on="school_id", how="left"
    )
    short = pl.Series(rng.random(df.height) < 0.5)
    return df.select(
        bsn_text(pad=False).alias("bsn"),
        onr_text().alias("onderwijsnummer"),
        date_text("birth", DMY).alias("geboortedatum"),
        pl.col("brin"),
        pl.when(short & (pl.col("vestnr") == "01"))
        .then(pl.lit("1"))
        .otherwise(pl.col("vestnr"))
        .alias("vestigingsnummer"),
        pl.col("soort").alias("onderwijssoort"),
        pl.col("leerjaar").cast(pl.Utf8).fill_null("").alias("leerjaar"),
        date_text("start", DMY).alias("datum_inschrijving"),
        date_text("end", DMY).alias("datum_uitschrijving"),
    )


def diplomas(dip: pl.DataFrame, persons: pl.DataFrame, schools: pl.DataFrame) -> pl.DataFrame:
    """Diploma export (education registration), DD-MM-YYYY."""
    df = dip.join(persons.select("pid", "bsn", "onr"), on="pid", how="left").join(
        schools.select("school_id", "brin", "vestnr"), on="school_id", how="left"
    )
    return df.select(
        bsn_text().alias("bsn"),
        onr_text().alias("onderwijsnummer"),
        pl.col("brin"),
        pl.col("vestnr").alias("vestigingsnummer"),
        pl.col("diploma"),
        date_text("datum", DMY).alias("datum_diploma"),
    )


def verzuim(cases: pl.DataFrame, persons: pl.DataFrame, schools: pl.DataFrame) -> pl.DataFrame:
    """Absence export (leerplicht system): comma-separated, ISO dates, school empty for ABSOLUUT."""
    df = cases.join(persons.select("pid", "bsn", "onr"), on="pid", how="left").join(
        schools.select("school_id", "brin", "vestnr"), on="school_id", how="left"
    )
    return df.select(
        bsn_text().alias("bsn"),
        onr_text().alias("onderwijsnummer"),
        pl.col("brin").fill_null(""),
        pl.col("vestnr").fill_null("").alias("vestigingsnummer"),
        pl.col("soort"),
        date_text("start").alias("datum_start"),
        date_text("einde").alias("datum_einde"),
        pl.col("vrijstelling"),
    )


def bewoners(periods: pl.DataFrame, persons: pl.DataFrame, addresses: pl.DataFrame) -> pl.DataFrame:
    """BRP extract: one row per address period (datum_tot inclusive, empty = current)."""
    df = periods.join(persons.select("pid", "bsn", "birth"), on="pid", how="left").join(
        addresses.select("address_id", "postcode", "huisnummer"), on="address_id", how="left"
    )
    return df.select(
        bsn_text().alias("bsn"),
        date_text("birth").alias("geboortedatum"),
        pl.col("postcode"),
        pl.col("huisnummer").cast(pl.Utf8),
        date_text("vanaf").alias("datum_vanaf"),
        date_text("tot").alias("datum_tot"),
    )


def toewijzingen(t: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    """Flat youth-care export: one row per toewijzing, final state (after JW301 changes)."""
    df = t.join(persons.select("pid", "bsn"), on="pid", how="left")
    return df.select(
        bsn_text().alias("bsn"),
        pl.col("toewijzingnummer").cast(pl.Utf8),
        pl.col("categorie").alias("productcategorie"),
        pl.col("productcode"),
        pl.col("verwijzer_type"),
        date_text("ingang").alias("ingangsdatum"),
        pl.when(pl.col("einddatum") <= EXTRACT_DAY)
        .then(date_text("einddatum"))
        .otherwise(pl.lit(""))
        .alias("einddatum"),
        date_text("begindatum_zorg"),
        date_text("einddatum_zorg"),
        pl.col("reden_beeindiging"),
    )


def declaraties(d: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    """Declaration lines in euro with decimal comma."""
    df = d.join(persons.select("pid", "bsn"), on="pid", how="left")
    euros = (
        (pl.col("bedrag_cent") // 100).cast(pl.Utf8)
        + pl.lit(",")
        + (pl.col("bedrag_cent") % 100).cast(pl.Utf8).str.zfill(2)
    )
    return df.select(
        bsn_text().alias("bsn"),
        pl.col("toewijzingnummer").cast(pl.Utf8),
        date_text("periode_begin"),
        date_text("periode_einde"),
        euros.alias("bedrag"),
        pl.col("debet_credit"),
    )


def pc6hnr(addresses: pl.DataFrame, buurten: pl.DataFrame, used: pl.Series) -> pl.DataFrame:
    """CBS postcode-huisnummer → buurt/wijk/gemeente for every address used (integer codes, no prefix)."""
    b = buurten.with_row_index("buurt_idx").select(pl.col("buurt_idx").cast(pl.Int64), "buurtcode", "wijkcode")
    df = addresses.filter(pl.col("address_id").is_in(used.implode())).join(b, on="buurt_idx", how="left")
    return df.sort("postcode", "huisnummer").select(
        pl.col("postcode").alias("PC6"),
        pl.col("huisnummer").cast(pl.Utf8).alias("Huisnummer"),
        pl.col("buurtcode").str.slice(4).str.strip_chars_start("0").alias("Buurt2024"),
        pl.col("wijkcode").str.slice(4).str.strip_chars_start("0").alias("Wijk2024"),
        pl.lit("34").alias("Gemeente2024"),
    )
