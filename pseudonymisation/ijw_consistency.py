"""Consistency of iJw declaration lines (JW323): reported with counts, never silently fixed.

Why: a declaration that does not fit its allocation, whose amount is not volume x tarief, or whose product
period spans months is still money the gemeente paid, so the canonical declaraties table keeps it exactly as
declared. These checks only *report*; the asset checks in ``pipelines.defs.youth_care_checks`` show the counts
and a few examples so that someone can ask the provider.

An example names its line by position, not by file and line: ``bericht`` is the number of the declaration
message (JW323) within the delivery, in the order of the message file names (1 = the first), and
``prestatie`` the number of the declaration line within that message. Someone holding the delivery (the
provider, the gemeente's intake) finds the line with that; without the raw messages, which are removed after a
successful ingest, they point nowhere. File names are not kept: a provider may name files after a client.

The table built here is person-free by construction: it is made from :class:`DeclarationLine` and
:class:`AllocatedProduct` records, which carry no BSN. Amounts are written in euro (decimal) like the
canonical table, not as eurocent integers, so no 7-9 digit number that could pass for a BSN is written.

Rules (one boolean column each; null = not applicable to that line):

* ``product_matches_allocation``: declared ProductCategorie and ProductCode equal those of the final JW301
  of the same ToewijzingNummer. An aspecific allocation (categorie only) checks the categorie only, a generic
  one (no product) accepts any product. Not applicable when the messages hold no JW301 for the toewijzing
  (it may have come in the flat CSV or an earlier delivery); those lines are counted separately.
* ``amount_is_volume_times_tarief``: IngediendBedrag = GeleverdVolume x ProductTarief, except for Eenheid 83
  (euro's), where the volume is an amount itself. A missing ProductTarief with another eenheid fails:
  the amount cannot be reproduced.
* ``period_within_one_month``: ProductPeriode begins and ends in the same calendar month.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from pseudonymisation.ijw import AllocatedProduct, DeclarationLine, iter_ijw

CONSISTENCY_FILE = "ijw_consistency.parquet"
EURO_EENHEID = "83"
MAX_EXAMPLES = 5

RULES: dict[str, str] = {
    "product_matches_allocation": "Gedeclareerd product = toegewezen product (JW301) / declared product = allocation",
    "amount_is_volume_times_tarief": (
        "IngediendBedrag = GeleverdVolume x ProductTarief, behalve Eenheid 83 / amount = volume x tarief, except 83"
    ),
    "period_within_one_month": "ProductPeriode binnen één kalendermaand / product period within one month",
}

#: Per rule, the columns an example shows besides message, declaration line and toewijzingnummer.
_EXAMPLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "product_matches_allocation": (
        "productcategorie",
        "productcode",
        "toegewezen_productcategorie",
        "toegewezen_productcode",
    ),
    "amount_is_volume_times_tarief": ("volume", "eenheid", "tarief", "bedrag"),
    "period_within_one_month": ("periode_begin", "periode_einde"),
}

_LINE_SCHEMA: dict[str, Any] = {
    name: pl.Int64 if name in ("source_line", "volume", "tarief_cent", "bedrag_cent") else pl.String
    for name in DeclarationLine._fields
}
_EURO = pl.Decimal(12, 2)
POSITION = ("bericht", "prestatie")
SCHEMA: dict[str, Any] = {
    "bericht": pl.Int64,
    "prestatie": pl.Int64,
    "toewijzingnummer": pl.String,
    "debet_credit": pl.String,
    "productcategorie": pl.String,
    "productcode": pl.String,
    "toegewezen_productcategorie": pl.String,
    "toegewezen_productcode": pl.String,
    "heeft_toewijzing": pl.Boolean,
    "periode_begin": pl.Date,
    "periode_einde": pl.Date,
    "volume": pl.Int64,
    "eenheid": pl.String,
    "tarief": _EURO,
    "bedrag": _EURO,
    **dict.fromkeys(RULES, pl.Boolean),
}


@dataclass(frozen=True)
class RuleReport:
    """Counts of one rule over all declaration lines, and the first few failing lines."""

    rule: str
    lines: int
    checked: int
    failed: int
    not_applicable: int
    examples: list[dict[str, Any]]


def declaration_facts(lines: Iterable[DeclarationLine]) -> pl.DataFrame:
    """Declaration lines as a columnar frame (far smaller than the tuples it is built from)."""
    return pl.DataFrame(list(lines), schema=_LINE_SCHEMA, orient="row")


def consistency_table(facts: pl.DataFrame, allocated: Iterable[AllocatedProduct]) -> pl.DataFrame:
    """One row per declaration line with its facts and one boolean per rule, in source order."""
    if facts.height == 0:
        return pl.DataFrame(schema=SCHEMA)
    products = pl.DataFrame(
        list(allocated),
        schema={"toewijzingnummer": pl.String, "productcategorie": pl.String, "productcode": pl.String},
        orient="row",
    ).rename({"productcategorie": "toegewezen_productcategorie", "productcode": "toegewezen_productcode"})
    frame = facts.join(products.with_columns(pl.lit(True).alias("heeft_toewijzing")), on="toewijzingnummer", how="left")
    begin, end = pl.col("periode_begin").str.to_date(), pl.col("periode_einde").str.to_date()
    same_categorie = pl.col("toegewezen_productcategorie").is_null() | (
        pl.col("toegewezen_productcategorie") == pl.col("productcategorie")
    )
    same_code = pl.col("toegewezen_productcode").is_null() | (pl.col("toegewezen_productcode") == pl.col("productcode"))
    reproducible = (pl.col("volume") * pl.col("tarief_cent") == pl.col("bedrag_cent")).fill_null(False)
    table = frame.with_columns(
        pl.col("source_file").rank("dense").cast(pl.Int64).alias("bericht"),
        pl.col("source_line").rank("ordinal").over("source_file").cast(pl.Int64).alias("prestatie"),
        pl.col("heeft_toewijzing").fill_null(False),
        begin.alias("periode_begin"),
        end.alias("periode_einde"),
        _euro("tarief_cent").alias("tarief"),
        _euro("bedrag_cent").alias("bedrag"),
        pl.when(pl.col("heeft_toewijzing")).then(same_categorie & same_code).alias("product_matches_allocation"),
        pl.when(pl.col("eenheid") != EURO_EENHEID).then(reproducible).alias("amount_is_volume_times_tarief"),
        (begin.dt.month_start() == end.dt.month_start()).alias("period_within_one_month"),
    )
    return table.select(list(SCHEMA)).cast(SCHEMA)  # type: ignore[arg-type]


def _euro(cent_column: str) -> pl.Expr:
    """Eurocent integer → euro decimal, exactly (integer cents become a scale-2 decimal)."""
    return pl.col(cent_column).cast(pl.Decimal(12, 0)).cast(_EURO) / 100


def read_consistency(folder: Path) -> pl.DataFrame:
    """Stream every message under ``folder`` and keep only the consistency facts (no canonical rows).

    No folder means no iJw messages: an empty table with the full schema.
    """
    if not folder.is_dir():
        return pl.DataFrame(schema=SCHEMA)
    facts: list[pl.DataFrame] = []
    allocated: list[AllocatedProduct] = []
    for batch in iter_ijw(folder):
        facts.append(declaration_facts(batch.declaration_lines))
        allocated.extend(batch.allocated_products)
    return consistency_table(pl.concat(facts), allocated)


def write_consistency(table: pl.DataFrame, staged: Path) -> None:
    """Write ``<staged>/ijw_consistency.parquet``, also when empty, so that a file of an earlier run can never
    be mistaken for this one's."""
    staged.mkdir(parents=True, exist_ok=True)
    table.write_parquet(staged / CONSISTENCY_FILE)


def rule_report(table: pl.DataFrame, rule: str) -> RuleReport:
    """Counts of ``rule`` and up to five failing lines with message, line number and the values that disagree."""
    verdict = table.get_column(rule)
    failing = table.filter(~pl.col(rule))
    columns = [*POSITION, "toewijzingnummer", *_EXAMPLE_COLUMNS[rule]]
    examples = [{k: _plain(v) for k, v in row.items()} for row in failing.head(MAX_EXAMPLES).select(columns).to_dicts()]
    return RuleReport(
        rule=rule,
        lines=table.height,
        checked=table.height - verdict.null_count(),
        failed=failing.height,
        not_applicable=verdict.null_count(),
        examples=examples,
    )


def _plain(value: object) -> object:
    """Dates and decimals as text, so that an example is plain JSON (Dagster metadata, logs)."""
    return value if value is None or isinstance(value, int | str) else str(value)
