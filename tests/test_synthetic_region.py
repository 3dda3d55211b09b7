"""The synthetic region (dev.synthetic.region): five gemeenten of jeugdregio Flevoland in one inbox.

The region is Almere, Lelystad, Dronten, Noordoostpolder and Urk at scale 0.05 (seed 5). Urk has one PC4 area
of the regio-indeling and no VO school of its own at this scale, so its VO pupils go to school elsewhere in its VO
samenwerkingsverband (VO2402, with Noordoostpolder); Dronten is the only one of the five in VO2305, so a VO school
is placed there for that samenwerkingsverband. The tests read the files as the monitor would (pc6hnr → gemeente
of an address, scholen.csv → gemeente of a school, the legal table PC4 → samenwerkingsverband) and run the real
pipeline on the inbox, single-key and through the demo's two-step pseudonymisation.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from dev.roles import analyst_config, role_keys, two_step_inbox
from dev.synthetic import GenerationSummary, Region, generate
from dev.synthetic.places import ALMERE, gemeenten, named, national, region
from dev.synthetic.region import CONFIG_NAME, write_region_config
from pipelines.lib.settings import MonitorConfig
from tests.conftest import TEST_CONFIG_FILE, materialize_all
from tests.reference_material import IJW_REFERENCE, SHARED

CODES = ["GM0034", "GM0995", "GM0303", "GM0171", "GM0184"]
SCALE = 0.05
SEED = 5
SWV_TABLE = SHARED / "reference" / "duo" / "swv" / "swv_regio_indeling_pc4_2015_derived.csv"
PEILDATUM = "2024-10-01"
XSD = IJW_REFERENCE / "xsd-3.2"


@pytest.fixture(scope="module")
def inboxes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, GenerationSummary]:
    """The region generated twice with the same seed."""
    first, second = tmp_path_factory.mktemp("region_a"), tmp_path_factory.mktemp("region_b")
    summary = generate(first, scale=SCALE, seed=SEED, region=Region(named(CODES)))
    generate(second, scale=SCALE, seed=SEED, region=Region(named(CODES)))
    return first, second, summary


def _csv(path: Path, encoding: str = "utf-8") -> pl.DataFrame:
    text = path.read_bytes().decode("utf-8-sig" if encoding == "utf-8" else encoding)
    sep = "," if path.name == "verzuim.csv" else ";"
    return pl.read_csv(io.StringIO(text), separator=sep, infer_schema=False).with_columns(pl.all().fill_null(""))


def _schools(inbox: Path) -> pl.DataFrame:
    """brin, vestigingsnummer (2 digits), gemeente (GM code) and PC4 of every school in scholen.csv."""
    s = _csv(inbox / "scholen.csv", "cp1252")
    return s.select(
        pl.col("BRIN NUMMER").alias("brin"),
        pl.col("VESTIGINGSNUMMER").str.slice(4).alias("vestiging"),
        ("GM" + pl.col("GEMEENTENUMMER").str.zfill(4)).alias("school_gemeente"),
        pl.col("POSTCODE").str.slice(0, 4).alias("pc4"),
        pl.col("VESTIGINGSNAAM").alias("naam"),
    )


def _addresses(inbox: Path) -> pl.DataFrame:
    """Address periods of bewoners.csv with the gemeente pc6hnr.csv gives the address."""
    pc6 = _csv(inbox / "pc6hnr.csv").select(
        pl.col("PC6").alias("postcode"),
        pl.col("Huisnummer").alias("huisnummer"),
        ("GM" + pl.col("Gemeente2024").str.zfill(4)).alias("gemeente"),
    )
    periods = _csv(inbox / "bewoners.csv").with_columns(pl.col("bsn").str.zfill(9))
    return periods.join(pc6, on=["postcode", "huisnummer"], how="left")


def _pupils_on(inbox: Path, peildatum: str) -> pl.DataFrame:
    """Enrolments on the peildatum with the pupil's gemeente of residence then and the school's gemeente."""
    enr = _csv(inbox / "inschrijvingen.csv", "cp1252").filter(pl.col("bsn") != "")
    day = pl.lit(peildatum).str.to_date()
    enr = enr.with_columns(
        pl.col("bsn").str.zfill(9),
        pl.col("vestigingsnummer").str.zfill(2),
        pl.col("datum_inschrijving").str.to_date("%d-%m-%Y", strict=False).alias("start"),
        pl.col("datum_uitschrijving").str.to_date("%d-%m-%Y", strict=False).alias("end"),
    ).filter((pl.col("start") <= day) & (pl.col("end").is_null() | (pl.col("end") >= day)))
    home = _addresses(inbox).with_columns(
        pl.col("datum_vanaf").str.to_date(strict=False), pl.col("datum_tot").str.to_date(strict=False)
    )
    home = home.filter((pl.col("datum_vanaf") <= day) & (pl.col("datum_tot").is_null() | (pl.col("datum_tot") >= day)))
    home = home.select("bsn", pl.col("gemeente").alias("home_gemeente")).unique("bsn")
    schools = _schools(inbox).rename({"vestiging": "vestigingsnummer"})
    return enr.join(schools, on=["brin", "vestigingsnummer"], how="left").join(home, on="bsn", how="inner")


def test_the_same_seed_gives_the_same_bytes(inboxes: tuple[Path, Path, GenerationSummary]) -> None:
    first, second, _ = inboxes
    names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file()) and len(names) > 100
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_every_school_is_in_a_gemeente_of_the_region_and_gets_its_samenwerkingsverband_by_its_pc4(
    inboxes: tuple[Path, Path, GenerationSummary],
) -> None:
    """Every enrolment's school is in scholen.csv with a GEMEENTENUMMER of the region and a PC4 that the legal
    table gives a PO and a VO samenwerkingsverband, the table's gemeente being the school's; every
    samenwerkingsverband of the region's PC4s has a school of its sector (PO: BAO/SBO/SO, VO: the rest)."""
    inbox = inboxes[0]
    schools = _schools(inbox)
    swv = pl.read_csv(SWV_TABLE, separator=";", infer_schema=False).rename({"PC4": "pc4"})
    located = schools.join(swv, on="pc4", how="left")
    assert set(located["school_gemeente"]) == set(CODES), "every gemeente has schools, no other gemeente does"
    assert located["PO SWV"].is_not_null().all() and located["VO SWV"].is_not_null().all()
    names = {g.naam for g in named(CODES)}
    assert set(located["gemeente"]) == names
    assert all(gemeenten()[code].naam == name for code, name in located.select("school_gemeente", "gemeente").rows())
    enrolled = _csv(inbox / "inschrijvingen.csv", "cp1252").select(
        "brin", pl.col("vestigingsnummer").str.zfill(2).alias("vestiging")
    )
    assert enrolled.join(schools, on=["brin", "vestiging"], how="anti").height == 0
    region_pc4 = swv.filter(pl.col("pc4").is_in([p for g in named(CODES) for p in g.pc4]))
    primary = located.filter(pl.col("naam").str.contains("basisschool|OBS|CBS|KBS|SBO|SO$|school De"))
    assert set(region_pc4["PO SWV"]) <= set(primary["PO SWV"]), "a PO samenwerkingsverband without a school"
    secondary = located.filter(pl.col("naam").str.contains("College|Lyceum|Scholengemeenschap|Vrije School"))
    assert set(region_pc4["VO SWV"]) == {"VO2401", "VO2403", "VO2402", "VO2305"}
    assert set(region_pc4["VO SWV"]) <= set(secondary["VO SWV"]), "a VO samenwerkingsverband without a school"


def test_pupils_cross_borders(inboxes: tuple[Path, Path, GenerationSummary]) -> None:
    """On 1-10-2024 many VO/MBO pupils go to school outside their gemeente (all of Urk's, which has no VO school),
    a few PO pupils too; the counts are printed for the report."""
    pupils = _pupils_on(inboxes[0], PEILDATUM)
    across = pupils.filter(pl.col("home_gemeente") != pl.col("school_gemeente"))
    secondary = across.filter(~pl.col("onderwijssoort").is_in(["BAO", "SBO", "SO"]))
    primary = across.filter(pl.col("onderwijssoort").is_in(["BAO", "SBO", "SO"]))
    print(f"pupils {pupils.height}, across a border: VO/MBO {secondary.height}, PO {primary.height}")
    assert secondary.height > 0.1 * pupils.filter(~pl.col("onderwijssoort").is_in(["BAO", "SBO", "SO"])).height
    assert 0 < primary.height < 0.1 * pupils.filter(pl.col("onderwijssoort").is_in(["BAO", "SBO", "SO"])).height
    urk_vo = pupils.filter(
        (pl.col("home_gemeente") == "GM0184") & pl.col("onderwijssoort").str.contains("VMBO|HAVO|VWO")
    )
    assert urk_vo.height > 0 and (urk_vo["school_gemeente"] != "GM0184").all()


def test_residents_move_between_gemeenten(inboxes: tuple[Path, Path, GenerationSummary]) -> None:
    """Some residents have address periods in two gemeenten of the region: the earlier one ends the day before
    the later one starts. Each period carries its gemeente (``gemeente_code``), the one pc6hnr.csv gives."""
    periods = _addresses(inboxes[0]).sort("bsn", "datum_vanaf")
    assert periods["gemeente"].is_not_null().all(), "every address resolves through pc6hnr.csv"
    assert (periods["gemeente_code"] == periods["gemeente"]).all(), "the BRP names the gemeente of each period"
    moves = periods.with_columns(
        pl.col("gemeente").shift(-1).over("bsn").alias("next_gemeente"),
        pl.col("datum_vanaf").shift(-1).over("bsn").alias("next_vanaf"),
    ).filter(pl.col("next_gemeente").is_not_null() & (pl.col("next_gemeente") != pl.col("gemeente")))
    print(f"moves between gemeenten: {moves.height} of {periods['bsn'].n_unique()} residents")
    assert moves.height > 20
    adjacent = moves.select(
        (pl.col("next_vanaf").str.to_date() == pl.col("datum_tot").str.to_date() + pl.duration(days=1)).mean()
    ).item()
    assert adjacent > 0.95


def test_every_gemeente_has_residents_schools_and_youth_care_paid_by_itself(
    inboxes: tuple[Path, Path, GenerationSummary],
) -> None:
    """Per gemeente: residents (their first address there), schools, and trajectories of its residents, in CSV
    and in iJw; every iJw message names the gemeente of its client's residence (JW301 as afzender, the others as
    ontvanger), and a JW301's client lives there."""
    inbox = inboxes[0]
    first_home = _addresses(inbox).sort("datum_vanaf").unique("bsn", keep="first").select("bsn", "gemeente")
    residents = first_home.group_by("gemeente").len()
    assert set(residents["gemeente"]) == set(CODES)
    assert set(_schools(inbox)["school_gemeente"]) == set(CODES)
    care = _csv(inbox / "toewijzingen.csv").with_columns(pl.col("bsn").str.zfill(9)).join(first_home, on="bsn")
    assert set(care["gemeente"]) == set(CODES)
    numbers = {f"{int(c[2:]):04d}" for c in CODES}
    payer_of = dict(first_home.rows())
    seen: set[str] = set()
    for path in sorted((inbox / "ijw").glob("*.xml")):
        text = path.read_text(encoding="utf-8")
        sender = re.search(r"<jw\d+:Afzender>(\d+)</", text)
        receiver = re.search(r"<jw\d+:Ontvanger>(\d+)</", text)
        assert sender and receiver
        gemeente = sender.group(1) if path.name.startswith(("JW301", "JW319")) else receiver.group(1)
        assert gemeente in numbers, path.name
        seen.add(gemeente)
        if path.name.startswith("JW301"):
            bsn = re.search(r"<jw301:Bsn>(\d{9})</", text)
            assert bsn and payer_of.get(bsn.group(1), f"GM{gemeente}") == f"GM{gemeente}", path.name
    assert seen == numbers


def test_every_ijw_message_is_valid_against_the_xsd_but_the_deliberate_ones(
    inboxes: tuple[Path, Path, GenerationSummary],
) -> None:
    """One jeugdregio: one deliberately invalid JW315 and one JW301, listed in the summary and README.txt."""
    from lxml import etree

    inbox, _, summary = inboxes
    schemas = {k: etree.XMLSchema(etree.parse(str(XSD / f"{k}.xsd"))) for k in ("JW301", "JW305", "JW307", "JW315")}
    schemas |= {k: etree.XMLSchema(etree.parse(str(XSD / f"{k}.xsd"))) for k in ("JW319", "JW323")}
    invalid = {
        f"ijw/{f.name}" for f in (inbox / "ijw").glob("*.xml") if not schemas[f.name[:5]].validate(etree.parse(f))
    }
    assert invalid == set(summary.invalid_xml) and len(invalid) == 2
    assert all(name in (inbox / "README.txt").read_text("utf-8") for name in invalid)


def test_the_region_configuration_names_every_gemeente(inboxes: tuple[Path, Path, GenerationSummary]) -> None:
    """monitor.region.toml: the repository's configuration with [gemeente] Almere and [region] the other four; every
    other section as in monitor.toml."""
    config = MonitorConfig.load(inboxes[0] / CONFIG_NAME)
    assert config.gemeente_code == ALMERE
    assert dict(config.region) == {g.code: g.naam for g in named(CODES[1:])}
    written = tomllib.loads((inboxes[0] / CONFIG_NAME).read_text(encoding="utf-8"))
    base = tomllib.loads(Path("monitor.toml").read_text(encoding="utf-8"))
    assert {k: v for k, v in written.items() if k not in ("gemeente", "region")} == {
        k: v for k, v in base.items() if k not in ("gemeente", "region")
    }
    assert "national" not in written["region"]


def test_the_national_configuration_says_national(tmp_path: Path) -> None:
    """At --national the configuration lists all 341 other gemeenten and says `national = true`."""
    write_region_config(tmp_path, Region(national(), national=True))
    written = tomllib.loads((tmp_path / CONFIG_NAME).read_text(encoding="utf-8"))
    assert written["gemeente"] == {"code": "GM0034", "naam": "Almere"}
    assert written["region"]["national"] is True and len(written["region"]["gemeenten"]) == 341


def test_a_region_is_almere_first_then_flevoland_then_its_neighbours() -> None:
    assert [g.naam for g in region(6)] == ["Almere", "Lelystad", "Noordoostpolder", "Zeewolde", "Dronten", "Urk"]
    assert {g.jeugdregio for g in region(6)} == {"JZ08"} and region(7)[6].jeugdregio == "JZ16"
    assert len(national()) == 342 and len({g.code for g in national()}) == 342
    every_pc4 = [p for g in national() for p in g.pc4]
    with SWV_TABLE.open(encoding="utf-8") as fh:
        table = [r["PC4"] for r in csv.DictReader(fh, delimiter=";") if r["PO SWV"].startswith("PO")]
    assert sorted(every_pc4) == sorted(table), "every PC4 of the regio-indeling belongs to one 2026 gemeente"


def _ingest_passed(result: dg.ExecuteInProcessResult) -> None:
    """Every ingest asset materialised and every blocking check of the ingest passed (the iJw consistency checks
    warn, as on the Almere inbox, about the generator's deliberate declaration defects)."""
    staged = [
        e.asset_key
        for e in result.get_asset_materialization_events()
        if e.asset_key and e.asset_key.path[0] == "staged"
    ]
    assert len(set(staged)) >= 8
    ingest = [c for c in result.get_asset_check_evaluations() if c.asset_key.path[0] == "staged" and c.blocking]
    assert ingest and all(c.passed for c in ingest), [c.check_name for c in ingest if not c.passed]


def test_the_pipeline_ingests_the_region(inboxes: tuple[Path, Path, GenerationSummary], tmp_path: Path) -> None:
    result = materialize_all(inboxes[0], tmp_path / "out", raise_on_error=False, config=TEST_CONFIG_FILE)
    _ingest_passed(result)


def test_the_two_step_pseudonymisation_works_for_the_region(
    inboxes: tuple[Path, Path, GenerationSummary], tmp_path: Path
) -> None:
    """Holders and TTP pseudonymise the region's exports under its first gemeente; the keyless analyst's run
    under the region's configuration ingests them."""
    keys = role_keys(tmp_path / "secrets")
    base = inboxes[0] / CONFIG_NAME
    inbox = two_step_inbox(inboxes[0], tmp_path / "exchange", keys, MonitorConfig.load(base).gemeente_code, say=False)
    config = analyst_config(tmp_path / "secrets" / "analyst" / "monitor.toml", keys, base)
    _ingest_passed(materialize_all(inbox, tmp_path / "out", raise_on_error=False, config=config))


def test_the_command_writes_a_region_and_refuses_an_unknown_gemeente(tmp_path: Path) -> None:
    """`python -m dev.demo data --gemeenten …`: the named gemeenten in that order; a code CBS does not have stops
    the command with one sentence (argparse: exit status 2)."""
    from dev.demo import main as demo_main

    assert demo_main(["data", "--out", str(tmp_path), "--scale", "0.01", "--gemeenten", "GM0995,GM0034"]) == 0
    config = MonitorConfig.load(tmp_path / CONFIG_NAME)
    assert config.gemeente_code == "GM0995" and dict(config.region) == {"GM0034": "Almere"}
    assert "een regio van 2 gemeenten (Lelystad (GM0995) eerst)" in (tmp_path / "README.txt").read_text("utf-8")
    with pytest.raises(SystemExit) as stopped:
        demo_main(["data", "--out", str(tmp_path), "--gemeenten", "GM0034,GM9999"])
    assert stopped.value.code == 2
