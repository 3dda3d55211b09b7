"""Row-level validation against a contract: every row is accepted or quarantined with a reason.

Each rule of a field (required, type, identifier check, allowed codes, pattern, range) and each row rule
becomes one vectorised polars check. A failing row goes to the quarantine table once per broken rule,
with the source file, line, field, rule and the value, where identifiers and quasi-identifiers are masked.
Nothing is dropped silently: `rows_read == accepted + quarantined rows` is asserted on every run.

Prechecked identifiers: the iJw rows the monitor builds from parsed messages carry their identifiers already
checked and pseudonymised (`pseudonymisation/ijw_tokens.py`), because those messages are kept between runs and
nothing raw may be. Such a field's own rules were applied to each value before the rows existed
(`field_verdicts`, with the expressions below); a valid value arrives as its pseudonym and an invalid one as a
token naming the rules it broke and the value quarantine shows (`invalid_token`), which `validate` reports as it
would have reported the value itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np
import polars as pl

from pseudonymisation import bsn, cbs_area, onderwijsnummer
from pseudonymisation.contract import Contract, Field_
from pseudonymisation.read_csv import EXTRA_COLUMN, FILE_COLUMN, LINE_COLUMN, ROW_COLUMN, RawTable

QUARANTINE_SCHEMA = {
    "_row": pl.Int64,
    "source_file": pl.String,
    "line": pl.Int64,
    "field": pl.String,
    "rule": pl.String,
    "value": pl.String,
}
_DATE_ISO = r"^\d{4}-\d{2}-\d{2}$"
_DATE_NL = r"^\d{2}-\d{2}-\d{4}$"
#: An identifier that broke its field's rules before the rows were built: `!<rules>|<shown>|<id>`.
INVALID_MARK = "!"


class SeenRows:
    """Hashes of the rows seen so far in one export, so duplicates are found across its batches.

    Exact duplicate rows of one export count once (spec §2): every copy after the first is quarantined.
    The 64-bit row hashes are kept sorted in 256 buckets (by their top byte) and looked up by binary
    search: 8 bytes a row, the only memory of ingest that grows with the file, and merging a batch in
    only ever copies one small bucket. Two different rows of one file share a hash with a probability
    below 1e-6 even at 5 million rows.
    """

    BUCKETS = 256

    def __init__(self) -> None:
        self.buckets = [np.empty(0, dtype=np.uint64) for _ in range(self.BUCKETS)]

    def duplicates(self, frame: pl.DataFrame, columns: list[str]) -> pl.Series:
        series = frame.select(pl.struct(columns).hash(seed=0)).to_series()
        hashes = series.to_numpy()
        repeated = (~series.is_first_distinct()).to_numpy()
        bucket = (hashes >> np.uint64(56)).astype(np.intp)
        order = np.argsort(bucket, kind="stable")
        bounds = np.searchsorted(bucket[order], np.arange(self.BUCKETS + 1))
        for b in range(self.BUCKETS):
            rows = order[bounds[b] : bounds[b + 1]]
            if not rows.size:
                continue
            part, seen = hashes[rows], self.buckets[b]
            if seen.size:
                repeated[rows] |= seen[np.searchsorted(seen, part).clip(max=seen.size - 1)] == part
            merged = np.concatenate([seen, np.sort(part)])
            merged.sort(kind="stable")  # two sorted runs: timsort merges them in linear time
            self.buckets[b] = merged
        return pl.Series("_duplicate", repeated)


@dataclass
class Validated:
    accepted: pl.DataFrame
    quarantine: pl.DataFrame
    rows_read: int

    @property
    def rows_quarantined(self) -> int:
        return self.quarantine.get_column("_row").n_unique() if self.quarantine.height else 0


def _normalised(f: Field_) -> pl.Expr:
    """The text value as the contract wants to compare it (case, spaces, lost leading zeros)."""
    expr = pl.col(f.name)
    if f.logicalType == "identifier":
        expr = _identifier(f).compact_expr(expr)
    if f.removeSpaces:
        expr = expr.str.replace_all(r"\s", "")
    if f.upper:
        expr = expr.str.to_uppercase()
    if f.cbsArea is not None:
        expr = cbs_area.normalise_expr(expr, f.cbsArea)
    if f.brinField is not None:  # the location number alone: the BRIN in front (BRIN6)
        brin = pl.col(f.brinField).str.replace_all(r"\s", "").str.to_uppercase()
        expr = pl.when(expr.str.contains(r"^[0-9]{1,2}$")).then(pl.concat_str(brin, expr.str.zfill(2))).otherwise(expr)
    if f.padLeft:
        expr = pl.when(expr.str.contains(r"^\d+$")).then(expr.str.zfill(f.padLeft)).otherwise(expr)
    return expr.alias(f.name)


class IdentifierRule(Protocol):
    """What validation needs of an identifier's module (`pseudonymisation.bsn`, `pseudonymisation.onderwijsnummer`)."""

    RULE: str

    def compact_expr(self, col: pl.Expr) -> pl.Expr: ...

    def compacted_valid_expr(self, digits: pl.Expr) -> pl.Expr: ...


def _identifier(f: Field_) -> IdentifierRule:
    """The module that holds the rule of a person identifier field (contract.py allows only these two types)."""
    return bsn if f.identifierType == "bsn" else onderwijsnummer


def _typed(f: Field_) -> pl.Expr:
    """The value in its logical type; null where it cannot be parsed (a check reports that)."""
    c = pl.col(f.name)
    if f.logicalType == "date":
        return pl.coalesce(
            pl.when(c.str.contains(_DATE_ISO)).then(c.str.to_date("%Y-%m-%d", strict=False)),
            pl.when(c.str.contains(_DATE_NL)).then(c.str.to_date("%d-%m-%Y", strict=False)),
        ).alias(f.name)
    if f.logicalType == "integer":
        return c.cast(pl.Int64, strict=False).alias(f.name)
    if f.logicalType == "decimal":
        cleaned = (
            pl.when(c.str.contains(","))
            .then(c.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True))
            .otherwise(c)
        )
        return (
            pl.when(cleaned.str.contains(r"^-?\d+(\.\d+)?$"))
            .then(cleaned.cast(pl.Decimal(18, 2), strict=False))
            .alias(f.name)
        )
    return c


def _field_checks(f: Field_) -> list[tuple[str, pl.Expr]]:
    """(rule name, expression true when the row fails) for one field, on normalised text."""
    c = pl.col(f.name)
    present = c.is_not_null()
    checks: list[tuple[str, pl.Expr]] = []
    if f.required:
        checks.append(("required", c.is_null()))
    if f.logicalType == "date":
        checks.append(("date", present & _typed(f).is_null()))
    elif f.logicalType == "integer":
        checks.append(("integer", present & ~c.str.contains(r"^-?[0-9]+$")))
    elif f.logicalType == "decimal":
        checks.append(("decimal", present & _typed(f).is_null()))
    elif f.logicalType == "identifier":
        rule = _identifier(f)
        checks.append((rule.RULE, present & ~rule.compacted_valid_expr(c)))  # `_normalised` compacted it
    allowed = f.allowed_values
    if allowed is not None:
        checks.append(("allowed_values", present & ~c.is_in(allowed)))
    if f.pattern is not None:
        checks.append(("pattern", present & ~c.str.contains(f.pattern)))
    if f.minimum is not None:
        checks.append(("minimum", present & (_typed(f).cast(pl.Float64) < f.minimum).fill_null(False)))
    if f.maximum is not None:
        checks.append(("maximum", present & (_typed(f).cast(pl.Float64) > f.maximum).fill_null(False)))
    return checks


# What an identifier that lands in an attribute column (a shifted column, a BSN typed into a free field) looks
# like: a run of 7+ digits (a BSN or onderwijsnummer, also without its leading zeros, a phone number) or an
# e-mail address. Such a run is masked in quarantine too; the rest of the value stays readable for the holder.
_IDENTIFIER_SHAPED = r"\d{7,}|[^\s@;]+@[^\s@;]+"


def _masked_value(f: Field_) -> pl.Expr:
    """Identifiers and quasi-identifiers are never copied into quarantine: only their length shows. An attribute
    keeps its value (up to 100 characters) with anything shaped like an identifier masked."""
    if f.privacy == "attribute":
        return pl.col(f.name).str.slice(0, 100).str.replace_all(_IDENTIFIER_SHAPED, "<masked>")
    return pl.col(f.name).str.replace_all(r".", "*")


def invalid_token(rules: Sequence[str], shown: str, ident: str) -> str:
    """A prechecked value that broke `rules`: quarantine shows `shown`; `ident` keeps equal values equal."""
    return f"{INVALID_MARK}{','.join(rules)}|{shown}|{ident}"


def field_verdicts(f: Field_, values: pl.Series) -> pl.DataFrame:
    """Per value (already trimmed, empty as null): its normalised text, the rules of `f` it breaks (list; never
    `required`, which a null shows by itself) and what quarantine shows of it: what `validate` would find."""
    checks = [(name, fails) for name, fails in _field_checks(f) if name != "required"]
    broken = [pl.when(fails).then(pl.lit(name)) for name, fails in checks]
    frame = pl.DataFrame({f.name: values.cast(pl.String)}).with_columns(_normalised(f))
    return frame.select(
        pl.col(f.name).alias("normalised"),
        (pl.concat_list(broken).list.drop_nulls() if broken else pl.lit([], pl.List(pl.String))).alias("failed"),
        _masked_value(f).alias("shown"),
    )


def _prechecked_checks(f: Field_) -> list[tuple[str, pl.Expr]]:
    """The rules of `f`, each read from the tokens of values checked before the rows were built."""
    c = pl.col(f.name)
    invalid = c.is_not_null() & c.str.starts_with(INVALID_MARK)
    broken = c.str.split("|").list.first().str.strip_prefix(INVALID_MARK).str.split(",")
    checks: list[tuple[str, pl.Expr]] = [("required", c.is_null())]
    checks += [(name, invalid & broken.list.contains(name)) for name, _ in _field_checks(f) if name != "required"]
    return checks


def _prechecked_shown(f: Field_) -> pl.Expr:
    return pl.col(f.name).str.split("|").list.get(1, null_on_oob=True)


class Rule(NamedTuple):
    """One rule a row must meet: the field it concerns, its name, when it fails and what value to show."""

    field: str
    name: str
    fails: pl.Expr
    shown: pl.Expr


def row_rules(contract: Contract, prechecked: frozenset[str] = frozenset()) -> list[Rule]:
    """Every rule of a contract, in the order they are reported: the single source for validation and docs.
    Fields in `prechecked` hold tokens (module docstring): the same rules, read from the tokens."""
    rules: list[Rule] = []
    for f in contract.properties:
        if f.name in prechecked:
            rules += [Rule(f.name, name, fails, _prechecked_shown(f)) for name, fails in _prechecked_checks(f)]
        else:
            rules += [Rule(f.name, name, fails, _masked_value(f)) for name, fails in _field_checks(f)]
    no_value = pl.lit(None, pl.String)
    for row_rule in contract.rowRules:
        if row_rule.rule == "one_of_required" and row_rule.fields:
            fails = pl.all_horizontal([pl.col(n).is_null() for n in row_rule.fields])
            rules.append(Rule("|".join(row_rule.fields), "one_of_required", fails, no_value))
        elif row_rule.rule == "not_before" and row_rule.field and row_rule.other:
            later, earlier = contract.field(row_rule.field), contract.field(row_rule.other)
            fails = (_typed(later) < _typed(earlier)).fill_null(False)
            rules.append(Rule(later.name, f"not_before_{earlier.name}", fails, no_value))
    rules.append(Rule("*", "too_many_fields", pl.col(EXTRA_COLUMN).is_not_null(), pl.lit("***")))
    rules.append(Rule("*", "duplicate_row", pl.col("_duplicate"), no_value))
    return rules


def validate(
    raw: RawTable, contract: Contract, seen: SeenRows | None = None, prechecked: frozenset[str] = frozenset()
) -> Validated:
    """Split a raw table into typed accepted rows and a quarantine table with one row per broken rule.

    `seen` carries duplicate detection over the batches of one file; without it the table stands alone.
    `prechecked`: fields whose values are tokens of values checked before (module docstring).
    """
    frame = raw.frame.with_columns([_normalised(f) for f in contract.properties if f.name not in prechecked])
    duplicate = (seen or SeenRows()).duplicates(frame, [f.name for f in contract.properties])
    frame = frame.with_columns(duplicate.alias("_duplicate"))
    if EXTRA_COLUMN not in frame.columns:  # iJw rows: no CSV fields to count
        frame = frame.with_columns(pl.lit(None, pl.String).alias(EXTRA_COLUMN))
    rules = row_rules(contract, prechecked)
    # One lazy pass computes every rule's flag and every typed value (shared sub-expressions such as typed
    # dates once); only rules that fail somewhere are then filtered out row by row.
    typed_fields = [f for f in contract.properties if f.logicalType in ("date", "integer", "decimal")]
    checked = (
        frame.lazy()
        .select(
            *[rule.fails.alias(str(i)) for i, rule in enumerate(rules)],
            *[_typed(f).alias(f"_typed_{f.name}") for f in typed_fields],
        )
        .collect()
    )
    flags = checked.select(str(i) for i in range(len(rules)))
    failing = [i for i, n in enumerate(flags.select(pl.all().sum()).row(0)) if n]
    failures = [
        frame.filter(flags.get_column(str(i))).select(
            pl.col(ROW_COLUMN).alias("_row"),
            pl.col(FILE_COLUMN).alias("source_file"),
            pl.col(LINE_COLUMN).alias("line"),
            pl.lit(rules[i].field).alias("field"),
            pl.lit(rules[i].name).alias("rule"),
            rules[i].shown.cast(pl.String).alias("value"),
        )
        for i in failing
    ]
    failures.append(pl.DataFrame(schema=QUARANTINE_SCHEMA))
    bad = pl.any_horizontal(pl.all()) if flags.width else pl.lit(False)
    bad_rows = flags.select(bad.alias("bad")).to_series()
    typed = frame.with_columns(checked.get_column(f"_typed_{f.name}").alias(f.name) for f in typed_fields)
    typed = typed.filter(~bad_rows)
    quarantine = pl.concat(failures, how="vertical").cast(QUARANTINE_SCHEMA).sort("_row", "field")  # type: ignore[arg-type]
    accepted = typed.drop(EXTRA_COLUMN, "_duplicate", strict=False)
    result = Validated(accepted=accepted, quarantine=quarantine, rows_read=raw.rows_read)
    if result.accepted.height + result.rows_quarantined != raw.rows_read:
        raise AssertionError(
            f"{raw.source_file}: rows do not reconcile: read {raw.rows_read}, accepted {result.accepted.height}, "
            f"quarantined {result.rows_quarantined}"
        )
    return result
