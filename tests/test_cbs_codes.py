"""CBS area codes are text everywhere: Amsterdam's 2025 codes with letters go through the whole pipeline.

Since the 2025 indeling Amsterdam's wijk and buurt codes hold capitals (`WK0363AF`, `BU0363AF01`); older CBS files
write all-digit codes as numbers without prefix or leading zeros. Both are read by the rule in
`pseudonymisation/cbs_area.py`, which the contracts name with `cbsArea`.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polars as pl
import pytest

from pipelines.lib.settings import DEFAULT_CONFIG
from pipelines.lib.warehouse import read_warehouse
from pseudonymisation.contract import load_contract
from pseudonymisation.read_csv import read_export
from pseudonymisation.validate import validate
from tests.conftest import materialize_all
from tests.handmade_inbox import write_handmade_inbox

SAMPLES = Path(__file__).parent / "samples" / "cbs"


def _stored(tmp_path: Path, source: str, text: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    path = tmp_path / f"{source}.csv"
    path.write_text(text, encoding="utf-8")
    contract = load_contract(source)
    checked = validate(read_export(path, contract), contract)
    return checked.accepted, checked.quarantine


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        (("0363AF01", "0363AF", "0363"), ("BU0363AF01", "WK0363AF", "GM0363")),  # 2025, letters
        (("0363af01", " 0363AF", "363"), ("BU0363AF01", "WK0363AF", "GM0363")),  # lower case, spaces, lost zero
        (("340101", "3401", "34"), ("BU00340101", "WK003401", "GM0034")),  # numbers that lost their zeros
        (("BU00340101", "WK003401", "GM0034"), ("BU00340101", "WK003401", "GM0034")),  # already prefixed
    ],
)
def test_pc6hnr_codes_are_stored_as_text_with_prefix_and_full_width(
    tmp_path: Path, written: tuple[str, str, str], stored: tuple[str, str, str]
) -> None:
    header = "PC6;Huisnummer;Buurt2025;Wijk2025;Gemeente2025"
    accepted, quarantine = _stored(tmp_path, "pc6hnr", f"{header}\n1011HW;2;{';'.join(written)}\n")
    assert quarantine.height == 0
    assert accepted.select("buurt", "wijk", "gemeente").row(0) == stored


def test_a_code_that_is_no_cbs_code_is_quarantined_with_the_pattern_it_breaks(tmp_path: Path) -> None:
    """A letter code that lost its leading zero (`363AF01`) cannot be repaired: it is not guessed, it is refused."""
    header = "PC6;Huisnummer;Buurt2025;Wijk2025;Gemeente2025"
    accepted, quarantine = _stored(tmp_path, "pc6hnr", f"{header}\n1011HW;2;363AF01;0363AF;0363\n")
    assert accepted.height == 0
    assert quarantine.select("field", "rule", "value").rows() == [("buurt", "pattern", "BU363AF01")]


def test_wijken_accepts_the_2025_amsterdam_codes(tmp_path: Path) -> None:
    accepted, quarantine = _stored(tmp_path, "wijken", (SAMPLES / "wijken_2025_amsterdam.csv").read_text())
    assert quarantine.height == 0
    assert accepted.select("wijkcode", "wijknaam").rows() == [
        ("WK0363AD", "Burgwallen-Nieuwe Zijde"),
        ("WK0363AF", "Nieuwmarkt/Lastage"),
    ]


@pytest.mark.parametrize(
    ("sample", "headers"),
    [
        ("pc6hnr_2016.csv", "pc6;huisnummer;gwb2016_code;wijkcode;gemeentecode"),
        ("pc6hnr_2017.csv", "PC6;Huisnummer;Buurt2017;Wijk2017;Gem2017"),
        ("pc6hnr_2019.csv", "PC6;Huisnummer;Buurt2019;Wijk2019;Gemeente2019"),
    ],
)
def test_every_pc6hnr_release_layout_since_2016_is_mapped_by_the_contract(
    tmp_path: Path, sample: str, headers: str
) -> None:
    """The header variants are the contract's `renames` and `headerPatterns`; each release maps to one table."""
    text = (SAMPLES / sample).read_text(encoding="utf-8")
    assert text.splitlines()[0] == headers
    accepted, quarantine = _stored(tmp_path, "pc6hnr", text)
    assert quarantine.height == 0
    assert accepted.select("postcode", "huisnummer", "buurt", "wijk", "gemeente").rows() == [
        ("1353AA", 1, "BU00340101", "WK003401", "GM0034"),
        ("1354BB", 2, "BU00340201", "WK003402", "GM0034"),
    ]


def test_the_2025_amsterdam_sample_maps_letter_codes(tmp_path: Path) -> None:
    accepted, quarantine = _stored(tmp_path, "pc6hnr", (SAMPLES / "pc6hnr_2025_amsterdam.csv").read_text())
    assert quarantine.height == 0
    assert accepted.select("postcode", "buurt", "wijk", "gemeente").rows() == [
        ("1012LG", "BU0363AD03", "WK0363AD", "GM0363"),
        ("1011HW", "BU0363AF08", "WK0363AF", "GM0363"),
        ("1011HW", "BU0363AF01", "WK0363AF", "GM0363"),
    ]


@pytest.fixture(scope="module")
def amsterdam_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made inbox moved to Amsterdam: its two addresses lie in WK0363AD and WK0363AF (2025 samples)."""
    root = tmp_path_factory.mktemp("amsterdam")
    inbox = root / "inbox"
    write_handmade_inbox(inbox)
    residents = (inbox / "bewoners.csv").read_text(encoding="utf-8")
    (inbox / "bewoners.csv").write_text(
        residents.replace("1353AA;1", "1012LG;1").replace("1354BB;2", "1011HW;2"), encoding="utf-8"
    )
    shutil.copy(SAMPLES / "pc6hnr_2025_amsterdam.csv", inbox / "pc6hnr.csv")
    shutil.copy(SAMPLES / "wijken_2025_amsterdam.csv", inbox / "wijken.csv")
    config = root / "monitor.toml"
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^code = "GM0034"$', 'code = "GM0363"', text)
    config.write_text(re.sub(r'(?m)^naam = "Almere"$', 'naam = "Amsterdam"', text), encoding="utf-8")
    assert materialize_all(inbox, root / "out", config=config).success
    return root / "out"


def test_amsterdam_wijken_end_in_the_published_table_with_their_codes(amsterdam_run: Path) -> None:
    """Handmade 2022/23: wijk of 1353AA (now WK0363AD) has 6 pupils, of 1354BB (now WK0363AF) 4; none is
    quarantined as "not an integer" and both wijken are published under their letter codes and names."""
    with read_warehouse(amsterdam_run / "warehouse" / "monitor.duckdb") as con:
        pupils = dict(
            con.execute(
                "SELECT eenheid_code, teller FROM indicators "
                "WHERE indicator = 'G1' AND niveau = 'wijk' AND schooljaar = '2022/2023'"
            ).fetchall()
        )
    assert pupils == {"WK0363AD": 6, "WK0363AF": 4, "ONBEKEND": 1}
    published = pl.read_parquet(amsterdam_run / "publish" / "indicatoren.parquet")
    wijken = published.filter(pl.col("niveau") == "wijk").select("eenheid_code", "eenheid_naam").unique()
    assert {"WK0363AD", "WK0363AF"} <= set(wijken.get_column("eenheid_code"))
    names = dict(wijken.iter_rows())
    assert names["WK0363AF"] == "Nieuwmarkt/Lastage"
    assert set(published.filter(pl.col("niveau") == "gemeente").get_column("eenheid_code")) == {"GM0363"}


def test_the_dashboard_has_a_page_per_amsterdam_wijk_under_its_code(amsterdam_run: Path) -> None:
    pages = amsterdam_run / "publish" / "dashboard" / "wijk"
    assert {"WK0363AD.html", "WK0363AF.html"} <= {p.name for p in pages.glob("*.html")}
    assert "Nieuwmarkt/Lastage" in (pages / "WK0363AF.html").read_text(encoding="utf-8")
