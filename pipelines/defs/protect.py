"""Stage 6, protect: primary and secondary suppression, then an independent, blocking disclosure check.

The protected table is written to `warehouse/protected/`, not to the published folder: only the publish
step copies it there, and only after the check passed.
"""

import json

import dagster as dg
import polars as pl

from pipelines.defs.ingest import OWNER
from pipelines.lib.resources import MonitorResource
from pipelines.lib.warehouse import connect
from pipelines.protect.disclosure_check import check_publication
from pipelines.protect.suppression import DisclosureRules, protect

PUBLISHED_COLUMNS = [
    "schooljaar",
    "niveau",
    "eenheid_code",
    "eenheid_naam",
    "indicator",
    "indicator_naam",
    "dimensie",
    "categorie",
    "teller",
    "noemer",
    "waarde",
    "eenheid",
    "gemeente_waarde",
    "onderdrukt",
    "reden",
]
BASIS_COLUMNS = [
    "schooljaar",
    "niveau",
    "eenheid_code",
    "indicator",
    "dimensie",
    "categorie",
    "soort",
    "basis_personen",
]


def rules_of(monitor: MonitorResource) -> DisclosureRules:
    c = monitor.config
    return DisclosureRules(c.min_teller, c.min_noemer, c.min_cost_persons)


def read_indicators(monitor: MonitorResource) -> pl.DataFrame:
    with connect(monitor.paths) as con:
        return con.sql("SELECT * FROM indicators").pl()


@dg.asset(
    group_name="protect",
    deps=["indicators"],
    owners=[OWNER],
    kinds={"polars", "parquet"},
    description="Indicators with primary and secondary suppression (spec §4), in the published schema.",
)
def protected_indicators(monitor: MonitorResource) -> dg.MaterializeResult:
    protected = protect(read_indicators(monitor), rules_of(monitor))
    # Protected values must also hide the gemeente value where the gemeente cell is suppressed.
    gemeente_hidden = protected.filter((pl.col("niveau") == "gemeente") & pl.col("onderdrukt")).select(
        "schooljaar", "indicator", "dimensie", "categorie", pl.lit(True).alias("_g_hidden")
    )
    protected = (
        protected.join(
            gemeente_hidden,
            on=["schooljaar", "indicator", "dimensie", "categorie"],
            how="left",
            nulls_equal=True,
        )
        .with_columns(gemeente_waarde=pl.when(pl.col("_g_hidden")).then(None).otherwise(pl.col("gemeente_waarde")))
        .select(PUBLISHED_COLUMNS)
        .with_columns(pl.col("teller", "noemer", "waarde", "gemeente_waarde").cast(pl.Float64))
    )
    out = monitor.paths.protected
    out.mkdir(parents=True, exist_ok=True)
    protected.write_parquet(out / "indicatoren.parquet")
    counts = (
        protected.group_by("indicator", "niveau")
        .agg(
            pl.len().alias("cellen"),
            pl.col("onderdrukt").sum().alias("onderdrukt"),
            (pl.col("reden") == "secundair").sum().alias("secundair"),
        )
        .sort("indicator", "niveau")
    )
    (out / "suppression.json").write_text(json.dumps(counts.to_dicts(), indent=2), encoding="utf-8")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": protected.height,
            "cells_suppressed": int(protected.get_column("onderdrukt").sum()),
            "suppressed_per_indicator_level": dg.MetadataValue.json(counts.to_dicts()),
        }
    )


@dg.asset_check(
    asset=protected_indicators,
    name="disclosure_check",
    blocking=True,
    description="Re-reads the protected table; fails if a cell breaks a rule or a suppressed value is recoverable.",
)
def disclosure_check(monitor: MonitorResource) -> dg.AssetCheckResult:
    published = pl.read_parquet(monitor.paths.protected / "indicatoren.parquet")
    basis = read_indicators(monitor).select(BASIS_COLUMNS)
    report = check_publication(published, basis, rules_of(monitor))
    return dg.AssetCheckResult(
        passed=report.passed,
        metadata={
            "tried": dg.MetadataValue.json(report.tried),
            "violations": dg.MetadataValue.json(report.violations[:50]),
            "n_violations": len(report.violations),
        },
    )
