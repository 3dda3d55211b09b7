"""Youth-care trajectories (toewijzingen) and monthly declarations, shared by the CSV and iJw forms.

Why: the monitor's A/B/C/D indicators need realistic trajectories: ~11 % of 0-17 year olds in care each year,
more in wijken where CBS reports more youth care, a product mix dominated by ambulant care, verwijzers as in
the national statistics, durations and costs by type, dyslexia care for BAO pupils, credits that correct debet
lines. One table feeds both output forms so "csv" and "ijw" describe exactly the same care.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from dev.synthetic.dates import (
    EXTRACT_DATE,
    EXTRACT_DAY,
    HISTORY_START,
    add_years,
    uniform_dates,
)
from dev.synthetic.geography import GEMEENTE_PCT, Geography
from dev.synthetic.identifiers import make_agb_codes
from dev.synthetic.population import RESIDENT

_DATA = Path(__file__).parent / "data"
NAT = np.datetime64("NaT", "D")
BASE_RATE = 0.110  # new trajectories per child-year before frailty, age and wijk factors (calibrated to ~11 %)
DYSLEXIA_SHARE = 0.05  # of BAO pupils, once between age 7 and 10
DYSLEXIA_CODES = ("45D01", "45D02")
LAST_DECLARED = np.datetime64("2026-06-30", "D")  # July 2026 is declared in August, after the extract

# Category mix by age band: <4, 4-11, 12-17, 18+ (JZ020 codes).
CATS = ("45", "41", "43", "44", "46", "47", "48", "49", "51", "52", "54")
MIX = {
    0: (0.55, 0.06, 0.08, 0.06, 0.05, 0.00, 0.18, 0.00, 0.00, 0.00, 0.02),
    1: (0.66, 0.06, 0.03, 0.03, 0.02, 0.00, 0.06, 0.01, 0.04, 0.03, 0.06),
    2: (0.52, 0.03, 0.05, 0.04, 0.03, 0.05, 0.07, 0.03, 0.04, 0.05, 0.09),
    3: (0.55, 0.02, 0.10, 0.10, 0.01, 0.06, 0.00, 0.00, 0.04, 0.05, 0.07),
}
# Planned duration (days) ranges and monthly cost (median euro, lognormal sigma) per categorie.
DURATION = {
    "45": (90, 365),
    "41": (180, 365),
    "43": (180, 1095),
    "44": (180, 1095),
    "46": (14, 90),
    "47": (180, 365),
    "48": (365, 365),
    "49": (90, 180),
    "51": (90, 180),
    "52": (180, 365),
    "54": (120, 365),
}
COST = {
    "45": (650, 0.45),
    "41": (2500, 0.3),
    "43": (8000, 0.2),
    "44": (6500, 0.2),
    "46": (12000, 0.3),
    "47": (1050, 0.1),
    "48": (1350, 0.1),
    "49": (500, 0.3),
    "51": (450, 0.3),
    "52": (1600, 0.4),
    "54": (900, 0.4),
}
VERWIJZERS = ("01", "02", "03", "04", "05", "06", "08", "")
VERWIJZER_MIX = (0.28, 0.43, 0.075, 0.02, 0.085, 0.032, 0.02, 0.043)
REDEN_EARLY = ("32", "33", "34", "35", "36", "38", "39")
REDEN_EARLY_P = (0.25, 0.10, 0.30, 0.08, 0.05, 0.12, 0.10)
WIJZIGING_FOR_REDEN = {"35": "07", "38": "09", "39": "06", "36": "05"}  # JZ588 ↔ JZ002; others: 12


_DEBET_CREDIT = pl.when(pl.col("kind") == 1).then(pl.lit("C")).otherwise(pl.lit("D")).alias("debet_credit")


@dataclass(frozen=True)
class YouthCare:
    """Trajectories, declaration lines, providers and rejected requests (iJw only).

    ``lines`` holds the declaration lines compactly, in their final order: ``row`` (the trajectory's row),
    periode_begin, periode_einde, bedrag_cent (Int32), ``kind`` (0 debet, 1 credit, 2 corrected debet),
    decl_month, dagtekening; ``declarations`` turns (a selection of) them into the full columns."""

    trajectories: pl.DataFrame
    lines: pl.DataFrame
    providers: pl.DataFrame  # agb, kind
    rejected: pl.DataFrame  # pid, agb, categorie, productcode, datum (JW315 + JW319 afwijzing)

    def lines_of(self, trajectories: npt.NDArray[np.bool_] | None = None) -> pl.DataFrame:
        """``lines`` with their number (``ref``, from 1) for the selected trajectories (default all)."""
        lines = self.lines.with_row_index("ref", offset=1)
        if trajectories is None or trajectories.all():
            return lines
        return lines.filter(pl.Series(trajectories).gather(lines["row"]))

    def csv_lines(self, lines: pl.DataFrame) -> pl.DataFrame:
        """pid, toewijzingnummer, periode_begin, periode_einde, bedrag_cent, debet_credit of ``lines``: what
        declaraties.csv needs, without the iJw columns."""
        ids = self.trajectories.select("pid", "toewijzingnummer").select(pl.all().gather(lines["row"]))
        amounts = lines.select("periode_begin", "periode_einde", pl.col("bedrag_cent").cast(pl.Int64), _DEBET_CREDIT)
        return pl.concat([ids, amounts], how="horizontal")

    def declarations(self, lines: pl.DataFrame | None = None) -> pl.DataFrame:
        """Full declaration lines (periode_begin, periode_einde, bedrag_cent, debet_credit, decl_month,
        correctie, pid, toewijzingnummer, agb, categorie, productcode, dagtekening, referentie) of ``lines``
        (from ``lines_of``; default all)."""
        lines = self.lines_of() if lines is None else lines
        meta = self.trajectories.select("pid", "toewijzingnummer", "agb", "categorie", "productcode").select(
            pl.all().gather(lines["row"])
        )
        return pl.concat(
            [
                lines.select(
                    "periode_begin",
                    "periode_einde",
                    pl.col("bedrag_cent").cast(pl.Int64),
                    _DEBET_CREDIT,
                    "decl_month",
                    (pl.col("kind") != 0).alias("correctie"),
                ),
                meta,
                lines.select("dagtekening", (pl.lit("R") + pl.col("ref").cast(pl.Utf8)).alias("referentie")),
            ],
            how="horizontal",
        )


def load_products() -> pl.DataFrame:
    """Product codes per categorie (JZ21 subset plus documented municipal codes)."""
    return pl.read_csv(_DATA / "producten.csv", schema_overrides={"productcategorie": pl.Utf8, "hulpvorm": pl.Utf8})


def _unique_ids(rng: np.random.Generator, n: int) -> npt.NDArray[np.int64]:
    """Unique 8-digit toewijzingnummers (xs:integer in iJw, so no leading zero)."""
    out = np.empty(0, dtype=np.int64)
    while out.size < n:
        cand = rng.integers(10_000_000, 100_000_000, (n - out.size) * 2 + 16)
        both = np.concatenate([out, cand])
        _, first = np.unique(both, return_index=True)
        out = both[np.sort(first)]
    return out[:n]


def providers_of(rng: np.random.Generator, scale: float) -> pl.DataFrame:
    """Providers by kind; ambulant providers grow with scale so batches stay realistic in size."""
    kinds = (
        ["GI"]
        + ["crisis"]
        + ["verblijf"] * 3
        + ["ggz"] * 3
        + ["dyslexie"] * 2
        + ["ambulant"] * max(3, round(10 * scale**0.5))
    )
    return pl.DataFrame({"agb": make_agb_codes(rng, len(kinds)), "kind": kinds})


PROVIDER_KIND = {
    "45": "ambulant",
    "41": "ambulant",
    "49": "ambulant",
    "43": "verblijf",
    "44": "verblijf",
    "46": "crisis",
    "47": "GI",
    "48": "GI",
    "51": "ggz",
    "52": "ggz",
    "54": "ggz",
}


def _age_band(age: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    return np.select([age < 4, age < 12, age < 18], [0, 1, 2], 3).astype(np.int64)


def build_youth_care(
    rng: np.random.Generator, persons: pl.DataFrame, enrolments: pl.DataFrame, geo: Geography, scale: float
) -> YouthCare:
    """Generate trajectories for residents, dyslexia care for BAO pupils, and their declarations."""
    providers = providers_of(rng, scale)
    trajectories = pl.concat([_draw(rng, persons, geo), _dyslexia(rng, persons, enrolments)])
    trajectories = _timeline(rng, trajectories, persons)
    trajectories = _assign(rng, trajectories, providers)
    lines = _declarations(rng, trajectories)
    rejected = _rejected(rng, trajectories, providers)
    return YouthCare(trajectories, lines, providers, rejected)


def _draw(rng: np.random.Generator, persons: pl.DataFrame, geo: Geography) -> pl.DataFrame:
    """Trajectory starts of residents (pid, categorie, productcode, ingang) by frailty, wijk and age."""
    products = load_products()
    res = persons.filter(pl.col("cls") == RESIDENT).select(
        "pid", "birth", "res_start", "res_end", "home_buurt", "frailty"
    )
    pid = res["pid"].to_numpy()
    birth = res["birth"].to_numpy().astype("datetime64[D]")
    rs = res["res_start"].to_numpy().astype("datetime64[D]")
    re_raw = res["res_end"].to_numpy().astype("datetime64[D]")
    re = np.where(np.isnat(re_raw), EXTRACT_DATE, re_raw)
    lo = np.maximum.reduce([rs, birth, np.full(pid.size, HISTORY_START)])
    hi = np.minimum(re, add_years(birth, 23))
    years = np.maximum((hi - lo).astype(np.int64), 0) / 365.25
    pct = geo.buurten["jeugdzorg_pct"].to_numpy()[res["home_buurt"].to_numpy()]
    rate = BASE_RATE * res["frailty"].to_numpy() * (pct / GEMEENTE_PCT) * 1.25
    k = rng.poisson(rate * years)
    rep = np.repeat(np.arange(pid.size), k)
    start = uniform_dates(rng, lo[rep], hi[rep])
    age = (start - birth[rep]).astype(np.int64) / 365.25
    age_factor = np.select([age < 4, age < 12, age < 18], [0.35, 1.0, 1.25], 0.22)
    keep = rng.random(rep.size) < age_factor / 1.25
    rep, start, age = rep[keep], start[keep], age[keep]
    n = rep.size
    band = _age_band(age)
    cat = np.empty(n, dtype=object)
    for b, mix in MIX.items():
        m = band == b
        p = np.asarray(mix) / np.sum(mix)
        cat[m] = np.asarray(CATS)[rng.choice(len(CATS), int(m.sum()), p=p)]
    cat = cat.astype(str)
    code = np.empty(n, dtype=object)
    for c in CATS:
        m = cat == c
        codes = products.filter((pl.col("productcategorie") == c) & ~pl.col("productcode").is_in(DYSLEXIA_CODES))
        code[m] = np.asarray(codes["productcode"].to_list())[rng.integers(0, codes.height, int(m.sum()))]
    code = code.astype(str)
    return pl.DataFrame({"pid": pid[rep], "categorie": cat, "productcode": code, "ingang": start})


def _dyslexia(rng: np.random.Generator, persons: pl.DataFrame, enrolments: pl.DataFrame) -> pl.DataFrame:
    """EED dyslexia care: diagnostiek (45D01), then for ~70 % behandeling (45D02), age 7-10 in BAO."""
    bao = enrolments.filter(pl.col("soort") == "BAO").join(
        persons.filter(pl.col("cls") == RESIDENT).select("pid", "birth", "res_start"), on="pid"
    )
    bao = (
        bao.group_by("pid")
        .agg(pl.col("start").min(), pl.col("end").max(), pl.col("birth").first(), pl.col("res_start").first())
        .sort("pid")
    )
    bao = bao.filter(pl.Series(rng.random(bao.height) < DYSLEXIA_SHARE * 1.3))
    birth = bao["birth"].to_numpy().astype("datetime64[D]")
    lo = np.maximum.reduce(
        [
            add_years(birth, 7),
            bao["start"].to_numpy().astype("datetime64[D]"),
            np.full(bao.height, HISTORY_START),
        ]
    )
    end = bao["end"].to_numpy().astype("datetime64[D]")
    hi = np.minimum.reduce(
        [
            add_years(birth, 10),
            np.where(np.isnat(end), EXTRACT_DATE, end),
            np.full(bao.height, EXTRACT_DATE - 30),
        ]
    )
    ok = hi > lo
    start = uniform_dates(rng, lo, hi)
    d1 = pl.DataFrame(
        {"pid": bao["pid"].to_numpy()[ok], "categorie": "45", "productcode": "45D01", "ingang": start[ok]}
    )
    follow = rng.random(d1.height) < 0.7
    d2_start = start[ok] + rng.integers(75, 150, d1.height)
    d2 = pl.DataFrame(
        {
            "pid": d1["pid"].to_numpy()[follow],
            "categorie": "45",
            "productcode": "45D02",
            "ingang": d2_start[follow],
        }
    ).filter(pl.col("ingang") <= EXTRACT_DAY)
    return pl.concat([d1, d2])


def _timeline(rng: np.random.Generator, t: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    """Planned/actual ends, start/stop of care, changes and the message dates that make them known."""
    n = t.height
    cat = t["categorie"].to_numpy()
    code = t["productcode"].to_numpy()
    ingang = t["ingang"].to_numpy().astype("datetime64[D]")
    lo = np.array([DURATION.get(c, (90, 365))[0] for c in cat])
    hi = np.array([DURATION.get(c, (90, 365))[1] for c in cat])
    dur = rng.integers(lo, hi + 1)
    dur = np.where(code == "45D01", rng.integers(60, 121, n), dur)
    dur = np.where(code == "45D02", rng.integers(300, 481, n), dur)
    open_ended = (
        (np.isin(cat, ["43", "44"]) & (rng.random(n) < 0.15))
        | (code == "48A03")
        | ((cat == "45") & (rng.random(n) < 0.03) & ~np.isin(code, DYSLEXIA_CODES))
    )
    planned = np.where(open_ended, NAT, ingang + dur)
    # Extensions (verlenging, JZ002 04): ~5 % get a later end by a second JW301 before the planned end.
    verleng = ~open_ended & (rng.random(n) < 0.05)
    extended = planned + rng.integers(60, 181, n)
    # decided before the planned end, but always after the allocation started (so after its first JW301)
    verleng_date = np.maximum(planned - rng.integers(10, 31, n), ingang + 1)
    verleng &= verleng_date <= EXTRACT_DATE
    final_planned = np.where(verleng, extended, planned)
    early = rng.random(n) < 0.30
    actual = np.where(open_ended, ingang + (dur * rng.uniform(1.0, 2.5, n)).astype(np.int64), final_planned)
    actual = np.where(early & ~open_ended, ingang + (dur * rng.uniform(0.3, 0.9, n)).astype(np.int64), actual)
    reden = np.where(
        early & ~open_ended, np.asarray(REDEN_EARLY)[rng.choice(len(REDEN_EARLY), n, p=REDEN_EARLY_P)], "31"
    )
    # Moving away ends care within weeks (reden 35, externe oorzaak / verhuizing).
    p = persons.select("pid", "res_end")
    res_end = t.join(p, on="pid", how="left")["res_end"].to_numpy().astype("datetime64[D]")
    moved = ~np.isnat(res_end) & (res_end >= ingang) & (res_end + 45 < actual)
    actual = np.where(moved, res_end + rng.integers(0, 46, n), actual)
    reden = np.where(moved, "35", reden)
    begin_care = ingang + np.where(rng.random(n) < 0.6, 0, rng.integers(1, 29, n))
    actual = np.maximum(actual, begin_care + 1)
    jw305 = begin_care + rng.integers(0, 8, n)
    begin_known = (jw305 <= EXTRACT_DATE) & (rng.random(n) > 0.07)
    jw307 = actual + rng.integers(1, 15, n)
    end_known = (jw307 <= EXTRACT_DATE) & (rng.random(n) > 0.12)
    # Early ends sometimes lead the gemeente to shorten the toewijzing with a second JW301 (RedenWijziging).
    change_date = actual + rng.integers(1, 11, n)
    shorten = (reden != "31") & (rng.random(n) < 0.4) & (change_date <= EXTRACT_DATE)
    wijziging = np.where(shorten, [WIJZIGING_FOR_REDEN.get(r, "12") for r in reden], "")
    wijziging = np.where(verleng & ~shorten, "04", wijziging)
    wdate = np.where(shorten, change_date, np.where(verleng, verleng_date, NAT))
    einddatum = np.where(shorten, actual, final_planned)
    return t.with_columns(
        pl.Series("einddatum_orig", planned),
        pl.Series("einddatum", einddatum),
        pl.Series("begin_care", begin_care),
        pl.Series("end_care", actual),
        # A JW307 repeats the Begindatum, so the start of care is known once either message was sent.
        pl.Series("begindatum_zorg", np.where(begin_known | end_known, begin_care, NAT)),
        pl.Series("jw305_sent", begin_known),
        pl.Series("einddatum_zorg", np.where(end_known, actual, NAT)),
        pl.Series("reden_beeindiging", np.where(end_known, reden, "")),
        pl.Series("wijziging", wijziging.astype(str)),
        pl.Series("wijziging_datum", wdate),
        pl.Series("jw315_datum", ingang - rng.integers(5, 31, n)),
        pl.Series("jw301_datum", ingang - rng.integers(0, 11, n)),
        pl.Series("jw305_datum", jw305),
        pl.Series("jw307_datum", jw307),
    )


def _assign(rng: np.random.Generator, t: pl.DataFrame, providers: pl.DataFrame) -> pl.DataFrame:
    """Provider (AGB), verwijzer (COD327), toewijzingnummer and the provider's own reference."""
    n = t.height
    cat = t["categorie"].to_numpy()
    code = t["productcode"].to_numpy()
    kind = np.where(np.isin(code, DYSLEXIA_CODES), "dyslexie", [PROVIDER_KIND.get(c, "ambulant") for c in cat])
    agb = np.empty(n, dtype=object)
    for k in np.unique(kind):
        options = providers.filter(pl.col("kind") == k)["agb"].to_numpy()
        m = kind == k
        w = np.linspace(2.0, 1.0, options.size)  # some providers are bigger than others
        agb[m] = options[rng.choice(options.size, int(m.sum()), p=w / w.sum())]
    # Dyslexia behandeling stays with the provider of the diagnostiek where possible: same person → same agb.
    verw = np.asarray(VERWIJZERS)[rng.choice(len(VERWIJZERS), n, p=np.asarray(VERWIJZER_MIX) / sum(VERWIJZER_MIX))]
    verw = np.where(np.isin(cat, ["47", "48"]), "04", verw)
    verw = np.where(cat == "49", np.where(rng.random(n) < 0.6, "01", "04"), verw)
    verw = np.where(cat == "46", np.asarray(("01", "02", "04", "08"))[rng.choice(4, n, p=(0.5, 0.2, 0.2, 0.1))], verw)
    verw = np.where(np.isin(code, DYSLEXIA_CODES), np.where(rng.random(n) < 0.6, "01", "02"), verw)
    tid = _unique_ids(rng, n)
    df = t.with_columns(
        pl.Series("toewijzingnummer", tid),
        pl.Series("agb", agb.astype(str)),
        pl.Series("verwijzer_type", verw.astype(str)),
    ).sort("ingang", "toewijzingnummer")
    return df.with_columns(
        (pl.col("agb").str.slice(2, 6) + pl.lit("-") + pl.int_range(pl.len()).over("agb").cast(pl.Utf8)).alias(
            "referentie"
        )
    )


_EXTRACT_DAYS = int(EXTRACT_DATE.astype(np.int64))  # the extract date as days since 1970


def _days(dates: npt.NDArray[np.datetime64]) -> npt.NDArray[np.int32]:
    """Dates as int32 days since 1970 (polars' Date)."""
    return dates.astype("datetime64[D]").astype(np.int64).astype(np.int32)


def _month_start(months: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
    """First day (int32 days since 1970) of months counted since January 1970."""
    return _days(months.astype(np.int64).astype("datetime64[M]"))


def _declarations(rng: np.random.Generator, t: pl.DataFrame) -> pl.DataFrame:
    """One debet line per trajectory per month of care; ~0.8 % credited and re-declared later.

    Lines stay compact numpy arrays (int32 days and months) until the end: only the lines sent by the extract
    date become a frame, in their final order (the sort key is unique per line, so the order is determined)."""
    n = t.height
    cat = t["categorie"]
    code = t["productcode"]
    start = t["begin_care"].to_numpy().astype("datetime64[D]")
    end = np.minimum(t["end_care"].to_numpy().astype("datetime64[D]"), LAST_DECLARED)
    med = cat.replace_strict({c: float(v[0]) for c, v in COST.items()}, return_dtype=pl.Float64).to_numpy()
    sig = cat.replace_strict({c: float(v[1]) for c, v in COST.items()}, return_dtype=pl.Float64).to_numpy()
    monthly = med * np.exp(sig * rng.standard_normal(n))
    days_total = np.maximum((end - start).astype(np.int64) + 1, 1)
    monthly = np.where((code == "45D01").to_numpy(), rng.uniform(1100, 1400, n) * 30.44 / days_total, monthly)
    monthly = np.where((code == "45D02").to_numpy(), rng.uniform(2700, 3300, n) * 30.44 / days_total, monthly)
    m0 = start.astype("datetime64[M]").astype(np.int64)
    m1 = end.astype("datetime64[M]").astype(np.int64)
    cnt = np.where(end >= start, m1 - m0 + 1, 0)
    idx = np.repeat(np.arange(n, dtype=np.int32), cnt)
    month = (np.repeat(m0 - (np.cumsum(cnt) - cnt), cnt) + np.arange(idx.size)).astype(np.int32)
    del m0, m1, cnt
    start_d, end_d = _days(start), _days(end)
    mstart = _month_start(month)
    mend = _month_start(month + 1) - 1
    pb = np.maximum(mstart, start_d[idx])
    pe = np.minimum(mend, end_d[idx])
    cents = np.round(monthly[idx] * ((pe - pb).astype(np.int64) + 1) / ((mend - mstart).astype(np.int64) + 1) * 100)
    cents = np.maximum(cents, 100).astype(np.int64)
    del mstart, mend
    # Declaration messages: sent 5-15 days after the month; keyed by the month declared.
    credit = (rng.random(idx.size) < 0.008) & (_month_start(month + 2) + 15 <= _EXTRACT_DAYS)
    ci = np.flatnonzero(credit).astype(np.int32)
    del credit
    later = month[ci] + rng.integers(1, 3, ci.size).astype(np.int32)
    factor = rng.uniform(0.85, 1.1, ci.size)
    redo_cents = np.maximum(np.round(cents[ci] * factor), 100).astype(np.int64)
    del factor
    if max(int(cents.max(initial=0)), int(redo_cents.max(initial=0))) >= 2**31:
        raise ValueError("declaration amount beyond Int32")
    # Only lines sent by the extract date exist: day 6-15 (debet) or 13-22 (a credit and its corrected debet)
    # of the next month, by provider.
    agb_digit = t["agb"].str.slice(-1).cast(pl.Int32).to_numpy()
    day0 = _month_start(month + 1) + 5 + agb_digit[idx]
    base = np.flatnonzero(day0 <= _EXTRACT_DAYS).astype(np.int32)
    day1 = _month_start(later + 1) + 12 + agb_digit[idx[ci]]
    sent = day1 <= _EXTRACT_DAYS
    corr, later, day1, redo_cents = ci[sent], later[sent], day1[sent], redo_cents[sent]
    del ci, sent
    # All lines: the debet lines, then a credit (C) and a corrected debet of each credited line.
    line = np.concatenate([base, corr, corr])
    kind = np.concatenate([np.zeros(base.size, np.int8), np.ones(corr.size, np.int8), np.full(corr.size, 2, np.int8)])
    amount = np.concatenate([cents[base], cents[corr], redo_cents]).astype(np.int32)
    decl_month = np.concatenate([month[base], later, later])
    dagtekening = np.concatenate([day0[base], day1, day1])
    del cents, redo_cents, month, later, day0, day1, base, corr
    row = idx[line]
    del idx
    # Order by decl_month, agb, pid, toewijzingnummer, periode_begin, debet_credit (C < D), correctie: one int64
    # key (unique per line), the trajectory's rank by (agb, pid, toewijzingnummer) standing in for those three.
    rank = np.empty(n, dtype=np.int32)
    rank[np.lexsort((t["toewijzingnummer"].to_numpy(), t["pid"].to_numpy(), t["agb"].rank("dense").to_numpy()))] = (
        np.arange(n, dtype=np.int32)
    )
    m_lo = int(decl_month.min(initial=0))
    d_lo, d_hi = int(pb.min(initial=0)), int(pb.max(initial=0))
    n_days, n_months = d_hi - d_lo + 1, int(decl_month.max(initial=0)) - m_lo + 1
    if n_months * max(n, 1) * n_days * 4 >= 2**63:
        raise ValueError("too many declaration lines for one sort key")
    key = decl_month.astype(np.int64)
    key -= m_lo
    key *= n
    key += rank[row]
    del rank
    key *= n_days
    key += pb[line]
    key -= d_lo
    key *= 4
    key += (kind != 1) * 2 + (kind != 0)
    order = np.argsort(key, kind="stable")
    del key
    line = line[order]
    return pl.DataFrame(
        {
            "row": pl.Series(row[order], dtype=pl.Int32),
            "periode_begin": pl.Series(pb[line]).cast(pl.Date),
            "periode_einde": pl.Series(pe[line]).cast(pl.Date),
            "bedrag_cent": pl.Series(amount[order]),
            "kind": pl.Series(kind[order]),
            "decl_month": pl.Series(_month_start(decl_month[order])).cast(pl.Date),
            "dagtekening": pl.Series(dagtekening[order]).cast(pl.Date),
        }
    )


def _rejected(rng: np.random.Generator, t: pl.DataFrame, providers: pl.DataFrame) -> pl.DataFrame:
    """A few requests (~2 %) the gemeente rejects (JW315 answered by JW319); never trajectories."""
    m = rng.random(t.height) < 0.02
    sub = t.filter(pl.Series(m) & (pl.col("categorie") == "45") & ~pl.col("productcode").is_in(DYSLEXIA_CODES))
    return (
        sub.select(
            "pid",
            "agb",
            "categorie",
            "productcode",
            "verwijzer_type",
            (pl.col("ingang") - pl.duration(days=60)).alias("datum"),
        )
        .with_columns(
            pl.Series("reden_afwijzing", np.asarray(["2", "3", "4", "6", "7"])[rng.integers(0, 5, sub.height)]),
            (pl.lit("AF") + pl.int_range(pl.len()).cast(pl.Utf8)).alias("referentie"),
        )
        .filter(pl.col("verwijzer_type") != "")
    )
