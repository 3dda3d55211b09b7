"""A monthly run parses only the iJw files it has not seen, and publishes exactly what a full run publishes.

Each month's youth-care delivery holds every iJw message so far. The monitor keeps the parse of each file,
tokenised and sealed (`pipelines/ingest/ijw_cache.py`): identifiers checked by their contract field's rules and
replaced by pseudonyms (an invalid one by a token naming its broken rule), keyed by the file's sha256 and a
version over code, schemas, contracts and key. The update order across files is decided afterwards, for all
messages at once, so the result cannot depend on which files came from the cache.

End to end (a small synthetic inbox, scale 0.02, with its deliberate defects): a full run from scratch on the
complete inbox; beside it, month 1 without the last month's iJw files (July 2026), then month 2 with the complete
inbox again. Month 2 parses exactly July's files (the counter in the toewijzingen asset's metadata and summary)
and gives the full run's indicators (the true values in the warehouse), staged rows, quarantine and file and row
accounting. Its publication is compared, every Parquet table frame for frame, with month 2 run on a copy of month
1's output without the cache (every file parsed): a second publication is not one from scratch, because
disclosure control carries last month's hidden cells over (`pipelines/protect/continuity.py`).

File by file (the reader and the cache without Dagster, on synthetic messages mixed with the real example
messages, invalid ones, a zip and a note): the tokenised rows are the raw reader's rows with the identifiers
pseudonymised; a middle month taken out and put back, a changed file, a removed file, a renamed file, another
key and retention each give what a fresh read of the same folder gives, parsing only what they must.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import polars as pl
import pytest

from dev.synthetic import generate
from pipelines.ingest import ijw_cache
from pipelines.ingest.ijw_cache import IJW_CACHE, load_cache, purge_cache, read_ijw_files
from pipelines.lib.sealing import is_sealed_parquet, read_sealed, write_sealed
from pipelines.lib.warehouse import read_warehouse
from pseudonymisation import ijw
from pseudonymisation.config import load_hashing_config
from pseudonymisation.contract import load_contract
from pseudonymisation.ijw import IjwResult, read_ijw
from pseudonymisation.ijw_files import input_files
from pseudonymisation.ijw_tokens import Tokeniser
from pseudonymisation.key import PseudonymKey
from pseudonymisation.pseudonymiser import Pseudonymiser
from pseudonymisation.retention import retention_cutoff
from tests.conftest import TEST_KEY_HEX, materialize_all, pseudonym_of
from tests.reference_material import IJW_REFERENCE

NEW_MONTH = "202607"  # the generator's last month of messages (extract date 2026-07-31)
READ_ON = date(1999, 1, 1)  # the tests' processing day (TEST_TODAY): nothing is past retention
INVALID_BSN = "123456789"  # 9·1 + 8·2 + … + 2·8 − 1·9 = 147 = 4 (mod 11)
OTHER_KEY_HEX = "9d3a7be0c41f5e2896ab0d7c3f1e4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5"


def _month_files(folder: Path, month: str) -> list[Path]:
    """The message files of one month: the generator names them `<TYPE>_<afzender>_<YYYYMMDD>_<n>.xml`."""
    return sorted(p for p in folder.glob("JW*_*_*_*.xml") if p.name.split("_")[2].startswith(month))


def _summary(out: Path, source: str) -> dict[str, Any]:
    return json.loads((out / "warehouse" / "staged" / f"{source}.summary.json").read_text(encoding="utf-8"))


def _accounting(out: Path, source: str) -> dict[str, Any]:
    """A source's file and row accounting as the manifest and the blocking check read it (timings aside)."""
    summary = _summary(out, source)
    return {k: v for k, v in summary.items() if k not in ("seconds", "ijw_cache")}


def _published(out: Path) -> dict[str, pl.DataFrame]:
    publish = (out / "publish").resolve()
    return {p.relative_to(publish).as_posix(): pl.read_parquet(p) for p in sorted(publish.rglob("*.parquet"))}


def _cache_counts(result: dg.ExecuteInProcessResult) -> dict[str, int]:
    """The counter the toewijzingen asset reports in its Dagster metadata."""
    for materialization in result.asset_materializations_for_node("staged_youth_care"):
        if materialization.asset_key == dg.AssetKey(["staged", "toewijzingen"]):
            value = materialization.metadata["ijw_cache"]
            assert isinstance(value, dg.JsonMetadataValue) and isinstance(value.data, dict)
            return dict(value.data)
    raise AssertionError("no toewijzingen materialisation")


@dataclass(frozen=True)
class Months:
    exports: Path  # the complete inbox
    full: Path  # output of one run from scratch on it
    monthly: Path  # output of month 1 (without July's iJw files), then month 2 (the complete inbox)
    uncached: Path  # month 1's output copied, its iJw cache deleted, then month 2
    first: dg.ExecuteInProcessResult
    second: dg.ExecuteInProcessResult
    second_uncached: dg.ExecuteInProcessResult


@pytest.fixture(scope="module")
def months(tmp_path_factory: pytest.TempPathFactory) -> Months:
    root = tmp_path_factory.mktemp("incremental-ijw")
    exports = root / "exports"
    generate(exports, scale=0.02, seed=11)
    assert materialize_all(exports, root / "full").success  # from scratch, every file parsed

    month_one = root / "month-1"
    shutil.copytree(exports, month_one)
    for path in _month_files(month_one / "ijw", NEW_MONTH):
        path.unlink()
    first = materialize_all(month_one, root / "monthly")
    assert first.success
    shutil.copytree(root / "monthly", root / "uncached", symlinks=True)
    (root / "uncached" / "warehouse" / IJW_CACHE).unlink()
    second = materialize_all(exports, root / "monthly")  # month 2: the complete delivery, July's files new
    assert second.success
    second_uncached = materialize_all(exports, root / "uncached")
    assert second_uncached.success
    return Months(exports, root / "full", root / "monthly", root / "uncached", first, second, second_uncached)


def test_the_monthly_run_parses_only_the_new_months_files(months: Months) -> None:
    state, second = months, months.second
    files = sorted(p.name for p in (state.exports / "ijw").iterdir())
    july = _month_files(state.exports / "ijw", NEW_MONTH)
    assert 10 < len(july) < len(files) // 5, "a month is a small part of the history"
    first = _cache_counts(state.first)
    assert first["files_parsed"] == len(files) - len(july) and first["files_from_cache"] == 0
    counts = _cache_counts(second)
    assert counts == _summary(state.monthly, "toewijzingen")["ijw_cache"], "metadata and summary agree"
    assert counts["files"] == len(files)
    assert counts["files_parsed"] == len(july), "July's files only"
    assert counts["files_from_cache"] == len(files) - len(july)
    assert counts["messages_parsed"] == len(july), "one message per file"
    assert counts["messages_from_cache"] == len(files) - len(july)
    assert _summary(state.full, "toewijzingen")["ijw_cache"]["files_parsed"] == len(files)
    assert _cache_counts(state.second_uncached)["files_parsed"] == len(files)


def test_the_monthly_run_gives_the_indicators_of_a_full_run(months: Months) -> None:
    """The true values, before disclosure control: every row of the warehouse's `indicators` table."""
    tables = []
    for out in (months.full, months.monthly):
        with read_warehouse(out / "warehouse" / "monitor.duckdb") as con:
            frame = con.sql("SELECT * FROM indicators").pl()
        tables.append(frame.sort(frame.columns, nulls_last=True))
    assert tables[0].height > 1000
    assert tables[0].equals(tables[1])


def test_the_monthly_run_publishes_what_it_publishes_without_the_cache(months: Months) -> None:
    state = months
    full, monthly = _published(state.uncached), _published(state.monthly)
    assert len(full) >= 3 and "indicatoren.parquet" in full
    assert full.keys() == monthly.keys()
    assert full["indicatoren.parquet"].height > 1000
    for name, frame in full.items():
        assert frame.equals(monthly[name]), name


def test_the_monthly_run_accounts_for_every_file_and_row_as_a_full_run(
    months: Months,
) -> None:
    state = months
    for source in ("toewijzingen", "declaraties"):
        full = _accounting(state.full, source)
        assert full["rows_quarantined"] > 0 and full["ijw_messages"].get("rejected", 0) >= 0
        assert _accounting(state.monthly, source) == full, source
        staged = [
            read_sealed(out / "warehouse" / "staged" / f"{source}.parquet") for out in (state.full, state.monthly)
        ]
        assert staged[0].sort(staged[0].columns).equals(staged[1].sort(staged[1].columns)), source
        quarantine = [
            read_sealed(out / "warehouse" / "quarantine" / f"{source}.parquet") for out in (state.full, state.monthly)
        ]
        assert quarantine[0].sort(quarantine[0].columns).equals(quarantine[1].sort(quarantine[1].columns)), source
    assert _accounting(state.full, "toewijzingen")["ijw_messages"]["rejected"] == 2, "the generator's invalid XML"
    listing = [
        json.loads((o / "warehouse" / "staged" / "ijw_files.json").read_text()) for o in (state.full, state.monthly)
    ]
    assert listing[0] == listing[1]


# ------------------------------------------------------------------------------------------- file by file
def _pseudonymiser(key_hex: str = TEST_KEY_HEX) -> Pseudonymiser:
    hashing = load_hashing_config().for_gemeente("GM0034")
    return Pseudonymiser(hashing, PseudonymKey(bytes.fromhex(key_hex), "test", hashing.fingerprint.label, 16))


@pytest.fixture(scope="module")
def delivery(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic messages that update one another, the real 3.2 examples, invalid messages, a zip and a note."""
    root = tmp_path_factory.mktemp("ijw-files")
    generate(root / "generated", scale=0.01, seed=5, youth_care_form="ijw")
    folder = root / "ijw"
    shutil.copytree(root / "generated" / "ijw", folder)
    shutil.copytree(IJW_REFERENCE / "examples-3.2", folder / "examples-3.2")
    jw301 = (IJW_REFERENCE / "examples-3.2" / "JW301.xml").read_text(encoding="utf-8")
    (folder / "invalid").mkdir()
    (folder / "invalid" / "truncated.xml").write_text(jw301[: len(jw301) // 2], encoding="utf-8")
    (folder / "invalid" / "notes.txt").write_text("geen bericht\n", encoding="utf-8")
    # a declaration for a BSN of nine digits (the XSD's pattern) failing the eleven-test: its rows are quarantined
    jw323 = (IJW_REFERENCE / "examples-3.2" / "JW323.xml").read_text(encoding="utf-8")
    bad_bsn = jw323.replace("Bsn>999900006<", f"Bsn>{INVALID_BSN}<").replace("765432198<", "765432199<", 1)
    assert bad_bsn.count(INVALID_BSN) == 1
    (folder / "invalid" / "bad-bsn.xml").write_text(bad_bsn, encoding="utf-8")
    with zipfile.ZipFile(folder / "archive.zip", "w") as archive:
        for name in ("JW305.xml", "JW307.xml", "JW323.xml"):
            archive.write(IJW_REFERENCE / "examples-3.2" / name, f"2026/{name}")
        archive.writestr("2026/._JW305.xml", b"\0")
    return folder


def _read(
    folder: Path, cache: Path, key_hex: str = TEST_KEY_HEX, today: date = READ_ON
) -> tuple[IjwResult, dict[str, int]]:
    reading = read_ijw_files(input_files(folder), _pseudonymiser(key_hex), cache, today)
    return reading.result, reading.counts


def _fresh(folder: Path, tmp_path: Path, key_hex: str = TEST_KEY_HEX) -> IjwResult:
    """A read of the whole folder with no cache: every file parsed."""
    result, counts = _read(folder, tmp_path / "fresh" / IJW_CACHE, key_hex)
    assert counts["files_from_cache"] == 0
    return result


def _copy(delivery: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "ijw"
    shutil.copytree(delivery, folder)
    return folder


def test_tokenised_rows_are_the_raw_rows_with_their_identifiers_pseudonymised(delivery: Path, tmp_path: Path) -> None:
    """Same rows, rejections, counts and consistency facts; only the identifiers differ, and toewijzing rows are
    ordered by pseudonym. A valid BSN's token is its pseudonym; an invalid one (the generator writes BSNs that
    fail the eleven-test) is `!bsn_eleven_test|*********|<keyed hash>`, which validation quarantines as before."""
    raw = read_ijw(delivery)
    tokens, counts = _read(delivery, tmp_path / IJW_CACHE)
    assert counts["files_parsed"] == counts["files"] == len(input_files(delivery))
    tokeniser = Tokeniser([load_contract("toewijzingen"), load_contract("declaraties")], _pseudonymiser())
    bsn = tokeniser.tokens("bsn", {r["bsn"] for r in raw.toewijzingen + raw.declaraties if r["bsn"]})
    nummer = tokeniser.tokens(
        "toewijzingnummer", {str(r["toewijzingnummer"]) for r in raw.toewijzingen + raw.declaraties}
    )
    valid = next(b for b in bsn if not bsn[b].startswith("!"))
    assert bsn[valid] == pseudonym_of("bsn", valid)
    assert bsn[INVALID_BSN].startswith("!bsn_eleven_test|*********|")

    def mapped(rows: list[dict[str, str | None]]) -> list[dict[str, str | None]]:
        return [{**r, "bsn": bsn[str(r["bsn"])], "toewijzingnummer": nummer[str(r["toewijzingnummer"])]} for r in rows]

    assert tokens.declaraties == mapped(raw.declaraties), "declarations in the same update order"
    assert sorted(tokens.toewijzingen, key=str) == sorted(mapped(raw.toewijzingen), key=str)
    assert [t["toewijzingnummer"] for t in tokens.toewijzingen] == sorted(
        nummer[str(r["toewijzingnummer"])] for r in raw.toewijzingen
    )
    assert tokens.declaration_lines == [
        x._replace(toewijzingnummer=nummer[x.toewijzingnummer]) for x in raw.declaration_lines
    ]
    assert sorted(tokens.allocated_products) == sorted(
        p._replace(toewijzingnummer=nummer[p.toewijzingnummer]) for p in raw.allocated_products
    )
    assert sorted(tokens.allocation_dates) == sorted(
        d._replace(toewijzingnummer=nummer[d.toewijzingnummer]) for d in raw.allocation_dates
    )
    for name in ("rejected", "ignored", "messages_read", "unmatched_credits", "unlinked_products"):
        assert getattr(tokens, name) == getattr(raw, name), name
    assert len(raw.rejected) >= 1 and raw.ignored and raw.declaraties and raw.toewijzingen


def test_a_second_read_takes_every_file_from_the_cache(delivery: Path, tmp_path: Path) -> None:
    first, _ = _read(delivery, tmp_path / IJW_CACHE)
    again, counts = _read(delivery, tmp_path / IJW_CACHE)
    assert counts["files_parsed"] == counts["messages_parsed"] == 0
    assert counts["files_from_cache"] == counts["files"]
    assert again == first


def test_a_month_taken_out_and_put_back_gives_the_full_read(delivery: Path, tmp_path: Path) -> None:
    """A middle month: its messages sort between kept ones, so the update order is really recomputed."""
    folder = _copy(delivery, tmp_path)
    month = _month_files(folder, "202504")
    assert month
    aside = tmp_path / "aside"
    aside.mkdir()
    for path in month:
        path.rename(aside / path.name)
    without, _ = _read(folder, tmp_path / IJW_CACHE)
    for path in aside.iterdir():
        path.rename(folder / path.name)
    result, counts = _read(folder, tmp_path / IJW_CACHE)
    assert counts["files_parsed"] == counts["messages_parsed"] == len(month)
    assert result == _fresh(folder, tmp_path)
    assert result != without


def test_a_changed_file_is_parsed_again(delivery: Path, tmp_path: Path) -> None:
    folder = _copy(delivery, tmp_path)
    _read(folder, tmp_path / IJW_CACHE)
    changed = next(p for p in sorted(folder.glob("JW301_*.xml")) if "<ijw:Einddatum>" not in p.read_text("utf-8"))
    changed.write_text(changed.read_text("utf-8").replace("</jw301:ToegewezenProduct>", "", 1), encoding="utf-8")
    result, counts = _read(folder, tmp_path / IJW_CACHE)
    assert counts["files_parsed"] == 1
    assert result == _fresh(folder, tmp_path)
    assert any(r.source_file == changed.name for r in result.rejected), "now not well-formed: refused"


def test_a_removed_file_takes_its_rows_out(delivery: Path, tmp_path: Path) -> None:
    folder = _copy(delivery, tmp_path)
    before, _ = _read(folder, tmp_path / IJW_CACHE)
    removed = sorted(folder.glob("JW323_*.xml"))[0]
    lines = [d for d in before.declaraties if d["source_file"] == removed.name]
    assert lines
    removed.unlink()
    result, counts = _read(folder, tmp_path / IJW_CACHE)
    assert counts["files_parsed"] == 0
    assert not [d for d in result.declaraties if d["source_file"] == removed.name]
    assert len(result.declaraties) == len(before.declaraties) - len(lines)
    assert result == _fresh(folder, tmp_path)
    kept = load_cache(tmp_path / IJW_CACHE, ijw_cache.cache_version(_pseudonymiser()))
    assert len(kept) == counts["files"], "the cache holds this delivery's files only"


def test_a_renamed_file_is_recognised_by_its_content(delivery: Path, tmp_path: Path) -> None:
    folder = _copy(delivery, tmp_path)
    _read(folder, tmp_path / IJW_CACHE)
    (folder / "archive.zip").rename(folder / "levering-juli.zip")
    result, counts = _read(folder, tmp_path / IJW_CACHE)
    assert counts["files_parsed"] == 0
    assert result == _fresh(folder, tmp_path)
    assert any(i.source_file == "levering-juli.zip:2026/._JW305.xml" for i in result.ignored)


def test_another_key_parses_every_file_again(delivery: Path, tmp_path: Path) -> None:
    """A key rotation (or any other key) makes other pseudonyms: nothing kept under the old key is used."""
    old, _ = _read(delivery, tmp_path / IJW_CACHE)
    result, counts = _read(delivery, tmp_path / IJW_CACHE, OTHER_KEY_HEX)
    assert counts["files_parsed"] == counts["files"] and counts["files_from_cache"] == 0
    assert result == _fresh(delivery, tmp_path, OTHER_KEY_HEX)
    assert {r["bsn"] for r in result.toewijzingen}.isdisjoint({r["bsn"] for r in old.toewijzingen})
    assert ijw_cache.cache_version(_pseudonymiser()) != ijw_cache.cache_version(_pseudonymiser(OTHER_KEY_HEX))


def test_the_worker_processes_give_the_same_parse(
    delivery: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone, _ = _read(delivery, tmp_path / "alone" / IJW_CACHE)
    monkeypatch.setattr(ijw, "PARALLEL_MIN_MESSAGES", 1)
    monkeypatch.setattr(ijw, "TASK_MESSAGES", 7)
    pools: list[object] = []
    make_pool = ijw._pool

    def two_workers(workers: int, messages: int) -> object:
        pools.append(make_pool(2, messages))
        return pools[-1]

    monkeypatch.setattr(ijw, "_pool", two_workers)
    parallel, _ = _read(delivery, tmp_path / "parallel" / IJW_CACHE)
    assert pools and pools[0] is not None, "worker processes ran"
    assert parallel == alone


def test_the_cache_is_sealed_and_holds_no_raw_identifier(delivery: Path, tmp_path: Path) -> None:
    raw = read_ijw(delivery)
    _read(delivery, tmp_path / IJW_CACHE)
    cache = tmp_path / IJW_CACHE
    assert is_sealed_parquet(cache)
    text = " ".join(str(v) for v in read_sealed(cache).select(pl.all().cast(pl.String)).to_numpy().ravel())
    numbers = set(re.findall(r"\d+", text))  # every number kept, as a whole (not digits inside another)
    bsns = {str(r["bsn"]) for r in raw.toewijzingen + raw.declaraties}
    assert len(bsns) > 20 and INVALID_BSN in bsns
    assert not bsns & numbers, "no BSN in the cache, valid or not"
    toewijzingnummers = {str(r["toewijzingnummer"]) for r in raw.toewijzingen}
    assert not toewijzingnummers & numbers, "no toewijzingnummer in the cache"


def test_files_past_retention_are_not_kept_and_the_purge_removes_them(delivery: Path, tmp_path: Path) -> None:
    """Read in 2029 (toewijzingen keep P5Y from their einddatum, declarations P7Y from their periode_einde):
    files naming a toewijzing that ended before the cutoff or a declaration period before its own are parsed
    (ingest then leaves those rows out) but not kept. The purge drops what aged past retention since it was kept:
    the same files, found from the staged toewijzingen rows the purge is about to remove."""
    read_on = date(2029, 1, 1)
    cutoffs = {s: retention_cutoff(load_contract(s), read_on) for s in ("toewijzingen", "declaraties")}
    cache = tmp_path / IJW_CACHE
    result, counts = _read(delivery, cache, today=read_on)
    assert 0 < counts["files_not_kept_past_retention"] < counts["files"] // 2
    _, again = _read(delivery, cache, today=read_on)
    assert again["files_parsed"] == counts["files_not_kept_past_retention"], "what was not kept is parsed again"

    _read(delivery, cache)  # read on the tests' day: everything kept
    staged = tmp_path / "staged"
    staged.mkdir()
    write_sealed(
        pl.DataFrame(result.toewijzingen)
        .select("toewijzingnummer", pl.col("einddatum").str.to_date())
        .filter(pl.col("einddatum").is_not_null()),
        staged / "toewijzingen.parquet",
    )
    removed = purge_cache(cache, staged, {s: c for s, c in cutoffs.items() if c is not None})
    assert removed == counts["files_not_kept_past_retention"]
    kept = load_cache(cache, ijw_cache.cache_version(_pseudonymiser()))
    assert len(kept) == counts["files"] - removed, "the cache holds what a read on that day keeps"
