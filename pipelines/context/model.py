"""The expected youth-care use of a wijk given its CBS context: a Poisson regression across the gemeente's wijken.

Why this model: A11 is a count (residents 0-17 with youth care) out of a known population (residents 0-17), so a
Poisson regression of the teller with log(noemer) as offset models the rate directly, and each coefficient reads
as "a wijk one standard deviation higher on this context variable has exp(b) times the use". The covariates are
standardised over the wijken the model is fitted on, so the intercept is the use of an average wijk.
Real counts vary more than Poisson allows; the dispersion (Pearson chi2 / (n - p), at least 1: quasi-Poisson)
widens every interval by its square root, so a wijk is not called "higher than expected" by noise alone.

Disclosure: the model is fitted on published, protected cells only (`fit` is handed nothing else), so its
coefficients are a function of what is public anyway; a prediction for a suppressed wijk uses its public CBS
context and never its hidden teller or noemer (the expected *rate* needs neither). See docs/wijkcontext.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import statsmodels.api as sm

Z = 1.959963984540054  # two-sided 95 %
MIN_CELLS_PER_TERM = 3  # a model needs at least this many published wijken per estimated coefficient


@dataclass(frozen=True)
class PoissonFit:
    """One year's fitted model: coefficients on the standardised scale and what standardising needs."""

    variables: tuple[str, ...]
    means: npt.NDArray[np.float64]
    sds: npt.NDArray[np.float64]
    coefficients: npt.NDArray[np.float64]  # intercept first
    covariance: npt.NDArray[np.float64]  # of the coefficients, already multiplied by the dispersion
    dispersion: float
    cells: int

    def design(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Rows of raw context values → the model's design matrix (intercept, standardised values)."""
        z = (x - self.means) / self.sds
        return np.column_stack([np.ones(len(z)), z])

    def expected_rate(self, x: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Per row: the expected rate (per person) and the standard error of its logarithm."""
        d = self.design(x)
        eta = d @ self.coefficients
        se = np.sqrt(np.einsum("ij,jk,ik->i", d, self.covariance, d))
        return np.exp(eta), se


def minimum_cells(variables: int) -> int:
    return MIN_CELLS_PER_TERM * (variables + 1)


def fit(
    teller: npt.ArrayLike, noemer: npt.ArrayLike, x: npt.ArrayLike, variables: tuple[str, ...]
) -> PoissonFit | None:
    """Fit the quasi-Poisson model on published cells (teller, noemer > 0, complete context rows `x`); None when
    there are too few cells or a context variable does not vary across them."""
    y = np.asarray(teller, dtype=np.float64)
    n = np.asarray(noemer, dtype=np.float64)
    values = np.asarray(x, dtype=np.float64).reshape(len(y), len(variables))
    if len(y) < minimum_cells(len(variables)):
        return None
    means = values.mean(axis=0)
    sds = values.std(axis=0, ddof=1)
    if not np.all(sds > 0):
        return None
    z = (values - means) / sds
    design = np.column_stack([np.ones(len(y)), z])
    result = sm.GLM(y, design, family=sm.families.Poisson(), offset=np.log(n)).fit(method="irls", tol=1e-12)
    dof = len(y) - design.shape[1]
    pearson = float(np.sum((y - result.mu) ** 2 / result.mu))
    dispersion = max(1.0, pearson / dof)
    covariance = np.asarray(result.cov_params(), dtype=np.float64) * dispersion
    return PoissonFit(
        variables=variables,
        means=means,
        sds=sds,
        coefficients=np.asarray(result.params, dtype=np.float64),
        covariance=covariance,
        dispersion=dispersion,
        cells=len(y),
    )


def prediction_interval(
    expected_rate: npt.NDArray[np.float64],
    se_log: npt.NDArray[np.float64],
    noemer: npt.NDArray[np.float64],
    dispersion: float,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """95 % interval of the observed rate of a wijk of `noemer` persons if its use were as expected: Poisson
    variation (times the dispersion) plus the model's own uncertainty, Var(O) = phi E + (E se)^2, E = n rate."""
    expected = noemer * expected_rate
    sd = np.sqrt(dispersion * expected + (expected * se_log) ** 2)
    return np.maximum(expected - Z * sd, 0.0) / noemer, (expected + Z * sd) / noemer
