"""The synthetic persons: Almere residents aged 0-22 over the monitor window, plus pupils from outside.

Why: every file is a view of one person table, so linkage (enrolment ↔ residence ↔ youth care) is true by
construction and the monitor's link rates are known. Three classes:

* residents (``cls`` 0): in the BRP extract (bewoners.csv); they may move in or away during the window;
* externals (``cls`` 1): pupils at Almere schools living elsewhere (no bewoners row), mostly VO/MBO;
* no-BSN pupils (``cls`` 2): only an onderwijsnummer, so no residence or youth-care link is possible.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from dev.synthetic.dates import EXTRACT_DATE, WINDOW_START, add_years, uniform_dates
from dev.synthetic.geography import Geography
from dev.synthetic.identifiers import make_bsns, make_onderwijsnummers

RESIDENT, EXTERNAL, NO_BSN = 0, 1, 2
COHORT_SIZE = 3_150  # Almere births / youth per year of age (CBS 2024: 41,129 aged 0-14; 27,737 aged 15-24)
BIRTH_FIRST = np.datetime64("1999-01-01", "D")
BIRTH_LAST = np.datetime64("2026-06-30", "D")
EXTERNAL_PERSONS = 6_500  # pupils from outside Almere (mostly MBO), ~6 % of pupils in a year
NO_BSN_SHARE = 0.025  # persons per pupil; ~1.5 % of pupils on a peildatum (they arrive over time)
PUPILS_AT_SCALE_1 = 45_000


def build_population(
    rng: np.random.Generator, geo: Geography, scale: float, external_scale: float | None = None
) -> pl.DataFrame:
    """One row per person with identifiers, birth date, class, home buurt and residence window; ``scale`` sizes
    the residents (of every buurt of ``geo``), ``external_scale`` (default ``scale``) the pupils from outside."""
    years = (BIRTH_LAST - BIRTH_FIRST).astype(np.int64) / 365.25
    n_res = round(COHORT_SIZE * scale * years)
    n_ext = max(1, round(EXTERNAL_PERSONS * (scale if external_scale is None else external_scale)))
    n_nob = max(1, round(NO_BSN_SHARE * PUPILS_AT_SCALE_1 * scale))
    n = n_res + n_ext + n_nob
    cls = np.concatenate([np.zeros(n_res), np.full(n_ext, EXTERNAL), np.full(n_nob, NO_BSN)]).astype(np.int64)

    birth = np.empty(n, dtype="datetime64[D]")
    birth[:n_res] = uniform_dates(rng, np.full(n_res, BIRTH_FIRST), np.full(n_res, BIRTH_LAST))
    birth[n_res : n_res + n_ext] = uniform_dates(
        rng,
        np.full(n_ext, np.datetime64("2001-01-01", "D")),
        np.full(n_ext, np.datetime64("2010-09-30", "D")),
    )
    birth[n_res + n_ext :] = uniform_dates(
        rng,
        np.full(n_nob, np.datetime64("2004-01-01", "D")),
        np.full(n_nob, np.datetime64("2020-12-31", "D")),
    )

    # Home buurt: young children follow the CBS 0-14 distribution, older ones the 15-24 distribution.
    young = birth >= np.datetime64("2010-01-01", "D")
    buurt = np.where(
        young,
        rng.choice(geo.buurten.height, n, p=geo.buurt_weights("k_0_14")),
        rng.choice(geo.buurten.height, n, p=geo.buurt_weights("k_15_24")),
    )
    buurt = np.where(cls == RESIDENT, buurt, -1)

    # Residence window: born here, moved in long ago, or moved in during the window (~2 %/year);
    # ~2 %/year move away during the window.
    u = rng.random(n)
    moved_in_window = u < 0.09
    moved_in_early = (u >= 0.09) & (u < 0.50)
    res_start = birth.copy()
    early = uniform_dates(rng, birth, np.maximum(birth, WINDOW_START - 1))
    res_start = np.where(moved_in_early, early, res_start)
    late = uniform_dates(rng, np.maximum(birth, WINDOW_START), np.full(n, EXTRACT_DATE - 30))
    res_start = np.where(moved_in_window & (late > birth), late, res_start)
    away = rng.random(n) < 0.09
    end = uniform_dates(rng, np.maximum(res_start + 60, WINDOW_START), np.full(n, EXTRACT_DATE - 1))
    res_end = np.where(away & (end <= EXTRACT_DATE - 1), end, np.datetime64("NaT"))

    resident = cls == RESIDENT
    res_start = np.where(resident, res_start, np.datetime64("NaT"))
    res_end = np.where(resident, res_end, np.datetime64("NaT"))

    bsn = np.full(n, -1, dtype=np.int64)
    has_bsn = cls != NO_BSN
    bsn[has_bsn] = make_bsns(rng, int(has_bsn.sum()))
    onr = np.full(n, -1, dtype=np.int64)
    onr[~has_bsn] = make_onderwijsnummers(rng, int((~has_bsn).sum()))

    # No-BSN pupils arrive (newcomers) at some point; before that they are not in Almere's schools.
    arrival = uniform_dates(
        rng,
        np.maximum(add_years(birth, 4), np.datetime64("2018-08-01", "D")),
        np.full(n, np.datetime64("2026-03-31", "D")),
    )
    arrival = np.where(cls == NO_BSN, arrival, np.datetime64("NaT"))

    return pl.DataFrame(
        {
            "pid": np.arange(n, dtype=np.int64),
            "cls": cls,
            "birth": birth,
            "sex": np.where(rng.random(n) < 0.51, 1, 2).astype(np.int64),
            "bsn": bsn,
            "onr": onr,
            "home_buurt": buurt.astype(np.int64),
            "res_start": res_start,
            "res_end": res_end,
            "arrival": arrival,
            "elsewhere_primary": rng.random(n) < 0.03,
            "elsewhere_secondary": rng.random(n) < 0.07,
            "frailty": rng.gamma(0.6, 1 / 0.6, n),
        }
    )
