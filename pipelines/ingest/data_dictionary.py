"""The data dictionary for privacy officers, generated from the contracts (Markdown and HTML).

Per source: who holds it, for what purpose and on which legal basis, how long it is kept, and per field its
type, privacy class, what ingest does with it and which rules it must meet. The rules listed are the ones
validation runs (`validate.row_rules`), so the document cannot drift from the code.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from pipelines.context.kerncijfers import OpenDataContract
from pipelines.context.kerncijfers import load_contract as load_open_data_contract
from pipelines.lib.report import Section, inline_html, markdown_document
from pseudonymisation import bsn, onderwijsnummer
from pseudonymisation.config import HashingConfig, load_hashing_config
from pseudonymisation.contract import PERSON_IDENTIFIER_TYPES, Contract, Field_, load_all_contracts
from pseudonymisation.minimise import AREA_COLUMNS, cohort_column, staged_columns
from pseudonymisation.validate import row_rules

PRIVACY_NL = {
    "direct_identifier": "direct identificerend",
    "quasi_identifier": "indirect identificerend",
    "attribute": "kenmerk",
}
RETENTION_UNITS = {"Y": "jaar", "M": "maanden", "D": "dagen"}
CATEGORY_NL = {
    "not_personal": "geen persoonsgegevens",
    "ordinary": "gewone persoonsgegevens",
    "special_art9": "bijzondere persoonsgegevens (art. 9 AVG)",
    "criminal_art10": "strafrechtelijke persoonsgegevens (art. 10 AVG)",
}


def category_text(contract: Contract) -> str:
    """The legal category of a source as a whole, in Dutch."""
    if isinstance(contract.legalCategory, str):
        return CATEGORY_NL[contract.legalCategory]
    return " en ".join(CATEGORY_NL[c] for c in contract.legal_categories)


def field_category_text(contract: Contract, f: Field_) -> str:
    """Which special or criminal category a field's values reveal ('-': none beyond the source's own)."""
    named = [c for c, ground in contract.legal_categories.items() if f.name in ground.fields]
    return ", ".join(f"art. {c.removeprefix('special_art').removeprefix('criminal_art')}" for c in named) or "-"


def legal_basis_rows(contract: Contract, with_confirm: bool = True) -> list[list[str]]:
    """Each ground of a source's legal basis, labelled, and what is still to confirm; the data dictionary, DPIA
    and register show these."""
    basis = contract.legalBasis
    rows = [["Opmerking", basis.note]] if basis.note else []
    rows += [["Rechtmatigheid (art. 6 AVG)", basis.article6]] if basis.article6 else []
    rows += [["Nationale wet", law] for law in basis.nationalLaw]
    rows += [["Bijzondere persoonsgegevens (art. 9 AVG)", basis.article9]] if basis.article9 else []
    rows += [["Strafrechtelijke persoonsgegevens (art. 10 AVG)", basis.article10]] if basis.article10 else []
    rows += [["Te bevestigen", basis.toConfirm]] if basis.toConfirm and with_confirm else []
    return rows


def retention_text(period: str) -> str:
    match = re.fullmatch(r"P(\d+)([YMD])", period)
    return f"{match.group(1)} {RETENTION_UNITS[match.group(2)]} ({period})" if match else period


def retention_reference_text(contract: Contract) -> str:
    """From which date a row's retention period runs: what ingest and the scheduled purge (`retention_purge`) use."""
    if contract.retentionField is None:
        return "n.v.t.: geen persoonsgegevens, niet opgeschoond"
    f = contract.field(contract.retentionField)
    running = "" if f.required else " (leeg = loopt nog: de rij blijft)"
    return f"`{f.name}`{running}"


def fate_text(f: Field_, hashing: HashingConfig) -> str:
    """What ingest does with a field, in Dutch with the stored column named."""
    if f.fate == "pseudonymise":
        where = "`person_id`" if f.identifierType in PERSON_IDENTIFIER_TYPES else f"`{f.name}` (eigen domein)"
        return (
            f"vervangen door pseudoniem in {where} (tweestaps {hashing.algorithm}: bronsleutel bij de houder, "
            f"daarna TTP-sleutel; domein `{hashing.domain_label}`); de ruwe waarde wordt nooit opgeslagen"
        )
    if f.fate == "drop":
        return "verwijderd bij het inlezen; nooit opgeslagen"
    if f.generalisation == "birth_cohort":
        return (
            f"ingekort tot het geboortecohort in `{cohort_column(f.name)}` (het jaar waarin iemand op de peildatum "
            "1 oktober 0 is: genoeg voor de leeftijd op elke peildatum); de volledige waarde wordt niet opgeslagen"
        )
    if f.generalisation == "buurt_wijk":
        codes = ", ".join(f"`{c}`" for c in AREA_COLUMNS)
        return (
            f"samen met de andere adresvelden via de buurt (CBS pc6hnr) omgezet naar {codes}, daarna verwijderd; "
            "de buurt zelf wordt niet opgeslagen"
        )
    return "bewaard zoals aangeleverd (na normalisatie)"


def rule_text(contract: Contract, field: str, rule: str) -> str:
    """A rule as a privacy officer or holder reads it (Dutch)."""
    f = contract.field(field) if field in {p.name for p in contract.properties} else None
    if rule == "required":
        return "verplicht"
    if rule == "date":
        return "datum (JJJJ-MM-DD of DD-MM-JJJJ), moet bestaan"
    if rule == "integer":
        return "geheel getal"
    if rule == "decimal":
        return "bedrag (decimale komma of punt, duizendtallen met punt)"
    if rule == bsn.RULE:
        return bsn.DESCRIPTION
    if rule == onderwijsnummer.RULE:
        return onderwijsnummer.DESCRIPTION
    if rule == "allowed_values" and f is not None:
        if f.codelist:
            return f"code uit codelijst {f.codelist} ({len(f.allowed_values or [])} codes)"
        return "een van: " + ", ".join(f.allowed or [])
    if rule == "pattern" and f is not None:
        return f"patroon `{f.pattern}`"
    if rule == "minimum" and f is not None:
        return f"minimaal {f.minimum:g}"
    if rule == "maximum" and f is not None:
        return f"maximaal {f.maximum:g}"
    if rule == "one_of_required":
        return f"minstens één geldig persoonsnummer: {field.replace('|', ' of ')}"
    if rule.startswith("not_before_"):
        return f"`{field}` niet vóór `{rule.removeprefix('not_before_')}`"
    if rule == "too_many_fields":
        return "niet meer velden dan de kopregel (anders zijn waarden waarschijnlijk verschoven)"
    if rule == "duplicate_row":
        return "exact dubbele rijen in één bestand tellen één keer; latere kopieën gaan in quarantaine"
    return rule


def rule_count(contract: Contract) -> int:
    return len(row_rules(contract))


def sections(contract: Contract, hashing: HashingConfig) -> list[Section]:
    rules = row_rules(contract)
    field_names = {f.name for f in contract.properties}
    per_field: dict[str, list[str]] = {}
    for rule in rules:
        per_field.setdefault(rule.field, []).append(rule_text(contract, rule.field, rule.name))
    about = Section(
        "Over deze bron (about this source)",
        ["", ""],
        [
            ["Bestand (file)", f"`{contract.file.name}`"],
            ["Houder (data holder)", contract.owner],
            ["Doel (purpose)", f"{contract.purpose.nl} / {contract.purpose.en}"],
            ["Juridische categorie (legal category)", category_text(contract)],
            *[[f"Grondslag (legal basis): {label}", text] for label, text in legal_basis_rows(contract)],
            ["Bewaartermijn (retention)", retention_text(contract.retention)],
            ["Bewaartermijn telt vanaf (retention reference date)", retention_reference_text(contract)],
            ["Contractversie (version)", f"{contract.version} ({contract.status})"],
            ["Regels (rules enforced)", str(len(rules))],
        ],
        f"{contract.description.nl} / {contract.description.en}",
    )
    fields = Section(
        "Velden (fields)",
        [
            "veld",
            "type",
            "verplicht",
            "privacyklasse",
            "onthult (art. 9/10)",
            "wat er gebeurt",
            "regels",
            "omschrijving (nl / en)",
        ],
        [
            [
                f"`{f.name}`",
                f.logicalType,
                "ja" if f.required else "nee",
                PRIVACY_NL[f.privacy],
                field_category_text(contract, f),
                fate_text(f, hashing),
                "; ".join(r for r in per_field.get(f.name, []) if r != "verplicht") or "-",
                f"{f.description.nl} / {f.description.en}",
            ]
            for f in contract.properties
        ],
    )
    row_level = Section(
        "Regels over de hele rij (row rules)",
        ["regel"],
        [
            [rule_text(contract, r.field, r.name)]
            for r in rules
            if r.field not in field_names or "not_before_" in r.name
        ],
        "Een rij die een regel breekt gaat in quarantaine met bestand, regelnummer, veld, regel en de waarde "
        "(identificerende waarden gemaskeerd als `*`).",
    )
    stored = Section(
        "Wat wordt opgeslagen (stored columns)",
        ["kolom"],
        [[f"`{c}`"] for c in staged_columns(contract)],
        "Alleen deze kolommen komen in de gepseudonimiseerde tabel; een kolom die het contract niet kent wordt "
        "bij het inlezen verwijderd en bij naam gemeld.",
    )
    result = [about, fields, row_level, stored]
    if contract.file.renames or contract.file.fallbacks:
        fallback = " (alleen als geen andere kolom dit veld levert)"
        result.append(
            Section(
                "Andere kolomnamen van de houder (header renames)",
                ["kolom in het bestand", "veld"],
                [[f"`{k}`", f"`{v}`"] for k, v in contract.file.renames.items()]
                + [[f"`{k}`", f"`{v}`{fallback}"] for k, v in contract.file.fallbacks.items()],
                "Kolomnamen worden vergeleken zonder hoofdletters, spaties, streepjes en liggende streepjes.",
            )
        )
    if contract.file.layouts:
        result.append(
            Section(
                "Gepubliceerde indelingen (layouts)",
                ["indeling", "herkend aan de kolommen"],
                [
                    [f"{lay.name.nl} / {lay.name.en}", ", ".join(f"`{h}`" for h in lay.headers)]
                    for lay in contract.file.layouts
                ],
                "Een bestand dat geen van deze indelingen heeft wordt geweigerd met een zin die ze noemt.",
            )
        )
    return result


def _markdown(title: str, parts: list[Section]) -> str:
    return markdown_document(
        title, "Gegenereerd uit `contracts/` door `monitor contracts docs`; niet met de hand bewerken.", parts
    )


def _html(title: str, parts: list[Section]) -> str:
    body = [f"<h1>{html.escape(title)}</h1>", "<p><em>Gegenereerd uit <code>contracts/</code>.</em></p>"]
    for part in parts:
        body.append(f"<h2>{html.escape(part.title)}</h2>")
        if part.intro:
            body.append(f"<p>{inline_html(part.intro)}</p>")
        head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in part.header)
        rows = "".join("<tr>" + "".join(f"<td>{inline_html(c)}</td>" for c in row) + "</tr>" for row in part.rows)
        body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    style = (
        "body{font-family:system-ui,sans-serif;max-width:75rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}"
        "table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}th,td{border:1px solid #bbb;"
        "padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#eef2f6}code{font-size:.9em}"
    )
    return (
        f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n"
    )


def open_data_sections(contract: OpenDataContract) -> list[Section]:
    """The page of an open-data table (contracts/opendata/): its file, keys, measures and context variables."""
    file = contract.file
    about = [
        ["Houder", contract.owner],
        ["Bestand", f"`{file.name}` (`{file.delimiter}`-gescheiden, UTF-8 met of zonder BOM)"],
        ["Ontbrekend", ", ".join(f"`{v}`" if v else "leeg" for v in file.missingValues) + " (ook met spaties)"],
        ["Rijen", "soort gebied " + ", ".join(file.regionTypes) + "; andere soorten (buurten) blijven buiten"],
        ["Schooljaar", f"schooljaar t/t+1 naast de tabel met peildatum 1 januari t+{contract.tableYearOfSchoolYear}"],
        ["Doel", contract.purpose.nl],
    ]
    keys = [
        [f"`{name}`", f"`{key.column}`", key.description.nl]
        for name, key in (
            ("code", contract.keys.code),
            ("soort", contract.keys.soort),
            ("peildatum", contract.keys.peildatum),
        )
    ]
    measures = [
        [
            f"`{m.name}`",
            ", ".join(f"`{c}`" for c in m.cbs),
            m.type,
            m.unit,
            "-" if m.lostDecimal is None else f"vanaf {m.lostDecimal:g} ÷ 10",
            m.description.nl,
        ]
        for m in contract.measures
    ]
    context = [
        [
            f"`{v.name}`",
            f"`{v.numerator}`"
            + (" / (" + " + ".join(f"`{d}`" for d in v.denominator) + ") x 100" if v.denominator else ""),
            v.unit,
            "ja" if v.model else "nee",
            "ja" if v.carryForward else "nee",
            v.description.nl,
        ]
        for v in contract.context
    ]
    return [
        Section(f"{contract.name} (open data, v{contract.version})", ["", ""], about, intro=contract.description.nl),
        Section("Sleutels (keys)", ["veld", "kolom", "betekenis"], keys),
        Section(
            "Maten (measures): kolom = CBS-naam, eventueel met het volgnummer van een jaartabel (`_68`)",
            ["veld", "CBS-namen (oud → nieuw)", "type", "eenheid", "verloren decimaal", "betekenis"],
            measures,
        ),
        Section(
            "Contextvariabelen (docs/wijkcontext.md)",
            ["variabele", "berekening", "eenheid", "in het model", "laatst bekende", "betekenis"],
            context,
        ),
    ]


def write_data_dictionary(out_dir: Path) -> list[Path]:
    """One Markdown and one HTML page per source, plus an index; returns the files written."""
    hashing = load_hashing_config()
    contracts = load_all_contracts()
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    index_rows: list[list[str]] = []
    for source, contract in contracts.items():
        title = f"Gegevenswoordenboek: {contract.name}"
        parts = sections(contract, hashing)
        for suffix, text in ((".md", _markdown(title, parts)), (".html", _html(title, parts))):
            path = out_dir / f"{source}{suffix}"
            path.write_text(text, encoding="utf-8")
            written.append(path)
        identifiers = [f.name for f in contract.properties if f.privacy != "attribute"]
        index_rows.append(
            [
                f"[{contract.name}]({source}.md)",
                contract.version,
                contract.owner,
                str(rule_count(contract)),
                ", ".join(f"`{n}`" for n in identifiers) or "-",
                retention_text(contract.retention),
                f"`{contract.retentionField}`" if contract.retentionField else "-",
            ]
        )
    index = [
        Section(
            "Bronnen (sources)",
            [
                "bron",
                "versie",
                "houder",
                "regels",
                "(indirect) identificerende velden",
                "bewaartermijn",
                "telt vanaf",
            ],
            index_rows,
        ),
        Section(
            "Pseudonimisering (hashing configuration, contracts/pseudonymisation.yaml)",
            ["", ""],
            [
                ["Algoritme", f"{hashing.algorithm}, {hashing.scheme} (houder, dan vertrouwde derde partij)"],
                ["Domeinlabel", f"`{hashing.domain_label}` ({{gemeente}} = de geconfigureerde gemeentecode)"],
                ["Uitvoer", f"{hashing.output.encoding}, {hashing.output.length} tekens"],
                ["Sleutels", "bronsleutel bij de gegevenshouders, TTP-sleutel bij de TTP; de analist heeft er geen"],
                ["Uitleg", "docs/pseudonymisation.md"],
            ],
        ),
    ]
    opendata = load_open_data_contract()
    for suffix, text in (
        (".md", _markdown(f"Gegevenswoordenboek: {opendata.name}", open_data_sections(opendata))),
        (".html", _html(f"Gegevenswoordenboek: {opendata.name}", open_data_sections(opendata))),
    ):
        (out_dir / f"{opendata.id}{suffix}").write_text(text, encoding="utf-8")
        written.append(out_dir / f"{opendata.id}{suffix}")
    index.insert(
        1,
        Section(
            "Open data (contracts/opendata/)",
            ["tabel", "versie", "houder", "maten"],
            [[f"[{opendata.name}]({opendata.id}.md)", opendata.version, opendata.owner, str(len(opendata.measures))]],
        ),
    )
    title = "Gegevenswoordenboek van de monitor jeugdhulp × onderwijs"
    (out_dir / "index.md").write_text(_markdown(title, index), encoding="utf-8")
    html_index = re.sub(r"\[([^\]]+)\]\(([^)]+)\.md\)", r'<a href="\2.html">\1</a>', _html(title, index))
    (out_dir / "index.html").write_text(html_index, encoding="utf-8")
    return [*written, out_dir / "index.md", out_dir / "index.html"]
