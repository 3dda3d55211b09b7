"""The hashing configuration (contracts/pseudonymisation.yaml) as a validated, typed object."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from pseudonymisation.package_data import HASHING_CONFIG

GEMEENTE_CODE = re.compile(r"GM\d{4}")
DEFAULT_CONFIG_PATH = HASHING_CONFIG


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IdentifierType(_Strict):
    validation: str
    description: str


class OutputConfig(_Strict):
    encoding: Literal["hex"]
    length: int = Field(ge=16, le=64)


class KeyConfig(_Strict):
    """The single-key mode's key (demo and tests only); holder and TTP keys come from their command lines."""

    id: str
    environment_variable: str
    file_environment_variable: str
    min_bytes: int = Field(ge=32)
    rotation_due: date


class FingerprintConfig(_Strict):
    label: str
    length: int = Field(ge=8, le=64)


class HashingConfig(_Strict):
    version: str
    algorithm: Literal["HMAC-SHA-256"]
    scheme: Literal["two-step"]
    # A template: `{gemeente}` is the configured gemeente code (lower case); see `for_gemeente`.
    domain_label: str = Field(min_length=3, pattern=r"\{gemeente\}")
    identifier_types: dict[str, IdentifierType]
    output: OutputConfig
    key: KeyConfig
    fingerprint: FingerprintConfig

    def for_gemeente(self, gemeente_code: str) -> HashingConfig:
        """This configuration with the domain label of one gemeente (`GM0034` → `jeugdmonitor-gm0034-v1`).

        The label separates domains: the same key in another gemeente or project gives unrelated pseudonyms."""
        if not GEMEENTE_CODE.fullmatch(gemeente_code):
            raise ValueError(f"{gemeente_code!r} is not a CBS gemeente code (GM followed by four digits).")
        return self.model_copy(update={"domain_label": self.domain_label.format(gemeente=gemeente_code.lower())})

    @property
    def resolved(self) -> bool:
        """Whether the domain label names a gemeente (a template cannot pseudonymise)."""
        return "{gemeente}" not in self.domain_label


def load_hashing_config(path: Path = DEFAULT_CONFIG_PATH) -> HashingConfig:
    """Read and validate the hashing configuration; a malformed file fails before any data is touched."""
    with path.open(encoding="utf-8") as handle:
        return HashingConfig.model_validate(yaml.safe_load(handle))
