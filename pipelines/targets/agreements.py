"""The targets file (streefwaarden): the partners' agreements as validated, typed objects.

Why a file and a schema: a target is an agreement between gemeente, school boards and samenwerkingsverband
(often in the OOGO, the statutory consultation), not a setting of the monitor. It is recorded once, versioned with
the monitor's configuration, and refused with the file, the target and the field named when it is malformed, so a
typo never turns into a status on the dashboard. `targets/streefwaarden.schema.json` is generated from the model
here (`python -m pipelines.targets.agreements schema`), like the contracts' schema; every field is described in
Dutch and English.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipelines.indicators.catalogue import load_indicators
from pipelines.lib.settings import PROJECT_ROOT

SCHEMA_FILE = PROJECT_ROOT / "targets" / "streefwaarden.schema.json"
SCHOOL_YEAR = r"^\d{4}/\d{4}$"


class TargetsError(ValueError):
    """The targets file is malformed; the message names the file, the target and the field."""


def _start(schooljaar: str) -> int:
    return int(schooljaar[:4])


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(Strict):
    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Units(Strict):
    """Which units a target covers: one status per unit."""

    niveau: Literal["gemeente", "wijk", "school"] = Field(
        description="Niveau van de cellen: gemeente, wijk of school. | Level of the cells: gemeente, wijk or school."
    )
    eenheden: tuple[str, ...] = Field(
        default=(),
        description="Codes van de eenheden (een school: BRIN + vestigingsnummer; de scholen van een "
        "samenwerkingsverband: hun codes); leeg bij de gemeente of een sector. | Codes of the units (a school: "
        "BRIN + location number; the schools of a samenwerkingsverband: their codes); empty for the gemeente or a "
        "sector.",
    )
    sector: Literal["po", "vo_mbo"] | None = Field(
        default=None,
        description="Alle scholen van een sector: po (scholen met BAO/SBO-leerlingen) of vo_mbo (met VO/MBO-"
        "leerlingen). | All schools of a sector: po (schools with BAO/SBO pupils) or vo_mbo (with VO/MBO pupils).",
    )
    naam: str | None = Field(
        default=None,
        description="Naam van de groep, bijvoorbeeld het samenwerkingsverband. | Name of the group, e.g. the "
        "samenwerkingsverband.",
    )

    @model_validator(mode="after")
    def _one_way(self) -> Units:
        if self.niveau == "gemeente" and (self.eenheden or self.sector):
            raise ValueError("a gemeente target names no units and no sector")
        if self.niveau != "gemeente" and bool(self.eenheden) == bool(self.sector):
            raise ValueError(f"a {self.niveau} target names either its units or (schools only) a sector")
        if self.sector and self.niveau != "school":
            raise ValueError("a sector covers schools only")
        return self


class Baseline(Strict):
    schooljaar: str = Field(
        pattern=SCHOOL_YEAR, description="Basisjaar, bijvoorbeeld 2022/2023. | Baseline school year."
    )
    bron: str = Field(
        default="monitor",
        description="Waar de basiswaarde vandaan komt: 'monitor' (de gepubliceerde cel van het basisjaar) of de "
        "naam van een andere bron, met de waarde erbij. | Where the baseline comes from: 'monitor' (the published "
        "cell of the baseline year) or the name of another source, with its value.",
    )
    waarde: float | None = Field(
        default=None,
        description="De basiswaarde uit die andere bron; leeg bij 'monitor'. | The baseline from that other "
        "source; empty for 'monitor'.",
    )

    @model_validator(mode="after")
    def _source(self) -> Baseline:
        if (self.bron == "monitor") != (self.waarde is None):
            raise ValueError("bron 'monitor' takes no waarde; any other bron needs one")
        return self


class Goal(Strict):
    schooljaar: str = Field(pattern=SCHOOL_YEAR, description="Doeljaar. | Target school year.")
    waarde: float | None = Field(
        default=None, description="Streefwaarde in de eenheid van de indicator. | Target in the indicator's unit."
    )
    relatief: float | None = Field(
        default=None,
        description="Of: relatieve verandering ten opzichte van de basiswaarde, -0.25 = een kwart lager. | Or: "
        "relative change from the baseline, -0.25 = a quarter lower.",
    )

    @model_validator(mode="after")
    def _one(self) -> Goal:
        if (self.waarde is None) == (self.relatief is None):
            raise ValueError("a goal is either a waarde or a relatief change")
        return self


class Agreement(Strict):
    overleg: str = Field(min_length=1, description="Waar het is afgesproken, bijvoorbeeld OOGO. | Where: e.g. OOGO.")
    datum: date = Field(description="Datum van de afspraak. | Date of the agreement.")
    partijen: tuple[str, ...] = Field(min_length=1, description="Wie het afsprak. | Who agreed it.")


class Target(Strict):
    """One agreed target: an indicator (and category), the units it covers, a baseline, a goal, an agreement."""

    id: str = Field(pattern=r"^[a-z0-9-]+$", description="Korte naam, uniek. | Short name, unique.")
    omschrijving: Bilingual = Field(description="De ambitie in gewone woorden. | The ambition in plain words.")
    indicator: str = Field(description="Indicator uit de catalogus, bijvoorbeeld E1. | Catalogue indicator.")
    categorie: str | None = Field(
        default=None,
        description="Categorie als de indicator een dimensie heeft, bijvoorbeeld 'met'. | Category when the "
        "indicator has a dimension.",
    )
    eenheden: Units
    basis: Baseline
    doel: Goal
    afspraak: Agreement

    @model_validator(mode="after")
    def _years(self) -> Target:
        if _start(self.doel.schooljaar) <= _start(self.basis.schooljaar):
            raise ValueError("the target year must come after the baseline year")
        for year in (self.basis.schooljaar, self.doel.schooljaar):
            if _start(year) + 1 != int(year[5:]):
                raise ValueError(f"{year!r} is not a school year t/t+1")
        return self


class TargetsFile(Strict):
    apiVersion: Literal["jeugdmonitor-streefwaarden/v1"] = Field(description="Formaat. | Format.")
    versie: str = Field(
        min_length=1, description="Versie van de afspraken, bijvoorbeeld 2024-1. | Version of the agreements."
    )
    gemeente: str = Field(pattern=r"^GM\d{4}$", description="CBS-code van de gemeente. | The gemeente's CBS code.")
    streefwaarden: tuple[Target, ...] = Field(description="De afspraken. | The agreements.")


def _check_catalogue(targets: TargetsFile) -> list[str]:
    """What the schema cannot know: the indicator exists, has that level and category; ids are unique."""
    catalogue = {i.id: i for i in load_indicators()}
    problems = []
    seen: set[str] = set()
    for t in targets.streefwaarden:
        where = f"target {t.id!r}"
        if t.id in seen:
            problems.append(f"{where}: id used twice")
        seen.add(t.id)
        entry = catalogue.get(t.indicator)
        if entry is None:
            problems.append(f"{where}, field indicator: {t.indicator!r} is not in the catalogue")
            continue
        if t.eenheden.niveau not in entry.niveaus:
            problems.append(f"{where}, field eenheden.niveau: {t.indicator} has no {t.eenheden.niveau} cells")
        if entry.dimensie is None and t.categorie is not None:
            problems.append(f"{where}, field categorie: {t.indicator} has no dimension")
        if entry.dimensie is not None and (t.categorie is None or t.categorie not in (entry.categorieen or ())):
            problems.append(f"{where}, field categorie: {t.indicator} needs one of {list(entry.categorieen or ())}")
    return problems


def load_targets(path: Path) -> TargetsFile | None:
    """The targets file, validated; None when there is none (a monitor without agreements yet)."""
    if not path.is_file():
        return None
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, ValueError) as exc:  # PyYAML raises ValueError for an impossible date
        raise TargetsError(f"{path}: not readable as YAML: {exc}") from None
    try:
        targets = TargetsFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise TargetsError(f"{path}: field {field}: {first['msg']}") from None
    if problems := _check_catalogue(targets):
        raise TargetsError(f"{path}: {problems[0]}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    return targets


def json_schema() -> str:
    return json.dumps(TargetsFile.model_json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    if argv != ["schema"]:
        print("usage: python -m pipelines.targets.agreements schema", file=sys.stderr)
        return 2
    SCHEMA_FILE.write_text(json_schema(), encoding="utf-8")
    print(SCHEMA_FILE.relative_to(PROJECT_ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
