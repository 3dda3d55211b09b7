"""Benchmarks between gemeenten (vergelijking.parquet): a gemeente beside similar gemeenten, its jeugdregio and
the country, with intervals and its rank among the similar ones.

Made from the protected table only: every number is a cell that some gemeente's publication shows anyway, so the
benchmark reveals nothing new; a suppressed cell stays suppressed here (no value, no rank).

Similar gemeenten (docs/levels.md): the `[region] peers` of monitor.toml for this gemeente if given; else the
gemeenten of the run whose pupils (G1, latest year) number between half and twice its own, and when there are
none, the three nearest in size. No CBS size class or stedelijkheid per gemeente is in the reference material, so
the number of pupils stands in for size.
"""

from __future__ import annotations

import polars as pl

from dashboards.intervals import interval
from pipelines.indicators.catalogue import load_indicators

ROLES = ("eigen", "vergelijkbaar", "jeugdregio", "nederland")
NEAREST = 3


def similar_gemeenten(table: pl.DataFrame, gemeente: str, configured: tuple[str, ...] = ()) -> list[str]:
    """The gemeenten `gemeente` is compared with (see the module docstring)."""
    if configured:
        return [g for g in configured if g != gemeente]
    pupils = table.filter(pl.col("indicator") == "G1", pl.col("niveau") == "gemeente", pl.col("teller").is_not_null())
    if pupils.is_empty():
        return []
    latest = pupils.filter(pl.col("schooljaar") == pupils.get_column("schooljaar").max())
    sizes = dict(latest.select("eenheid_code", "teller").rows())
    own = sizes.get(gemeente)
    others = {g: n for g, n in sizes.items() if g != gemeente}
    if own is None or not others:
        return sorted(others)
    near = sorted(g for g, n in others.items() if own / 2 <= n <= own * 2)
    return near or sorted(others, key=lambda g: (abs(others[g] - own), g))[:NEAREST]


def benchmarks(table: pl.DataFrame, gemeente: str, peers: list[str], jeugdregio: str | None) -> pl.DataFrame:
    """Per indicator cell at gemeente level: the gemeente, its similar gemeenten, its jeugdregio and the country,
    each with its 95 % interval (`dashboards.intervals`) and, among the gemeente and its similar ones, its rank
    (1 = highest value) and how many were ranked."""
    role = (
        pl.when((pl.col("niveau") == "gemeente") & (pl.col("eenheid_code") == gemeente))
        .then(pl.lit("eigen"))
        .when((pl.col("niveau") == "gemeente") & pl.col("eenheid_code").is_in(peers))
        .then(pl.lit("vergelijkbaar"))
        .when((pl.col("niveau") == "jeugdregio") & (pl.col("eenheid_code") == (jeugdregio or "")))
        .then(pl.lit("jeugdregio"))
        .when(pl.col("niveau") == "nederland")
        .then(pl.lit("nederland"))
    )
    cells = table.with_columns(rol=role).filter(pl.col("rol").is_not_null())
    soort = {i.id: i.soort for i in load_indicators()}
    bounds = [interval(soort[ind], teller, noemer) for ind, teller, noemer in cells.select(
        "indicator", "teller", "noemer").rows()]  # fmt: skip
    cells = cells.with_columns(
        ondergrens=pl.Series([b.low if b else None for b in bounds], dtype=pl.Float64),
        bovengrens=pl.Series([b.high if b else None for b in bounds], dtype=pl.Float64),
    )
    group = ["schooljaar", "indicator", "dimensie", "categorie"]
    ranked = pl.col("rol").is_in(["eigen", "vergelijkbaar"]) & pl.col("waarde").is_not_null()
    rank = pl.col("waarde").rank(method="min", descending=True).over([*group, ranked])
    return (
        cells.with_columns(
            rang=pl.when(ranked).then(rank).cast(pl.Int64),
            gerangschikt=pl.when(ranked).then(pl.len().over([*group, ranked])).cast(pl.Int64),
        )
        .select(
            *group,
            "rol",
            "niveau",
            "eenheid_code",
            "eenheid_naam",
            "indicator_naam",
            "teller",
            "noemer",
            "waarde",
            "eenheid",
            "onderdrukt",
            "reden",
            "ondergrens",
            "bovengrens",
            "rang",
            "gerangschikt",
        )
        .sort(*group, pl.col("rol").replace_strict(ROLES, list(range(len(ROLES)))), "eenheid_code", nulls_last=True)
    )
