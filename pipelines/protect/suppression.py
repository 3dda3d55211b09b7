"""Disclosure control: primary and secondary suppression of indicator cells (spec §4).

Primary: a cell is suppressed when its teller counts fewer than `min_teller` persons or trajectories,
when a rate's noemer is below `min_noemer` or its complement (noemer - teller) is below `min_teller`
(percentages near 100 %), or when a cost figure rests on fewer than `min_cost_persons` persons.

Secondary: published cells are tied by sums: the schools of a year add up to the gemeente, and so do the
wijken; the categories of a dimension add up to their total (the noemer shown on every published row).
Wherever such a relation has exactly one unknown member, that member can be solved for, so another
member is suppressed: the smallest published one (least information lost), ties broken by code so the
result is deterministic. This repeats until no relation has exactly one unknown.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import polars as pl

RATE_KINDS = ("percentage", "per_1000", "per_100")
Key = tuple[object, ...]


@dataclass(frozen=True)
class DisclosureRules:
    min_teller: int = 10
    min_noemer: int = 50
    min_cost_persons: int = 10


def primary_mask(frame: pl.DataFrame, rules: DisclosureRules) -> pl.Series:
    """True for cells that break a primary rule."""
    soort = pl.col("soort")
    teller, noemer = pl.col("teller"), pl.col("noemer")
    count_rule = (soort == "aantal") & (teller < rules.min_teller)
    rate_rule = soort.is_in(RATE_KINDS) & (
        (teller < rules.min_teller)
        | noemer.is_null()
        | (noemer < rules.min_noemer)
        | ((noemer - teller) < rules.min_teller)
    )
    cost_rule = (soort == "bedrag") & (pl.col("basis_personen") < rules.min_cost_persons)
    return frame.select((count_rule | rate_rule | cost_rule).fill_null(True)).to_series()


def relations(frame: pl.DataFrame) -> list[tuple[int | None, list[int], int | None]]:
    """Sum relations as (index of the total cell or None, child indices, index of a unit-total proxy).

    For categories, the total is not a cell of its own: it is the noemer printed on every published
    category row of the unit, so it is known as soon as one category row is published (`proxy` = -1).
    """
    rows = frame.select("schooljaar", "niveau", "eenheid_code", "indicator", "dimensie", "categorie").rows()
    gemeente: dict[Key, int] = {}
    children: dict[tuple[Key, str], list[int]] = defaultdict(list)
    categories: dict[Key, list[int]] = defaultdict(list)
    for i, (jaar, niveau, code, ind, dim, cat) in enumerate(rows):
        cell: Key = (jaar, ind, dim, cat)
        if niveau == "gemeente":
            gemeente[cell] = i
        else:
            children[(cell, str(niveau))].append(i)
        if dim is not None:
            categories[(jaar, niveau, code, ind, dim)].append(i)
    result: list[tuple[int | None, list[int], int | None]] = []
    for (cell, _niveau), members in children.items():
        result.append((gemeente.get(cell), members, None))
    for members in categories.values():
        result.append((None, members, -1))
    return result


def secondary_mask(frame: pl.DataFrame, primary: pl.Series) -> pl.Series:
    """Extend `primary` until no sum relation has exactly one suppressed (unknown) member."""
    suppressed = primary.to_list()
    size = frame.get_column("teller").fill_null(0).to_list()
    codes = frame.get_column("eenheid_code").to_list()
    rels = relations(frame)
    changed = True
    while changed:
        changed = False
        for total, members, proxy in rels:
            unknown = [m for m in members if suppressed[m]]
            if proxy is not None:  # category total known iff any category row is published
                total_known = len(unknown) < len(members)
                n_unknown = len(unknown) if total_known else len(unknown) + 1
            else:
                total_known = total is None or not suppressed[total]
                n_unknown = len(unknown) + (0 if total_known else 1)
            if total is None and proxy is None:
                continue  # no published total: children alone reveal nothing
            if n_unknown != 1:
                continue
            candidates = [m for m in members if not suppressed[m]]
            if not candidates and total is not None:
                candidates = [total]
            if not candidates:
                continue
            pick = min(candidates, key=lambda m: (size[m], str(codes[m]), m))
            suppressed[pick] = True
            changed = True
    return pl.Series("onderdrukt", suppressed, dtype=pl.Boolean)


def protect(frame: pl.DataFrame, rules: DisclosureRules) -> pl.DataFrame:
    """Suppress (teller, noemer, waarde → null) with reason `primair` or `secundair`."""
    primary = primary_mask(frame, rules)
    final = secondary_mask(frame, primary)
    reason = (
        pl.when(primary)
        .then(pl.lit("primair"))
        .when(final)
        .then(pl.lit("secundair"))
        .otherwise(pl.lit(None, pl.String))
    )
    hidden = final
    return frame.with_columns(
        onderdrukt=hidden,
        reden=reason,
        teller=pl.when(hidden).then(None).otherwise(pl.col("teller")),
        noemer=pl.when(hidden).then(None).otherwise(pl.col("noemer")),
        waarde=pl.when(hidden).then(None).otherwise(pl.col("waarde")),
    )
