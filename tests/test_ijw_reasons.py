"""A document that is no iJw 3.2 message is refused with a reason that says what it is.

The data holder must read which one they sent: an iJw 2.x message (its namespace carries the version twice,
`.../jw301/schema/2_2`), an iWmo message (the Wmo's standard), the GGk's StUF-Jw/Wmo transport envelope or VECOZO's
SOAP envelope whose message could not be unpacked, or something else altogether. The messages are the real iJw 3.2
examples with their namespaces rewritten (../shared/reference/ijw/examples-3.2).
"""

from __future__ import annotations

from pathlib import Path

from pseudonymisation.ijw import IjwRejection, read_ijw
from tests.reference_material import IJW_REFERENCE

JW301 = (IJW_REFERENCE / "examples-3.2" / "JW301.xml").read_text(encoding="utf-8")
STUF = 'xmlns:StUF="http://www.egem.nl/StUF/StUF0301" xmlns:JW="http://www.egem.nl/StUF/sector/jw/0310"'


def refused(tmp_path: Path, text: str) -> IjwRejection:
    (tmp_path / "bericht.xml").write_text(text, encoding="utf-8")
    result = read_ijw(tmp_path)
    assert result.messages_read == {} and len(result.rejected) == 1
    return result.rejected[0]


def body(message: str) -> str:
    return message.split("?>", 1)[1]  # without its XML declaration, as inside an envelope


def test_an_ijw_2_message_is_refused_as_an_unsupported_version_not_as_no_message(tmp_path: Path) -> None:
    old = JW301.replace("/ijw/3_2/jw301/schema", "/ijw/2_4/jw301/schema/2_4").replace(
        "/ijw/3_2/basisschema/schema", "/ijw/2_4/basisschema/schema/2_4"
    )
    rejection = refused(tmp_path, old)
    assert rejection.message_type == "JW301"
    assert "iJw version 2.4 is not supported (expected 3.2)" in rejection.reason


def test_an_iwmo_message_is_refused_as_a_wmo_message(tmp_path: Path) -> None:
    wmo = JW301.replace("/ijw/3_2/jw301/schema", "/iwmo/3_2/wmo301/schema").replace("/ijw/3_2/", "/iwmo/3_2/")
    reason = refused(tmp_path, wmo).reason
    assert "iWmo-bericht (WMO301, iWmo 3.2)" in reason
    assert "a Wmo message, not an iJw (Youth Act) message" in reason


def test_a_ggk_envelope_without_a_readable_message_is_refused_naming_the_ggk(tmp_path: Path) -> None:
    envelope = (
        f"<JW:jeugdLk01 {STUF}><JW:stuurgegevens><StUF:berichtcode>Lk01</StUF:berichtcode></JW:stuurgegevens>"
        "<JW:bijlage>PEJlcmljaHQ+PC9CZXJpY2h0Pg==</JW:bijlage></JW:jeugdLk01>"
    )
    reason = refused(tmp_path, envelope).reason
    assert reason.startswith("GGk-transportenvelop (StUF-Jw/Wmo)")
    assert "GGk transport envelope (StUF-Jw/Wmo) without one readable iJw message" in reason


def test_a_ggk_envelope_in_a_soap_body_is_named_as_ggk_not_as_vecozo(tmp_path: Path) -> None:
    envelope = (
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        f"<JW:jeugdLk01 {STUF}><JW:bijlage>PEJlcmljaHQ+</JW:bijlage></JW:jeugdLk01></soap:Body></soap:Envelope>"
    )
    reason = refused(tmp_path, envelope).reason
    assert "GGk" in reason and "VECOZO" not in reason


def test_a_ggk_envelope_around_one_message_is_unpacked_and_read(tmp_path: Path) -> None:
    envelope = f"<JW:jeugdLk01 {STUF}><JW:stuurgegevens/><JW:inhoud>{body(JW301)}</JW:inhoud></JW:jeugdLk01>"
    (tmp_path / "envelop.xml").write_text(envelope, encoding="utf-8")
    result = read_ijw(tmp_path)
    assert result.messages_read == {"JW301": 1} and result.rejected == []


def test_other_xml_is_refused_saying_no_ijw_iwmo_or_envelope_namespace_occurs(tmp_path: Path) -> None:
    reason = refused(tmp_path, '<rapport xmlns="urn:example:rapport"><regel>1</regel></rapport>').reason
    assert "not an iJw message" in reason and "no iJw, iWmo or envelope namespace occurs" in reason
