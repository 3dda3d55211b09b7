"""Safe parsing, XSD validation and field extraction of single iJw 3.2 messages for `pseudonymisation.ijw`.

Why this shape:

* **Safety first.** The parser never resolves entities, never loads a DTD, never touches the network and
  keeps libxml2's huge-tree limits. A message that declares a DOCTYPE at all is rejected before and after
  parsing (billion laughs / XXE are refused without being expanded): iJw messages never need one.
* **Validate, then trust.** Every message is validated against its vendored XSD before a single value is
  read, so extraction can rely on the schema (required elements present, codes in their enumerations,
  dates real dates). A message that fails is rejected *whole*: half a toewijzing is worse than none.
* **Data minimisation at parse time.** Extraction reads only the fields the canonical tables need (BSN,
  toewijzing, product, dates, amounts, verwijzer *type*) and, of a declaration line, the fields its
  consistency checks need (declared product, volume, eenheid, tarief). Names, addresses, phone numbers, e-mail,
  relations, birth date, gender, referrer names and AGB codes are never copied out of the tree, and the
  tree is dropped as soon as the compact records below are built.
* **No personal data in reasons.** Schema errors of libxml2 echo element values. Values are only echoed
  for non-personal elements (dates of the toewijzing, codes, amounts); for every other element the
  reason names the element and the rule but not the value, and every run of 8+ digits is masked anyway.
"""

from __future__ import annotations

import functools
import re
import sys
from typing import NamedTuple

from lxml import etree

from pseudonymisation.ijw_files import IjwInputError
from pseudonymisation.package_data import IJW_XSD_DIR

#: The vendored official contract (see contracts/ijw/README.md); never read from outside the package.
XSD_DIR = IJW_XSD_DIR

SUPPORTED_VERSION = "3.2"
BASIS_NS = "http://www.istandaarden.nl/ijw/3_2/basisschema/schema"
SOAP_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"

#: The 3.2 message types we have a schema for; only some of them feed the canonical tables.
KNOWN_TYPES = frozenset(f"JW{n}" for n in (301, 302, 305, 306, 307, 308, 315, 316, 317, 318, 319, 320, 323, 325))

_ROOT_RE = re.compile(r"^\{http://www\.istandaarden\.nl/ijw/(\d{1,3})_(\d{1,3})/(jw\d{3})/schema\}Bericht$")
_NS_RE = re.compile(r"\{[^}]*\}")
_LONG_DIGITS_RE = re.compile(r"\d{8,}")
_FACET_RE = re.compile(r"\[facet '(\w+)'\]")
#: "<!" in UTF-8 or UTF-16 (either byte order contains "<\0!"): a message without it declares nothing, and the
#: six markers need not be searched.
_DECLARATION_STARTS = (b"<!", b"<\x00!")
_DOCTYPE_MARKERS = tuple(
    marker.encode(enc) for marker in ("<!DOCTYPE", "<!ENTITY") for enc in ("ascii", "utf-16-le", "utf-16-be")
)

#: Elements whose (invalid) value may appear in a rejection reason: codes, message dates and amounts.
#: Anything else (names, address, BSN, birth date ``Datum``, free text) is described without its value.
_VALUE_SAFE_ELEMENTS = frozenset(
    {
        "BerichtCode", "BerichtVersie", "BerichtSubversie", "Afzender", "Ontvanger", "Identificatie",
        "Dagtekening", "BasisschemaXsdVersie", "BerichtXsdVersie", "ToewijzingNummer", "Categorie", "Code",
        "ProductCategorie", "ProductCode", "Toewijzingsdatum", "Toewijzingstijd", "Ingangsdatum",
        "Einddatum", "Begindatum", "ToewijzingIngangsdatum", "ToewijzingEinddatum",
        "BeschikkingIngangsdatum", "DeclaratieDagtekening", "RedenWijziging", "RedenBeeindiging",
        "StatusAanlevering", "Type", "Volume", "Eenheid", "Frequentie", "GeleverdVolume", "ProductTarief",
        "Bedrag", "TotaalBedrag", "DebetCredit", "Budget", "RetourCode", "JuridischeStatus",
        "WettelijkeVertegenwoordiging", "Raamcontract", "VerzoekAntwoord", "RedenAfwijzingVerzoek",
    }
)  # fmt: skip

MASK = "*********"


def mask_numbers(text: str) -> str:
    """Replace every run of 8 or more digits: a BSN has 9, and an 8-digit BSN is still a BSN."""
    return _LONG_DIGITS_RE.sub(MASK, text)


class Allocation(NamedTuple):
    """One JW301 ToegewezenProduct, reduced to what the trajectory needs."""

    toewijzingnummer: str
    bsn: str
    productcategorie: str | None
    productcode: str | None
    ingangsdatum: str
    einddatum: str | None
    referentie: str | None
    aanbieder: str
    verwijderd: bool
    line: int


class CareEvent(NamedTuple):
    """One JW305 StartProduct or JW307 StopProduct (``is_stop``; only a stop has an einddatum)."""

    is_stop: bool
    toewijzingnummer: str | None
    bsn: str
    productcategorie: str | None
    productcode: str | None
    toewijzing_ingangsdatum: str | None
    begindatum: str
    einddatum: str | None
    reden_beeindiging: str | None
    status: str
    line: int


class Request(NamedTuple):
    """One JW315 AangevraagdProduct: only the key to its later toewijzing and the verwijzer type."""

    aanbieder: str
    referentie: str
    verwijzer_type: str


class Claim(NamedTuple):
    """One JW323 Prestatie; amounts stay ints (eurocent) so that euro text and checks are exact.

    Product, volume, eenheid and tarief do not reach the canonical declaration row; they are kept for the
    consistency checks (declared product vs allocation, bedrag = volume x tarief), which need them.
    """

    bsn: str
    toewijzingnummer: str
    periode_begin: str
    periode_einde: str
    bedrag_cent: int
    debet_credit: str
    line: int
    productcategorie: str
    productcode: str
    volume: int
    eenheid: str
    tarief_cent: int | None
    header_total_cent: int | None  # the message's TotaalIngediendBedrag, signed (C negative)


Record = Allocation | CareEvent | Request | Claim


class ParsedMessage(NamedTuple):
    message_type: str
    records: list[Record]


def _parser() -> etree.XMLParser:
    """A fresh hardened parser (lxml parsers are not safe to share between threads)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        collect_ids=False,
    )


@functools.cache
def schema_for(message_type: str) -> etree.XMLSchema:
    """Compile a message schema once per process; imports of ``basisschema.xsd`` resolve next to it."""
    xsd_path = XSD_DIR / f"{message_type}.xsd"
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(xsd_path), parser))


def _version_rejection(version: str, message_type: str | None) -> IjwInputError:
    return IjwInputError(
        f"iJw-versie {version} wordt niet ondersteund (verwacht {SUPPORTED_VERSION}) / "
        f"iJw version {version} is not supported (expected {SUPPORTED_VERSION}).",
        message_type,
    )


def _soap_rejection(root: etree._Element) -> IjwInputError:
    """VECOZO delivers messages inside a SOAP envelope; its routing header still tells the version."""
    found: dict[str, str] = {}
    for el in root.iter():
        if isinstance(el.tag, str):
            local = etree.QName(el).localname
            if local in ("Berichtsubtype", "Berichtversie", "Berichtsubversie") and local not in found:
                found[local] = (el.text or "").strip()
    subtype = found.get("Berichtsubtype", "").upper()
    message_type = subtype if re.fullmatch(r"JW\d{3}", subtype) else None
    version = f"{found.get('Berichtversie', '?')}.{found.get('Berichtsubversie', '?')}"
    if "Berichtversie" in found and version != SUPPORTED_VERSION:
        return _version_rejection(mask_numbers(version[:10]), message_type)
    return IjwInputError(
        "VECOZO SOAP-envelop zonder leesbaar iJw-bericht (bijvoorbeeld base64-gecodeerd of meer dan één): "
        "lever het iJw-bericht zelf aan / VECOZO SOAP envelope without one readable iJw message (e.g. base64 "
        "encoded, or several): deliver the iJw message itself.",
        message_type,
    )


# What a document that is no iJw 3.x message is, read from its namespaces (docs/input-layouts.md).
_IJW_OTHER_RE = re.compile(r"^\{http://www\.istandaarden\.nl/ijw/(\d{1,3})_(\d{1,3})/(jw\d{3})/schema(?:/[\d_]+)?\}")
_IWMO_RE = re.compile(r"^\{http://www\.istandaarden\.nl/iwmo/(\d{1,3})_(\d{1,3})/(wmo\d{3})/schema(?:/[\d_]+)?\}")
STUF_NS_PREFIX = "http://www.egem.nl/StUF/"


def _not_ijw_rejection(root: etree._Element) -> IjwInputError:
    """Why a document is not an iJw 3.2 message, as specifically as its namespaces tell: the data holder must
    read which one they sent. iJw 2.x put the version after `schema` too (`.../jw301/schema/2_2`), iWmo is the
    Wmo's standard, the GGk's StUF-Jw/Wmo envelope (`http://www.egem.nl/StUF/...`) and VECOZO's SOAP envelope
    carry messages that were not unpacked (base64, or more than one)."""
    tags = [el.tag for el in root.iter() if isinstance(el.tag, str)]
    for tag in tags:
        if (other := _IJW_OTHER_RE.match(tag)) is not None:
            return _version_rejection(f"{int(other.group(1))}.{int(other.group(2))}", other.group(3).upper())
    for tag in tags:
        if (wmo := _IWMO_RE.match(tag)) is not None:
            kind = f"{wmo.group(3).upper()}, iWmo {int(wmo.group(1))}.{int(wmo.group(2))}"
            return IjwInputError(
                f"iWmo-bericht ({kind}): een Wmo-bericht, geen iJw-bericht (Jeugdwet); lever alleen iJw-berichten "
                f"aan / an iWmo message ({kind}): a Wmo message, not an iJw (Youth Act) message; deliver iJw "
                "messages only."
            )
    if any(tag.startswith(f"{{{STUF_NS_PREFIX}") for tag in tags):
        return IjwInputError(
            "GGk-transportenvelop (StUF-Jw/Wmo) zonder leesbaar iJw-bericht (bijvoorbeeld base64-gecodeerd of meer "
            "dan één): lever het iJw-bericht zelf aan / GGk transport envelope (StUF-Jw/Wmo) without one readable "
            "iJw message (e.g. base64 encoded, or several): deliver the iJw message itself."
        )
    if root.tag == f"{{{SOAP_ENV_NS}}}Envelope":
        return _soap_rejection(root)
    return IjwInputError(
        "geen iJw-bericht: het root-element is geen iJw <Bericht> en er staat geen iJw-, iWmo- of envelop-namespace "
        "in / not an iJw message: the root element is not an iJw <Bericht>, and no iJw, iWmo or envelope "
        "namespace occurs."
    )


def _schema_reason(message_type: str, error_log: etree._ListErrorLog) -> str:
    """One sentence about the first schema error: element, line and rule; value only if non-personal."""
    errors = list(error_log)
    if not errors:
        return f"{message_type} voldoet niet aan het XSD / does not validate against its XSD."
    first = errors[0]
    message = _NS_RE.sub("", first.message)
    named = re.match(r"^Element '([^']*)'(?:, attribute '[^']*')?: ", message)
    if named:
        element = named.group(1)
        message = message[named.end() :]
    else:  # fall back to the error's XPath; "*" for default-namespace documents
        element = first.path.rsplit("/", 1)[-1].split(":")[-1].split("[")[0] if first.path else "?"
    if "value" in message.lower() and element not in _VALUE_SAFE_ELEMENTS:
        facet = _FACET_RE.search(message)
        rule = f"facet '{facet.group(1)}'" if facet else "datatype"
        message = f"ongeldige waarde (niet getoond) / invalid value (not shown), {rule}."
    more = f" ({len(errors)} fouten / errors in total)" if len(errors) > 1 else ""
    return mask_numbers(
        f"{message_type} voldoet niet aan het XSD / schema error, regel/line {first.line}, "
        f"element {element}: {message.rstrip('.')}{more}."
    )


def _enveloped_message(root: etree._Element) -> etree._Element | None:
    """The one iJw <Bericht> a transport envelope (VECOZO SOAP, a provider's own wrapper) carries as XML, as a
    document of its own; None when there is none, or more than one (a batch envelope is refused, not guessed)."""
    found = [el for el in root.iter() if isinstance(el.tag, str) and _ROOT_RE.match(el.tag)]
    if len(found) != 1:
        return None
    return etree.fromstring(etree.tostring(found[0]), _parser())


def parse_message(data: bytes) -> ParsedMessage:
    """Check, validate and reduce one message to records; raise IjwInputError to reject it whole."""
    may_declare = _DECLARATION_STARTS[0] in data or _DECLARATION_STARTS[1] in data
    if may_declare and any(marker in data for marker in _DOCTYPE_MARKERS):
        raise IjwInputError(_DTD_REASON)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else "?"
        # libxml2's text names markup (tags, entities), not element values; quoted bits are cut anyway.
        detail = re.sub(r"'[^']*'", "'…'", str(exc.msg or "").split(", line")[0])[:120]
        raise IjwInputError(
            mask_numbers(f"geen goedgevormde XML / not well-formed XML (regel/line {line}): {detail}.")
        ) from None
    if root is None:
        raise IjwInputError("leeg XML-document / empty XML document.")
    docinfo = root.getroottree().docinfo
    if getattr(docinfo, "doctype", "") or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise IjwInputError(_DTD_REASON)
    tag = root.tag if isinstance(root.tag, str) else ""
    if _ROOT_RE.match(tag) is None and (inner := _enveloped_message(root)) is not None:
        root = inner  # a transport envelope around one iJw message: the message itself is validated and read
        tag = str(root.tag)
    match = _ROOT_RE.match(tag)
    if match is None:
        raise _not_ijw_rejection(root)
    version = f"{int(match.group(1))}.{int(match.group(2))}"
    message_type = match.group(3).upper()
    if version != SUPPORTED_VERSION:
        raise _version_rejection(version, message_type)
    if message_type not in KNOWN_TYPES:
        raise IjwInputError(
            f"onbekend iJw-berichttype {message_type} / unknown iJw message type {message_type}.",
            message_type,
        )
    schema = schema_for(message_type)
    if not schema.validate(root):
        raise IjwInputError(_schema_reason(message_type, schema.error_log), message_type)
    return ParsedMessage(message_type, _extract(message_type, root))


_DTD_REASON = "DOCTYPE/DTD- en ENTITY-declaraties zijn niet toegestaan / DTD and entity declarations are not allowed."


# --------------------------------------------------------------------------------------------- extraction
def _ns(message_type: str) -> dict[str, str]:
    return {"m": f"http://www.istandaarden.nl/ijw/3_2/{message_type.lower()}/schema", "b": BASIS_NS}


@functools.cache
def _clark(path: str, m: str, b: str) -> tuple[str, ...]:
    """``m:Product/b:Categorie`` as the tags lxml uses (``{namespace}local``), one per step."""
    namespaces = {"m": m, "b": b}
    return tuple(f"{{{namespaces[step.split(':')[0]]}}}{step.split(':')[1]}" for step in path.split("/"))


def _first_child(el: etree._Element, tag: str) -> etree._Element | None:
    for child in el.iterchildren(tag):
        return child
    return None


def _text(el: etree._Element, path: str, ns: dict[str, str]) -> str | None:
    """Whitespace-collapsed text of an optional child; schema types collapse whitespace, so must we.

    The first element on the path at every step, as ``findtext`` would take it, but walked child by child:
    lxml's path engine costs several microseconds a call, and extraction reads ~30 fields per message."""
    found = el
    for tag in _clark(path, ns["m"], ns["b"]):
        child = _first_child(found, tag)
        if child is None:
            return None
        found = child
    value = found.text
    if value is None:
        return None
    value = value.strip()
    return value or None


def _req(el: etree._Element, path: str, ns: dict[str, str]) -> str:
    """Text of a child the schema requires; a miss means the schema and this code disagree."""
    value = _text(el, path, ns)
    if value is None:
        raise IjwInputError(f"verplicht element {path.split(':')[-1]} ontbreekt / required element missing.")
    return value


class _Fields:
    """The children of one element by tag, the first of each kept (as ``findtext`` takes it): the many fields of
    one record element read with one pass over its children instead of one search per field."""

    __slots__ = ("_by_tag", "_ns")

    def __init__(self, el: etree._Element, ns: dict[str, str]) -> None:
        self._by_tag = {child.tag: child for child in reversed(el)}  # reversed: the first occurrence wins
        self._ns = ns

    def text(self, path: str) -> str | None:
        first, *rest = _clark(path, self._ns["m"], self._ns["b"])
        found = self._by_tag.get(first)
        for tag in rest:
            if found is None:
                return None
            found = _first_child(found, tag)
        value = found.text if found is not None else None
        if value is None:
            return None
        value = value.strip()
        return value or None

    def req(self, path: str) -> str:
        value = self.text(path)
        if value is None:
            raise IjwInputError(f"verplicht element {path.split(':')[-1]} ontbreekt / required element missing.")
        return value


def _code(value: str | None) -> str | None:
    """Codes and dates repeat across thousands of records; interning keeps the per-toewijzing state small."""
    return sys.intern(value) if value is not None else None


def _number(value: str) -> str:
    """``LDT_Nummer`` is an xs:integer: ``007`` and ``7`` are one toewijzing, so use the canonical form."""
    return str(int(value))


def _optional_int(value: str | None) -> int | None:
    """An optional xs:integer (ProductTarief may be absent, e.g. for Eenheid 83); absent stays None, not 0."""
    return int(value) if value is not None else None


def _line(el: etree._Element) -> int:
    """Source line for provenance (lxml reports it per element; the stubs type it loosely)."""
    line = getattr(el, "sourceline", None)
    return line if isinstance(line, int) else 0


def _extract(message_type: str, root: etree._Element) -> list[Record]:
    ns = _ns(message_type)
    if message_type == "JW301":
        return _extract_301(root, ns)
    if message_type in ("JW305", "JW307"):
        return _extract_305_307(message_type, root, ns)
    if message_type == "JW315":
        return _extract_315(root, ns)
    if message_type == "JW323":
        return _extract_323(root, ns)
    return []  # counted, not used (retour messages, JW319 afwijzing, wijzigingsverzoeken, ...)


def _extract_301(root: etree._Element, ns: dict[str, str]) -> list[Record]:
    aanbieder = _req(root, "m:Header/m:Ontvanger", ns)
    client = root.find("m:Client", ns)
    assert client is not None  # guaranteed by the schema
    bsn = _req(client, "m:Bsn", ns)
    out: list[Record] = []
    for tp in client.iterfind("m:ToegewezenProducten/m:ToegewezenProduct", ns):
        f = _Fields(tp, ns)
        out.append(
            Allocation(
                toewijzingnummer=_number(f.req("m:ToewijzingNummer")),
                bsn=bsn,
                productcategorie=_code(f.text("m:Product/b:Categorie")),
                productcode=_code(f.text("m:Product/b:Code")),
                ingangsdatum=sys.intern(f.req("m:Ingangsdatum")),
                einddatum=_code(f.text("m:Einddatum")),
                referentie=f.text("m:ReferentieAanbieder"),
                aanbieder=sys.intern(aanbieder),
                verwijderd=f.text("m:RedenWijziging") == "13",
                line=_line(tp),
            )
        )
    return out


def _extract_305_307(message_type: str, root: etree._Element, ns: dict[str, str]) -> list[Record]:
    client = root.find("m:Client", ns)
    assert client is not None
    bsn = _req(client, "m:Bsn", ns)
    path = "m:StartProducten/m:StartProduct" if message_type == "JW305" else "m:StopProducten/m:StopProduct"
    out: list[Record] = []
    for prod in client.iterfind(path, ns):
        f = _Fields(prod, ns)
        nummer = f.text("m:ToewijzingNummer")
        out.append(
            CareEvent(
                is_stop=message_type == "JW307",
                toewijzingnummer=_number(nummer) if nummer is not None else None,
                bsn=bsn,
                productcategorie=_code(f.text("m:Product/b:Categorie")),
                productcode=_code(f.text("m:Product/b:Code")),
                toewijzing_ingangsdatum=_code(f.text("m:ToewijzingIngangsdatum")),
                begindatum=sys.intern(f.req("m:Begindatum")),
                einddatum=_code(f.text("m:Einddatum")),
                reden_beeindiging=_code(f.text("m:RedenBeeindiging")),
                status=sys.intern(f.req("m:StatusAanlevering")),
                line=_line(prod),
            )
        )
    return out


def _extract_315(root: etree._Element, ns: dict[str, str]) -> list[Record]:
    aanbieder = sys.intern(_req(root, "m:Header/m:Afzender", ns))
    return [
        Request(
            aanbieder=aanbieder,
            referentie=_req(prod, "m:ReferentieAanbieder", ns),
            verwijzer_type=sys.intern(_req(prod, "m:Verwijzer/b:Type", ns)),
        )
        for prod in root.iterfind("m:Client/m:AangevraagdeProducten/m:AangevraagdProduct", ns)
    ]


def _extract_323(root: etree._Element, ns: dict[str, str]) -> list[Record]:
    out: list[Record] = []
    total = _optional_int(_text(root, "m:Declaratie/m:TotaalIngediendBedrag/b:TotaalBedrag", ns))
    if total is not None and _text(root, "m:Declaratie/m:TotaalIngediendBedrag/b:DebetCredit", ns) == "C":
        total = -total
    for client in root.iterfind("m:Declaratie/m:Clienten/m:Client", ns):
        bsn = _req(client, "m:Bsn", ns)
        for prest in client.iterfind("m:Prestaties/m:Prestatie", ns):
            f = _Fields(prest, ns)
            out.append(
                Claim(
                    bsn=bsn,
                    toewijzingnummer=_number(f.req("m:ToewijzingNummer")),
                    periode_begin=sys.intern(f.req("m:ProductPeriode/b:Begindatum")),
                    periode_einde=sys.intern(f.req("m:ProductPeriode/b:Einddatum")),
                    bedrag_cent=int(f.req("m:IngediendBedrag/b:Bedrag")),
                    debet_credit=sys.intern(f.req("m:IngediendBedrag/b:DebetCredit")),
                    line=_line(prest),
                    productcategorie=sys.intern(f.req("m:ProductCategorie")),
                    productcode=sys.intern(f.req("m:ProductCode")),
                    volume=int(f.req("m:GeleverdVolume")),
                    eenheid=sys.intern(f.req("m:Eenheid")),
                    tarief_cent=_optional_int(f.text("m:ProductTarief")),
                    header_total_cent=total,
                )
            )
    return out


# ------------------------------------------------------------------------------------------- header pass
class HeaderKey(NamedTuple):
    """Sort key of one message for the deterministic update order; empty when the header is unreadable."""

    dagtekening: str
    identificatie: tuple[int, int, str]


def identificatie_key(value: str) -> tuple[int, int, str]:
    """Numeric identifiers sort as numbers (9 before 10), others as text after all numeric ones."""
    if re.fullmatch(r"[0-9]{1,18}", value):
        return (0, int(value), value)
    return (1, 0, value)


class HeaderPeeker:
    """Incrementally parse just enough of a message to read ``BerichtIdentificatie``.

    Fed chunk by chunk and stopped as soon as both values are known, so the first pass over a large inbox
    reads only the first few kilobytes of every message. Uses the same hardened settings as the real pass;
    any failure simply yields an empty key (the real pass produces the rejection reason).
    """

    def __init__(self) -> None:
        # Only the two header elements raise events (in any namespace); their parent is checked below.
        self._parser = etree.XMLPullParser(
            events=("end",),
            tag=("{*}Dagtekening", "{*}Identificatie"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
        )
        self.dagtekening: str | None = None
        self.identificatie: str | None = None

    def feed(self, chunk: bytes) -> bool:
        """Feed one chunk; True once the header values are known (the caller stops reading)."""
        self._parser.feed(chunk)
        for _event, el in self._parser.read_events():
            if not isinstance(el, etree._Element) or not isinstance(el.tag, str):
                continue
            parent = el.getparent()
            if parent is None or not isinstance(parent.tag, str):
                continue
            if parent.tag.rpartition("}")[2] != "BerichtIdentificatie":
                continue
            local = el.tag.rpartition("}")[2]
            if local == "Dagtekening":
                self.dagtekening = (el.text or "").strip()
            elif local == "Identificatie":
                self.identificatie = (el.text or "").strip()
        return self.dagtekening is not None and self.identificatie is not None

    def key(self) -> HeaderKey:
        return HeaderKey(self.dagtekening or "", identificatie_key(self.identificatie or ""))
