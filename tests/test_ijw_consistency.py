"""Consistency checks of iJw messages: counted per rule with message and line, never fixed.

Per declaration line (JW323): product against allocation, amount, period; across messages: the header total
against its lines and one person per toewijzingnummer. Per toewijzing: the ingangsdatum its JW301, JW305 and
JW307 name (the JW301 wins, else the first start or stop).

Every test message is a real public example (../shared/reference/ijw/examples-3.2) edited as text, so the
inconsistent lines are otherwise genuine, XSD-valid iJw 3.2. Line numbers are kept (edits never add or
remove a newline), so the Prestatie lines 33, 52, 76, 95 and 114 of the real JW323 stay where they are.
The Dagster checks are run for real on the hand-made inbox with those messages added as ``ijw/``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import cast

import dagster as dg
import polars as pl

from pseudonymisation.ijw import DECLARATIE_COLUMNS, read_ijw
from pseudonymisation.ijw_consistency import (
    CONSISTENCY_FILE,
    RULES,
    SCHEMA,
    read_consistency,
    rule_report,
    write_consistency,
)
from tests.conftest import materialize_all
from tests.handmade_inbox import write_handmade_inbox
from tests.reference_material import IJW_REFERENCE

# Every consistency rule's check (the plausibility gate ijw_quarantine_share beside them is not one).
CONSISTENCY = {f"ijw_{rule}" for rule in RULES}

EXAMPLES_32 = IJW_REFERENCE / "examples-3.2"

PRODUCT, AMOUNT, PERIOD, HEADER, PERSON, DATES = RULES
LINE_RULES = (PRODUCT, AMOUNT, PERIOD)


def example(name: str) -> str:
    return (EXAMPLES_32 / f"{name}.xml").read_text(encoding="utf-8")


def edit_prestatie(message: str, number: int, old: str, new: str) -> str:
    """Replace ``old`` by ``new`` inside the ``number``-th Prestatie (1-based) of a JW323 only."""
    head, *blocks = message.split("<jw323:Prestatie>")
    assert old in blocks[number - 1], (number, old)
    blocks[number - 1] = blocks[number - 1].replace(old, new, 1)
    return "<jw323:Prestatie>".join([head, *blocks])


def allocation_of_the_declared_toewijzingen() -> str:
    """The real JW301 re-numbered so that it allocates 10072 (45A03) and 10073 (45A04) of the real JW323."""
    return (
        example("JW301")
        .replace("<jw301:ToewijzingNummer>300201<", "<jw301:ToewijzingNummer>10072<")
        .replace("<jw301:ToewijzingNummer>300202<", "<jw301:ToewijzingNummer>10073<")
        .replace("<ijw:Categorie>55</ijw:Categorie>", "<ijw:Categorie>45</ijw:Categorie>")
        .replace("<ijw:Code>55A11<", "<ijw:Code>45A03<")
        .replace("<ijw:Code>55A12<", "<ijw:Code>45A04<")
    )


def one_inconsistency_per_rule() -> str:
    """The real JW323 with one line breaking each rule, and one Eenheid-83 line exempt from the amount rule.

    1 RN001 10072: consistent. 2 RN002 10073: declares 45A03, allocated 45A04. 3 RN003 10074: no allocation,
    Eenheid 83 with volume 50 x tarief 1250 != 5000 (exempt). 4 RN004 10073: tarief 1400, 16 x 1400 != 24000.
    5 RN004 10073: product period 2026-03-01 .. 2026-04-02.
    """
    text = example("JW323")
    text = edit_prestatie(text, 2, "<jw323:ProductCode>45A04<", "<jw323:ProductCode>45A03<")
    text = edit_prestatie(text, 3, "<jw323:Eenheid>04<", "<jw323:Eenheid>83<")
    text = edit_prestatie(text, 3, "<jw323:GeleverdVolume>4<", "<jw323:GeleverdVolume>50<")
    text = edit_prestatie(text, 4, "<jw323:ProductTarief>1500<", "<jw323:ProductTarief>1400<")
    return edit_prestatie(text, 5, "<ijw:Einddatum>2026-03-31<", "<ijw:Einddatum>2026-04-02<")


def write_messages(folder: Path, jw301: str, jw323: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "JW301.xml").write_text(jw301, encoding="utf-8")
    (folder / "JW323.xml").write_text(jw323, encoding="utf-8")
    return folder


# ----------------------------------------------------------------------------------------- the reader
def lines_of(table: pl.DataFrame) -> pl.DataFrame:
    return table.filter(pl.col("niveau") == "prestatie")


def test_real_examples_are_consistent_but_their_allocation_is_missing() -> None:
    table = read_consistency(EXAMPLES_32)
    lines = lines_of(table)
    assert lines.height == 5 and lines.get_column("prestatie").to_list() == [1, 2, 3, 4, 5]
    assert set(lines.get_column("bericht")) == {1}, "one declaration message"
    product, amount, period = (rule_report(table, rule) for rule in LINE_RULES)
    # the real JW323 declares toewijzingen 10072-10074, the real JW301 allocates 300201/300202
    assert (product.checked, product.failed, product.not_applicable) == (0, 0, 5)
    assert (amount.checked, amount.failed, period.checked, period.failed) == (5, 0, 5, 0)


def test_one_inconsistent_line_per_rule_is_shown_by_message_number_and_line_number(tmp_path: Path) -> None:
    folder = write_messages(tmp_path, allocation_of_the_declared_toewijzingen(), one_inconsistency_per_rule())
    table = read_consistency(folder)
    product, amount, period = (rule_report(table, rule) for rule in LINE_RULES)
    assert (product.lines, product.checked, product.failed, product.not_applicable) == (5, 4, 1, 1)
    assert (amount.lines, amount.checked, amount.failed, amount.not_applicable) == (5, 4, 1, 1)
    assert (period.lines, period.checked, period.failed, period.not_applicable) == (5, 5, 1, 0)
    assert product.examples == [
        {
            "bericht": 1,
            "prestatie": 2,
            "toewijzingnummer": "10073",
            "productcategorie": "45",
            "productcode": "45A03",
            "toegewezen_productcategorie": "45",
            "toegewezen_productcode": "45A04",
        }
    ]
    assert amount.examples == [
        {
            "bericht": 1,
            "prestatie": 4,
            "toewijzingnummer": "10073",
            "volume": 16,
            "eenheid": "04",
            "tarief": "14.00",
            "bedrag": "240.00",
        }
    ]
    assert period.examples == [
        {
            "bericht": 1,
            "prestatie": 5,
            "toewijzingnummer": "10073",
            "periode_begin": "2026-03-01",
            "periode_einde": "2026-04-02",
        }
    ]


def test_inconsistent_lines_stay_in_the_declarations_as_declared(tmp_path: Path) -> None:
    folder = write_messages(tmp_path, allocation_of_the_declared_toewijzingen(), one_inconsistency_per_rule())
    result = read_ijw(folder)
    assert result.rejected == []
    assert [tuple(row) for row in result.declaraties] == [DECLARATIE_COLUMNS] * 5
    assert [(r["bedrag"], r["periode_einde"]) for r in result.declaraties] == [
        ("50.00", "2026-04-30"),
        ("240.00", "2026-04-30"),
        ("50.00", "2026-04-30"),
        ("240.00", "2026-04-30"),  # not "fixed" to 16 x 14.00
        ("210.00", "2026-04-02"),  # not cut back to March
    ]


def test_aspecific_allocation_compares_the_categorie_and_generic_accepts_any_product(tmp_path: Path) -> None:
    jw301 = allocation_of_the_declared_toewijzingen()
    # 10072 allocated as categorie 43 without a code (aspecific); 10073 without any product (generic)
    jw301 = re.sub(
        r"<ijw:Categorie>45</ijw:Categorie>\s*<ijw:Code>45A03</ijw:Code>", "<ijw:Categorie>43</ijw:Categorie>", jw301
    )
    jw301 = re.sub(
        r"<jw301:Product>\s*<ijw:Categorie>45</ijw:Categorie>\s*<ijw:Code>45A04</ijw:Code>\s*</jw301:Product>",
        "",
        jw301,
    )
    table = lines_of(read_consistency(write_messages(tmp_path, jw301, example("JW323"))))
    assert read_ijw(tmp_path).rejected == []
    verdict = dict(zip(table.get_column("prestatie"), table.get_column(PRODUCT), strict=True))
    assert verdict == {1: False, 2: True, 3: None, 4: True, 5: True}


def test_missing_tarief_fails_unless_the_eenheid_is_euro(tmp_path: Path) -> None:
    text = edit_prestatie(example("JW323"), 1, "<jw323:ProductTarief>1250</jw323:ProductTarief>", "")
    text = edit_prestatie(text, 2, "<jw323:ProductTarief>1500</jw323:ProductTarief>", "")
    text = edit_prestatie(text, 2, "<jw323:Eenheid>04<", "<jw323:Eenheid>83<")
    table = lines_of(read_consistency(write_messages(tmp_path, example("JW301"), text)))
    assert table.get_column(AMOUNT).to_list() == [False, None, True, True, True]
    assert table.get_column("tarief").to_list()[:2] == [None, None]


def _pseudonyms(numbers: list[str]) -> list[str]:
    return [f"p{n[::-1]}" for n in numbers]


def test_table_is_person_free_and_empty_with_its_schema_without_messages(tmp_path: Path) -> None:
    """Stored without BSN, and with every toewijzingnummer (a direct identifier in the contracts) as its pseudonym."""
    folder = write_messages(tmp_path / "ijw", allocation_of_the_declared_toewijzingen(), one_inconsistency_per_rule())
    table = read_consistency(folder)
    write_consistency(table, tmp_path / "staged", _pseudonyms)
    stored = pl.read_parquet(tmp_path / "staged" / CONSISTENCY_FILE)
    raw = table.get_column("toewijzingnummer")
    assert stored.get_column("toewijzingnummer").to_list() == [None if n is None else f"p{n[::-1]}" for n in raw]
    assert stored.drop("toewijzingnummer").equals(table.drop("toewijzingnummer")) and lines_of(stored).height == 5
    text = stored.write_csv()
    assert "999900006" not in text and "999900018" not in text
    assert not any(n in text for n in raw.drop_nulls().unique().to_list()), "no raw toewijzingnummer stored"
    assert not any("bsn" in column for column in stored.columns)
    assert not {"source_file", "source_line"} & set(stored.columns), "no pointer into a raw message file"
    write_consistency(read_consistency(tmp_path / "no-such-folder"), tmp_path / "staged", _pseudonyms)
    empty = pl.read_parquet(tmp_path / "staged" / CONSISTENCY_FILE)
    assert empty.height == 0 and dict(empty.schema) == SCHEMA


# ------------------------------------------------------------------------------------- across messages
def test_a_header_total_that_is_not_the_sum_of_its_lines_is_reported_once_per_message(tmp_path: Path) -> None:
    """The real JW323 totals 79000 over lines of 5000 + 24000 + 5000 + 24000 + 21000; a header of 58000 does not."""
    real = read_consistency(EXAMPLES_32)
    assert (rule_report(real, HEADER).checked, rule_report(real, HEADER).failed) == (5, 0)
    wrong = example("JW323").replace("<ijw:TotaalBedrag>79000<", "<ijw:TotaalBedrag>58000<")
    report = rule_report(read_consistency(write_messages(tmp_path, example("JW301"), wrong)), HEADER)
    assert (report.lines, report.failed, report.messages_failed) == (5, 5, 1)
    assert report.examples == [
        {
            "bericht": 1,
            "prestatie": 1,
            "toewijzingnummer": "10072",
            "header_totaal": "580.00",
            "som_prestaties": "790.00",
        }
    ]


def test_credit_lines_count_against_the_debet_in_the_header_total(tmp_path: Path) -> None:
    """Line 5 (21000) as a credit: the lines sum to 79000 - 2 x 21000 = 37000, which a header of 37000 D matches."""
    text = edit_prestatie(example("JW323"), 5, "<ijw:DebetCredit>D<", "<ijw:DebetCredit>C<")
    matching = text.replace("<ijw:TotaalBedrag>79000<", "<ijw:TotaalBedrag>37000<")
    assert rule_report(read_consistency(write_messages(tmp_path, example("JW301"), matching)), HEADER).failed == 0
    assert rule_report(read_consistency(write_messages(tmp_path, example("JW301"), text)), HEADER).failed == 5


def test_one_toewijzingnummer_declared_for_two_persons_is_reported_without_their_bsn() -> None:
    """The real JW323 declares toewijzing 10073 for both 999900006 (line 2) and 999900018 (lines 4 and 5)."""
    report = rule_report(read_consistency(EXAMPLES_32), PERSON)
    assert (report.checked, report.failed, report.messages_failed) == (5, 3, 1)
    assert report.examples == [
        {"bericht": 1, "prestatie": line, "toewijzingnummer": "10073", "personen": 2} for line in (2, 4, 5)
    ]
    assert "9999000" not in str(report.examples)


def test_a_declaration_for_another_person_than_the_allocation_names_counts_too(tmp_path: Path) -> None:
    """Toewijzing 10072 is declared for 999900006 only, but the JW301 allocates it to 999900018: two persons."""
    jw301 = allocation_of_the_declared_toewijzingen().replace("<jw301:Bsn>999900006<", "<jw301:Bsn>999900018<")
    report = rule_report(read_consistency(write_messages(tmp_path, jw301, example("JW323"))), PERSON)
    assert {(e["prestatie"], e["personen"]) for e in report.examples} >= {(1, 2)}


def _start_stop(folder: Path, jw301: str | None, start_date: str, stop_date: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if jw301 is not None:
        (folder / "JW301.xml").write_text(jw301, encoding="utf-8")
    for name, date in (("JW305", start_date), ("JW307", stop_date)):
        text = example(name).replace(
            f"<{name.lower()}:ToewijzingIngangsdatum>2026-04-01<",
            f"<{name.lower()}:ToewijzingIngangsdatum>{date}<",
            1,
        )
        (folder / f"{name}.xml").write_text(text, encoding="utf-8")
    return folder


def test_start_and_stop_messages_agree_with_the_ingangsdatum_of_the_real_examples() -> None:
    report = rule_report(read_consistency(EXAMPLES_32), DATES)
    assert (report.lines, report.checked, report.failed) == (2, 2, 0), "toewijzingen 300201 and 300202"


def test_a_start_naming_another_ingangsdatum_than_the_jw301_is_reported_and_the_jw301_wins(tmp_path: Path) -> None:
    folder = _start_stop(tmp_path, example("JW301"), "2026-04-15", "2026-04-01")
    report = rule_report(read_consistency(folder), DATES)
    assert (report.lines, report.failed) == (2, 1)
    assert report.examples == [
        {
            "toewijzingnummer": "300201",
            "ingangsdatum": "2026-04-01",
            "ingangsdatum_bron": "JW301",
            "andere_ingangsdatums": "2026-04-15",
        }
    ]
    rows = {r["toewijzingnummer"]: r["ingangsdatum"] for r in read_ijw(folder).toewijzingen}
    assert rows["300201"] == "2026-04-01", "the toewijzing keeps the JW301's date"


def test_without_a_jw301_the_first_start_or_stop_in_update_order_wins(tmp_path: Path) -> None:
    """JW305 (Dagtekening 2026-04-15) comes before JW307 (2026-07-20): its 2026-04-15 wins over the stop's date."""
    folder = _start_stop(tmp_path, None, "2026-04-15", "2026-04-01")
    report = rule_report(read_consistency(folder), DATES)
    assert report.examples == [
        {
            "toewijzingnummer": "300201",
            "ingangsdatum": "2026-04-15",
            "ingangsdatum_bron": "JW305",
            "andere_ingangsdatums": "2026-04-01",
        }
    ]
    rows = {r["toewijzingnummer"]: r["ingangsdatum"] for r in read_ijw(folder).toewijzingen}
    assert rows["300201"] == "2026-04-15"


def test_a_file_staged_before_the_cross_message_rules_still_reports_its_line_rules() -> None:
    """A run without a new youth-care delivery keeps the previous delivery's file, which may predate issue 18."""
    current = read_consistency(EXAMPLES_32)
    new_columns = ["niveau", "header_totaal", "som_prestaties", "personen", "ingangsdatum", "ingangsdatum_bron"]
    old = lines_of(current).drop(*new_columns, "andere_ingangsdatums", HEADER, PERSON, DATES)
    assert rule_report(old, AMOUNT) == rule_report(current, AMOUNT)
    assert (rule_report(old, PERSON).checked, rule_report(old, PERSON).not_applicable) == (0, 5)
    assert rule_report(old, DATES).lines == 0


# ------------------------------------------------------------------------------------- Dagster checks
RAW_TOEWIJZINGEN = {"10072", "10073", "10074"}  # of the real JW323


def test_checks_warn_with_counts_and_examples_and_the_run_goes_on(tmp_path: Path) -> None:
    """The hand-made inbox (flat CSV) with the crafted messages added as ijw/, through the real pipeline."""
    write_handmade_inbox(tmp_path / "inbox")
    write_messages(tmp_path / "inbox" / "ijw", allocation_of_the_declared_toewijzingen(), one_inconsistency_per_rule())
    result = materialize_all(tmp_path / "inbox", tmp_path / "out")
    assert result.success, "the checks are not blocking"
    checks = {c.check_name: c for c in result.get_asset_check_evaluations() if c.check_name in CONSISTENCY}
    assert set(checks) == {f"ijw_{rule}" for rule in RULES}
    expected_line = {PRODUCT: 2, AMOUNT: 4, PERIOD: 5}  # the n-th declaration line of the one JW323
    for rule, line in expected_line.items():
        check = checks[f"ijw_{rule}"]
        assert check.asset_key == dg.AssetKey(["staged", "declaraties"])
        assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN and not check.blocking
        meta = {k: v.value for k, v in check.metadata.items()}
        assert meta["jw323_lines"] == 5 and meta["lines_inconsistent"] == 1
        assert meta["lines_checked"] == (5 if rule == PERIOD else 4)
        examples = cast(list[dict[str, int]], meta["examples"])
        assert [(e["bericht"], e["prestatie"]) for e in examples] == [(1, line)]
        assert check.description and check.description.startswith("1 of ")
        assert all(e["toewijzingnummer"] not in RAW_TOEWIJZINGEN for e in examples), "pseudonyms, never raw"
    person = checks[f"ijw_{PERSON}"]  # 10073 of the real JW323 is declared for two persons
    assert not person.passed and person.severity == dg.AssetCheckSeverity.WARN
    assert {k: v.value for k, v in person.metadata.items()}["messages_inconsistent"] == 1
    assert checks[f"ijw_{HEADER}"].passed
    dates = checks[f"ijw_{DATES}"]
    assert dates.passed and dates.asset_key == dg.AssetKey(["staged", "toewijzingen"])
