"""The wijk context (issue 20): CBS kerncijfers read in their real layout, the expected-use model, the protected
wijkcontext table and its independent disclosure check.

The real-data tests read `../shared/reference/cbs/almere_kwb_2018_2025_raw.csv` (1,536 rows x 411 columns: the
KWB tables 2018-2025 side by side) and stand CBS's own youth-care counts per wijk in for A11: teller = CBS's
`JongerenMetJeugdzorgInNatura`, noemer = teller / `PercentageJongerenMetJeugdzorg` (the young residents CBS
divided by), the gemeente the sum of its wijken. Those cells go through the monitor's own protection
(`protect_for_publication`), so the model meets real suppression.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.context import model
from pipelines.context.kerncijfers import load_contract, parse_number, read_kerncijfers
from pipelines.context.wijkcontext import build_wijkcontext, indeling_years
from pipelines.lib.settings import MonitorConfig
from pipelines.protect.indicator_table import check_protected, protect_for_publication
from pipelines.protect.wijkcontext import check_wijkcontext, irls_poisson
from pseudonymisation.read_csv import FileRejected
from tests.reference_material import SHARED

RAW = SHARED / "reference" / "cbs" / "almere_kwb_2018_2025_raw.csv"
DEMO_COPY = Path(__file__).parents[1] / "dev" / "synthetic" / "data" / "kerncijfers_wijken_buurten.csv"
WIJKEN = Path(__file__).parents[1] / "dev" / "synthetic" / "data" / "wijken.csv"
CONTRACT = load_contract()
RULES = MonitorConfig.load().disclosure


def test_the_real_cbs_file_reads_into_one_typed_row_per_area_and_year() -> None:
    """1,536 rows: 1,220 buurten left out, 316 kept (8 gemeente rows, 6 wijken x 4 years of the old indeling,
    71 x 4 of the 2022 one), none quarantined. GM0034 on 1-1-2024: 226,500 inwoners, 7,400 young people with
    youth care, 11.7 % (written `117`, its separator lost), 43.6 thousand euro income (`436`); on 1-1-2021 income
    was written `36` (a whole 36.0, below the bound 100). Education comes from `OpleidingsniveauLaag_64` up to 2022
    and from its new name `BasisonderwijsVmboMbo1_70` in 2023: one measure."""
    read = read_kerncijfers(RAW)
    assert (read.rows_read, read.rows_other_regions, read.table.height, read.quarantine) == (1536, 1220, 316, [])
    table = read.table
    assert table.group_by("jaar", "soort").len().sort("jaar", "soort")["len"].to_list() == [1, 6] * 4 + [1, 71] * 4
    gm = {r["jaar"]: r for r in table.filter(pl.col("code") == "GM0034").iter_rows(named=True)}
    assert (gm[2024]["inwoners"], gm[2024]["jongeren_met_jeugdzorg"]) == (226500, 7400)
    assert (gm[2024]["pct_jongeren_met_jeugdzorg"], gm[2024]["inkomen_per_ontvanger"]) == (11.7, 43.6)
    assert gm[2021]["inkomen_per_ontvanger"] == 36.0
    assert gm[2025]["pct_jongeren_met_jeugdzorg"] is None, "CBS's '.' (padded) is missing, not zero"
    assert (gm[2022]["opleiding_laag"], gm[2023]["opleiding_laag"]) == (45430, 46120)
    assert set(table["code"].str.len_chars().unique()) == {6, 8}, "codes unpadded: GM0034, WK003401"
    assert read_kerncijfers(DEMO_COPY).table.equals(table), "the demo's copy is the real file, cut"


def test_a_figure_is_read_as_cbs_wrote_it_or_as_the_exporter_left_it() -> None:
    pct, income, count = (
        CONTRACT.measure(n) for n in ("pct_jongeren_met_jeugdzorg", "inkomen_per_ontvanger", "inwoners")
    )
    assert [parse_number(v, pct) for v in ("117", "8", "29", "30", "11.7", "11,7")] == [
        11.7,
        8.0,
        29.0,
        3.0,
        11.7,
        11.7,
    ]
    assert [parse_number(v, income) for v in ("436", "36", "1155")] == [43.6, 36.0, 115.5]
    assert parse_number("  1625", count) == 1625
    for bad, measure in (("x", pct), ("1.5", count), ("1e3", count)):
        with pytest.raises(ValueError):
            parse_number(bad, measure)


@given(st.integers(min_value=30, max_value=299))
def test_a_percentage_that_lost_its_separator_comes_back(tenths: int) -> None:
    """A true percentage p in [3, 30) with one decimal: the exporter wrote `p x 10` when its decimal was not 0
    and the whole `p` when it was (8.0 → `8`, 8.1 → `81`). Both read back as p."""
    pct = CONTRACT.measure("pct_jongeren_met_jeugdzorg")
    true = tenths / 10
    written = str(tenths // 10) if tenths % 10 == 0 else str(tenths)
    assert parse_number(written, pct) == pytest.approx(true)


def test_unreadable_rows_are_quarantined_with_line_and_reason_and_a_foreign_file_is_refused(tmp_path: Path) -> None:
    """Line 3: a wijk code that is none; line 4: two year tables with different figures for one measure; line 5:
    a figure that is no number. Line 2 is read; the buurt on line 6 is left out."""
    header = (
        "ID;Peildatum;SoortRegio_2;Codering_3;AantalInwoners_5;AantalInwoners_7;GemiddeldInkomenPerInkomensontvanger_68"
    )
    rows = [
        "1;1-1-2024;Gemeente  ;GM0034    ;226500;         .;436",
        "2;1-1-2024;Wijk      ;WK0034    ;100;.;.",
        "3;1-1-2024;Wijk      ;WK003401  ;100;105;.",
        "4;1-1-2024;Wijk      ;WK003402  ;abc;.;.",
        "5;1-1-2024;Buurt     ;BU00340201;10;.;.",
    ]
    path = tmp_path / "kwb.csv"
    path.write_text("\ufeff" + "\n".join([header, *rows]) + "\n", encoding="utf-8")
    read = read_kerncijfers(path)
    assert read.table["code"].to_list() == ["GM0034"]
    assert [(q["line"], q["field"], q["rule"]) for q in read.quarantine] == [
        (3, "code", "not a CBS wijk code"),
        (4, "inwoners", "two year tables disagree"),
        (5, "inwoners", "not a number"),
    ]
    assert read.rows_other_regions == 1
    other = tmp_path / "leerlingen.csv"
    other.write_text("BRIN;NAAM\n01AB;School\n", encoding="utf-8")
    with pytest.raises(FileRejected, match="not CBS's Kerncijfers wijken en buurten"):
        read_kerncijfers(other)


def test_only_the_years_of_the_monitors_wijkindeling_are_joined_on_the_code() -> None:
    """Almere redrew its wijken in 2022 and reused WK003401-06 for other areas: 2018-2021 (6 wijken) are left out."""
    wijkcodes = set(pl.read_csv(WIJKEN)["wijkcode"])
    assert indeling_years(read_kerncijfers(RAW).table, wijkcodes, "GM0034") == (2022, 2023, 2024, 2025)
    assert indeling_years(read_kerncijfers(RAW).table, {f"WK00340{i}" for i in range(1, 7)}, "GM0034") == (
        2018,
        2019,
        2020,
        2021,
    )


def _cbs_indicators(kerncijfers: pl.DataFrame) -> pl.DataFrame:
    """A11 cells of Almere's wijken from CBS's own counts, in the warehouse's indicator shape (see the module)."""
    names = dict(pl.read_csv(WIJKEN).iter_rows())
    wijken = kerncijfers.filter(
        pl.col("soort") == "Wijk", pl.col("jaar") >= 2022, pl.col("pct_jongeren_met_jeugdzorg") > 0
    ).select(
        schooljaar=(pl.col("jaar") - 1).cast(pl.String) + "/" + pl.col("jaar").cast(pl.String),
        niveau=pl.lit("wijk"),
        eenheid_code="code",
        teller=pl.col("jongeren_met_jeugdzorg").cast(pl.Float64),
        noemer=(pl.col("jongeren_met_jeugdzorg") / pl.col("pct_jongeren_met_jeugdzorg") * 100).round(0),
    )
    gemeente = wijken.group_by("schooljaar").agg(pl.col("teller", "noemer").sum())
    cells = pl.concat(
        [wijken, gemeente.with_columns(niveau=pl.lit("gemeente"), eenheid_code=pl.lit("GM0034"))], how="diagonal"
    )
    return cells.select(
        "schooljaar",
        "niveau",
        "eenheid_code",
        eenheid_naam=pl.col("eenheid_code").replace_strict({**names, "GM0034": "Almere"}, default=None),
        indicator=pl.lit("A11"),
        indicator_naam=pl.lit("Jeugdigen 0-17 met jeugdhulp (CBS-vergelijkbaar)"),
        dimensie=pl.lit(None, pl.String),
        categorie=pl.lit(None, pl.String),
        teller="teller",
        noemer="noemer",
        waarde=pl.col("teller") / pl.col("noemer") * 100,
        eenheid=pl.lit("%"),
        gemeente_waarde=pl.lit(None, pl.Float64),
        soort=pl.lit("percentage"),
        basis_personen=pl.col("teller").cast(pl.Int64),
        max_persoon_kosten=pl.lit(None, pl.Float64),
        factor=pl.lit(100.0),
    ).sort("schooljaar", "niveau", "eenheid_code")


@pytest.fixture(scope="module")
def almere() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(kerncijfers, unprotected A11 cells from CBS, the same cells protected by the monitor's own protection)."""
    kerncijfers = read_kerncijfers(RAW).table
    indicators = _cbs_indicators(kerncijfers)
    protected, _ = protect_for_publication(indicators, RULES)
    assert check_protected(protected, indicators, RULES).passed
    return kerncijfers, indicators, protected


def test_the_context_table_for_almeres_wijken_from_the_real_cbs_file(
    almere: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
) -> None:
    """Per school year 2021/2022-2023/2024 (CBS tables 2022-2024; 2025 has no youth-care figures yet): a row per
    wijk with its context, the model fitted on the published wijken only, an expected rate for every wijk with
    context (suppressed ones too, without an observed value), and the comparison with CBS, which is 0 here up to
    rounding because A11 *is* CBS's count in this test. Income for 2023/2024 (CBS 2024) is CBS 2024's where
    published, else the latest earlier year's (`inkomen_per_ontvanger_cbs_jaar`)."""
    kerncijfers, _, protected = almere
    wijkcodes = set(pl.read_csv(WIJKEN)["wijkcode"])
    result = build_wijkcontext(kerncijfers, protected, wijkcodes, "GM0034")
    table = result.table
    assert table["schooljaar"].unique().sort().to_list() == ["2021/2022", "2022/2023", "2023/2024"]
    wijk = table.filter(pl.col("niveau") == "wijk")
    assert wijk.filter(pl.col("in_model"))["a11_onderdrukt"].sum() == 0
    hidden = wijk.filter(pl.col("a11_onderdrukt"))
    assert hidden.height > 0, "real suppression met"
    assert hidden.select(pl.col("a11_teller", "a11_waarde", "verhouding", "voorspel_laag").null_count()).row(0) == (
        (hidden.height,) * 4
    )
    with_context = hidden.filter(pl.col("oordeel") == "onderdrukt")
    assert with_context.height and with_context["verwacht"].null_count() == 0, "expected rate without observed"
    shown = wijk.filter(pl.col("oordeel").is_in(["hoger", "lager", "zoals_verwacht"]))
    assert shown["verschil_met_cbs"].abs().max() < 0.05  # type: ignore[operator]
    assert ((shown["a11_waarde"] > shown["voorspel_hoog"]) == (shown["oordeel"] == "hoger")).all()
    income_years = wijk.filter(pl.col("schooljaar") == "2023/2024")["inkomen_per_ontvanger_cbs_jaar"].drop_nulls()
    assert set(income_years.unique()) <= {2022, 2023, 2024} and 2022 in set(income_years)
    assert result.coefficients["wijken"].unique().sort().to_list() == sorted(
        wijk.filter(pl.col("in_model")).group_by("schooljaar").len()["len"].unique().to_list()
    )


def test_the_coefficients_are_reproducible_and_agree_with_a_hand_irls(
    almere: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
) -> None:
    """Same input, same coefficients (bit for bit); statsmodels' fit and the check's plain IRLS agree to 1e-8."""
    kerncijfers, _, protected = almere
    wijkcodes = set(pl.read_csv(WIJKEN)["wijkcode"])
    first = build_wijkcontext(kerncijfers, protected, wijkcodes, "GM0034")
    second = build_wijkcontext(kerncijfers.sample(fraction=1.0, shuffle=True, seed=3), protected, wijkcodes, "GM0034")
    assert first.coefficients.equals(second.coefficients)
    variables = CONTRACT.model_variables
    for (year,), rows in first.table.filter("in_model").group_by(["schooljaar"]):
        x = rows.select(variables).to_numpy()
        design = np.column_stack([np.ones(len(x)), (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)])
        hand = irls_poisson(rows["a11_teller"].to_numpy(), design, np.log(rows["a11_noemer"].to_numpy()))
        published = first.coefficients.filter(pl.col("schooljaar") == year)["coefficient"].to_numpy()
        np.testing.assert_allclose(hand, published, atol=1e-8, rtol=0)


def test_a_hand_made_table_gives_the_worked_out_model() -> None:
    """Six wijken, one context variable that is 0 for three and 1 for the other three.

    teller 10, 20, 30 of 100 each (group 0: 60 / 300 = 20 %); 30, 40, 50 of 100, 200, 200 (group 1: 120 / 500 =
    24 %). With one binary variable the Poisson fit reproduces each group's rate. Standardised (mean 0.5, sd
    sqrt(0.3) = 0.5477), the groups sit at z = -/+0.9129, so b1 = ln(0.24 / 0.20) / 1.8257 = 0.09986 and
    b0 = (ln 0.20 + ln 0.24) / 2 = -1.51828 (the average wijk: sqrt(0.20 x 0.24) = 21.91 %).
    Pearson chi2 = (10-20)^2/20 + 0 + (30-20)^2/20 + (30-24)^2/24 + (40-48)^2/48 + (50-48)^2/48 = 12.9167 on
    6 - 2 = 4 degrees of freedom: dispersion 3.2292.
    A wijk of 100 young residents expected at 20 % (E = 20) with no model uncertainty has the 95 % range
    20 +/- 1.96 sqrt(3.2292 x 20) = 20 +/- 15.75: 4.25 % to 35.75 %."""
    teller = [10, 20, 30, 30, 40, 50]
    noemer = [100, 100, 100, 100, 200, 200]
    x = [[0.0], [0.0], [0.0], [1.0], [1.0], [1.0]]
    fitted = model.fit(teller, noemer, x, ("kenmerk",))
    assert fitted is not None
    assert fitted.coefficients == pytest.approx([-1.51828, 0.09986], abs=1e-5)
    assert fitted.dispersion == pytest.approx(12.9167 / 4, abs=1e-4)
    rate, _ = fitted.expected_rate(np.array([[0.0], [1.0], [0.5]]))
    assert rate == pytest.approx([0.20, 0.24, math.sqrt(0.20 * 0.24)], abs=1e-9)
    low, high = model.prediction_interval(np.array([0.20]), np.array([0.0]), np.array([100.0]), fitted.dispersion)
    assert (low[0], high[0]) == pytest.approx((0.0425, 0.3575), abs=1e-4)
    assert model.fit(teller[:5], noemer[:5], x[:5], ("kenmerk",)) is None, "fewer than 3 wijken per coefficient"
    assert model.fit(teller, noemer, [[1.0]] * 6, ("kenmerk",)) is None, "a variable that does not vary"


def test_the_disclosure_check_passes_the_table_and_catches_each_leak(
    almere: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
) -> None:
    kerncijfers, indicators, protected = almere
    wijkcodes = set(pl.read_csv(WIJKEN)["wijkcode"])
    result = build_wijkcontext(kerncijfers, protected, wijkcodes, "GM0034")
    variables = CONTRACT.model_variables

    def check(table: pl.DataFrame, coefficients: pl.DataFrame = result.coefficients) -> list[str]:
        return check_wijkcontext(table, coefficients, protected, indicators, RULES, variables).violations

    assert check(result.table) == []
    hidden = (pl.col("a11_onderdrukt")) & (pl.col("oordeel") == "onderdrukt")
    first_hidden = result.table.filter(hidden).row(0, named=True)
    truth = indicators.filter(
        pl.col("schooljaar") == first_hidden["schooljaar"], pl.col("eenheid_code") == first_hidden["eenheid_code"]
    ).row(0, named=True)
    one = (pl.col("schooljaar") == first_hidden["schooljaar"]) & (
        pl.col("eenheid_code") == first_hidden["eenheid_code"]
    )
    shows_value = result.table.with_columns(
        a11_teller=pl.when(one).then(truth["teller"]).otherwise("a11_teller"),
        a11_noemer=pl.when(one).then(truth["noemer"]).otherwise("a11_noemer"),
    )
    assert any("suppressed cells show no teller" in v or "differs" in v for v in check(shows_value))
    with_interval = result.table.with_columns(voorspel_hoog=pl.when(one).then(20.0).otherwise("voorspel_hoog"))
    assert any("suppressed cell shows a derived value" in v for v in check(with_interval))
    fitted_hidden = result.table.with_columns(in_model=pl.when(one).then(True).otherwise("in_model"))
    assert any("model fitted on a suppressed cell" in v for v in check(fitted_hidden))
    nudged = result.coefficients.with_columns(
        coefficient=pl.when(pl.col("term") == "intercept").then(pl.col("coefficient") + 0.01).otherwise("coefficient")
    )
    assert any("coefficients do not follow" in v for v in check(result.table, nudged))


@pytest.mark.slow
def test_the_wijk_context_view_renders_in_headless_chromium(
    almere: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    """The dashboard built from the CBS-based A11 cells and their wijkcontext table, opened in Debian's chromium:
    the context page draws one point per wijk with an observed and an expected value (never a suppressed one),
    lists every wijk, and a wijk page shows its context block. Screenshots go to tests/artifacts/."""
    from playwright.sync_api import sync_playwright

    from dashboards.site import SiteSettings, build_dashboard
    from pipelines.indicators.catalogue import load_indicators
    from pipelines.publish.publication import dashboard_context
    from tests.test_dashboard import ARTIFACTS, CHART_STATE, CHROMIUM, CHROMIUM_ARGS, QuietHandler, draw_every_chart

    kerncijfers, _, protected = almere
    result = build_wijkcontext(kerncijfers, protected, set(pl.read_csv(WIJKEN)["wijkcode"]), "GM0034")
    settings = SiteSettings(gemeente="Almere", synthetic=False, min_teller=10, min_noemer=50, exports=False)
    site = tmp_path / "dashboard"
    build_dashboard(
        site, protected, load_indicators(), settings, context=dashboard_context(result.table, result.coefficients)
    )
    latest = result.table.filter(pl.col("schooljaar") == "2023/2024", pl.col("niveau") == "wijk")
    drawn = latest.filter(pl.col("oordeel").is_in(["hoger", "lager", "zoals_verwacht"])).height
    hidden = result.table.filter(pl.col("a11_onderdrukt")).height
    hidden_code = result.table.filter(pl.col("oordeel") == "onderdrukt").row(0, named=True)["eenheid_code"]
    assert "wijkcontext.html" in (site / "index.html").read_text(encoding="utf-8")

    import functools
    import http.server
    import threading

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    served = f"http://127.0.0.1:{server.server_port}/"
    problems: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="nl-NL")
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.goto(f"{served}wijkcontext.html")
            draw_every_chart(page)
            charts = page.evaluate(CHART_STATE)
            points = page.locator("#chart-context-A11 svg.marks g.mark-symbol.role-mark path").count()
            rows = page.locator("table.context tbody tr").count()
            page.screenshot(path=str(ARTIFACTS / "dashboard-wijkcontext.png"), full_page=True)
            page.locator("#chart-context-A11").screenshot(path=str(ARTIFACTS / "dashboard-wijkcontext-chart.png"))
            page.goto(f"{served}wijk/{hidden_code}.html")
            draw_every_chart(page)
            section = page.locator("#wijkcontext")
            section.screenshot(path=str(ARTIFACTS / "dashboard-wijkcontext-wijk.png"))
            block = section.inner_text()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    assert not problems, problems[:5]
    assert [c["id"] for c in charts] == ["context-A11"] and charts[0]["alt"], charts
    assert points == drawn > 0, "one point per wijk with an observed value"
    assert rows == latest.filter(pl.col("oordeel") != "geen_cel").height and hidden > 0
    assert "niet getoond" in block and "verwacht" in block.lower()
