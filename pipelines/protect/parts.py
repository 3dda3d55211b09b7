"""The parts of a table of many gemeenten that are protected apart, so that protection scales with the gemeenten.

Two units are in one part when a published relation ties them: a unit and its parents (`structure.parent_links`:
wijk -> gemeente, school -> samenwerkingsverband, gemeente -> jeugdregio -> nederland, ...). Every relation a reader
can use lies within one unit or between a unit and its parent, so nothing ties two parts: each part is protected,
and checked, as a table of its own (HiTaS-like, without fixing any cell from outside). A run of one gemeente is one
part; a region is one part per jeugdregio it holds completely, per samenwerkingsverband and per other gemeente; a
national run is one part (the country ties everything) — see docs/levels.md.

Within a part every unit must have its own code: each gemeente has a wijk ONBEKEND, which `distinct_units` codes
as ONBEKEND|<gemeente> while the part is protected and `published_units` codes back.
"""

from __future__ import annotations

import polars as pl

from pipelines.protect import structure as st

PART = "_deel"
UNKNOWN_WIJK = "ONBEKEND"


def distinct_units(frame: pl.DataFrame) -> pl.DataFrame:
    """Every unit with its own code: wijk ONBEKEND as ONBEKEND|<gemeente_code>."""
    unknown = (pl.col("niveau") == "wijk") & (pl.col("eenheid_code") == UNKNOWN_WIJK)
    code = pl.when(unknown).then(pl.concat_str(pl.col("eenheid_code"), pl.col("gemeente_code"), separator="|"))
    return frame.with_columns(eenheid_code=code.otherwise(pl.col("eenheid_code")))


def published_units(frame: pl.DataFrame) -> pl.DataFrame:
    """The published codes back (`distinct_units` undone)."""
    return frame.with_columns(eenheid_code=pl.col("eenheid_code").str.replace(r"\|.*$", ""))


def part_of_units(frame: pl.DataFrame) -> pl.DataFrame:
    """(niveau, eenheid_code, _deel) of every unit of a table with distinct unit codes: its part, numbered in the
    order of the units' first rows."""
    units = frame.select("niveau", "eenheid_code").unique(maintain_order=True)
    index = {unit: i for i, unit in enumerate(units.rows())}
    root = list(range(len(index)))

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    for _, niveau, code, parent_niveau, parent_code, _ in st.parent_links(frame).rows():
        child, parent = index.get((niveau, code)), index.get((parent_niveau, parent_code))
        if child is not None and parent is not None:
            a, b = find(child), find(parent)
            root[max(a, b)] = min(a, b)
    numbers: dict[int, int] = {}
    parts = [numbers.setdefault(find(i), len(numbers)) for i in range(len(index))]
    return units.with_columns(pl.Series(PART, parts, dtype=pl.Int64))


def with_parts(frame: pl.DataFrame) -> pl.DataFrame:
    """The table with its part per row (`PART`)."""
    return frame.join(part_of_units(frame), on=["niveau", "eenheid_code"], how="left", maintain_order="left")
