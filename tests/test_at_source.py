"""Two-step pseudonymisation: holders pseudonymise at the source, the TTP translates, the analyst holds no key.

The analyst's inbox then holds no raw identifier at all: the TTP's files, their receipts and the public reference
tables. The analyst's run executes with no pseudonymisation key anywhere in its environment and must give exactly
the indicators of the single-key run on the raw exports. No file any party wrote may contain a raw identifier; a
file made with another key, in another domain, by the holder alone, or changed afterwards is refused with one
sentence; and neither a holder's secret alone nor everything the analyst holds reproduces a monitor pseudonym.
"""

from __future__ import annotations

import hmac
import json
import os
import re
import shutil
from pathlib import Path

import polars as pl
import pytest

from dev.roles import RoleKeys, analyst_config, role_keys, two_step_inbox
from dev.synthetic import generate
from pipelines.audit.known_identifiers import scan_for_identifiers
from pipelines.cli import main as monitor_main
from pipelines.lib.sealing import WAREHOUSE_LABELS, WarehouseUnsealer, read_sealed
from pipelines.lib.warehouse import read_warehouse
from pseudonymisation import bsn
from pseudonymisation.config import load_hashing_config
from pseudonymisation.key import PseudonymKey, load_key_file
from pseudonymisation.pseudonymiser import Pseudonymiser
from tests.conftest import materialize_all
from tests.handmade_inbox import write_handmade_inbox
from tests.test_synthetic_pipeline import raw_identifiers

GEMEENTE = "GM0034"
HASHING = load_hashing_config().for_gemeente(GEMEENTE)


def indicators(out: Path) -> pl.DataFrame:
    with read_warehouse(out / "warehouse" / "monitor.duckdb") as con:
        return con.sql("SELECT * FROM indicators ORDER BY ALL").pl()


def staged_person_ids(out: Path) -> set[str]:
    ids: set[str] = set()
    for path in (out / "warehouse" / "staged").glob("*.parquet"):
        frame = read_sealed(path)
        if "person_id" in frame.columns:
            ids |= set(frame.get_column("person_id").drop_nulls().to_list())
    return ids


@pytest.fixture(scope="module")
def handmade_both_ways(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, RoleKeys]:
    """The hand-made inbox run twice: single-key at ingest, and through holders, TTP and a keyless analyst."""
    root = tmp_path_factory.mktemp("two_step")
    write_handmade_inbox(root / "raw")
    assert materialize_all(root / "raw", root / "out-single-key").success
    keys = role_keys(root / "secrets")
    inbox = two_step_inbox(root / "raw", root / "exchange", keys, GEMEENTE, say=False)
    config = analyst_config(root / "secrets" / "analyst" / "monitor.toml", keys)
    assert materialize_all(inbox, root / "out-two-step", config=config).success
    return root, inbox, root / "out-two-step", keys


def test_the_keyless_analyst_run_gives_the_same_indicators_as_the_single_key_run(
    handmade_both_ways: tuple[Path, Path, Path, RoleKeys],
) -> None:
    root, _, out, _ = handmade_both_ways
    assert indicators(out).equals(indicators(root / "out-single-key"))
    assert indicators(out).height > 0
    manifest = json.loads((out / "publish" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["pseudonymisation"]["mode"] == "two-step"


def test_each_party_gets_its_own_files_and_receipts(handmade_both_ways: tuple[Path, Path, Path, RoleKeys]) -> None:
    root, inbox, out, keys = handmade_both_ways
    holder = json.loads((root / "exchange" / "ttp-in" / "inschrijvingen.source.receipt.json").read_text("utf-8"))
    assert holder["step"] == "source" and holder["source_key"]["fingerprint"] == keys.source_fingerprint
    assert holder["rows_read"] == holder["rows_accepted"] + holder["rows_quarantined"]
    assert holder["hashing"]["domain_label"] == "jeugdmonitor-gm0034-v1"
    ttp = json.loads((inbox / "toewijzingen.pseudo.receipt.json").read_text(encoding="utf-8"))
    assert ttp["step"] == "ttp" and ttp["key_fingerprint"] == keys.ttp_fingerprint
    assert ttp["pseudonym_columns"] == {"person_id": "id_type", "toewijzingnummer": "toewijzingnummer"}
    assert ttp["pseudonym_label"] == "jeugdmonitor-gm0034-v1:hmac-sha256:source>ttp"
    assert (root / "exchange" / "ttp-in" / "inschrijvingen.source.quarantine.csv").is_file()
    assert not list(inbox.glob("*quarantine*")), "the holder's quarantine stays with the holder"
    staged = json.loads((out / "warehouse" / "staged" / "inschrijvingen.summary.json").read_text(encoding="utf-8"))
    assert staged["files"][0]["at_source"]["key_fingerprint"] == keys.ttp_fingerprint


def test_toewijzingnummer_is_a_pseudonym_of_its_own_domain_that_still_links_claims(
    handmade_both_ways: tuple[Path, Path, Path, RoleKeys],
) -> None:
    root, _, out, _ = handmade_both_ways
    raw = pl.read_csv(root / "raw" / "toewijzingen.csv", separator=";", infer_schema=False)
    numbers = set(raw.get_column("toewijzingnummer").to_list())
    staged = read_sealed(out / "warehouse" / "staged" / "toewijzingen.parquet")
    stored = set(staged.get_column("toewijzingnummer").to_list())
    assert not numbers & stored and all(len(v) == HASHING.output.length for v in stored)
    claims = read_sealed(out / "warehouse" / "staged" / "declaraties.parquet")
    assert set(claims.get_column("toewijzingnummer").to_list()) <= stored | set(), "claims still find their trajectory"


def test_a_holder_secret_alone_or_the_analyst_outputs_alone_reproduce_no_monitor_pseudonym(
    handmade_both_ways: tuple[Path, Path, Path, RoleKeys],
) -> None:
    root, _, out, keys = handmade_both_ways
    bsns = raw_identifiers(root / "raw")
    monitor_ids = staged_person_ids(out)
    assert bsns and monitor_ids
    holder = Pseudonymiser(HASHING, load_key_file(keys.source_key, "source", HASHING))
    source_ids = set(holder.pseudonymise_many("bsn", sorted(bsns)))
    assert not source_ids & monitor_ids, "the holder's source pseudonyms are not the monitor's"
    # The TTP's key applied to the BSN directly (skipping the holder) gives no monitor pseudonym either.
    ttp_direct = Pseudonymiser(HASHING, load_key_file(keys.ttp_key, "ttp", HASHING), "ttp")
    assert not set(ttp_direct.pseudonymise_many("bsn", sorted(bsns))) & monitor_ids
    # Only both keys in order do: the scheme is what the docs say it is.
    both = set(ttp_direct.pseudonymise_many("bsn", sorted(source_ids)))
    assert monitor_ids <= both | staged_onderwijsnummer_ids(root, out, keys)


def staged_onderwijsnummer_ids(root: Path, out: Path, keys: RoleKeys) -> set[str]:
    """Monitor pseudonyms of pupils known by onderwijsnummer (their source pseudonym is of another type)."""
    frames = [read_sealed(p) for p in (out / "warehouse" / "staged").glob("*.parquet")]
    return {
        v
        for f in frames
        if "id_type" in f.columns
        for v in f.filter(pl.col("id_type") == "onderwijsnummer")["person_id"]
    }


def test_the_analyst_run_refuses_a_pseudonymisation_key_in_its_environment(
    handmade_both_ways: tuple[Path, Path, Path, RoleKeys],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root, inbox, _, _ = handmade_both_ways
    config = root / "secrets" / "analyst" / "monitor.toml"
    monkeypatch.setenv("MONITOR_PSEUDONYM_KEY", os.urandom(32).hex())
    argv = ["run", "--inbox", str(inbox), "--out", str(tmp_path / "out"), "--config", str(config)]
    assert monitor_main(argv) == 2
    assert "the analyst holds no pseudonymisation key" in capsys.readouterr().err


def _run_copy(inbox: Path, tmp_path: Path, config: Path, change: str, capsys: pytest.CaptureFixture[str]) -> str:
    """Run the keyless analyst on a copy of `inbox` whose receipt of diplomas was edited by `change`."""
    other = tmp_path / change
    shutil.copytree(inbox, other)
    path = other / "diplomas.pseudo.receipt.json"
    receipt = json.loads(path.read_text(encoding="utf-8"))
    if change == "other-ttp-key":
        receipt["key_fingerprint"] = "0123456789abcdef"
    elif change == "other-source-key":
        receipt["source_key"]["fingerprint"] = "fedcba9876543210"
    elif change == "other-domain":
        receipt["hashing"]["domain_label"] = "jeugdmonitor-gm0363-v1"
    elif change == "holder-only":
        receipt["step"] = "source"
    path.write_text(json.dumps(receipt), encoding="utf-8")
    os.environ.pop("MONITOR_PSEUDONYM_KEY", None)
    argv = ["run", "--inbox", str(other), "--out", str(tmp_path / f"out-{change}"), "--config", str(config)]
    assert monitor_main(argv) == 2
    return capsys.readouterr().err


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        ("other-ttp-key", "translated with TTP key fingerprint 0123456789abcdef"),
        ("other-source-key", "the holder used source key fingerprint fedcba9876543210"),
        ("other-domain", "made for domain 'jeugdmonitor-gm0363-v1'"),
        ("holder-only", "pseudonymised by a data holder only (step 'source'); the trusted third party"),
    ],
)
def test_a_file_with_other_keys_another_domain_or_untranslated_is_refused(
    handmade_both_ways: tuple[Path, Path, Path, RoleKeys],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: str,
    sentence: str,
) -> None:
    root, inbox, _, _ = handmade_both_ways
    err = _run_copy(inbox, tmp_path, root / "secrets" / "analyst" / "monitor.toml", change, capsys)
    assert f"diplomas.pseudo.csv: {sentence}" in err, err


def test_a_changed_file_a_missing_receipt_or_a_raw_export_is_refused_by_the_analyst(
    handmade_both_ways: tuple[Path, Path, Path, RoleKeys],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root, inbox, _, _ = handmade_both_ways
    config = root / "secrets" / "analyst" / "monitor.toml"
    monkeypatch.delenv("MONITOR_PSEUDONYM_KEY", raising=False)

    def run(folder: Path) -> str:
        argv = ["run", "--inbox", str(folder), "--out", str(tmp_path / f"out-{folder.name}"), "--config", str(config)]
        assert monitor_main(argv) == 2
        return capsys.readouterr().err

    changed = tmp_path / "changed"
    shutil.copytree(inbox, changed)
    with (changed / "verzuim.pseudo.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    assert "verzuim.pseudo.csv: changed after pseudonymisation" in run(changed)
    bare = tmp_path / "bare"
    shutil.copytree(inbox, bare)
    (bare / "bewoners.pseudo.receipt.json").unlink()
    assert "bewoners.pseudo.csv: no receipt bewoners.pseudo.receipt.json" in run(bare)
    raw = tmp_path / "raw"
    shutil.copytree(inbox, raw)
    (raw / "diplomas.pseudo.csv").unlink()
    shutil.copy(root / "raw" / "diplomas.csv", raw / "diplomas.csv")
    err = run(raw)
    assert "diplomas.csv: a raw export with identifiers, refused" in err, err


def test_production_refuses_the_single_key_mode(tmp_path: Path) -> None:
    from pipelines.lib.settings import DEFAULT_CONFIG, ConfigError, MonitorConfig

    config = tmp_path / "monitor.toml"
    config.write_text(DEFAULT_CONFIG.read_text(encoding="utf-8").replace("production = false", "production = true"))
    with pytest.raises(ConfigError, match="refused with production = true"):
        MonitorConfig.load(config)


def test_two_step_no_raw_identifier_reaches_the_ttp_the_analyst_or_any_file_written(tmp_path: Path) -> None:
    """Synthetic exports with defects (invalid BSNs, invalid iJw messages) through holders and TTP: neither the
    holders' outputs (incl. quarantine files), the TTP's, nor the analyst's inbox, warehouse, publication or
    Dagster event log holds a single raw identifier."""
    generate(tmp_path / "raw", scale=0.05, seed=11)
    keys = role_keys(tmp_path / "secrets")
    inbox = two_step_inbox(tmp_path / "raw", tmp_path / "exchange", keys, GEMEENTE, say=False)
    config = analyst_config(tmp_path / "secrets" / "analyst" / "monitor.toml", keys)
    assert materialize_all(inbox, tmp_path / "out", config=config).success
    identifiers = raw_identifiers(tmp_path / "raw")
    assert len(identifiers) > 1000
    quarantined = pl.read_csv(tmp_path / "exchange" / "ttp-in" / "bewoners.source.quarantine.csv", separator=";")
    assert quarantined.height > 0, "the defects reached the holder's quarantine"
    for folder in (tmp_path / "exchange", tmp_path / "out"):
        findings = scan_for_identifiers(folder, identifiers, unseal=WarehouseUnsealer())
        assert not findings, [str(f) for f in findings[:10]]
    assert list((tmp_path / "out" / "dagster").rglob("*.db")), "the event log was scanned too"


def _hex_tokens(text: str) -> set[str]:
    return set(re.findall(r"(?<![0-9a-fA-F])[0-9a-fA-F]{32,128}(?![0-9a-fA-F])", text))


def analyst_holdings(inbox: Path, out: Path, config: Path, warehouse_key: Path) -> set[bytes]:
    """Every candidate secret on the analyst's side: each hex string of 16+ bytes in the inbox, the configuration,
    the environment, the warehouse key file and every text or sealed Parquet file of the output folder (the
    analyst holds the warehouse key, so sealed files count as open), plus the warehouse key's derived keys."""
    texts = [config.read_text(encoding="utf-8"), warehouse_key.read_text(encoding="utf-8"), *os.environ.values()]
    for folder in (inbox, out):
        for path in folder.rglob("*"):
            if not path.is_file():
                continue
            if path.suffix == ".parquet":
                frame = read_sealed(path) if "warehouse" in path.parts else pl.read_parquet(path)
                texts += [" ".join(map(str, frame.get_column(c).unique().to_list())) for c in frame.columns]
            elif path.suffix in (".csv", ".json", ".toml", ".md", ".html", ".log", ".txt"):
                texts.append(path.read_text(encoding="utf-8", errors="ignore"))
    tokens = {t.lower() for text in texts for t in _hex_tokens(text)}
    secret = bytes.fromhex(warehouse_key.read_text(encoding="utf-8").strip())
    derived = {hmac.digest(secret, label, "sha256") for label in WAREHOUSE_LABELS}
    return {bytes.fromhex(t if len(t) % 2 == 0 else t[:-1]) for t in tokens} | {secret, b""} | derived


def _enumerated_bsns(true_bsns: set[str], extra: int) -> list[str]:
    """The true BSNs (an enumeration of all ~91 M passes them) and the first `extra` other valid BSNs."""
    others = (f"{n:09d}" for n in range(1, 10**9) if bsn.is_valid(f"{n:09d}"))
    return sorted(true_bsns | {next(others) for _ in range(extra)})


def _attacks(candidate: bytes) -> list[Pseudonymiser]:
    """What the analyst could try with a candidate secret: it as the single key, as the source key, as the TTP key."""
    key = PseudonymKey(candidate, "guess", "label", 16)
    return [Pseudonymiser(HASHING, key), Pseudonymiser(HASHING, key, "ttp")]


def test_brute_force_with_everything_the_analyst_holds_maps_no_pseudonym(
    handmade_both_ways: tuple[Path, Path, Path, RoleKeys],
) -> None:
    """Enumerate BSNs under every secret-like value on the analyst's side, in every way the scheme combines keys
    (one HMAC; two HMACs with any two candidates). No monitor pseudonym comes out. The same enumeration with the
    two keys the analyst does not hold (source key, TTP key) maps every BSN pseudonym: the test can fail."""
    root, inbox, out, keys = handmade_both_ways
    monitor_ids = staged_person_ids(out)
    bsns = _enumerated_bsns({b for b in raw_identifiers(root / "raw") if bsn.is_valid(b)}, extra=2_000)
    candidates = analyst_holdings(inbox, out, root / "secrets" / "analyst" / "monitor.toml", keys.warehouse_key)
    candidates -= {bytes.fromhex(p) for p in monitor_ids}  # a pseudonym is an HMAC output, tried as a key below
    assert len(candidates) >= 10, "the analyst's side was searched"
    single = {p for c in candidates for attack in _attacks(c) for p in attack.pseudonymise_many("bsn", bsns)}
    assert not single & monitor_ids
    sources = {
        c: Pseudonymiser(HASHING, PseudonymKey(c, "g", "label", 16)).pseudonymise_many("bsn", bsns) for c in candidates
    }
    for second in candidates | {bytes.fromhex(p) for p in list(monitor_ids)[:20]}:
        ttp = Pseudonymiser(HASHING, PseudonymKey(second, "g", "label", 16), "ttp")
        for first_step in sources.values():
            assert not set(ttp.pseudonymise_many("bsn", first_step)) & monitor_ids
    holder = Pseudonymiser(HASHING, load_key_file(keys.source_key, "source", HASHING))
    ttp = Pseudonymiser(HASHING, load_key_file(keys.ttp_key, "ttp", HASHING), "ttp")
    found = set(ttp.pseudonymise_many("bsn", holder.pseudonymise_many("bsn", bsns))) & monitor_ids
    by_bsn = {
        p
        for f in [read_sealed(p) for p in (out / "warehouse" / "staged").glob("*.parquet")]
        if "id_type" in f.columns
        for p in f.filter(pl.col("id_type") == "bsn")["person_id"]
    }
    assert found == by_bsn, "with the two keys the analyst lacks, every BSN pseudonym is found"
