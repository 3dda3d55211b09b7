"""The real gemeenten a synthetic region is made of: CBS codes and names, jeugdregio, PC4s and samenwerkingsverbanden.

Why: a region's inbox must use the codes and postcode areas the monitor's reference tables know (the legal table
PC4 → PO/VO samenwerkingsverband, the jeugdregio per gemeente), so that every level the monitor computes can be
reached. Only the places are real; sizes are a proxy (the number of PC4 areas, README "Regions and the country").
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DATA = Path(__file__).parent / "data"
ALMERE = "GM0034"
# Jeugdregio Flevoland first (Almere's own), then the regions around it; after these every other one by code.
NEIGHBOURS = ("JZ08", "JZ16", "JZ12", "JZ13", "JZ07", "JZ20", "JZ09", "JZ21", "JZ22")


@dataclass(frozen=True)
class Gemeente:
    """One gemeente of 1-1-2026 with its PC4s (2015 regio-indeling, mapped to 2026) and their swv per PC4."""

    code: str  # GM0034
    naam: str
    provincie: str
    jeugdregio: str  # JZ08
    jeugdregionaam: str
    pc4: tuple[str, ...]
    po_swv: tuple[str, ...]  # per PC4
    vo_swv: tuple[str, ...]

    @property
    def number(self) -> int:
        """The CBS number without prefix (34), as DUO's GEMEENTENUMMER and CBS's integer codes carry it."""
        return int(self.code[2:])

    @property
    def size(self) -> float:
        """Size relative to Almere (PC4 areas of this gemeente / Almere's 42): Almere is 1 at any scale."""
        return len(self.pc4) / len(gemeenten()[ALMERE].pc4)

    def swv_of(self, pc4: str, sector: str) -> str | None:
        """The PO or VO samenwerkingsverband of one of this gemeente's PC4s (None: not in the 2015 table)."""
        swv = self.po_swv if sector == "PO" else self.vo_swv
        return swv[self.pc4.index(pc4)] if pc4 in self.pc4 else None


@cache
def gemeenten() -> dict[str, Gemeente]:
    """All 342 gemeenten by code (data/gemeenten.csv, derived by derive_reference.derive_gemeenten)."""
    out: dict[str, Gemeente] = {}
    with (_DATA / "gemeenten.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter=";"):
            cells = [c.split(":") for c in r["pc4"].split()]
            out[r["gemeentecode"]] = Gemeente(
                r["gemeentecode"],
                r["gemeentenaam"],
                r["provincienaam"],
                r["jeugdregiocode"],
                r["jeugdregionaam"],
                tuple(c[0] for c in cells),
                tuple(c[1] for c in cells),
                tuple(c[2] for c in cells),
            )
    return out


def _by_nearness() -> list[Gemeente]:
    """Every gemeente, Almere first, then jeugdregio by jeugdregio (NEIGHBOURS, then by code), larger first."""
    order = {jr: i for i, jr in enumerate(NEIGHBOURS)}
    return sorted(
        gemeenten().values(),
        key=lambda g: (g.code != ALMERE, order.get(g.jeugdregio, len(order)), g.jeugdregio, -len(g.pc4), g.code),
    )


def region(n: int) -> tuple[Gemeente, ...]:
    """The ``n`` gemeenten around Almere: jeugdregio Flevoland (6) first, then the neighbouring regions."""
    every = _by_nearness()
    if not 1 <= n <= len(every):
        raise ValueError(f"a region has 1 to {len(every)} gemeenten, not {n}")
    return tuple(every[:n])


def national() -> tuple[Gemeente, ...]:
    """All 342 gemeenten, Almere first (the run's [gemeente])."""
    return tuple(_by_nearness())


def named(codes: list[str]) -> tuple[Gemeente, ...]:
    """The gemeenten of an explicit list of codes (GM0034,GM0995), in that order."""
    known = gemeenten()
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValueError(f"unknown gemeente code(s): {', '.join(unknown)} (CBS codes such as GM0034)")
    if len(set(codes)) != len(codes):
        raise ValueError("a gemeente is listed twice")
    return tuple(known[c] for c in codes)
