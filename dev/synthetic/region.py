"""A synthetic region or country: the places, schools, school choice and moves of many gemeenten in one inbox.

Why: the monitor attributes pupils to their gemeente of residence, schools to theirs and youth care through the
person, per samenwerkingsverband and jeugdregio; an inbox of one gemeente cannot show any of that. The region is
made with the same steps as one gemeente (``dev.synthetic.generate``), on one address register spanning every
gemeente; what differs is here: fictional wijken and buurten on each gemeente's real PC4s, schools per gemeente
(the small ones without VO, MBO or special education, whose pupils go to a regional centre), the school choice
that makes pupils cross borders, and moves between gemeenten. README "Regions and the country".
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from dev.synthetic.dates import NAT
from dev.synthetic.geography import Geography, build_geography, buurten_in, load_buurten, load_wijken, pick_addresses
from dev.synthetic.identifiers import make_agb_codes, make_brins
from dev.synthetic.places import ALMERE, Gemeente
from dev.synthetic.population import RESIDENT
from dev.synthetic.schools import ALMERE_MBO_DISTRICTS, ALMERE_VO_DISTRICTS, SCHEMA, school_rows
from dev.synthetic.youth_care import YouthCare, providers_of
from pipelines.lib.settings import DEFAULT_CONFIG

ALMERE_PCT = 11.7  # CBS 2024: the share of Almere's young people in youth care, the mean of the fictional buurten
WIJK_NAMES = ("Centrum", "Noord", "Oost", "Zuid", "West", "Noordoost", "Zuidoost", "Zuidwest", "Noordwest")
# Kinds of school a gemeente has when its scaled count rounds to 0 but its jeugdregio would have none.
REGIONAL_KINDS = ("SBO", "SOVSO", "VO-breed", "PRO", "MBO")
PRIMARY = ("BAO", "SBO", "SO")
# Share of pupils at a school of their own gemeente when it has one (the rest: a school of the same
# samenwerkingsverband elsewhere, else of the jeugdregio): PO pupils cross a border rarely, MBO students often.
P_LOCAL = {"BAO": 0.97, "SBO": 0.9, "SO": 0.8, "VSO": 0.75, "PRO": 0.8, "MBO": 0.6}
P_LOCAL_VO = 0.8
MOVE_WITHIN_REGION = 0.5  # of residents who move away during the window: to another gemeente of the region
MOVE_WITHIN_COUNTRY = 0.8  # at --national: nearly every move away stays in the country
SAME_JEUGDREGIO = 0.6  # of those: to a gemeente of the same jeugdregio
EXTERNAL_SHARE = 0.3  # pupils from outside a region, against one gemeente's (at --national: 0.05)


@dataclass(frozen=True)
class Region:
    """The gemeenten of a run, the first being the run's own ([gemeente] of its configuration)."""

    gemeenten: tuple[Gemeente, ...]
    national: bool = False

    @property
    def size(self) -> float:
        """Total size relative to Almere: the scale multiplier of the persons."""
        return sum(g.size for g in self.gemeenten)

    @property
    def external_share(self) -> float:
        return 0.05 if self.national else EXTERNAL_SHARE


def region_geography(rng: np.random.Generator, region: Region, scale: float) -> Geography:
    """Buurten and wijken of every gemeente (Almere's real ones, fictional ones elsewhere) and their addresses."""
    almere = load_buurten()
    totals = {c: float(almere[c].sum()) for c in ("inwoners", "k_0_14", "k_15_24")}
    buurten, wijken = [], []
    for idx, g in enumerate(region.gemeenten):
        if g.code == ALMERE:
            buurten.append(almere.with_columns(pl.lit(idx, dtype=pl.Int64).alias("gemeente_idx")))
            wijken.append(load_wijken())
            continue
        b, w = _fictional_buurten(rng, g, idx, totals)
        buurten.append(b)
        wijken.append(w)
    return build_geography(rng, scale, pl.concat(buurten), pl.concat(wijken), region.gemeenten)


def _fictional_buurten(
    rng: np.random.Generator, g: Gemeente, idx: int, totals: dict[str, float]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """1-3 buurten on each of the gemeente's PC4s, grouped into wijken of about four buurten (CBS-shaped codes
    WK<gggg><ww>, BU<gggg><ww><bb>); youth counts add up to the gemeente's size × Almere's."""
    per_pc4 = rng.integers(1, 4, len(g.pc4))
    pc4 = np.repeat(np.asarray(g.pc4), per_pc4)
    n = pc4.size
    n_wijk = min(99, max(1, math.ceil(n / 4)))
    wijk = np.arange(n) * n_wijk // n
    first = np.searchsorted(wijk, np.arange(n_wijk))
    number = np.arange(n) - first[wijk] + 1
    weight = rng.lognormal(0, 0.5, n)
    weight /= weight.sum()
    older = weight * rng.lognormal(0, 0.2, n)
    older /= older.sum()
    pct = ALMERE_PCT * rng.lognormal(0, 0.15) * rng.lognormal(0, 0.25, n)
    wijkcodes = [f"WK{g.number:04d}{w + 1:02d}" for w in range(n_wijk)]
    names = [
        f"{g.naam} {WIJK_NAMES[w]}" if w < len(WIJK_NAMES) else f"{g.naam} Wijk {w + 1:02d}" for w in range(n_wijk)
    ]
    buurten = pl.DataFrame(
        {
            "buurtcode": [f"BU{g.number:04d}{w + 1:02d}{b:02d}" for w, b in zip(wijk, number, strict=True)],
            "wijkcode": [wijkcodes[w] for w in wijk],
            "inwoners": np.round(weight * totals["inwoners"] * g.size).astype(np.int64),
            "k_0_14": np.round(weight * totals["k_0_14"] * g.size).astype(np.int64),
            "k_15_24": np.round(older * totals["k_15_24"] * g.size).astype(np.int64),
            "jeugdzorg_pct": np.round(np.clip(pct, 2.0, 35.0), 1),
            "jeugdzorg_pct_bron": ["synthetisch"] * n,
            "pc4": pc4.tolist(),
            "pc4_bron": ["regio-indeling 2015"] * n,
            "gemeente_idx": np.full(n, idx, dtype=np.int64),
        }
    )
    return buurten, pl.DataFrame({"wijkcode": wijkcodes, "wijknaam": names})


def _school_plan(region: Region, scale: float) -> tuple[list[dict[str, int]], list[list[tuple[str, str, str]]]]:
    """Schools per kind per gemeente (∝ size, at least one BAO) and the placements that must hit a given
    samenwerkingsverband: one BAO in every PO swv of each gemeente, one VO school in every VO swv of the region
    (at its largest gemeente), and every kind of school somewhere in each jeugdregio (at its largest gemeente)."""
    places = region.gemeenten
    counts = []
    for g in places:
        s = scale * g.size
        counts.append(
            {
                "BAO": max(1, round(64 * s)),
                "SBO": round(5 * s),
                "SOVSO": round(2 * s),
                "VO-breed": round(6 * s),
                "VO-vmbo": round(3 * s),
                "VO-havovwo": round(5 * s),
                "PRO": round(2 * s),
                "MBO": round(2 * s),
            }
        )
    forced: list[list[tuple[str, str, str]]] = [[("BAO", "PO", swv) for swv in sorted(set(g.po_swv))] for g in places]
    largest: dict[str, int] = {}
    for i, g in enumerate(places):
        for swv in set(g.vo_swv):
            if swv not in largest or g.size > places[largest[swv]].size:
                largest[swv] = i
    for swv, i in sorted(largest.items()):
        forced[i].append(("VO-breed", "VO", swv))
    for jr in sorted({g.jeugdregio for g in places}):
        members = [i for i, g in enumerate(places) if g.jeugdregio == jr]
        host = max(members, key=lambda i: (places[i].size, -i))
        for kind in REGIONAL_KINDS:
            if not any(counts[i][kind] for i in members):
                counts[host][kind] = 1
    for i, need in enumerate(forced):
        for kind in ("BAO", "VO-breed"):
            counts[i][kind] = max(counts[i][kind], sum(1 for k, _, _ in need if k == kind))
    return counts, forced


def region_schools(rng: np.random.Generator, geo: Geography, region: Region, scale: float) -> pl.DataFrame:
    """The vestigingen of every gemeente (as build_schools names them), each at an address of its own gemeente
    on a PC4 that the regio-indeling knows, plus ``gemeente_idx``."""
    counts, forced = _school_plan(region, scale)
    brins = iter(make_brins(rng, sum(sum(c.values()) for c in counts)))
    of_buurt = geo.gemeente_of_buurt()
    pc4 = geo.buurten["pc4"].to_list()
    young, old = (geo.buurten[c].to_numpy().astype(np.float64) + 1e-9 for c in ("k_0_14", "k_15_24"))
    frames, buurt_of_school = [], []
    for idx, g in enumerate(region.gemeenten):
        districts = (ALMERE_VO_DISTRICTS, ALMERE_MBO_DISTRICTS) if g.code == ALMERE else _districts(g)
        rows = school_rows(rng, counts[idx], brins, *districts)
        own = np.flatnonzero(of_buurt == idx)
        own = own[[pc4[b] in g.pc4 for b in own]]  # a PC4 the regio-indeling knows, so the school has its swv
        kinds = rows["kind"].to_list()
        buurt = np.empty(len(kinds), dtype=np.int64)
        main = [k for k, v in enumerate(rows["vestnr"].to_list()) if v == "00"]
        taken: set[int] = set()
        pools: dict[int, npt.NDArray[np.int64]] = {}
        for kind, sector, swv in forced[idx]:  # the first main vestigingen of a kind go to the swv that needs one
            k = next(k for k in main if kinds[k] == kind and k not in taken)
            taken.add(k)
            pools[k] = own[[g.swv_of(pc4[b], sector) == swv for b in own]]
        for k, kind in enumerate(kinds):
            w = young if kind in PRIMARY else old
            pool = pools.get(k, own)
            buurt[k] = pool[rng.choice(pool.size, p=w[pool] / w[pool].sum())]
        frames.append(rows.with_columns(pl.lit(idx, dtype=pl.Int64).alias("gemeente_idx")))
        buurt_of_school.append(buurt)
    df = pl.concat(frames)
    buurt = np.concatenate(buurt_of_school)
    district = np.asarray(geo.district_of_buurt())[buurt]
    return df.with_columns(
        pl.Series("school_id", np.arange(df.height, dtype=np.int64)),
        pl.Series("address_id", pick_addresses(rng, geo, buurt)),
        pl.Series("district", district.tolist()),
    ).select(*SCHEMA, "gemeente_idx")


def _districts(g: Gemeente) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Place names for a gemeente's VO and MBO school names."""
    return (g.naam,), (g.naam, f"{g.naam}-Noord", f"{g.naam}-Zuid", f"{g.naam}-West")


class Catchment:
    """Which school a pupil of a gemeente goes to: its own gemeente's (P_LOCAL) when it has one offering the
    soort, else one in its samenwerkingsverband elsewhere (the regional centre), else in its jeugdregio, else
    anywhere in the region; by capacity weight within the chosen set. Pupils from outside: anywhere."""

    def __init__(self, schools: pl.DataFrame, geo: Geography) -> None:
        places = geo.gemeenten
        self.school_g = schools["gemeente_idx"].to_numpy()
        self.weight = schools["weight"].to_numpy()
        pc4 = geo.addresses["postcode"].str.slice(0, 4).to_numpy()[schools["address_id"].to_numpy()]
        self.school_swv = {
            sector: np.asarray([places[g].swv_of(p, sector) or "" for g, p in zip(self.school_g, pc4, strict=True)])
            for sector in ("PO", "VO")
        }
        self.main_swv = {
            sector: np.asarray(
                [max(set(s), key=s.count) for s in ([*g.po_swv] if sector == "PO" else [*g.vo_swv] for g in places)]
            )
            for sector in ("PO", "VO")
        }
        self.jeugdregio = np.asarray([g.jeugdregio for g in places])

    def choose(
        self, rng: np.random.Generator, soort: str, cand: npt.NDArray[np.int64], home: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64]:
        """The school of each row of one soort (``home``: gemeente index, -1 outside the region)."""
        out = np.empty(home.size, dtype=np.int64)
        if not home.size:
            return out
        sector = "PO" if soort in PRIMARY else "VO"
        cg = self.school_g[cand]
        swv = self.school_swv[sector][cand]
        p_local = P_LOCAL.get(soort[:3] if soort.startswith("MBO") else soort, P_LOCAL_VO)
        stay = rng.random(home.size) < p_local
        for h in np.unique(home):
            rows = np.flatnonzero(home == h)
            if h < 0:
                out[rows] = self._draw(rng, cand, rows.size)
                continue
            local = cand[cg == h]
            near = cand[(swv == self.main_swv[sector][h]) & (cg != h)]
            wide = cand[self.jeugdregio[cg] == self.jeugdregio[h]]
            away = near if near.size else wide if wide.size else cand
            here = stay[rows] if local.size else np.zeros(rows.size, dtype=bool)
            out[rows[here]] = self._draw(rng, local, int(here.sum()))
            out[rows[~here]] = self._draw(rng, away, int((~here).sum()))
        return out

    def _draw(self, rng: np.random.Generator, pool: npt.NDArray[np.int64], n: int) -> npt.NDArray[np.int64]:
        if not n:
            return np.empty(0, dtype=np.int64)
        w = self.weight[pool]
        return pool[rng.choice(pool.size, n, p=w / w.sum())]


def region_movers(rng: np.random.Generator, persons: pl.DataFrame, geo: Geography, region: Region) -> pl.DataFrame:
    """Residents who move away during the window and whose next address is in another gemeente of the region:
    pid, ``dest`` (gemeente index), ``move`` (first day there, the day after the old address ends)."""
    res = persons.filter((pl.col("cls") == RESIDENT) & pl.col("res_end").is_not_null())
    home = geo.gemeente_of_buurt()[res["home_buurt"].to_numpy()]
    share = MOVE_WITHIN_COUNTRY if region.national else MOVE_WITHIN_REGION
    n_g = len(region.gemeenten)
    moving = (rng.random(res.height) < share) & (n_g > 1)
    jr = np.asarray([g.jeugdregio for g in region.gemeenten])
    size = np.asarray([g.size for g in region.gemeenten])
    same = rng.random(res.height) < SAME_JEUGDREGIO
    dest = np.full(res.height, -1, dtype=np.int64)
    for h in np.unique(home[moving]):
        for near in (True, False):
            rows = np.flatnonzero(moving & (home == h) & (same == near))
            pool = np.flatnonzero((np.arange(n_g) != h) & ((jr == jr[h]) if near else True))
            if not pool.size:
                pool = np.flatnonzero(np.arange(n_g) != h)
            dest[rows] = pool[rng.choice(pool.size, rows.size, p=size[pool] / size[pool].sum())]
    end = res["res_end"].to_numpy().astype("datetime64[D]")
    return pl.DataFrame({"pid": res["pid"].to_numpy(), "dest": dest, "move": end + 1}).filter(pl.col("dest") >= 0)


def relocate_enrolments(
    rng: np.random.Generator,
    enrolments: pl.DataFrame,
    diplomas: pl.DataFrame,
    movers: pl.DataFrame,
    schools: pl.DataFrame,
    catchment: Catchment,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A mover's enrolment running on the move day continues at a school of the new gemeente (PO pupils 75 %,
    others 15 %, as pupils who leave the region change school); the others stay, and cross the border from then
    on. Diplomas after the change are the new school's."""
    e = enrolments.with_row_index("_row").join(movers, on="pid", how="inner")
    e = e.filter((pl.col("start") < pl.col("move")) & (pl.col("end").is_null() | (pl.col("end") > pl.col("move"))))
    primary = e["soort"].is_in(PRIMARY).to_numpy()
    change = rng.random(e.height) < np.where(primary, 0.75, 0.15)
    e = e.filter(pl.Series(change))
    cut = e["move"].to_numpy().astype("datetime64[D]") + rng.integers(0, 11, e.height)
    offers = schools["offers"].to_list()
    new_school = np.empty(e.height, dtype=np.int64)
    soort = e["soort"].to_numpy()
    dest = e["dest"].to_numpy()
    for s in np.unique(soort):
        rows = np.flatnonzero(soort == s)
        cand = np.array([i for i, o in enumerate(offers) if s in o], dtype=np.int64)
        new_school[rows] = catchment.choose(rng, str(s), cand, dest[rows])
    e = e.with_columns(pl.Series("cut", cut), pl.Series("new_school", new_school))
    e = e.filter(pl.col("cut") < pl.col("end").fill_null(pl.date(2100, 1, 1)))
    first = enrolments.with_row_index("_row").join(e.select("_row", "cut"), on="_row", how="left")
    first = first.with_columns(
        pl.when(pl.col("cut").is_not_null()).then(pl.col("cut")).otherwise(pl.col("end")).alias("end")
    ).drop("_row", "cut")
    second = e.select(
        "pid",
        pl.col("new_school").alias("school_id"),
        "soort",
        "leerjaar",
        (pl.col("cut") + pl.duration(days=1)).alias("start"),
        "end",
    )
    moved = e.select("pid", pl.col("school_id").alias("old"), "new_school", "cut")
    d = diplomas.with_row_index("_row").join(moved, left_on=["pid", "school_id"], right_on=["pid", "old"], how="left")
    after = pl.col("cut").is_not_null() & (pl.col("datum") > pl.col("cut"))
    d = d.with_columns(pl.when(after).then(pl.col("new_school")).otherwise(pl.col("school_id")).alias("school_id"))
    d = d.sort("_row", after, descending=[False, True]).unique("_row", keep="first", maintain_order=True)
    return (
        pl.concat([first, second]).sort("pid", "start", "school_id"),
        d.select(diplomas.columns).sort("pid", "datum"),
    )


def region_residence(
    rng: np.random.Generator, residence: pl.DataFrame, movers: pl.DataFrame, geo: Geography
) -> pl.DataFrame:
    """The address periods with, for each mover, the period in the new gemeente from the move on (still current)."""
    buurt = buurten_in(rng, geo, movers["dest"].to_numpy())
    arrivals = pl.DataFrame(
        {
            "pid": movers["pid"].to_numpy(),
            "address_id": pick_addresses(rng, geo, buurt),
            "buurt_idx": buurt,
            "vanaf": movers["move"].to_numpy().astype("datetime64[D]"),
            "tot": np.full(movers.height, NAT),
        }
    )
    return pl.concat([residence, arrivals.cast(residence.schema)]).sort("pid", "vanaf")


CONFIG_NAME = "monitor.region.toml"


def write_region_config(out_dir: Path, region: Region, base: Path = DEFAULT_CONFIG) -> Path:
    """``<out_dir>/monitor.region.toml``: the repository's monitor.toml with [gemeente] = the region's first
    gemeente and [region] = all others (and ``national = true`` for the whole country); every other key as is."""
    first, *others = region.gemeenten
    table = ", ".join(f"{g.code} = {json.dumps(g.naam, ensure_ascii=False)}" for g in others)
    sections = {
        "gemeente": f'code = "{first.code}"\nnaam = {json.dumps(first.naam, ensure_ascii=False)}\n\n',
        "region": (
            "# Written by dev.synthetic for its synthetic region: every other gemeente of the inbox, code = name.\n"
            f"gemeenten = {{ {table} }}\n" + ("national = true\n" if region.national else "") + "\n"
        ),
    }
    out, current = [], ""
    for line in base.read_text(encoding="utf-8").splitlines(keepends=True):
        header = re.fullmatch(r"\[([a-z_]+)\]\s*", line)
        if header:
            current = header.group(1)
            out.append(line)
            if current in sections:
                out.append(sections.pop(current))
            continue
        if current not in ("gemeente", "region"):
            out.append(line)
    if sections:
        raise ValueError(f"{base} has no section {', '.join(sections)}")
    target = out_dir / CONFIG_NAME
    target.write_text("".join(out), encoding="utf-8")
    return target


def regional_providers(
    rng: np.random.Generator, yc: YouthCare, persons: pl.DataFrame, geo: Geography, scale: float
) -> YouthCare:
    """Youth care bought per jeugdregio: each jeugdregio has providers of its own (as many per kind as one
    gemeente of its size would have), and a trajectory's provider of a kind becomes that kind's provider of the
    client's jeugdregio with the same rank, so provider sizes and a person's one dyslexia provider are kept."""
    regions = [g.jeugdregio for g in geo.gemeenten]
    names = sorted(set(regions))
    size = {jr: sum(g.size for g in geo.gemeenten if g.jeugdregio == jr) for jr in names}
    kinds = yc.providers["kind"].to_list()
    rank = {a: kinds[:i].count(k) for i, (a, k) in enumerate(zip(yc.providers["agb"].to_list(), kinds, strict=True))}
    kind_of = dict(zip(yc.providers["agb"].to_list(), kinds, strict=True))
    own = {jr: providers_of(rng, scale * size[jr]) for jr in names}
    codes = iter(make_agb_codes(rng, sum(p.height for p in own.values())))
    table: dict[tuple[str, str], list[str]] = {}
    for jr in names:
        for kind in own[jr]["kind"].to_list():
            table.setdefault((jr, kind), []).append(next(codes))
    home = persons["home_buurt"].to_numpy()
    jr_of_pid = np.asarray(regions)[geo.gemeente_of_buurt()[np.maximum(home, 0)]]

    def regional(frame: pl.DataFrame) -> pl.Series:
        jr = jr_of_pid[frame["pid"].to_numpy()]
        old = frame["agb"].to_list()
        agb = []
        for a, r in zip(old, jr.tolist(), strict=True):
            options = table[(r, kind_of[a])]
            agb.append(options[rank[a] % len(options)])
        return pl.Series("agb", agb, dtype=pl.Utf8)

    t = yc.trajectories.with_columns(regional(yc.trajectories)).with_columns(
        (pl.col("agb").str.slice(2, 6) + pl.lit("-") + pl.int_range(pl.len()).over("agb").cast(pl.Utf8)).alias(
            "referentie"
        )
    )
    rejected = yc.rejected.with_columns(regional(yc.rejected))
    providers = pl.DataFrame(
        {"agb": [a for v in table.values() for a in v], "kind": [k for (_, k), v in table.items() for _ in v]}
    )
    return YouthCare(t, yc.lines, providers, rejected)
