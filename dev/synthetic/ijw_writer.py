"""iJw 3.2 XML messages (JW315, JW301, JW305, JW307, JW323, JW319) for the youth-care trajectories.

Why: municipalities receive youth care as iJw message traffic, not as a table. Messages are written with
string templates in exactly the element order of the official 3.2 XSDs (tests validate every file with lxml).
JW301/305/307/315 hold one Client per message (XSD), so they are grouped per provider, client and day; JW323
declarations are batched per provider per month. File names: ``<type>_<afzender>_<YYYYMMDD>_<n>.xml``.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import polars as pl

from dev.synthetic import defects as dq
from dev.synthetic.dates import EXTRACT_DATE
from dev.synthetic.names import NameBook

GEMEENTE = "0034"  # Almere's; a region's people carry their own (``gemeente``, 4 digits, and ``plaats``)
CODES = {"jw301": "436", "jw305": "438", "jw307": "440", "jw315": "446", "jw319": "488", "jw323": "490"}
NS = "http://www.istandaarden.nl/ijw/3_2"
_EXTRACT = str(EXTRACT_DATE)  # ISO text compares like the date
#: JW323 lines that break a consistency rule (pseudonymisation.ijw_consistency) but not the XSD.
DECLARATION_DEFECTS = ("product_not_allocated", "amount_not_volume_times_tarief", "period_spans_months")


@dataclass
class _Out:
    """Keeps file numbering, message ids and counts deterministic."""

    folder: Path
    seq: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    ident: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    invalid: list[str] = field(default_factory=list)

    def write(self, msg: str, afzender: str, day: str, body_fn: object) -> str:
        key = (msg, afzender, day)
        self.seq[key] += 1
        self.ident[afzender] += 1
        name = f"{msg.upper()}_{afzender}_{day.replace('-', '')}_{self.seq[key]}.xml"
        assert callable(body_fn)
        text = body_fn(f"{self.ident[afzender]:09d}")
        fd = os.open(self.folder / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, text.encode("utf-8"))
        finally:
            os.close(fd)
        self.counts[msg.upper()] += 1
        return name


def _header(p: str, afzender: str, ontvanger: str, ident: str, day: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{p}:Bericht xmlns:ijw="{NS}/basisschema/schema" xmlns:{p}="{NS}/{p}/schema">\n'
        f"\t<{p}:Header>\n\t\t<{p}:BerichtCode>{CODES[p]}</{p}:BerichtCode>\n"
        f"\t\t<{p}:BerichtVersie>3</{p}:BerichtVersie>\n\t\t<{p}:BerichtSubversie>2</{p}:BerichtSubversie>\n"
        f"\t\t<{p}:Afzender>{afzender}</{p}:Afzender>\n\t\t<{p}:Ontvanger>{ontvanger}</{p}:Ontvanger>\n"
        f"\t\t<{p}:BerichtIdentificatie>\n\t\t\t<ijw:Identificatie>{ident}</ijw:Identificatie>\n"
        f"\t\t\t<ijw:Dagtekening>{day}</ijw:Dagtekening>\n\t\t</{p}:BerichtIdentificatie>\n"
        f"\t\t<{p}:XsdVersie>\n\t\t\t<ijw:BasisschemaXsdVersie>1.0.0</ijw:BasisschemaXsdVersie>\n"
        f"\t\t\t<ijw:BerichtXsdVersie>1.0.0</ijw:BerichtXsdVersie>\n\t\t</{p}:XsdVersie>\n\t</{p}:Header>\n"
    )


def _name(p: str, last: str, prefix: str | None, first: str, initial: str, full: bool) -> str:
    vv = f"<ijw:Voorvoegsel>{prefix}</ijw:Voorvoegsel>" if prefix else ""
    gebruik = "<ijw:NaamGebruik>1</ijw:NaamGebruik>" if full else ""
    return (
        f"\t\t<{p}:Naam><ijw:Geslachtsnaam><ijw:Achternaam>{escape(last)}</ijw:Achternaam>{vv}"
        f"</ijw:Geslachtsnaam><ijw:Voornamen>{escape(first)}</ijw:Voornamen>"
        f"<ijw:Voorletters>{initial}</ijw:Voorletters>{gebruik}</{p}:Naam>\n"
    )


def _gemeente(person: dict[str, object]) -> str:
    """The client's gemeente as the headers carry it (4 digits): the one that allocates and pays."""
    return str(person.get("gemeente") or GEMEENTE)


def _client_head(p: str, person: dict[str, object], book: NameBook, full: bool) -> str:
    last, prefix, first, initial, _ = book.person(int(person["pid"]), int(person["sex"]))  # type: ignore[call-overload]
    return (
        f"\t<{p}:Client>\n\t\t<{p}:Bsn>{person['bsn']}</{p}:Bsn>\n"
        f"\t\t<{p}:Geboortedatum><ijw:Datum>{person['birth']}</ijw:Datum></{p}:Geboortedatum>\n"
        f"\t\t<{p}:Geslacht>{person['sex']}</{p}:Geslacht>\n" + _name(p, last, prefix, first, initial, full)
    )


def _product(p: str, cat: str, code: str) -> str:
    return f"<{p}:Product><ijw:Categorie>{cat}</ijw:Categorie><ijw:Code>{code}</ijw:Code></{p}:Product>"


def _opt(p: str, tag: str, value: object) -> str:
    return "" if value is None else f"<{p}:{tag}>{value}</{p}:{tag}>"


def _contact(person: dict[str, object], book: NameBook) -> str:
    _, _, _, _, phone = book.person(int(person["pid"]), int(person["sex"]))  # type: ignore[call-overload]
    adres = ""
    if person.get("postcode"):
        adres = (
            f"<jw301:Adres><ijw:Huis><ijw:Huisnummer>{person['huisnummer']}</ijw:Huisnummer></ijw:Huis>"
            f"<ijw:Postcode>{person['postcode']}</ijw:Postcode><ijw:Straatnaam>{person['straat']}"
            f"</ijw:Straatnaam><ijw:Plaatsnaam>{escape(str(person.get('plaats') or 'Almere'))}</ijw:Plaatsnaam>"
            "<ijw:LandCode>NL</ijw:LandCode>"
            "</jw301:Adres>"
        )
    return (
        f"\t\t<jw301:Contactgegevens><jw301:Contact><jw301:Soort>01</jw301:Soort>{adres}"
        f"<jw301:Telefoon><ijw:Telefoon01><ijw:Telefoonnummer>{phone}</ijw:Telefoonnummer>"
        "<ijw:Landnummer>0031</ijw:Landnummer></ijw:Telefoon01></jw301:Telefoon>"
        "</jw301:Contact></jw301:Contactgegevens>\n"
    )


def _relatie(person: dict[str, object], book: NameBook) -> str:
    last, prefix, _, _, phone = book.person(int(person["pid"]), int(person["sex"]))  # type: ignore[call-overload]
    first, initial = book.parent(int(person["pid"]))  # type: ignore[call-overload]
    vv = f"<ijw:Voorvoegsel>{prefix}</ijw:Voorvoegsel>" if prefix else ""
    return (
        "\t\t<jw301:Relaties><jw301:Relatie><jw301:Nummer>1</jw301:Nummer><jw301:Soort>10</jw301:Soort>"
        f"<jw301:Naam><ijw:Geslachtsnaam><ijw:Achternaam>{last}</ijw:Achternaam>{vv}</ijw:Geslachtsnaam>"
        f"<ijw:Voornamen>{first}</ijw:Voornamen><ijw:Voorletters>{initial}</ijw:Voorletters>"
        "<ijw:NaamGebruik>1</ijw:NaamGebruik></jw301:Naam><jw301:Contact><jw301:Soort>01</jw301:Soort>"
        f"<jw301:Telefoon><ijw:Telefoon01><ijw:Telefoonnummer>036{phone[-7:]}</ijw:Telefoonnummer>"
        "<ijw:Landnummer>0031</ijw:Landnummer></ijw:Telefoon01></jw301:Telefoon></jw301:Contact>"
        "</jw301:Relatie></jw301:Relaties>\n"
    )


def _groups(
    df: pl.DataFrame, keys: list[str], order: list[str]
) -> Iterator[tuple[tuple[object, ...], list[dict[str, object]]]]:
    """Rows of ``df`` grouped by ``keys`` in ``order`` (plain dicts; faster than polars groups)."""
    rows = df.sort(order).to_dicts()
    for key, grp in groupby(rows, key=lambda r: tuple(r[k] for k in keys)):
        yield key, list(grp)


def _d(value: object) -> str | None:
    """ISO date text, or None when null or after the extract date (nothing is dated after it)."""
    if value is None:
        return None
    text = str(value)
    return None if text > _EXTRACT else text


def write_ijw(
    folder: Path,
    trajectories: pl.DataFrame,
    declarations: pl.DataFrame,
    rejected: pl.DataFrame,
    persons: pl.DataFrame,
    book: NameBook,
    rng: np.random.Generator,
    defects: bool,
) -> tuple[dict[str, int], list[str], dict[str, int]]:
    """Write all messages; return counts per message type, the names of deliberately invalid files and the
    number of declaration lines per consistency defect."""
    folder.mkdir(parents=True, exist_ok=True)
    out = _Out(folder)
    people = {int(r["pid"]): r for r in persons.to_dicts()}
    t = trajectories.with_columns(pl.col(pl.Date).cast(pl.Utf8))
    bad315 = bad301 = -1
    if defects:
        n315 = t.filter(pl.col("verwijzer_type") != "").select("agb", "pid", "jw315_datum").unique().height
        bad315 = int(rng.integers(0, max(n315, 1)))
        bad301 = int(rng.integers(0, max(t.height, 1)))

    # JW315: verzoek om toewijzing, per provider/client/day; carries the verwijzer.
    req = t.filter(pl.col("verwijzer_type") != "")
    rej = rejected.with_columns(pl.col(pl.Date).cast(pl.Utf8))
    for i, ((day, agb, pid), g) in enumerate(
        _groups(req, ["jw315_datum", "agb", "pid"], ["jw315_datum", "agb", "pid", "toewijzingnummer"])
    ):
        person = people[int(pid)]  # type: ignore[call-overload]
        invalid = i == bad315
        name = out.write(
            "jw315",
            str(agb),
            str(day),
            lambda ident, g=g, person=person, agb=agb, day=day, invalid=invalid: _jw315(
                str(agb), ident, str(day), person, book, g, invalid
            ),
        )
        if invalid:
            out.invalid.append(name)
    for r in rej.sort("datum", "agb", "pid").to_dicts():
        person = people[int(r["pid"])]
        out.write(
            "jw315",
            r["agb"],
            r["datum"],
            lambda ident, r=r, person=person: _jw315(
                r["agb"],
                ident,
                r["datum"],
                person,
                book,
                [r | {"referentie": r["referentie"], "ingang": r["datum"], "einddatum_orig": None}],
                False,
            ),
        )
        answer = str(np.datetime64(r["datum"], "D") + 10)
        gem = _gemeente(person)
        out.write("jw319", gem, answer, lambda ident, r=r, answer=answer, gem=gem: _jw319(r, ident, answer, gem))

    # JW301: toewijzing (initial), then changes with RedenWijziging.
    k = 0
    unallocated: set[object] = set()  # toewijzingen of the invalid JW301
    for (day, agb, pid), rows in _groups(
        t, ["jw301_datum", "agb", "pid"], ["jw301_datum", "agb", "pid", "toewijzingnummer"]
    ):
        invalid = any(bad301 == k + j for j in range(len(rows)))
        k += len(rows)
        person = people[int(pid)]  # type: ignore[call-overload]
        name = out.write(
            "jw301",
            _gemeente(person),
            str(day),
            lambda ident, rows=rows, person=person, agb=agb, day=day, invalid=invalid: _jw301(
                str(agb), ident, str(day), person, book, rows, None, invalid
            ),
        )
        if invalid:
            out.invalid.append(name)
            unallocated.update(r["toewijzingnummer"] for r in rows)
    changes = t.filter(pl.col("wijziging") != "")
    for (day, agb, pid), rows in _groups(
        changes, ["wijziging_datum", "agb", "pid"], ["wijziging_datum", "agb", "pid", "toewijzingnummer"]
    ):
        person = people[int(pid)]  # type: ignore[call-overload]
        out.write(
            "jw301",
            _gemeente(person),
            str(day),
            lambda ident, rows=rows, person=person, agb=agb, day=day: _jw301(
                str(agb), ident, str(day), person, book, rows, "change", False
            ),
        )

    # JW305 start zorg / JW307 stop zorg, per provider/client/day.
    for tag, datecol, sent in (
        ("jw305", "jw305_datum", pl.col("jw305_sent")),
        ("jw307", "jw307_datum", pl.col("einddatum_zorg").is_not_null()),
    ):
        sub = t.filter(sent)
        for (day, agb, pid), rows in _groups(sub, [datecol, "agb", "pid"], [datecol, "agb", "pid", "toewijzingnummer"]):
            person = people[int(pid)]  # type: ignore[call-overload]
            out.write(
                tag,
                str(agb),
                str(day),
                lambda ident, rows=rows, person=person, agb=agb, day=day, tag=tag: _jw305_307(
                    tag, str(agb), ident, str(day), person, book, rows
                ),
            )

    # JW323 declarations per provider per month (+ separate correction declarations with credits).
    d = declarations.with_columns(pl.col(pl.Date).cast(pl.Utf8))
    labels = _declaration_defects(rng, d, unallocated) if defects else [""] * d.height
    d = d.with_columns(pl.Series("defect", labels, dtype=pl.Utf8))
    bsn_of = {p: str(v["bsn"]) for p, v in people.items()}
    # One declaration per provider, month and paying gemeente (a region's providers bill each gemeente apart).
    keys = ["decl_month", "agb", "dagtekening"]
    if "gemeente" in persons.columns:
        d = d.with_columns(pl.col("pid").replace_strict(persons["pid"], persons["gemeente"]).alias("gemeente"))
        keys.append("gemeente")
    for key, rows in _groups(d, keys, [*keys, "pid", "toewijzingnummer", "periode_begin", "debet_credit"]):
        month, agb, day = key[:3]
        gemeente = str(key[3]) if len(key) > 3 else GEMEENTE
        m = np.datetime64(str(month), "D").astype("datetime64[M]")
        first = np.datetime64(min(str(r["periode_begin"]) for r in rows), "D").astype("datetime64[M]")
        period = (str(first.astype("datetime64[D]")), str((m + 1).astype("datetime64[D]") - 1))
        out.write(
            "jw323",
            str(agb),
            str(day),
            lambda ident, rows=rows, agb=agb, day=day, period=period, gemeente=gemeente: _jw323(
                str(agb), ident, str(day), period, rows, bsn_of, gemeente
            ),
        )
    found = {kind: labels.count(kind) for kind in DECLARATION_DEFECTS if kind in labels}
    return dict(sorted(out.counts.items())), out.invalid, found


def _jw315(
    agb: str, ident: str, day: str, person: dict[str, object], book: NameBook, rows: object, invalid: bool
) -> str:
    p = "jw315"
    parts = [
        _header(p, agb, _gemeente(person), ident, day),
        _client_head(p, person, book, False),
        f"\t\t<{p}:AangevraagdeProducten>\n",
    ]
    for r in rows:  # type: ignore[attr-defined]
        end = "2027-06-31" if invalid else _d(r["einddatum_orig"])
        verw = r["verwijzer_type"]
        extra = (
            f"<ijw:ZorgverlenerCode>{_agb_of_referrer(r)}</ijw:ZorgverlenerCode>"
            if verw in ("02", "03", "05")
            else f"<ijw:Naam>{escape(_referrer_name(verw, str(person.get('plaats') or 'Almere')))}</ijw:Naam>"
        )
        parts.append(
            f"\t\t\t<{p}:AangevraagdProduct><{p}:ReferentieAanbieder>{r['referentie']}</{p}:ReferentieAanbieder>"
            + _product(p, r["categorie"], r["productcode"])
            + f"<{p}:ToewijzingIngangsdatum>{r['ingang']}</{p}:ToewijzingIngangsdatum>"
            + _opt(p, "ToewijzingEinddatum", end)
            + f"<{p}:Verwijzer><ijw:Type>{verw}</ijw:Type>{extra}</{p}:Verwijzer></{p}:AangevraagdProduct>\n"
        )
    parts.append(f"\t\t</{p}:AangevraagdeProducten>\n\t</{p}:Client>\n</{p}:Bericht>\n")
    return "".join(parts)


def _referrer_name(verw: str, plaats: str) -> str:
    return {
        "01": f"Gemeente {plaats}",
        "04": "Gecertificeerde instelling Flevoland",
        "06": "Zelfverwijzer",
        "08": "Rechtbank Midden-Nederland",
    }.get(verw, "Verwijzer")


def _agb_of_referrer(r: dict[str, object]) -> str:
    return f"01{sum(map(ord, str(r['referentie']))) * 7919 % 1_000_000:06d}"


def _jw301(
    agb: str,
    ident: str,
    day: str,
    person: dict[str, object],
    book: NameBook,
    rows: list[dict[str, object]],
    change: str | None,
    invalid: bool,
) -> str:
    p = "jw301"
    parts = [_header(p, _gemeente(person), agb, ident, day), _client_head(p, person, book, True)]
    if int(person["pid"]) % 2 == 0:  # type: ignore[call-overload]
        parts.append(_relatie(person, book))
    parts.append(_contact(person, book))
    parts.append(f"\t\t<{p}:ToegewezenProducten>\n")
    for r in rows:
        end = _d(r["einddatum"] if change else r["einddatum_orig"])
        cat = "99" if invalid else r["categorie"]
        tijd = f"{8 + int(r['toewijzingnummer']) % 9:02d}:{int(r['toewijzingnummer']) % 60:02d}:00"  # type: ignore[call-overload]
        parts.append(
            f"\t\t\t<{p}:ToegewezenProduct><{p}:ToewijzingNummer>{r['toewijzingnummer']}</{p}:ToewijzingNummer>"
            f"<{p}:ReferentieAanbieder>{r['referentie']}</{p}:ReferentieAanbieder>"
            + _product(p, str(cat), str(r["productcode"]))
            + f"<{p}:Toewijzingsdatum>{day}</{p}:Toewijzingsdatum>"
            + f"<{p}:Toewijzingstijd>{tijd}</{p}:Toewijzingstijd>"
            + f"<{p}:Ingangsdatum>{r['ingang']}</{p}:Ingangsdatum>"
            + _opt(p, "Einddatum", end)
            + (_opt(p, "RedenWijziging", r["wijziging"]) if change else "")
            + f"</{p}:ToegewezenProduct>\n"
        )
    parts.append(f"\t\t</{p}:ToegewezenProducten>\n\t</{p}:Client>\n</{p}:Bericht>\n")
    return "".join(parts)


def _jw305_307(
    p: str,
    agb: str,
    ident: str,
    day: str,
    person: dict[str, object],
    book: NameBook,
    rows: list[dict[str, object]],
) -> str:
    wrap = "StartProduct" if p == "jw305" else "StopProduct"
    parts = [
        _header(p, agb, _gemeente(person), ident, day),
        _client_head(p, person, book, False),
        f"\t\t<{p}:{wrap}en>\n",
    ]
    for r in rows:
        body = (
            f"<{p}:ToewijzingNummer>{r['toewijzingnummer']}</{p}:ToewijzingNummer>"
            + _product(p, str(r["categorie"]), str(r["productcode"]))
            + f"<{p}:ToewijzingIngangsdatum>{r['ingang']}</{p}:ToewijzingIngangsdatum>"
            + f"<{p}:Begindatum>{r['begin_care']}</{p}:Begindatum>"
        )
        if p == "jw307":
            body += (
                f"<{p}:RedenBeeindiging>{r['reden_beeindiging']}</{p}:RedenBeeindiging>"
                f"<{p}:Einddatum>{r['einddatum_zorg']}</{p}:Einddatum>"
            )
        parts.append(f"\t\t\t<{p}:{wrap}>{body}<{p}:StatusAanlevering>1</{p}:StatusAanlevering></{p}:{wrap}>\n")
    parts.append(f"\t\t</{p}:{wrap}en>\n\t</{p}:Client>\n</{p}:Bericht>\n")
    return "".join(parts)


def _jw319(r: dict[str, object], ident: str, day: str, gemeente: str) -> str:
    p = "jw319"
    return (
        _header(p, gemeente, str(r["agb"]), ident, day)
        + f"\t<{p}:Antwoord>\n\t\t<{p}:ReferentieAanbieder>{r['referentie']}</{p}:ReferentieAanbieder>\n"
        f"\t\t<{p}:VerzoekAntwoord>1</{p}:VerzoekAntwoord>\n"
        f"\t\t<{p}:RedenAfwijzingVerzoek>{r['reden_afwijzing']}</{p}:RedenAfwijzingVerzoek>\n"
        f"\t</{p}:Antwoord>\n</{p}:Bericht>\n"
    )


def _jw323(
    agb: str,
    ident: str,
    day: str,
    period: tuple[str, str],
    rows: list[dict[str, object]],
    bsn_of: dict[int, str],
    gemeente: str,
) -> str:
    p = "jw323"
    total = sum(int(r["bedrag_cent"]) * (1 if r["debet_credit"] == "D" else -1) for r in rows)  # type: ignore[call-overload]
    parts = [
        _header(p, agb, gemeente, ident, day),
        f"\t<{p}:Declaratie>\n\t\t<{p}:DeclaratieNummer>D{agb[2:]}{ident[-5:]}</{p}:DeclaratieNummer>\n"
        f"\t\t<{p}:DeclaratiePeriode><ijw:Begindatum>{period[0]}</ijw:Begindatum>"
        f"<ijw:Einddatum>{period[1]}</ijw:Einddatum></{p}:DeclaratiePeriode>\n"
        f"\t\t<{p}:DeclaratieDagtekening>{day}</{p}:DeclaratieDagtekening>\n"
        f"\t\t<{p}:TotaalIngediendBedrag><ijw:TotaalBedrag>{abs(total)}</ijw:TotaalBedrag>"
        f"<ijw:DebetCredit>{'D' if total >= 0 else 'C'}</ijw:DebetCredit></{p}:TotaalIngediendBedrag>\n"
        f"\t\t<{p}:Clienten>\n",
    ]
    by_client: dict[int, list[dict[str, object]]] = defaultdict(list)
    for r in rows:
        by_client[int(r["pid"])].append(r)  # type: ignore[call-overload]
    for pid, lines in by_client.items():
        parts.append(f"\t\t\t<{p}:Client><{p}:Bsn>{bsn_of[pid]}</{p}:Bsn><{p}:Prestaties>\n")
        for r in lines:
            code, einde, tarief = _declared(r)
            parts.append(
                f"\t\t\t\t<{p}:Prestatie><{p}:ProductReferentie><ijw:ReferentieNummer>{r['referentie']}"
                f"</ijw:ReferentieNummer></{p}:ProductReferentie>"
                f"<{p}:ToewijzingNummer>{r['toewijzingnummer']}</{p}:ToewijzingNummer>"
                f"<{p}:ProductCategorie>{r['categorie']}</{p}:ProductCategorie>"
                f"<{p}:ProductCode>{code}</{p}:ProductCode>"
                f"<{p}:ProductPeriode><ijw:Begindatum>{r['periode_begin']}</ijw:Begindatum>"
                f"<ijw:Einddatum>{einde}</ijw:Einddatum></{p}:ProductPeriode>"
                f"<{p}:GeleverdVolume>1</{p}:GeleverdVolume><{p}:Eenheid>82</{p}:Eenheid>"
                f"<{p}:ProductTarief>{tarief}</{p}:ProductTarief>"
                f"<{p}:IngediendBedrag><ijw:Bedrag>{r['bedrag_cent']}</ijw:Bedrag>"
                f"<ijw:DebetCredit>{r['debet_credit']}</ijw:DebetCredit></{p}:IngediendBedrag></{p}:Prestatie>\n"
            )
        parts.append(f"\t\t\t</{p}:Prestaties></{p}:Client>\n")
    parts.append(f"\t\t</{p}:Clienten>\n\t</{p}:Declaratie>\n</{p}:Bericht>\n")
    return "".join(parts)


def _declaration_defects(rng: np.random.Generator, d: pl.DataFrame, unallocated: set[object]) -> list[str]:
    """Defect label per declaration line; lines of a toewijzing whose JW301 is invalid are left alone, so
    that every product defect is one the consistency check can see (it needs the allocation)."""
    eligible = [i for i, nummer in enumerate(d["toewijzingnummer"].to_list()) if nummer not in unallocated]
    labels = [""] * d.height
    for i, label in zip(eligible, dq.mark(rng, len(eligible), DECLARATION_DEFECTS), strict=True):
        labels[i] = label
    return labels


def _declared(r: dict[str, object]) -> tuple[str, str, int]:
    """ProductCode, ProductPeriode Einddatum and ProductTarief as declared, with the line's defect if any:
    a code that was not allocated, a tarief one cent off (volume is 1), a period ending next month."""
    code, einde, tarief = str(r["productcode"]), str(r["periode_einde"]), int(r["bedrag_cent"])  # type: ignore[call-overload]
    if r["defect"] == "product_not_allocated":
        code = code[:2] + ("Z98" if code.endswith("Z99") else "Z99")
    elif r["defect"] == "amount_not_volume_times_tarief":
        tarief += 1
    elif r["defect"] == "period_spans_months":
        month = np.datetime64(str(r["periode_begin"]), "D").astype("datetime64[M]")
        einde = str((month + 1).astype("datetime64[D]"))
    return code, einde, tarief
