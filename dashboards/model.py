"""The protected indicator table arranged the way the dashboard reads it: per unit, per indicator, per year.

Why a separate step: every page and chart asks the same questions (this school's A1 over the years, the
gemeente's A1 next to it, the latest year with figures, who ranks where). Answering them from one grouped
copy of the table keeps the build fast and makes sure all pages use the same rules, above all this one:
a suppressed cell has no value here either, only a status ('klein' or 'onderdrukt'), so no page or chart
can show it as a number.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import polars as pl

from dashboards.catalogue import CatalogueEntry
from dashboards.charts import NOT_LIKE_GEMEENTE, has_peers, like_gemeente
from dashboards.i18n import Language, category_label
from dashboards.intervals import Interval, interval

LEVELS = ("school", "wijk")
# The levels a gemeente's publication shows above its schools and itself (docs/levels.md). The dashboard reads
# only these: a level it does not know is left out, never breaks a page.
SWV = "samenwerkingsverband"
JEUGDREGIO = "jeugdregio"
NEDERLAND = "nederland"
KEY_FIGURES = ("G1", "A1", "A6", "C2", "E1", "F4")
LABEL_LENGTH = 42
Row = dict[str, Any]
# One name per number: B2 is A6 by the specification's definition (same teller, same noemer, same cells), so
# the dashboard shows it once, as A6, and says so there; the downloads keep both rows as published.
SAME_AS = {"B2": "A6"}
# The wijk of pupils without a known address: not an area, so it is left out of rankings and peer figures.
UNKNOWN_WIJK = "ONBEKEND"
# The sectors schools are ranked and compared within (scholen.parquet, pipelines/protect/school_attributes.py):
# a primary school is never ranked against an MBO college. A school without a known sector is in no ranking.
SECTORS = ("po", "sbo", "so", "vo", "mbo")


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
class SchoolFacts:
    """A school's public attributes as published in scholen.parquet (None where not known)."""

    sector: str | None  # one of SECTORS
    wijk_code: str | None
    wijk_naam: str | None
    po_swv: str | None
    vo_swv: str | None
    swv_source: str | None  # 'pc4' (the school's own postcode area) or 'gemeente' (fallback)

    @property
    def swv(self) -> tuple[str, ...]:
        """The samenwerkingsverbanden passend onderwijs the school belongs to by its sector: PO (po, sbo), both
        (so: speciaal and voortgezet speciaal onderwijs), VO (vo); mbo has none."""
        wanted = {"po": (self.po_swv,), "sbo": (self.po_swv,), "so": (self.po_swv, self.vo_swv), "vo": (self.vo_swv,)}
        return tuple(code for code in wanted.get(self.sector or "", ()) if code)

    @property
    def counts_in(self) -> str | None:
        """The samenwerkingsverband whose figures hold this school's pupils (sql/link/school_areas.sql): the PO one
        for po, sbo and so (an so/vso centre counts wholly there), the VO one for vo; mbo none."""
        if self.sector in ("po", "sbo", "so"):
            return self.po_swv
        return self.vo_swv if self.sector == "vo" else None


def school_facts(schools: pl.DataFrame | None) -> dict[str, SchoolFacts]:
    """scholen.parquet by school code; empty without the table (then no school has a sector)."""
    if schools is None:
        return {}
    return {
        row["eenheid_code"]: SchoolFacts(
            sector=row["sector"].lower() if row["sector"] else None,
            wijk_code=row["wijk_code"],
            wijk_naam=row["wijk_naam"],
            po_swv=row["po_swv"],
            vo_swv=row["vo_swv"],
            swv_source=row["swv_herkomst"],
        )
        for row in schools.iter_rows(named=True)
    }


@dataclass(frozen=True)
class Cell:
    """One published cell: a value, or the reason there is none."""

    year: str
    category: str | None
    value: float | None
    status: str  # ok | klein (primary suppression) | onderdrukt (secondary) | leeg (no value, not suppressed)
    teller: float | None = None
    noemer: float | None = None
    interval: Interval | None = None

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


def _cell(row: Row, soort: str) -> Cell:
    status = _status(bool(row["onderdrukt"]), row["reden"], row["waarde"])
    if status != "ok":
        return Cell(year=row["schooljaar"], category=row["categorie"], value=None, status=status)
    teller, noemer = row["teller"], row["noemer"]
    return Cell(
        year=row["schooljaar"],
        category=row["categorie"],
        value=round(float(row["waarde"]), 4),
        status=status,
        teller=teller,
        noemer=noemer,
        interval=interval(soort, teller, noemer),
    )


def previous_year(year: str) -> str:
    """'2023/2024' → '2022/2023'."""
    start = int(year[:4])
    return f"{start - 1}/{start}"


class Publication:
    """Read-only view of the protected table, grouped once by unit and indicator."""

    def __init__(
        self, table: pl.DataFrame, catalogue: Sequence[CatalogueEntry], schools: pl.DataFrame | None = None
    ) -> None:
        self._schools = school_facts(schools)
        self.years: tuple[str, ...] = tuple(sorted(table.get_column("schooljaar").unique().to_list()))
        self._levels = set(table.select("niveau", "indicator").unique().iter_rows())
        present = {ind for _, ind in self._levels}
        self.catalogue = [
            i for i in catalogue if i.id in present and not (i.id in SAME_AS and SAME_AS[i.id] in present)
        ]
        soort = {i.id: i.soort for i in catalogue}
        self._cells: dict[tuple[str, str, str], list[Cell]] = defaultdict(list)
        names: dict[tuple[str, str], str] = {}
        ordered = table.sort("schooljaar", "categorie", nulls_last=False)
        for row in ordered.iter_rows(named=True):
            key = (row["niveau"], row["eenheid_code"])
            names[key] = row["eenheid_naam"]
            self._cells[(*key, row["indicator"])].append(_cell(row, soort.get(row["indicator"], "")))
        self._units = [Unit(level, code, name) for (level, code), name in sorted(names.items())]

    @property
    def gemeente(self) -> Unit:
        return next(u for u in self._units if u.level == "gemeente")

    def above(self, level: str) -> Unit | None:
        """The publication's jeugdregio or country (a gemeente's publication holds at most one of each)."""
        return next((u for u in self._units if u.level == level), None)

    def swv_of(self, unit: Unit) -> Unit | None:
        """The samenwerkingsverband a school counts in, when the publication has its figures."""
        facts = self.school(unit)
        code = facts.counts_in if facts is not None else None
        return next((u for u in self.units(SWV) if u.code == code), None) if code else None

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

    def school(self, unit: Unit) -> SchoolFacts | None:
        """A school's published attributes (sector, wijk, samenwerkingsverband); None for a wijk or the gemeente."""
        return self._schools.get(unit.code) if unit.level == "school" else None

    def sector(self, unit: Unit) -> str | None:
        """The school's sector (see SECTORS); None for a wijk, the gemeente or a school of unknown sector."""
        facts = self.school(unit)
        return facts.sector if facts is not None else None

    def wijk_unit(self, code: str | None) -> Unit | None:
        """The wijk page of a code, if the publication has one."""
        return next((u for u in self.units("wijk") if u.code == code), None) if code else None

    def peers(self, unit: Unit) -> list[Unit]:
        """The units a school or wijk is fairly compared with: schools of its sector (a school of unknown sector:
        the other schools of unknown sector), or the wijken with an address (not 'onbekend'). The unit itself is
        one of them."""
        return list(self._peers(unit.level, self.sector(unit)))

    @cache  # noqa: B019 - a Publication lives for one build; the groups are asked for once per page
    def _peers(self, level: str, sector: str | None) -> tuple[Unit, ...]:
        return tuple(
            u for u in self.units(level) if u.code != UNKNOWN_WIJK and (level != "school" or self.sector(u) == sector)
        )

    def peer_median(self, unit: Unit, indicator: str, year: str) -> tuple[float, int] | None:
        """The median of the shown values of the unit's peers in a year, and how many peers that is."""
        return self._median(unit.level, self.sector(unit), indicator, year)

    @cache  # noqa: B019 - as _peers: every school of a sector asks the same question
    def _median(self, level: str, sector: str | None, indicator: str, year: str) -> tuple[float, int] | None:
        values = [
            c.value
            for u in self._peers(level, sector)
            if (c := self.totals(u, indicator).get(year)) is not None and c.value is not None
        ]
        return (round(statistics.median(values), 4), len(values)) if values else None

    def chart_rows(self, unit: Unit, indicator: CatalogueEntry) -> list[Row]:
        """One chart's data: the unit's cells with their 95 % interval (lo, hi) and, for a school or wijk and a
        rate, the gemeente's (where it means the same) and the median of the unit's peers as benchmarks."""
        rows: list[Row] = []
        if unit.level == "gemeente":
            series = [("gemeente", unit)]
            if indicator.noemer is not None:  # a rate: the jeugdregio's and the country's are comparison lines
                series += [(level, u) for level in (JEUGDREGIO, NEDERLAND) if (u := self.above(level)) is not None]
        else:
            series = [("eenheid", unit)]
            if like_gemeente(indicator, unit.level):
                series.append(("gemeente", self.gemeente))
        for name, source in series:
            for cell in self.cells(source, indicator.id):
                row: Row = {"jaar": cell.year, "reeks": name, "waarde": cell.value, "status": cell.status}
                if cell.interval is not None and name == "eenheid":
                    row |= {"lo": cell.interval.low, "hi": cell.interval.high}
                if indicator.dimensie is not None:
                    row["cat"] = cell.category
                rows.append(row)
        if has_peers(indicator, unit.level):
            for year in self.years:
                if (median := self.peer_median(unit, indicator.id, year)) is not None:
                    rows.append({"jaar": year, "reeks": "peers", "waarde": median[0], "status": "ok"})
        return rows

    def categories(self, indicator: CatalogueEntry, language: Language) -> dict[str, str]:
        """The categories of a dimension found in the data, code → name, codes in order and 'onbekend' last."""
        codes = {c.category for u in self._units for c in self.cells(u, indicator.id) if c.category is not None}
        ordered = sorted(codes, key=lambda code: (code == "onbekend", code))
        return {code: category_label(indicator.dimensie, code, language) for code in ordered}

    def ranking_rows(self, level: str, indicator: str, sector: str | None = None) -> list[Row]:
        """The units of a level (of one sector, for schools) in the indicator's latest year, highest first,
        suppressed ones last, each with its interval and whether that interval leaves the gemeente out.
        'Wijk onbekend' is not an area and is left out."""
        year = self.latest_year(indicator)
        benchmark = self.totals(self.gemeente, indicator).get(year or "")
        if year is None or benchmark is None:
            return []
        units = self._peers(level, sector)
        entries = [(u, c) for u in units if (c := self.totals(u, indicator).get(year)) is not None]
        entries.sort(key=lambda e: (not e[1].shown, -(e[1].value or 0.0), e[0].name.lower()))
        labels = axis_labels([u for u, _ in entries])
        comparable = (level, indicator) not in NOT_LIKE_GEMEENTE
        rows = []
        for rank, (u, c) in enumerate(entries, start=1):
            row: Row = {
                "label": labels[u],
                "code": u.code,
                "url": u.page,
                "waarde": c.value,
                "status": c.status,
                "rang": rank,
            }
            if comparable:
                row["gemeente"] = benchmark.value
            if c.interval is not None:
                row |= {"lo": c.interval.low, "hi": c.interval.high}
                if comparable and benchmark.value is not None:
                    row["afwijkend"] = c.interval.excludes(benchmark.value)
            rows.append(row)
        return rows
