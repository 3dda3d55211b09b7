"""Every iJw delivery form ends read or listed: zips in zips, `.txt` and extensionless messages, envelopes.

The promise is that every file and archive member under the input is accounted for: read as a message, refused
with a reason (`rejected`), or ignored with a reason (`ignored`); none is passed over in silence. Messages are
recognised by content: transport systems name payloads `JW323.txt` or a GUID without extension. The messages are
the real examples of the shared reference set (../shared/reference/ijw).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from pseudonymisation.at_source import main as pseudonymise
from pseudonymisation.ijw import read_ijw
from pseudonymisation.ijw_files import MAX_ZIP_DEPTH
from pseudonymisation.key import new_key_file
from tests.reference_material import IJW_REFERENCE

EXAMPLES = IJW_REFERENCE / "examples-3.2"
GUID = "3f2b8c1e-9d4a-4e57-8a0b-5c6d7e8f9a01"


def message(name: str) -> bytes:
    return (EXAMPLES / f"{name}.xml").read_bytes()


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def accounted(result_folder: Path) -> tuple[dict[str, int], list[str], dict[str, str]]:
    result = read_ijw(result_folder)
    return (
        result.messages_read,
        [r.source_file for r in result.rejected],
        {i.source_file: i.reason for i in result.ignored},
    )


def test_a_zip_inside_a_zip_is_read_and_its_other_members_are_listed(tmp_path: Path) -> None:
    inner = zipped({"JW301.xml": message("JW301"), "JW305.xml": message("JW305"), "LEESMIJ.txt": b"uitleg"})
    (tmp_path / "levering.zip").write_bytes(zipped({"maart/berichten.zip": inner, "JW323.xml": message("JW323")}))
    read, rejected, ignored = accounted(tmp_path)
    assert read == {"JW301": 1, "JW305": 1, "JW323": 1}
    assert rejected == []
    assert list(ignored) == ["levering.zip:maart/berichten.zip:LEESMIJ.txt"]
    assert "geen iJw-bericht" in ignored["levering.zip:maart/berichten.zip:LEESMIJ.txt"]
    rows = read_ijw(tmp_path).toewijzingen
    assert {r["source_file"] for r in rows} == {"levering.zip:maart/berichten.zip:JW301.xml"}


def test_archives_nested_deeper_than_the_limit_are_refused_with_a_reason(tmp_path: Path) -> None:
    archive = zipped({"JW301.xml": message("JW301")})
    for _ in range(MAX_ZIP_DEPTH):
        archive = zipped({"nested.zip": archive})
    (tmp_path / "diep.zip").write_bytes(archive)
    read, rejected, ignored = accounted(tmp_path)
    assert read == {} and ignored == {}
    assert len(rejected) == 1 and rejected[0].endswith("nested.zip")
    assert "genest" in read_ijw(tmp_path).rejected[0].reason


@pytest.mark.parametrize("name", ["JW323.txt", GUID, "bericht.dat"])
def test_a_message_without_an_xml_extension_is_read_by_its_content(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(message("JW323"))
    read, rejected, ignored = accounted(tmp_path)
    assert read == {"JW323": 1} and rejected == [] and ignored == {}
    assert read_ijw(tmp_path / name).messages_read == {"JW323": 1}  # also as the single input path


def test_a_message_without_extension_inside_a_zip_is_read(tmp_path: Path) -> None:
    (tmp_path / "levering.zip").write_bytes(zipped({GUID: message("JW301"), f"{GUID}.txt": message("JW305")}))
    read, rejected, ignored = accounted(tmp_path)
    assert read == {"JW301": 1, "JW305": 1} and rejected == [] and ignored == {}


def test_a_file_that_is_no_message_is_listed_as_ignored_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "JW301.xml").write_bytes(message("JW301"))
    (tmp_path / "checksums.sha256").write_text("abc  JW301.xml\n", encoding="utf-8")
    (tmp_path / "._JW301.xml").write_bytes(b"\x00\x05\x16\x07")
    read, rejected, ignored = accounted(tmp_path)
    assert read == {"JW301": 1} and rejected == []
    assert set(ignored) == {"checksums.sha256", "._JW301.xml"}
    assert all(reason for reason in ignored.values())


def test_an_envelope_around_one_message_is_unpacked_and_the_message_read(tmp_path: Path) -> None:
    body = message("JW301").decode("utf-8").split("?>", 1)[1]  # without its XML declaration, as in a SOAP body
    envelope = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header/>'
        f"<soap:Body><IndienenBericht>{body}</IndienenBericht></soap:Body></soap:Envelope>"
    )
    (tmp_path / "envelop.xml").write_text(envelope, encoding="utf-8")
    result = read_ijw(tmp_path)
    assert result.messages_read == {"JW301": 1} and result.rejected == []
    plain = read_ijw(EXAMPLES / "JW301.xml").toewijzingen
    where = ("source_file", "source_line")
    assert [{k: v for k, v in r.items() if k not in where} for r in result.toewijzingen] == [
        {k: v for k, v in r.items() if k not in where} for r in plain
    ]


def test_an_envelope_without_a_readable_message_is_refused_with_a_sentence_naming_it(tmp_path: Path) -> None:
    envelope = (
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        "<IndienenBericht><Bericht>PEJlcmljaHQ+PC9CZXJpY2h0Pg==</Bericht></IndienenBericht>"
        "</soap:Body></soap:Envelope>"
    )
    (tmp_path / "envelop.xml").write_text(envelope, encoding="utf-8")
    result = read_ijw(tmp_path)
    assert result.messages_read == {}
    assert [r.source_file for r in result.rejected] == ["envelop.xml"]
    assert "SOAP" in result.rejected[0].reason and "envelop" in result.rejected[0].reason


def test_the_holder_pseudonymises_a_single_message_saved_as_txt_and_lists_what_it_ignored(tmp_path: Path) -> None:
    key = tmp_path / "secrets" / "source.key"
    new_key_file(key)
    single = tmp_path / "export" / "JW301.txt"
    single.parent.mkdir()
    single.write_bytes(message("JW301"))
    out = tmp_path / "out"
    assert pseudonymise([str(single), "--key", str(key), "--gemeente", "GM0034", "--out", str(out)]) == 0
    receipt = json.loads((out / "toewijzingen.source.receipt.json").read_text(encoding="utf-8"))
    assert receipt["rows_accepted"] > 0 and receipt["ignored"] == []

    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / GUID).write_bytes(message("JW301"))
    (folder / "notes.txt").write_text("niet voor de monitor", encoding="utf-8")
    assert pseudonymise([str(folder), "--key", str(key), "--gemeente", "GM0034", "--out", str(tmp_path / "o2")]) == 0
    receipt = json.loads((tmp_path / "o2" / "toewijzingen.source.receipt.json").read_text(encoding="utf-8"))
    assert [i["file"] for i in receipt["ignored"]] == ["folder/notes.txt"]
