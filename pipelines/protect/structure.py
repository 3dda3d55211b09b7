"""What the published numbers are to someone who wants to recover a suppressed one: the facts of the tables.

Disclosure control is only as good as its model of what a reader can combine. Both the suppression
(`secondary`) and the independent check (`disclosure_check`) read these facts; each builds its own
relations from them, so a bug in one builder is caught by the other.

Quantities. A published cell shows a teller and (for ratios) a noemer. Several cells of one unit and year show
the same number: every rate on pupils has G1's teller as its noemer, A6 and B2 count the same new trajectories
(B1's noemer), C2-C4 divide C1 and C5's noemer is C1. Such a number is one *quantity*: it is known as soon as
any published cell shows it, so hiding it means hiding every cell that shows it.

Relations a reader may use (all hold on the data; the check verifies them on the true values):
- Levels: a unit's quantities add up, with those of the other units of its level, to the parent unit's
  (`parent_links`): the table's `ouders` (sql/link/units.sql: wijk -> gemeente, school -> samenwerkingsverband,
  gemeente -> jeugdregio -> nederland, school -> gemeente where no pupil crosses its border, school -> nederland
  in a national run); a table without `ouders` is one gemeente whose schools and wijken each add up to it.
  Exception: F4 at school level counts only RELATIEF cases by the case's school, so the schools add up to at
  most the gemeente or country, and a samenwerkingsverband's F4 lies between its largest school and the sum of
  its schools (a pupil with cases at two of its schools counts once) (`PARTIAL_LEVELS`).
- Dimensions: additive ones (verwijzer, productcategorie, situatie) add up to their total, which is the noemer
  every category row shows; a split (`SPLIT_OF`: U3 splits E1 by youth-care use) adds up, teller and noemer,
  to the indicator it splits. A2 vorm is not additive: a pupil with trajectories of two forms counts in both; its
  categories are each at most A1's teller and together at least A1's teller (`Dimension.total`). A dimension
  not listed here (the linkage table's age bands) is taken as additive with a total published elsewhere
  (conservative: the reader is assumed to know it), as long as that total passes the count rule itself.
- Bounds: a count is never negative and a percentage's teller is at most its noemer.
- Exact arithmetic: relations are solved on integers, counts as they are and euro amounts in cents
  (`in_units`). Summed in binary floating point, school amounts in euro miss the gemeente's by 1e-9; an LP
  that scales its right-hand side (HiGHS presolve, in `intervals`) turns such noise into a
  proof that no solution exists (issue 17: `protect-infeasible-c5.parquet`, C5 of one school year).
- What a hidden cell's label tells (`reden` is published, spec §4): a count ('aantal') hidden by a primary
  rule holds at most min_teller - 1 (where that is true: a count hidden for its persons has no such bound);
  a count or rate hidden by a secondary rule passed the count rule, so its teller is at least min_teller.
  `reason_bounds` states it once; both builders read it.
- Per hidden member of a published sum, that one relation already confines it to `member_intervals`; the
  guarantee asks each such interval to be at least the protection margin wide and, for a count whose true
  value is below min_teller, to contain 0 (a reader must not learn "at least one child").
- Across years: the only published figure that ties two years is the change of one cell (trends.parquet,
  the dashboard), shown only when both years are published; the check verifies exactly that.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

TELLER, NOEMER = "teller", "noemer"
GEMEENTE = "gemeente"
UNIT_LEVELS = ("school", "wijk")

PUPILS = "leerlingen"
NEW_TRAJECTORIES = "nieuwe_jeugdhulptrajecten"
COSTS = "kosten"
YOUTH_CARE_STARTERS = "starters_jeugdhulp"
SHARED_QUANTITIES: dict[tuple[str, str], str] = {
    ("G1", TELLER): PUPILS,
    **{(indicator, NOEMER): PUPILS for indicator in ("A1", "A2", "A3", "A4", "A6", "B2", "C2", "F2", "F4")},
    ("A6", TELLER): NEW_TRAJECTORIES,
    ("B2", TELLER): NEW_TRAJECTORIES,
    ("B1", NOEMER): NEW_TRAJECTORIES,
    **{(indicator, TELLER): COSTS for indicator in ("C1", "C2", "C3", "C4")},
    ("C5", NOEMER): COSTS,
    ("U1", NOEMER): YOUTH_CARE_STARTERS,  # U1 and U2 follow the same starters of youth care
    ("U2", NOEMER): YOUTH_CARE_STARTERS,
    ("U6", NOEMER): f"F4|{TELLER}",  # U6 divides the gemeente's thuiszitters: F4's own teller
}
# Indicators whose noemer is an amount in euro (C5: share of C1).
COST_NOEMERS = frozenset(ind for (ind, field), name in SHARED_QUANTITIES.items() if field == NOEMER and name == COSTS)

# (indicator, child level) -> parent level -> how the children relate to the parent when not exactly:
# "at_most" (sum of children <= parent) or "cover" (each child <= parent <= sum of children).
PARTIAL_LEVELS: dict[tuple[str, str], dict[str, str]] = {
    ("F4", "school"): {"gemeente": "at_most", "samenwerkingsverband": "cover"},
    ("F4", "scholen"): {"nederland": "at_most"},  # the country's samenwerkingsverbanden and other schools
}
PARENT_COLUMNS = ("schooljaar", "niveau", "eenheid_code", "ouder_niveau", "ouder_code", "relatie")
# The levels from the top down: a unit's parents are on a higher level (`parent_links`).
LEVEL_DEPTH = ("nederland", "jeugdregio", "samenwerkingsverband", "gemeente", "school", "wijk")


def partial_relation(indicator: str, relatie: str, parent_niveau: str) -> str | None:
    """How the children of a relation (`parent_links`: by default one level) relate to a parent of
    `parent_niveau` for this indicator: None = an exact sum."""
    return PARTIAL_LEVELS.get((indicator, relatie), {}).get(parent_niveau)


def parent_links(frame: pl.DataFrame) -> pl.DataFrame:
    """Per unit and year its parent units (`PARENT_COLUMNS`), from the table's `ouders` ("niveau|code", or
    "niveau|code|relatie" when children of several levels make up one sum: the country = the samenwerkingsverbanden
    and the schools without one). `relatie`: the children that add up to the parent together, by default those of
    the child's own level.

    Without `ouders` (a table of one gemeente, as tests and older warehouses hold): every school and wijk has the
    year's one gemeente unit as parent."""
    units = frame.select("schooljaar", "niveau", "eenheid_code", *(["ouders"] if "ouders" in frame.columns else []))
    units = units.unique(subset=["schooljaar", "niveau", "eenheid_code"], keep="first", maintain_order=True)
    if "ouders" in units.columns:
        links = units.explode("ouders").drop_nulls("ouders")
        parts = pl.col("ouders").str.split_exact("|", 2)
        return links.select(
            "schooljaar",
            "niveau",
            "eenheid_code",
            parts.struct.field("field_0").alias("ouder_niveau"),
            parts.struct.field("field_1").alias("ouder_code"),
            pl.coalesce(parts.struct.field("field_2"), pl.col("niveau")).alias("relatie"),
        )
    gemeenten = units.filter(pl.col("niveau") == GEMEENTE).select(
        "schooljaar", pl.lit(GEMEENTE).alias("ouder_niveau"), pl.col("eenheid_code").alias("ouder_code")
    )
    return (
        units.filter(pl.col("niveau").is_in(UNIT_LEVELS))
        .join(gemeenten, on="schooljaar")
        .with_columns(relatie=pl.col("niveau"))
        .select(PARENT_COLUMNS)
    )


BOUNDED_BY_NOEMER = frozenset({"percentage"})


@dataclass(frozen=True)
class Dimension:
    """How the categories of a dimension relate to a total.

    additive: the categories add up to the total. total: "noemer" (the noemer every category row shows),
    an (indicator, field) of the same unit, or None (not in the table: published elsewhere).
    """

    additive: bool
    total: str | tuple[str, str] | None


DIMENSIONS = {
    "vorm": Dimension(additive=False, total=("A1", TELLER)),
    "verwijzer": Dimension(additive=True, total=NOEMER),
    "productcategorie": Dimension(additive=True, total=NOEMER),
    "situatie": Dimension(additive=True, total=NOEMER),
    # U4: thuiszitters a year later among pupils with and without youth care: two groups whose total is published
    # nowhere, so no relation (an external total, known to the reader, would pin a hidden group it is not).
    "jeugdhulp": Dimension(additive=False, total=None),
}
# Indicators whose categories split another indicator of the same unit: their tellers add up to its teller and
# their noemers to its noemer (U3: E1 with and without youth care), whatever their dimension says otherwise.
SPLIT_OF = {"U3": "E1"}
UNLISTED_DIMENSION = Dimension(additive=True, total=None)


def dimension(name: str) -> Dimension:
    return DIMENSIONS.get(name, UNLISTED_DIMENSION)


def quantity_name(indicator: str, dimensie: str | None, categorie: str | None, field: str) -> str:
    """The name of the number a cell shows as its teller or noemer (shared names for shared numbers)."""
    shared = SHARED_QUANTITIES.get((indicator, field))
    if shared is not None:
        return shared
    if dimensie is None:
        return f"{indicator}|{field}"
    return f"{indicator}|{dimensie}|{categorie}|{field}"


def external_total_name(indicator: str, dimensie: str, field: str) -> str:
    """The total of an unlisted dimension, published outside the table."""
    return f"{indicator}|{dimensie}|*|{field}"


CENTS = 100  # units per euro in the relations


def in_units(value: float, cost: bool) -> float:
    """A number as the relations hold it: an amount in whole cents, a count as it is (counts are whole).

    Integers below 2**53 add up exactly in float64, so a relation that holds on the data holds exactly."""
    return float(round(value * CENTS)) if cost else float(value)


def is_cost(name: str, field: str, soort: str) -> bool:
    """Euro amounts (protected by a relative margin): the teller of a cost figure, and C1 shown as C5's noemer.
    Every other quantity is a count (C2-C4 divide by pupils, persons or trajectories)."""
    return soort == "bedrag" and (field == TELLER or name == COSTS)


INF = float("inf")
RATE_KINDS = ("percentage", "per_1000", "per_100")
COUNTED_KINDS = frozenset({"aantal", *RATE_KINDS})


def reason_bounds(soort: str, primary: bool, value: float, min_teller: int) -> tuple[float, float]:
    """What a reader knows of a hidden cell's teller from its published reason: (lower, upper)."""
    if soort not in COUNTED_KINDS:
        return 0.0, INF
    if not primary:
        return float(min_teller), INF
    if soort == "aantal" and value <= min_teller - 1:
        return 0.0, float(min_teller - 1)
    return 0.0, INF


def member_intervals(residual: float, bounds: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The interval one exact sum leaves each hidden member: members with (lower, upper) adding up to
    `residual` (the total minus the published members). Exact for a single relation."""
    low_sum = sum(lo for lo, _ in bounds)
    unbounded = sum(1 for _, hi in bounds if hi == INF)
    finite_high = sum(hi for _, hi in bounds if hi != INF)
    out = []
    for lo, hi in bounds:
        others_unbounded = unbounded - (hi == INF)
        others_high = INF if others_unbounded else finite_high - (0.0 if hi == INF else hi)
        out.append((max(lo, residual - others_high), min(hi, residual - (low_sum - lo))))
    return out


def cover_intervals(need: float, total: float, bounds: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The interval a non-additive dimension leaves each hidden category: each at most the total, together at
    least `need` (the total minus the published categories; A2 vorm within A1)."""
    capped = [(lo, min(hi, total)) for lo, hi in bounds]
    high_sum = sum(hi for _, hi in capped)
    return [(max(lo, need - (high_sum - hi)), hi) for lo, hi in capped]
