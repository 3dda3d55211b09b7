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
* ``header_total_matches_lines``: the message's TotaalIngediendBedrag (signed by its DebetCredit) equals the
  sum of its Prestaties (debet minus credit). A message-level rule: every line of a failing message fails, the
  report counts the messages too, and its examples show each failing message once.
* ``one_person_per_toewijzing``: every declaration line of a ToewijzingNummer, and its final JW301, name one
  person. Persons are compared as numbers within the delivery (``client``: 1 = the first BSN seen), so the
  table and its examples hold no BSN; ``personen`` shows how many persons the toewijzing was declared for.

And one rule per toewijzing (rows with ``niveau`` = ``toewijzing``, no message or line position):

* ``ingangsdatum_agrees``: every JW305 (start) and JW307 (stop) of the toewijzing names the ingangsdatum the
  toewijzing carries. Which one that is, is decided as ever by ``pseudonymisation.ijw``: the (last) JW301's
  ingangsdatum; without a JW301 the first start or stop message in update order (Dagtekening, Identificatie).
  ``ingangsdatum_bron`` says which message that was, ``andere_ingangsdatums`` what the others said.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from pseudonymisation.ijw import AllocatedProduct, AllocationDates, DeclarationLine, iter_ijw

CONSISTENCY_FILE = "ijw_consistency.parquet"
EURO_EENHEID = "83"
MAX_EXAMPLES = 5

RULES: dict[str, str] = {
    "product_matches_allocation": "Gedeclareerd product = toegewezen product (JW301) / declared product = allocation",
    "amount_is_volume_times_tarief": (
        "IngediendBedrag = GeleverdVolume x ProductTarief, behalve Eenheid 83 / amount = volume x tarief, except 83"
    ),
    "period_within_one_month": "ProductPeriode binnen één kalendermaand / product period within one month",
    "header_total_matches_lines": (
        "TotaalIngediendBedrag van het bericht = som van zijn prestaties (D - C) / header total = sum of its lines"
    ),
    "one_person_per_toewijzing": (
        "Eén toewijzingnummer is voor één persoon gedeclareerd en toegewezen / one toewijzingnummer, one person"
    ),
    "ingangsdatum_agrees": (
        "JW305/JW307 noemen de ingangsdatum van de toewijzing (JW301 wint, anders de eerste start/stop) / "
        "start and stop messages name the toewijzing's ingangsdatum"
    ),
}
LINE, ALLOCATION = "prestatie", "toewijzing"
#: The rows a rule judges: declaration lines, or toewijzingen (which have no message or line position).
RULE_LEVEL: dict[str, str] = {rule: ALLOCATION if rule == "ingangsdatum_agrees" else LINE for rule in RULES}
#: Rules about a whole message: their examples show each failing message once.
_MESSAGE_RULES = ("header_total_matches_lines",)

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
    "header_total_matches_lines": ("header_totaal", "som_prestaties"),
    "one_person_per_toewijzing": ("personen",),
    "ingangsdatum_agrees": ("ingangsdatum", "ingangsdatum_bron", "andere_ingangsdatums"),
}

_INTEGERS = ("source_line", "volume", "tarief_cent", "bedrag_cent", "header_total_cent", "client")
_LINE_SCHEMA: dict[str, Any] = {name: pl.Int64 if name in _INTEGERS else pl.String for name in DeclarationLine._fields}
_EURO = pl.Decimal(12, 2)
POSITION = ("bericht", "prestatie")
SCHEMA: dict[str, Any] = {
    "niveau": pl.String,
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
    "header_totaal": _EURO,
    "som_prestaties": _EURO,
    "personen": pl.Int64,
    "ingangsdatum": pl.String,
    "ingangsdatum_bron": pl.String,
    "andere_ingangsdatums": pl.String,
    **dict.fromkeys(RULES, pl.Boolean),
}


@dataclass(frozen=True)
class RuleReport:
    """Counts of one rule over all declaration lines, and the first few failing lines."""

    rule: str
    lines: int  # the rows the rule judges: declaration lines, or toewijzingen (RULE_LEVEL)
    checked: int
    failed: int
    not_applicable: int
    examples: list[dict[str, Any]]
    messages_failed: int = 0  # distinct messages with a failing line (0 for a toewijzing rule)


def declaration_facts(lines: Iterable[DeclarationLine]) -> pl.DataFrame:
    """Declaration lines as a columnar frame (far smaller than the tuples it is built from)."""
    return pl.DataFrame(list(lines), schema=_LINE_SCHEMA, orient="row")


def consistency_table(
    facts: pl.DataFrame, allocated: Iterable[AllocatedProduct], dates: Iterable[AllocationDates] = ()
) -> pl.DataFrame:
    """One row per declaration line with its facts and one boolean per line rule, in source order, then one row
    per toewijzing with its dates and the toewijzing rule (`niveau` tells which)."""
    allocation_rows = _allocation_rows(dates)
    if facts.height == 0:
        return pl.concat([pl.DataFrame(schema=SCHEMA), allocation_rows], how="diagonal_relaxed").cast(SCHEMA)  # type: ignore[arg-type]
    products = pl.DataFrame(
        list(allocated),
        schema={
            "toewijzingnummer": pl.String,
            "productcategorie": pl.String,
            "productcode": pl.String,
            "client": pl.Int64,
        },
        orient="row",
    ).rename(
        {
            "productcategorie": "toegewezen_productcategorie",
            "productcode": "toegewezen_productcode",
            "client": "toegewezen_client",
        }
    )
    frame = facts.join(products.with_columns(pl.lit(True).alias("heeft_toewijzing")), on="toewijzingnummer", how="left")
    begin, end = pl.col("periode_begin").str.to_date(), pl.col("periode_einde").str.to_date()
    same_categorie = pl.col("toegewezen_productcategorie").is_null() | (
        pl.col("toegewezen_productcategorie") == pl.col("productcategorie")
    )
    same_code = pl.col("toegewezen_productcode").is_null() | (pl.col("toegewezen_productcode") == pl.col("productcode"))
    reproducible = (pl.col("volume") * pl.col("tarief_cent") == pl.col("bedrag_cent")).fill_null(False)
    signed = pl.when(pl.col("debet_credit") == "C").then(-pl.col("bedrag_cent")).otherwise(pl.col("bedrag_cent"))
    line_sum = signed.sum().over("source_file")
    persons = pl.concat_list("client", pl.col("toegewezen_client").fill_null(pl.col("client")))
    personen = persons.explode().n_unique().over("toewijzingnummer").cast(pl.Int64)
    table = frame.with_columns(
        pl.lit(LINE).alias("niveau"),
        pl.col("source_file").rank("dense").cast(pl.Int64).alias("bericht"),
        pl.col("source_line").rank("ordinal").over("source_file").cast(pl.Int64).alias("prestatie"),
        pl.col("heeft_toewijzing").fill_null(False),
        begin.alias("periode_begin"),
        end.alias("periode_einde"),
        _euro("tarief_cent").alias("tarief"),
        _euro("bedrag_cent").alias("bedrag"),
        _euro("header_total_cent").alias("header_totaal"),
        (line_sum.cast(pl.Decimal(12, 0)).cast(_EURO) / 100).alias("som_prestaties"),
        personen.alias("personen"),
        pl.when(pl.col("heeft_toewijzing")).then(same_categorie & same_code).alias("product_matches_allocation"),
        pl.when(pl.col("eenheid") != EURO_EENHEID).then(reproducible).alias("amount_is_volume_times_tarief"),
        (begin.dt.month_start() == end.dt.month_start()).alias("period_within_one_month"),
        pl.when(pl.col("header_total_cent").is_not_null())
        .then(pl.col("header_total_cent") == line_sum)
        .alias("header_total_matches_lines"),
        (personen == 1).alias("one_person_per_toewijzing"),
    )
    lines = table.select([c for c in SCHEMA if c in table.columns])
    return pl.concat([lines, allocation_rows], how="diagonal_relaxed").select(list(SCHEMA)).cast(SCHEMA)  # type: ignore[arg-type]


def _allocation_rows(dates: Iterable[AllocationDates]) -> pl.DataFrame:
    """One row per toewijzing with its dates; the rule only where a start/stop named a date (else null)."""
    rows = [
        {
            "niveau": ALLOCATION,
            "toewijzingnummer": d.toewijzingnummer,
            "ingangsdatum": d.ingangsdatum,
            "ingangsdatum_bron": d.source,
            "andere_ingangsdatums": ", ".join(d.other_dates) or None,
            "ingangsdatum_agrees": not d.other_dates,
        }
        for d in dates
    ]
    schema = {k: SCHEMA[k] for k in ("niveau", "toewijzingnummer", "ingangsdatum", "ingangsdatum_bron")}
    schema |= {"andere_ingangsdatums": pl.String, "ingangsdatum_agrees": pl.Boolean}
    return pl.DataFrame(rows, schema=schema)


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
    dates: list[AllocationDates] = []
    for batch in iter_ijw(folder):
        facts.append(declaration_facts(batch.declaration_lines))
        allocated.extend(batch.allocated_products)
        dates.extend(batch.allocation_dates)
    return consistency_table(pl.concat(facts), allocated, dates)


def write_consistency(
    table: pl.DataFrame,
    staged: Path,
    pseudonymise: Callable[[list[str]], list[str]] | Callable[[list[str]], list[str | None]],
) -> None:
    """Write ``<staged>/ijw_consistency.parquet``, also when empty, so that a file of an earlier run can never
    be mistaken for this one's. The contracts make the toewijzingnummer a direct identifier (fate: pseudonymise),
    so it is stored, and shown in a check's examples, as its pseudonym only: `pseudonymise` maps raw numbers to
    the pseudonyms the staged tables carry, so an example still leads to its toewijzing there."""
    staged.mkdir(parents=True, exist_ok=True)
    numbers = table.get_column("toewijzingnummer")
    distinct = numbers.drop_nulls().unique(maintain_order=True)
    pseudonyms = dict(zip(distinct.to_list(), pseudonymise(distinct.to_list()), strict=True))
    table.with_columns(numbers.replace_strict(pseudonyms, default=None, return_dtype=pl.String)).write_parquet(
        staged / CONSISTENCY_FILE
    )


def rule_report(table: pl.DataFrame, rule: str) -> RuleReport:
    """Counts of ``rule`` over the rows it judges and up to five failing ones with their position (message and
    line; a toewijzing has none) and the values that disagree."""
    level = RULE_LEVEL[rule]
    if "niveau" not in table.columns:  # a file staged before the cross-message rules: declaration lines only
        table = table.with_columns(pl.lit(LINE).alias("niveau"))
    table = table.with_columns(pl.lit(None, SCHEMA[c]).alias(c) for c in SCHEMA if c not in table.columns)
    table = table.filter(pl.col("niveau") == level)
    verdict = table.get_column(rule)
    failing = table.filter(~pl.col(rule))
    position = list(POSITION) if level == LINE else []
    columns = [*position, "toewijzingnummer", *_EXAMPLE_COLUMNS[rule]]
    shown = failing.unique("bericht", keep="first", maintain_order=True) if rule in _MESSAGE_RULES else failing
    examples = [{k: _plain(v) for k, v in row.items()} for row in shown.head(MAX_EXAMPLES).select(columns).to_dicts()]
    return RuleReport(
        rule=rule,
        lines=table.height,
        checked=table.height - verdict.null_count(),
        failed=failing.height,
        not_applicable=verdict.null_count(),
        examples=examples,
        messages_failed=failing.get_column("bericht").drop_nulls().n_unique(),
    )


def _plain(value: object) -> object:
    """Dates and decimals as text, so that an example is plain JSON (Dagster metadata, logs)."""
    return value if value is None or isinstance(value, int | str) else str(value)
