"""School careers: enrolments (inschrijvingen) and diplomas of every person, vectorised over persons.

Why: the monitor's education indicators (pupils per school/wijk, early school leaving, startkwalificatie) only
make sense if each pupil's enrolments follow a plausible path: BAO from 4 (groep 1-8), SBO/SO for some, VO
with a track from 12 (some moving down a track or switching school mid-year), diplomas in June/July, MBO
from 16 and early leavers (~2 % of VO/MBO pupils a year) whose enrolment ends without a startkwalificatie.
Every stage is computed for all persons at once with numpy; no per-person Python loops.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from dev.synthetic.dates import (
    EXTRACT_DATE,
    EXTRACT_DAY,
    WINDOW_START_DAY,
    Dates,
    add_years,
    month_of,
    school_year_of,
    uniform_dates,
    year_of,
    ymd,
)
from dev.synthetic.geography import Geography
from dev.synthetic.population import EXTERNAL, NO_BSN, RESIDENT
from dev.synthetic.schools import DISTRICTS

NAT = np.datetime64("NaT", "D")
VO_DURATION = {"PRO": 6, "VMBO-BB": 4, "VMBO-KB": 4, "VMBO-GT": 4, "HAVO": 5, "VWO": 6}
MBO_DURATION = {"MBO-1": 1, "MBO-2": 2, "MBO-3": 3, "MBO-4": 3}
MBO_PASS = {"MBO-1": 0.74, "MBO-2": 0.82, "MBO-3": 0.86, "MBO-4": 0.88}
SOORTEN = (
    "BAO",
    "SBO",
    "SO",
    "VSO",
    "PRO",
    "VMBO-BB",
    "VMBO-KB",
    "VMBO-GT",
    "HAVO",
    "VWO",
    "MBO-1",
    "MBO-2",
    "MBO-3",
    "MBO-4",
)
STARTKWALIFICATIE = ("HAVO", "VWO", "MBO-2", "MBO-3", "MBO-4")


@dataclass(frozen=True)
class Careers:
    """Enrolment and diploma rows (internal ids; writers turn them into export columns)."""

    enrolments: pl.DataFrame  # pid, school_id, soort, leerjaar, start, end
    diplomas: pl.DataFrame  # pid, school_id, diploma, datum


# Stage and diploma labels as int8 codes while stages are drawn (0 = none): 1 byte instead of 28 per label.
LABELS = ("", *SOORTEN)
CODE = {label: np.int8(i) for i, label in enumerate(LABELS)}
NONE = CODE[""]
ENUM = pl.Enum(list(LABELS))  # soort and diploma in the stage frame (1 byte a row); text only in the results
Codes = npt.NDArray[np.int8]
# A region's school choice (dev.synthetic.region.Catchment.choose): for rows of one soort, given the candidate
# schools offering it and each row's home gemeente (-1: lives outside the region), the school of each row.
Chooser = Callable[[np.random.Generator, str, npt.NDArray[np.int64], npt.NDArray[np.int64]], npt.NDArray[np.int64]]


def _pick(rng: np.random.Generator, options: tuple[str, ...], probs: tuple[float, ...], n: int) -> Codes:
    """Draw ``n`` labels (as codes) from ``options`` with ``probs`` (normalised)."""
    p = np.asarray(probs, dtype=np.float64)
    return np.asarray([CODE[o] for o in options], dtype=np.int8)[rng.choice(len(options), n, p=p / p.sum())]


def _codes_of(labels: pl.Series) -> Codes:
    """Label column → codes (as drawn in ``_stages``)."""
    return labels.cast(ENUM).to_physical().to_numpy().astype(np.int8)


def _is(codes: Codes, *labels: str) -> npt.NDArray[np.bool_]:
    """Whether each code is one of ``labels``."""
    return np.isin(codes, [CODE[label] for label in labels])


def _date_between(rng: np.random.Generator, year: npt.NDArray[np.int64], m1: int, d1: int, m2: int, d2: int) -> Dates:
    """A uniform date between (m1, d1) and (m2, d2) of the given years."""
    return uniform_dates(rng, ymd(year, m1, d1), ymd(year, m2, d2))


class _Stages:
    """Accumulates stage rows as numpy column chunks."""

    def __init__(self) -> None:
        self.cols: dict[str, list[np.ndarray]] = {
            k: [] for k in ("pid", "soort", "start", "end", "prog_start", "diploma", "dipl_date")
        }

    def add(
        self,
        mask: npt.NDArray[np.bool_],
        pid: np.ndarray,
        soort: npt.ArrayLike,
        start: Dates,
        end: Dates,
        prog_start: np.ndarray,
        diploma: npt.ArrayLike,
        dipl_date: Dates,
    ) -> None:
        m = mask
        self.cols["pid"].append(pid[m])
        self.cols["soort"].append(np.broadcast_to(np.asarray(soort, dtype=np.int8), m.shape)[m])
        self.cols["start"].append(start[m])
        self.cols["end"].append(end[m])
        self.cols["prog_start"].append(np.broadcast_to(prog_start, m.shape)[m].astype(np.int32))
        self.cols["diploma"].append(np.broadcast_to(np.asarray(diploma, dtype=np.int8), m.shape)[m])
        self.cols["dipl_date"].append(np.broadcast_to(dipl_date, m.shape)[m])

    def frame(self) -> pl.DataFrame:
        labels = pl.Series(LABELS, dtype=pl.Utf8)
        data = {k: np.concatenate(self.cols.pop(k)) for k in list(self.cols)}
        return pl.DataFrame(
            {
                "pid": data["pid"],
                "soort": labels.gather(data["soort"].astype(np.int64)).cast(ENUM),
                "start": data["start"],
                "end": data["end"],
                "prog_start": data["prog_start"],
                "diploma": labels.gather(data["diploma"].astype(np.int64)).cast(ENUM),
                "dipl_date": data["dipl_date"],
            }
        )


def _stages(rng: np.random.Generator, persons: pl.DataFrame) -> pl.DataFrame:
    """All education stages (planned, before residence effects) of every person."""
    pid = persons["pid"].to_numpy()
    birth = persons["birth"].to_numpy().astype("datetime64[D]")
    n = pid.size
    cohort = year_of(birth) + (month_of(birth) >= 10)
    sc = cohort + (rng.random(n) < 0.07)  # kleuterverlenging / zittenblijven shifts the school cohort
    del cohort
    st = _Stages()
    c = CODE
    nat = np.full(n, NAT)

    # Primary.
    prim = _pick(rng, ("BAO", "SBO", "SO"), (0.955, 0.03, 0.015), n)
    bao_start = add_years(birth, 4)
    bao_end = _date_between(rng, sc + 12, 7, 6, 7, 20)
    switch_year = sc + 4 + rng.integers(3, 6, n)
    sbo = prim == c["SBO"]
    st.add(
        prim != c["SO"],
        pid,
        c["BAO"],
        bao_start,
        np.where(sbo, ymd(switch_year, 7, 31), bao_end),
        sc + 1,
        NONE,
        nat,
    )
    st.add(sbo, pid, c["SBO"], ymd(switch_year, 8, 1), bao_end, sc + 1, NONE, nat)
    so = prim == c["SO"]
    st.add(so, pid, c["SO"], bao_start, ymd(sc + 12, 7, 31), sc + 1, NONE, nat)
    del prim, bao_start, bao_end, switch_year
    vso_end_year = sc + 12 + rng.integers(6, 9, n)
    st.add(
        so,
        pid,
        c["VSO"],
        ymd(sc + 12, 8, 1),
        _date_between(rng, vso_end_year, 6, 20, 7, 20),
        sc + 12,
        NONE,
        nat,
    )

    # Secondary.
    tracks = ("PRO", "VMBO-BB", "VMBO-KB", "VMBO-GT", "HAVO", "VWO")
    track = np.where(
        sbo,
        _pick(rng, tracks, (0.30, 0.35, 0.20, 0.15, 0.0, 0.0), n),
        _pick(rng, tracks, (0.03, 0.12, 0.15, 0.23, 0.26, 0.21), n),
    )
    del sbo
    vo = ~so
    vo_y0 = sc + 12
    vwo, havo = track == c["VWO"], track == c["HAVO"]
    down = np.where(vwo, c["HAVO"], np.where(havo, c["VMBO-GT"], NONE))
    afstroom = vo & (down != NONE) & (rng.random(n) < np.where(vwo, 0.10, 0.08))
    k = np.where(vwo, 3, 2)
    del vwo, havo
    final = np.where(afstroom, down, track)
    dur = np.select([final == c[s] for s in VO_DURATION], list(VO_DURATION.values()), 4) + (rng.random(n) < 0.12)
    vo_end_year = vo_y0 + dur
    has_exam = final != c["PRO"]
    passed = has_exam & (rng.random(n) < np.where(final == c["HAVO"], 0.90, np.where(final == c["VWO"], 0.92, 0.93)))
    del has_exam
    dipl_date = _date_between(rng, vo_end_year, 6, 15, 7, 10)
    vo_end = np.where(passed, dipl_date + rng.integers(0, 20, n), _date_between(rng, vo_end_year, 6, 25, 7, 20))
    dropout = vo & (rng.random(n) < 0.002 * dur)
    del dur
    drop_date = uniform_dates(rng, ymd(vo_y0, 10, 1), vo_end - 30)
    vo_end = np.where(dropout, drop_date, vo_end)
    passed &= ~dropout
    seg_a_end = np.where(afstroom, ymd(vo_y0 + k, 7, 31), vo_end)
    seg_a_end = np.where(dropout & (drop_date < seg_a_end), drop_date, seg_a_end)
    seg_a_passed = passed & ~afstroom
    st.add(
        vo,
        pid,
        track,
        ymd(vo_y0, 8, 1),
        seg_a_end,
        vo_y0,
        np.where(seg_a_passed, track, NONE),
        np.where(seg_a_passed, dipl_date, NAT),
    )
    del seg_a_end, seg_a_passed, track
    seg_b = afstroom & (~dropout | (drop_date > ymd(vo_y0 + k, 8, 1)))
    st.add(
        seg_b,
        pid,
        down,
        ymd(vo_y0 + k, 8, 1),
        vo_end,
        vo_y0,
        np.where(passed, down, NONE),
        np.where(passed, dipl_date, NAT),
    )
    del seg_b, afstroom, down, drop_date, vo_end, dipl_date, k

    # First MBO programme, depending on how VO ended.
    u = rng.random(n)
    lvl = np.zeros(n, dtype=np.int8)
    vmbo = _is(final, "VMBO-BB", "VMBO-KB", "VMBO-GT")
    lvl = np.where(
        vmbo & passed & (final == c["VMBO-BB"]),
        np.where(u < 0.09, c["MBO-1"], np.where(u < 0.97, c["MBO-2"], NONE)),
        lvl,
    )
    lvl = np.where(
        vmbo & passed & (final == c["VMBO-KB"]),
        np.where(u < 0.36, c["MBO-2"], np.where(u < 0.97, c["MBO-3"], NONE)),
        lvl,
    )
    lvl = np.where(
        vmbo & passed & (final == c["VMBO-GT"]),
        np.where(u < 0.25, c["MBO-3"], np.where(u < 0.97, c["MBO-4"], NONE)),
        lvl,
    )
    lvl = np.where(vmbo & ~passed & ~dropout, np.where(u < 0.4, c["MBO-1"], np.where(u < 0.85, c["MBO-2"], NONE)), lvl)
    lvl = np.where((final == c["HAVO"]) & passed & (u < 0.08), c["MBO-4"], lvl)
    lvl = np.where((final == c["HAVO"]) & ~passed & ~dropout & (u < 0.7), c["MBO-4"], lvl)
    lvl = np.where((final == c["VWO"]) & ~passed & ~dropout & (u < 0.6), c["MBO-4"], lvl)
    lvl = np.where((final == c["PRO"]) & ~dropout & (u < 0.55), c["MBO-1"], lvl)
    lvl = np.where(so & (u < 0.15), c["MBO-1"], lvl)
    lvl = np.where(vo | so, lvl, NONE)
    del u, vmbo, final, passed, dropout, vo
    # Pupils from outside Almere come for MBO (their VO was elsewhere unless they attended VO here).
    external = persons["cls"].to_numpy() == EXTERNAL
    ext_lvl = _pick(rng, ("MBO-1", "MBO-2", "MBO-3", "MBO-4"), (0.05, 0.3, 0.3, 0.35), n)
    lvl = np.where(external & (rng.random(n) < 0.85), ext_lvl, lvl)
    del external, ext_lvl
    mbo_y0 = np.where(so, vso_end_year, vo_end_year)
    del so, vso_end_year, vo_end_year
    next_start = _MboStep(rng, lvl, mbo_y0, pid, st)
    del lvl, mbo_y0
    # Second MBO programme (stacking).
    u2 = rng.random(n)
    first = next_start.level
    lvl2 = np.where(
        next_start.passed & (first == c["MBO-1"]) & (u2 < 0.55),
        c["MBO-2"],
        np.where(
            next_start.passed & (first == c["MBO-2"]) & (u2 < 0.55),
            c["MBO-3"],
            np.where(next_start.passed & (first == c["MBO-3"]) & (u2 < 0.30), c["MBO-4"], NONE),
        ),
    )
    # MBO dropouts: about a third re-enrol the next school year at another level (switchers, not leavers).
    retry = (first != NONE) & ~next_start.passed & (u2 > 0.62)
    lvl2 = np.where(
        retry,
        np.where(first == c["MBO-1"], c["MBO-2"], np.where(first == c["MBO-4"], c["MBO-3"], first)),
        lvl2,
    )
    y2 = np.where(retry, next_start.drop_year + 1, next_start.end_year)
    del next_start, first, retry, u2
    _MboStep(rng, lvl2, y2, pid, st)
    frame = st.frame()
    return frame.with_columns(pl.Series("sc", sc[frame["pid"].to_numpy()].astype(np.int32)))


class _MboStep:
    """One MBO programme per person (level code NONE = none); remembers outcome for stacking."""

    def __init__(
        self,
        rng: np.random.Generator,
        level: Codes,
        y0: npt.NDArray[np.int64],
        pid: np.ndarray,
        st: _Stages,
    ) -> None:
        n = level.size
        has = level != NONE
        dur = np.select([level == CODE[k] for k in MBO_DURATION], list(MBO_DURATION.values()), 1).astype(np.int64)
        dur = dur + ((level == CODE["MBO-4"]) & (rng.random(n) < 0.4))
        pass_p = np.select([level == CODE[k] for k in MBO_PASS], list(MBO_PASS.values()), 0.0)
        passed = has & (rng.random(n) < pass_p)
        start = ymd(y0, 8, 1) + rng.integers(0, 32, n)
        end_year = y0 + dur
        dipl = _date_between(rng, end_year, 6, 15, 7, 15)
        drop = uniform_dates(rng, start + 45, ymd(end_year, 6, 1))
        end = np.where(passed, dipl + rng.integers(0, 15, n), drop)
        st.add(has, pid, level, start, end, y0, np.where(passed, level, NONE), np.where(passed, dipl, NAT))
        self.level, self.passed, self.end_year = level, passed, end_year
        self.drop_year = school_year_of(drop)


def _apply_residence(rng: np.random.Generator, stages: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    """Clip stages to the period a person is in Almere's schools (move-in, move-away, schooling elsewhere)."""
    p = persons.select(
        pl.col("cls").cast(pl.Int8), "res_start", "res_end", "arrival", "elsewhere_primary", "elsewhere_secondary"
    )
    n = p.height
    keep_school = rng.random(n)
    leave_jitter = rng.integers(0, 11, n)
    ext_vo = rng.random(n) < 0.25
    p = p.with_columns(
        pl.Series("u_keep", keep_school),
        pl.Series("jit", leave_jitter.astype(np.int32)),
        pl.Series("ext_vo", ext_vo),
        pl.Series("in_jit", rng.integers(0, 15, n).astype(np.int32)),
    )
    del keep_school, leave_jitter, ext_vo
    # Row i of persons is pid i, so a gather is the left join on pid (without its hash table).
    df = pl.concat([stages, p.select(pl.all().gather(stages["pid"]))], how="horizontal").lazy()
    del p
    primary = pl.col("soort").is_in(["BAO", "SBO", "SO"])
    secondary = ~primary
    df = df.filter(
        ~((pl.col("cls") == RESIDENT) & primary & pl.col("elsewhere_primary"))
        & ~((pl.col("cls") == RESIDENT) & secondary & pl.col("elsewhere_secondary"))
        & ~((pl.col("cls") == EXTERNAL) & primary)
        & ~(
            (pl.col("cls") == EXTERNAL)
            & pl.col("soort").is_in(["VSO", "PRO", "VMBO-BB", "VMBO-KB", "VMBO-GT", "HAVO", "VWO"])
            & ~pl.col("ext_vo")
        )
    )
    first_day = (
        pl.when(pl.col("cls") == NO_BSN)
        .then(pl.col("arrival"))
        .when(pl.col("cls") == RESIDENT)
        .then(pl.col("res_start") + pl.duration(days=pl.col("in_jit")))
        .otherwise(None)
    )
    leaves_school = (pl.col("u_keep") < pl.when(primary).then(0.75).otherwise(0.15)) & pl.col("res_end").is_not_null()
    last_day = pl.when(leaves_school).then(pl.col("res_end") + pl.duration(days=pl.col("jit"))).otherwise(None)
    df = df.with_columns(first_day.alias("first_day"), last_day.alias("last_day"))
    clipped_end = (
        pl.when(pl.col("last_day").is_not_null() & (pl.col("last_day") < pl.col("end")))
        .then(pl.col("last_day"))
        .otherwise(pl.col("end"))
    )
    df = df.with_columns(
        pl.when(pl.col("first_day").is_not_null() & (pl.col("first_day") > pl.col("start")))
        .then(pl.col("first_day"))
        .otherwise(pl.col("start"))
        .alias("start"),
        clipped_end.alias("end"),
        (pl.col("last_day").is_not_null() & (pl.col("last_day") < pl.col("end"))).alias("truncated"),
    )
    df = df.filter(pl.col("end") > pl.col("start"))
    return (
        df.select(
            *(c for c in stages.columns if c != "diploma"),
            pl.when(pl.col("truncated")).then(pl.lit("", dtype=ENUM)).otherwise(pl.col("diploma")).alias("diploma"),
        )
        .select(stages.columns)
        .collect()
    )


def _assign_schools(
    rng: np.random.Generator,
    stages: pl.DataFrame,
    schools: pl.DataFrame,
    persons: pl.DataFrame,
    geo: Geography,
    choose: Chooser | None = None,
) -> npt.NDArray[np.int64]:
    """School per stage: BAO near home (same district 85 %), others by capacity among schools offering it; in a
    region by ``choose``, from the home gemeente."""
    school_id = np.full(stages.height, -1, dtype=np.int64)
    soort = _codes_of(stages["soort"])
    offers = schools["offers"].to_list()
    if choose is not None:
        home_g = home_gemeente(stages, persons, geo)
        for s in SOORTEN:
            rows = np.flatnonzero(soort == CODE[s])
            cand = np.array([i for i, o in enumerate(offers) if s in o], dtype=np.int64)
            school_id[rows] = choose(rng, s, cand, home_g[rows])
        return school_id
    weight = schools["weight"].to_numpy()
    district = np.asarray(schools["district"].to_list())
    pc4 = geo.buurten["pc4"].to_list()
    # District names as numbers (index into ``names``): 1 byte per stage instead of a numpy string.
    buurt_dname = [DISTRICTS.get(str(x)[:3], "") for x in pc4] + [""]
    names = sorted(set(buurt_dname) | set(district.tolist()))
    buurt_district = np.array([names.index(x) for x in buurt_dname], dtype=np.int8)
    home = persons["home_buurt"].to_numpy()[stages["pid"].to_numpy()]
    home_dname = buurt_district[np.where(home >= 0, home, len(pc4))]
    del home
    local = rng.random(stages.height) < 0.85
    for s in SOORTEN:
        cand = np.array([i for i, o in enumerate(offers) if s in o], dtype=np.int64)
        rows = np.flatnonzero(soort == CODE[s])
        w = weight[cand] / weight[cand].sum()
        school_id[rows] = cand[rng.choice(cand.size, rows.size, p=w)]
        if s == "BAO":
            for d in np.unique(district[cand]):
                loc = cand[district[cand] == d]
                r = rows[(home_dname[rows] == names.index(d)) & local[rows]]
                if r.size and loc.size:
                    wl = weight[loc] / weight[loc].sum()
                    school_id[r] = loc[rng.choice(loc.size, r.size, p=wl)]
    return school_id


def home_gemeente(stages: pl.DataFrame, persons: pl.DataFrame, geo: Geography) -> npt.NDArray[np.int64]:
    """The gemeente (index into ``geo.gemeenten``) each row's person lives in first; -1 outside the region."""
    home = persons["home_buurt"].to_numpy()[stages["pid"].to_numpy()]
    return np.where(home >= 0, geo.gemeente_of_buurt()[np.maximum(home, 0)], -1)


def _switch_schools(
    rng: np.random.Generator,
    enr: pl.DataFrame,
    schools: pl.DataFrame,
    choose: Chooser | None = None,
    home_g: npt.NDArray[np.int64] | None = None,
) -> pl.DataFrame:
    """Split ~2 %/year of BAO/SBO/VO enrolments at a mid-year school switch; a few overlap on a peildatum. In a
    region the new school is chosen by ``choose`` from the home gemeente (``home_g`` per row)."""
    n = enr.height
    years = (enr["end"] - enr["start"]).dt.total_days().to_numpy() / 365.25
    soort = _codes_of(enr["soort"])
    eligible = _is(soort, "BAO", "SBO", "VMBO-BB", "VMBO-KB", "VMBO-GT", "HAVO", "VWO") & (years > 0.6)
    sw = eligible & (rng.random(n) < np.minimum(0.02 * years, 0.5))
    start = enr["start"].to_numpy().astype("datetime64[D]")
    end = enr["end"].to_numpy().astype("datetime64[D]")
    date = uniform_dates(rng, start + 60, end - 30)
    # A few overlaps straddle a peildatum so "two schools on the peildatum" occurs in the data.
    overlap = sw & (rng.random(n) < 0.12)
    sy = np.clip(school_year_of(date), 2021, 2025)
    pd_date = ymd(sy, 10, 1) - rng.integers(1, 6, n)
    at_peil = overlap & (rng.random(n) < 0.5) & (pd_date > start + 30) & (pd_date < end - 30)
    date = np.where(at_peil, pd_date, date)
    old_end = np.where(overlap, date + rng.integers(3, 9, n), date)
    offers = schools["offers"].to_list()
    weight = schools["weight"].to_numpy()
    new_school = enr["school_id"].to_numpy().copy()
    for s in SOORTEN:
        cand = np.array([i for i, o in enumerate(offers) if s in o], dtype=np.int64)
        rows = np.flatnonzero(sw & (soort == CODE[s]))
        if choose is not None and home_g is not None:
            new_school[rows] = choose(rng, s, cand, home_g[rows])
            continue
        w = weight[cand] / weight[cand].sum()
        new_school[rows] = cand[rng.choice(cand.size, rows.size, p=w)]
    sw &= new_school != enr["school_id"].to_numpy()
    first = enr.with_columns(
        pl.Series("end", np.where(sw, old_end, end)),
        pl.when(pl.Series(sw)).then(pl.lit("", dtype=ENUM)).otherwise(pl.col("diploma")).alias("diploma"),
    )
    second = enr.filter(pl.Series(sw)).with_columns(
        pl.Series("start", (date + 1)[sw]),
        pl.Series("school_id", new_school[sw]),
    )
    return pl.concat([first, second])


def _leerjaar(enr: pl.DataFrame) -> pl.Series:
    """Leerjaar at the last school year of the enrolment (groep 1-8 for BAO/SBO, year of programme else)."""
    end = enr["end"].to_numpy().astype("datetime64[D]")
    last = np.minimum(end, EXTRACT_DATE)
    sy = school_year_of(last)
    soort = _codes_of(enr["soort"])
    prog = enr["prog_start"].to_numpy()
    sc = enr["sc"].to_numpy()
    groep = np.clip(sy - sc - 3, 1, 8)
    year = np.clip(sy - prog + 1, 1, 6)
    val = np.where(_is(soort, "BAO", "SBO"), groep, year).astype(np.int64)
    return pl.Series("leerjaar", val).cast(pl.Int64).set(pl.Series(_is(soort, "SO", "VSO")), None)


def build_careers(
    rng: np.random.Generator,
    persons: pl.DataFrame,
    schools: pl.DataFrame,
    geo: Geography,
    choose: Chooser | None = None,
) -> Careers:
    """Enrolments active in or after 2021/2022 and all diplomas of the persons enrolled then (in a region, schools
    chosen by ``choose``)."""
    stages = _stages(rng, persons)
    stages = _apply_residence(rng, stages, persons)
    stages = stages.with_columns(pl.Series("school_id", _assign_schools(rng, stages, schools, persons, geo, choose)))
    home_g = home_gemeente(stages, persons, geo) if choose is not None else None
    stages = _switch_schools(rng, stages, schools, choose, home_g)
    diplomas_all = stages.filter((pl.col("diploma") != "") & (pl.col("dipl_date") <= EXTRACT_DAY))
    stages = stages.filter((pl.col("end") >= WINDOW_START_DAY) & (pl.col("start") <= EXTRACT_DAY))
    stages = stages.with_columns(_leerjaar(stages))
    # Earlier diplomas (before the window) count for pupils still enrolled later, e.g. VMBO then MBO.
    diplomas_all = diplomas_all.filter(pl.col("pid").is_in(stages["pid"].unique().implode()))
    enrolments = stages.select(
        "pid",
        "school_id",
        pl.col("soort").cast(pl.Utf8),
        "leerjaar",
        "start",
        pl.when(pl.col("end") > EXTRACT_DAY).then(None).otherwise(pl.col("end")).alias("end"),
    ).sort("pid", "start", "school_id")
    diplomas = diplomas_all.select(
        "pid", "school_id", pl.col("diploma").cast(pl.Utf8), pl.col("dipl_date").alias("datum")
    )
    return Careers(enrolments=enrolments, diplomas=diplomas.sort("pid", "datum"))


def pupils_on(enrolments: pl.DataFrame, year: int) -> pl.DataFrame:
    """Pupils (pid, school_id, soort) enrolled on the peildatum of school year ``year``/``year+1``."""
    pd = dt.date(year, 10, 1)
    return (
        enrolments.filter((pl.col("start") <= pd) & (pl.col("end").is_null() | (pl.col("end") >= pd)))
        .sort("pid", "start", "school_id", descending=[False, True, False])
        .unique("pid", keep="first", maintain_order=True)
    )
