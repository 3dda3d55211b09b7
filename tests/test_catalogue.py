"""The indicator catalogue: one definition source (sql/catalogue.yaml) that the SQL, the published table
and the generated documents agree with."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.indicators.catalogue import (
    CATALOGUE_FILES,
    _indicator,
    load_indicators,
    sql_definition,
    to_html,
    to_markdown,
    write_catalogue,
)
from pipelines.lib.settings import PROJECT_ROOT, SQL_DIR
from pipelines.lib.warehouse import load_catalogue
from tests.indicator_fixtures import (
    S1,
    S2,
    W1,
    absence,
    build_warehouse,
    declaration,
    diploma,
    pupil,
    residence,
    trajectory,
)

SPEC_IDS = ["G1", "A1", "A2", "A3", "A4", "A6", "A11", "B1", "B2", "C1", "C2", "C3", "C4", "C5"]
SPEC_IDS += ["D1", "E1", "E2", "F2", "F4", "L1"]
SPEC_IDS += ["U1", "U2", "U3", "U4", "U5", "U6"]  # outcomes after youth care (issue 20)


@pytest.fixture(scope="module")
def every_indicator() -> duckdb.DuckDBPyConnection:
    """A few persons that give every indicator at least one row on every level it has."""
    return build_warehouse(
        pupil("P1", S1, "BAO", wijk=W1),
        pupil("P2", S2, "HAVO", born="2007-01", wijk=W1, end="2023-07-15"),
        pupil("P3", S2, "HAVO", born="2007-01", wijk=W1),
        residence("P4", W1, born="2012-01"),
        trajectory("T1", "P1", "45", "2022-09-01", code="45D01"),
        trajectory("T2", "P4", "45", "2022-09-01"),
        declaration("T1", "P1", "2022-09-01", "100.00"),
        absence("P3", "RELATIEF", "2022-11-01", None, S2),
        diploma("P2", "HAVO", "2023-06-30"),
        pupil("P5", S1, "BAO", wijk=W1, end="2025-07-31"),  # a third school year: U2 and U5 look two years ahead
        trajectory("T5", "P5", "45", "2022-09-01"),
    )


def test_the_catalogue_defines_exactly_the_indicators_of_the_spec() -> None:
    assert [i.id for i in load_indicators()] == SPEC_IDS


def test_every_indicator_the_sql_produces_is_in_the_catalogue_with_its_levels(
    every_indicator: duckdb.DuckDBPyConnection,
) -> None:
    """A11 only for wijk and gemeente, L1 only for the gemeente, all others at the school, wijk and gemeente levels
    and the samenwerkingsverband above the schools (this one-gemeente inbox holds all of Almere's PO2401 and
    VO2401); jeugdregio and nederland need more gemeenten (tests/test_levels.py)."""
    produced = every_indicator.execute("SELECT indicator, list(DISTINCT niveau) FROM indicators GROUP BY 1").fetchall()
    levels = {ind: sorted(lv) for ind, lv in produced}
    above = {"jeugdregio", "nederland"}
    assert levels == {i.id: sorted(set(i.niveaus) - above) for i in load_indicators()}
    assert levels["A11"] == ["gemeente", "wijk"]
    assert levels["L1"] == ["gemeente"]


def test_dimensions_and_their_categories_match_the_sql(every_indicator: duckdb.DuckDBPyConnection) -> None:
    produced = every_indicator.execute(
        "SELECT indicator, any_value(dimensie), list(DISTINCT categorie ORDER BY categorie) FROM indicators "
        "WHERE dimensie IS NOT NULL GROUP BY 1"
    ).fetchall()
    by_id = {i.id: i for i in load_indicators()}
    assert {r[0] for r in produced} == {i.id for i in by_id.values() if i.dimensie}
    for indicator, dimension, categories in produced:
        assert by_id[indicator].dimensie == dimension
        listed = by_id[indicator].categorieen
        if listed is not None:
            assert sorted(listed) == categories, indicator


def test_names_units_and_values_in_the_indicator_table_follow_the_catalogue(
    every_indicator: duckdb.DuckDBPyConnection,
) -> None:
    """waarde = teller without a noemer (G1, C1), else teller / noemer x factor; names and units as listed."""
    table = every_indicator.sql("SELECT * FROM indicators").pl()
    for i in load_indicators():
        rows = table.filter(pl.col("indicator") == i.id)
        assert set(rows.get_column("indicator_naam")) == {i.naam_nl}
        assert set(rows.get_column("eenheid")) == {i.eenheid}
        assert set(rows.get_column("soort")) == {i.soort}
        assert rows.get_column("noemer").is_null().all() == (i.noemer is None), i.id
        expected = rows.select(
            pl.when(pl.col("noemer").is_null())
            .then(pl.col("teller"))
            .when(pl.col("noemer") != 0)
            .then(pl.col("teller") / pl.col("noemer") * i.factor)
        ).to_series()
        error = (rows.get_column("waarde") - expected).abs().fill_null(0).max()
        assert isinstance(error, int | float) and error < 1e-9, i.id
        assert rows.get_column("waarde").is_null().sum() == expected.is_null().sum(), i.id


def test_each_indicator_is_defined_in_plain_words_in_its_family_sql_file() -> None:
    """The family file named in the catalogue opens with a comment block naming the indicator, with a Dutch
    and an English definition, and its SQL produces that indicator."""
    for i in load_indicators():
        text = (PROJECT_ROOT / i.sql_file).read_text(encoding="utf-8")
        header = "\n".join(line for line in text.splitlines() if line.startswith("--"))
        assert re.search(rf"^-- {i.id} ", header, re.MULTILINE), i.id
        block = header.split(f"-- {i.id} ", 1)[1]
        assert "-- NL:" in block and "-- EN:" in block, i.id
        assert f"'{i.id}'" in text, i.id


CODE_NOTATION = re.compile(r">=|<=|<>|!=|\b(jaar|year) y\b|\by ?[+-] ?1\b|configurati|RELATIEF|ABSOLUUT")


def test_the_catalogue_speaks_plain_language_to_its_readers() -> None:
    """What the dashboard, the downloads and the catalogue documents show a reader (names, definitions, teller,
    noemer, choices) is written without code notation: 'minstens één', not '>= 1'; 'het schooljaar', not
    'jaar y'; no 'uit de configuratie'. The dashboard shows these texts as they are (no rewriting)."""
    for entry in load_catalogue():
        texts = [entry[k] or "" for k in ("naam_nl", "naam_en", "definitie_nl", "definitie_en", "teller", "noemer")]
        texts += [*entry["keuzes_nl"], *entry["keuzes_en"]]
        found = [(text, m.group(0)) for text in texts if (m := CODE_NOTATION.search(text))]
        assert not found, (entry["id"], found)


def test_shared_rules_are_read_from_the_sql_comment_blocks() -> None:
    assert sql_definition("trajectory_years", "NL").startswith("Actief in jaar y als start <= 31 juli t+1")
    assert sql_definition("trajectory_years", "EN").startswith("Active in year y if start <= 31 July t+1")
    assert "peildatum" in sql_definition("pupil_years", "NL")


def test_a_broken_catalogue_entry_is_refused() -> None:
    entry = dict(load_catalogue()[0])
    with pytest.raises(ValueError, match="unknown soort"):
        _indicator({**entry, "soort": "procent"})
    with pytest.raises(ValueError, match="fields"):
        _indicator({**entry, "eenhied": "%"})


def test_catalogue_files_are_written_in_four_forms(tmp_path: Path) -> None:
    written = write_catalogue(tmp_path)
    assert [p.name for p in written] == list(CATALOGUE_FILES)
    table = pl.read_parquet(tmp_path / "indicatorcatalogus.parquet")
    assert table.get_column("indicator").to_list() == SPEC_IDS
    required = {"naam_nl", "naam_en", "definitie_nl", "definitie_en", "teller", "noemer", "eenheid", "niveaus"}
    assert required | {"bronnen", "keuzes_nl"} <= set(table.columns)
    entries = json.loads((tmp_path / "indicatorcatalogus.json").read_text(encoding="utf-8"))
    assert [e["indicator"] for e in entries] == SPEC_IDS
    assert entries[SPEC_IDS.index("F4")]["keuzes_nl"], "choices are part of the catalogue"


def test_the_html_catalogue_works_offline() -> None:
    page = to_html(load_indicators())
    assert "<script" not in page
    assert not re.search(r"(src|href)=['\"]?https?://", page)
    for indicator in SPEC_IDS:
        assert f"id='{indicator}'" in page
    assert "&lt;= 31 juli" in page, "text is escaped"


def test_the_documents_in_docs_are_up_to_date() -> None:
    """docs/ holds the generated catalogue; regenerate with `python -m pipelines.indicators.catalogue docs`."""
    indicators = load_indicators()
    docs = PROJECT_ROOT / "docs"
    assert (docs / "indicatorcatalogus.md").read_text(encoding="utf-8") == to_markdown(indicators)
    assert (docs / "indicatorcatalogus.html").read_text(encoding="utf-8") == to_html(indicators)


def test_every_family_file_in_sql_indicators_is_used_by_the_catalogue() -> None:
    files = {p.stem for p in (SQL_DIR / "indicators").glob("ind_*.sql")}
    assert files == {i.sql for i in load_indicators()}
