"""Almere's 2024 wijk/buurt indeling and a synthetic address register (PC6 + huisnummer per buurt).

Why: residence, schools and the CBS lookup file (pc6hnr.csv) must agree, so every address is drawn from one
register that knows its buurt and wijk. Populations and youth-care shares per buurt come from CBS (see
data/README.md) so that wijk differences in the monitor look like Almere's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from dev.synthetic.places import ALMERE, Gemeente, gemeenten

_DATA = Path(__file__).parent / "data"
GEMEENTE_CODE = "GM0034"
# Almere's stadsdelen by the first three digits of the PC4.
DISTRICTS = {
    "131": "Almere-Stad",
    "132": "Almere-Stad",
    "133": "Almere-Buiten",
    "134": "Almere-Hout",
    "135": "Almere-Haven",
    "136": "Almere-Poort",
    "130": "Almere-Pampus",
}
GEMEENTE_PCT = 11.7

STREET_PARTS = (
    "Polder",
    "Dijk",
    "Meer",
    "Riet",
    "Zeil",
    "Eiland",
    "Kade",
    "Wind",
    "Duin",
    "Vlinder",
    "Kraanvogel",
    "Lepelaar",
    "Vuurtoren",
    "Zandloper",
    "Kompas",
    "Ankers",
    "Hout",
    "Molen",
    "Roeiers",
    "Waterlelie",
    "Boeg",
    "Sluis",
    "Getijden",
    "Horizon",
    "Klaproos",
    "Esdoorn",
    "Wilgen",
    "Zwanen",
    "Fuut",
    "Plevier",
)
STREET_SUFFIXES = ("straat", "laan", "weg", "pad", "hof", "kade", "singel", "plein", "dreef", "gracht")


@dataclass(frozen=True)
class Geography:
    """Buurten (with weights) and the address register derived from them, of one gemeente or of a region."""

    buurten: pl.DataFrame  # buurtcode, wijkcode, k_0_14, k_15_24, jeugdzorg_pct, pc4, gemeente_idx
    wijken: pl.DataFrame  # wijkcode, wijknaam
    addresses: pl.DataFrame  # address_id, buurt_idx, postcode, huisnummer, straat
    gemeenten: tuple[Gemeente, ...] = field(default_factory=lambda: (gemeenten()[ALMERE],))  # by gemeente_idx

    def buurt_weights(self, column: str) -> npt.NDArray[np.float64]:
        """Probability of each buurt proportional to a CBS count column."""
        w = self.buurten[column].to_numpy().astype(np.float64)
        return w / w.sum()

    def gemeente_of_buurt(self) -> npt.NDArray[np.int64]:
        """Index into ``gemeenten`` of every buurt."""
        return self.buurten["gemeente_idx"].to_numpy().astype(np.int64)

    def district_of_buurt(self) -> list[str]:
        """The area a buurt's schools and pupils belong to: Almere's stadsdeel (by PC4), else the gemeente."""
        names = [g.naam for g in self.gemeenten]
        return [
            DISTRICTS.get(str(p)[:3], "Almere-Stad") if self.gemeenten[g].code == ALMERE else names[g]
            for p, g in zip(self.buurten["pc4"].to_list(), self.gemeente_of_buurt().tolist(), strict=True)
        ]


def load_buurten() -> pl.DataFrame:
    """The derived 2024 buurt table of Almere, sorted by code (``gemeente_idx`` 0: Almere alone)."""
    buurten = pl.read_csv(_DATA / "buurten.csv", schema_overrides={"pc4": pl.Utf8}).sort("buurtcode")
    return buurten.with_columns(pl.lit(0, dtype=pl.Int64).alias("gemeente_idx"))


def load_wijken() -> pl.DataFrame:
    """The 71 wijken of the 2022+ indeling with derived names."""
    return pl.read_csv(_DATA / "wijken.csv").sort("wijkcode")


def street_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` fictional Dutch street names (combinations, so they need not exist)."""
    parts = rng.integers(0, len(STREET_PARTS), n)
    suffix = rng.integers(0, len(STREET_SUFFIXES), n)
    return [STREET_PARTS[p] + STREET_SUFFIXES[s] for p, s in zip(parts, suffix, strict=True)]


def build_geography(
    rng: np.random.Generator,
    scale: float,
    buurten: pl.DataFrame | None = None,
    wijken: pl.DataFrame | None = None,
    places: tuple[Gemeente, ...] | None = None,
) -> Geography:
    """Create an address register: per buurt a number of PC6 codes and house numbers ∝ its youth count.

    PC6 letters are unique per PC4 so a PC6 belongs to exactly one buurt (as in most of the CBS file). Without
    ``buurten``, ``wijken`` and ``places`` (a region's, dev.synthetic.region): Almere's.
    """
    buurten = load_buurten() if buurten is None else buurten
    wijken = load_wijken() if wijken is None else wijken
    youth = (buurten["k_0_14"] + buurten["k_15_24"]).to_numpy().astype(np.float64)
    n_addr = np.ceil(youth * 0.75 * max(scale, 0.02)).astype(np.int64) + 4
    pc4 = buurten["pc4"].to_list()
    letters = [a + b for a in "ABCDEFGHJKLMNPRSTVWXZ" for b in "ABCDEFGHJKLMNPRSTVWXZ"]
    used: dict[str, int] = {}
    rows_pc6: list[str] = []
    rows_buurt: list[int] = []
    rows_nr: list[int] = []
    rows_street: list[str] = []
    for b_idx, (p4, n) in enumerate(zip(pc4, n_addr.tolist(), strict=True)):
        per_pc6 = 24
        n_pc6 = max(1, -(-n // per_pc6))
        streets = street_names(rng, max(1, n_pc6 // 3 + 1))
        for k in range(n_pc6):
            idx = used.get(p4, 0)
            used[p4] = idx + 1
            # Beyond 441 letter pairs per PC4 (only at very large scales) the house numbers grow instead.
            pc6 = p4 + letters[idx % len(letters)]
            offset = (idx // len(letters)) * 1000
            count = min(per_pc6, n - k * per_pc6)
            start = int(rng.integers(1, 200))
            for j in range(count):
                rows_pc6.append(pc6)
                rows_buurt.append(b_idx)
                rows_nr.append(offset + start + 2 * j)
                rows_street.append(streets[k // 3])
    addresses = pl.DataFrame(
        {
            "address_id": np.arange(len(rows_pc6), dtype=np.int64),
            "buurt_idx": np.array(rows_buurt, dtype=np.int64),
            "postcode": rows_pc6,
            "huisnummer": np.array(rows_nr, dtype=np.int64),
            "straat": rows_street,
        }
    )
    if places is None:
        return Geography(buurten=buurten, wijken=wijken, addresses=addresses)
    return Geography(buurten=buurten, wijken=wijken, addresses=addresses, gemeenten=places)


def pick_addresses(rng: np.random.Generator, geo: Geography, buurt_idx: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """A random address_id inside each requested buurt (vectorised via per-buurt offsets)."""
    counts = geo.addresses.group_by("buurt_idx").len().sort("buurt_idx")
    n_per = np.zeros(geo.buurten.height, dtype=np.int64)
    n_per[counts["buurt_idx"].to_numpy()] = counts["len"].to_numpy()
    first = np.concatenate([[0], np.cumsum(n_per)[:-1]])
    return first[buurt_idx] + np.floor(rng.random(buurt_idx.size) * n_per[buurt_idx]).astype(np.int64)


def buurten_in(
    rng: np.random.Generator, geo: Geography, gemeente_idx: npt.NDArray[np.int64], column: str = "k_0_14"
) -> npt.NDArray[np.int64]:
    """A buurt of each requested gemeente, drawn ∝ ``column`` among that gemeente's buurten."""
    of_buurt = geo.gemeente_of_buurt()
    weight = geo.buurten[column].to_numpy().astype(np.float64)
    out = np.full(gemeente_idx.size, -1, dtype=np.int64)
    for g in np.unique(gemeente_idx):
        rows = np.flatnonzero(gemeente_idx == g)
        own = np.flatnonzero(of_buurt == g)
        w = weight[own] + 1e-9
        out[rows] = own[rng.choice(own.size, rows.size, p=w / w.sum())]
    return out
