"""One rule per person identifier: the value rule and the column rule of ingest give the same answer on any text.

`pseudonymisation.bsn` and `pseudonymisation.onderwijsnummer` are the only places the rules are written
(docs/identifiers.md). Ingest validation runs their polars expressions, the audit and the holder's kit their
per-value functions; here the two are held equal on arbitrary strings, Unicode spaces included, and the
project's stricter choices are set against python-stdnum's.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest
import stdnum.nl.bsn
from hypothesis import given, settings
from hypothesis import strategies as st

from pseudonymisation import bsn, onderwijsnummer
from pseudonymisation.contract import load_contract
from pseudonymisation.read_csv import open_export
from pseudonymisation.validate import validate
from tests.handmade_inbox import valid_bsn, valid_onderwijsnummer

IDENTIFIERS = pytest.mark.parametrize("rule", [bsn, onderwijsnummer], ids=["bsn", "onderwijsnummer"])
B1 = valid_bsn(1)
O1 = valid_onderwijsnummer(1)


def spaced(b: str) -> list[str]:
    """One BSN written as people and their software group its digits."""
    return [
        f"{b[:3]} {b[3:6]} {b[6:]}",
        f"{b[:3]}\u00a0{b[3:6]}\u00a0{b[6:]}",  # non-breaking space, as a word processor groups digits
        f"{b[:3]}\u2009{b[3:6]}\u202f{b[6:]}",  # thin and narrow no-break space
        f"{b[:4]}.{b[4:6]}.{b[6:]}",
        f"{b[:3]}-{b[3:6]}\u2013{b[6:]}",  # hyphen and the en dash autocorrect makes of it
        f"\t{b}\r\n",
    ]


SPACED = spaced(B1)

# Text near identifiers: digits, every separator, characters that look like one but are not (zero-width space,
# fullwidth and Arabic-Indic digits, information separators that Python's `str.isspace` counts as space), and junk.
near = st.text(st.sampled_from("0123456789" + bsn.SEPARATORS + "\u200b\u00ad\uff11\u0661\x1c\x1fa+,/"), max_size=14)
anything = st.text(st.characters(exclude_categories=["Cs"]), max_size=14)
digit_groups = st.lists(st.text("0123456789", min_size=1, max_size=9), min_size=1, max_size=4)


def vectorised(rule: ModuleType, values: Sequence[str | None]) -> tuple[list[str | None], list[bool]]:
    """The column rule over `values`: compacted text and validity per value."""
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String}).select(
        rule.compact_expr(pl.col("v")).alias("compact"), rule.valid_expr(pl.col("v")).alias("valid")
    )
    return frame.get_column("compact").to_list(), frame.get_column("valid").to_list()


@IDENTIFIERS
@settings(max_examples=300, deadline=None)
@given(values=st.lists(near | anything, min_size=1, max_size=30))
def test_the_value_rule_and_the_column_rule_agree_on_any_text(rule: ModuleType, values: list[str]) -> None:
    compacted, valid = vectorised(rule, values)
    assert compacted == [rule.compact(v) for v in values]
    assert valid == [rule.is_valid(v) for v in values]


@IDENTIFIERS
@given(groups=digit_groups, separators=st.text(st.sampled_from(bsn.SEPARATORS), min_size=4, max_size=4))
def test_separators_anywhere_never_change_the_answer(
    rule: ModuleType, groups: list[str], separators: list[str]
) -> None:
    plain = "".join(groups)
    spaced = "".join(g + s for g, s in zip(groups, separators, strict=False))
    assert rule.is_valid(spaced) is rule.is_valid(plain)
    assert vectorised(rule, [spaced])[1] == [rule.is_valid(plain)]


def test_grouped_digits_with_any_space_dot_or_dash_are_the_same_bsn() -> None:
    assert [bsn.compact(v) for v in SPACED] == [B1] * len(SPACED)
    assert all(bsn.is_valid(v) for v in SPACED)
    assert vectorised(bsn, list(SPACED)) == ([B1] * len(SPACED), [True] * len(SPACED))


def test_characters_that_only_look_like_separators_or_digits_make_a_bsn_invalid() -> None:
    lookalikes = [
        f"{B1[:3]}\u200b{B1[3:]}",  # zero-width space
        f"{B1[:3]}\u00ad{B1[3:]}",  # soft hyphen
        f"{B1[:3]}/{B1[3:]}",
        "".join(chr(0xFF10 + int(d)) for d in B1),  # fullwidth digits
        "".join(chr(0x0660 + int(d)) for d in B1),  # Arabic-Indic digits
        f"\x1c{B1}",  # a file separator, white space to Python's `str.isspace` but not to Unicode
    ]
    assert [bsn.is_valid(v) for v in lookalikes] == [False] * len(lookalikes)
    assert vectorised(bsn, lookalikes)[1] == [False] * len(lookalikes)


def test_seven_or_eight_digits_are_a_bsn_that_lost_its_leading_zeros_and_fewer_are_not() -> None:
    assert bsn.compact("12.345.672") == "012345672" and bsn.is_valid("12345672")
    assert bsn.compact("1234560") == "001234560" and bsn.is_valid("1234560")
    assert bsn.compact("140") == "140" and not bsn.is_valid("140")  # 000000140 would pass the eleven-test
    assert not bsn.is_valid("0000000") and not bsn.is_valid("000000000")
    assert bsn.is_valid("111222333") and bsn.is_valid("123456782") and not bsn.is_valid("123456789")


def test_an_onderwijsnummer_starts_with_10_and_is_never_padded() -> None:
    assert onderwijsnummer.is_valid(O1) and onderwijsnummer.is_valid(f"{O1[:4]}\u00a0{O1[4:]}")
    assert onderwijsnummer.is_valid("101234564") and not onderwijsnummer.is_valid("101234565")
    assert onderwijsnummer.compact(O1[1:]) == O1[1:] and not onderwijsnummer.is_valid(O1[1:])
    assert not bsn.is_valid(O1) and not onderwijsnummer.is_valid(B1)  # the two number spaces never overlap


@IDENTIFIERS
def test_no_value_is_no_identifier(rule: ModuleType) -> None:
    assert rule.is_valid(None) is False
    assert rule.is_valid("") is False
    assert vectorised(rule, [None, ""])[1] == [False, False]


def test_bsn_eleven_test_and_onderwijsnummer_mod11() -> None:
    assert bsn.is_valid("111222333") and bsn.is_valid("11122233") is False
    assert bsn.compact("1234567") == "001234567" and bsn.compact("123456") == "123456"
    assert bsn.is_valid("123456782") and not bsn.is_valid("123456789")
    assert bsn.compact("12.345.672") == "012345672" and bsn.is_valid("12345672")
    assert onderwijsnummer.is_valid("101234564") is (bsn.checksum("101234564") % 11 == 5)


@given(st.text(max_size=15))
def test_bsn_validation_never_raises_and_accepts_only_nine_digits(text: str) -> None:
    if bsn.is_valid(text):
        digits = bsn.compact(text)
        assert len(digits) == 9 and digits.isdigit() and bsn.checksum(digits) % 11 == 0


@given(st.integers(min_value=0, max_value=99_999_999))
def test_every_valid_bsn_survives_losing_its_leading_zero(n: int) -> None:
    digits = f"{n:08d}"
    check = bsn.checksum(digits + "0") % 11
    if check < 10 and n > 0:
        value = digits + str(check)
        assert bsn.is_valid(value)
        assert bsn.is_valid(value.lstrip("0")) is (len(value.lstrip("0")) >= 7)


def test_the_separators_white_space_is_exactly_what_polars_trims_and_calls_white_space() -> None:
    """The reader trims fields with `strip_chars()`; a space it would trim at the ends is removed inside too."""
    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    frame = pl.DataFrame({"c": chars}).with_columns(
        regex=pl.col("c").str.contains(r"^\s$"), trimmed=pl.col("c").str.strip_chars() == ""
    )
    assert set(frame.filter("regex").get_column("c")) == set(bsn.WHITE_SPACE)
    assert set(frame.filter("trimmed").get_column("c")) == set(bsn.WHITE_SPACE)


@given(st.text("0123456789 .-", max_size=14))
def test_python_stdnum_agrees_except_that_it_pads_two_to_six_digits(text: str) -> None:
    """stdnum.nl.bsn pads any shorter value to nine digits (docs/identifiers.md); with 7+ digits it agrees."""
    digits = sum(c.isdigit() for c in text)
    if digits >= 7 or digits == 0:
        assert bsn.is_valid(text) is stdnum.nl.bsn.is_valid(text)
    else:
        assert not bsn.is_valid(text)


def test_where_python_stdnum_is_more_lenient_the_project_refuses() -> None:
    """stdnum accepts a three-digit number and maps fullwidth digits to ASCII; a monitor must not."""
    for value in ("140", "".join(chr(0xFF10 + int(d)) for d in B1)):
        assert stdnum.nl.bsn.is_valid(value) and not bsn.is_valid(value)


def test_ingest_validation_accepts_the_same_bsns_as_the_kit(tmp_path: Path) -> None:
    """Through the real CSV reader and row validation: what `bsn.is_valid` accepts is accepted, compacted."""
    contract = load_contract("inschrijvingen")
    numbers = [valid_bsn(i) for i in range(2, 7)]
    values = [spaced(b)[i] for i, b in enumerate(numbers)] + [f"{B1[:3]}\u200b{B1[3:]}"]
    header = "bsn;onderwijsnummer;geboortedatum;brin;vestigingsnummer;onderwijssoort;leerjaar;datum_inschrijving;"
    rows = [f"{value};;2014-03-15;11AA;0;BAO;5;2022-08-01;" for value in values]
    path = tmp_path / contract.file.name
    path.write_text("\n".join([header + "datum_uitschrijving", *rows, ""]), encoding="utf-8")
    checked = [validate(batch, contract) for batch in open_export(path, contract).batches()]
    accepted = pl.concat([c.accepted for c in checked]).get_column("bsn").to_list()
    quarantined = pl.concat([c.quarantine for c in checked]).select("line", "field", "rule").rows()
    assert accepted == numbers
    assert quarantined == [(len(values) + 1, "bsn", bsn.RULE)]
    assert [bsn.is_valid(v) for v in values] == [True] * len(numbers) + [False]
