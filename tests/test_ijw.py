"""Tests for youth care form A (iJw 3.2 XML) ingest, against the real public example messages.

The examples come from the shared reference set (../shared/reference/ijw, see its SOURCES.md §1); variants
are built by editing those real messages as text, so every test message is otherwise a genuine iJw 3.2
message. No mocks: real lxml, real XSDs from contracts/ijw.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pseudonymisation.ijw import (
    DECLARATIE_COLUMNS,
    TOEWIJZING_COLUMNS,
    IjwResult,
    iter_ijw,
    read_ijw,
)
from pseudonymisation.ijw_xml import XSD_DIR
from tests.reference_material import IJW_REFERENCE

REFERENCE = IJW_REFERENCE
EXAMPLES_32 = REFERENCE / "examples-3.2"
EXAMPLES_30 = REFERENCE / "examples-3.0"

VALID_TYPES = ["JW301", "JW302", "JW305", "JW306", "JW307", "JW308", "JW316", "JW317", "JW319", "JW320",
               "JW323", "JW325"]  # fmt: skip
LONG_DIGITS = re.compile(r"\d{8,}")


def example(name: str) -> str:
    return (EXAMPLES_32 / f"{name}.xml").read_text(encoding="utf-8")


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def accounted(result: IjwResult) -> int:
    """Every message file is either accepted (counted) or rejected: nothing disappears."""
    return sum(result.messages_read.values()) + len(result.rejected)


def by_nummer(result: IjwResult) -> dict[str | None, dict[str, str | None]]:
    return {row["toewijzingnummer"]: row for row in result.toewijzingen}


def jw315_fixed() -> str:
    """The real JW315 with its impossible date 2027-06-31 corrected, so that it validates."""
    return example("JW315").replace("2027-06-31", "2027-06-30")


# ------------------------------------------------------------------------------------- real examples
def test_schemas_are_vendored_in_contracts() -> None:
    expected = Path(__file__).resolve().parents[1] / "contracts" / "ijw" / "xsd-3.2"
    assert expected == XSD_DIR
    assert len(list(XSD_DIR.glob("*.xsd"))) == 15


def test_real_examples_valid_ones_accepted_invalid_ones_rejected_whole() -> None:
    result = read_ijw(EXAMPLES_32)
    assert result.messages_read == dict.fromkeys(VALID_TYPES, 1)
    rejected = {r.source_file: r for r in result.rejected}
    assert set(rejected) == {"JW315.xml", "JW318.xml"}
    jw315 = rejected["JW315.xml"]
    assert jw315.message_type == "JW315"
    assert "ToewijzingEinddatum" in jw315.reason and "2027-06-31" in jw315.reason
    assert "LDT_Datum" in jw315.reason
    jw318 = rejected["JW318.xml"]
    assert jw318.message_type == "JW318"
    assert "RetourCode" in jw318.reason and "not expected" in jw318.reason
    assert accounted(result) == 14
    assert result.unmatched_credits == 0 and result.unlinked_products == 0


@pytest.mark.parametrize("message_type", VALID_TYPES)
def test_each_valid_example_alone(message_type: str) -> None:
    result = read_ijw(EXAMPLES_32 / f"{message_type}.xml")
    assert result.rejected == []
    assert result.messages_read == {message_type: 1}


def test_canonical_values_of_real_examples() -> None:
    result = read_ijw(EXAMPLES_32)
    assert result.toewijzingen == [
        {
            "bsn": "999900006",
            "toewijzingnummer": "300201",
            "productcategorie": "55",
            "productcode": "55A11",
            "verwijzer_type": None,  # its JW315 is invalid (2027-06-31), so the verwijzer is unknown
            "ingangsdatum": "2026-04-01",
            "einddatum": "2026-07-14",
            "begindatum_zorg": "2026-04-03",
            "einddatum_zorg": "2026-07-17",
            "reden_beeindiging": "31",
            "source_file": "JW301.xml",
            "source_line": "170",
        },
        {
            "bsn": "999900006",
            "toewijzingnummer": "300202",
            "productcategorie": "55",
            "productcode": "55A12",
            "verwijzer_type": None,
            "ingangsdatum": "2026-04-01",
            "einddatum": "2026-07-19",
            "begindatum_zorg": "2026-04-15",
            "einddatum_zorg": "2026-07-17",
            "reden_beeindiging": "31",
            "source_file": "JW301.xml",
            "source_line": "188",
        },
    ]
    assert [tuple(row) for row in result.toewijzingen] == [TOEWIJZING_COLUMNS] * 2
    assert [tuple(row) for row in result.declaraties] == [DECLARATIE_COLUMNS] * 5
    assert [
        (
            r["bsn"],
            r["toewijzingnummer"],
            r["periode_begin"],
            r["periode_einde"],
            r["bedrag"],
            r["debet_credit"],
        )
        for r in result.declaraties
    ] == [
        ("999900006", "10072", "2026-04-01", "2026-04-30", "50.00", "D"),
        ("999900006", "10073", "2026-04-01", "2026-04-30", "240.00", "D"),
        ("999900018", "10074", "2026-04-01", "2026-04-30", "50.00", "D"),
        ("999900018", "10073", "2026-04-01", "2026-04-30", "240.00", "D"),
        ("999900018", "10073", "2026-03-01", "2026-03-31", "210.00", "D"),
    ]
    assert [r["source_line"] for r in result.declaraties] == ["33", "52", "76", "95", "114"]
    assert {r["source_file"] for r in result.declaraties} == {"JW323.xml"}
    # total of the real JW323 is 79000 eurocent
    assert sum(int(r["bedrag"].replace(".", "")) for r in result.declaraties if r["bedrag"]) == 79000


def test_verwijzer_type_from_jw315_matched_on_referentie_aanbieder(tmp_path: Path) -> None:
    for name in ("JW301", "JW305", "JW307"):
        write(tmp_path, f"{name}.xml", example(name))
    write(tmp_path, "JW315.xml", jw315_fixed())
    result = read_ijw(tmp_path)
    assert result.rejected == []
    rows = by_nummer(result)
    assert rows["300201"]["verwijzer_type"] == "01"  # ReferentieAanbieder 40A12341234
    assert rows["300202"]["verwijzer_type"] == "02"  # ReferentieAanbieder 40A12341235


def test_jw315_of_another_provider_does_not_match(tmp_path: Path) -> None:
    write(tmp_path, "JW301.xml", example("JW301"))
    other = jw315_fixed().replace("<jw315:Afzender>42420001<", "<jw315:Afzender>11111111<")
    write(tmp_path, "JW315.xml", other)
    result = read_ijw(tmp_path)
    assert result.rejected == []
    assert {row["verwijzer_type"] for row in result.toewijzingen} == {None}


def test_personal_details_are_dropped(tmp_path: Path) -> None:
    for name in ("JW301", "JW305", "JW307", "JW323"):
        write(tmp_path, f"{name}.xml", example(name))
    write(tmp_path, "JW315.xml", jw315_fixed())
    result = read_ijw(tmp_path)
    values = {v for row in result.toewijzingen + result.declaraties for v in row.values() if v}
    personal_values = ["Wit", "Tom", "2010-02-14", "1971-04-07", "abc@def.com", "Van Woustraat",
                       "9999XX", "0201234567", "huisarts", "12345678", "Galen", "Commentaar client",
                       "Zweeds"]  # fmt: skip
    for personal in personal_values:
        assert not any(personal in v for v in values), personal


def test_version_30_examples_rejected_by_version() -> None:
    result = read_ijw(EXAMPLES_30)
    assert result.messages_read == {}
    assert len(result.rejected) == 4  # including the VECOZO SOAP envelope around a 3.0 JW315
    for rejection in result.rejected:
        assert "3.0" in rejection.reason and "3.2" in rejection.reason
        assert "niet ondersteund" in rejection.reason and "not supported" in rejection.reason
    assert {r.message_type for r in result.rejected} == {"JW301", "JW315"}


def _strip_zip_prefix(rows: list[dict[str, str | None]], prefix: str) -> list[dict[str, str | None]]:
    out = []
    for row in rows:
        source = row["source_file"] or ""
        assert source.startswith(prefix)
        out.append({**row, "source_file": source[len(prefix) :]})
    return out


def test_zip_gives_the_same_result_as_the_folder(tmp_path: Path) -> None:
    folder = read_ijw(EXAMPLES_32)
    archive = tmp_path / "inbox" / "2026" / "batch.zip"
    archive.parent.mkdir(parents=True)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for xml in sorted(EXAMPLES_32.glob("*.xml"), reverse=True):  # archive order must not matter
            zf.write(xml, xml.name)
        zf.writestr("LEESMIJ.txt", "not a message")
    zipped = read_ijw(tmp_path / "inbox")
    prefix = "2026/batch.zip:"
    assert _strip_zip_prefix(zipped.toewijzingen, prefix) == folder.toewijzingen
    assert _strip_zip_prefix(zipped.declaraties, prefix) == folder.declaraties
    assert zipped.messages_read == folder.messages_read
    assert sorted((r.source_file, r.message_type, r.reason) for r in zipped.rejected) == sorted(
        (prefix + r.source_file, r.message_type, r.reason) for r in folder.rejected
    )
    assert read_ijw(archive).toewijzingen == _strip_zip_prefix(zipped.toewijzingen, "2026/")


def test_subfolders_are_read_and_other_files_ignored(tmp_path: Path) -> None:
    write(tmp_path, "2025/q4/JW301.xml", example("JW301"))
    write(tmp_path, "2026/JW305.xml", example("JW305"))
    write(tmp_path, "2026/notes.txt", "ignored")
    result = read_ijw(tmp_path)
    assert result.rejected == []
    assert result.messages_read == {"JW301": 1, "JW305": 1}
    assert {row["source_file"] for row in result.toewijzingen} == {"2025/q4/JW301.xml"}


# ------------------------------------------------------------------------------------------ safety
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>
"""


def _with_doctype(message: str, doctype: str, replace: tuple[str, str]) -> str:
    """Put a DOCTYPE into a real message and use its entity in an element value."""
    head, rest = message.split("\n", 1)
    return f"{head}\n{doctype}\n{rest}".replace(*replace)


def test_billion_laughs_rejected_without_expansion(tmp_path: Path) -> None:
    write(tmp_path, "lol.xml", BILLION_LAUGHS)
    write(tmp_path, "lol16.xml", BILLION_LAUGHS.encode("utf-16"))
    doc = _with_doctype(
        example("JW301"),
        '<!DOCTYPE jw301:Bericht [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        ("Commentaar client", "&b;"),
    )
    write(tmp_path, "JW301_lol.xml", doc)
    result = read_ijw(tmp_path)
    assert result.messages_read == {} and result.toewijzingen == []
    assert len(result.rejected) == 3
    for rejection in result.rejected:
        assert "DTD" in rejection.reason and "entity" in rejection.reason
        assert "lol" not in rejection.reason and "aaaa" not in rejection.reason


def test_external_entity_rejected_and_not_read(tmp_path: Path) -> None:
    xxe = '<?xml version="1.0"?>\n<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<foo>&xxe;</foo>\n'
    write(tmp_path, "xxe.xml", xxe)
    doc = _with_doctype(
        example("JW301"),
        '<!DOCTYPE jw301:Bericht [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        ("Commentaar client", "&xxe;"),
    )
    write(tmp_path, "JW301_xxe.xml", doc)
    result = read_ijw(tmp_path)
    assert result.messages_read == {} and len(result.rejected) == 2
    for rejection in result.rejected:
        assert "DTD" in rejection.reason and "entity" in rejection.reason
        assert "root:" not in rejection.reason and "/bin/" not in rejection.reason


def test_bsn_like_values_are_masked_in_reasons(tmp_path: Path) -> None:
    # 10 digits: not a valid Bsn, and lxml would echo it in its pattern/length error
    write(tmp_path, "a_bsn.xml", example("JW301").replace("<jw301:Bsn>999900006<", "<jw301:Bsn>9999000061<"))
    # value-safe element, but still 8+ digits: masked by the number rule
    big_nr = example("JW301").replace("<jw301:ToewijzingNummer>300201<", "<jw301:ToewijzingNummer>1999900006<")
    write(tmp_path, "b_nummer.xml", big_nr)
    # a personal free-text value must not be echoed either
    write(tmp_path, "c_name.xml", example("JW301").replace(">Wit<", ">" + "Geheimenaam" * 40 + "<", 1))
    # broken XML whose error text could quote content
    write(tmp_path, "d_broken.xml", example("JW305").replace("<jw305:Bsn>999900006</jw305:Bsn>", "<x>999900006"))
    result = read_ijw(tmp_path)
    assert len(result.rejected) == 4 and result.messages_read == {}
    reasons = {r.source_file: r.reason for r in result.rejected}
    for reason in reasons.values():
        assert not LONG_DIGITS.search(reason), reason
        assert "Geheimenaam" not in reason
    assert "Bsn" in reasons["a_bsn.xml"] and "*********" not in reasons["a_bsn.xml"]
    assert "*********" in reasons["b_nummer.xml"] and "ToewijzingNummer" in reasons["b_nummer.xml"]
    assert "Achternaam" in reasons["c_name.xml"]
    assert "not well-formed" in reasons["d_broken.xml"]


def test_not_xml_and_not_ijw_and_unknown_type_rejected(tmp_path: Path) -> None:
    write(tmp_path, "a.xml", b"\x00\xffthis is not xml")
    write(tmp_path, "b.xml", "<?xml version='1.0'?><root xmlns='urn:other'><x/></root>")
    write(tmp_path, "c.xml", example("JW319").replace("3_2/jw319/", "3_2/jw399/"))
    write(tmp_path, "d.xml", "")
    result = read_ijw(tmp_path)
    reasons = {r.source_file: r for r in result.rejected}
    assert "not well-formed" in reasons["a.xml"].reason
    assert "not an iJw message" in reasons["b.xml"].reason
    assert reasons["c.xml"].message_type == "JW399" and "unknown" in reasons["c.xml"].reason
    assert "d.xml" in reasons
    assert accounted(result) == 4


def test_zip_slip_and_zip_bomb_members_rejected(tmp_path: Path) -> None:
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("../evil.xml", example("JW301"))
        zf.writestr("/abs/evil.xml", example("JW301"))
        zf.writestr("bomb.xml", b"<a>" + b" " * 2_000_000 + b"</a>")
        zf.writestr("ok/JW305.xml", example("JW305"))
    result = read_ijw(tmp_path, max_message_bytes=100_000)
    reasons = {r.source_file: r.reason for r in result.rejected}
    assert set(reasons) == {"batch.zip:../evil.xml", "batch.zip:/abs/evil.xml", "batch.zip:bomb.xml"}
    assert "'..'" in reasons["batch.zip:../evil.xml"]
    assert "100000 bytes" in reasons["batch.zip:bomb.xml"]
    assert result.messages_read == {"JW305": 1}


def test_oversized_file_and_corrupt_zip_rejected(tmp_path: Path) -> None:
    write(tmp_path, "JW301.xml", example("JW301"))
    write(tmp_path, "broken.zip", b"PK\x03\x04 not really a zip")
    result = read_ijw(tmp_path, max_message_bytes=1000)
    reasons = {r.source_file: r.reason for r in result.rejected}
    assert "1000 bytes" in reasons["JW301.xml"]
    assert "zip" in reasons["broken.zip"]


# ---------------------------------------------------------------------------------------- ordering
def _jw301_changed(dagtekening: str, identificatie: str = "123456789012") -> str:
    """The real JW301 re-sent with RedenWijziging 05 (verkorting) and an earlier einddatum for 300201."""
    text = (
        example("JW301")
        .replace("<ijw:Dagtekening>2026-04-01<", f"<ijw:Dagtekening>{dagtekening}<")
        .replace("<ijw:Identificatie>123456789012<", f"<ijw:Identificatie>{identificatie}<")
    )
    return text.replace(
        "<jw301:Einddatum>2026-07-14</jw301:Einddatum>",
        "<jw301:Einddatum>2026-06-01</jw301:Einddatum>\n\t\t\t\t<jw301:RedenWijziging>05</jw301:RedenWijziging>",
    )


@pytest.mark.parametrize("names", [("a.xml", "b.xml"), ("b.xml", "a.xml")])
def test_later_jw301_replaces_earlier_independent_of_file_order(tmp_path: Path, names: tuple[str, str]) -> None:
    original_name, changed_name = names
    write(tmp_path, original_name, example("JW301"))
    write(tmp_path, changed_name, _jw301_changed("2026-05-01"))
    result = read_ijw(tmp_path)
    assert result.rejected == []
    rows = by_nummer(result)
    assert rows["300201"]["einddatum"] == "2026-06-01"
    assert rows["300201"]["source_file"] == changed_name
    assert rows["300202"]["einddatum"] == "2026-07-19"


def test_same_dagtekening_ordered_by_numeric_identificatie(tmp_path: Path) -> None:
    write(tmp_path, "a.xml", _jw301_changed("2026-04-01", identificatie="10"))
    write(
        tmp_path,
        "b.xml",
        example("JW301").replace("<ijw:Identificatie>123456789012<", "<ijw:Identificatie>9<"),
    )
    result = read_ijw(tmp_path)
    assert by_nummer(result)["300201"]["einddatum"] == "2026-06-01"  # id 10 comes after id 9


def test_reden_wijziging_13_removes_the_toewijzing(tmp_path: Path) -> None:
    write(tmp_path, "a.xml", example("JW301"))
    removed = _jw301_changed("2026-05-01").replace("<jw301:RedenWijziging>05<", "<jw301:RedenWijziging>13<")
    write(tmp_path, "b.xml", removed)
    result = read_ijw(tmp_path)
    assert set(by_nummer(result)) == {"300202"}


def test_start_after_stop_reopens_only_when_later(tmp_path: Path) -> None:
    write(tmp_path, "JW301.xml", example("JW301"))
    write(tmp_path, "JW305.xml", example("JW305"))
    write(tmp_path, "JW307.xml", example("JW307"))  # stops both on 2026-07-17
    later = (
        example("JW305")
        .replace("2026-04-15", "2026-04-16")
        .replace("<jw305:Begindatum>2026-04-03<", "<jw305:Begindatum>2026-08-01<")
    )
    later = later.replace("<ijw:Dagtekening>2026-04-16<", "<ijw:Dagtekening>2026-08-02<")
    # 300201: start 2026-08-01 after its stop → reopened; 300202: start 2026-04-16 ≤ stop → corrected only
    write(tmp_path, "JW305_later.xml", later)
    result = read_ijw(tmp_path)
    assert result.rejected == []
    rows = by_nummer(result)
    assert (rows["300201"]["begindatum_zorg"], rows["300201"]["einddatum_zorg"]) == ("2026-08-01", None)
    assert rows["300201"]["reden_beeindiging"] is None
    assert (rows["300202"]["begindatum_zorg"], rows["300202"]["einddatum_zorg"]) == (
        "2026-04-16",
        "2026-07-17",
    )
    assert rows["300202"]["reden_beeindiging"] == "31"


def test_status_aanlevering_3_removes_earlier_stop(tmp_path: Path) -> None:
    write(tmp_path, "JW301.xml", example("JW301"))
    write(tmp_path, "JW307.xml", example("JW307"))
    undo = example("JW307").replace("<ijw:Dagtekening>2026-07-20<", "<ijw:Dagtekening>2026-07-21<")
    undo = undo.replace("<jw307:StatusAanlevering>1<", "<jw307:StatusAanlevering>3<", 1)
    write(tmp_path, "JW307_undo.xml", undo)
    rows = by_nummer(read_ijw(tmp_path))
    assert rows["300201"]["einddatum_zorg"] is None and rows["300201"]["reden_beeindiging"] is None
    assert rows["300201"]["begindatum_zorg"] == "2026-04-03"  # from the JW307's Begindatum, no JW305 here
    assert rows["300202"]["einddatum_zorg"] == "2026-07-17"


def test_start_without_allocation_still_yields_a_row(tmp_path: Path) -> None:
    write(tmp_path, "JW305.xml", example("JW305"))
    result = read_ijw(tmp_path)
    row = by_nummer(result)["300201"]
    assert (row["productcode"], row["ingangsdatum"], row["begindatum_zorg"]) == (
        "55A11",
        "2026-04-01",
        "2026-04-03",
    )
    assert row["einddatum"] is None and row["source_file"] == "JW305.xml"


def test_start_without_toewijzingnummer_counted_as_unlinked(tmp_path: Path) -> None:
    text = example("JW305").replace("<jw305:ToewijzingNummer>300201</jw305:ToewijzingNummer>", "", 1)
    write(tmp_path, "JW305.xml", text)
    result = read_ijw(tmp_path)
    assert result.rejected == [] and result.unlinked_products == 1
    assert set(by_nummer(result)) == {"300202"}


def test_unmatched_credits_counted(tmp_path: Path) -> None:
    write(tmp_path, "JW323.xml", example("JW323"))
    credit = example("JW323").replace("<ijw:Dagtekening>2026-05-06<", "<ijw:Dagtekening>2026-06-06<")
    credit = credit.replace("<ijw:DebetCredit>D<", "<ijw:DebetCredit>C<")
    # RN001 (10072, April, 5000) now credits 4000: matches no debet; the other four cancel their debets
    credit = credit.replace("<ijw:Bedrag>5000</ijw:Bedrag>", "<ijw:Bedrag>4000</ijw:Bedrag>", 1)
    write(tmp_path, "JW323_credit.xml", credit)
    result = read_ijw(tmp_path)
    assert result.rejected == []
    assert len(result.declaraties) == 10
    assert result.unmatched_credits == 1
    credits = [r for r in result.declaraties if r["debet_credit"] == "C"]
    assert [r["bedrag"] for r in credits] == ["40.00", "240.00", "50.00", "240.00", "210.00"]


def test_credit_before_its_debet_is_unmatched(tmp_path: Path) -> None:
    credit = example("JW323").replace("<ijw:Dagtekening>2026-05-06<", "<ijw:Dagtekening>2026-05-01<")
    write(tmp_path, "z_credit.xml", credit.replace("<ijw:DebetCredit>D<", "<ijw:DebetCredit>C<"))
    write(tmp_path, "a_debet.xml", example("JW323"))
    assert read_ijw(tmp_path).unmatched_credits == 5


def test_iter_ijw_batches_add_up_to_read_ijw(tmp_path: Path) -> None:
    for name in ("JW301", "JW305", "JW307", "JW319", "JW323", "JW318"):
        write(tmp_path, f"{name}.xml", example(name))
    batches = list(iter_ijw(tmp_path, batch_rows=2))
    whole = read_ijw(tmp_path)
    assert len(batches) > 2
    # a batch is closed after the message that fills it: at most batch_rows + one message's rows (5)
    assert max(b.size() for b in batches) <= 2 + 5
    assert [r for b in batches for r in b.toewijzingen] == whole.toewijzingen
    assert [r for b in batches for r in b.declaraties] == whole.declaraties
    assert [r for b in batches for r in b.rejected] == whole.rejected
    assert sum(sum(b.messages_read.values()) for b in batches) == sum(whole.messages_read.values()) == 5
    # the person-free consistency facts travel with the rows they belong to
    assert all(len(b.declaration_lines) == len(b.declaraties) for b in batches)
    assert [line for b in batches for line in b.declaration_lines] == whole.declaration_lines
    assert [p for b in batches for p in b.allocated_products] == whole.allocated_products
    assert [p.toewijzingnummer for p in whole.allocated_products] == ["300201", "300202"]


# -------------------------------------------------------------------------------------- robustness
SEED_MESSAGES = [
    (EXAMPLES_32 / f"{name}.xml").read_bytes() if EXAMPLES_32.is_dir() else b""
    for name in ("JW301", "JW305", "JW307", "JW315", "JW323", "JW319")
]


def _check_one_file(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "message.xml").write_bytes(content)
        result = read_ijw(Path(tmp))
        assert accounted(result) == 1
        for rejection in result.rejected:
            assert not LONG_DIGITS.search(rejection.reason)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(content: bytes) -> None:
    _check_one_file(content)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SEED_MESSAGES),
    st.lists(
        st.tuples(st.integers(0, 10**6), st.integers(0, 12), st.binary(max_size=12)),
        min_size=1,
        max_size=6,
    ),
)
def test_mutated_examples_never_raise(seed: bytes, edits: list[tuple[int, int, bytes]]) -> None:
    data = bytearray(seed)
    for position, delete, insert in edits:
        at = position % (len(data) + 1)
        data[at : at + delete] = insert
    _check_one_file(bytes(data))


def test_seed_messages_are_real() -> None:
    """Guard for the property tests: their seeds are the real examples, not empty placeholders."""
    assert all(len(seed) > 1000 for seed in SEED_MESSAGES)
