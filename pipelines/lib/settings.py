"""Run settings: where inputs and outputs live, and the municipality's configuration (monitor.toml).

Paths are kept together so that every stage writes in its own folder under one output root:
`warehouse/` (person-level, pseudonymised, never published), `publish/` (protected aggregates only) and
`dagster/` (the run history). Nothing here holds a secret: the key is read by `pseudonymisation.key`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = PROJECT_ROOT / "monitor.toml"
SQL_DIR = PROJECT_ROOT / "sql"
CONFIG_VARIABLE = "MONITOR_CONFIG"  # another monitor.toml, as `monitor ui` passes it to Dagster's processes


def configured_path() -> Path:
    """The configuration in use: MONITOR_CONFIG when set, else the repository's monitor.toml."""
    return Path(os.environ.get(CONFIG_VARIABLE) or DEFAULT_CONFIG)


class ConfigError(ValueError):
    """monitor.toml asks for something the monitor refuses; the message says what to change."""


@dataclass(frozen=True)
class DisclosureRules:
    """The disclosure rules (monitor.toml [disclosure], spec §4), stated once: the protect stage applies them,
    the independent check verifies them, the dashboard's legend names them. What each does: `protect.suppression`
    and docs/disclosure-control.md."""

    min_teller: int = 10  # a count (and the persons behind any cell) below this is hidden
    min_noemer: int = 50  # a rate on fewer pupils than this is hidden
    min_cost_persons: int = 10  # an amount resting on fewer persons than this is hidden
    max_dominance_share: float = 0.5  # an amount one person holds more than this share of is hidden
    protection_margin: float = 3.0  # the least width of every hidden count's interval
    round_to: int = 0  # round published counts to a multiple of this (0: off)
    zero_for_small: bool = True  # a hidden count below min_teller must keep 0 in its interval

    def __post_init__(self) -> None:
        if min(self.min_teller, self.min_noemer, self.min_cost_persons) < 1:
            raise ConfigError("[disclosure] min_teller, min_noemer and min_cost_persons must be at least 1.")
        if not 0 < self.max_dominance_share <= 1:
            raise ConfigError("[disclosure] max_dominance_share must lie in (0, 1], e.g. 0.5.")
        if self.protection_margin < 0 or self.round_to < 0:
            raise ConfigError("[disclosure] protection_margin and round_to cannot be negative.")

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> DisclosureRules:
        """From monitor.toml's [disclosure] table; an unknown key is refused (a typo would silently keep a
        default)."""
        known = {f.name: f.type for f in fields(cls)}
        unknown = sorted(set(table) - set(known))
        if unknown:
            raise ConfigError(f"[disclosure] has unknown setting(s) {', '.join(unknown)}; known: {', '.join(known)}.")
        defaults = cls()
        return cls(**{name: type(getattr(defaults, name))(value) for name, value in table.items()})


@dataclass(frozen=True)
class PseudonymisationSettings:
    """How identifiers reach the analyst: two-step (no key here) or single-key (tests and trials only)."""

    mode: str = "single-key"
    production: bool = False
    source_key_fingerprint: str = ""
    ttp_key_fingerprint: str = ""

    def __post_init__(self) -> None:
        if self.mode not in ("two-step", "single-key"):
            raise ConfigError(f"[pseudonymisation] mode = {self.mode!r}: choose 'two-step' or 'single-key'.")
        if self.mode == "single-key" and self.production:
            raise ConfigError(
                "[pseudonymisation] mode = 'single-key' is refused with production = true: the analyst would hold "
                "the key and could reverse every pseudonym. Use mode = 'two-step' (docs/pseudonymisation.md)."
            )
        if self.mode == "two-step" and not (self.source_key_fingerprint and self.ttp_key_fingerprint):
            raise ConfigError(
                "[pseudonymisation] mode = 'two-step' needs source_key_fingerprint and ttp_key_fingerprint (the "
                "fingerprints that `pseudonymise` and `pseudonymise-ttp` print)."
            )

    @property
    def keyless(self) -> bool:
        return self.mode == "two-step"


@dataclass(frozen=True)
class MonitorConfig:
    gemeente_code: str
    gemeente_naam: str
    dyslexia_product_codes: tuple[str, ...]
    disclosure: DisclosureRules
    max_quarantine_share: float
    region: tuple[tuple[str, str], ...] = ()
    max_volume_change: float = 0.5
    keep_runs: int = 50
    stable_seconds: float = 2.0
    pseudonymisation: PseudonymisationSettings = PseudonymisationSettings()
    k_anonymity_k: int = 5
    max_share_unique: float = 0.01
    max_share_below_k: float = 0.05
    k_anonymity_groups: tuple[str, ...] = ("brin", "vestigingsnummer", "onderwijssoort")
    four_eyes: bool = False  # a run prepares the publication; a second person shows it (`monitor release`)
    targets_file: Path = PROJECT_ROOT / "targets" / "streefwaarden.yaml"  # the agreed targets (streefwaarden)
    national: bool = False  # the run covers every gemeente of the country: it publishes the level `nederland`
    peers: tuple[tuple[str, tuple[str, ...]], ...] = ()  # per gemeente the gemeenten it is compared with

    @property
    def gemeenten(self) -> dict[str, str]:
        """Code → name of every gemeente the monitor computes: its own first, then the rest of its region."""
        return {self.gemeente_code: self.gemeente_naam, **dict(self.region)}

    @classmethod
    def load(cls, path: Path = DEFAULT_CONFIG) -> MonitorConfig:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
        privacy = raw.get("privacy", {})
        return cls(
            gemeente_code=raw["gemeente"]["code"],
            gemeente_naam=raw["gemeente"]["naam"],
            dyslexia_product_codes=tuple(raw["indicators"]["dyslexia_product_codes"]),
            disclosure=DisclosureRules.from_table(raw["disclosure"]),
            max_quarantine_share=float(raw["quality"]["max_quarantine_share"]),
            region=tuple((str(code), str(name)) for code, name in raw.get("region", {}).get("gemeenten", {}).items()),
            max_volume_change=float(raw["quality"].get("max_volume_change", 0.5)),
            keep_runs=int(raw.get("runs", {}).get("keep_runs", 50)),
            stable_seconds=float(raw.get("inbox", {}).get("stable_seconds", 2.0)),
            pseudonymisation=PseudonymisationSettings(**raw.get("pseudonymisation", {})),
            k_anonymity_k=int(privacy.get("k", cls.k_anonymity_k)),
            max_share_unique=float(privacy.get("max_share_unique", cls.max_share_unique)),
            max_share_below_k=float(privacy.get("max_share_below_k", cls.max_share_below_k)),
            k_anonymity_groups=tuple(privacy.get("group_columns", cls.k_anonymity_groups)),
            four_eyes=bool(raw.get("publish", {}).get("four_eyes", False)),
            targets_file=PROJECT_ROOT / raw.get("targets", {}).get("file", "targets/streefwaarden.yaml"),
            national=bool(raw.get("region", {}).get("national", False)),
            peers=tuple((str(g), tuple(map(str, p))) for g, p in raw.get("region", {}).get("peers", {}).items()),
        )


@dataclass(frozen=True)
class Paths:
    """The folders of one monitor installation: an inbox of exports and an output root."""

    inbox: Path
    out: Path

    @cached_property
    def warehouse(self) -> Path:
        return self.out / "warehouse"

    @property
    def staged(self) -> Path:
        return self.warehouse / "staged"

    @property
    def quarantine(self) -> Path:
        return self.warehouse / "quarantine"

    @property
    def validation(self) -> Path:
        """Great Expectations results per source (counts and examples, no person keys)."""
        return self.warehouse / "validation"

    @property
    def protected(self) -> Path:
        return self.warehouse / "protected"

    @property
    def duckdb(self) -> Path:
        return self.warehouse / "monitor.duckdb"

    @property
    def receipts(self) -> Path:
        """What left the inbox after each successful ingest (file, size, sha256, row counts; no values)."""
        return self.out / "receipts"

    @property
    def publish(self) -> Path:
        return self.out / "publish"

    @property
    def dagster_home(self) -> Path:
        return self.out / "dagster"
