"""Calendar constants and vectorised date helpers (numpy ``datetime64[D]``).

Why: every generator step reasons about school years, peildata and the extract date; keeping them in one
place guarantees that all files agree on the time frame of spec §2.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt

Dates = npt.NDArray[np.datetime64]
Ints = npt.NDArray[np.int64]

FIRST_SCHOOL_YEAR = 2021  # 2021/2022, peildatum 2021-10-01
LAST_SCHOOL_YEAR = 2025  # 2025/2026, peildatum 2025-10-01
EXTRACT_DATE = np.datetime64("2026-07-31", "D")
WINDOW_START = np.datetime64("2021-08-01", "D")  # start of the first school year
HISTORY_START = np.datetime64("2019-01-01", "D")  # youth-care history needed for trajectories active in 2021
NAT = np.datetime64("NaT", "D")
# The same days as Python dates, for polars expressions.
EXTRACT_DAY = dt.date(2026, 7, 31)
WINDOW_START_DAY = dt.date(2021, 8, 1)
SPLIT_DAY = dt.date(2024, 1, 1)


def ymd(year: npt.ArrayLike, month: npt.ArrayLike, day: npt.ArrayLike) -> Dates:
    """Build dates from (broadcastable) year, month, day arrays; day may overflow into the next month."""
    y = np.asarray(year, dtype=np.int64)
    m = np.asarray(month, dtype=np.int64)
    d = np.asarray(day, dtype=np.int64)
    months = (y - 1970) * 12 + (m - 1)
    days = months.astype("datetime64[M]").astype("datetime64[D]")
    return np.asarray(days + (d - 1), dtype="datetime64[D]")


def year_of(dates: Dates) -> Ints:
    """Calendar year of each date."""
    return dates.astype("datetime64[Y]").astype(np.int64) + 1970


def month_of(dates: Dates) -> Ints:
    """Calendar month (1-12) of each date."""
    return dates.astype("datetime64[M]").astype(np.int64) % 12 + 1


def day_of(dates: Dates) -> Ints:
    """Day of month of each date."""
    return (dates - dates.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1


def add_years(dates: Dates, years: npt.ArrayLike) -> Dates:
    """Same calendar day ``years`` later (29 February becomes 28 February), as for birthdays."""
    y, m, d = year_of(dates), month_of(dates), day_of(dates)
    d = np.where((m == 2) & (d == 29), 28, d)
    return ymd(y + np.asarray(years, dtype=np.int64), m, d)


def school_year_of(dates: Dates) -> Ints:
    """Start year t of the school year t/t+1 (1 August - 31 July) containing each date."""
    y, m = year_of(dates), month_of(dates)
    return np.where(m >= 8, y, y - 1)


def uniform_dates(rng: np.random.Generator, start: Dates, end: Dates) -> Dates:
    """A uniformly random date in [start, end] per element (end < start gives start)."""
    span = np.maximum((end - start).astype(np.int64), 0)
    return start + np.floor(rng.random(span.shape) * (span + 1)).astype(np.int64)


def peildatum(year: int) -> np.datetime64:
    """Peildatum (1 October t) of school year t/t+1."""
    return np.datetime64(f"{year}-10-01", "D")
