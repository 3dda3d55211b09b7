"""Absence cases (verzuim.csv): relatief, luxe and absoluut verzuim, with a few vrijstellingen.

Why: indicators F2 (relatief verzuim) and F4 (thuiszitters) need cases tied to the pupil's school at the time
(RELATIEF/LUXE) and cases of leerplichtige residents not enrolled anywhere (ABSOLUUT, school fields empty).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from dev.synthetic.careers import pupils_on
from dev.synthetic.dates import (
    EXTRACT_DATE,
    FIRST_SCHOOL_YEAR,
    LAST_SCHOOL_YEAR,
    add_years,
    uniform_dates,
    ymd,
)
from dev.synthetic.population import RESIDENT

RELATIEF_SHARE = 0.04
LUXE_SHARE = 0.006
ABSOLUUT_SHARE = 0.002


def build_absence(rng: np.random.Generator, persons: pl.DataFrame, enrolments: pl.DataFrame) -> pl.DataFrame:
    """Cases: pid, school_id (null for ABSOLUUT), soort, start, einde, vrijstelling."""
    birth = persons.select("pid", "birth", "cls")
    frames = []
    enr_all = enrolments.select("pid", "school_id", "start", pl.col("end").fill_null(EXTRACT_DATE).alias("end_f"))
    # A pupil's row is an enrolment row; when (pid, school_id, start) is unique, joining back finds just that row.
    unique_key = enr_all.select(pl.struct("pid", "school_id", "start").is_unique().all()).item()
    res = persons.filter(pl.col("cls") == RESIDENT).select("pid", "birth", "res_start", "res_end")
    rs = res["res_start"].to_numpy().astype("datetime64[D]")
    rend = res["res_end"].to_numpy().astype("datetime64[D]")
    # 5th and 18th birthdays once (numpy's calendar conversions are slow), per person and per resident.
    all_birth = persons["birth"].to_numpy().astype("datetime64[D]")
    turns_5, turns_18 = add_years(all_birth, 5), add_years(all_birth, 18)
    res_pid = res["pid"].to_numpy()
    res_5, res_18 = turns_5[res_pid], turns_18[res_pid]
    for y in range(FIRST_SCHOOL_YEAR, LAST_SCHOOL_YEAR + 1):
        on = pupils_on(enrolments, y)
        pupils = on.join(birth, on="pid")
        pd_ = np.datetime64(f"{y}-10-01", "D")
        p_pid = pupils["pid"].to_numpy()
        leerplichtig = (turns_5[p_pid] <= pd_) & (turns_18[p_pid] > pd_)
        pupils = pupils.filter(pl.Series(leerplichtig))
        if unique_key:
            pupils = pupils.with_columns(pl.col("end").fill_null(EXTRACT_DATE).alias("end_f"))
        else:
            pupils = pupils.join(enr_all, on=["pid", "school_id", "start"], how="left")
        n = pupils.height
        lo = np.maximum(pupils["start"].to_numpy().astype("datetime64[D]"), ymd(y, 8, 20))
        hi = np.minimum.reduce(
            [
                pupils["end_f"].to_numpy().astype("datetime64[D]"),
                np.full(n, ymd(y + 1, 7, 10)),
                np.full(n, EXTRACT_DATE - 1),
            ]
        )
        ok = hi > lo
        for soort, share in (("RELATIEF", RELATIEF_SHARE), ("LUXE", LUXE_SHARE)):
            pick = ok & (rng.random(n) < share)
            start = uniform_dates(rng, lo, hi)[pick]
            m = int(pick.sum())
            if soort == "RELATIEF":
                dur = np.select(
                    [rng.random(m) < 0.7, rng.random(m) < 0.65],
                    [rng.integers(1, 15, m), rng.integers(15, 28, m)],
                    rng.integers(28, 121, m),
                )
            else:
                dur = rng.integers(2, 8, m)
            einde = start + dur
            open_case = (soort == "RELATIEF") & (einde > EXTRACT_DATE)
            frames.append(
                pl.DataFrame(
                    {
                        "pid": pupils["pid"].to_numpy()[pick],
                        "school_id": pupils["school_id"].to_numpy()[pick],
                        "soort": soort,
                        "start": start,
                        "einde": np.where(open_case | (einde > EXTRACT_DATE), np.datetime64("NaT"), einde),
                        "vrijstelling": np.where(rng.random(m) < (0.03 if soort == "RELATIEF" else 0.0), "J", "N"),
                    }
                )
            )
        # ABSOLUUT: leerplichtige residents not enrolled on the peildatum (thuiszitters; some vrijstelling).
        lp = (res_5 <= pd_) & (res_18 > pd_) & (rs <= pd_) & (np.isnat(rend) | (rend > pd_))
        cand = res.filter(pl.Series(lp)).join(on.select("pid"), on="pid", how="anti")
        k = min(cand.height, max(1, round(ABSOLUUT_SHARE * on.height)))
        chosen = cand["pid"].to_numpy()[rng.choice(cand.height, k, replace=False)] if k else np.empty(0, np.int64)
        start = pd_ + rng.integers(-40, 200, k)
        start = np.minimum(start, EXTRACT_DATE - 1)
        einde = start + rng.integers(30, 241, k)
        frames.append(
            pl.DataFrame(
                {
                    "pid": chosen,
                    "school_id": pl.Series([None] * k, dtype=pl.Int64),
                    "soort": "ABSOLUUT",
                    "start": start,
                    "einde": np.where(einde > EXTRACT_DATE, np.datetime64("NaT"), einde),
                    "vrijstelling": np.where(rng.random(k) < 0.15, "J", "N"),
                }
            )
        )
    schema = {
        "pid": pl.Int64,
        "school_id": pl.Int64,
        "soort": pl.Utf8,
        "start": pl.Date,
        "einde": pl.Date,
        "vrijstelling": pl.Utf8,
    }
    return pl.concat([f.cast(schema) for f in frames]).sort("start", "pid")  # type: ignore[arg-type]
