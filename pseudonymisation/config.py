"""The hashing configuration (contracts/pseudonymisation.yaml) as a validated, typed object."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

DEFAULT_CONFIG_PATH = Path(__file__).resolve().parents[1] / "contracts" / "pseudonymisation.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IdentifierType(_Strict):
    validation: str
    description: str


class OutputConfig(_Strict):
    encoding: Literal["hex"]
    length: int = Field(ge=16, le=64)


class KeyConfig(_Strict):
    id: str
    environment_variable: str
    file_environment_variable: str
    min_bytes: int = Field(ge=16)
    file_must_not_be_world_readable: bool
    rotation_due: date


class FingerprintConfig(_Strict):
    label: str
    length: int = Field(ge=8, le=64)


class HashingConfig(_Strict):
    version: str
    algorithm: Literal["HMAC-SHA-256"]
    domain_label: str = Field(min_length=3)
    identifier_types: dict[str, IdentifierType]
    output: OutputConfig
    key: KeyConfig
    fingerprint: FingerprintConfig


def load_hashing_config(path: Path = DEFAULT_CONFIG_PATH) -> HashingConfig:
    """Read and validate the hashing configuration; a malformed file fails before any data is touched."""
    with path.open(encoding="utf-8") as handle:
        return HashingConfig.model_validate(yaml.safe_load(handle))
