"""Contracts: every source has one that loads, and a broken one names file, line and field."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from pipelines.cli import main as monitor_main
from pipelines.ingest.data_dictionary import write_data_dictionary
from pipelines.lib.settings import PROJECT_ROOT
from pseudonymisation.contract import (
    API_VERSION,
    CONTRACTS_DIR,
    SOURCES,
    Contract,
    ContractError,
    json_schema_text,
    load_all_contracts,
    load_contract_file,
)
from pseudonymisation.package_data import CONTRACT_SCHEMA
from tests.handmade_inbox import valid_bsn
from tests.test_bad_inputs import ENROL_HEADER


def test_every_source_has_a_valid_contract_with_privacy_fate_for_each_field() -> None:
    contracts = load_all_contracts()
    assert set(contracts) == set(SOURCES)
    for contract in contracts.values():
        for field in contract.properties:
            if field.privacy == "direct_identifier":
                assert field.fate in ("pseudonymise", "drop")


def test_a_broken_contract_fails_naming_file_line_and_field(tmp_path: Path) -> None:
    text = (CONTRACTS_DIR / "inschrijvingen.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "inschrijvingen.yaml"
    kept = text.replace("fate: generalise\n    generalisation: birth_cohort", "fate: keep")
    broken.write_text(kept, encoding="utf-8")
    with pytest.raises(ContractError) as info:
        load_contract_file(broken)
    message = str(info.value)
    line = next(n for n, text_line in enumerate(text.splitlines(), 1) if text_line.strip() == "- name: geboortedatum")
    assert str(broken) in message and f"line {line}" in message and "'geboortedatum'" in message
    assert "quasi_identifier must be generalised" in message


def test_contracts_check_validates_every_contract_and_counts_its_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert monitor_main(["contracts", "check"]) == 0
    out = capsys.readouterr().out
    assert "all 9 valid" in out
    for source in SOURCES:
        assert f"  {source} " in out
    assert re.search(r"inschrijvingen\s+v1\.0\.0\s+9 fields\s+20 rules", out)
    assert "processing.yaml v1.0.0: 5 parties, 7 risks" in out


def test_contracts_check_names_file_line_and_field_of_a_broken_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(CONTRACTS_DIR, tmp_path / "contracts")
    broken = tmp_path / "contracts" / "bewoners.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("privacy: direct_identifier", "privacy: secret"))
    assert monitor_main(["contracts", "check", "--dir", str(tmp_path / "contracts")]) == 2
    err = capsys.readouterr().err
    assert f"{broken}, line " in err and "'bsn'" in err and "privacy" in err


def test_a_dry_run_says_how_a_file_would_be_ingested_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad_bsn = valid_bsn(1)[:-1] + str((int(valid_bsn(1)[-1]) + 1) % 10)
    rows = [
        f"{valid_bsn(2)};;2014-03-15;11AA;0;BAO;5;2022-08-01;;Jansen",
        f"{bad_bsn};;2014-03-15;11AA;0;XYZ;5;x;;Pietje",
    ]
    export = tmp_path / "inschrijvingen.csv"
    export.write_text("\n".join([ENROL_HEADER + ";naam", *rows, ""]), encoding="utf-8")
    before = sorted(tmp_path.rglob("*"))
    assert monitor_main(["contracts", "check", str(export)]) == 0
    out = capsys.readouterr().out
    assert sorted(tmp_path.rglob("*")) == before, "a dry run writes nothing"
    assert "2 read, 1 would be accepted, 1 quarantined" in out
    assert "dropped  naam" in out
    assert "bsn:bsn_eleven_test: 1  (e.g. line 3 value '*********')" in out
    assert "onderwijssoort:allowed_values: 1  (e.g. line 3 value 'XYZ')" in out
    assert bad_bsn not in out and valid_bsn(2) not in out and "Jansen" not in out


def test_a_dry_run_of_an_unusable_file_says_it_would_be_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "declaraties.csv"
    export.write_text("", encoding="utf-8")
    assert monitor_main(["contracts", "check", str(export)]) == 2
    assert "would be rejected: declaraties.csv: the file is empty" in capsys.readouterr().err


def test_the_data_dictionary_in_docs_is_generated_from_the_current_contracts(tmp_path: Path) -> None:
    written = write_data_dictionary(tmp_path)
    assert len(written) == 2 * len(SOURCES) + 2 + 2  # and the open-data table (contracts/opendata/kerncijfers.yaml)
    for path in written:
        committed = PROJECT_ROOT / "docs" / "data-dictionary" / path.name
        assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
            f"{committed} is stale: run `monitor contracts docs`"
        )
    bewoners = (tmp_path / "bewoners.md").read_text(encoding="utf-8")
    for field in load_all_contracts()["bewoners"].properties:
        assert f"| `{field.name}` |" in bewoners
    assert "indirect identificerend" in bewoners and "daarna verwijderd" in bewoners


def contract_files() -> list[Path]:
    """Every YAML file in contracts/ that says it is a data contract (not processing.yaml, pseudonymisation.yaml)."""
    files = sorted(CONTRACTS_DIR.glob("*.yaml"))
    return [p for p in files if (yaml.safe_load(p.read_text(encoding="utf-8")) or {}).get("kind") == "DataContract"]


def test_the_committed_json_schema_is_the_one_generated_from_the_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert CONTRACT_SCHEMA.read_text(encoding="utf-8") == json_schema_text(), "run `monitor contracts schema`"
    assert monitor_main(["contracts", "schema", "--out", str(tmp_path / "schema.json")]) == 0
    assert (tmp_path / "schema.json").read_text(encoding="utf-8") == json_schema_text()
    assert "schema.json" in capsys.readouterr().out


def test_every_contract_validates_against_the_committed_json_schema() -> None:
    schema = json.loads(CONTRACT_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    files = contract_files()
    assert {p.stem for p in files} == set(SOURCES)
    for path in files:
        errors = [e.message for e in validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))]
        assert errors == [], path.name


def test_the_schema_refuses_what_the_model_refuses_an_odcs_api_version_and_an_unknown_key() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(CONTRACT_SCHEMA.read_text(encoding="utf-8")))
    contract = yaml.safe_load((CONTRACTS_DIR / "inschrijvingen.yaml").read_text(encoding="utf-8"))
    assert contract["apiVersion"] == API_VERSION
    for broken in ({**contract, "apiVersion": "v3.0.2"}, {**contract, "servers": []}):
        assert not validator.is_valid(broken)
        with pytest.raises(ValueError):
            Contract.model_validate(broken)
