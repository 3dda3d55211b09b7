"""Properties of the CSV reader and row validation, for any input hypothesis can think of.

Any row either parses into the contract's types or is quarantined with a reason; counts reconcile; and no
exception other than a whole-file `FileRejected` ever escapes, whatever the bytes.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pseudonymisation.contract import Contract, Field_, load_contract
from pseudonymisation.read_csv import FileRejected, open_export
from pseudonymisation.validate import SeenRows, validate
from tests.handmade_inbox import valid_bsn, valid_onderwijsnummer

SOURCES = ("inschrijvingen", "declaraties", "toewijzingen", "verzuim", "bewoners")
TYPES = {"date": pl.Date, "integer": pl.Int64, "string": pl.String, "identifier": pl.String}
SETTINGS = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

junk = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


def plausible(f: Field_) -> st.SearchStrategy[str]:
    """Values near the field's rules: valid ones, almost valid ones, and junk."""
    options: list[st.SearchStrategy[str]] = [junk, st.just("")]
    if f.identifierType == "bsn":
        options += [st.integers(0, 500).map(valid_bsn), st.integers(0, 500).map(lambda n: valid_bsn(n)[1:])]
        options.append(st.from_regex(r"\A\d{9}\Z"))
    elif f.identifierType == "onderwijsnummer":
        options.append(st.integers(0, 500).map(valid_onderwijsnummer))
    elif f.logicalType == "date":
        options += [st.dates().map(str), st.dates().map(lambda d: d.strftime("%d-%m-%Y")), st.just("2027-06-31")]
    elif f.logicalType in ("integer", "decimal"):
        options += [st.integers(-10, 100_000).map(str), st.decimals(-1000, 10_000, places=2).map(str)]
        options.append(st.decimals(0, 10_000, places=2).map(lambda d: str(d).replace(".", ",")))
    if f.allowed_values:
        options.append(st.sampled_from(f.allowed_values))
    if f.pattern:
        options.append(st.from_regex(f.pattern, fullmatch=True))
    return st.one_of(options)


@st.composite
def export(draw: st.DrawFn) -> tuple[Contract, list[list[str]]]:
    contract = load_contract(draw(st.sampled_from(SOURCES)))
    row = st.tuples(*[plausible(f) for f in contract.properties]).map(list)
    return contract, draw(st.lists(row, min_size=1, max_size=25))


def write_csv(path: Path, contract: Contract, rows: list[list[str]], delimiter: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([f.name for f in contract.properties])
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


@SETTINGS
@given(data=export(), delimiter=st.sampled_from([";", ","]))
def test_every_row_is_typed_or_quarantined_with_a_reason(
    tmp_path: Path, data: tuple[Contract, list[list[str]]], delimiter: str
) -> None:
    contract, rows = data
    path = tmp_path / contract.file.name
    write_csv(path, contract, rows, delimiter)
    try:
        exported = open_export(path, contract)
    except FileRejected as exc:
        binary = path.read_bytes().count(b"\x00") > path.stat().st_size // 10
        assert binary or all(not "".join(r).strip() for r in rows), f"only blank or binary files are rejected: {exc}"
        return
    seen = SeenRows()
    read = accepted = quarantined = 0
    for batch in exported.batches():
        checked = validate(batch, contract, seen)
        read, accepted = read + checked.rows_read, accepted + checked.accepted.height
        quarantined += checked.rows_quarantined
        assert checked.quarantine.filter(pl.col("rule").is_null() | (pl.col("rule") == "")).height == 0
        for f in contract.properties:
            dtype = checked.accepted.schema[f.name]
            assert dtype == TYPES.get(f.logicalType, dtype), (f.name, dtype)
            if f.logicalType == "decimal":
                assert isinstance(dtype, pl.Decimal)
            if f.required:
                assert checked.accepted.get_column(f.name).null_count() == 0
    assert read == len(rows)
    assert read == accepted + quarantined


@SETTINGS
@given(content=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_no_exception_but_a_file_rejection_escapes_whatever_the_bytes(tmp_path: Path, content: bytes) -> None:
    contract = load_contract("inschrijvingen")
    path = tmp_path / contract.file.name
    header = ";".join(f.name for f in contract.properties).encode()
    for candidate in (content, header + b"\n" + content):
        path.write_bytes(candidate)
        try:
            exported = open_export(path, contract)
            seen = SeenRows()
            for batch in exported.batches():
                checked = validate(batch, contract, seen)
                assert checked.rows_read == checked.accepted.height + checked.rows_quarantined
        except FileRejected as exc:
            assert str(exc).startswith(f"{contract.file.name}: ")
