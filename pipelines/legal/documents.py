"""The DPIA and the record of processing (art. 30 AVG), generated in Dutch from the contracts.

Per-source facts (holder, purpose, legal category, legal basis, fields, fates, retention) come from
`contracts/<source>.yaml` through the same wording as the data dictionary (`data_dictionary`); facts about the
processing as a whole from `contracts/processing.yaml`. The DPIA follows the headings of the Model DPIA
Rijksdienst (parts A–D, 17 points). Regenerating gives the committed files byte for byte, which a test checks, so
the documents a privacy officer signs cannot drift from the contracts the code runs on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipelines.ingest.data_dictionary import (
    CATEGORY_NL,
    PRIVACY_NL,
    category_text,
    fate_text,
    field_category_text,
    legal_basis_rows,
    retention_reference_text,
    retention_text,
)
from pipelines.legal.processing import (
    MEASUREMENTS_FILE,
    NOT_MEASURED,
    Measurements,
    Processing,
    load_measurements,
    load_processing,
)
from pipelines.lib.report import markdown_table
from pipelines.lib.settings import MonitorConfig
from pseudonymisation.config import HashingConfig, load_hashing_config
from pseudonymisation.contract import Contract, load_all_contracts
from pseudonymisation.minimise import staged_columns

GENERATED = "_Gegenereerd uit `contracts/` door `monitor contracts legal`; niet met de hand bewerken._"
ART89_SAFEGUARDS = [
    "pseudonimisering in twee stappen: de analist heeft geen sleutel en kan geen BSN omrekenen (art. 89 lid 1, "
    "art. 4 lid 5)",
    "dataminimalisatie: alleen de velden die een indicator nodig heeft, indirect identificerende velden "
    "gegeneraliseerd (tabellen per bron in punt 2)",
    "uitsluitend statistische doeleinden: geen besluiten over personen, geen handhaving, geen terugkoppeling op "
    "persoonsniveau",
    "onthullingscontrole: primaire en secundaire onderdrukking van elke gepubliceerde cel (spec §4)",
    "bewaartermijnen gehandhaafd bij het verwerken en gecontroleerd door `monitor audit`",
]


@dataclass
class _Doc:
    """Markdown lines under construction: headings, paragraphs, lists and tables, one blank line between blocks."""

    lines: list[str] = field(default_factory=list)

    def _block(self, block: list[str]) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")
        self.lines += [*block, ""]

    def heading(self, level: int, text: str) -> None:
        self._block([f"{'#' * level} {text}"])

    def para(self, text: str) -> None:
        self._block([text])

    def bullets(self, items: list[str]) -> None:
        self._block([f"- {item}" for item in items])

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        self._block(markdown_table(header, rows))

    def text(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"


def _for_gemeente(processing: Processing) -> tuple[str, Processing]:
    """The configured gemeente's name, and the processing with `{gemeente}` filled in."""
    gemeente = MonitorConfig.load().gemeente_naam
    filled = {key: getattr(processing, key).format(gemeente=gemeente) for key in ("controller", "contact")}
    return gemeente, processing.model_copy(update=filled)


def _personal(contracts: dict[str, Contract]) -> dict[str, Contract]:
    return {s: c for s, c in contracts.items() if c.legalCategory != "not_personal"}


def _special(contracts: dict[str, Contract]) -> dict[str, Contract]:
    return {s: c for s, c in contracts.items() if c.legal_categories}


def _fields_table(doc: _Doc, contract: Contract, hashing: HashingConfig) -> None:
    doc.table(
        ["veld", "privacyklasse", "onthult (art. 9/10)", "lot (fate)", "wat er gebeurt"],
        [
            [
                f"`{f.name}`",
                PRIVACY_NL[f.privacy],
                field_category_text(contract, f),
                f"`{f.fate}`",
                fate_text(f, hashing),
            ]
            for f in contract.properties
        ],
    )


def _part_a(doc: _Doc, p: Processing, contracts: dict[str, Contract], hashing: HashingConfig) -> None:
    personal = _personal(contracts)
    doc.heading(2, "Deel A — Beschrijving kenmerken gegevensverwerkingen (description of the processing)")
    doc.heading(3, "1. Voorstel (proposal)")
    doc.para(p.proposal)
    doc.heading(3, "2. Persoonsgegevens (personal data)")
    doc.para("Betrokkenen: " + "; ".join(p.dataSubjects) + ".")
    doc.table(
        ["bron", "houder", "juridische categorie", "(indirect) identificerende velden", "opgeslagen kolommen"],
        [
            [
                f"`{s}`",
                c.owner,
                category_text(c),
                ", ".join(f"`{f.name}`" for f in c.properties if f.privacy != "attribute") or "-",
                ", ".join(f"`{col}`" for col in staged_columns(c)),
            ]
            for s, c in contracts.items()
        ],
    )
    doc.para(
        "Per bron hieronder elk veld met zijn privacyklasse, welk bijzonder (art. 9) of strafrechtelijk (art. 10) "
        "gegeven de waarde onthult, en wat het inlezen ermee doet. De juridische categorie geldt voor de bron als "
        "geheel: een rij van een jeugdhulpbron is als geheel een gegeven over gezondheid. Velden die het contract "
        "niet kent worden bij het inlezen verwijderd en bij naam gemeld. Jeugdhulp kan ook als iJw 3.2-berichten "
        "komen (`contracts/ijw/`): die worden ingelezen in dezelfde tabellen `toewijzingen` en `declaraties`, dus "
        "hun categorie en wat er met de velden gebeurt gelden ook daar; namen, adressen en contactgegevens uit de "
        "berichten worden nooit opgeslagen."
    )
    for source, contract in personal.items():
        doc.heading(4, f"{contract.name} (`{source}`)")
        _fields_table(doc, contract, hashing)
    doc.heading(3, "3. Gegevensverwerkingen (processing operations and data flows)")
    doc.para(
        "Gegevensstroom tussen de partijen: elke partij heeft haar eigen opdracht en haar eigen geheimen; geen partij "
        "behalve de TTP kan een BSN aan een monitorpseudoniem koppelen, en de TTP ziet geen BSN."
    )
    doc.table(["van", "naar", "wat"], [list(flow) for flow in p.flows])
    doc.heading(3, "4. Verwerkingsdoeleinden (purposes)")
    doc.para(p.purpose)
    doc.table(["bron", "doel"], [[f"`{s}`", c.purpose.nl] for s, c in contracts.items()])
    doc.heading(3, "5. Betrokken partijen (parties)")
    doc.para(f"Verwerkingsverantwoordelijke: {p.controller}. Contact: {p.contact}.")
    doc.table(
        ["partij", "wie", "opdracht", "heeft", "ontvangt"],
        [[party.name, party.who, party.runs, party.holds, party.receives] for party in p.parties],
    )
    doc.heading(3, "6. Belangen bij de gegevensverwerkingen (interests)")
    doc.bullets(p.interests)
    doc.heading(3, "7. Verwerkingslocaties (locations)")
    doc.bullets(p.locations)
    doc.para(p.transfers)
    doc.heading(3, "8. Techniek en methoden van de gegevensverwerkingen (technique and methods)")
    doc.para(p.technique)
    doc.heading(3, "9. Juridisch en beleidsmatig kader (legal and policy framework)")
    doc.bullets(p.frameworks)
    doc.heading(3, "10. Bewaartermijnen (retention)")
    doc.para(p.retentionNote)
    doc.table(
        ["bron", "bewaartermijn", "telt vanaf"],
        [[f"`{s}`", retention_text(c.retention), retention_reference_text(c)] for s, c in contracts.items()],
    )


def _part_b(doc: _Doc, p: Processing, contracts: dict[str, Contract]) -> None:
    doc.heading(2, "Deel B — Beoordeling rechtmatigheid gegevensverwerkingen (lawfulness)")
    doc.heading(3, "11. Rechtsgrond (legal basis)")
    doc.para(
        "De specificatie van de monitor noemt geen grondslag. De grondslagen hieronder staan in de contracten; het "
        "zijn aannames van het projectteam die de jurist/FG van de gemeente moet bevestigen (regel "
        "'Te bevestigen' per bron)."
    )
    rows: list[list[str]] = []
    for source, contract in contracts.items():
        rows += [[f"`{source}`", label, text] for label, text in legal_basis_rows(contract)]
    doc.table(["bron", "grond", "tekst"], rows)
    doc.heading(3, "12. Bijzondere persoonsgegevens (special categories: art. 9 and art. 10)")
    doc.para(
        "Bronnen met bijzondere persoonsgegevens (art. 9 AVG: gezondheid, ook indirect) of strafrechtelijke "
        "persoonsgegevens (art. 10 AVG: jeugdreclassering), waarom, welke velden het onthullen, en op welke "
        "uitzondering de verwerking steunt. Waarborgen als bedoeld in art. 89 lid 1 AVG en UAVG art. 24 sub c, "
        "voor elke bron hieronder:"
    )
    doc.bullets(ART89_SAFEGUARDS)
    for source, contract in _special(contracts).items():
        doc.heading(4, f"{contract.name} (`{source}`): {category_text(contract)}")
        category_rows = [
            [CATEGORY_NL[name], ", ".join(f"`{n}`" for n in ground.fields), ground.why.nl]
            for name, ground in contract.legal_categories.items()
        ]
        doc.table(["categorie", "velden", "waarom"], category_rows)
        grounds = {"special_art9": contract.legalBasis.article9, "criminal_art10": contract.legalBasis.article10}
        doc.table(
            ["uitzondering voor", "grondslag"],
            [[CATEGORY_NL[name], grounds[name] or ""] for name in contract.legal_categories],
        )
    doc.heading(3, "13. Doelbinding (purpose limitation)")
    doc.para(p.purposeLimitation)
    doc.heading(3, "14. Noodzaak en evenredigheid (necessity and proportionality)")
    doc.para(f"**Proportionaliteit.** {p.proportionality}")
    doc.para(f"**Subsidiariteit.** {p.subsidiarity}")
    doc.heading(3, "15. Rechten van betrokkenen (data subjects' rights)")
    doc.table(["recht", "hoe"], [list(r) for r in p.rights])
    doc.para(
        "Te bevestigen door de jurist/FG: de beperkingen van rechten bij statistiek (UAVG art. 44, AVG art. 89 lid 2)."
    )


def _part_c(doc: _Doc, p: Processing) -> None:
    doc.heading(2, "Deel C — Beschrijving en beoordeling risico's voor de betrokkenen (risks)")
    doc.heading(3, "16. Risico's (risks, measured before the measures)")
    doc.para(
        "Gemeten bij een audit als functionaris gegevensbescherming en beveiligingsdeskundige op de demo (issue 15), "
        "vóór de maatregelen van deel D."
    )
    doc.table(
        ["risico", "gemeten vóór de maatregelen", "gevolg voor betrokkenen"],
        [[f"**{r.id}**: {r.risk}", r.before, r.impact] for r in p.risks],
    )
    doc.heading(4, "Dreigingsmodel per partij (threat model per party)")
    doc.table(
        ["partij", "kan", "kan niet", "dreiging en restrisico"],
        [[party.name, party.can, party.cannot, party.threat] for party in p.parties],
    )


def _part_d(doc: _Doc, p: Processing, measured: Measurements | None) -> None:
    doc.heading(2, "Deel D — Beschrijving van voorgenomen maatregelen (measures)")
    doc.heading(3, "17. Maatregelen (measures)")
    doc.table(["risico", "maatregel"], [[f"**{r.id}**", r.measure] for r in p.risks])
    doc.para("Organisatorische maatregelen:")
    doc.bullets(p.measures)
    doc.heading(4, "NA DE MAATREGELEN: gemeten (after the measures: measured)")
    source = f"`{MEASUREMENTS_FILE.relative_to(MEASUREMENTS_FILE.parents[1])}`"
    if measured is None:
        doc.para(
            f"**Nog niet gemeten.** Deze tabel wordt gevuld uit {source} zodra die bestaat (door `monitor audit`)."
        )
    else:
        doc.para(f"**Gemeten op {measured.measured_on}**: {measured.how} (uit {source}).")
    figures = measured.figures if measured else {}
    doc.table(
        ["risico", "vóór", "na (gemeten)"],
        [[f"**{r.id}**", r.before, figures.get(r.id, NOT_MEASURED)] for r in p.risks],
    )


def dpia_text(
    contracts: dict[str, Contract], processing: Processing, measured: Measurements | None, hashing: HashingConfig
) -> str:
    gemeente, p = _for_gemeente(processing)
    doc = _Doc([f"# DPIA monitor jeugdhulp × onderwijs, gemeente {gemeente}", "", GENERATED, ""])
    doc.para(
        f"Gegevensbeschermingseffectbeoordeling (art. 35 AVG) volgens de opbouw van het Model DPIA Rijksdienst "
        f"(deel A–D, 17 punten). Status: concept ter beoordeling door de FG; versie {p.version} van "
        "`contracts/processing.yaml`, contracten: "
        + ", ".join(f"{s} {c.version}" for s, c in contracts.items())
        + ". Een DPIA is verplicht: op grote schaal bijzondere persoonsgegevens (art. 35 lid 3 sub b) van "
        "kwetsbare betrokkenen (kinderen), gekoppeld over registraties heen."
    )
    _part_a(doc, p, contracts, hashing)
    _part_b(doc, p, contracts)
    _part_c(doc, p)
    _part_d(doc, p, measured)
    doc.heading(2, "Advies en besluit (advice and decision)")
    doc.table(
        ["", ""], [["Advies FG (datum, inhoud)", ""], ["Besluit verwerkingsverantwoordelijke", ""], ["Datum", ""]]
    )
    return doc.text()


def register_text(contracts: dict[str, Contract], processing: Processing) -> str:
    """The art. 30(1) AVG entry: one processing (the monitor), its sources as categories of personal data."""
    gemeente, p = _for_gemeente(processing)
    personal = _personal(contracts)
    doc = _Doc([f"# Verwerkingsregister: monitor jeugdhulp × onderwijs, gemeente {gemeente}", "", GENERATED, ""])
    doc.para("Vermelding in het register van verwerkingsactiviteiten (art. 30 lid 1 AVG). DPIA: `docs/dpia.md`.")
    categories = "; ".join(f"{c.name}: {category_text(c)}" for c in personal.values())
    doc.table(
        ["art. 30 lid 1", "inhoud"],
        [
            ["a. Verwerkingsverantwoordelijke", p.controller],
            ["a. Functionaris gegevensbescherming", p.contact],
            ["b. Verwerkingsdoeleinden", p.purpose],
            ["c. Categorieën van betrokkenen", "; ".join(p.dataSubjects)],
            ["c. Categorieën van persoonsgegevens", categories],
            ["d. Categorieën van ontvangers", "; ".join(p.recipients)],
            ["e. Doorgifte naar derde landen", p.transfers],
            ["f. Bewaartermijnen", "; ".join(f"{s}: {retention_text(c.retention)}" for s, c in personal.items())],
            ["g. Beveiligingsmaatregelen (art. 32)", "; ".join(p.security)],
        ],
    )
    doc.heading(2, "Per bron (per source)")
    doc.table(
        ["bron", "houder", "categorie", "persoonsgegevens (opgeslagen)", "grondslag", "bewaartermijn"],
        [
            [
                f"`{s}`",
                c.owner,
                category_text(c),
                ", ".join(f"`{col}`" for col in staged_columns(c)),
                "; ".join(text for _, text in legal_basis_rows(c, with_confirm=False)),
                f"{retention_text(c.retention)}, vanaf {retention_reference_text(c)}",
            ]
            for s, c in personal.items()
        ],
    )
    doc.para(
        "Openbare referentiebronnen zonder persoonsgegevens: "
        + ", ".join(f"`{s}`" for s in contracts if s not in personal)
        + "."
    )
    return doc.text()


def write_legal_documents(out_dir: Path) -> list[Path]:
    """`dpia.md` and `verwerkingsregister.md` in `out_dir`; returns the files written."""
    contracts = load_all_contracts()
    processing = load_processing()
    measured = load_measurements(processing)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (
        ("dpia.md", dpia_text(contracts, processing, measured, load_hashing_config())),
        ("verwerkingsregister.md", register_text(contracts, processing)),
    ):
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
