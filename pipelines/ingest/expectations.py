"""Great Expectations suites generated from the contracts, run on the staged (accepted) data.

Row validation already quarantined every row that breaks a rule, so a suite run on the accepted rows is an
independent second look with a standard tool: it proves to a privacy officer that only the columns the
contract allows were stored (no name or address slipped through), that person keys are pseudonyms, and that
the contract's codes, patterns, ranges and date orders hold. Any failure is a hard one: the asset check
that runs the suite is blocking. The staged Parquet is validated in batches, so memory stays bounded; the
counts of all batches are added up, with a few example values (never for person keys).

Speed at national scale (25 million declarations) comes from how the batches are handed to pandas, never
from checking less: every row of every column goes through the same expectations. Batches are large (GX
has a fixed cost per validation); text stays Arrow-backed (pandas' `str`), so regex and set checks run
vectorised; dates become datetime64 and decimals float64 where that compares exactly as the decimals do
(integer bounds), so null, range and date-order checks are vectorised instead of a Python call per value.
GX's batch fingerprint (an md5 over a full `hash_pandas_object`, a marker that validates nothing) is
skipped: it cost more than all expectations together.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from pipelines.lib.sealing import parquet_decryption
from pseudonymisation.config import load_hashing_config
from pseudonymisation.contract import Contract, Field_
from pseudonymisation.minimise import PERSON_COLUMNS, cohort_column, staged_columns

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # never phone home: the machine may be offline

import great_expectations as gx
import great_expectations.expectations as gxe
import pyarrow as pa
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.execution_engine import pandas_execution_engine

logging.getLogger("great_expectations").setLevel(logging.ERROR)
# GX fingerprints every in-memory batch smaller than this many bytes: a batch marker only, not a check.
pandas_execution_engine.HASH_THRESHOLD = 0
BATCH_ROWS = 2_000_000
EXACT_FLOAT_BOUND = 2**40  # integer range bounds up to this compare the same on float64 as on decimal(18, 2)
EXAMPLES = 5
HIDDEN_EXAMPLE_COLUMNS = {*PERSON_COLUMNS, "source_line"}


@dataclass
class ExpectationOutcome:
    """One expectation over all batches: how many values it saw and how many broke it."""

    expectation: str
    column: str
    rule: str
    checked: int = 0
    unexpected: int = 0
    examples: list[str] = field(default_factory=list)
    table_level_failed: bool = False

    @property
    def success(self) -> bool:
        return self.unexpected == 0 and not self.table_level_failed

    def as_dict(self) -> dict[str, Any]:
        return {
            "expectation": self.expectation,
            "column": self.column,
            "rule": self.rule,
            "checked": self.checked,
            "unexpected": self.unexpected,
            "success": self.success,
            "examples": self.examples,
        }


@dataclass
class SuiteResult:
    source: str
    rows: int
    outcomes: list[ExpectationOutcome]

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]


def _field_expectations(f: Field_, column: str) -> Iterator[tuple[str, gxe.Expectation]]:
    """(rule, expectation) for one contract field, as it is stored."""
    if f.required:
        yield "required", gxe.ExpectColumnValuesToNotBeNull(column=column)
    if f.fate != "keep":
        return
    if f.allowed_values is not None:
        yield "allowed_values", gxe.ExpectColumnValuesToBeInSet(column=column, value_set=f.allowed_values)
    if f.pattern is not None:
        yield "pattern", gxe.ExpectColumnValuesToMatchRegex(column=column, regex=f.pattern)
    if f.minimum is not None or f.maximum is not None:
        yield "range", gxe.ExpectColumnValuesToBeBetween(column=column, min_value=f.minimum, max_value=f.maximum)


def suite_expectations(contract: Contract) -> list[tuple[str, str, gxe.Expectation]]:
    """Every expectation the contract implies for its staged table, as (column, rule, expectation)."""
    columns = staged_columns(contract)
    found: list[tuple[str, str, gxe.Expectation]] = [
        ("*", "only_contract_columns", gxe.ExpectTableColumnsToMatchOrderedList(column_list=columns))
    ]
    if contract.identifier_fields:
        length = load_hashing_config().output.length
        found.append(("person_id", "required", gxe.ExpectColumnValuesToNotBeNull(column="person_id")))
        pseudonym = gxe.ExpectColumnValuesToMatchRegex(column="person_id", regex=f"^[0-9a-f]{{{length}}}$")
        found.append(("person_id", "pseudonym_format", pseudonym))
        kinds = [f.identifierType for f in contract.identifier_fields if f.identifierType]
        found.append(("id_type", "allowed_values", gxe.ExpectColumnValuesToBeInSet(column="id_type", value_set=kinds)))
    for f in contract.properties:
        column = cohort_column(f.name) if f.generalisation == "birth_cohort" else f.name
        if f.fate == "keep" or f.generalisation == "birth_cohort":
            found += [(column, rule, e) for rule, e in _field_expectations(f, column)]
    for row_rule in contract.rowRules:
        if row_rule.rule == "not_before" and row_rule.field and row_rule.other:
            order = gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=row_rule.field,
                column_B=row_rule.other,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            )
            found.append((row_rule.field, f"not_before_{row_rule.other}", order))
    return found


@cache
def _context() -> Any:
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def build_suite(contract: Contract) -> gx.ExpectationSuite:
    """The contract's suite, registered in an in-memory GX context (re-built from the contract each run)."""
    context = _context()
    name = f"{contract.id}-v{contract.version}"
    if name in {s.name for s in context.suites.all()}:
        context.suites.delete(name)
    suite = gx.ExpectationSuite(name=name, meta={"contract": contract.id, "contract_version": contract.version})
    for column, rule, expectation in suite_expectations(contract):
        expectation.meta = {"column": column, "rule": rule}
        suite.add_expectation(expectation)
    return context.suites.add(suite)


def _float_columns(contract: Contract) -> set[str]:
    """Decimal columns whose checks give the same answers on float64: every range bound is a modest integer.

    Rounding a decimal(18, 2) to the nearest double is monotonic and maps an integer bound to itself, and a
    value on the other side of such a bound is at least 0.01 away, far more than a double's spacing there:
    so each comparison with the bound, and nullness, comes out as it would on the decimal.
    """
    columns = set()
    for f in contract.properties:
        bounds = [b for b in (f.minimum, f.maximum) if b is not None]
        if f.logicalType == "decimal" and all(float(b).is_integer() and abs(b) <= EXACT_FLOAT_BOUND for b in bounds):
            columns.add(f.name)
    return columns


def _as_pandas(table: pa.Table | pa.RecordBatch, float_columns: set[str]) -> pd.DataFrame:
    """Arrow to pandas in types GX checks vectorised: Arrow-backed text, datetime64 dates, float64 decimals."""
    if float_columns:
        table = pa.Table.from_batches([table]) if isinstance(table, pa.RecordBatch) else table
        for i, name in enumerate(table.column_names):
            if name in float_columns and pa.types.is_decimal(table.schema.field(i).type):
                table = table.set_column(i, name, table.column(i).cast(pa.float64()))
    return table.to_pandas(date_as_object=False)


def _batches(path: Path, float_columns: set[str]) -> Iterator[pd.DataFrame]:
    """The staged table as pandas frames of at most BATCH_ROWS rows (GX has no polars support)."""
    parquet = pq.ParquetFile(path, decryption_properties=parquet_decryption())
    empty = True
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
        empty = False
        yield _as_pandas(batch, float_columns)
    if empty:
        yield _as_pandas(parquet.schema_arrow.empty_table(), float_columns)


def run_suite(contract: Contract, staged: Path) -> SuiteResult:
    """Validate the staged Parquet of one source against the suite generated from its contract."""
    context = _context()
    suite = build_suite(contract)
    name = f"staged-{contract.id}"
    if name in {d.name for d in context.data_sources.all().values()}:
        context.data_sources.delete(name)
    batch_definition = (
        context.data_sources.add_pandas(name)
        .add_dataframe_asset(contract.id)
        .add_batch_definition_whole_dataframe("all")
    )
    outcomes = {
        e.id: ExpectationOutcome(e.expectation_type, str((e.meta or {})["column"]), str((e.meta or {})["rule"]))
        for e in suite.expectations
    }
    rows = 0
    for frame in _batches(staged, _float_columns(contract)):
        rows += len(frame)
        validation = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(suite)
        for result in validation.results:
            outcome = outcomes[result.expectation_config.id]
            details = result.result or {}
            outcome.checked += int(details.get("element_count") or len(frame))
            unexpected = details.get("unexpected_count")
            if unexpected is None:
                outcome.table_level_failed |= not result.success
                if not result.success and not outcome.examples:
                    outcome.examples = [f"found columns: {', '.join(map(str, frame.columns))}"]
                continue
            outcome.unexpected += int(unexpected)
            if outcome.column not in HIDDEN_EXAMPLE_COLUMNS:
                room = EXAMPLES - len(outcome.examples)
                outcome.examples += [str(v) for v in (details.get("partial_unexpected_list") or [])[:room]]
    return SuiteResult(contract.id, rows, list(outcomes.values()))
