"""The wijkcontext table: per wijk and school year the monitor's A1/A11 next to CBS context and the expected use.

Why a table of its own: a wijk's youth-care use means little without its social context (in Almere, wijken with
much deprivation did not always use more youth care). This table puts the protected A1/A11 cells beside the CBS
kerncijfers of the same wijk, the use a Poisson model across the gemeente's wijken expects for that context
(`pipelines.context.model`), and CBS's own percentage of young people with youth care as a plausibility check.

What it may show: the A1/A11 numbers exactly as `indicatoren.parquet` shows them (null where suppressed), public
CBS figures, and what the model computes from those two. The model is fitted on the published cells only; a
suppressed wijk gets its expected rate (from its public context) but no observed value, ratio or prediction
interval (the interval would need its hidden noemer). `check_wijkcontext` verifies all of that independently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.context import model
from pipelines.context.kerncijfers import OpenDataContract, load_contract

INDICATORS = ("A1", "A11")
MODELLED = "A11"
CELL_FIELDS = ("teller", "noemer", "waarde", "onderdrukt", "reden")
HIGHER, LOWER, AS_EXPECTED = "hoger", "lager", "zoals_verwacht"
SUPPRESSED, NO_CONTEXT, NO_MODEL, GEMEENTE = "onderdrukt", "geen_context", "geen_model", "gemeente"
CBS_YOUTH_CARE = "pct_jongeren_met_jeugdzorg"  # the context variable A11 is compared with (plausibility)
NO_CELL = "geen_cel"  # a wijk with an A1 cell but no A11 cell
VERDICTS = (HIGHER, LOWER, AS_EXPECTED, SUPPRESSED, NO_CONTEXT, NO_MODEL, GEMEENTE, NO_CELL)


@dataclass(frozen=True)
class WijkContext:
    table: pl.DataFrame  # one row per (schooljaar, niveau, eenheid_code): see `columns`
    coefficients: pl.DataFrame  # per schooljaar and term: the fitted model, published with the table
    indeling_years: tuple[int, ...]  # the KWB years whose wijken are the monitor's


def columns(contract: OpenDataContract) -> list[str]:
    context = [c for v in contract.context for c in (v.name, f"{v.name}_cbs_jaar")]
    cells = [f"{i.lower()}_{f}" for i in INDICATORS for f in CELL_FIELDS]
    model_columns = [
        "in_model",
        "verwacht",
        "verwacht_laag",
        "verwacht_hoog",
        "voorspel_laag",
        "voorspel_hoog",
        "verhouding",
        "oordeel",
    ]
    plausibility = ["cbs_pct_jeugdzorg", "verschil_met_cbs"]
    return [
        "schooljaar",
        "niveau",
        "eenheid_code",
        "eenheid_naam",
        "cbs_jaar",
        *context,
        *cells,
        *model_columns,
        *plausibility,
    ]


def _areas_of(kerncijfers: pl.DataFrame, gemeente_code: str) -> pl.DataFrame:
    digits = gemeente_code.removeprefix("GM")
    return kerncijfers.filter((pl.col("code") == gemeente_code) | pl.col("code").str.starts_with(f"WK{digits}"))


def indeling_years(kerncijfers: pl.DataFrame, wijkcodes: set[str], gemeente_code: str) -> tuple[int, ...]:
    """The KWB years whose set of wijk codes is exactly the monitor's (its wijken reference): only those can be
    joined on the code. Almere redrew its wijken in 2022 and kept the codes WK003401-06 for other, smaller areas,
    so a code alone does not say which wijk it is."""
    wijken = _areas_of(kerncijfers, gemeente_code).filter(pl.col("soort") == "Wijk")
    per_year = wijken.group_by("jaar").agg(pl.col("code").unique()).sort("jaar")
    return tuple(int(year) for year, codes in per_year.iter_rows() if set(codes) == wijkcodes)


def context_values(
    kerncijfers: pl.DataFrame,
    years: tuple[int, ...],
    gemeente_code: str,
    contract: OpenDataContract,
    later: tuple[int, ...] = (),
) -> pl.DataFrame:
    """Per KWB year of the indeling (and per `later` year, past the newest table: the monitor's own indeling is
    assumed to hold there) and area: every context variable, the latest one published up to that year (CBS
    publishes income and education a year or two late), with the year it comes from."""
    areas = _areas_of(kerncijfers, gemeente_code).filter(pl.col("jaar").is_in(years))
    years = (*years, *later)
    derived = []
    for v in contract.context:
        if v.denominator:
            total = pl.sum_horizontal([pl.col(d) for d in v.denominator])
            all_there = pl.all_horizontal([pl.col(d).is_not_null() for d in v.denominator])
            value: pl.Expr = pl.when(all_there & (total > 0)).then(pl.col(v.numerator) / total * 100)
        else:
            value = pl.col(v.numerator)
        derived.append(value.cast(pl.Float64).alias(v.name))
    values = areas.select("jaar", "code", *derived)
    grid = pl.DataFrame({"cbs_jaar": list(years)}, schema={"cbs_jaar": pl.Int32}).join(
        values.select("code").unique(), how="cross"
    )
    for v in contract.context:
        known = values.filter(pl.col(v.name).is_not_null()).select(
            "code", pl.col("jaar").alias(f"{v.name}_cbs_jaar"), v.name
        )
        latest = (
            grid.select("cbs_jaar", "code")
            .join(known, on="code")
            .filter(
                pl.col(f"{v.name}_cbs_jaar") <= pl.col("cbs_jaar")
                if v.carryForward
                else pl.col(f"{v.name}_cbs_jaar") == pl.col("cbs_jaar")
            )
            .sort(f"{v.name}_cbs_jaar")
            .group_by("cbs_jaar", "code")
            .last()
        )
        grid = grid.join(latest, on=["cbs_jaar", "code"], how="left")
    return grid


def _cells(protected: pl.DataFrame) -> pl.DataFrame:
    """The published A1/A11 cells at wijk and gemeente level, side by side (`a1_waarde`, `a11_teller`, …)."""
    cells = protected.filter(
        pl.col("indicator").is_in(INDICATORS),
        pl.col("niveau").is_in(["wijk", "gemeente"]),
        pl.col("dimensie").is_null(),
    )
    wide = None
    for indicator in INDICATORS:
        one = cells.filter(pl.col("indicator") == indicator).select(
            "schooljaar",
            "niveau",
            "eenheid_code",
            "eenheid_naam",
            *[pl.col(f).alias(f"{indicator.lower()}_{f}") for f in CELL_FIELDS],
        )
        if wide is None:
            wide = one
        else:
            wide = wide.join(
                one.drop("eenheid_naam"), on=["schooljaar", "niveau", "eenheid_code"], how="full", coalesce=True
            )
    assert wide is not None
    return wide  # every wijk with an A1 or A11 cell (A1 also has wijk 'ONBEKEND': pupils without an address)


def build_wijkcontext(
    kerncijfers: pl.DataFrame,
    protected: pl.DataFrame,
    wijkcodes: set[str],
    gemeente_code: str,
    contract: OpenDataContract | None = None,
) -> WijkContext:
    """The table from the staged kerncijfers and the *protected* indicator table only (never the unprotected one)."""
    contract = contract or load_contract()
    years = indeling_years(kerncijfers, wijkcodes, gemeente_code)
    cells = _cells(protected).with_columns(
        cbs_jaar=(pl.col("schooljaar").str.slice(0, 4).cast(pl.Int32) + contract.tableYearOfSchoolYear)
    )
    # A school year past CBS's newest table (2025/2026 beside a 2026 table not yet out) takes the latest figures.
    later = tuple(sorted(y for y in set(cells["cbs_jaar"].to_list()) if years and y > max(years)))
    context = context_values(kerncijfers, years, gemeente_code, contract, later)
    joined = cells.join(context.rename({"code": "eenheid_code"}), on=["cbs_jaar", "eenheid_code"], how="left").sort(
        "schooljaar", "niveau", "eenheid_code"
    )
    parts, coefficients = [], []
    for (year,), part in joined.group_by(["schooljaar"], maintain_order=True):
        modelled, coefs = _model_year(part, str(year), contract)
        parts.append(modelled)
        coefficients.append(coefs)
    table = pl.concat(parts, how="diagonal_relaxed") if parts else joined
    table = table.with_columns(
        verschil_met_cbs=pl.when(pl.col("a11_onderdrukt").not_()).then(
            pl.col("a11_waarde") - pl.col("cbs_pct_jeugdzorg")
        )
    )
    published_columns = columns(contract)
    for name in published_columns:
        if name not in table.columns:
            table = table.with_columns(pl.lit(None).alias(name))
    return WijkContext(
        table.select(published_columns).sort("schooljaar", "niveau", "eenheid_code"),
        pl.concat(coefficients) if coefficients else _coefficient_frame([]),
        years,
    )


def _coefficient_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    schema = {
        "schooljaar": pl.String,
        "term": pl.String,
        "coefficient": pl.Float64,
        "standaardfout": pl.Float64,
        "exp_coefficient": pl.Float64,
        "gemiddelde": pl.Float64,
        "standaarddeviatie": pl.Float64,
        "wijken": pl.Int64,
        "dispersie": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def _model_year(part: pl.DataFrame, year: str, contract: OpenDataContract) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One school year: fit on the published wijk cells with complete context, predict for every wijk."""
    variables = tuple(contract.model_variables)
    complete = pl.all_horizontal([pl.col(v).is_not_null() for v in variables])
    part = part.with_columns(
        cbs_pct_jeugdzorg=pl.col(CBS_YOUTH_CARE),
        in_model=(
            (pl.col("niveau") == "wijk")
            & complete
            & pl.col("a11_onderdrukt").not_()  # null (no A11 cell) stays null: filled False below
            & pl.col("a11_teller").is_not_null()
            & (pl.col("a11_noemer") > 0)
        ).fill_null(False),
    )
    fitting = part.filter("in_model")
    fitted = model.fit(
        fitting["a11_teller"].to_numpy(),
        fitting["a11_noemer"].to_numpy(),
        fitting.select(variables).to_numpy(),
        variables,
    )
    n = part.height
    expected = np.full(n, np.nan)
    low, high, p_low, p_high = (np.full(n, np.nan) for _ in range(4))
    wijk = (part["niveau"] == "wijk").to_numpy()
    has_context = part.select(complete).to_series().to_numpy()
    shown = part["a11_onderdrukt"].not_().fill_null(False).to_numpy()
    has_cell = part["a11_onderdrukt"].is_not_null().to_numpy()
    verdict = np.where(~wijk, GEMEENTE, np.where(~has_context, NO_CONTEXT, NO_MODEL)).astype(object)
    verdict[~has_cell] = NO_CELL
    coefficient_rows: list[dict[str, object]] = []
    if fitted is None:
        part = part.with_columns(in_model=pl.lit(False))  # no model this year: no wijk was fitted
    else:
        rows = wijk & has_context & has_cell
        rate, se = fitted.expected_rate(part.filter(pl.Series(rows)).select(variables).to_numpy())
        expected[rows], low[rows], high[rows] = rate, rate * np.exp(-model.Z * se), rate * np.exp(model.Z * se)
        observed_rows = rows & shown
        noemer = part["a11_noemer"].to_numpy().astype(float)
        sub = observed_rows[rows]
        pl_low, pl_high = model.prediction_interval(rate[sub], se[sub], noemer[observed_rows], fitted.dispersion)
        p_low[observed_rows], p_high[observed_rows] = pl_low, pl_high
        observed = part["a11_teller"].to_numpy().astype(float) / np.where(noemer > 0, noemer, np.nan)
        verdict[rows] = SUPPRESSED
        verdict[observed_rows] = np.where(
            observed[observed_rows] > p_high[observed_rows],
            HIGHER,
            np.where(observed[observed_rows] < p_low[observed_rows], LOWER, AS_EXPECTED),
        )
        se_coef = np.sqrt(np.diag(fitted.covariance))
        for i, term in enumerate(("intercept", *variables)):
            coefficient_rows.append(
                {
                    "schooljaar": year,
                    "term": term,
                    "coefficient": float(fitted.coefficients[i]),
                    "standaardfout": float(se_coef[i]),
                    "exp_coefficient": float(np.exp(fitted.coefficients[i])),
                    "gemiddelde": None if i == 0 else float(fitted.means[i - 1]),
                    "standaarddeviatie": None if i == 0 else float(fitted.sds[i - 1]),
                    "wijken": fitted.cells,
                    "dispersie": fitted.dispersion,
                }
            )

    def percent(values: np.ndarray) -> pl.Series:
        return pl.Series(values * 100, dtype=pl.Float64, nan_to_null=True)

    modelled = part.with_columns(
        verwacht=percent(expected),
        verwacht_laag=percent(low),
        verwacht_hoog=percent(high),
        voorspel_laag=percent(p_low),
        voorspel_hoog=percent(p_high),
        oordeel=pl.Series(verdict.tolist(), dtype=pl.String),
    ).with_columns(
        verhouding=pl.when(pl.col("oordeel").is_in([HIGHER, LOWER, AS_EXPECTED])).then(
            pl.col("a11_waarde") / pl.col("verwacht")
        ),
    )
    return modelled, _coefficient_frame(coefficient_rows)
