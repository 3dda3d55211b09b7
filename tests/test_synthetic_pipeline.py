"""The whole pipeline on a small synthetic inbox: published schema (spec §4) and no raw identifier anywhere."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from pipelines.audit.known_identifiers import scan_for_identifiers
from pipelines.cli import main as monitor_main
from pipelines.lib.sealing import WarehouseUnsealer, is_sealed_parquet, read_sealed
from pseudonymisation.contract import load_contract
from pseudonymisation.read_csv import read_export
from tests.conftest import TEST_KEY_HEX

SPEC_COLUMNS = {
    "schooljaar": pl.String,
    "niveau": pl.String,
    "eenheid_code": pl.String,
    "eenheid_naam": pl.String,
    "gemeente_code": pl.String,  # docs/levels.md: the gemeente a school, wijk or gemeente belongs to
    "indicator": pl.String,
    "indicator_naam": pl.String,
    "dimensie": pl.String,
    "categorie": pl.String,
    "teller": pl.Float64,
    "noemer": pl.Float64,
    "waarde": pl.Float64,
    "eenheid": pl.String,
    "gemeente_waarde": pl.Float64,
    "onderdrukt": pl.Boolean,
    "reden": pl.String,
}
KEY = ["schooljaar", "niveau", "eenheid_code", "indicator", "dimensie", "categorie"]


@pytest.fixture(scope="module")
def synthetic_run(small_synthetic_run: tuple[Path, dg.ExecuteInProcessResult]) -> tuple[Path, Path]:
    """The session's small synthetic run (scale 0.05), read only: its inbox and output root."""
    root, _ = small_synthetic_run
    return root / "inbox", root / "out"


def raw_identifiers(inbox: Path) -> set[str]:
    """Every BSN and onderwijsnummer in the inbox, read straight from the exports."""
    found: set[str] = set()
    for source in ("inschrijvingen", "diplomas", "verzuim", "bewoners", "toewijzingen", "declaraties"):
        contract = load_contract(source)
        for path in inbox.rglob(contract.file.name):
            frame = read_export(path, contract).frame
            for column in ("bsn", "onderwijsnummer"):
                if column in frame.columns:
                    found |= {v.zfill(9) for v in frame.get_column(column).drop_nulls().to_list() if v.isdigit()}
    for path in (inbox / "ijw").rglob("*.xml"):
        found |= set(re.findall(r"Bsn>\s*(\d{8,9})\s*<", path.read_text(encoding="utf-8", errors="ignore")))
    return {v for v in found if len(v) >= 8}


def test_published_parquet_follows_spec_section_4(synthetic_run: tuple[Path, Path]) -> None:
    _, out = synthetic_run
    table = pl.read_parquet(out / "publish" / "indicatoren.parquet")
    assert dict(table.schema) == SPEC_COLUMNS
    assert table.select(KEY).is_duplicated().sum() == 0, "one row per (schooljaar, niveau, eenheid, indicator, ...)"
    # The one gemeente holds all of its samenwerkingsverbanden (PO2401, VO2401): that level too (docs/levels.md).
    assert set(table.get_column("niveau").unique()) == {"school", "wijk", "gemeente", "samenwerkingsverband"}
    assert {"G1", "A1", "B1", "C1", "E1"} <= set(table.get_column("indicator").unique())
    counts = table.filter(pl.col("indicator") == "G1", ~pl.col("onderdrukt"))
    assert (counts.get_column("waarde") == counts.get_column("teller")).all(), "a count has waarde = teller"
    assert table.filter(pl.col("niveau") == "gemeente").get_column("gemeente_waarde").is_null().all()
    hidden = table.filter(pl.col("onderdrukt"))
    assert hidden.select(pl.col("teller", "noemer", "waarde").is_null().all()).row(0) == (True, True, True)
    shown = table.filter(~pl.col("onderdrukt"))
    assert (shown.filter(pl.col("indicator") != "C1").get_column("teller") >= 10).all()


def test_every_chart_is_written_as_html_and_png_and_says_synthetic(synthetic_run: tuple[Path, Path]) -> None:
    _, out = synthetic_run
    charts = out / "publish" / "charts"
    for indicator in ("G1", "A1", "B1", "C1", "E1"):
        html = (charts / f"{indicator}.html").read_text(encoding="utf-8")
        assert "synthetische data" in html
        assert "cdn.jsdelivr" not in html, "charts must load offline"
        assert (charts / f"{indicator}.png").read_bytes().startswith(b"\x89PNG")


def test_manifest_records_inputs_and_key_fingerprint_not_the_key(synthetic_run: tuple[Path, Path]) -> None:
    _, out = synthetic_run
    manifest_text = (out / "publish" / "manifest.json").read_text(encoding="utf-8")
    assert TEST_KEY_HEX not in manifest_text
    manifest = pl.read_json(out / "publish" / "manifest.json")
    assert len(manifest.get_column("pseudonymisation")[0]["key_fingerprint"]) == 16
    inputs = manifest.get_column("inputs")[0]
    assert all(i["rows_read"] == i["rows_accepted"] + i["rows_quarantined"] + i["rows_past_retention"] for i in inputs)
    rows = manifest.get_column("rows")[0]
    assert {source: counts["rows_past_retention"] for source, counts in rows.items()} == dict.fromkeys(rows, 0), (
        "measured from TEST_TODAY no fixture row is past retention (the indicators are held against the spec's)"
    )


def test_staged_rows_hold_no_pointer_into_a_raw_file(synthetic_run: tuple[Path, Path]) -> None:
    """No file name and no line number: with the raw export they re-identify every row (issue 15)."""
    _, out = synthetic_run
    for path in sorted((out / "warehouse" / "staged").glob("*.parquet")):
        columns = set(read_sealed(path).columns if is_sealed_parquet(path) else pl.read_parquet_schema(path))
        assert not columns & {"source_file", "source_line", "line", "file"}, path.name


def test_no_raw_identifier_in_any_file_the_run_wrote(synthetic_run: tuple[Path, Path]) -> None:
    inbox, out = synthetic_run
    identifiers = raw_identifiers(inbox)
    assert len(identifiers) > 1000, "the scan must have identifiers to look for"
    findings = scan_for_identifiers(out, identifiers, unseal=WarehouseUnsealer())
    assert not findings, [str(f) for f in findings[:10]]
    written = {p.suffix for p in out.rglob("*") if p.is_file()}
    assert {".parquet", ".duckdb", ".json", ".html", ".png", ".db"} <= written, written


def test_the_scan_does_find_an_identifier_that_leaks(tmp_path: Path) -> None:
    """The scan is only proof if it can fail: plant a BSN in Parquet, DuckDB and a log and expect all three."""
    bsn = "012345672"  # the log gets it as a spreadsheet would write it: without the leading zero
    pl.DataFrame({"x": [f"leak {bsn}"]}).write_parquet(tmp_path / "a.parquet")
    (tmp_path / "run.log").write_text(f"error for {bsn[1:]}", encoding="utf-8")
    import duckdb

    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("CREATE TABLE t AS SELECT ? AS v", [bsn])
    where = {f.path.name for f in scan_for_identifiers(tmp_path, {bsn}, unseal=WarehouseUnsealer())}
    assert {"a.parquet", "run.log", "w.duckdb"} <= where


def test_a_digit_run_inside_a_pseudonym_is_not_a_leak_but_a_bsn_in_a_field_is(tmp_path: Path) -> None:
    """A 64-character hex pseudonym holds a 7-9 digit run about one time in ten; by chance that run can equal a
    known BSN. It is part of the pseudonym, not a leak (the scan once failed a clean run that way)."""
    bsn = "123456782"
    noise = hashlib.sha256(b"any person").hexdigest()  # random-looking, as a real pseudonym (incompressible)
    pseudonym = "ab" + bsn + noise[:53]
    (tmp_path / "clean.csv").write_text(f"person_id;wijk\n{pseudonym};WK003401\n", encoding="utf-8")
    pl.DataFrame({"person_id": [pseudonym]}).write_parquet(tmp_path / "clean.parquet")
    assert scan_for_identifiers(tmp_path, {bsn}) == []
    (tmp_path / "leak.csv").write_text(f"bsn;wijk\n{bsn};WK003401\n", encoding="utf-8")
    assert [f.path.name for f in scan_for_identifiers(tmp_path, {bsn})] == ["leak.csv"]


def test_failed_run_says_why_and_leaves_the_previous_publication(
    synthetic_run: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox, out = synthetic_run
    broken_inbox = tmp_path / "inbox"
    shutil.copytree(inbox, broken_inbox)
    shutil.copy(broken_inbox / "declaraties.csv", broken_inbox / "inschrijvingen.csv")  # wrong file
    work_out = tmp_path / "out"
    shutil.copytree(out, work_out)
    published = work_out / "publish" / "indicatoren.parquet"
    before = hashlib.sha256(published.read_bytes()).hexdigest()
    status = monitor_main(["run", "--inbox", str(broken_inbox), "--out", str(work_out)])
    err = capsys.readouterr().err
    assert status == 2
    assert "inschrijvingen.csv: missing required column(s)" in err
    assert "Traceback" not in err
    assert hashlib.sha256(published.read_bytes()).hexdigest() == before
    identifiers = raw_identifiers(inbox)
    assert not [str(f) for f in scan_for_identifiers(work_out, identifiers, unseal=WarehouseUnsealer())], (
        "the failed run's logs leak nothing"
    )
    assert not [i for i in identifiers if i in err], "nor does its error message"


def test_run_refuses_to_start_without_a_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("MONITOR_PSEUDONYM_KEY")
    (tmp_path / "inbox").mkdir()
    status = monitor_main(["run", "--inbox", str(tmp_path / "inbox"), "--out", str(tmp_path / "out")])
    assert status == 2
    assert "No pseudonymisation key" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
