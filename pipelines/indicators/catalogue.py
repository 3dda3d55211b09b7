"""The indicator catalogue as documents: Markdown, offline HTML, JSON and Parquet, from sql/catalogue.yaml.

Why: names, units and definitions must be written once. The YAML file is that one source; the published
table takes names and units from it (via the warehouse's ref_catalogue), and this module renders the same
entries for readers, together with the shared rules (peildatum, attribution, active trajectory), which are
taken from the comment blocks of the SQL files that implement them, so documents and code cannot drift.

Run `python -m pipelines.indicators.catalogue docs` to refresh docs/indicatorcatalogus.{md,html}.
"""

from __future__ import annotations

import html
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.lib.settings import PROJECT_ROOT
from pipelines.lib.sql_models import sql_models
from pipelines.lib.warehouse import load_catalogue

CATALOGUE_FILES = (
    "indicatorcatalogus.md",
    "indicatorcatalogus.html",
    "indicatorcatalogus.json",
    "indicatorcatalogus.parquet",
)
LEVELS = ("school", "samenwerkingsverband", "wijk", "gemeente", "jeugdregio", "nederland")
KINDS = ("aantal", "bedrag", "percentage", "per_1000", "per_100")
# Linked tables whose comment block states a rule every indicator shares, in reading order.
SHARED_RULES = (
    "school_years",
    "pupil_years",
    "person_years",
    "resident_years",
    "school_gemeenten",
    "area_units",
    "school_areas",
    "pupil_units",
    "resident_units",
    "units",
    "trajectories",
    "trajectory_years",
    "declaration_years",
    "absence_years",
    "thuiszitter_years",
    "thuiszitter_units",
    "career_years",
)
TITLE = {"nl": "Indicatorcatalogus jeugdhulp × onderwijs", "en": "Indicator catalogue youth care × education"}


@dataclass(frozen=True)
class Indicator:
    """One catalogue entry (see the field notes at the top of sql/catalogue.yaml)."""

    id: str
    naam_nl: str
    naam_en: str
    soort: str
    eenheid: str
    factor: float
    niveaus: tuple[str, ...]
    bronnen: tuple[str, ...]
    sql: str
    dimensie: str | None
    categorieen: tuple[str, ...] | None
    definitie_nl: str
    definitie_en: str
    teller: str
    noemer: str | None
    keuzes_nl: tuple[str, ...]
    keuzes_en: tuple[str, ...]

    @property
    def sql_file(self) -> str:
        return sql_models()[self.sql].relative_path


def _indicator(raw: dict[str, Any]) -> Indicator:
    """Validate one YAML entry: a typo in the catalogue must fail loudly, not publish a wrong unit."""
    expected = {f for f in Indicator.__dataclass_fields__ if f not in ("categorieen",)}
    if set(raw) != expected:
        raise ValueError(f"catalogue entry {raw.get('id')}: fields {sorted(set(raw) ^ expected)} wrong")
    if raw["soort"] not in KINDS or not set(raw["niveaus"]) <= set(LEVELS):
        raise ValueError(f"catalogue entry {raw['id']}: unknown soort or niveau")
    dimension = raw["dimensie"]
    categories = dimension["categorieen"] if dimension else None
    return Indicator(
        **{k: v for k, v in raw.items() if k not in ("dimensie", "niveaus", "bronnen", "keuzes_nl", "keuzes_en")},
        niveaus=tuple(raw["niveaus"]),
        bronnen=tuple(raw["bronnen"]),
        dimensie=dimension["naam"] if dimension else None,
        categorieen=tuple(categories) if isinstance(categories, list) else None,
        keuzes_nl=tuple(raw["keuzes_nl"]),
        keuzes_en=tuple(raw["keuzes_en"]),
    )


def load_indicators() -> list[Indicator]:
    return [_indicator(raw) for raw in load_catalogue()]


def sql_definition(name: str, language: str) -> str:
    """The plain-words definition in the leading comment block of SQL model `name` ('NL' or 'EN' paragraph)."""
    lines = sql_models()[name].path.read_text(encoding="utf-8").splitlines()
    paragraph: list[str] = []
    inside = False
    for line in lines:
        if not line.startswith("--"):
            break
        text = line[2:].strip()
        if text.startswith(("NL:", "EN:")):
            inside = text.startswith(f"{language}:")
            text = text[3:].strip()
        elif not line.startswith("--     "):
            inside = False
        if inside:
            paragraph.append(text)
    return " ".join(paragraph)


def catalogue_frame(indicators: list[Indicator]) -> pl.DataFrame:
    """One row per indicator, the table the dashboard reads names and units from."""
    rows = [
        {
            "indicator": i.id,
            "naam_nl": i.naam_nl,
            "naam_en": i.naam_en,
            "soort": i.soort,
            "eenheid": i.eenheid,
            "factor": float(i.factor),
            "niveaus": list(i.niveaus),
            "bronnen": list(i.bronnen),
            "dimensie": i.dimensie,
            "categorieen": list(i.categorieen) if i.categorieen is not None else None,
            "definitie_nl": i.definitie_nl,
            "definitie_en": i.definitie_en,
            "teller": i.teller,
            "noemer": i.noemer,
            "keuzes_nl": list(i.keuzes_nl),
            "keuzes_en": list(i.keuzes_en),
            "sql_bestand": i.sql_file,
        }
        for i in indicators
    ]
    return pl.DataFrame(
        rows,
        schema={
            "indicator": pl.String,
            "naam_nl": pl.String,
            "naam_en": pl.String,
            "soort": pl.String,
            "eenheid": pl.String,
            "factor": pl.Float64,
            "niveaus": pl.List(pl.String),
            "bronnen": pl.List(pl.String),
            "dimensie": pl.String,
            "categorieen": pl.List(pl.String),
            "definitie_nl": pl.String,
            "definitie_en": pl.String,
            "teller": pl.String,
            "noemer": pl.String,
            "keuzes_nl": pl.List(pl.String),
            "keuzes_en": pl.List(pl.String),
            "sql_bestand": pl.String,
        },
    )


def _categories_text(i: Indicator) -> str:
    if i.dimensie is None:
        return "—"
    listed = ", ".join(i.categorieen) if i.categorieen is not None else "uit de gegevens / as found in the data"
    return f"`{i.dimensie}`: {listed}"


def _fields(i: Indicator) -> list[tuple[str, str]]:
    """Label and plain text of every field a reader needs, in the order they are shown."""
    return [
        ("Naam / name", f"{i.naam_nl} / {i.naam_en}"),
        ("Definitie", i.definitie_nl),
        ("Definition", i.definitie_en),
        ("Teller / numerator", i.teller),
        ("Noemer / denominator", i.noemer or "— (waarde = teller)"),
        ("Eenheid / unit", i.eenheid),
        ("Niveaus / levels", ", ".join(i.niveaus)),
        ("Dimensie / dimension", _categories_text(i)),
        ("Bronnen / sources", ", ".join(i.bronnen)),
        ("Onthullingsregel / disclosure class", i.soort),
        ("SQL", i.sql_file),
    ]


def to_markdown(indicators: list[Indicator]) -> str:
    out = [f"# {TITLE['nl']} / {TITLE['en']}", "", _generated_note(), ""]
    out += ["| ID | Naam | Name | Eenheid | Niveaus |", "|---|---|---|---|---|"]
    out += [f"| {i.id} | {i.naam_nl} | {i.naam_en} | {i.eenheid} | {', '.join(i.niveaus)} |" for i in indicators]
    out += ["", "## Gedeelde regels / shared rules", ""]
    for name in SHARED_RULES:
        out += [
            f"- **{name}** (`{sql_models()[name].relative_path}`): {sql_definition(name, 'NL')}",
            f"  *EN:* {sql_definition(name, 'EN')}",
        ]
    for i in indicators:
        out += ["", f"## {i.id} {i.naam_nl}", ""]
        out += [f"- **{label}**: {value}" for label, value in _fields(i)]
        if i.keuzes_nl:
            out += ["- **Keuzes**:", *(f"  - {k}" for k in i.keuzes_nl)]
            out += ["- **Choices**:", *(f"  - {k}" for k in i.keuzes_en)]
    return "\n".join(out) + "\n"


def to_html(indicators: list[Indicator]) -> str:
    """A self-contained page: inline CSS, no scripts, nothing fetched from the network."""
    e = html.escape
    rows = "".join(
        f"<tr><td><a href='#{e(i.id)}'>{e(i.id)}</a></td><td>{e(i.naam_nl)}</td><td>{e(i.naam_en)}</td>"
        f"<td>{e(i.eenheid)}</td><td>{e(', '.join(i.niveaus))}</td></tr>"
        for i in indicators
    )
    rules = "".join(
        f"<dt>{e(name)} <code>{e(sql_models()[name].relative_path)}</code></dt><dd>{e(sql_definition(name, 'NL'))}"
        f"<br><em>EN:</em> {e(sql_definition(name, 'EN'))}</dd>"
        for name in SHARED_RULES
    )
    sections = []
    for i in indicators:
        fields = "".join(f"<dt>{e(label)}</dt><dd>{e(value)}</dd>" for label, value in _fields(i))
        choices = ""
        if i.keuzes_nl:
            choices = (
                "<dt>Keuzes</dt><dd><ul>" + "".join(f"<li>{e(k)}</li>" for k in i.keuzes_nl) + "</ul></dd>"
                "<dt>Choices</dt><dd><ul>" + "".join(f"<li>{e(k)}</li>" for k in i.keuzes_en) + "</ul></dd>"
            )
        sections.append(
            f"<section id='{e(i.id)}'><h2>{e(i.id)} {e(i.naam_nl)}</h2><dl>{fields}{choices}</dl></section>"
        )
    style = (
        "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}"
        "dt{font-weight:600;margin-top:.5rem}dd{margin-left:1.5rem}section{border-top:1px solid #ddd;margin-top:1.5rem}"
    )
    return (
        "<!DOCTYPE html>\n<html lang='nl'><head><meta charset='utf-8'>"
        f"<title>{e(TITLE['nl'])}</title><style>{style}</style></head><body>"
        f"<h1>{e(TITLE['nl'])} / {e(TITLE['en'])}</h1><p>{e(_generated_note())}</p>"
        "<table><tr><th>ID</th><th>Naam</th><th>Name</th><th>Eenheid</th><th>Niveaus</th></tr>"
        f"{rows}</table><h2>Gedeelde regels / shared rules</h2><dl>{rules}</dl>{''.join(sections)}"
        "</body></html>\n"
    )


def _generated_note() -> str:
    return (
        "Gegenereerd uit sql/catalogue.yaml en de commentaarblokken van sql/*.sql; niet met de hand bewerken. "
        "Generated from sql/catalogue.yaml and the comment blocks of sql/*.sql; do not edit by hand."
    )


def write_catalogue(folder: Path, documents_only: bool = False) -> list[Path]:
    """Write the catalogue files into `folder`; `documents_only`: Markdown and HTML (for docs/).

    JSON and Parquet hold the same table (one row per indicator) for the dashboard."""
    indicators = load_indicators()
    folder.mkdir(parents=True, exist_ok=True)
    md, page, js, pq = (folder / name for name in CATALOGUE_FILES)
    md.write_text(to_markdown(indicators), encoding="utf-8")
    page.write_text(to_html(indicators), encoding="utf-8")
    if documents_only:
        return [md, page]
    frame = catalogue_frame(indicators)
    js.write_text(json.dumps(frame.to_dicts(), indent=2, ensure_ascii=False), encoding="utf-8")
    frame.write_parquet(pq)
    return [md, page, js, pq]


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else PROJECT_ROOT / "docs"
    for path in write_catalogue(target, documents_only=True):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
