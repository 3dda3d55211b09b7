"""Great Expectations suites come from the contracts, and their checks (and the quarantine share) block the run."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from pipelines.defs.ingest import quality_checks
from pipelines.ingest.expectations import run_suite, suite_expectations
from pipelines.lib.sealing import read_sealed, write_sealed
from pseudonymisation.contract import load_contract
from tests.conftest import materialize_all
from tests.handmade_inbox import valid_bsn, write_handmade_inbox
from tests.test_bad_inputs import ENROL_HEADER, GOOD_ROWS, csv_bytes, ingest_bytes


def test_the_suite_is_generated_from_the_contract() -> None:
    rules = {(column, rule): e for column, rule, e in suite_expectations(load_contract("inschrijvingen"))}
    assert rules[("*", "only_contract_columns")].column_list == [  # type: ignore[attr-defined]
        "person_id",
        "id_type",
        "geboortecohort",
        "brin",
        "vestigingsnummer",
        "onderwijssoort",
        "datum_inschrijving",
        "datum_uitschrijving",
    ]
    assert set(rules) == {
        ("*", "only_contract_columns"),
        ("person_id", "required"),
        ("person_id", "pseudonym_format"),
        ("id_type", "allowed_values"),
        ("geboortecohort", "required"),
        ("brin", "required"),
        ("brin", "pattern"),
        ("vestigingsnummer", "required"),
        ("vestigingsnummer", "pattern"),
        ("onderwijssoort", "required"),
        ("onderwijssoort", "allowed_values"),
        ("datum_inschrijving", "required"),
        ("datum_uitschrijving", "not_before_datum_inschrijving"),
    }
    assert rules[("person_id", "pseudonym_format")].regex == "^[0-9a-f]{32}$"  # type: ignore[attr-defined]


def test_clean_staged_rows_meet_the_suite_and_a_tampered_table_fails_with_counts_and_examples(tmp_path: Path) -> None:
    contract = load_contract("inschrijvingen")
    ingest_bytes(tmp_path, "inschrijvingen", csv_bytes(ENROL_HEADER, GOOD_ROWS))
    staged = tmp_path / "staged.parquet"
    clean = run_suite(contract, staged)
    assert clean.success and clean.rows == 3 and len(clean.outcomes) == 13

    frame = read_sealed(staged)
    raw_bsn = valid_bsn(7)
    tampered = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("XYZ")).otherwise("onderwijssoort").alias("onderwijssoort"),
        pl.when(pl.int_range(pl.len()) == 1).then(pl.lit(raw_bsn)).otherwise("person_id").alias("person_id"),
        pl.lit("Jansen").alias("naam"),
    )
    write_sealed(tampered, tmp_path / "tampered.parquet")
    result = run_suite(contract, tmp_path / "tampered.parquet")
    failed = {(o.column, o.rule): o for o in result.failed}
    assert set(failed) == {
        ("*", "only_contract_columns"),
        ("onderwijssoort", "allowed_values"),
        ("person_id", "pseudonym_format"),
    }
    assert (
        failed[("onderwijssoort", "allowed_values")].unexpected,
        failed[("onderwijssoort", "allowed_values")].examples,
    ) == (1, ["XYZ"])
    assert failed[("person_id", "pseudonym_format")].unexpected == 1
    assert failed[("person_id", "pseudonym_format")].examples == [], "person keys are never shown as examples"
    assert "naam" in failed[("*", "only_contract_columns")].examples[0]


def test_both_ingest_checks_of_every_source_are_blocking() -> None:
    specs = [spec for check in quality_checks for spec in check.check_specs]
    assert {spec.name for spec in specs} == {"quarantine_share", "contract_expectations"}
    assert len(specs) == 18 and all(spec.blocking for spec in specs)


def checks_of(result: dg.ExecuteInProcessResult) -> dict[tuple[str, str], dg.AssetCheckEvaluation]:
    return {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}


@pytest.fixture(scope="module")
def too_much_quarantine(tmp_path_factory: pytest.TempPathFactory) -> dg.ExecuteInProcessResult:
    """The hand-made inbox plus four enrolments with a broken BSN: 4 of 17 rows quarantined (> 5 %)."""
    root = tmp_path_factory.mktemp("blocking")
    write_handmade_inbox(root / "inbox")
    enrolments = root / "inbox" / "inschrijvingen.csv"
    broken = [f"{valid_bsn(200 + i)[:-1]}{(int(valid_bsn(200 + i)[-1]) + 1) % 10}" for i in range(4)]
    extra = "".join(f"{b};;2014-03-15;11AA;0;BAO;5;2022-08-01;\r\n" for b in broken)
    enrolments.write_bytes(enrolments.read_bytes() + extra.encode())
    return materialize_all(root / "inbox", root / "out", raise_on_error=False)


def test_too_much_quarantine_blocks_everything_downstream(too_much_quarantine: dg.ExecuteInProcessResult) -> None:
    checks = checks_of(too_much_quarantine)
    share = checks[("staged/inschrijvingen", "quarantine_share")]
    assert not share.passed
    assert share.metadata["rows_quarantined"].value == 4
    events = too_much_quarantine.get_asset_materialization_events()
    materialised = {e.asset_key.to_user_string() for e in events if e.asset_key is not None}
    assert "staged/inschrijvingen" in materialised
    assert not {"warehouse", "indicators", "publication"} & materialised


def test_every_source_gets_its_expectation_results_in_the_ui(too_much_quarantine: dg.ExecuteInProcessResult) -> None:
    checks = checks_of(too_much_quarantine)
    suites = {k: v for k, v in checks.items() if k[1] == "contract_expectations"}
    assert len(suites) == 9
    for (asset, _), evaluation in suites.items():
        assert evaluation.passed, asset
        assert evaluation.metadata["expectations_failed"].value == 0
        expectations = evaluation.metadata["expectations"].value
        assert isinstance(expectations, int) and expectations >= 4
