"""Progress towards each agreed target, computed from the PROTECTED indicator table only (doelen.parquet).

Why from the protected table: a target on a suppressed cell must not reveal it, not even through its status.
Reading only what `indicatoren.parquet` shows (a suppressed cell has no teller, noemer or waarde there), every
number and every status here is a function of published numbers; the independent check
(`pipelines.targets.check`) verifies exactly that before anything is published.

Per target and covered unit:
- baseline: the published value of the baseline year (or the value of another named source);
- goal: the agreed value, or the baseline changed by the agreed relative change (a share held to 0-100 %);
- latest measurement: the latest school year after the baseline, up to the target year, in which the unit has a
  cell; its value and 95 % interval (Wilson for a share, Garwood/Poisson for a rate: `dashboards.intervals`);
- the straight path from baseline to goal, read at the year of the latest measurement;
- status: `op koers` when the latest value is on the path or better; `niet op koers` when it is worse;
  `niet te beoordelen` when the baseline or the latest cell is suppressed or missing, when there is no
  measurement after the baseline yet, or when the interval is wider than the whole change the target asks for
  (then the measurement cannot tell progress from chance).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from dashboards.intervals import interval
from pipelines.indicators.catalogue import load_indicators
from pipelines.targets.agreements import Target, TargetsFile

ON_TRACK, OFF_TRACK, NOT_ASSESSABLE = "op koers", "niet op koers", "niet te beoordelen"
STATUSES = (ON_TRACK, OFF_TRACK, NOT_ASSESSABLE)
# Why a target cannot be assessed (reden), in plain words.
BASELINE_SUPPRESSED = "basiswaarde onderdrukt"
NO_BASELINE = "geen basiswaarde (geen cel in het basisjaar)"
NOT_MEASURED = "nog geen meting na het basisjaar"
LATEST_SUPPRESSED = "laatste meting onderdrukt"
TOO_WIDE = "interval breder dan de afgesproken verandering"
NO_CHANGE = "doel gelijk aan de basiswaarde"

TARGETS_SCHEMA: dict[str, type[pl.DataType]] = {
    "doel_id": pl.String,
    "omschrijving_nl": pl.String,
    "omschrijving_en": pl.String,
    "indicator": pl.String,
    "indicator_naam": pl.String,
    "categorie": pl.String,
    "eenheid": pl.String,
    "niveau": pl.String,
    "eenheid_code": pl.String,
    "eenheid_naam": pl.String,
    "groep": pl.String,
    "basisjaar": pl.String,
    "basisbron": pl.String,
    "basiswaarde": pl.Float64,
    "doeljaar": pl.String,
    "doelwaarde": pl.Float64,
    "relatief": pl.Float64,
    "meetjaar": pl.String,
    "teller": pl.Float64,
    "noemer": pl.Float64,
    "waarde": pl.Float64,
    "interval_laag": pl.Float64,
    "interval_hoog": pl.Float64,
    "padwaarde": pl.Float64,
    "status": pl.String,
    "reden": pl.String,
    "afspraak": pl.String,
    "partijen": pl.String,
    "versie": pl.String,
}


def _start(schooljaar: str) -> int:
    return int(schooljaar[:4])


@dataclass(frozen=True)
class Measurement:
    """One published cell as the reader sees it: None values when it is suppressed."""

    schooljaar: str
    teller: float | None
    noemer: float | None
    waarde: float | None


def covered_units(target: Target, published: pl.DataFrame, gemeente: str) -> list[tuple[str, str]]:
    """(eenheid_code, eenheid_naam) of every unit the target covers, from the published table."""
    units = target.eenheden
    level = published.filter(pl.col("niveau") == units.niveau)
    names = dict(level.select("eenheid_code", "eenheid_naam").unique("eenheid_code").iter_rows())
    if units.niveau == "gemeente":
        codes = [gemeente]
    elif units.sector:
        marker = "D1" if units.sector == "po" else "E1"
        codes = sorted(set(level.filter(pl.col("indicator") == marker).get_column("eenheid_code")))
    else:
        codes = list(units.eenheden)
    return [(code, str(names.get(code, code))) for code in codes]


def _series(target: Target, code: str, published: pl.DataFrame) -> dict[str, Measurement]:
    cells = published.filter(
        pl.col("indicator") == target.indicator,
        pl.col("niveau") == target.eenheden.niveau,
        pl.col("eenheid_code") == code,
        pl.col("categorie").eq_missing(pl.lit(target.categorie, pl.String)),
    )
    return {
        r["schooljaar"]: Measurement(r["schooljaar"], r["teller"], r["noemer"], r["waarde"])
        for r in cells.iter_rows(named=True)
    }


def assess(target: Target, soort: str, series: dict[str, Measurement]) -> dict[str, Any]:
    """The numbers and the status of one target for one unit, from its published cells (`series`)."""
    base_year, goal_year = target.basis.schooljaar, target.doel.schooljaar
    row: dict[str, Any] = dict.fromkeys(
        (
            "basiswaarde",
            "doelwaarde",
            "meetjaar",
            "teller",
            "noemer",
            "waarde",
            "interval_laag",
            "interval_hoog",
            "padwaarde",
            "reden",
        )
    )
    if target.basis.waarde is not None:
        baseline: float | None = target.basis.waarde
    else:
        cell = series.get(base_year)
        baseline = None if cell is None else cell.waarde
        if baseline is None:
            row["reden"] = NO_BASELINE if cell is None else BASELINE_SUPPRESSED
    row["basiswaarde"] = baseline
    if target.doel.waarde is not None:  # an agreed number, shown even where the baseline is not
        row["doelwaarde"] = target.doel.waarde
    elif baseline is not None:
        # A relative goal past 100 % (a share) or below 0 is held to what the figure can reach.
        goal = max(0.0, baseline * (1 + (target.doel.relatief or 0.0)))
        row["doelwaarde"] = min(goal, 100.0) if soort == "percentage" else goal
    later = sorted((y for y in series if _start(base_year) < _start(y) <= _start(goal_year)), key=_start, reverse=True)
    if later:
        latest = series[later[0]]
        row["meetjaar"] = latest.schooljaar
        if latest.waarde is not None:
            row |= {"teller": latest.teller, "noemer": latest.noemer, "waarde": latest.waarde}
            bounds = interval(soort, latest.teller, latest.noemer)
            if bounds is not None:
                row |= {"interval_laag": bounds.low, "interval_hoog": bounds.high}
        elif row["reden"] is None:
            row["reden"] = LATEST_SUPPRESSED
    elif row["reden"] is None:
        row["reden"] = NOT_MEASURED
    if row["reden"] is not None:
        return row | {"status": NOT_ASSESSABLE}
    # No reason left: the baseline, the goal and the latest value are all there.
    baseline, goal, value = float(row["basiswaarde"]), float(row["doelwaarde"]), float(row["waarde"])
    share = (_start(row["meetjaar"]) - _start(base_year)) / (_start(goal_year) - _start(base_year))
    row["padwaarde"] = baseline + (goal - baseline) * share
    change = goal - baseline
    if change == 0:
        return row | {"status": NOT_ASSESSABLE, "reden": NO_CHANGE}
    if row["interval_laag"] is not None and row["interval_hoog"] - row["interval_laag"] > abs(change):
        return row | {"status": NOT_ASSESSABLE, "reden": TOO_WIDE}
    better = value <= row["padwaarde"] if change < 0 else value >= row["padwaarde"]
    return row | {"status": ON_TRACK if better else OFF_TRACK}


def target_progress(targets: TargetsFile | None, published: pl.DataFrame, gemeente: str) -> pl.DataFrame:
    """doelen.parquet: one row per target and covered unit, from the protected table `published` only. The
    targets file is one gemeente's: the other gemeenten of a region get an empty table."""
    rows: list[dict[str, Any]] = []
    catalogue = {i.id: i for i in load_indicators()}
    for target in targets.streefwaarden if targets and targets.gemeente == gemeente else ():
        entry = catalogue[target.indicator]
        agreement = f"{target.afspraak.overleg} {target.afspraak.datum.isoformat()}"
        for code, name in covered_units(target, published, gemeente):
            rows.append(
                {
                    "doel_id": target.id,
                    "omschrijving_nl": target.omschrijving.nl,
                    "omschrijving_en": target.omschrijving.en,
                    "indicator": target.indicator,
                    "indicator_naam": entry.naam_nl,
                    "categorie": target.categorie,
                    "eenheid": entry.eenheid,
                    "niveau": target.eenheden.niveau,
                    "eenheid_code": code,
                    "eenheid_naam": name,
                    "groep": target.eenheden.naam,
                    "basisjaar": target.basis.schooljaar,
                    "basisbron": target.basis.bron,
                    "doeljaar": target.doel.schooljaar,
                    "relatief": target.doel.relatief,
                    "afspraak": agreement,
                    "partijen": ", ".join(target.afspraak.partijen),
                    "versie": targets.versie if targets else None,
                    **assess(target, entry.soort, _series(target, code, published)),
                }
            )
    return pl.DataFrame(rows, schema=TARGETS_SCHEMA).select(list(TARGETS_SCHEMA))
