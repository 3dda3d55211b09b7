"""An independent check of a published indicator table: does any cell point at a child?

Written separately from `suppression` (and with polars group-bys instead of its loop) so that a bug in
one is caught by the other. It re-reads what is about to be published and reports every violation:
a published cell below a primary threshold, a suppressed cell that still shows a number, or a sum
relation (schools or wijken → gemeente; categories → their total) with exactly one unknown member,
which could be solved from the published cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from pipelines.protect.suppression import RATE_KINDS, DisclosureRules

CELL = ["schooljaar", "indicator", "dimensie", "categorie"]


@dataclass
class CheckReport:
    tried: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.violations


def check_publication(published: pl.DataFrame, basis: pl.DataFrame, rules: DisclosureRules) -> CheckReport:
    """`published`: the spec §4 table; `basis`: soort and basis_personen per cell from the warehouse."""
    report = CheckReport()
    keys = ["schooljaar", "niveau", "eenheid_code", "indicator", "dimensie", "categorie"]
    cells = published.join(basis, on=keys, how="left", nulls_equal=True)

    report.tried.append("suppressed cells show no teller, noemer or waarde")
    leaking = cells.filter(
        pl.col("onderdrukt")
        & (pl.col("teller").is_not_null() | pl.col("noemer").is_not_null() | pl.col("waarde").is_not_null())
    )
    report.violations += [f"suppressed cell shows a number: {r}" for r in leaking.select(keys).rows()[:20]]

    report.tried.append(
        f"published counts >= {rules.min_teller}, rate noemer >= {rules.min_noemer} and complement >= "
        f"{rules.min_teller}, costs resting on >= {rules.min_cost_persons} persons"
    )
    shown = cells.filter(~pl.col("onderdrukt"))
    broken = shown.filter(
        ((pl.col("soort") == "aantal") & (pl.col("teller") < rules.min_teller))
        | (
            pl.col("soort").is_in(RATE_KINDS)
            & (
                (pl.col("teller") < rules.min_teller)
                | (pl.col("noemer") < rules.min_noemer)
                | ((pl.col("noemer") - pl.col("teller")) < rules.min_teller)
            )
        )
        | ((pl.col("soort") == "bedrag") & (pl.col("basis_personen") < rules.min_cost_persons))
        | pl.col("soort").is_null()
    )
    report.violations += [f"published cell breaks a primary rule: {r}" for r in broken.select(keys).rows()[:20]]

    report.tried.append("school and wijk cells summing to the gemeente: never exactly one unknown")
    gemeente = published.filter(pl.col("niveau") == "gemeente").select(
        *CELL, pl.col("onderdrukt").cast(pl.Int32).alias("total_unknown")
    )
    children = (
        published.filter(pl.col("niveau") != "gemeente")
        .group_by("niveau", *CELL)
        .agg(pl.col("onderdrukt").cast(pl.Int32).sum().alias("children_unknown"))
        .join(gemeente, on=CELL, how="inner", nulls_equal=True)
        .filter(pl.col("children_unknown") + pl.col("total_unknown") == 1)
    )
    report.violations += [f"recoverable from the gemeente total: {r}" for r in children.rows()[:20]]

    report.tried.append("categories of a dimension summing to their total (the noemer): never exactly one unknown")
    categories = (
        published.filter(pl.col("dimensie").is_not_null())
        .group_by("schooljaar", "niveau", "eenheid_code", "indicator", "dimensie")
        .agg(pl.col("onderdrukt").sum().alias("unknown"), pl.len().alias("n"))
        .filter(pl.col("unknown") == 1)
    )
    report.violations += [f"recoverable from the category total: {r}" for r in categories.rows()[:20]]
    return report
