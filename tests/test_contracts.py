"""Contracts: every source has one that loads, and a broken one names file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.ingest.contract import (
    CONTRACTS_DIR,
    SOURCES,
    ContractError,
    load_all_contracts,
    load_contract_file,
)


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
    broken.write_text(text.replace("fate: generalise\n    generalisation: year_month", "fate: keep"), encoding="utf-8")
    with pytest.raises(ContractError) as info:
        load_contract_file(broken)
    message = str(info.value)
    assert str(broken) in message and "line 37" in message and "'geboortedatum'" in message
    assert "quasi_identifier must be generalised" in message
