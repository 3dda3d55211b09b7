"""Residence history (BRP extract): address periods of Almere residents, with moves within the city.

Why: the monitor attributes pupils to wijken by the address valid on the peildatum, so addresses must change
over time (~8 % of residents move within Almere each year, ~2 % move away) and every address must resolve
through pc6hnr.csv to a 2024 buurt and wijk.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from dev.synthetic.dates import EXTRACT_DATE, HISTORY_START, uniform_dates
from dev.synthetic.geography import Geography, buurten_in, pick_addresses
from dev.synthetic.population import RESIDENT

MOVE_RATE = 0.08  # moves within the city per person-year
EXPORT_FROM = dt.date(2021, 1, 1)  # periods ending before this are not in the extract


def build_residence(rng: np.random.Generator, persons: pl.DataFrame, geo: Geography) -> pl.DataFrame:
    """Address periods: pid, address_id, buurt_idx, vanaf, tot (inclusive; null = still living there)."""
    res = persons.filter(pl.col("cls") == RESIDENT)
    pid = res["pid"].to_numpy()
    start = res["res_start"].to_numpy().astype("datetime64[D]")
    end_raw = res["res_end"].to_numpy().astype("datetime64[D]")
    end = np.where(np.isnat(end_raw), EXTRACT_DATE, end_raw)
    lo = np.maximum(start, HISTORY_START)
    years = np.maximum((end - lo).astype(np.int64), 0) / 365.25
    k = np.minimum(rng.poisson(MOVE_RATE * years), 5)
    rep = np.repeat(np.arange(pid.size), k)
    move = uniform_dates(rng, lo[rep] + 1, end[rep] - 1)
    # Periods: [start, move1-1], [move1, move2-1], ..., [last move, end]
    p_idx = np.concatenate([np.arange(pid.size), rep])
    p_from = np.concatenate([start, move])
    order = np.lexsort((p_from, p_idx))
    p_idx, p_from = p_idx[order], p_from[order]
    nxt_same = np.r_[p_idx[1:] == p_idx[:-1], False]
    nxt_from = np.r_[p_from[1:], np.datetime64("NaT", "D")]
    p_to = np.where(nxt_same, nxt_from - 1, end_raw[p_idx])
    first = np.r_[True, p_idx[1:] != p_idx[:-1]]
    home = res["home_buurt"].to_numpy()
    same_buurt = rng.random(p_idx.size) < 0.4
    if len(geo.gemeenten) == 1:
        elsewhere = rng.choice(geo.buurten.height, p_idx.size, p=geo.buurt_weights("k_0_14"))
    else:  # a move within a region's gemeente stays in that gemeente (moves between gemeenten: region.py)
        elsewhere = buurten_in(rng, geo, geo.gemeente_of_buurt()[home[p_idx]])
    buurt = np.where(first | same_buurt, home[p_idx], elsewhere)
    addr = pick_addresses(rng, geo, buurt.astype(np.int64))
    df = pl.DataFrame(
        {
            "pid": pid[p_idx],
            "address_id": addr,
            "buurt_idx": buurt.astype(np.int64),
            "vanaf": p_from,
            "tot": p_to,
        }
    )
    # Same-day duplicates of move dates collapse to one period per start date.
    df = df.filter(pl.col("tot").is_null() | (pl.col("tot") >= pl.col("vanaf")))
    return df.filter(pl.col("tot").is_null() | (pl.col("tot") >= EXPORT_FROM)).sort("pid", "vanaf")
