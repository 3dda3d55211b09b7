"""The audit's content: what a privacy officer needs to sign, as titled tables (rendered by `render`).

Facts are gathered by `run.gather_facts`; this module only words them, in Dutch with English headings.
Field descriptions, fates and retention texts come from the data dictionary so both documents agree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from pipelines.audit.history import RunRecord
from pipelines.audit.k_anonymity import KAnonymity, PrivacyThresholds
from pipelines.audit.scan import CODE_COLUMNS, ScanResult
from pipelines.ingest.data_dictionary import (
    PRIVACY_NL,
    category_text,
    fate_text,
    field_category_text,
    retention_reference_text,
    retention_text,
)
from pipelines.lib.report import Section
from pipelines.lib.settings import PseudonymisationSettings
from pseudonymisation.config import HashingConfig
from pseudonymisation.contract import Contract
from pseudonymisation.minimise import staged_columns

SCANNED_FOLDERS = ("warehouse", "publish", "runs", "dagster", "receipts")


@dataclass(frozen=True)
class KeyStatus:
    key_id: str | None
    fingerprint: str | None  # None: no key available to the audit
    note: str  # where the key came from, or why there is none


@dataclass(frozen=True)
class RetentionStatus:
    source: str
    period: str
    field: str | None  # None: reference source, not purged
    cutoff: date | None
    staged_rows: int | None  # None: no staged file
    staged_past: int | None
    table_rows: int | None  # None: no stg_ table in the warehouse
    table_past: int | None

    @property
    def past(self) -> int:
        return max(self.staged_past or 0, self.table_past or 0)


@dataclass(frozen=True)
class AuditFacts:
    out: Path
    created: datetime
    today: date
    code_version: str
    contracts: dict[str, Contract]
    hashing: HashingConfig
    key: KeyStatus
    pseudonymisation: PseudonymisationSettings
    retention: list[RetentionStatus]
    k_anonymity: list[KAnonymity]
    thresholds: PrivacyThresholds
    runs: list[RunRecord]
    unreadable_manifests: list[str]
    scan: ScanResult

    @property
    def passed(self) -> bool:
        """No finding, nothing past retention, and k-anonymity within its limits: only then may it publish."""
        return not self.failures()

    @property
    def past_retention(self) -> int:
        return sum(r.past for r in self.retention)

    @property
    def too_identifying(self) -> list[KAnonymity]:
        return [m for m in self.k_anonymity if m.exceeds(self.thresholds)]

    def failures(self) -> list[str]:
        """Why the audit did not pass, one English phrase per reason (empty: it passed)."""
        reasons = []
        if self.scan.findings or self.scan.unreadable:
            reasons.append(f"{len(self.scan.findings) + len(self.scan.unreadable)} place(s) listed by the scan")
        if self.past_retention:
            reasons.append(f"{self.past_retention} row(s) past retention in the warehouse")
        reasons += [
            f"{m.source}: {m.share_unique:.1%} unique, {m.share_below_k:.1%} with k < {m.k} on {', '.join(m.columns)}"
            for m in self.too_identifying
        ]
        return reasons

    def summary(self) -> dict[str, object]:
        """audit.json: the verdict and the measured figures, in English, for machines and the closing note."""
        t = self.thresholds
        return {
            "passed": self.passed,
            "failures": self.failures(),
            "retention_measured_on": self.today.isoformat(),
            "rows_past_retention": self.past_retention,
            "scan_findings": len(self.scan.findings),
            "unreadable_files": len(self.scan.unreadable),
            "k_anonymity": {
                "k": t.k,
                "max_share_unique": t.max_share_unique,
                "max_share_below_k": t.max_share_below_k,
                "group_columns": list(t.group_columns),
                "measured": [m.as_dict() for m in self.k_anonymity],
            },
        }


def is_reference_source(contract: Contract) -> bool:
    """A source without any (quasi-)identifier: public reference data, not personal data."""
    return all(f.privacy == "attribute" for f in contract.properties)


def verdict(facts: AuditFacts) -> str:
    """The one line `monitor audit` prints and the report opens with."""
    scan = facts.scan
    if facts.passed:
        line = (
            f"Audit geslaagd: geen BSN, onderwijsnummer, postcode, e-mailadres, telefoonnummer of naamkolom gevonden "
            f"in {len(scan.scanned)} bestanden ({scan.columns} kolommen)"
        )
    else:
        problems = [f"{len(scan.findings)} vondst(en)"] if scan.findings else []
        problems += [f"{len(scan.unreadable)} onleesbaar bestand(en)"] if scan.unreadable else []
        if facts.past_retention:
            problems.append(f"{facts.past_retention} rijen voorbij de bewaartermijn (draai retention_purge)")
        problems += [
            f"`{m.source}` te herkenbaar ({_share(m.share_unique)} uniek, {_share(m.share_below_k)} met k < {m.k})"
            for m in facts.too_identifying
        ]
        line = f"Audit NIET geslaagd: {', '.join(problems)} in {facts.out}"
    return line + "."


def _share(value: float) -> str:
    return f"{value:.1%}".replace(".", ",")


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}".replace(",", ".")


def _verdict_section(facts: AuditFacts) -> Section:
    scan = facts.scan
    return Section(
        "Oordeel (verdict)",
        ["", ""],
        [
            ["Uitkomst (result)", "GESLAAGD" if facts.passed else "NIET GESLAAGD"],
            ["Vondsten (findings)", str(len(scan.findings))],
            ["Onleesbare bestanden (unreadable)", str(len(scan.unreadable))],
            ["Doorzocht (scanned)", f"{len(scan.scanned)} bestanden, {scan.columns} tabelkolommen"],
            ["Rijen voorbij de bewaartermijn (past retention)", _n(facts.past_retention)],
            ["Te herkenbare bronnen (k-anonymity above limit)", str(len(facts.too_identifying))],
        ],
        verdict(facts),
    )


def _k_anonymity_section(facts: AuditFacts) -> Section:
    t = facts.thresholds
    rows = [
        [
            f"`{m.source}`",
            ", ".join(f"`{c}`" for c in m.columns),
            _n(m.persons),
            f"{_n(m.unique)} ({_share(m.share_unique)})",
            f"{_n(m.below_k)} ({_share(m.share_below_k)})",
            ("TE HOOG" if m.exceeds(t) else "binnen de grens") if m.gating else "ter informatie",
        ]
        for m in facts.k_anonymity
    ]
    if not rows:
        rows = [["-", "-", "-", "-", "-", "geen opgeslagen bron met quasi-identificerende kenmerken"]]
    return Section(
        "Herkenbaarheid: k-anonimiteit (k-anonymity)",
        ["bron", "combinatie van opgeslagen kolommen", "personen", "uniek (k = 1)", f"k < {t.k}", "oordeel"],
        rows,
        "Per persoonsbron met quasi-identificerende kenmerken: k is het aantal personen met dezelfde waarden op de "
        "combinatie (het geboortecohort en de wijk zoals opgeslagen, plus de groepskolommen "
        f"{', '.join(f'`{c}`' for c in t.group_columns)} uit `monitor.toml`). Een persoon telt als uniek of "
        f"onder k als één van zijn rijen dat is. De audit slaagt niet als meer dan {_share(t.max_share_unique)} "
        f"uniek is of meer dan {_share(t.max_share_below_k)} k < {t.k} heeft (`[privacy]` in `monitor.toml`). "
        "De tweede regel per bron neemt ook de opgeslagen datums mee; die telt niet mee in het oordeel, maar toont "
        "wat de afscherming van het warehouse moet dragen (zie docs/minimisation.md).",
    )


def _about_section(facts: AuditFacts) -> Section:
    return Section(
        "Over deze audit (about)",
        ["", ""],
        [
            ["Uitvoermap (output folder)", f"`{facts.out}`"],
            ["Gemaakt op (created)", facts.created.isoformat(timespec="seconds")],
            ["Bewaartermijn gemeten vanaf (retention measured on)", facts.today.isoformat()],
            ["Codeversie (code version)", facts.code_version],
            ["Contracten (contracts)", ", ".join(f"{s} {c.version}" for s, c in facts.contracts.items())],
        ],
        "Deze audit leest alleen: hij verandert niets aan het warehouse of de publicatie en heeft de ruwe "
        "exports (inbox) niet nodig.",
    )


def _fields_section(facts: AuditFacts) -> Section:
    rows: list[list[str]] = []
    for source, contract in facts.contracts.items():
        kind = "referentie (openbaar)" if is_reference_source(contract) else "persoonsgegevens"
        rows += [
            [
                f"`{source}`",
                kind,
                f"`{f.name}`",
                PRIVACY_NL[f.privacy],
                f.fate,
                fate_text(f, facts.hashing),
                field_category_text(contract, f),
            ]
            for f in contract.properties
        ]
    return Section(
        "Bronnen en velden (sources and fields)",
        ["bron", "soort", "veld", "privacyklasse", "lot (fate)", "wat er gebeurt", "onthult (art. 9/10)"],
        rows,
        "Elk veld van elk contract in `contracts/`, met privacyklasse en wat het inlezen ermee doet. Velden die "
        "niet in het contract staan worden bij het inlezen verwijderd en bij naam gemeld in het manifest.",
    )


def _stored_section(facts: AuditFacts) -> Section:
    return Section(
        "Opgeslagen kolommen en juridische categorie (stored columns, legal category)",
        ["bron", "juridische categorie", "kolommen in `warehouse/staged/<bron>.parquet` en `stg_<bron>`"],
        [
            [f"`{s}`", category_text(c), ", ".join(f"`{col}`" for col in staged_columns(c))]
            for s, c in facts.contracts.items()
        ],
        "De juridische categorie uit het contract: bijzondere (art. 9 AVG) en strafrechtelijke (art. 10 AVG) "
        "persoonsgegevens vragen de grondslag en waarborgen van `docs/dpia.md`, punt 12.",
    )


def _hashing_section(facts: AuditFacts) -> Section:
    h, settings = facts.hashing, facts.pseudonymisation
    types = "; ".join(f"{name}: {t.validation}" for name, t in h.identifier_types.items())
    rows = [
        ["Configuratie (file)", f"`contracts/pseudonymisation.yaml` versie {h.version}"],
        ["Werkwijze (mode)", f"`{settings.mode}`" + (" (productie)" if settings.production else "")],
        ["Algoritme (algorithm)", h.algorithm],
        ["Domeinlabel (domain label)", f"`{h.domain_label}`"],
        ["Nummers en controle (identifiers)", types],
        ["Uitvoer (output)", f"{h.output.encoding}, {h.output.length} tekens"],
    ]
    if settings.keyless:
        rows += [
            [
                "Bronsleutel (source key)",
                f"bij de gegevenshouders; verwachte vingerafdruk `{settings.source_key_fingerprint}`",
            ],
            ["TTP-sleutel (TTP key)", f"alleen bij de TTP; verwachte vingerafdruk `{settings.ttp_key_fingerprint}`"],
        ]
        note = (
            "Bronpseudoniem = HMAC-SHA-256(bronsleutel, domeinlabel | soort | nummer) bij de houder; monitorpseudoniem "
            "= HMAC-SHA-256(TTP-sleutel, domeinlabel | ttp | soort | bronpseudoniem) bij de TTP. De analist heeft "
            "geen sleutel (docs/pseudonymisation.md). Een ongeldig nummer gaat bij de houder in quarantaine."
        )
    else:
        rows += [
            ["Sleutel-id (key id)", f"`{h.key.id}`"],
            [
                "Sleutel uit (key from)",
                f"`{h.key.environment_variable}` of het bestand in `{h.key.file_environment_variable}` "
                f"(minstens {h.key.min_bytes} bytes): alleen voor tests en proeven, de analist heeft dan de sleutel",
            ],
            ["Rotatie uiterlijk (rotation due)", h.key.rotation_due.isoformat()],
        ]
        note = (
            "Pseudoniem = de eerste tekens van HMAC-SHA-256(sleutel, domeinlabel | soort nummer | nummer). Alleen een "
            "nummer dat de controle doorstaat wordt gehasht; een ongeldig nummer gaat in quarantaine."
        )
    rows.append(
        ["Vingerafdruk (fingerprint)", f"HMAC-SHA-256(sleutel, `{h.fingerprint.label}`), {h.fingerprint.length}"]
    )
    return Section("Pseudonimisering (hashing configuration)", ["", ""], rows, note)


def _key_section(facts: AuditFacts) -> Section:
    key = facts.key
    recorded = Counter(r.key_fingerprint for r in facts.runs if r.key_fingerprint)
    rows = [
        [
            "Huidige sleutel (current key)",
            f"`{key.key_id}`, vingerafdruk `{key.fingerprint}`" if key.fingerprint else "geen sleutel beschikbaar",
        ],
        ["Toelichting (note)", key.note],
    ]
    for fingerprint, runs in sorted(recorded.items()):
        same = "" if key.fingerprint is None else (" (huidige sleutel)" if fingerprint == key.fingerprint else "")
        rows.append(["Vingerafdruk in runhistorie (recorded)", f"`{fingerprint}`: {runs} run(s){same}"])
    return Section(
        "Sleutel (key)",
        ["", ""],
        rows,
        "De sleutel zelf staat nergens in logboeken, fouten, runconfiguratie of uitvoer; alleen de vingerafdruk.",
    )


def _retention_section(facts: AuditFacts) -> Section:
    rows = []
    for r in facts.retention:
        contract = facts.contracts[r.source]
        rows.append(
            [
                f"`{r.source}`",
                retention_text(r.period),
                retention_reference_text(contract),
                r.cutoff.isoformat() if r.cutoff else "-",
                _n(r.staged_rows),
                _n(r.staged_past) if r.field else "n.v.t.",
                _n(r.table_past) if r.field else "n.v.t.",
            ]
        )
    return Section(
        "Bewaartermijnen (retention)",
        [
            "bron",
            "bewaartermijn",
            "telt vanaf",
            "grens (cutoff)",
            "rijen (staged)",
            "voorbij termijn (Parquet)",
            "voorbij termijn (DuckDB)",
        ],
        rows,
        "Een rij is voorbij de bewaartermijn als de datum waar de termijn vanaf telt vóór de grens ligt "
        f"({facts.today.isoformat()} min de bewaartermijn). Het inlezen laat zulke rijen weg voordat er iets wordt "
        "opgeslagen (geteld als `rows_past_retention` in het manifest); het Dagster-asset `retention_purge` "
        "verwijdert rijen die sindsdien over de termijn zijn gegaan uit `warehouse/staged/` en de `stg_`-tabellen "
        "(na elke run en wekelijks) en bouwt de gekoppelde tabellen opnieuw op. Gepubliceerde aggregaten blijven. "
        "Eén rij voorbij de termijn in het warehouse is een vondst: de audit slaagt dan niet.",
    )


def _history_section(facts: AuditFacts) -> Section:
    rows = [
        [
            f"`{r.run_id}`",
            r.started_at[:19].replace("T", " ") or "-",
            r.finished_at[:19].replace("T", " ") or "-",
            f"`{r.key_id}` / `{r.key_fingerprint}`",
            str(r.inputs),
            f"{_n(r.rows_read)} / {_n(r.rows_accepted)} / {_n(r.rows_quarantined)}",
            f"{_n(r.cells_suppressed)} van {_n(r.cells)}",
            "ja" if r.synthetic else "nee",
        ]
        for r in facts.runs
    ]
    intro = "Uit de manifesten in `runs/` en `publish/manifest.json` (tijden in UTC)."
    if not rows:
        intro += " Er is nog geen run met een publicatie."
    if facts.unreadable_manifests:
        intro += " Onleesbare manifesten: " + ", ".join(f"`{m}`" for m in facts.unreadable_manifests) + "."
    return Section(
        "Runhistorie (run history)",
        [
            "run",
            "gestart",
            "klaar",
            "sleutel / vingerafdruk",
            "bestanden",
            "rijen gelezen / geaccepteerd / quarantaine",
            "cellen onderdrukt",
            "synthetisch",
        ],
        rows,
        intro,
    )


def _scan_section(facts: AuditFacts) -> Section:
    rows = [[f"`{f.path}`", f"`{f.where}`", f.kind, _n(f.count), f"`{f.example}`"] for f in facts.scan.findings]
    codes = ", ".join(f"`{c}`" for c in sorted(CODE_COLUMNS))
    intro = (
        f"Doorzocht: {', '.join(f'`{d}/`' for d in SCANNED_FOLDERS)} onder de uitvoermap. Gezocht naar: BSN (9 "
        "cijfers, elfproef; 7 of 8 cijfers alleen in een kolom met BSN in de naam), onderwijsnummer (9 cijfers, "
        "begint met 10, mod 11 = 5), postcode (1234AB of 1234 AB), e-mailadres, Nederlands telefoonnummer en "
        "kolommen waarvan de naam op namen, adressen of contactgegevens wijst. Alleen hele tokens tellen, geen "
        "cijfers binnen een pseudoniem of een kommagetal; datum-, tijd-, waar/onwaar- en kommagetalkolommen kunnen "
        "geen nummer bevatten en worden overgeslagen, net als DuckDB-views (de tabellen eronder worden doorzocht). "
        "In referentiebronnen (openbare gegevens) gelden de kolommen uit hun contract (naam en postcode van een "
        "school, de PC6-tabel) niet als vondst. In "
        f"{codes} (willekeurige nummers van anderen) telt een BSN-vormig nummer alleen als er meer de elfproef "
        "halen dan toeval verklaart. Waarden worden gemaskeerd getoond."
    )
    if not rows:
        rows = [["-", "-", "niets gevonden", "0", "-"]]
    return Section(
        "Scan op identificerende gegevens (identifier scan)",
        ["bestand", "plaats", "soort", "aantal", "voorbeeld (gemaskeerd)"],
        rows,
        intro,
    )


def _not_scanned_section(facts: AuditFacts) -> Section:
    rows = [[f"`{p}`", f"onleesbaar: {why}"] for p, why in facts.scan.unreadable]
    skipped = Counter((str(Path(p).parent / f"*{Path(p).suffix}"), why) for p, why in facts.scan.skipped)
    rows += [[f"`{pattern}`", f"{why}; {n} bestand(en)"] for (pattern, why), n in sorted(skipped.items())]
    return Section(
        "Niet doorzocht (not scanned)",
        ["bestand", "reden"],
        rows or [["-", "alles is doorzocht"]],
        "Een onleesbaar bestand laat de audit mislukken: wat niet gelezen kan worden, kan niet worden vrijgegeven. "
        "Grafieken (PNG) worden getekend uit de beschermde indicatortabel, die zelf doorzocht is.",
    )


def _sign_off_section() -> Section:
    return Section(
        "Ondertekening (sign-off)",
        ["", ""],
        [["Naam (name)", ""], ["Functie (role)", ""], ["Datum (date)", ""], ["Handtekening (signature)", ""]],
        "Functionaris gegevensbescherming of privacy officer van de gemeente.",
    )


def build_sections(facts: AuditFacts) -> list[Section]:
    """The report, top to bottom: verdict first, sign-off last."""
    return [
        _verdict_section(facts),
        _about_section(facts),
        _scan_section(facts),
        _not_scanned_section(facts),
        _fields_section(facts),
        _stored_section(facts),
        _hashing_section(facts),
        _key_section(facts),
        _retention_section(facts),
        _k_anonymity_section(facts),
        _history_section(facts),
        _sign_off_section(),
    ]
