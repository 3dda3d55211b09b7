"""DUO's school files as DUO publishes them, now and before, each mapped by the scholen contract.

Current (onderwijsdata.duo.nl): `INSTELLINGSCODE`, `VESTIGINGSCODE` = BRIN + 2 digits, comma-separated; some
releases write `VESTIGINGSCODE` as the 2 digits only; earlier: `BRIN NUMMER`, `VESTIGINGSNUMMER` (BRIN6); the
"hoofdvestigingen VO" file has no vestiging number at all (the hoofdvestiging is number 00). The older two are
read from DUO's real files in the shared reference folder.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pseudonymisation.contract import load_contract
from pseudonymisation.read_csv import FileRejected, map_headers, read_export
from pseudonymisation.validate import validate
from tests.reference_material import REFERENCE

SAMPLES = Path(__file__).parent / "samples" / "duo"
DUO = REFERENCE / "duo"


def _schools(path: Path) -> pl.DataFrame:
    contract = load_contract("scholen")
    checked = validate(read_export(path, contract), contract)
    assert checked.quarantine.height == 0, checked.quarantine
    return checked.accepted.select("brin", "vestiging", "naam", "postcode", "gemeentenummer")


def test_the_current_layout_with_brin6_vestigingscode_comma_separated() -> None:
    assert _schools(SAMPLES / "vestigingen_po_onderwijsdata.csv").rows() == [
        ("23FD", "23FD01", "Shri Laksmi School", "1312AA", "0034"),
        ("12PM", "12PM00", "Basisschool De Ark", "1354EV", "0034"),
    ]


def test_a_vestigingscode_of_two_digits_gets_the_brin_in_front() -> None:
    """`01` is vestiging 23FD01; `0` (a spreadsheet dropped its zero) is 12PM00."""
    assert _schools(SAMPLES / "vestigingen_vestigingscode_twee_cijfers.csv").select("brin", "vestiging").rows() == [
        ("23FD", "23FD01"),
        ("12PM", "12PM00"),
    ]


def test_the_earlier_alle_vestigingen_file_as_duo_published_it() -> None:
    """DUO "03. Alle vestigingen basisonderwijs" (Windows-1252, GEMEENTENUMMER without its zeros): 75 Almere rows."""
    schools = _schools(DUO / "bo_alle_vestigingen_almere_subset_raw.csv")
    assert schools.height == 75
    assert schools.row(0) == ("23FD", "23FD01", "Shri Laksmi School", "1312AA", "0034")


def test_the_hoofdvestigingen_vo_file_without_vestiging_number_is_the_hoofdvestiging_00() -> None:
    """DUO "01. hoofdvestigingen VO": no VESTIGINGSNUMMER column, the name is INSTELLINGSNAAM; 651 schools, Almere's
    Oostvaarders College (24RW) among them as 24RW00."""
    schools = _schools(DUO / "vo_hoofdvestigingen_duo_ca2016_raw.csv")
    assert schools.height == 651
    assert schools.filter(pl.col("brin") == "24RW").select("vestiging", "gemeentenummer").rows() == [("24RW00", "0034")]
    assert (schools.get_column("vestiging").str.slice(4) == "00").all()


def test_vestigingsnaam_wins_over_instellingsnaam_when_a_file_has_both() -> None:
    headers = ["INSTELLINGSCODE", "INSTELLINGSNAAM", "VESTIGINGSCODE", "VESTIGINGSNAAM"]
    mapping, dropped = map_headers(headers, load_contract("scholen"))
    assert mapping == {0: "brin", 2: "vestiging", 3: "naam"}
    assert dropped == ["INSTELLINGSNAAM"]


def test_every_layout_the_contract_names_maps_to_all_required_fields() -> None:
    contract = load_contract("scholen")
    required = {f.name for f in contract.properties if f.required and f.absentAs is None}
    assert len(contract.file.layouts) == 3
    for layout in contract.file.layouts:
        mapping, _ = map_headers(layout.headers, contract)
        assert required <= set(mapping.values()), layout.name.en


def test_a_duo_file_that_is_no_school_list_is_refused_naming_the_layouts_expected() -> None:
    with pytest.raises(FileRejected) as refused:
        read_export(SAMPLES / "leerlingen_po_per_vestiging.csv", load_contract("scholen"))
    message = str(refused.value)
    assert "missing required column(s) naam for 'scholen'" in message
    for layout in load_contract("scholen").file.layouts:
        assert f"{layout.name.en} ({', '.join(layout.headers)})" in message
