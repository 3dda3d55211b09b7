"""The independent disclosure check catches every way a hidden cell can be recovered, and passes what
`protect` publishes. Hand-made tables of a few cells, worked out in the docstrings; the helpers here are
shared with the suppression tests."""

from __future__ import annotations

import polars as pl

from pipelines.indicators.trends import indicator_trends
from pipelines.lib.settings import DisclosureRules
from pipelines.protect.disclosure_check import CheckReport, check_publication
from pipelines.protect.suppression import protect

YEAR = "2024/2025"
GM = "GM0034"
RULES = DisclosureRules()
FACTOR = {"aantal": 1.0, "bedrag": 1.0, "percentage": 100.0, "per_1000": 1000.0, "per_100": 100.0}


def cell(
    niveau: str,
    code: str,
    indicator: str,
    teller: float,
    noemer: float | None = None,
    *,
    soort: str = "aantal",
    dimensie: str | None = None,
    categorie: str | None = None,
    jaar: str = YEAR,
    personen: int | None = None,
    max_persoon: float | None = None,
) -> dict[str, object]:
    """One indicator cell with its true values; a count's basis is its teller unless `personen` says otherwise."""
    factor = FACTOR[soort]
    return {
        "schooljaar": jaar,
        "niveau": niveau,
        "eenheid_code": code,
        "indicator": indicator,
        "dimensie": dimensie,
        "categorie": categorie,
        "teller": float(teller),
        "noemer": None if noemer is None else float(noemer),
        "waarde": float(teller) if noemer is None else (teller / noemer * factor if noemer else None),
        "soort": soort,
        "factor": factor,
        "basis_personen": int(teller) if personen is None else personen,
        "max_persoon_kosten": max_persoon,
        "eenheid_naam": code,
        "indicator_naam": indicator,
        "eenheid": soort,
        "gemeente_waarde": None,
    }


SCHEMA = {
    "schooljaar": pl.String,
    "niveau": pl.String,
    "eenheid_code": pl.String,
    "indicator": pl.String,
    "dimensie": pl.String,
    "categorie": pl.String,
    "teller": pl.Float64,
    "noemer": pl.Float64,
    "waarde": pl.Float64,
    "soort": pl.String,
    "factor": pl.Float64,
    "basis_personen": pl.Int64,
    "max_persoon_kosten": pl.Float64,
    "eenheid_naam": pl.String,
    "indicator_naam": pl.String,
    "eenheid": pl.String,
    "gemeente_waarde": pl.Float64,
}


def table(cells: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(cells, schema=SCHEMA)


def g1(schools: dict[str, int], jaar: str = YEAR) -> list[dict[str, object]]:
    """G1 for the gemeente (the sum) and its schools."""
    return [cell("gemeente", GM, "G1", sum(schools.values()), jaar=jaar)] + [
        cell("school", code, "G1", n, jaar=jaar) for code, n in schools.items()
    ]


def hide(frame: pl.DataFrame, hidden: pl.Expr) -> pl.DataFrame:
    """A naive publication: exactly the cells of `hidden` suppressed, nothing else."""
    return frame.with_columns(
        onderdrukt=hidden,
        reden=pl.when(hidden).then(pl.lit("primair")),
        teller=pl.when(hidden).then(None).otherwise(pl.col("teller")),
        noemer=pl.when(hidden).then(None).otherwise(pl.col("noemer")),
        waarde=pl.when(hidden).then(None).otherwise(pl.col("waarde")),
    )


def check(published: pl.DataFrame, truth: pl.DataFrame, rules: DisclosureRules = RULES, **kw: object) -> CheckReport:
    return check_publication(published, truth, rules, **kw)  # type: ignore[arg-type]


def reasons(published: pl.DataFrame) -> dict[tuple[object, ...], str | None]:
    return {
        (r["eenheid_code"], r["indicator"], r["categorie"]): r["reden"]
        for r in published.iter_rows(named=True)
        if r["schooljaar"] == YEAR
    }


def test_a_lone_suppressed_school_is_recovered_from_the_gemeente_total() -> None:
    """Schools 3, 40, 25, 60; gemeente 128. Hiding only the 3 leaves it as 128 - 40 - 25 - 60: caught
    (its interval is [3, 3]).
    Protected, the smallest other school (25) is hidden too: 28 split over two schools, passes."""
    truth = table(g1({"AA00": 3, "BB00": 40, "CC00": 25, "DD00": 60}))
    leaky = check(hide(truth, pl.col("teller") < 10), truth)
    assert any("hidden count narrowed" in v and "[3, 3]" in v for v in leaky.violations), leaky.violations
    protected = protect(truth, RULES)
    assert reasons(protected)[("CC00", "G1", None)] == "secundair"
    report = check(protected, truth)
    assert report.passed, report.violations


def test_a_lone_suppressed_category_is_recovered_from_its_dimension_total() -> None:
    """B1 at one gemeente: verwijzer 01: 3, 02: 30, 03: 25 of 58 new trajectories (the noemer every row shows,
    and B2's teller). Hiding only 01 leaves 58 - 30 - 25 = 3: caught. Protected, 03 (25) goes too."""
    truth = table(
        [cell("gemeente", GM, "B2", 58, 1000, soort="per_1000")]
        + [
            cell("gemeente", GM, "B1", n, 58, soort="percentage", dimensie="verwijzer", categorie=c)
            for c, n in (("01", 3), ("02", 30), ("03", 25))
        ]
    )
    leaky = check(hide(truth, pl.col("teller") < 10), truth)
    assert any("hidden count narrowed" in v and "[3, 3]" in v for v in leaky.violations), leaky.violations
    protected = protect(truth, RULES)
    assert reasons(protected) == {
        (GM, "B2", None): None,
        (GM, "B1", "01"): "primair",
        (GM, "B1", "02"): None,
        (GM, "B1", "03"): "secundair",
    }
    assert check(protected, truth).passed


def test_a_value_is_recovered_across_years_from_a_published_change() -> None:
    """School AA00: 8 pupils in 2023/24 (suppressed), 12 in 2024/25. A change of +4 shown for 2024/25 gives
    12 - 4 = 8: caught. The trends made from the protected table show no change there: passes."""
    truth = table([cell("school", "AA00", "G1", 8, jaar="2023/2024"), cell("school", "AA00", "G1", 12)])
    protected = protect(truth, RULES)
    unprotected_trends = indicator_trends(hide(truth, pl.lit(False)))
    leaky = check(protected, truth, changes=unprotected_trends)
    assert any("change shown next to a suppressed year" in v for v in leaky.violations), leaky.violations
    report = check(protected, truth, changes=indicator_trends(protected))
    assert report.passed, report.violations
    assert any("across years" in t for t in report.tried)


def test_hidden_siblings_that_must_be_zero_are_caught() -> None:
    """Schools 0, 0, 40, 60; gemeente 100. The two empty schools hidden, the others shown: 100 - 40 - 60 = 0,
    and counts are never negative, so both hidden schools are 0. Caught (two unknowns do not protect here).
    Protected, the smaller shown school (40) is hidden as well: passes."""
    truth = table(g1({"AA00": 0, "BB00": 0, "CC00": 40, "DD00": 60}))
    leaky = check(hide(truth, pl.col("teller") < 10), truth)
    assert any("hidden count narrowed" in v and "[0, 0]" in v for v in leaky.violations), leaky.violations
    assert any("below the margin" in v for v in leaky.violations)
    protected = protect(truth, RULES)
    assert reasons(protected)[("CC00", "G1", None)] == "secundair"
    assert check(protected, truth).passed


def test_a_single_category_hidden_with_its_total_is_not_recoverable() -> None:
    """C5 with one productcategorie at a gemeente: C1 rests on 4 persons, so C1 and the category are both
    suppressed. The category equals C1, but neither is known: nothing to recover (the old check flagged it)."""
    truth = table(
        [
            cell("gemeente", GM, "C1", 5000, soort="bedrag", personen=4, max_persoon=2000),
            cell(
                "gemeente",
                GM,
                "C5",
                5000,
                5000,
                soort="bedrag",
                dimensie="productcategorie",
                categorie="45",
                personen=4,
                max_persoon=2000,
            ),
        ]
    )
    protected = protect(truth, RULES)
    assert protected.get_column("onderdrukt").all()
    report = check(protected, truth)
    assert report.passed, report.violations


def test_a_published_cell_showing_a_hidden_total_as_its_noemer_is_caught() -> None:
    """C1 = 90 000 euro on 30 persons, one of whom costs 60 000 (67 % > 50 %: dominance). Category 45 has
    30 000 euro on 25 persons and would pass its own rules, but shows C1 as its noemer."""
    truth = table(
        [
            cell("gemeente", GM, "C1", 90_000, soort="bedrag", personen=30, max_persoon=60_000),
            cell(
                "gemeente",
                GM,
                "C5",
                30_000,
                90_000,
                soort="bedrag",
                dimensie="productcategorie",
                categorie="45",
                personen=25,
                max_persoon=3_000,
            ),
            cell(
                "gemeente",
                GM,
                "C5",
                60_000,
                90_000,
                soort="bedrag",
                dimensie="productcategorie",
                categorie="46",
                personen=5,
                max_persoon=60_000,
            ),
        ]
    )
    leaky = check(hide(truth, (pl.col("indicator") == "C1") | (pl.col("categorie") == "46")), truth)
    assert any("shown elsewhere" in v for v in leaky.violations), leaky.violations
    protected = protect(truth, RULES)
    assert reasons(protected) == {
        (GM, "C1", None): "primair",
        (GM, "C5", "45"): "secundair",
        (GM, "C5", "46"): "primair",
    }
    assert check(protected, truth).passed


def test_a_published_cell_below_a_threshold_is_caught() -> None:
    truth = table(g1({"AA00": 3, "BB00": 40}))
    report = check(hide(truth, pl.lit(False)), truth)
    assert any("breaks a primary rule" in v for v in report.violations)


def test_a_suppressed_cell_that_shows_its_value_is_caught() -> None:
    truth = table(g1({"AA00": 30, "BB00": 40}))
    shown_anyway = hide(truth, pl.lit(False)).with_columns(onderdrukt=pl.col("eenheid_code") == "AA00")
    assert any("suppressed cell shows a number" in v for v in check(shown_anyway, truth).violations)


def test_rounded_counts_pass_and_an_unrounded_value_next_to_them_is_caught() -> None:
    """Rounding to 5: A1 at the gemeente 23 of 212 → 25 of 210, value 25 / 210 x 100 = 11.90 %. Leaving the
    true value 10.85 % next to the rounded numbers would give the true teller back: caught."""
    rules = DisclosureRules(round_to=5)
    truth = table([cell("gemeente", GM, "G1", 212), cell("gemeente", GM, "A1", 23, 212, soort="percentage")])
    protected = protect(truth, rules)
    a1 = protected.filter(pl.col("indicator") == "A1").row(0, named=True)
    assert (a1["teller"], a1["noemer"]) == (25.0, 210.0)
    assert abs(a1["waarde"] - 25 / 210 * 100) < 1e-9
    assert check(protected, truth, rules).passed
    unrounded_value = protected.with_columns(
        waarde=pl.when(pl.col("indicator") == "A1").then(23 / 212 * 100).otherwise("waarde")
    )
    assert any("waarde does not follow" in v for v in check(unrounded_value, truth, rules).violations)


def test_the_report_lists_what_was_tried() -> None:
    truth = table(g1({"AA00": 30, "BB00": 40}))
    report = check(protect(truth, RULES), truth, changes=indicator_trends(protect(truth, RULES)))
    assert report.passed
    assert len(report.tried) == 12
    assert any("sums" in t for t in report.tried) and any("more than one value" in t for t in report.tried)
    assert any("min and max over every solution" in t for t in report.tried)


def test_two_hidden_schools_each_at_most_9_whose_total_is_17_are_each_narrowed_to_8_or_9() -> None:
    """Issue 17: schools 8, 9, 50, 60 with only the 8 and 9 hidden. Their labels ('< 10') say each is at most 9,
    the gemeente says they hold 17: each is 8 or 9, and a reader learns that both schools have pupils in it.
    `protect` hides a third school (the 50), which leaves each of the three a wide interval."""
    truth = table(g1({"AA00": 8, "BB00": 9, "CC00": 50, "DD00": 60}))
    report = check(hide(truth, pl.col("teller") < 10), truth)
    narrowed = [v for v in report.violations if v.startswith("hidden count narrowed")]
    assert len(narrowed) == 2 and all("[8, 9]" in v for v in narrowed), report.violations
    protected = protect(truth, RULES)
    assert check(protected, truth).passed
    assert reasons(protected)[("CC00", "G1", None)] == "secundair"


def test_a_secondary_label_is_a_lower_bound_the_check_uses() -> None:
    """Schools 2, 11, 60 → 73, the 2 primary and the 11 secondary: the 11 passed the count rule, so a reader knows it
    is at least 10, so the 2 lies in [1, 3] (a row: at least one pupil) and the 11 in [10, 12]: both too narrow."""
    truth = table(g1({"AA00": 2, "BB00": 11, "CC00": 60}))
    naive = hide(truth, pl.col("eenheid_code").is_in(["AA00", "BB00"])).with_columns(
        reden=pl.when(pl.col("eenheid_code") == "BB00").then(pl.lit("secundair")).otherwise("reden")
    )
    narrowed = [v for v in check(naive, truth).violations if v.startswith("hidden count narrowed")]
    assert len(narrowed) == 2 and "'AA00', 'leerlingen', '[1, 3]'" in narrowed[0], narrowed
    assert "'BB00', 'leerlingen', '[10, 12]'" in narrowed[1], narrowed
