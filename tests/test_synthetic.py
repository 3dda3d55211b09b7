"""Tests of dev.synthetic: determinism, formats, XSD validity and realism of the generated inbox."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from dev.synthetic import GenerationSummary, generate
from dev.synthetic.youth_care import _timeline
from pseudonymisation.ijw_consistency import RULES, read_consistency, rule_report
from tests.reference_material import IJW_REFERENCE

SCALE = 0.03
XSD_DIR = IJW_REFERENCE / "xsd-3.2"
WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
VO_MBO = ("PRO", "VMBO-BB", "VMBO-KB", "VMBO-GT", "HAVO", "VWO", "MBO-1", "MBO-2", "MBO-3", "MBO-4")


def _remainder(value: str) -> int:
    return sum(int(c) * w for c, w in zip(value.zfill(9), WEIGHTS, strict=True)) % 11


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, GenerationSummary]]:
    out: dict[str, tuple[Path, GenerationSummary]] = {}
    for key, kwargs in {
        "a": {"seed": 7},
        "b": {"seed": 7},
        "c": {"seed": 8},
        "clean": {"seed": 7, "defects": False, "youth_care_form": "both"},
    }.items():
        path = tmp_path_factory.mktemp(key)
        out[key] = (path, generate(path, scale=SCALE, **kwargs))  # type: ignore[arg-type]
    return out


def _read(path: Path, name: str, sep: str = ";", encoding: str = "utf-8") -> pl.DataFrame:
    text = (path / name).read_bytes().decode("utf-8-sig" if encoding == "utf-8" else encoding)
    df = pl.read_csv(io.StringIO(text), separator=sep, infer_schema=False)
    return df.with_columns(pl.all().fill_null(""))


def _dmy(col: str) -> pl.Expr:
    return pl.col(col).str.to_date("%d-%m-%Y", strict=False)


def _iso(col: str) -> pl.Expr:
    return pl.col(col).str.to_date("%Y-%m-%d", strict=False)


def test_same_seed_byte_identical_and_different_seed_differs(
    runs: dict[str, tuple[Path, GenerationSummary]],
) -> None:
    a, b, c = runs["a"][0], runs["b"][0], runs["c"][0]
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b and len(files_a) > 20
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    assert (a / "inschrijvingen.csv").read_bytes() != (c / "inschrijvingen.csv").read_bytes()
    assert "SYNTHETISCHE DATA" in (a / "README.txt").read_text("utf-8")


def test_identifiers(runs: dict[str, tuple[Path, GenerationSummary]]) -> None:
    path, summary = runs["a"]
    ins = _read(path, "inschrijvingen.csv", encoding="windows-1252")
    bsns = [v for v in ins["bsn"].to_list() if v]
    assert any(len(v) == 8 for v in bsns), "Excel artefact: leading zero dropped"
    bad = [v for v in bsns if _remainder(v) != 0]
    assert len(bad) == summary.defects["inschrijvingen.csv:bad_bsn"]
    onr = [v for v in ins["onderwijsnummer"].to_list() if v]
    assert onr and all(len(v) == 9 and v.startswith("10") and _remainder(v) == 5 for v in onr)
    assert not any(v.startswith("9999") and len(v) == 9 for v in bsns)
    clean = runs["clean"][0]
    for name, sep, enc in (
        ("inschrijvingen.csv", ";", "windows-1252"),
        ("bewoners.csv", ";", "utf-8"),
        ("toewijzingen.csv", ";", "utf-8"),
        ("diplomas.csv", ";", "windows-1252"),
    ):
        values = [v for v in _read(clean, name, sep, enc)["bsn"].to_list() if v]
        assert values and all(_remainder(v) == 0 for v in values), name
    toew = _read(clean, "toewijzingen.csv")["toewijzingnummer"]
    assert toew.n_unique() == toew.len()


def test_formats(runs: dict[str, tuple[Path, GenerationSummary]]) -> None:
    path, _ = runs["a"]
    raw = (path / "inschrijvingen.csv").read_bytes()
    assert raw.startswith(b"bsn;onderwijsnummer;geboortedatum;brin;vestigingsnummer;onderwijssoort;leerjaar;")
    assert b"\r\n" in raw
    raw.decode("cp1252")
    assert re.search(rb"\n\d{7,9};;\d\d-\d\d-\d{4};", raw)
    assert (
        (path / "verzuim.csv").read_bytes().startswith(b"\xef\xbb\xbfbsn,onderwijsnummer,brin,vestigingsnummer,soort,")
    )
    scholen = (path / "scholen.csv").read_bytes().decode("cp1252")
    header = scholen.splitlines()[0].split(";")
    assert header[:5] == [
        "PROVINCIE",
        "BEVOEGD GEZAG NUMMER",
        "BRIN NUMMER",
        "VESTIGINGSNUMMER",
        "VESTIGINGSNAAM",
    ]
    assert len(header) == 30 and header[-1] == "RMC-REGIO NAAM"
    rows = list(csv.DictReader(io.StringIO(scholen), delimiter=";"))
    assert all(len(r["VESTIGINGSNUMMER"]) == 6 and r["VESTIGINGSNUMMER"][:4] == r["BRIN NUMMER"] for r in rows)
    decl = _read(path, "declaraties.csv")
    assert decl["bedrag"].str.contains(r"^-?\d+,\d\d$").all()
    pc6 = _read(path, "pc6hnr.csv")
    assert pc6.columns == ["PC6", "Huisnummer", "Buurt2024", "Wijk2024", "Gemeente2024"]
    assert pc6["Buurt2024"].str.starts_with("34").all() and (pc6["Gemeente2024"] == "34").all()
    bew = _read(path, "bewoners.csv")
    assert bew.join(pc6, left_on=["postcode", "huisnummer"], right_on=["PC6", "Huisnummer"], how="anti").height == 0
    wijken = _read(path, "wijken.csv")
    assert wijken.height == 71 and wijken["wijkcode"].str.contains(r"^WK\d{6}$").all()
    extract = dt.date(2026, 7, 31)
    for name, sep, enc, parse in (
        ("inschrijvingen.csv", ";", "windows-1252", _dmy),
        ("diplomas.csv", ";", "windows-1252", _dmy),
        ("verzuim.csv", ",", "utf-8", _iso),
        ("bewoners.csv", ";", "utf-8", _iso),
        ("toewijzingen.csv", ";", "utf-8", _iso),
        ("declaraties.csv", ";", "utf-8", _iso),
    ):
        df = _read(path, name, sep, enc)
        cols = [c for c in df.columns if "datum" in c or c.startswith("periode")]
        latest = df.select(pl.max_horizontal([parse(c).max() for c in cols])).item()
        assert latest <= extract, name


def test_xml_valid_against_xsd(runs: dict[str, tuple[Path, GenerationSummary]]) -> None:
    from lxml import etree

    path, summary = runs["a"]
    schemas: dict[str, etree.XMLSchema] = {}
    invalid = set()
    files = sorted((path / "ijw").glob("*.xml"))
    assert len({f.name[:5] for f in files}) == 6
    for f in files:
        kind = f.name[:5]
        if kind not in schemas:
            schemas[kind] = etree.XMLSchema(etree.parse(str(XSD_DIR / f"{kind}.xsd")))
        if not schemas[kind].validate(etree.parse(str(f))):
            invalid.add(f"ijw/{f.name}")
    assert invalid == set(summary.invalid_xml) and len(invalid) >= 1
    readme = (path / "README.txt").read_text("utf-8")
    assert all(name in readme for name in invalid)
    assert not runs["clean"][1].invalid_xml


def test_declaration_defects_are_exactly_what_the_consistency_checks_find(
    runs: dict[str, tuple[Path, GenerationSummary]],
) -> None:
    path, summary = runs["a"]
    table = read_consistency(path / "ijw")
    product, amount, period, *_ = RULES
    found = {rule: rule_report(table, rule).failed for rule in (product, amount, period)}
    assert found == {
        product: summary.defects["ijw:product_not_allocated"],
        amount: summary.defects["ijw:amount_not_volume_times_tarief"],
        period: summary.defects["ijw:period_spans_months"],
    }
    assert min(found.values()) >= 1
    clean = read_consistency(runs["clean"][0] / "ijw")
    assert clean.height > 1000 and all(rule_report(clean, rule).failed == 0 for rule in RULES)


def test_both_forms_carry_same_trajectories(runs: dict[str, tuple[Path, GenerationSummary]]) -> None:
    path, _ = runs["clean"]
    toew = _read(path, "toewijzingen.csv")
    xml_ids = set()
    prestaties = 0
    for f in (path / "ijw").glob("JW301_*.xml"):
        xml_ids.update(re.findall(r"<jw301:ToewijzingNummer>(\d+)<", f.read_text("utf-8")))
    for f in (path / "ijw").glob("JW323_*.xml"):
        prestaties += f.read_text("utf-8").count("<jw323:Prestatie>")
    assert xml_ids == set(toew["toewijzingnummer"].to_list())
    assert prestaties == _read(path, "declaraties.csv").height


def test_every_change_of_a_toewijzing_is_dated_after_its_first_jw301(
    runs: dict[str, tuple[Path, GenerationSummary]],
) -> None:
    """The reader applies JW301s in Dagtekening order; a change dated before the original would be undone."""
    path, _ = runs["clean"]
    first: dict[str, str] = {}
    changed: dict[str, str] = {}
    for f in (path / "ijw").glob("JW301_*.xml"):
        text = f.read_text("utf-8")
        day = re.findall(r"<ijw:Dagtekening>([\d-]+)<", text)[0]
        for product in re.findall(r"<jw301:ToegewezenProduct>.*?</jw301:ToegewezenProduct>", text):
            nummer = re.findall(r"<jw301:ToewijzingNummer>(\d+)<", product)[0]
            dates = changed if "<jw301:RedenWijziging>" in product else first
            dates[nummer] = min(day, dates.get(nummer, day))
    assert len(changed) > 20 and set(changed) <= set(first)
    assert all(changed[nummer] > first[nummer] for nummer in changed)


def test_a_change_is_sent_after_the_first_jw301_even_for_short_crisis_care() -> None:
    """Crisis care (14-90 days) extended shortly before its planned end is where the dates came close."""
    n = 20_000
    trajectories = pl.DataFrame(
        {"pid": np.arange(n), "categorie": "46", "productcode": "46B03", "ingang": [dt.date(2023, 1, 15)] * n}
    )
    persons = pl.DataFrame({"pid": np.arange(n), "res_end": [None] * n}, schema={"pid": pl.Int64, "res_end": pl.Date})
    timeline = _timeline(np.random.default_rng(1), trajectories, persons)
    changes = timeline.filter(pl.col("wijziging") != "")
    assert changes.height > 1000
    assert (changes.get_column("wijziging_datum") > changes.get_column("jw301_datum")).all()


def test_no_defects_when_disabled(runs: dict[str, tuple[Path, GenerationSummary]]) -> None:
    path, summary = runs["clean"]
    assert summary.defects == {}
    for name, sep, enc in (
        ("inschrijvingen.csv", ";", "windows-1252"),
        ("diplomas.csv", ";", "windows-1252"),
        ("verzuim.csv", ",", "utf-8"),
        ("bewoners.csv", ";", "utf-8"),
        ("toewijzingen.csv", ";", "utf-8"),
        ("declaraties.csv", ";", "utf-8"),
    ):
        df = _read(path, name, sep, enc)
        assert not df.is_duplicated().any(), name
    decl = _read(path, "declaraties.csv")
    assert not decl["bedrag"].str.starts_with("-").any()
    ins = _read(path, "inschrijvingen.csv", encoding="windows-1252")
    parsed = ins.select(_dmy("datum_inschrijving").alias("s"), _dmy("datum_uitschrijving").alias("e"))
    assert parsed["s"].null_count() == 0
    assert parsed.filter(pl.col("e") < pl.col("s")).height == 0


def _pupils(ins: pl.DataFrame, year: int) -> pl.DataFrame:
    pd_ = dt.date(year, 10, 1)
    return ins.filter((pl.col("s") <= pd_) & (pl.col("e").is_null() | (pl.col("e") >= pd_))).unique("person")


def test_realism(runs: dict[str, tuple[Path, GenerationSummary]]) -> None:
    path, summary = runs["clean"]
    for school_year, count in summary.pupils_per_year.items():
        assert 40_500 <= count / SCALE <= 49_500, (school_year, count / SCALE)
    ins = _read(path, "inschrijvingen.csv", encoding="windows-1252").with_columns(
        pl.when(pl.col("bsn") != "")
        .then(pl.col("bsn").str.zfill(9))
        .otherwise(pl.col("onderwijsnummer"))
        .alias("person"),
        _dmy("datum_inschrijving").alias("s"),
        _dmy("datum_uitschrijving").alias("e"),
        _dmy("geboortedatum").alias("birth"),
    )
    # ~1.5 % of pupils have only an onderwijsnummer; at this scale that is ~20 pupils a year, so allow
    # three binomial standard deviations either side (about 0.5 % to 3 %).
    only_onr = [(_pupils(ins, y)["onderwijsnummer"] != "").mean() for y in range(2021, 2026)]
    assert all(0.005 <= v <= 0.03 for v in only_onr), only_onr  # type: ignore[operator]
    dip = _read(path, "diplomas.csv", encoding="windows-1252").with_columns(
        pl.when(pl.col("bsn") != "").then(pl.col("bsn")).otherwise(pl.col("onderwijsnummer")).alias("person"),
        _dmy("datum_diploma").alias("d"),
    )
    teller = noemer = 0
    for year in range(2021, 2025):
        nxt = dt.date(year + 1, 10, 1)
        pupils = _pupils(ins, year).filter(pl.col("onderwijssoort").is_in(VO_MBO))
        enrolled = _pupils(ins, year + 1).select("person")
        sq = dip.filter(pl.col("diploma").is_in(["HAVO", "VWO", "MBO-2", "MBO-3", "MBO-4"]) & (pl.col("d") <= nxt))
        leavers = pupils.join(enrolled, on="person", how="anti").join(sq.select("person"), on="person", how="anti")
        teller += leavers.height
        noemer += pupils.height
    assert 0.01 <= teller / noemer <= 0.03, teller / noemer

    bew = _read(path, "bewoners.csv").with_columns(
        _iso("datum_vanaf").alias("v"), _iso("datum_tot").alias("t"), _iso("geboortedatum").alias("birth")
    )
    tr = (
        _read(path, "toewijzingen.csv")
        .filter(~pl.col("productcategorie").is_in(["47", "48", "49"]))
        .with_columns(
            pl.coalesce(_iso("begindatum_zorg"), _iso("ingangsdatum")).alias("s"),
            pl.coalesce(_iso("einddatum_zorg"), _iso("einddatum")).alias("e"),
        )
    )
    shares = []
    for year in range(2021, 2026):
        pd_ = dt.date(year, 10, 1)
        young = (
            bew.filter(
                (pl.col("v") <= pd_)
                & (pl.col("t").is_null() | (pl.col("t") >= pd_))
                & (pl.col("birth") > dt.date(year - 18, 10, 1))
            )
            .select("bsn")
            .unique()
        )
        active = (
            tr.filter(
                (pl.col("s") <= dt.date(year + 1, 7, 31))
                & (pl.col("e").is_null() | (pl.col("e") >= dt.date(year, 8, 1)))
            )
            .select("bsn")
            .unique()
        )
        shares.append(young.join(active, on="bsn").height / young.height)
    assert all(0.09 <= s <= 0.13 for s in shares), shares
    dys = _read(path, "toewijzingen.csv").filter(pl.col("productcode").is_in(["45D01", "45D02"]))
    assert dys.height > 0
    verzuim = _read(path, "verzuim.csv", sep=",")
    assert set(verzuim["soort"]) == {"RELATIEF", "LUXE", "ABSOLUUT"}
    assert (verzuim.filter(pl.col("soort") == "ABSOLUUT")["brin"] == "").all()
