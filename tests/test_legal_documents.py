"""The DPIA and the record of processing are generated from the contracts, and the contracts' legal categories
and legal bases must agree with each other before anything is generated."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipelines.cli import main as monitor_main
from pipelines.legal.documents import dpia_text, write_legal_documents
from pipelines.legal.processing import NOT_MEASURED, load_measurements, load_processing
from pipelines.lib.settings import PROJECT_ROOT
from pseudonymisation.config import load_hashing_config
from pseudonymisation.contract import CONTRACTS_DIR, ContractError, load_all_contracts, load_contract_file


def _section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end)]


def test_the_committed_dpia_and_register_are_generated_from_the_current_contracts(tmp_path: Path) -> None:
    written = write_legal_documents(tmp_path)
    assert [p.name for p in written] == ["dpia.md", "verwerkingsregister.md"]
    for path in written:
        committed = PROJECT_ROOT / "docs" / path.name
        assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
            f"{committed} is stale: run `monitor contracts legal`"
        )


def test_the_dpia_follows_the_parts_and_points_of_the_model_dpia_rijksdienst(tmp_path: Path) -> None:
    dpia = write_legal_documents(tmp_path)[0].read_text(encoding="utf-8")
    parts = re.findall(r"^## (Deel [A-D]) ", dpia, flags=re.MULTILINE)
    points = [int(n) for n in re.findall(r"^### (\d+)\. ", dpia, flags=re.MULTILINE)]
    assert parts == ["Deel A", "Deel B", "Deel C", "Deel D"]
    assert points == list(range(1, 18))


def test_every_source_with_special_or_criminal_data_appears_in_the_dpia_with_its_article_9_or_10_ground(
    tmp_path: Path,
) -> None:
    dpia = write_legal_documents(tmp_path)[0].read_text(encoding="utf-8")
    special = _section(dpia, "### 12. ", "### 13. ")
    contracts = load_all_contracts()
    flagged = {s: c for s, c in contracts.items() if c.legal_categories}
    assert {"toewijzingen", "declaraties"} <= set(flagged), "youth care is health and criminal data"
    assert set(contracts["toewijzingen"].legal_categories) == {"special_art9", "criminal_art10"}
    for source, contract in flagged.items():
        block = special[special.index(f"(`{source}`)") :]
        block = block[: block.index("\n#### ")] if "\n#### " in block else block
        if "special_art9" in contract.legal_categories:
            assert contract.legalBasis.article9 and contract.legalBasis.article9 in block
            assert "AVG art. 9 lid 2 sub" in block and "art. 89" in block
        if "criminal_art10" in contract.legal_categories:
            assert contract.legalBasis.article10 and contract.legalBasis.article10 in block
            assert "AVG art. 10" in block and "UAVG art. 33" in block
        for ground in contract.legal_categories.values():
            assert ground.why.nl in block
    for source in set(contracts) - set(flagged):
        assert f"(`{source}`)" not in special


def test_every_legal_basis_that_is_an_assumption_says_the_jurist_must_confirm_it() -> None:
    for contract in load_all_contracts().values():
        if contract.legalCategory != "not_personal":
            assert (
                contract.legalBasis.toConfirm
                and "te bevestigen door de jurist/fg" in contract.legalBasis.toConfirm.lower()
            )


@pytest.mark.parametrize(
    ("source", "old", "new", "message"),
    [
        ("toewijzingen", "  article9: ", "  note9: ", "article9 is required with legal category 'special_art9'"),
        ("toewijzingen", "  article10: ", "  note10: ", "article10 is required with legal category 'criminal_art10'"),
        ("diplomas", "legalCategory: ordinary", "legalCategory: not_personal", "'not_personal' is for sources without"),
        ("scholen", "legalCategory: not_personal", "legalCategory: ordinary", "'not_personal' is for sources without"),
        ("verzuim", "fields: [vrijstelling]", "fields: [reden]", "legalCategory names unknown field"),
    ],
)
def test_a_contract_whose_legal_category_and_basis_disagree_is_refused(
    tmp_path: Path, source: str, old: str, new: str, message: str
) -> None:
    text = (CONTRACTS_DIR / f"{source}.yaml").read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / f"{source}.yaml"
    text = text.replace(old, new)
    if new.startswith("  note"):  # an unknown key would be refused for that alone: drop the line instead
        text = "\n".join(line for line in text.splitlines() if not line.startswith("  note")) + "\n"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(ContractError, match=re.escape(message)):
        load_contract_file(broken)


def test_measured_figures_fill_the_after_table_and_an_unmeasured_risk_says_so(tmp_path: Path) -> None:
    processing = load_processing()
    contracts, hashing = load_all_contracts(), load_hashing_config()
    absent = dpia_text(contracts, processing, load_measurements(processing, tmp_path / "none.json"), hashing)
    after = _section(absent, "#### NA DE MAATREGELEN", "## Advies en besluit")
    assert "**Nog niet gemeten.**" in after
    assert after.count(f"| {NOT_MEASURED} |") == len(processing.risks)

    figures = tmp_path / "measured.json"
    figures.write_text(
        json.dumps(
            {
                "measured_on": "2026-12-03",
                "how": "`monitor audit` op `make demo`",
                "figures": {"bsn_enumeration": "0 van 4 555 heridentificeerd", "file_modes": "0 van 281 leesbaar"},
            }
        ),
        encoding="utf-8",
    )
    filled = dpia_text(contracts, processing, load_measurements(processing, figures), hashing)
    after = _section(filled, "#### NA DE MAATREGELEN", "## Advies en besluit")
    assert "**Gemeten op 2026-12-03**" in after
    assert "| 0 van 4 555 heridentificeerd |" in after and "| 0 van 281 leesbaar |" in after
    assert after.count(f"| {NOT_MEASURED} |") == len(processing.risks) - 2


def test_a_measured_figure_for_an_unknown_risk_is_refused(tmp_path: Path) -> None:
    figures = tmp_path / "measured.json"
    figures.write_text(json.dumps({"measured_on": "x", "how": "y", "figures": {"bsn_enumeraton": "0"}}))
    with pytest.raises(ContractError, match="unknown risk\\(s\\) bsn_enumeraton"):
        load_measurements(load_processing(), figures)


def test_the_register_has_every_art_30_field_and_every_personal_source(tmp_path: Path) -> None:
    register = write_legal_documents(tmp_path)[1].read_text(encoding="utf-8")
    for letter in "abcdefg":
        assert f"| {letter}. " in register
    for source, contract in load_all_contracts().items():
        if contract.legalCategory != "not_personal":
            assert f"| `{source}` |" in register


def test_monitor_contracts_legal_writes_both_documents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert monitor_main(["contracts", "legal", "--out", str(tmp_path)]) == 0
    assert "dpia.md, verwerkingsregister.md" in capsys.readouterr().out
    assert (tmp_path / "dpia.md").is_file() and (tmp_path / "verwerkingsregister.md").is_file()
