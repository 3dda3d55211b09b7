"""Key rotation without raw data: the TTP translates every monitor pseudonym, no old one survives, figures stay.

The analyst exports its pseudonyms, the TTP answers with a translation table under its new key, the analyst applies
it. No raw export is delivered for it (the inbox was emptied after ingest). Afterwards a new delivery, translated by
the TTP with its key chain (old key, then new), links with the translated warehouse.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import polars as pl
import pytest

from dev.roles import analyst_config, role_keys, two_step_inbox
from pipelines.cli import main as monitor_main
from pipelines.lib.sealing import read_sealed
from pseudonymisation.config import load_hashing_config
from pseudonymisation.key import load_key_file, new_key_file
from pseudonymisation.ttp import TtpChain
from pseudonymisation.ttp import main as ttp_main
from tests.handmade_inbox import write_handmade_inbox

GEMEENTE = "GM0034"


def staged_pseudonyms(out: Path) -> set[str]:
    staged = out / "warehouse" / "staged"
    ids = {
        v
        for s in ("inschrijvingen", "bewoners", "toewijzingen")
        for v in read_sealed(staged / f"{s}.parquet")["person_id"]
    }
    return ids | set(read_sealed(staged / "declaraties.parquet")["toewijzingnummer"])


@pytest.fixture(scope="module")
def rotated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str], pl.DataFrame, str, str]:
    root = tmp_path_factory.mktemp("rotation")
    mp = pytest.MonkeyPatch()
    mp.delenv("MONITOR_PSEUDONYM_KEY", raising=False)
    try:
        write_handmade_inbox(root / "raw")
        keys = role_keys(root / "secrets")
        inbox = two_step_inbox(root / "raw", root / "exchange", keys, GEMEENTE, say=False)
        config = analyst_config(root / "analyst" / "monitor.toml", keys)
        out = root / "out"
        assert monitor_main(["run", "--inbox", str(inbox), "--out", str(out), "--config", str(config)]) == 0
        assert not any(inbox.iterdir()), "the inbox was emptied: rotation cannot re-read raw exports"
        before_ids, before = staged_pseudonyms(out), pl.read_parquet(out / "publish" / "indicatoren.parquet")
        listing, table = root / "analyst" / "pseudonyms.csv", root / "ttp-answer.csv"
        assert monitor_main(["key", "export-pseudonyms", "--out", str(out), "--to", str(listing)]) == 0
        new_key_file(root / "secrets" / "ttp" / "ttp-2027.key")
        rekey = ["rekey", str(listing), "--key", str(root / "secrets" / "ttp" / "ttp-2027.key"), "--gemeente", GEMEENTE]
        assert ttp_main([*rekey, "--out", str(table)]) == 0
        hashing = load_hashing_config()
        new_fp = load_key_file(root / "secrets" / "ttp" / "ttp-2027.key", "ttp-2027", hashing).fingerprint
        printed = io.StringIO()
        rotate = ["key", "rotate", "--translation", str(table), "--new-ttp-fingerprint", new_fp]
        with redirect_stdout(printed):
            assert monitor_main([*rotate, "--out", str(out), "--config", str(config)]) == 0
        return out, before_ids, before, printed.getvalue(), new_fp
    finally:
        mp.undo()


def test_rotation_replaces_every_pseudonym_and_keeps_the_published_figures(
    rotated: tuple[Path, set[str], pl.DataFrame, str, str],
) -> None:
    out, before_ids, before, _, _ = rotated
    after_ids = staged_pseudonyms(out)
    assert len(after_ids) == len(before_ids) > 0
    assert not after_ids & before_ids, "no pseudonym made with the old key survives in the warehouse"
    assert pl.read_parquet(out / "publish" / "indicatoren.parquet").equals(before), "the figures do not change"
    assert not list(out.glob(".rotation*")) and not list(out.glob(".retired-*")), "the old warehouse is deleted"


def test_rotation_is_logged_with_fingerprints_and_needs_no_raw_export(
    rotated: tuple[Path, set[str], pl.DataFrame, str, str],
) -> None:
    out, _, _, printed, new_fp = rotated
    log = json.loads((out / "key-rotations.json").read_text(encoding="utf-8"))
    manifest = json.loads((out / "publish" / "manifest.json").read_text(encoding="utf-8"))
    assert (
        len(log) == 1 and log[0]["new_ttp_key_fingerprint"] == new_fp == manifest["pseudonymisation"]["key_fingerprint"]
    )
    assert log[0]["old_ttp_key_fingerprint"] != new_fp and log[0]["raw_exports_needed"] is False
    assert f"→ {new_fp}" in printed and "without any raw export" in printed
    assert len(list((out / "runs").glob("manifest-*.json"))) == 2, "both runs stay in the history"


def test_the_key_chain_gives_new_deliveries_the_translated_pseudonyms(tmp_path: Path) -> None:
    """TTP chain [old, new] on a source pseudonym = rekey(new, translate(old)): what rotation gave the warehouse."""
    hashing = load_hashing_config().for_gemeente(GEMEENTE)
    for name in ("old", "new"):
        new_key_file(tmp_path / f"{name}.key")
    old, new = (load_key_file(tmp_path / f"{n}.key", n, hashing) for n in ("old", "new"))
    source = ["0" * 31 + "1", "ab" * 16]
    before = TtpChain(hashing, [old]).translate("bsn", source)
    from pseudonymisation.pseudonymiser import Pseudonymiser

    assert TtpChain(hashing, [old, new]).translate("bsn", source) == Pseudonymiser(
        hashing, new, "rekey"
    ).pseudonymise_many("bsn", before)


def test_rotating_to_the_key_in_use_or_with_an_incomplete_translation_is_refused(
    rotated: tuple[Path, set[str], pl.DataFrame, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _, _, _, new_fp = rotated
    config = out.parent / "analyst" / "monitor.toml"
    text = config.read_text(encoding="utf-8")
    current = tmp_path / "monitor.toml"
    current.write_text(text.replace(text.split('ttp_key_fingerprint = "')[1].split('"')[0], new_fp), encoding="utf-8")
    table = out.parent / "ttp-answer.csv"
    rotate = ["key", "rotate", "--translation", str(table), "--out", str(out), "--config"]
    assert monitor_main([*rotate, str(current), "--new-ttp-fingerprint", new_fp]) == 2
    assert "has the fingerprint of the key in use" in capsys.readouterr().err
    partial = tmp_path / "partial.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    partial.write_text("\n".join(lines[:-3]) + "\n", encoding="utf-8")
    rotate = ["key", "rotate", "--translation", str(partial), "--out", str(out), "--config", str(current)]
    assert monitor_main([*rotate, "--new-ttp-fingerprint", "0123456789abcdef"]) == 2
    assert "the translation lacks" in capsys.readouterr().err
    assert not list(out.glob(".rotation*")), "a refused rotation leaves nothing behind"
