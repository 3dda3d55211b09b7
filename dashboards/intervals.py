"""95 % intervals for a published figure, from its published teller and noemer only.

Why: at a school of 200 pupils a difference of a few percentage points with the gemeente is often chance. The
dashboard shows each school and wijk figure with its interval and marks a difference from the gemeente only
where the interval leaves the gemeente's value out, so a reader does not take noise for a finding.

Which interval: a percentage is a share of persons (binomial): the Wilson score interval, which stays inside
0–100 % and behaves at small counts. A rate per 100 or per 1,000 counts events (trajectories, cases) against a
population: the exact Poisson (Garwood) interval on the count, scaled like the figure. Amounts in euro and
plain counts get no interval: they are not a sample of anything here.

Only shown cells have a teller and noemer; a suppressed cell gets no interval, as it gets no value.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import sqrt

from scipy.stats import chi2, norm

LEVEL = 0.95
Z = float(norm.ppf(1 - (1 - LEVEL) / 2))
# Catalogue `soort` → (method, factor: waarde = teller / noemer × factor)
METHODS: dict[str, tuple[str, float]] = {
    "percentage": ("wilson", 100.0),
    "per_100": ("garwood", 100.0),
    "per_1000": ("garwood", 1000.0),
}


@dataclass(frozen=True)
class Interval:
    """The lower and upper bound, in the figure's own unit (percent, per 100, per 1,000)."""

    low: float
    high: float

    def excludes(self, value: float) -> bool:
        return value < self.low or value > self.high


def wilson(teller: float, noemer: float) -> tuple[float, float]:
    """Wilson score interval of a proportion teller/noemer (0..1)."""
    p = teller / noemer
    centre = (p + Z**2 / (2 * noemer)) / (1 + Z**2 / noemer)
    half = Z * sqrt(p * (1 - p) / noemer + Z**2 / (4 * noemer**2)) / (1 + Z**2 / noemer)
    # at 0 % or 100 % the bound is exactly 0 or 1 (floating point leaves 1e-17 otherwise)
    return (0.0 if teller == 0 else centre - half), (1.0 if teller == noemer else centre + half)


def garwood(count: float) -> tuple[float, float]:
    """Exact (Garwood) Poisson interval of an observed count."""
    alpha = 1 - LEVEL
    low = 0.0 if count == 0 else float(chi2.ppf(alpha / 2, 2 * count)) / 2
    return low, float(chi2.ppf(1 - alpha / 2, 2 * count + 2)) / 2


def interval(soort: str, teller: float | None, noemer: float | None) -> Interval | None:
    """The figure's 95 % interval, or None where the indicator has none or the cell has no numbers."""
    method = METHODS.get(soort)
    if method is None or teller is None or noemer is None or noemer <= 0:
        return None
    name, factor = method
    if name == "wilson":
        low, high = wilson(teller, noemer)
    else:
        low, high = (bound / noemer for bound in garwood(teller))
    return Interval(round(low * factor, 4), round(high * factor, 4))
