"""The privacy audit: a clean run passes with a complete report; anything shaped like an identifier fails it.

The scan knows no raw identifiers: it looks for shapes (a BSN passing the eleven-test, an onderwijsnummer,
a postcode, an e-mail address, a phone number, a column of names). Planted values prove it finds them in
Parquet, DuckDB, JSON and plain text; the real numbers of a synthetic run (allocation numbers, amounts,
line numbers, dates, file names) prove it does not cry wolf.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dev.synthetic import generate
from pipelines.audit.patterns import PREFILTER, find_identifiers, mask, person_column_reason
from pipelines.audit.scan import chance_explains, scan_relation
from pipelines.cli import main as monitor_main
from pipelines.ingest.data_dictionary import PRIVACY_NL, category_text
from pipelines.lib.sealing import open_sealed, read_sealed
from pipelines.lib.settings import CONFIG_VARIABLE, DEFAULT_CONFIG
from pseudonymisation.bsn import WEIGHTS
from pseudonymisation.bsn import is_valid as is_valid_bsn
from pseudonymisation.config import load_hashing_config
from pseudonymisation.contract import load_all_contracts
from pseudonymisation.key import load_key
from pseudonymisation.onderwijsnummer import is_valid as is_valid_onderwijsnummer
from tests.conftest import TEST_CONFIG_FILE, TEST_KEY_HEX, TEST_TODAY, materialize_all
from tests.handmade_inbox import valid_bsn, valid_onderwijsnummer

BSN = valid_bsn(4242)
LOST_ZERO_BSN = "012345672"  # valid; a spreadsheet writes it as 12345672
ONDERWIJSNUMMER = valid_onderwijsnummer(77)


@pytest.fixture(scope="module")
def synthetic_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("audit")
    generate(root / "inbox", scale=0.02, seed=11)
    result = materialize_all(root / "inbox", root / "out")
    assert result.success
    return root / "out"


@pytest.fixture
def work_out(synthetic_out: Path, tmp_path: Path) -> Path:
    """A copy of the run's output to plant things in."""
    shutil.copytree(synthetic_out, tmp_path / "out", ignore=shutil.ignore_patterns("dagster", "audit"))
    return tmp_path / "out"


def audit(out: Path, report: Path, *extra: str) -> int:
    return monitor_main(["audit", "--out", str(out), "--report", str(report), *extra])


@dataclass(frozen=True)
class Audited:
    status: int
    stdout: str
    stderr: str
    markdown: str
    html: str


def run_cli_audit(out: Path, report: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> Audited:
    status = audit(out, report, *extra)
    captured = capsys.readouterr()
    read = (report / "audit.md").read_text(encoding="utf-8"), (report / "audit.html").read_text(encoding="utf-8")
    return Audited(status, captured.out, captured.err, *read)


@pytest.fixture(scope="module")
def clean_audit(synthetic_out: Path, tmp_path_factory: pytest.TempPathFactory) -> Audited:
    """The audit of the untouched synthetic run, measured on TEST_TODAY, with the test key available."""
    report = tmp_path_factory.mktemp("report")
    mp = pytest.MonkeyPatch()
    mp.setenv("MONITOR_PSEUDONYM_KEY", TEST_KEY_HEX)
    mp.setenv(CONFIG_VARIABLE, str(TEST_CONFIG_FILE))
    try:
        status = audit(synthetic_out, report, "--today", TEST_TODAY)
    finally:
        mp.undo()
    read = (report / "audit.md").read_text(encoding="utf-8"), (report / "audit.html").read_text(encoding="utf-8")
    return Audited(status, "", "", *read)


def test_the_audit_of_a_clean_run_passes_with_a_one_line_verdict(
    synthetic_out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audited = run_cli_audit(synthetic_out, tmp_path, capsys)
    assert audited.status == 0
    assert audited.stdout.startswith("Audit geslaagd") and audited.stdout.count("\n") == 1, "one-line verdict"
    assert "| Uitkomst (result) | GESLAAGD |" in audited.markdown


def test_the_html_report_is_one_offline_page_to_sign(clean_audit: Audited) -> None:
    assert "<script" not in clean_audit.html and not re.search(r"(src|href)=\"https?:", clean_audit.html)
    assert "Ondertekening (sign-off)" in clean_audit.html and "Handtekening" in clean_audit.markdown


def test_the_report_lists_every_source_and_field_with_privacy_class_and_fate(clean_audit: Audited) -> None:
    lines = clean_audit.markdown.splitlines()
    for source, contract in load_all_contracts().items():
        for field in contract.properties:
            cells = f"| `{field.name}` | {PRIVACY_NL[field.privacy]} | {field.fate} |"
            assert any(line.startswith(f"| `{source}` | ") and cells in line for line in lines), (source, field.name)


def test_the_report_names_the_legal_category_of_every_staged_source(clean_audit: Audited) -> None:
    stored = clean_audit.markdown.split("## Opgeslagen kolommen en juridische categorie")[1].split("\n## ")[0]
    for source, contract in load_all_contracts().items():
        assert f"| `{source}` | {category_text(contract)} |" in stored
    assert "| `toewijzingen` | bijzondere persoonsgegevens (art. 9 AVG) en strafrechtelijke persoonsgegevens" in stored


def test_the_report_shows_hashing_configuration_key_fingerprint_retention_and_run_history(
    clean_audit: Audited, synthetic_out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    markdown = clean_audit.markdown
    hashing = load_hashing_config().for_gemeente("GM0034")
    monkeypatch.setenv("MONITOR_PSEUDONYM_KEY", TEST_KEY_HEX)
    fingerprint = load_key(hashing).fingerprint
    manifest = json.loads((synthetic_out / "publish" / "manifest.json").read_text(encoding="utf-8"))
    assert hashing.domain_label in markdown and hashing.algorithm in markdown and hashing.key.id in markdown
    assert f"vingerafdruk `{fingerprint}`" in markdown
    assert f"`{fingerprint}`: 1 run(s) (huidige sleutel)" in markdown
    assert TEST_KEY_HEX not in markdown
    assert f"| `{manifest['run_id']}` |" in markdown, "run history from the manifests"
    cells = sum(c["onderdrukt"] for c in manifest["cells_suppressed"])
    assert f"{cells:,}".replace(",", ".") + " van " in markdown
    retention = markdown.split("## Bewaartermijnen (retention)")[1].split("\n## ")[0]
    for source, contract in load_all_contracts().items():
        assert f"| `{source}` | " in retention
        assert (f"`{contract.retentionField}`" if contract.retentionField else "n.v.t.") in retention
    assert f"| Bewaartermijn gemeten vanaf (retention measured on) | {TEST_TODAY} |" in markdown


def test_without_a_key_the_report_says_so_and_shows_the_recorded_fingerprints(
    synthetic_out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fingerprint = load_key(load_hashing_config()).fingerprint
    monkeypatch.delenv("MONITOR_PSEUDONYM_KEY")
    assert audit(synthetic_out, tmp_path) == 0
    markdown = (tmp_path / "audit.md").read_text(encoding="utf-8")
    assert "| Huidige sleutel (current key) | geen sleutel beschikbaar |" in markdown
    assert f"`{fingerprint}`: 1 run(s)" in markdown


def plant_bsn_in_parquet(out: Path) -> tuple[str, str, str]:
    pl.DataFrame({"opmerking": ["geen", f"leerling {BSN} verhuisd"]}).write_parquet(out / "publish" / "extra.parquet")
    return "publish/extra.parquet", "opmerking", "bsn"


def plant_bsn_in_duckdb(out: Path) -> tuple[str, str, str]:
    with open_sealed(out / "warehouse" / "monitor.duckdb") as con:
        con.execute("UPDATE stg_diplomas SET diploma = ? WHERE rowid = (SELECT min(rowid) FROM stg_diplomas)", [BSN])
    return "warehouse/monitor.duckdb", "stg_diplomas.diploma", "bsn"


def plant_bsn_in_json(out: Path) -> tuple[str, str, str]:
    path = out / "warehouse" / "staged" / "verzuim.summary.json"
    summary = json.loads(path.read_text(encoding="utf-8"))
    summary["files"][0]["note"] = f"regel 12: bsn {BSN}"
    path.write_text(json.dumps(summary), encoding="utf-8")
    return "warehouse/staged/verzuim.summary.json", "files[0].note", "bsn"


def plant_bsn_in_log(out: Path) -> tuple[str, str, str]:
    (out / "warehouse" / "ingest.log").write_text(f"start\nfout: {BSN} ongeldig\n", encoding="utf-8")
    return "warehouse/ingest.log", "regel 2", "bsn"


def plant_lost_zero_bsn_as_integer(out: Path) -> tuple[str, str, str]:
    pl.DataFrame({"leerling_bsn": [int(LOST_ZERO_BSN)]}).write_parquet(out / "warehouse" / "export.parquet")
    return "warehouse/export.parquet", "leerling_bsn", "bsn"


def plant_onderwijsnummer(out: Path) -> tuple[str, str, str]:
    pl.DataFrame({"kenmerk": [ONDERWIJSNUMMER]}).write_parquet(out / "warehouse" / "kenmerken.parquet")
    return "warehouse/kenmerken.parquet", "kenmerk", "onderwijsnummer"


def plant_postcode_in_publication(out: Path) -> tuple[str, str, str]:
    path = out / "publish" / "indicatoren.parquet"
    table = pl.read_parquet(path)
    table = table.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit("Kerkstraat 1, 1353 AA"))
        .otherwise("eenheid_naam")
        .alias("eenheid_naam")
    )
    table.write_parquet(path)
    return "publish/indicatoren.parquet", "eenheid_naam", "postcode"


def plant_email_in_markdown(out: Path) -> tuple[str, str, str]:
    (out / "publish" / "toelichting.md").write_text("# Toelichting\n\nVragen: j.jansen@school.example.nl\n")
    return "publish/toelichting.md", "regel 3", "e-mail"


def plant_phone_in_run_manifest(out: Path) -> tuple[str, str, str]:
    (out / "runs" / "notitie.txt").write_text("bel ouder 06-12345678\n", encoding="utf-8")
    return "runs/notitie.txt", "regel 1", "telefoon"


def plant_name_column(out: Path) -> tuple[str, str, str]:
    with open_sealed(out / "warehouse" / "monitor.duckdb") as con:
        con.execute("CREATE TABLE contact AS SELECT 'Jansen' AS achternaam")
    return "warehouse/monitor.duckdb", "contact.achternaam", "kolomnaam"


PLANTS = [
    plant_bsn_in_parquet,
    plant_bsn_in_duckdb,
    plant_bsn_in_json,
    plant_bsn_in_log,
    plant_lost_zero_bsn_as_integer,
    plant_onderwijsnummer,
    plant_postcode_in_publication,
    plant_email_in_markdown,
    plant_phone_in_run_manifest,
    plant_name_column,
]


def test_each_planted_identifier_is_found_and_fails_the_audit_with_its_value_masked(
    work_out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Planted together to run the audit once; each must show up on its own line, in its own place."""
    planted = [plant(work_out) for plant in PLANTS]
    audited = run_cli_audit(work_out, tmp_path / "report", capsys)
    assert audited.status == 2
    # one more than planted: the column `leerling_bsn` is also a finding by its name
    assert audited.stdout.startswith(f"Audit NIET geslaagd: {len(planted) + 1} vondst(en)")
    for path, where, kind in planted:
        assert f"{path} ({where}): {kind}" in audited.stderr, (path, where, kind)
        assert f"| `{path}` | `{where}` | {kind} |" in audited.markdown, (path, where, kind)
    shown = audited.stdout + audited.stderr + audited.markdown + audited.html
    for secret in (BSN, LOST_ZERO_BSN.lstrip("0"), ONDERWIJSNUMMER, "1353 AA", "j.jansen@school", "12345678"):
        assert secret not in shown, f"{secret} shown unmasked"
    assert "| Uitkomst (result) | NIET GESLAAGD |" in audited.markdown


def test_school_postcodes_count_only_in_the_school_reference_table(work_out: Path, tmp_path: Path) -> None:
    """A school's name and postcode are public reference data in staged/scholen; copied elsewhere they are not."""
    assert audit(work_out, tmp_path / "clean") == 0
    shutil.copy(work_out / "warehouse" / "staged" / "scholen.parquet", work_out / "publish" / "scholen.parquet")
    assert audit(work_out, tmp_path / "leak") == 2
    markdown = (tmp_path / "leak" / "audit.md").read_text(encoding="utf-8")
    assert "| `publish/scholen.parquet` | `postcode` | postcode |" in markdown
    assert "| `publish/scholen.parquet` | `naam` | kolomnaam |" in markdown


def test_an_unreadable_file_fails_the_audit(work_out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (work_out / "warehouse" / "staged" / "bewoners.parquet").write_bytes(b"PAR1 not really")
    assert audit(work_out, tmp_path) == 2
    assert "warehouse/staged/bewoners.parquet: onleesbaar" in capsys.readouterr().err


def test_storage_findings_file_modes_unsealed_files_and_a_raw_inbox_fail_the_audit(
    work_out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """How things are stored is audited too: modes, encryption at rest, and what the inbox still holds."""
    assert audit(work_out, tmp_path / "clean") == 0
    (work_out / "runs").chmod(0o755)
    plain = read_sealed(work_out / "warehouse" / "staged" / "diplomas.parquet")
    plain.write_parquet(work_out / "warehouse" / "staged" / "diplomas.parquet")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "bewoners.csv").write_text("bsn;naam\n", encoding="utf-8")
    (inbox / "inschrijvingen.csv").symlink_to(tmp_path / "elsewhere.csv")
    capsys.readouterr()
    assert audit(work_out, tmp_path / "report", "--inbox", str(inbox)) == 2
    err = capsys.readouterr().err
    assert "runs (rechten): bestandsrechten ×1, bv. 0755: open voor groep of anderen" in err
    assert "warehouse/staged/diplomas.parquet (bestand): onversleuteld ×1" in err
    assert "bewoners.csv (inbox): ruwe export ×1" in err
    assert "inschrijvingen.csv (inbox): inbox ×1, bv. inschrijvingen.csv: refused, it is a symbolic link" in err
    assert "bsn;naam" not in err, "nothing is read from an inbox file"


def test_auditing_a_missing_folder_says_so_in_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert monitor_main(["audit", "--out", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "holds no warehouse or publication" in err and "Traceback" not in err


def test_the_numbers_of_a_real_run_do_not_trip_the_scan(synthetic_out: Path, clean_audit: Audited) -> None:
    """Allocation numbers, amounts and dates are all there, and all pass (file names and line numbers are not
    stored any more: no pointer into a raw file)."""
    staged = synthetic_out / "warehouse" / "staged"
    declarations = read_sealed(staged / "declaraties.parquet")
    assert declarations.get_column("toewijzingnummer").str.contains(r"^[0-9a-f]{32}$").all()
    assert declarations.get_column("bedrag").max() > 100  # type: ignore[operator]
    assert not {"source_file", "source_line"} & set(declarations.columns)
    assert clean_audit.status == 0
    assert "| - | - | niets gevonden | 0 | - |" in clean_audit.markdown


def test_the_audit_fails_when_too_many_persons_stand_out_on_their_stored_quasi_identifiers(
    synthetic_out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 2 % of Almere a fifth of the residents are alone on birth cohort and wijk: under monitor.toml's own
    limits that blocks publication, in Dutch in the report and in English in audit.json."""
    monkeypatch.setenv(CONFIG_VARIABLE, str(DEFAULT_CONFIG))
    audited = run_cli_audit(synthetic_out, tmp_path, capsys)
    assert audited.status == 2
    summary = json.loads((tmp_path / "audit.json").read_text(encoding="utf-8"))
    measured = {(m["source"], m["gating"]): m for m in summary["k_anonymity"]["measured"]}
    assert set(measured) == {(s, g) for s in ("inschrijvingen", "bewoners") for g in (True, False)}
    residents = measured[("bewoners", True)]
    assert residents["quasi_identifiers"] == ["geboortecohort", "wijk_code", "gemeente_code"]
    assert residents["share_unique"] > summary["k_anonymity"]["max_share_unique"]
    assert summary["passed"] is False and any(f.startswith("bewoners: ") for f in summary["failures"])
    assert audited.stdout.startswith("Audit NIET geslaagd") and "`bewoners` te herkenbaar" in audited.stdout
    assert "Herkenbaarheid: k-anonimiteit (k-anonymity)" in audited.markdown and "TE HOOG" in audited.markdown
    assert "ter informatie" in audited.markdown


def random_allocation_numbers(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [str(rng.randrange(100_000_000, 1_000_000_000)) for _ in range(n)]


def test_nine_digit_allocation_numbers_pass_unless_more_are_valid_than_chance_explains() -> None:
    """One random nine-digit number in eleven passes the eleven-test; in toewijzingnummer that is no finding."""
    numbers = random_allocation_numbers(2000, seed=3)
    valid = sum(is_valid_bsn(n) or is_valid_onderwijsnummer(n) for n in numbers)
    assert 120 < valid < 250, "about one in eleven"
    with duckdb.connect() as con:
        con.execute(
            "CREATE TABLE t AS SELECT unnest(?::VARCHAR[]) AS toewijzingnummer, unnest(?::VARCHAR[]) AS kenmerk",
            [numbers, numbers],
        )
        findings, _ = scan_relation(con, "t", "t")
        assert {f.where for f in findings} == {"kenmerk"}, "the same numbers elsewhere are findings"
        bsns = [valid_bsn(i) for i in range(60)]
        con.execute("CREATE TABLE mixed AS SELECT unnest(?::VARCHAR[]) AS toewijzingnummer", [numbers[:300] + bsns])
        findings, _ = scan_relation(con, "mixed", "mixed")
        assert [(f.where, f.kind) for f in findings] == [("toewijzingnummer", "bsn")], "BSNs mixed in are found"


def test_amounts_dates_and_line_numbers_are_not_identifiers() -> None:
    with duckdb.connect() as con:
        con.execute(
            "CREATE TABLE t AS SELECT ?::DECIMAL(18,2) AS bedrag, ?::DOUBLE AS teller, DATE '2024-02-07' AS datum, "
            "'20240207' AS datum_tekst, 123456::BIGINT AS source_line, ? AS omschrijving",
            [int(BSN), float(BSN), f"totaal {BSN[:6]}.{BSN[6:]} euro"],
        )
        findings, columns = scan_relation(con, "t", "t")
    assert columns == 6
    assert findings == []


def _with_check_digit(number: int) -> str | None:
    digits = f"{number:08d}"
    check = sum(int(d) * w for d, w in zip(digits, WEIGHTS[:8], strict=True)) % 11
    return digits + str(check) if check < 10 and number else None


# A valid BSN: eight digits and the check digit that makes the weighted sum divisible by 11.
bsns = st.integers(0, 99_999_999).map(_with_check_digit).filter(lambda v: v is not None).map(str)


SEPARATORS = st.sampled_from([" ", ";", ",", "\t", "|", ":", "(", "_", "/", "\n", "'", '"'])


@given(bsns, SEPARATORS, SEPARATORS, st.text("abc xyz", max_size=5))
def test_any_valid_bsn_as_a_whole_token_is_found(bsn: str, before: str, after: str, words: str) -> None:
    hits = find_identifiers(f"{words}{before}{bsn}{after}{words}")
    assert [h.value for h in hits if h.kind in ("bsn", "onderwijsnummer")] == [bsn]


@given(bsns, st.sampled_from(["a", "F", "0", "x9"]))
def test_a_bsn_inside_a_longer_token_is_not_a_finding(bsn: str, glue: str) -> None:
    """Hex pseudonyms and codes hold digit runs; only whole tokens count."""
    assert not [h for h in find_identifiers(f"{glue}{bsn}") + find_identifiers(f"{bsn}{glue}") if h.kind == "bsn"]


@given(st.text("0123456789", min_size=9, max_size=9))
def test_a_nine_digit_number_is_flagged_exactly_when_it_is_a_valid_identifier(digits: str) -> None:
    kinds = {h.kind for h in find_identifiers(f"nr {digits}.")}
    assert ("bsn" in kinds or "onderwijsnummer" in kinds) == (is_valid_bsn(digits) or is_valid_onderwijsnummer(digits))


@given(st.text(st.sampled_from("0123456789 -.+@_abAZSD#,\n"), max_size=40))
def test_the_database_prefilter_keeps_every_value_the_detector_flags(text: str) -> None:
    if find_identifiers(text) or find_identifiers(text, bsn_column=True):
        assert re.search(PREFILTER, text), "DuckDB would have dropped a value the detector flags"


@given(st.text(min_size=3, max_size=30))
def test_a_masked_value_keeps_only_its_first_and_last_character(value: str) -> None:
    masked = mask(value)
    assert len(masked) == len(value) and masked[1:-1] == "*" * (len(value) - 2)


def test_column_names_of_people_are_flagged_and_names_of_units_are_not() -> None:
    for column in ("voornaam", "Achternaam", "naam", "leerling_naam", "E-mail", "straat", "telefoonnummer", "bsn"):
        assert person_column_reason(column), column
    for column in ("eenheid_naam", "indicator_naam", "wijknaam", "naam_nl", "gemeente_naam", "person_id", "brin"):
        assert person_column_reason(column) is None, column


def test_postcode_shapes_that_are_not_postcodes_are_ignored() -> None:
    assert [h.kind for h in find_identifiers("1353AA en 1353 AA")] == ["postcode", "postcode"]
    assert find_identifiers("kleur #3366CC, 2024 SS, 0123AB, 1353aa, a1353AA") == []
    assert chance_explains(1, 1) and not chance_explains(5, 5)
