"""Inbox hygiene: only regular files inside the inbox are read; everything else is refused with a sentence.

Each case puts one hostile entry where an export belongs and runs the real ingest. The "secret" is what a
symlink to a key file would expose: it must appear in no message and in no file the run writes.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from pipelines.ingest.sources import ijw_tables, ingest_source
from pseudonymisation.contract import load_contract
from pseudonymisation.inbox import escape_name
from pseudonymisation.read_csv import FileRejected
from tests.conftest import materialize_all
from tests.handmade_inbox import write_handmade_inbox
from tests.test_bad_inputs import ENROL_HEADER, GOOD_ROWS, csv_bytes, pseudonymiser

SECRET = "9f1c2d3e4b5a69788796a5b4c3d2e1f0"  # what a key file holds


def secret_file(tmp_path: Path) -> Path:
    outside = tmp_path / "elsewhere" / "pseudonym.key"
    outside.parent.mkdir()
    outside.write_text(SECRET + "\n", encoding="utf-8")
    return outside


def refusal(inbox: Path, source: str = "inschrijvingen") -> str:
    staged = inbox.parent / "staged.parquet"
    with pytest.raises(FileRejected) as info:
        ingest_source(inbox, load_contract(source), pseudonymiser(), staged, inbox.parent / "quarantine.parquet")
    assert not staged.exists(), "nothing staged from a refused file"
    message = str(info.value)
    assert SECRET not in message
    return message


def test_a_symlink_to_a_file_outside_the_inbox_is_refused_unread(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "inschrijvingen.csv").symlink_to(secret_file(tmp_path))
    assert "inschrijvingen.csv: refused, it is a symbolic link" in refusal(inbox)


def test_a_symlink_inside_the_inbox_is_refused_too(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "real.csv").write_bytes(csv_bytes(ENROL_HEADER, GOOD_ROWS))
    (inbox / "inschrijvingen.csv").symlink_to(inbox / "real.csv")
    assert "symbolic link" in refusal(inbox)


def test_a_hard_link_to_another_file_is_refused(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    os.link(secret_file(tmp_path), inbox / "inschrijvingen.csv")
    assert "hard links" in refusal(inbox)


def test_a_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    """Opening a FIFO for reading blocks until a writer comes: the refusal must come from lstat, not open."""
    inbox = tmp_path / "inbox"
    (inbox / "ijw").mkdir(parents=True)
    os.mkfifo(inbox / "ijw" / "bericht.xml")
    outcome: dict[str, str] = {}

    def read() -> None:
        try:
            ijw_tables(inbox)
        except FileRejected as exc:
            outcome["message"] = str(exc)

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "reading the inbox hung on a FIFO"
    assert "ijw/: bericht.xml: refused, it is a named pipe (FIFO)" in outcome["message"]


def test_a_device_is_refused(tmp_path: Path) -> None:
    """A character device (here a copy of /dev/null's numbers; making one needs root, which this machine has)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    os.mknod(inbox / "inschrijvingen.csv", stat.S_IFCHR | 0o600, os.makedev(1, 3))
    assert "refused, it is a device" in refusal(inbox)


def test_the_ijw_folder_itself_may_not_be_a_link(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    elsewhere = tmp_path / "other-messages"
    elsewhere.mkdir()
    (inbox / "ijw").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(FileRejected, match="ijw: refused, it is a symbolic link"):
        ijw_tables(inbox)


def test_control_characters_in_a_file_name_are_escaped_in_the_message(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    folder = inbox / "levering\n\x1b[31mOK"
    folder.mkdir(parents=True)
    (folder / "inschrijvingen.csv").write_bytes(b"")
    message = refusal(inbox)
    assert "\n" not in message and "\x1b" not in message
    assert message.startswith("levering\\x0a\\x1b[31mOK/inschrijvingen.csv: the file is empty")


def test_escape_name_keeps_ordinary_names_and_escapes_bidi_overrides() -> None:
    assert escape_name("ijw/2026-11 levering.xml") == "ijw/2026-11 levering.xml"
    assert escape_name("gpj.\u202eexe") == "gpj.\\u202eexe"


def test_a_refused_file_header_is_not_echoed(tmp_path: Path) -> None:
    """A regular file with the wrong content (say a copied key file): the message names no value of it."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "inschrijvingen.csv").write_text(f"{SECRET};x\n1;2\n", encoding="utf-8")
    message = refusal(inbox)
    assert "missing required column(s)" in message and "2 other(s), not shown" in message


def test_a_run_with_a_symlinked_export_fails_and_writes_the_secret_nowhere(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    write_handmade_inbox(inbox)
    (inbox / "bewoners.csv").unlink()
    (inbox / "bewoners.csv").symlink_to(secret_file(tmp_path))
    before = listing(inbox)
    result = materialize_all(inbox, out, raise_on_error=False, holder_copy=False)
    assert not result.success
    for path in out.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    assert listing(inbox) == before, "a failed ingest leaves the inbox as it was"
    assert not (out / "receipts").exists(), "and writes no receipt"


def listing(inbox: Path) -> dict[str, tuple[bool, bytes]]:
    """Every entry of the inbox: whether it is a link, and its bytes (a link's target path)."""
    return {
        str(p.relative_to(inbox)): (p.is_symlink(), os.readlink(p).encode() if p.is_symlink() else p.read_bytes())
        for p in inbox.rglob("*")
    }
