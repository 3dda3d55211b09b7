"""CBS "Kerncijfers wijken en buurten" (KWB) read in its real layout, driven by its contract.

Why a reader of its own: the KWB file is public, aggregate open data, not a holder's export, and its layout has
nothing of a holder's CSV: one column per measure *and year table* (`GemiddeldInkomenPerInkomensontvanger_68`,
`_71`, `_77`, `_80` when several years' OData tables are put side by side), codes and labels space-padded to a
fixed width (`'GM0034    '`), CBS's missing-value marker `.` (also padded), the peildatum as `1-1-2025`, and in
the reference copy decimals whose separator was lost (`117` for 11.7 %). `contracts/opendata/kerncijfers.yaml`
names the measures, their CBS names, units and decimal rule; this module turns that into one typed row per area
and year, and quarantines (with line and reason) a row it cannot read rather than guess.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

import polars as pl
import yaml
from pydantic import BaseModel, ConfigDict, Field

from pseudonymisation import cbs_area
from pseudonymisation.read_csv import FileRejected

CONTRACT_FILE = Path(__file__).resolve().parents[2] / "contracts" / "opendata" / "kerncijfers.yaml"
AREA_LEVELS: dict[str, cbs_area.AreaLevel] = {"Gemeente": "gemeente", "Wijk": "wijk", "Buurt": "buurt"}
PEILDATUM = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
WHOLE = re.compile(r"^-?\d+$")
DECIMAL = re.compile(r"^-?\d+[.,]\d+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(_Strict):
    nl: str
    en: str


class Key(_Strict):
    column: str
    description: Bilingual


class Keys(_Strict):
    code: Key
    soort: Key
    peildatum: Key


class Measure(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    cbs: list[str] = Field(min_length=1)  # its CBS names, old to new
    type: Literal["integer", "decimal"]
    unit: str
    description: Bilingual
    lostDecimal: float | None = None  # whole numbers at or above this had one decimal (÷ 10); see the contract

    def columns(self, header: list[str]) -> list[str]:
        """The file's columns of this measure: a CBS name alone or with a year table's position suffix."""
        names = "|".join(re.escape(n) for n in self.cbs)
        return [c for c in header if re.fullmatch(rf"(?:{names})(?:_\d+)?", c)]


class ContextVariable(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    numerator: str
    denominator: list[str] = []  # empty: the measure itself; else numerator / sum(denominator) x 100
    unit: str
    model: bool
    carryForward: bool = True  # a year without a figure takes the latest earlier one (income, education lag)
    description: Bilingual


class FileSpec(_Strict):
    name: str
    delimiter: str = Field(min_length=1, max_length=1)
    missingValues: list[str]
    regionTypes: list[Literal["Gemeente", "Wijk", "Buurt"]] = Field(min_length=1)


class OpenDataContract(_Strict):
    apiVersion: Literal["jeugdmonitor-opendata/v1"]
    kind: Literal["OpenDataTable"]
    id: str
    name: str
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    status: Literal["active", "draft", "deprecated"]
    owner: str
    description: Bilingual
    purpose: Bilingual
    file: FileSpec
    tableYearOfSchoolYear: int
    keys: Keys
    measures: list[Measure] = Field(min_length=1)
    context: list[ContextVariable] = Field(min_length=1)

    def measure(self, name: str) -> Measure:
        return next(m for m in self.measures if m.name == name)

    @property
    def model_variables(self) -> list[str]:
        return [v.name for v in self.context if v.model]

    def table_year(self, schooljaar: str) -> int:
        """The KWB table (peildatum 1 January of that year) set beside school year 't/t+1'."""
        return int(schooljaar.split("/")[0]) + self.tableYearOfSchoolYear


@cache
def load_contract(path: Path = CONTRACT_FILE) -> OpenDataContract:
    contract = OpenDataContract.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    names = {m.name for m in contract.measures}
    for variable in contract.context:
        unknown = {variable.numerator, *variable.denominator} - names
        if unknown:
            raise ValueError(f"{path.name}: context {variable.name} names unknown measures {sorted(unknown)}")
    return contract


@dataclass
class Kerncijfers:
    """What reading one KWB file gave: one row per kept area and year, and what was left out and why."""

    table: pl.DataFrame  # jaar, peildatum, soort, code, then one column per measure
    rows_read: int
    rows_other_regions: int  # buurten (or other region types the contract does not keep)
    quarantine: list[dict[str, object]] = field(default_factory=list)  # line, field, rule, value


def schema(contract: OpenDataContract) -> dict[str, type[pl.DataType]]:
    columns: dict[str, type[pl.DataType]] = {
        "jaar": pl.Int32,
        "peildatum": pl.Date,
        "soort": pl.String,
        "code": pl.String,
    }
    for m in contract.measures:
        columns[m.name] = pl.Int64 if m.type == "integer" else pl.Float64
    return columns


def parse_number(raw: str, measure: Measure) -> int | float:
    """One figure as CBS wrote it: `1625`, `11.7` (or `11,7`), or with a lost separator (`117`, see the contract).

    Raises ValueError for anything else."""
    text = raw.strip()
    if DECIMAL.match(text):
        if measure.type == "integer":
            raise ValueError("a decimal where a whole number is expected")
        return float(text.replace(",", "."))
    if not WHOLE.match(text):
        raise ValueError("not a number")
    number = int(text)
    if measure.type == "integer":
        return number
    if measure.lostDecimal is not None and abs(number) >= measure.lostDecimal:
        return number / 10
    return float(number)


def _decode(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected(f"{path.name}: neither UTF-8 nor Windows-1252; expected CBS's UTF-8 CSV.")  # pragma: no cover


def read_kerncijfers(path: Path, contract: OpenDataContract | None = None) -> Kerncijfers:
    """Read a KWB file; a file that is not one (no code, region or peildatum column, no measure at all) is
    rejected whole with one sentence; a row that cannot be read is quarantined with its line and reason."""
    contract = contract or load_contract()
    reader = csv.reader(io.StringIO(_decode(path), newline=""), delimiter=contract.file.delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise FileRejected(f"{path.name}: empty; expected CBS's Kerncijfers wijken en buurten.") from None
    keys = contract.keys
    missing_keys = [k.column for k in (keys.code, keys.soort, keys.peildatum) if k.column not in header]
    columns = {m.name: m.columns(header) for m in contract.measures}
    if missing_keys or not any(columns.values()):
        raise FileRejected(
            f"{path.name}: not CBS's Kerncijfers wijken en buurten: expected the columns "
            f"{keys.code.column}, {keys.soort.column}, {keys.peildatum.column} and measures such as "
            f"{contract.measures[1].cbs[0]}; found {', '.join(header[:6])}…"
        )
    position = {name: i for i, name in enumerate(header)}
    missing = {v.strip() for v in contract.file.missingValues}
    kept_types = set(contract.file.regionTypes)
    rows: list[dict[str, object]] = []
    quarantine: list[dict[str, object]] = []
    read = other = 0
    for line, values in enumerate(reader, start=2):
        if not values:
            continue
        read += 1

        def cell(column: str, values: list[str] = values) -> str:
            i = position[column]
            return values[i].strip() if i < len(values) else ""

        soort = cell(keys.soort.column)
        if soort not in kept_types:
            other += 1
            continue
        row, problems = _row(contract, soort, cell, columns, missing)
        if problems:
            quarantine += [{"line": line, "field": f, "rule": r, "value": v} for f, r, v in problems]
        else:
            rows.append(row)
    table = pl.DataFrame(rows, schema=schema(contract), orient="row").sort("jaar", "code")
    duplicates = table.filter(pl.struct("jaar", "code").is_duplicated())
    if duplicates.height:
        first = duplicates.row(0, named=True)
        raise FileRejected(
            f"{path.name}: {first['code']} appears more than once for {first['jaar']}; one row per area and year "
            "expected."
        )
    return Kerncijfers(table, read, other, quarantine)


def _row(
    contract: OpenDataContract,
    soort: str,
    cell: Callable[[str], str],
    columns: dict[str, list[str]],
    missing: set[str],
) -> tuple[dict[str, object], list[tuple[str, str, str]]]:
    """One kept row typed, or the reasons it cannot be (field, rule, value)."""
    keys = contract.keys
    problems: list[tuple[str, str, str]] = []
    level = AREA_LEVELS[soort]
    code = cell(keys.code.column).replace(" ", "").upper()
    if not re.fullmatch(cbs_area.pattern(level), code):
        problems.append(("code", f"not a CBS {level} code", code))
    when = PEILDATUM.match(cell(keys.peildatum.column))
    peildatum: date | None = None
    if when is None:
        problems.append(("peildatum", "not d-m-yyyy", cell(keys.peildatum.column)))
    else:
        try:
            peildatum = date(int(when[3]), int(when[2]), int(when[1]))
        except ValueError:
            problems.append(("peildatum", "no such date", cell(keys.peildatum.column)))
    row: dict[str, object] = {
        "jaar": peildatum.year if peildatum else None,
        "peildatum": peildatum,
        "soort": soort,
        "code": code,
    }
    for measure in contract.measures:
        figures = [(c, cell(c)) for c in columns[measure.name] if cell(c) not in missing]
        if len({v for _, v in figures}) > 1:
            problems.append((measure.name, "two year tables disagree", "; ".join(f"{c}={v}" for c, v in figures)))
            continue
        row[measure.name] = None
        if figures:
            try:
                row[measure.name] = parse_number(figures[0][1], measure)
            except ValueError as exc:
                problems.append((measure.name, str(exc), figures[0][1]))
    return row, problems
