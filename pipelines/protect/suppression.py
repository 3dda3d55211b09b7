"""Disclosure control of indicator cells (spec §4): primary suppression, secondary suppression, optional rounding.

Primary: a cell is suppressed when its teller counts fewer than `min_teller`, or rests on fewer than `min_teller`
persons (`basis_personen`: a count of trajectories or declaration lines protects the pupils behind it), when a
rate's noemer is below `min_noemer`, when a percentage's complement (noemer - teller) is below `min_teller`
(near 100 % the few without are the identifiable ones), or when a cost figure rests on fewer than
`min_cost_persons` persons or one person accounts for more than `max_dominance_share` of it (dominance:
that person's cost is then almost the published total).

Secondary: `secondary` hides more cells until no hidden number can be worked out from the published ones
(sums over schools, wijken and categories, shared numbers, bounds; see `structure`), and the hidden members
of every published sum add up to at least the protection margin.

Rounding (off unless `round_to` > 0): published counts are rounded to a multiple of `round_to` after
suppression, and values recomputed from the rounded numbers, so a value cannot undo the rounding.
"""

from __future__ import annotations

import polars as pl

from pipelines.lib.published_schema import CELL_KEY, GEMEENTE_CELL_KEY
from pipelines.lib.settings import DisclosureRules
from pipelines.protect.continuity import carried_over
from pipelines.protect.intervals import IntervalSolver
from pipelines.protect.reader import Thresholds
from pipelines.protect.secondary import build_model, secondary_mask
from pipelines.protect.structure import COST_NOEMERS, RATE_KINDS

GEMEENTE_CELL = list(GEMEENTE_CELL_KEY)


def primary_mask(frame: pl.DataFrame, rules: DisclosureRules) -> pl.Series:
    """True for cells that break a primary rule (unknown soort or missing numbers: suppressed)."""
    soort = pl.col("soort")
    teller, noemer = pl.col("teller"), pl.col("noemer")
    small = (teller < rules.min_teller) | (persons(frame) < rules.min_teller)
    count_rule = (soort == "aantal") & small
    rate_rule = soort.is_in(RATE_KINDS) & (
        small
        | noemer.is_null()
        | (noemer < rules.min_noemer)
        | ((soort == "percentage") & ((noemer - teller) < rules.min_teller))
    )
    cost_rule = (soort == "bedrag") & ((pl.col("basis_personen") < rules.min_cost_persons) | dominated(frame, rules))
    known_kind = soort.is_in(["aantal", "bedrag", *RATE_KINDS])
    return frame.select((count_rule | rate_rule | cost_rule | ~known_kind).fill_null(True)).to_series()


def persons(frame: pl.DataFrame) -> pl.Expr:
    """The persons behind a cell (`basis_personen`): a teller of trajectories or declaration lines (A6, B2, B1,
    D1) can hold 10 while resting on 6 pupils, and the count rule protects persons. The teller where absent."""
    if "basis_personen" not in frame.columns:
        return pl.col("teller")
    return pl.coalesce(pl.col("basis_personen").cast(pl.Float64), pl.col("teller"))


def dominated(frame: pl.DataFrame, rules: DisclosureRules) -> pl.Expr:
    """One person's cost is more than the allowed share of the cell's cost (a total of 0 or less: no share
    can be worked out, so it counts as dominated). Needs `max_persoon_kosten`; without it, never."""
    if "max_persoon_kosten" not in frame.columns:
        return pl.lit(False)
    teller = pl.col("teller")
    share_rule = pl.col("max_persoon_kosten") > rules.max_dominance_share * teller
    return (teller <= 0) | share_rule.fill_null(False)


def protect(
    frame: pl.DataFrame,
    rules: DisclosureRules,
    previous: pl.DataFrame | None = None,
    solver: IntervalSolver | None = None,
) -> pl.DataFrame:
    """Suppress (teller, noemer, waarde → null) with reason `primair` or `secundair`; then round if asked.

    `previous`: the publication this one replaces; its hidden cells stay hidden and its shown, unchanged
    cells stay shown (`continuity`), so that a reader gains nothing by subtracting the two. `solver`: the
    interval test (`intervals.interval_solver`), passed to read its LP count afterwards.

    The outcome depends on the cells, not on their order in `frame`: the work is done in key order.
    `gemeente_waarde`, when present, is set to the published value of the gemeente cell (null if suppressed).
    """
    ordered = frame.with_row_index("_rij").sort(list(CELL_KEY), nulls_last=True)
    primary = primary_mask(ordered, rules)
    model = build_model(ordered, rules.min_teller)
    thresholds = Thresholds(rules.min_teller, rules.min_noemer)
    final = secondary_mask(
        model,
        primary.to_list(),
        rules.protection_margin,
        thresholds,
        rules.zero_for_small,
        carried_over(ordered, previous),
        solver,
    )
    marks = ordered.select("_rij", onderdrukt=pl.Series(final, dtype=pl.Boolean), _primair=primary).sort("_rij")
    hidden = marks.get_column("onderdrukt")
    reason = pl.when(marks.get_column("_primair")).then(pl.lit("primair")).when(hidden).then(pl.lit("secundair"))
    protected = frame.with_columns(
        onderdrukt=hidden,
        reden=reason.otherwise(pl.lit(None, pl.String)),
        teller=pl.when(hidden).then(None).otherwise(pl.col("teller")),
        noemer=pl.when(hidden).then(None).otherwise(pl.col("noemer")),
        waarde=pl.when(hidden).then(None).otherwise(pl.col("waarde")),
    )
    if rules.round_to > 0:
        protected = round_counts(protected, rules.round_to)
    if "gemeente_waarde" in protected.columns:
        protected = with_gemeente_value(protected)
    return protected


def round_counts(frame: pl.DataFrame, base: int) -> pl.DataFrame:
    """Counts to the nearest multiple of `base` (amounts in euro stay exact); values recomputed with the
    catalogue factor. Needs `factor` for every cell with a noemer."""

    def rounded(column: str) -> pl.Expr:
        return ((pl.col(column) / base + 0.5).floor() * base).cast(pl.Float64)

    is_cost = pl.col("soort") == "bedrag"
    cost_noemer = pl.col("indicator").is_in(sorted(COST_NOEMERS))
    return frame.with_columns(
        teller=pl.when(is_cost).then(pl.col("teller")).otherwise(rounded("teller")),
        noemer=pl.when(cost_noemer).then(pl.col("noemer")).otherwise(rounded("noemer")),
    ).with_columns(
        waarde=pl.when(pl.col("noemer").is_null())
        .then(pl.col("teller"))
        .when(pl.col("noemer") != 0)
        .then(pl.col("teller") / pl.col("noemer") * pl.col("factor"))
    )


def with_gemeente_value(frame: pl.DataFrame) -> pl.DataFrame:
    """Every school and wijk row carries its gemeente's published value (`gemeente_code`; a table without it is
    one gemeente); null where that cell is suppressed, and on the gemeente and the levels above."""
    gemeente = frame.filter(pl.col("niveau") == "gemeente").select(*GEMEENTE_CELL, pl.col("waarde").alias("_g"))
    on = list(GEMEENTE_CELL)
    if "gemeente_code" in frame.columns:
        gemeente = gemeente.with_columns(gemeente_code=frame.filter(pl.col("niveau") == "gemeente")["eenheid_code"])
        on.append("gemeente_code")
    unit = pl.col("niveau").is_in(["school", "wijk"])
    return (
        frame.join(gemeente, on=on, how="left", nulls_equal=True, maintain_order="left")
        .with_columns(gemeente_waarde=pl.when(unit).then(pl.col("_g")))
        .drop("_g")
    )
