"""The schools' public attributes, published as `scholen.parquet`: name, sector, wijk, samenwerkingsverbanden.

Why a table of its own and why it needs no suppression: every column is a fact about a school location that is
public (DUO's register, the CBS address table, the Regeling regio-indeling) or, for the sector, the type of
education of most of its pupil-years, which a school's own name and DUO's files already say. It holds no count.
What it must not do is tell something the protected indicator table does not: that a school has pupils at all.
So it lists exactly the schools that have a row in the protected table, under the same name, and the check
below (blocking, like the indicators' disclosure check) refuses any other column, school or name.
"""

from __future__ import annotations

import polars as pl

SCHOOLS_FILE = "scholen.parquet"
SECTORS = ("PO", "SBO", "SO", "VO", "MBO")
COLUMNS = ("eenheid_code", "eenheid_naam", "sector", "wijk_code", "wijk_naam", "po_swv", "vo_swv", "swv_herkomst")


def _published_schools(protected: pl.DataFrame) -> pl.DataFrame:
    return (
        protected.filter(pl.col("niveau") == "school")
        .select("eenheid_code", "eenheid_naam")
        .unique("eenheid_code", keep="first")
    )


def public_school_attributes(schools: pl.DataFrame, protected: pl.DataFrame) -> pl.DataFrame:
    """The `schools` table (sql/link/schools.sql) for exactly the schools of the protected indicator table, with
    their published names. A school without attributes (not in the pupil data) gets a row of nulls."""
    attributes = schools.rename({"vestiging": "eenheid_code"}).drop("school_naam")
    return (
        _published_schools(protected)
        .join(attributes, on="eenheid_code", how="left")
        .select(COLUMNS)
        .with_columns(pl.col(c).cast(pl.String) for c in COLUMNS)
        .sort("eenheid_code")
    )


def school_attribute_violations(published: pl.DataFrame, protected: pl.DataFrame) -> list[str]:
    """What in the published school table goes beyond the protected indicator table (empty: nothing)."""
    problems: list[str] = []
    if tuple(published.columns) != COLUMNS:
        problems.append(f"columns {published.columns} are not exactly {list(COLUMNS)}")
        return problems
    known = dict(_published_schools(protected).iter_rows())
    codes = published.get_column("eenheid_code").to_list()
    if len(codes) != len(set(codes)):
        problems.append("a school is listed twice")
    problems += [f"{c}: not a school of the protected table" for c in codes if c not in known]
    problems += [f"{c}: missing" for c in known if c not in set(codes)]
    for code, name, sector in published.select("eenheid_code", "eenheid_naam", "sector").iter_rows():
        if code in known and name != known[code]:
            problems.append(f"{code}: name {name!r} is not the published {known[code]!r}")
        if sector is not None and sector not in SECTORS:
            problems.append(f"{code}: sector {sector!r} is not one of {', '.join(SECTORS)}")
    return problems
