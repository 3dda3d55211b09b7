"""The processing as a whole (`contracts/processing.yaml`) and the measured figures that fill the DPIA's "after" table.

A DPIA and a record of processing say things no single source contract does: who the controller is, which parties
hold what, the risks found and the measures against them. They live in one validated file, so the generator only
arranges facts and a privacy officer edits YAML, not Python. Figures measured after the measures (by `monitor
audit` on the demo) come from a separate JSON file the lead fills in; a risk without a figure reads "nog niet
gemeten", never a guess.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipelines.lib.settings import PROJECT_ROOT
from pseudonymisation.contract import CONTRACTS_DIR, ContractError

PROCESSING_FILE = CONTRACTS_DIR / "processing.yaml"
MEASUREMENTS_FILE = PROJECT_ROOT / "docs" / "dpia-measurements.json"
NOT_MEASURED = "nog niet gemeten"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Party(_Strict):
    """One role in the data flow and what it holds, can and cannot do: a row of the threat model."""

    name: str
    who: str
    runs: str
    holds: str
    receives: str
    can: str
    cannot: str
    threat: str


class Risk(_Strict):
    """A risk the audit of issue 15 measured, with the figure before and the measure that addresses it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    risk: str
    before: str
    impact: str
    measure: str


class Processing(_Strict):
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    controller: str
    contact: str
    proposal: str
    purpose: str
    dataSubjects: list[str]
    recipients: list[str]
    transfers: str
    parties: list[Party]
    flows: list[tuple[str, str, str]]
    interests: list[str]
    locations: list[str]
    technique: str
    frameworks: list[str]
    retentionNote: str
    purposeLimitation: str
    proportionality: str
    subsidiarity: str
    rights: list[tuple[str, str]]
    risks: list[Risk]
    security: list[str]
    measures: list[str]

    @model_validator(mode="after")
    def _unique_risks(self) -> Processing:
        ids = [r.id for r in self.risks]
        if len(ids) != len(set(ids)):
            raise ValueError(f"risk ids must be unique: {ids}")
        return self


class Measurements(_Strict):
    """Figures measured after the measures, per risk id (`docs/dpia-measurements.json`)."""

    measured_on: str
    how: str
    figures: dict[str, str]


def load_processing(path: Path = PROCESSING_FILE) -> Processing:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ContractError(f"{path}: not valid YAML: {exc}") from None
    try:
        return Processing.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(part) for part in err["loc"])
        raise ContractError(f"{path}: {where}: {err['msg']}") from None


def load_measurements(processing: Processing, path: Path = MEASUREMENTS_FILE) -> Measurements | None:
    """The measured figures, or None when nothing has been measured yet; a figure for an unknown risk is an error."""
    if not path.is_file():
        return None
    try:
        measured = Measurements.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except json.JSONDecodeError as exc:
        raise ContractError(f"{path}: not valid JSON: {exc}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ContractError(f"{path}: {'.'.join(str(part) for part in err['loc'])}: {err['msg']}") from None
    unknown = sorted(set(measured.figures) - {r.id for r in processing.risks})
    if unknown:
        known = ", ".join(r.id for r in processing.risks)
        raise ContractError(f"{path}: figures for unknown risk(s) {', '.join(unknown)}; known: {known}")
    return measured
