"""The independent disclosure check of the wijkcontext table (`pipelines.context.wijkcontext`).

Written apart from the table's builder, so that a bug there is caught here:
- its A1/A11 cells go through the indicators' own independent check (`disclosure_check.check_publication`)
  against the warehouse's true values, and must be the very numbers `indicatoren.parquet` publishes (null where
  that table suppresses);
- every wijk the model was fitted on is a published cell, and no row of a suppressed cell shows an observed
  value, a ratio or a prediction interval (the interval's width would give away its noemer);
- the published coefficients follow from the published cells alone: refitted here by a plain IRLS (numpy, not
  statsmodels) on the rows marked `in_model`, they agree to 1e-6, as do the expected rates.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from pipelines.lib.published_schema import CELL_KEY
from pipelines.lib.settings import DisclosureRules
from pipelines.protect.disclosure_check import BASIS_COLUMNS, CheckReport, check_publication

INDICATORS = ("A1", "A11")
FIELDS = ("teller", "noemer", "waarde", "onderdrukt", "reden")
DERIVED = ("verhouding", "voorspel_laag", "voorspel_hoog")
TOLERANCE = 1e-6


def irls_poisson(
    y: npt.NDArray[np.float64], design: npt.NDArray[np.float64], offset: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Poisson regression by iteratively reweighted least squares, written out: beta maximising the Poisson
    likelihood of y with mean exp(design beta + offset)."""
    beta = np.zeros(design.shape[1])
    beta[0] = np.log(y.sum() / np.exp(offset).sum())
    for _ in range(100):
        mu = np.exp(design @ beta + offset)
        z = design @ beta + (y - mu) / mu  # working response (without the offset)
        weighted = design * mu[:, None]
        step = np.asarray(np.linalg.solve(design.T @ weighted, weighted.T @ z), dtype=np.float64)
        if np.max(np.abs(step - beta)) < 1e-12:
            return step
        beta = step
    return beta


def as_cells(table: pl.DataFrame) -> pl.DataFrame:
    """The A1/A11 cells the table shows, in the indicator cell's shape."""
    return pl.concat(
        [
            table.select(
                "schooljaar",
                "niveau",
                "eenheid_code",
                pl.lit(indicator).alias("indicator"),
                pl.lit(None, pl.String).alias("dimensie"),
                pl.lit(None, pl.String).alias("categorie"),
                *[pl.col(f"{indicator.lower()}_{f}").alias(f) for f in FIELDS],
            ).filter(pl.col("onderdrukt").is_not_null())
            for indicator in INDICATORS
        ]
    ).with_columns(pl.col("teller", "noemer", "waarde").cast(pl.Float64))


def check_wijkcontext(
    table: pl.DataFrame,
    coefficients: pl.DataFrame,
    protected: pl.DataFrame,
    indicators: pl.DataFrame,
    rules: DisclosureRules,
    variables: list[str],
) -> CheckReport:
    """`table`, `coefficients`: the wijkcontext files about to be published; `protected`: indicatoren.parquet;
    `indicators`: the warehouse's unprotected indicators (true values)."""
    key = list(CELL_KEY)
    cells = as_cells(table)
    basis = indicators.join(cells.select(key), on=key, how="semi", nulls_equal=True).select(BASIS_COLUMNS)
    report = check_publication(cells, basis, rules)
    report.tried.append("wijkcontext: A1/A11 cells equal to indicatoren.parquet's, suppressed there = hidden here")
    numbers = ("teller", "noemer", "waarde")
    shown = protected.select(
        *key, *[(pl.col(f).cast(pl.Float64) if f in numbers else pl.col(f)).alias(f"p_{f}") for f in FIELDS]
    )
    compared = cells.join(shown, on=key, how="left", nulls_equal=True)
    differs = compared.filter(pl.any_horizontal([pl.col(f).ne_missing(pl.col(f"p_{f}")) for f in FIELDS]))
    report.add("cell differs from indicatoren.parquet", differs.select(*key[:4]).rows())
    report.tried.append("wijkcontext: the model's wijken are published cells; suppressed rows show no derived value")
    fitted_hidden = table.filter(pl.col("in_model") & (pl.col("a11_onderdrukt") | pl.col("a11_teller").is_null()))
    report.add("model fitted on a suppressed cell", fitted_hidden.select("schooljaar", "eenheid_code").rows())
    leaking = table.filter(pl.col("a11_onderdrukt") & pl.any_horizontal([pl.col(c).is_not_null() for c in DERIVED]))
    report.add("suppressed cell shows a derived value", leaking.select("schooljaar", "eenheid_code").rows())
    report.tried.append("wijkcontext: coefficients refitted by IRLS from the published cells (tolerance 1e-6)")
    report.add("coefficients do not follow from the published cells", _refit_mismatches(table, coefficients, variables))
    return report


def _refit_mismatches(table: pl.DataFrame, coefficients: pl.DataFrame, variables: list[str]) -> list[str]:
    problems: list[str] = []
    for (year,), fitted in table.filter("in_model").group_by(["schooljaar"], maintain_order=True):
        published = coefficients.filter(pl.col("schooljaar") == year)
        if published.is_empty():
            problems.append(f"{year}: rows in the model but no coefficients")
            continue
        x = fitted.select(variables).to_numpy().astype(float)
        z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
        design = np.column_stack([np.ones(len(z)), z])
        y = fitted["a11_teller"].to_numpy().astype(float)
        beta = irls_poisson(y, design, np.log(fitted["a11_noemer"].to_numpy().astype(float)))
        order = {t: c for t, c in published.select("term", "coefficient").iter_rows()}
        expected = np.array([order.get(t, np.nan) for t in ("intercept", *variables)])
        if not np.allclose(beta, expected, atol=TOLERANCE, rtol=0):
            problems.append(f"{year}: refitted {np.round(beta, 6).tolist()} against {expected.tolist()}")
            continue
        rate = np.exp(design @ beta) * 100
        shown = fitted["verwacht"].to_numpy().astype(float)
        if not np.allclose(rate, shown, atol=TOLERANCE * 100, rtol=1e-6):
            problems.append(f"{year}: expected rates do not follow from the coefficients")
    orphans = coefficients.join(table.filter("in_model").select("schooljaar").unique(), on="schooljaar", how="anti")
    problems += [f"{y}: coefficients without any fitted row" for y in orphans["schooljaar"].unique().to_list()]
    return problems
