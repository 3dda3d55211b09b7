"""The independent, blocking check of doelen.parquet against the published indicator table.

Why separate from `progress`: the targets table adds numbers next to the indicators (a baseline, a latest value,
an interval, a goal, a path value). The check does not recompute the targets; it asks of every number whether a
reader could already get it from `indicatoren.parquet`: each value and count must be that of a cell shown there
(never of a suppressed one), each interval must follow from that shown cell's teller and noemer, a goal given as
a relative change must rest on a shown baseline, and a row without a shown cell must carry no number and no
status but `niet te beoordelen`. A failure blocks the publication like the indicators' own check.
"""

from __future__ import annotations

import math

import polars as pl

from dashboards.intervals import interval
from pipelines.indicators.catalogue import load_indicators
from pipelines.protect.disclosure_check import CheckReport

KEY = ["schooljaar", "niveau", "eenheid_code", "indicator", "categorie"]


def _same(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def check_targets(doelen: pl.DataFrame, published: pl.DataFrame) -> CheckReport:
    report = CheckReport(
        tried=[
            "targets: every value, count and interval in doelen.parquet is that of a cell shown in "
            "indicatoren.parquet; rows on a suppressed or missing cell carry no number and are not assessed"
        ]
    )
    soort = {i.id: i.soort for i in load_indicators()}
    shown = {tuple(r[k] for k in KEY): r for r in published.filter(~pl.col("onderdrukt")).iter_rows(named=True)}
    leaks: list[str] = []
    for row in doelen.iter_rows(named=True):
        where = f"{row['doel_id']} {row['niveau']} {row['eenheid_code']}"
        unit = (row["niveau"], row["eenheid_code"], row["indicator"], row["categorie"])
        base = shown.get((row["basisjaar"], *unit))
        from_monitor = row["basisbron"] == "monitor"
        if from_monitor and row["basiswaarde"] is not None and not (base and _same(base["waarde"], row["basiswaarde"])):
            leaks.append(f"{where}: baseline {row['basiswaarde']} is not a shown cell of {row['basisjaar']}")
        if from_monitor and base is None and row["status"] != "niet te beoordelen":
            leaks.append(f"{where}: a status on a baseline that is not shown ({row['basisjaar']})")
        if row["relatief"] is not None and row["doelwaarde"] is not None and row["basiswaarde"] is None:
            leaks.append(f"{where}: a relative goal without a shown baseline")
        latest = shown.get((row["meetjaar"], *unit)) if row["meetjaar"] else None
        numbers = ("teller", "noemer", "waarde", "interval_laag", "interval_hoog", "padwaarde")
        if latest is None:
            if any(row[n] is not None for n in numbers) or row["status"] != "niet te beoordelen":
                leaks.append(f"{where}: numbers or a status for a cell that is not shown ({row['meetjaar']})")
            continue
        for name in ("teller", "noemer", "waarde"):
            if row[name] is not None and not _same(row[name], latest[name]):
                leaks.append(f"{where}: {name} {row[name]} is not the shown cell's {latest[name]}")
        bounds = interval(soort[row["indicator"]], latest["teller"], latest["noemer"])
        expected = (None, None) if bounds is None else (bounds.low, bounds.high)
        if (row["interval_laag"], row["interval_hoog"]) != expected:
            leaks.append(f"{where}: interval {row['interval_laag']}-{row['interval_hoog']} not from the shown cell")
    report.add("target row shows more than the published cells", leaks)
    return report
