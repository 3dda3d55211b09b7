"""The bad-input corpus: each defect of a real export gets the outcome documented in contracts/README.md.

Files are made here at test time (identifiers from the eleven-test generator, never committed). Each case
runs the real ingest of one source (read → validate → pseudonymise → staged Parquet) and asserts either
the one-sentence rejection of the whole file or exactly which rows are accepted and which are quarantined
with which rule, and that the counts reconcile.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from pipelines.ingest.sources import Ingested, ingest_source
from pipelines.lib.sealing import read_sealed
from pseudonymisation.bsn import is_valid as is_bsn
from pseudonymisation.config import load_hashing_config
from pseudonymisation.contract import load_contract
from pseudonymisation.key import load_key
from pseudonymisation.pseudonymiser import Pseudonymiser
from pseudonymisation.read_csv import FileRejected
from tests.handmade_inbox import valid_bsn, valid_onderwijsnummer

ENROL_HEADER = (
    "bsn;onderwijsnummer;geboortedatum;brin;vestigingsnummer;onderwijssoort;leerjaar;datum_inschrijving;"
    "datum_uitschrijving"
)
DECL_HEADER = "bsn;toewijzingnummer;periode_begin;periode_einde;bedrag;debet_credit"
B1, B2, B3 = valid_bsn(101), valid_bsn(102), valid_bsn(103)


def enrolment(
    bsn: str, *, soort: str = "BAO", start: str = "2022-08-01", end: str = "", born: str = "2014-03-15"
) -> str:
    return f"{bsn};;{born};11AA;0;{soort};5;{start};{end}"


GOOD_ROWS = [enrolment(B1), enrolment(B2), enrolment(B3)]


@dataclass
class Outcome:
    ingested: Ingested
    staged: pl.DataFrame
    quarantine: pl.DataFrame

    def rules(self) -> list[tuple[int, str, str]]:
        return sorted(self.quarantine.select("line", "field", "rule").rows())


def pseudonymiser() -> Pseudonymiser:
    hashing = load_hashing_config().for_gemeente("GM0034")
    return Pseudonymiser(hashing, load_key(hashing))


def ingest_bytes(tmp_path: Path, source: str, content: bytes, file_name: str | None = None) -> Outcome:
    contract = load_contract(source)
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    (inbox / (file_name or contract.file.name)).write_bytes(content)
    staged, quarantine = tmp_path / "staged.parquet", tmp_path / "quarantine.parquet"
    ingested = ingest_source(inbox, contract, pseudonymiser(), staged, quarantine)
    outcome = Outcome(ingested, read_sealed(staged), read_sealed(quarantine))
    assert ingested.rows_read == ingested.rows_accepted + ingested.rows_quarantined
    assert outcome.staged.height == ingested.rows_accepted
    return outcome


def csv_bytes(header: str, rows: list[str], *, sep: str = ";", newline: str = "\n", encoding: str = "utf-8") -> bytes:
    return newline.join([header, *rows, ""]).replace(";", sep).encode(encoding)


def rejection(tmp_path: Path, source: str, content: bytes, file_name: str | None = None) -> str:
    with pytest.raises(FileRejected) as info:
        ingest_bytes(tmp_path, source, content, file_name)
    return str(info.value)


# Accepted as they are: what Dutch exports look like.


def test_comma_delimiter_is_detected_and_accepted(tmp_path: Path) -> None:
    out = ingest_bytes(tmp_path, "inschrijvingen", csv_bytes(ENROL_HEADER, GOOD_ROWS, sep=","))
    assert (out.ingested.rows_accepted, out.ingested.files[0].delimiter) == (3, ",")


def test_windows_1252_with_accents_is_decoded(tmp_path: Path) -> None:
    header = "BRIN NUMMER;VESTIGINGSNUMMER;VESTIGINGSNAAM;POSTCODE;GEMEENTENUMMER"
    content = csv_bytes(header, ["11AA;11AA00;Basisschool Café Noël;1353AA;0034"], encoding="cp1252")
    out = ingest_bytes(tmp_path, "scholen", content)
    assert out.ingested.files[0].encoding == "windows-1252"
    assert out.staged.get_column("naam").to_list() == ["Basisschool Café Noël"]


def test_utf8_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    content = b"\xef\xbb\xbf" + csv_bytes(ENROL_HEADER, GOOD_ROWS, newline="\r\n")
    out = ingest_bytes(tmp_path, "inschrijvingen", content)
    assert (out.ingested.rows_accepted, out.ingested.files[0].encoding) == (3, "utf-8-sig")
    assert out.staged.get_column("onderwijssoort").to_list() == ["BAO"] * 3, "no stray carriage return"


def test_quoted_separators_stay_inside_their_field(tmp_path: Path) -> None:
    header = "BRIN NUMMER;VESTIGINGSNUMMER;VESTIGINGSNAAM;POSTCODE;GEMEENTENUMMER"
    out = ingest_bytes(tmp_path, "scholen", csv_bytes(header, ['11AA;11AA00;"De Eik; locatie ""Noord""";1353AA;34']))
    assert out.staged.get_column("naam").to_list() == ['De Eik; locatie "Noord"']


def test_an_eight_digit_bsn_gets_its_leading_zero_back(tmp_path: Path) -> None:
    zero_led = next(b for b in (f"0{n:07d}{c}" for n in range(1_000_000, 1_000_100) for c in range(10)) if is_bsn(b))
    out = ingest_bytes(tmp_path, "inschrijvingen", csv_bytes(ENROL_HEADER, [enrolment(zero_led[1:])]))
    assert out.ingested.rows_accepted == 1
    assert out.staged.get_column("person_id").to_list() == [pseudonymiser().pseudonymise("bsn", zero_led)]


def test_extra_pii_columns_are_dropped_reported_and_never_stored(tmp_path: Path) -> None:
    header = ENROL_HEADER + ";naam;adres"
    rows = [row + ";Jansen, Pietje;Dorpsstraat 12" for row in GOOD_ROWS]
    out = ingest_bytes(tmp_path, "inschrijvingen", csv_bytes(header, rows))
    assert out.ingested.files[0].dropped_columns == ("naam", "adres")
    for written in (tmp_path / "staged.parquet", tmp_path / "quarantine.parquet"):
        data = written.read_bytes()
        assert b"Jansen" not in data and b"Dorpsstraat" not in data


# Quarantined row by row, with the rule and a masked value.


def test_an_invalid_bsn_is_quarantined_masked_never_hashed(tmp_path: Path) -> None:
    bad = B1[:-1] + str((int(B1[-1]) + 1) % 10)
    out = ingest_bytes(tmp_path, "inschrijvingen", csv_bytes(ENROL_HEADER, [enrolment(bad), *GOOD_ROWS[1:]]))
    assert out.rules() == [(2, "bsn", "bsn_eleven_test")]
    assert out.quarantine.get_column("value").to_list() == ["*********"]
    assert out.ingested.rows_accepted == 2


def test_an_identifier_in_an_attribute_column_is_masked_in_quarantine(tmp_path: Path) -> None:
    """A shifted column puts a BSN and an e-mail address into onderwijssoort (an attribute): both are masked in
    quarantine, the rest of the value stays readable for the holder."""
    shifted = enrolment(B1, soort=f"{B2} of ouder@example.nl")
    out = ingest_bytes(tmp_path, "inschrijvingen", csv_bytes(ENROL_HEADER, [shifted, *GOOD_ROWS[1:]]))
    values = out.quarantine.get_column("value").to_list()
    assert values == ["<masked> OF <masked>"], values  # onderwijssoort is upper-cased before validation
    assert not any(B2 in str(v) or "@" in str(v) for v in values)


def test_digits_of_other_scripts_are_not_a_bsn_or_a_number(tmp_path: Path) -> None:
    """`\\d` matches any script's digits: nine Arabic-Indic digits once passed the eleven-test (sum 0)."""
    arabic = "".join(chr(0x0660 + int(d)) for d in B1)
    leerjaar = GOOD_ROWS[2].replace(";5;", ";\u0665;")
    out = ingest_bytes(tmp_path, "inschrijvingen", csv_bytes(ENROL_HEADER, [enrolment(arabic), GOOD_ROWS[1], leerjaar]))
    assert out.rules() == [(2, "bsn", "bsn_eleven_test"), (4, "leerjaar", "integer")]
    assert out.ingested.rows_accepted == 1


def test_unknown_codes_impossible_dates_and_end_before_start_are_quarantined(tmp_path: Path) -> None:
    rows = [
        enrolment(B1, soort="XYZ"),
        enrolment(B2, start="2027-06-31"),
        enrolment(B3, start="2023-08-01", end="2023-07-31"),
        enrolment(valid_bsn(104)),
    ]
    out = ingest_bytes(tmp_path, "inschrijvingen", csv_bytes(ENROL_HEADER, rows))
    assert out.rules() == [
        (2, "onderwijssoort", "allowed_values"),
        (3, "datum_inschrijving", "date"),
        (4, "datum_uitschrijving", "not_before_datum_inschrijving"),
    ]
    assert out.quarantine.filter(pl.col("rule") == "allowed_values").get_column("value").to_list() == ["XYZ"]
    assert out.ingested.rows_accepted == 1


def test_a_row_needs_one_valid_person_identifier(tmp_path: Path) -> None:
    bad_onderwijsnummer = valid_onderwijsnummer(5)[:-1] + str((int(valid_onderwijsnummer(5)[-1]) + 1) % 10)
    rows = [
        f";{valid_onderwijsnummer(4)};2014-03-15;11AA;0;BAO;5;2022-08-01;",
        f";{bad_onderwijsnummer};2014-03-15;11AA;0;BAO;5;2022-08-01;",
        ";;2014-03-15;11AA;0;BAO;5;2022-08-01;",
    ]
    out = ingest_bytes(tmp_path, "inschrijvingen", csv_bytes(ENROL_HEADER, rows))
    assert out.rules() == [
        (3, "onderwijsnummer", "onderwijsnummer_mod11"),
        (4, "bsn|onderwijsnummer", "one_of_required"),
    ]
    assert out.staged.get_column("id_type").to_list() == ["onderwijsnummer"]


def test_a_holders_own_header_names_are_matched(tmp_path: Path) -> None:
    header = (
        "Leerling_BSN;Onderwijsnummer;GEBOORTEDATUM;Brin Nummer;Vestiging;Onderwijs-soort;leerjaar;Datum inschrijving"
    )
    out = ingest_bytes(tmp_path, "inschrijvingen", csv_bytes(header, [row.rsplit(";", 1)[0] for row in GOOD_ROWS]))
    assert (out.ingested.rows_accepted, out.ingested.files[0].dropped_columns) == (3, ())


def test_negative_amounts_are_quarantined(tmp_path: Path) -> None:
    rows = [f"{B1};T1;2023-01-01;2023-01-31;-12,50;D", f"{B1};T1;2023-02-01;2023-02-28;1.234,56;D"]
    out = ingest_bytes(tmp_path, "declaraties", csv_bytes(DECL_HEADER, rows))
    assert out.rules() == [(2, "bedrag", "minimum")]
    assert [str(v) for v in out.staged.get_column("bedrag").to_list()] == ["1234.56"]


def test_exact_duplicate_rows_count_once(tmp_path: Path) -> None:
    out = ingest_bytes(tmp_path, "inschrijvingen", csv_bytes(ENROL_HEADER, [*GOOD_ROWS, GOOD_ROWS[0]]))
    assert out.rules() == [(5, "*", "duplicate_row")]
    assert out.ingested.rows_accepted == 3


def test_a_row_with_more_fields_than_the_header_is_quarantined(tmp_path: Path) -> None:
    out = ingest_bytes(
        tmp_path, "inschrijvingen", csv_bytes(ENROL_HEADER, [*GOOD_ROWS, enrolment(valid_bsn(104)) + ";extra"])
    )
    assert out.rules() == [(5, "*", "too_many_fields")]


# Rejected whole, with one sentence naming the file, what was expected and what was found.


@pytest.mark.parametrize(
    ("case", "content", "expected"),
    [
        ("empty file", b"", "inschrijvingen.csv: the file is empty"),
        ("header only", csv_bytes(ENROL_HEADER, []), "has a header but no data rows"),
        ("missing required column", csv_bytes(ENROL_HEADER.replace(";brin", ";school"), GOOD_ROWS), "brin"),
        ("tab delimiter", csv_bytes(ENROL_HEADER, GOOD_ROWS, sep="\t"), "separated by a tab"),
        ("unreadable encoding", csv_bytes(ENROL_HEADER, GOOD_ROWS) + b"\x81\x8d", "unreadable encoding"),
        ("utf-16", ENROL_HEADER.encode("utf-16"), "NUL bytes"),
        ("truncated in a quote", csv_bytes(ENROL_HEADER, GOOD_ROWS) + b'123;"abc', "truncated"),
        ("truncated line", csv_bytes(ENROL_HEADER, GOOD_ROWS) + f"{B1};;2014-03".encode(), "has 3 of 9 fields"),
        ("xml instead of csv", b'<?xml version="1.0"?><Bericht/>', "belong in the inbox folder ijw/"),
        (
            "declarations in the enrolments' place",
            csv_bytes(DECL_HEADER, [f"{B1};T1;2023-01-01;2023-01-31;10,00;D"]),
            "look like the columns of 'declaraties'",
        ),
    ],
)
def test_unusable_files_are_rejected_whole_with_one_clear_sentence(
    tmp_path: Path, case: str, content: bytes, expected: str
) -> None:
    message = rejection(tmp_path, "inschrijvingen", content)
    assert message.startswith("inschrijvingen.csv: "), case
    assert expected in message, (case, message)
    assert "\n" not in message
    assert not (tmp_path / "staged.parquet").exists(), "nothing staged from a rejected file"


def test_a_rejected_file_leaves_the_previous_staged_table_in_place(tmp_path: Path) -> None:
    ingest_bytes(tmp_path, "inschrijvingen", csv_bytes(ENROL_HEADER, GOOD_ROWS))
    before = (tmp_path / "staged.parquet").read_bytes()
    truncated = csv_bytes(ENROL_HEADER, GOOD_ROWS * 2000) + f"{B1};;2014".encode()
    rejection(tmp_path, "inschrijvingen", truncated)
    assert (tmp_path / "staged.parquet").read_bytes() == before
    assert not list(tmp_path.glob("*.partial"))
