"""A second, independent computation of A1, B1, C1, E1 and F4 in plain polars, from the staged Parquet files.

Why: the SQL is the monitor's computation; this is a check on it. It is written from the rules in words
(spec §2-§3 and the documented choices), reads the staged, pseudonymised Parquet files directly and shares
no code or table with the SQL (no views, no warehouse), so that a mistake in one shows up as a difference.
Tests hold the two against each other to the unit, for every level and year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.lib.sealing import read_sealed

VO_MBO = ["PRO", "VMBO-BB", "VMBO-KB", "VMBO-GT", "HAVO", "VWO", "MBO-1", "MBO-2", "MBO-3", "MBO-4"]
STARTKWALIFICATIE = ["HAVO", "VWO", "MBO-2", "MBO-3", "MBO-4"]
NOT_JEUGDHULP = ["47", "48", "49"]
REFERRERS = ["01", "02", "03", "04", "05", "06", "08", "onbekend"]
UNKNOWN_WIJK = "ONBEKEND"
RESULT_SCHEMA = pl.Schema(
    {
        "schooljaar": pl.String,
        "niveau": pl.String,
        "eenheid_code": pl.String,
        "indicator": pl.String,
        "categorie": pl.String,
        "teller": pl.Float64,
        "noemer": pl.Float64,
    }
)


@dataclass(frozen=True)
class Year:
    """School year t/t+1: 1 August t to 31 July t+1, peildatum 1 October t."""

    t: int

    @property
    def label(self) -> str:
        return f"{self.t}/{self.t + 1}"

    @property
    def peildatum(self) -> dt.date:
        return dt.date(self.t, 10, 1)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.t, 8, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.t + 1, 7, 31)


@dataclass(frozen=True)
class Staged:
    inschrijvingen: pl.DataFrame
    bewoners: pl.DataFrame
    toewijzingen: pl.DataFrame
    declaraties: pl.DataFrame
    verzuim: pl.DataFrame
    diplomas: pl.DataFrame

    @classmethod
    def read(cls, staged_dir: Path) -> Staged:
        return cls(**{name: read_sealed(staged_dir / f"{name}.parquet") for name in cls.__dataclass_fields__})


def enrolled_on(enrolments: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    return enrolments.filter(
        (pl.col("datum_inschrijving") <= day)
        & (pl.col("datum_uitschrijving").is_null() | (pl.col("datum_uitschrijving") >= day))
    )


def computed_years(enrolments: pl.DataFrame) -> list[Year]:
    """Years whose peildatum lies between the school year of the first de-registration (else the first
    enrolment) and the last date in the file, with somebody enrolled on it."""
    deregistrations = enrolments.get_column("datum_uitschrijving").drop_nulls()
    if deregistrations.len():
        first_out: dt.date = deregistrations.min()  # type: ignore[assignment]
        begin = dt.date(first_out.year if first_out.month >= 8 else first_out.year - 1, 8, 1)
    else:
        begin = enrolments.get_column("datum_inschrijving").min()  # type: ignore[assignment]
    end = max(d for d in [enrolments.get_column("datum_inschrijving").max(), deregistrations.max()] if d is not None)
    assert isinstance(end, dt.date)
    candidates = [Year(t) for t in range(begin.year - 1, end.year + 1)]
    return [y for y in candidates if begin <= y.peildatum <= end and enrolled_on(enrolments, y.peildatum).height]


def age_expr(cohort: str, day: dt.date) -> pl.Expr:
    """Whole years on the peildatum `day` from a birth cohort (the year in which the person is 0 on it)."""
    return day.year - pl.col(cohort)


def birth_cohorts(staged: Staged) -> pl.DataFrame:
    """Per person: the birth cohort in the register (latest address period), else in the latest enrolment."""
    register = (
        staged.bewoners.sort("datum_vanaf", "geboortecohort", descending=True)
        .unique("person_id", keep="first")
        .select("person_id", pl.col("geboortecohort").alias("brp"))
    )
    school = (
        staged.inschrijvingen.sort("datum_inschrijving", "geboortecohort", descending=True)
        .unique("person_id", keep="first")
        .select("person_id", pl.col("geboortecohort").alias("school"))
    )
    return register.join(school, on="person_id", how="full", coalesce=True).select(
        "person_id", pl.coalesce("brp", "school").alias("geboren")
    )


def wijken_on(staged: Staged, gemeente: str, day: dt.date) -> pl.DataFrame:
    """Wijk of the address valid on `day` (end exclusive; latest start wins); outside the gemeente: ONBEKEND."""
    return (
        staged.bewoners.filter(
            (pl.col("datum_vanaf") <= day) & (pl.col("datum_tot").is_null() | (pl.col("datum_tot") > day))
        )
        .sort(["person_id", "datum_vanaf", "wijk_code"], descending=[False, True, False], nulls_last=True)
        .unique("person_id", keep="first")
        .select(
            "person_id",
            pl.when((pl.col("gemeente_code") == gemeente) & pl.col("wijk_code").is_not_null())
            .then(pl.col("wijk_code"))
            .otherwise(pl.lit(UNKNOWN_WIJK))
            .alias("wijk"),
        )
    )


def pupils_of(staged: Staged, births: pl.DataFrame, gemeente: str, year: Year) -> pl.DataFrame:
    """person_id, school, wijk, onderwijssoort, leeftijd of every pupil on the peildatum."""
    chosen = (
        enrolled_on(staged.inschrijvingen, year.peildatum)
        .with_columns(school=pl.col("brin") + pl.col("vestigingsnummer"))
        .sort(["person_id", "datum_inschrijving", "school"], descending=[False, True, False])
        .unique("person_id", keep="first")
    )
    return (
        chosen.join(wijken_on(staged, gemeente, year.peildatum), on="person_id", how="left")
        .join(births, on="person_id", how="left")
        .select(
            "person_id",
            "school",
            pl.col("wijk").fill_null(UNKNOWN_WIJK),
            "onderwijssoort",
            age_expr("geboren", year.peildatum).alias("leeftijd"),
        )
    )


def per_unit(persons: pl.DataFrame, gemeente: str) -> pl.DataFrame:
    """One row per person and unit it counts for (school, wijk, gemeente)."""
    return pl.concat(
        [
            persons.select("person_id", niveau=pl.lit("school"), eenheid_code=pl.col("school")),
            persons.select("person_id", niveau=pl.lit("wijk"), eenheid_code=pl.col("wijk")),
            persons.select("person_id", niveau=pl.lit("gemeente"), eenheid_code=pl.lit(gemeente)),
        ]
    )


def allocations(staged: Staged) -> pl.DataFrame:
    """One trajectory per toewijzingnummer (latest allocation wins), with start and end of care.

    On the same allocation start the row's own content decides (latest end, open first; latest care end, open
    first; latest care start; then the smallest category, product code and referrer), never where it was read."""
    order = {
        "ingangsdatum": (True, True),  # column: (descending, nulls last)
        "einddatum": (True, False),
        "einddatum_zorg": (True, False),
        "begindatum_zorg": (True, True),
        "productcategorie": (False, True),
        "productcode": (False, True),
        "verwijzer_type": (False, True),
        "person_id": (False, True),
    }
    return (
        staged.toewijzingen.sort(
            list(order), descending=[d for d, _ in order.values()], nulls_last=[n for _, n in order.values()]
        )
        .unique("toewijzingnummer", keep="first")
        .select(
            "toewijzingnummer",
            "person_id",
            "productcategorie",
            pl.col("verwijzer_type").fill_null("onbekend").alias("verwijzer"),
            pl.coalesce("begindatum_zorg", "ingangsdatum").alias("start"),
            pl.coalesce("einddatum_zorg", "einddatum").alias("einde"),
        )
    )


def a1(units: pl.DataFrame, care: pl.DataFrame, year: Year) -> pl.DataFrame:
    active = care.filter(
        ~pl.col("productcategorie").is_in(NOT_JEUGDHULP)
        & (pl.col("start") <= year.last_day)
        & (pl.col("einde").is_null() | (pl.col("einde") >= year.first_day))
    )
    clients = active.select("person_id").unique().with_columns(zorg=pl.lit(True))
    return (
        units.join(clients, on="person_id", how="left")
        .group_by("niveau", "eenheid_code")
        .agg(teller=pl.col("zorg").sum(), noemer=pl.len())
        .with_columns(indicator=pl.lit("A1"), categorie=pl.lit(None, pl.String))
    )


def b1(units: pl.DataFrame, care: pl.DataFrame, year: Year) -> pl.DataFrame:
    new = care.filter(
        ~pl.col("productcategorie").is_in(NOT_JEUGDHULP) & pl.col("start").is_between(year.first_day, year.last_day)
    )
    referrals = units.join(new.select("person_id", "verwijzer"), on="person_id", how="inner")
    totals = referrals.group_by("niveau", "eenheid_code").agg(noemer=pl.len())
    counts = referrals.group_by("niveau", "eenheid_code", pl.col("verwijzer").alias("categorie")).agg(teller=pl.len())
    grid = units.select("niveau", "eenheid_code").unique().join(pl.DataFrame({"categorie": REFERRERS}), how="cross")
    return (
        grid.join(totals, on=["niveau", "eenheid_code"], how="left")
        .join(counts, on=["niveau", "eenheid_code", "categorie"], how="left")
        .with_columns(pl.col("teller", "noemer").fill_null(0), indicator=pl.lit("B1"))
    )


def c1(units: pl.DataFrame, care: pl.DataFrame, staged: Staged, year: Year) -> pl.DataFrame:
    lines = staged.declaraties.filter(pl.col("periode_begin").is_between(year.first_day, year.last_day))
    cost = (
        lines.join(care.select("toewijzingnummer", pl.col("person_id").alias("client")), on="toewijzingnummer")
        .group_by("client")
        .agg(
            kosten=pl.when(pl.col("debet_credit") == "D")
            .then(pl.col("bedrag"))
            .otherwise(-pl.col("bedrag"))
            .cast(pl.Float64)
            .sum()
        )
    )
    return (
        units.join(cost, left_on="person_id", right_on="client", how="left")
        .group_by("niveau", "eenheid_code")
        .agg(teller=pl.col("kosten").fill_null(0).sum())
        .with_columns(noemer=pl.lit(None, pl.Float64), indicator=pl.lit("C1"), categorie=pl.lit(None, pl.String))
    )


def e1(pupils: pl.DataFrame, gemeente: str, staged: Staged, year: Year, next_pupils: pl.DataFrame) -> pl.DataFrame:
    cohort = pupils.filter(pl.col("onderwijssoort").is_in(VO_MBO) & (pl.col("leeftijd") < 23))
    qualified = staged.diplomas.filter(
        pl.col("diploma").is_in(STARTKWALIFICATIE) & (pl.col("datum_diploma") <= dt.date(year.t + 1, 10, 1))
    ).select("person_id")
    leavers = cohort.filter(
        ~pl.col("person_id").is_in(next_pupils.get_column("person_id").implode())
        & ~pl.col("person_id").is_in(qualified.get_column("person_id").implode())
    )
    return (
        per_unit(cohort, gemeente)
        .with_columns(vsv=pl.col("person_id").is_in(leavers.get_column("person_id").implode()))
        .group_by("niveau", "eenheid_code")
        .agg(teller=pl.col("vsv").sum(), noemer=pl.len())
        .with_columns(indicator=pl.lit("E1"), categorie=pl.lit(None, pl.String))
    )


def f4(units: pl.DataFrame, staged: Staged, births: pl.DataFrame, gemeente: str, year: Year) -> pl.DataFrame:
    """Thuiszitters: persons 5-17 with an ABSOLUUT case, or a RELATIEF case of >= 28 days (both without
    vrijstelling) overlapping the year; school level RELATIEF only, at the case's school."""
    days = (pl.col("datum_einde").fill_null(year.last_day) - pl.col("datum_start")).dt.total_days() + 1
    cases = staged.verzuim.filter(
        (pl.col("vrijstelling") == "N")
        & (pl.col("datum_start") <= year.last_day)
        & (pl.col("datum_einde").is_null() | (pl.col("datum_einde") >= year.first_day))
        & ((pl.col("soort") == "ABSOLUUT") | ((pl.col("soort") == "RELATIEF") & (days >= 28)))
    )
    aged = births.filter(age_expr("geboren", year.peildatum).is_between(5, 17)).select("person_id")
    cases = cases.join(aged, on="person_id", how="semi")
    wijk = (
        cases.select("person_id").unique().join(wijken_on(staged, gemeente, year.peildatum), on="person_id", how="left")
    )
    counted = pl.concat(
        [
            cases.filter(
                pl.col("soort") == "RELATIEF", pl.col("brin").is_not_null(), pl.col("vestigingsnummer").is_not_null()
            ).select("person_id", niveau=pl.lit("school"), eenheid_code=pl.col("brin") + pl.col("vestigingsnummer")),
            wijk.select("person_id", niveau=pl.lit("wijk"), eenheid_code=pl.col("wijk").fill_null(UNKNOWN_WIJK)),
            wijk.select("person_id", niveau=pl.lit("gemeente"), eenheid_code=pl.lit(gemeente)),
        ]
    ).unique()
    tellers = counted.group_by("niveau", "eenheid_code").agg(teller=pl.len())
    noemers = units.group_by("niveau", "eenheid_code").agg(noemer=pl.len())
    return noemers.join(tellers, on=["niveau", "eenheid_code"], how="full", coalesce=True).with_columns(
        pl.col("teller", "noemer").fill_null(0), indicator=pl.lit("F4"), categorie=pl.lit(None, pl.String)
    )


def reference_indicators(staged_dir: Path, gemeente: str) -> pl.DataFrame:
    """A1, B1, C1, E1 and F4 per school year, level and unit: teller and noemer (C1: euro, no noemer)."""
    staged = Staged.read(staged_dir)
    years = computed_years(staged.inschrijvingen)
    births = birth_cohorts(staged)
    care = allocations(staged)
    pupils = {y.t: pupils_of(staged, births, gemeente, y) for y in years}
    parts: list[pl.DataFrame] = []
    for year in years:
        units = per_unit(pupils[year.t], gemeente)
        found = [a1(units, care, year), b1(units, care, year), c1(units, care, staged, year)]
        if year.t + 1 in pupils:
            found.append(e1(pupils[year.t], gemeente, staged, year, pupils[year.t + 1]))
        found.append(f4(units, staged, births, gemeente, year))
        parts += [
            f.with_columns(schooljaar=pl.lit(year.label)).select(list(RESULT_SCHEMA)).cast(RESULT_SCHEMA) for f in found
        ]
    return pl.concat(parts).sort("schooljaar", "indicator", "niveau", "eenheid_code", "categorie", nulls_last=True)
