"""The protected indicator table arranged the way the dashboard reads it: per unit, per indicator, per year.

Why a separate step: every page and chart asks the same questions (this school's A1 over the years, the
gemeente's A1 next to it, the latest year with figures, who ranks where). Answering them from one grouped
copy of the table keeps the build fast and makes sure all pages use the same rules, above all this one:
a suppressed cell has no value here either, only a status ('klein' or 'onderdrukt'), so no page or chart
can show it as a number.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from dashboards.catalogue import CatalogueEntry
from dashboards.charts import benchmarked
from dashboards.i18n import Language, category_label

LEVELS = ("school", "wijk")
KEY_FIGURES = ("G1", "A1", "B2", "C2", "E1", "F4")
LABEL_LENGTH = 42
Row = dict[str, Any]


@dataclass(frozen=True)
class Unit:
    """A school (vestiging), a wijk or the gemeente, as a page of the site."""

    level: str
    code: str
    name: str

    @property
    def page(self) -> str:
        """Path of the unit's page, relative to the site root."""
        return f"{self.level}/{re.sub(r'[^A-Za-z0-9_-]', '_', self.code)}.html"


@dataclass(frozen=True)
class Cell:
    """One published cell: a value, or the reason there is none."""

    year: str
    category: str | None
    value: float | None
    status: str  # ok | klein (primary suppression) | onderdrukt (secondary) | leeg (no value, not suppressed)

    @property
    def shown(self) -> bool:
        return self.status == "ok"


def _cut(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def axis_labels(units: list[Unit]) -> dict[Unit, str]:
    """Names short enough for a chart axis and still one per unit: the chart groups its bars by label."""
    labels = {u: _cut(u.name, LABEL_LENGTH) for u in units}
    taken = Counter(labels.values())
    code = len(" (") + max((len(u.code) for u in units), default=0) + len(")")
    return {
        u: label if taken[label] == 1 else f"{_cut(u.name, LABEL_LENGTH - code)} ({u.code})"
        for u, label in labels.items()
    }


def _status(onderdrukt: bool, reden: str | None, waarde: float | None) -> str:
    if onderdrukt:
        return "onderdrukt" if reden == "secundair" else "klein"
    return "ok" if waarde is not None else "leeg"


def _cell(row: Row) -> Cell:
    status = _status(bool(row["onderdrukt"]), row["reden"], row["waarde"])
    value = round(float(row["waarde"]), 4) if status == "ok" else None
    return Cell(year=row["schooljaar"], category=row["categorie"], value=value, status=status)


class Publication:
    """Read-only view of the protected table, grouped once by unit and indicator."""

    def __init__(self, table: pl.DataFrame, catalogue: Sequence[CatalogueEntry]) -> None:
        self.years: tuple[str, ...] = tuple(sorted(table.get_column("schooljaar").unique().to_list()))
        self._levels = set(table.select("niveau", "indicator").unique().iter_rows())
        self.catalogue = [i for i in catalogue if any(ind == i.id for _, ind in self._levels)]
        self._cells: dict[tuple[str, str, str], list[Cell]] = defaultdict(list)
        names: dict[tuple[str, str], str] = {}
        ordered = table.sort("schooljaar", "categorie", nulls_last=False)
        for row in ordered.iter_rows(named=True):
            key = (row["niveau"], row["eenheid_code"])
            names[key] = row["eenheid_naam"]
            self._cells[(*key, row["indicator"])].append(_cell(row))
        self._units = [Unit(level, code, name) for (level, code), name in sorted(names.items())]

    @property
    def gemeente(self) -> Unit:
        return next(u for u in self._units if u.level == "gemeente")

    def units(self, level: str) -> list[Unit]:
        return sorted((u for u in self._units if u.level == level), key=lambda u: (u.name.lower(), u.code))

    def indicators(self, level: str) -> list[CatalogueEntry]:
        """Catalogue entries with rows at this level, in catalogue order."""
        return [i for i in self.catalogue if (level, i.id) in self._levels]

    def indicator(self, indicator_id: str) -> CatalogueEntry | None:
        return next((i for i in self.catalogue if i.id == indicator_id), None)

    def cells(self, unit: Unit, indicator: str) -> list[Cell]:
        return self._cells.get((unit.level, unit.code, indicator), [])

    def totals(self, unit: Unit, indicator: str) -> dict[str, Cell]:
        """The cells of an indicator without dimension, by year."""
        return {c.year: c for c in self.cells(unit, indicator) if c.category is None}

    def latest_year(self, indicator: str) -> str | None:
        """The latest year in which the gemeente has a published value (E1 and E2 lag a year)."""
        years = [c.year for c in self.cells(self.gemeente, indicator) if c.category is None and c.shown]
        return max(years) if years else None

    def chart_rows(self, unit: Unit, indicator: CatalogueEntry) -> list[Row]:
        """The unit's cells and, for a school or wijk and a rate, the gemeente's as benchmark: one chart's data."""
        series = [("eenheid", unit)]
        if unit.level == "gemeente":
            series = [("gemeente", unit)]
        elif benchmarked(indicator):
            series.append(("gemeente", self.gemeente))
        rows: list[Row] = []
        for name, source in series:
            for cell in self.cells(source, indicator.id):
                row: Row = {"jaar": cell.year, "reeks": name, "waarde": cell.value, "status": cell.status}
                if indicator.dimensie is not None:
                    row["cat"] = cell.category
                rows.append(row)
        return rows

    def categories(self, indicator: CatalogueEntry, language: Language) -> dict[str, str]:
        """The categories of a dimension found in the data, code → name, codes in order and 'onbekend' last."""
        codes = {c.category for u in self._units for c in self.cells(u, indicator.id) if c.category is not None}
        ordered = sorted(codes, key=lambda code: (code == "onbekend", code))
        return {code: category_label(indicator.dimensie, code, language) for code in ordered}

    def ranking_rows(self, level: str, indicator: str) -> list[Row]:
        """Every unit of a level in the indicator's latest year, highest first, suppressed ones last."""
        year = self.latest_year(indicator)
        benchmark = self.totals(self.gemeente, indicator).get(year or "")
        if year is None or benchmark is None:
            return []
        entries = [(u, c) for u in self.units(level) if (c := self.totals(u, indicator).get(year)) is not None]
        entries.sort(key=lambda e: (not e[1].shown, -(e[1].value or 0.0), e[0].name.lower()))
        labels = axis_labels([u for u, _ in entries])
        return [
            {
                "label": labels[u],
                "url": u.page,
                "waarde": c.value,
                "status": c.status,
                "rang": rank,
                "gemeente": benchmark.value,
            }
            for rank, (u, c) in enumerate(entries, start=1)
        ]
