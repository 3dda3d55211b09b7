"""CSV exports in the formats real source systems produce (spec §1): delimiter, encoding, dates, decimals.

Why: the ingest must detect `;` vs `,`, UTF-8 (with/without BOM) vs Windows-1252, CRLF vs LF and two date
styles; each file here deliberately uses the convention of the system it imitates.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

from dev.synthetic.dates import EXTRACT_DAY
from dev.synthetic.defects import Plan

ISO = "%Y-%m-%d"
DMY = "%d-%m-%Y"


CHUNK_ROWS = 500_000  # rows turned into text and written at a time (memory stays flat as scale grows)

Text = Callable[[pl.DataFrame], pl.DataFrame]


def write_csv(
    df: pl.DataFrame,
    path: Path,
    *,
    text: Text | None = None,
    plan: Plan | None = None,
    sep: str = ";",
    encoding: str = "utf-8",
    crlf: bool = False,
    bom: bool = False,
) -> int:
    """Write ``text(df)`` (an all-text frame; ``df`` itself without ``text``) with ``plan``'s defects, chunk by
    chunk so neither the whole text frame nor the whole file is ever in memory; returns the data rows written.

    ``text`` must work row by row (row i of its result depends on row i of its input only)."""
    to_text = text or (lambda chunk: chunk)
    written = 0
    with path.open("wb") as fh:
        if bom:
            fh.write(b"\xef\xbb\xbf")
        for first in range(0, max(df.height, 1), CHUNK_ROWS):
            chunk = to_text(df.slice(first, CHUNK_ROWS))
            if plan is not None:
                chunk = plan.apply(chunk, first)
            # Empty text is written as an empty field (polars would quote "" to tell it from null).
            chunk = chunk.with_columns(pl.when(pl.col(pl.Utf8) == "").then(None).otherwise(pl.col(pl.Utf8)).name.keep())
            csv = chunk.write_csv(
                separator=sep,
                line_terminator="\r\n" if crlf else "\n",
                quote_style="necessary",
                include_header=first == 0,
            )
            fh.write(csv.encode(encoding))
            written += chunk.height
    return written


def gather(table: pl.DataFrame, ids: pl.Series, columns: list[str]) -> pl.DataFrame:
    """``columns`` of ``table`` for each id (null for a null id), where row i of ``table`` has id i: a left join
    on a dense key, without hashing the table for every chunk."""
    return table.select(pl.col(columns).gather(ids))


def with_lookups(df: pl.DataFrame, *lookups: tuple[pl.DataFrame, str, list[str]]) -> pl.DataFrame:
    """``df`` plus, per (table, key, columns), the looked-up columns of ``table`` by ``df[key]``."""
    parts = [df] + [gather(table, df[key], columns) for table, key, columns in lookups]
    return pl.concat(parts, how="horizontal")


def check_dense(table: pl.DataFrame, key: str) -> pl.DataFrame:
    """``table`` unchanged after checking that row i has ``key`` i (what ``gather`` relies on)."""
    if not table[key].equals(pl.Series(key, np.arange(table.height, dtype=np.int64))):
        raise ValueError(f"{key} is not the row number")
    return table


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


def inschrijvingen(enr: pl.DataFrame, persons: pl.DataFrame, schools: pl.DataFrame) -> pl.DataFrame:
    """Enrolment export (leerplicht system via Excel): BSN loses its leading 0, '01' sometimes '1' (where
    ``enr["short"]``, drawn per enrolment by the caller)."""
    df = with_lookups(enr, (persons, "pid", ["bsn", "onr", "birth"]), (schools, "school_id", ["brin", "vestnr"]))
    short = pl.col("short")
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
    df = with_lookups(dip, (persons, "pid", ["bsn", "onr"]), (schools, "school_id", ["brin", "vestnr"]))
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
    df = with_lookups(cases, (persons, "pid", ["bsn", "onr"]), (schools, "school_id", ["brin", "vestnr"]))
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
    df = with_lookups(
        periods, (persons, "pid", ["bsn", "birth"]), (addresses, "address_id", ["postcode", "huisnummer"])
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
    df = with_lookups(t, (persons, "pid", ["bsn"]))
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
    df = with_lookups(d, (persons, "pid", ["bsn"]))
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
    """CBS postcode-huisnummer → buurt/wijk/gemeente for every address used (integer codes, no prefix: the
    gemeente's number is the buurt code's first four digits)."""
    b = buurten.with_row_index("buurt_idx").select(pl.col("buurt_idx").cast(pl.Int64), "buurtcode", "wijkcode")
    df = addresses.filter(pl.col("address_id").is_in(used.implode())).join(b, on="buurt_idx", how="left")
    return df.sort("postcode", "huisnummer").select(
        pl.col("postcode").alias("PC6"),
        pl.col("huisnummer").cast(pl.Utf8).alias("Huisnummer"),
        pl.col("buurtcode").str.slice(2).str.strip_chars_start("0").alias("Buurt2024"),
        pl.col("wijkcode").str.slice(2).str.strip_chars_start("0").alias("Wijk2024"),
        pl.col("buurtcode").str.slice(2, 4).str.strip_chars_start("0").alias("Gemeente2024"),
    )
