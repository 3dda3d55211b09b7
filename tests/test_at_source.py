"""Pseudonymisation at the source: a holder runs `pseudonymise`, the monitor ingests the result as it is.

The analyst's inbox then holds no raw identifier at all: the pseudonymised exports, their receipts and the
public reference tables. The indicators must be exactly those of a run on the raw exports, no file the
holder or the run wrote may contain an identifier, and a file made with another key or changed afterwards
is refused with one sentence.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from pipelines.cli import main as monitor_main
from pipelines.lib.sealing import WarehouseUnsealer
from pipelines.lib.warehouse import read_warehouse
from pipelines.synthetic import generate
from pseudonymisation.at_source import main as pseudonymise_main
from pseudonymisation.scan import scan_for_identifiers
from tests.conftest import TEST_KEY_HEX, materialize_all
from tests.handmade_inbox import write_handmade_inbox
from tests.test_synthetic_pipeline import raw_identifiers

PERSON_EXPORTS = ("inschrijvingen", "diplomas", "verzuim", "bewoners", "toewijzingen", "declaraties")
REFERENCES = ("scholen.csv", "wijken.csv", "pc6hnr.csv")


def pseudonymise_inbox(raw: Path, holder_out: Path) -> Path:
    """What the holders do: pseudonymise every person export; the analyst's inbox gets the results only."""
    exports = [str(p) for s in PERSON_EXPORTS for p in raw.glob(f"{s}.csv")]
    if (raw / "ijw").is_dir():
        exports.append(str(raw / "ijw"))
    status = pseudonymise_main([*exports, "--out", str(holder_out), "--addresses", str(raw / "pc6hnr.csv")])
    assert status == 0
    inbox = holder_out.parent / "analyst-inbox"
    inbox.mkdir()
    for name in REFERENCES:
        shutil.copy(raw / name, inbox / name)
    for path in holder_out.glob("*.pseudo.*"):
        if ".quarantine." not in path.name:
            shutil.copy(path, inbox / path.name)
    return inbox


def indicators(out: Path) -> pl.DataFrame:
    with read_warehouse(out / "warehouse" / "monitor.duckdb") as con:
        return con.sql("SELECT * FROM indicators ORDER BY ALL").pl()


@pytest.fixture(scope="module")
def handmade_both_ways(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("at_source")
    write_handmade_inbox(root / "raw")
    mp = pytest.MonkeyPatch()
    mp.setenv("MONITOR_PSEUDONYM_KEY", TEST_KEY_HEX)
    try:
        assert materialize_all(root / "raw", root / "out-ingest").success
        inbox = pseudonymise_inbox(root / "raw", root / "holder")
        assert materialize_all(inbox, root / "out-source").success
    finally:
        mp.undo()
    return root, inbox, root / "out-source"


def test_pseudonymised_at_source_gives_the_same_indicators_as_at_ingest(
    handmade_both_ways: tuple[Path, Path, Path],
) -> None:
    root, _, out = handmade_both_ways
    assert indicators(out).equals(indicators(root / "out-ingest"))


def test_the_holder_gets_a_pseudonymised_file_a_receipt_and_a_quarantine_per_source(
    handmade_both_ways: tuple[Path, Path, Path],
) -> None:
    root, inbox, out = handmade_both_ways
    receipt = json.loads((root / "holder" / "inschrijvingen.pseudo.receipt.json").read_text(encoding="utf-8"))
    assert receipt["source"] == "inschrijvingen" and receipt["contract_version"] == "1.0.0"
    assert receipt["rows_read"] == receipt["rows_accepted"] + receipt["rows_quarantined"]
    manifest = json.loads((out / "publish" / "manifest.json").read_text(encoding="utf-8"))
    assert receipt["key_fingerprint"] == manifest["pseudonymisation"]["key_fingerprint"]
    header = (inbox / "inschrijvingen.pseudo.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(";") == [
        "person_id",
        "id_type",
        "geboortecohort",
        "brin",
        "vestigingsnummer",
        "onderwijssoort",
        "datum_inschrijving",
        "datum_uitschrijving",
    ]
    assert (root / "holder" / "inschrijvingen.pseudo.quarantine.csv").is_file()
    staged = json.loads((out / "warehouse" / "staged" / "inschrijvingen.summary.json").read_text(encoding="utf-8"))
    assert staged["files"][0]["at_source"]["key_fingerprint"] == receipt["key_fingerprint"]


def test_a_file_pseudonymised_with_another_key_is_refused(
    handmade_both_ways: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, inbox, _ = handmade_both_ways
    other = tmp_path / "inbox"
    shutil.copytree(inbox, other)
    receipt_path = other / "diplomas.pseudo.receipt.json"
    receipt = json.loads(receipt_path.read_text(encoding="utf-8"))
    receipt["key_fingerprint"] = "0123456789abcdef"
    receipt_path.write_text(json.dumps(receipt), encoding="utf-8")
    assert monitor_main(["run", "--inbox", str(other), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "diplomas.pseudo.csv: pseudonymised with key fingerprint 0123456789abcdef" in err
    assert "the pseudonyms would not link" in err


def test_a_pseudonymised_file_changed_afterwards_or_without_receipt_is_refused(
    handmade_both_ways: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, inbox, _ = handmade_both_ways
    changed = tmp_path / "changed"
    shutil.copytree(inbox, changed)
    with (changed / "verzuim.pseudo.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    assert monitor_main(["run", "--inbox", str(changed), "--out", str(tmp_path / "out1")]) == 2
    assert "verzuim.pseudo.csv: changed after pseudonymisation" in capsys.readouterr().err
    bare = tmp_path / "bare"
    shutil.copytree(inbox, bare)
    (bare / "bewoners.pseudo.receipt.json").unlink()
    assert monitor_main(["run", "--inbox", str(bare), "--out", str(tmp_path / "out2")]) == 2
    assert "bewoners.pseudo.csv: no receipt bewoners.pseudo.receipt.json" in capsys.readouterr().err


def test_at_source_no_raw_identifier_reaches_the_analyst_or_any_file_written(tmp_path: Path) -> None:
    """Synthetic exports with defects (invalid BSNs, invalid iJw messages) pseudonymised by the holders:
    neither the holders' outputs (incl. quarantine files) nor the analyst's inbox, warehouse, publication
    or Dagster event log holds a single raw identifier."""
    generate(tmp_path / "raw", scale=0.05, seed=11)
    inbox = pseudonymise_inbox(tmp_path / "raw", tmp_path / "holder")
    assert materialize_all(inbox, tmp_path / "out").success
    identifiers = raw_identifiers(tmp_path / "raw")
    assert len(identifiers) > 1000
    quarantined = pl.read_csv(tmp_path / "holder" / "bewoners.pseudo.quarantine.csv", separator=";")
    assert quarantined.height > 0, "the defects reached the holder's quarantine"
    for folder in (tmp_path / "holder", inbox, tmp_path / "out"):
        findings = scan_for_identifiers(folder, identifiers, unseal=WarehouseUnsealer())
        assert not findings, [str(f) for f in findings[:10]]
    assert list((tmp_path / "out" / "dagster").rglob("*.db")), "the event log was scanned too"
