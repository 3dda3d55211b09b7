"""Nothing raw stays, sealed at rest, owner-only: two monthly runs on the hand-made exports.

Month 1 delivers every export; month 2 only a new enrolment export (one row less). Both runs start with a
permissive umask (000), as a careless shell or service manager would leave it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pipelines.ingest.raw_release import release, write_receipt
from pipelines.lib.owner_only import open_to_others
from pipelines.lib.sealing import is_sealed_database, is_sealed_parquet, read_sealed
from tests.conftest import deliver, materialize_all
from tests.handmade_inbox import write_handmade_inbox

ALL_EXPORTS = {
    "inschrijvingen.csv",
    "diplomas.csv",
    "verzuim.csv",
    "bewoners.csv",
    "toewijzingen.csv",
    "declaraties.csv",
    "scholen.csv",
    "wijken.csv",
    "pc6hnr.csv",
}


@dataclass
class Months:
    exports: Path
    out: Path
    inbox_1: Path
    inbox_2: Path
    staged_after_1: dict[str, bytes]
    enrolments_1: int


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def months(tmp_path_factory: pytest.TempPathFactory) -> Months:
    root = tmp_path_factory.mktemp("months")
    exports, out = root / "exports", root / "out"
    previous = os.umask(0)
    try:
        write_handmade_inbox(exports)
        inbox_1 = deliver(exports, out)
        assert materialize_all(inbox_1, out, holder_copy=False).success
        staged = out / "warehouse" / "staged"
        after_1 = {p.name: p.read_bytes() for p in staged.glob("*.parquet")}
        enrolments_1 = read_sealed(staged / "inschrijvingen.parquet").height
        (out / "dagster" / "left-open.txt").write_text("an earlier version's file", encoding="utf-8")
        (out / "dagster" / "left-open.txt").chmod(0o644)

        inbox_2 = root / "month-2"
        inbox_2.mkdir()
        lines = (exports / "inschrijvingen.csv").read_bytes().splitlines(keepends=True)
        (inbox_2 / "inschrijvingen.csv").write_bytes(b"".join(lines[:-1]))
        assert materialize_all(inbox_2, out, holder_copy=False).success
    finally:
        os.umask(previous)
    return Months(exports, out, inbox_1, inbox_2, after_1, enrolments_1)


def receipts(out: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "receipts").glob("*.json"))]


def test_a_successful_ingest_empties_the_inbox_with_a_receipt_per_file(months: Months) -> None:
    assert files_in(months.inbox_1) == [] and files_in(months.inbox_2) == []
    first, second = receipts(months.out)
    assert first["raw_exports"] == "removed"
    listed = {f["name"]: f for f in first["files"]}
    assert set(listed) == ALL_EXPORTS
    for name, entry in listed.items():
        export = months.exports / name
        assert (entry["size"], entry["sha256"], entry["action"]) == (
            export.stat().st_size,
            sha256(export),
            "verwijderd",
        )
    summary = json.loads((months.out / "warehouse" / "staged" / "diplomas.summary.json").read_text(encoding="utf-8"))
    diplomas = listed["diplomas.csv"]
    assert (diplomas["rows_read"], diplomas["rows_accepted"], diplomas["rows_quarantined"]) == (
        summary["rows_read"],
        summary["rows_accepted"],
        summary["rows_quarantined"],
    )
    assert [f["name"] for f in second["files"]] == ["inschrijvingen.csv"]
    text = "".join(p.read_text(encoding="utf-8") for p in (months.out / "receipts").glob("*.json"))
    numbers = {m for p in files_in(months.exports) for m in re.findall(r"\b\d{9}\b", p.read_text(encoding="utf-8"))}
    assert numbers and not any(n in text for n in numbers), "a receipt names files, never values"


def test_a_source_not_delivered_keeps_its_staged_rows_and_a_new_delivery_replaces_its_own(months: Months) -> None:
    staged = months.out / "warehouse" / "staged"
    for name, before in months.staged_after_1.items():
        if name != "inschrijvingen.parquet":
            assert (staged / name).read_bytes() == before, f"{name} was not delivered again and stays as it was"
    assert read_sealed(staged / "inschrijvingen.parquet").height == months.enrolments_1 - 1
    assert (months.out / "publish" / "indicatoren.parquet").is_file(), "month 2 published from kept + new rows"


def test_the_person_level_warehouse_is_sealed(months: Months) -> None:
    warehouse = months.out / "warehouse"
    assert is_sealed_database(warehouse / "monitor.duckdb")
    person_level = [*(warehouse / "staged").glob("*.parquet"), *(warehouse / "quarantine").glob("*.parquet")]
    sealed = {p.name for p in person_level if is_sealed_parquet(p)}
    assert {p.name for p in person_level} - sealed == {"ijw_consistency.parquet"}, "only the person-free facts"
    pseudonyms = read_sealed(warehouse / "staged" / "inschrijvingen.parquet")["person_id"].to_list()
    raw = (warehouse / "monitor.duckdb").read_bytes()
    assert not any(p.encode() in raw for p in pseudonyms[:5]), "no pseudonym readable in the database file"


def test_every_file_and_folder_a_run_writes_is_owner_only_whatever_the_umask(months: Months) -> None:
    out = months.out
    for folder in ("warehouse", "warehouse/quarantine", "warehouse/staged", "dagster", "receipts", "publish", "runs"):
        assert (out / folder).is_dir(), folder
    assert list((out / "dagster").rglob("*.db")), "Dagster's run and event storage is there"
    assert len(list(out.rglob("*"))) > 50
    assert open_to_others(out) == [], "no group or other permission bits anywhere under the output"
    assert (out / "dagster" / "left-open.txt").stat().st_mode & 0o777 == 0o600, "a file left open is closed"


def test_moving_to_the_holders_folder_skips_a_changed_file_and_leaves_the_holder_a_receipt(tmp_path: Path) -> None:
    inbox, holder = tmp_path / "inbox", tmp_path / "holder"
    (inbox / "ijw").mkdir(parents=True)
    export, message = inbox / "bewoners.csv", inbox / "ijw" / "bericht.xml"
    export.write_text("bsn;postcode\n", encoding="utf-8")
    message.write_text("<Bericht/>", encoding="utf-8")
    ingested = [
        {"source": "bewoners", "name": "bewoners.csv", "size": 13, "sha256": sha256(export), "rows_read": 0},
        {"source": "ijw", "name": "ijw/bericht.xml", "size": 10, "sha256": sha256(message)},
    ]
    message.write_text("<Nieuw/>!!", encoding="utf-8")  # same size, new content: arrived after the ingest read it
    released = release(inbox, ingested, holder)
    assert [(r.name, r.action) for r in released] == [
        ("bewoners.csv", "verplaatst"),
        ("ijw/bericht.xml", "blijft: gewijzigd sinds het inlezen (volgende run)"),
    ]
    assert (holder / "bewoners.csv").read_text(encoding="utf-8") == "bsn;postcode\n" and not export.exists()
    assert message.is_file(), "the changed message stays for the next run"
    receipt = write_receipt(tmp_path / "receipts", "run-1234abcd", released, holder, {})
    assert json.loads(receipt.read_text(encoding="utf-8"))["raw_exports"] == "moved"
    assert (holder / f"ontvangstbewijs-{receipt.name}").is_file(), "the holder gets the receipt too"
