"""Both youth-care forms (flat CSV, iJw 3.2 messages) of one synthetic population give the same monitor.

Spec §1: "Both youth-care forms produce the same canonical tables." The generator writes the same care once
as ``toewijzingen.csv`` + ``declaraties.csv`` and once as a folder of iJw messages (same seed, no defects, so
nothing else differs); the reader must turn the messages into the same rows, and the real pipeline must then
compute the same indicators to the last decimal. The consistency checks of iJw declarations have nothing to
check in the flat form and say so.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import dagster as dg
import polars as pl
import pytest

from pipelines.defs.youth_care_checks import NOT_APPLICABLE
from pipelines.lib.sealing import read_sealed
from pipelines.lib.warehouse import read_warehouse
from pseudonymisation.ijw import DECLARATIE_COLUMNS, TOEWIJZING_COLUMNS, IjwResult, read_ijw
from pseudonymisation.ijw_consistency import LINE, RULE_LEVEL, RULES
from tests.conftest import clean_synthetic_run

# Every consistency rule's check (the plausibility gate ijw_quarantine_share beside them is not one).
CONSISTENCY = {f"ijw_{rule}" for rule in RULES}

FORMS = ("csv", "ijw")
PROVENANCE = ("source_file", "source_line")


class Run(NamedTuple):
    inbox: Path
    out: Path
    checks: Sequence[dg.AssetCheckEvaluation]


@pytest.fixture(scope="module")
def runs(
    clean_csv_run: tuple[Path, dg.ExecuteInProcessResult], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Run]:
    """The same population generated and run once per form (the CSV form is the session's clean run)."""
    csv_root, csv_result = clean_csv_run
    ijw_root = tmp_path_factory.mktemp("ijw")
    ijw_result = clean_synthetic_run(ijw_root, "ijw")
    return {
        "csv": Run(csv_root / "inbox", csv_root / "out", csv_result.get_asset_check_evaluations()),
        "ijw": Run(ijw_root / "inbox", ijw_root / "out", ijw_result.get_asset_check_evaluations()),
    }


@pytest.fixture(scope="module")
def read_messages(runs: dict[str, Run]) -> IjwResult:
    return read_ijw(runs["ijw"].inbox / "ijw")


def _csv_rows(path: Path, columns: tuple[str, ...]) -> list[tuple[str | None, ...]]:
    """Rows of a generated form-B export in the reader's conventions: empty = None, euro with a point."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        rows = [
            tuple((row[c].replace(",", ".") if c == "bedrag" else row[c]) or None for c in columns) for row in reader
        ]
    return sorted(rows, key=repr)


def _ijw_rows(rows: list[dict[str, str | None]], columns: tuple[str, ...]) -> list[tuple[str | None, ...]]:
    return sorted((tuple(row[c] for c in columns) for row in rows), key=repr)


def _indicators(out: Path) -> pl.DataFrame:
    with read_warehouse(out / "warehouse" / "monitor.duckdb") as con:
        table = con.sql("SELECT * FROM indicators").pl()
    return table.sort(table.columns, nulls_last=True)


def test_the_two_inboxes_differ_only_in_the_youth_care_form(runs: dict[str, Run]) -> None:
    csv_inbox, ijw_inbox = runs["csv"].inbox, runs["ijw"].inbox
    assert (csv_inbox / "toewijzingen.csv").is_file() and not (csv_inbox / "ijw").exists()
    assert not (ijw_inbox / "toewijzingen.csv").exists() and len(list((ijw_inbox / "ijw").glob("*.xml"))) > 1000
    for name in ("inschrijvingen.csv", "diplomas.csv", "verzuim.csv", "bewoners.csv", "scholen.csv", "pc6hnr.csv"):
        assert (csv_inbox / name).read_bytes() == (ijw_inbox / name).read_bytes(), name


def test_reader_turns_the_messages_into_the_rows_of_the_flat_export(
    runs: dict[str, Run], read_messages: IjwResult
) -> None:
    csv_inbox, result = runs["csv"].inbox, read_messages
    assert result.rejected == [] and result.unmatched_credits == 0 and result.unlinked_products == 0
    trajectories = tuple(c for c in TOEWIJZING_COLUMNS if c not in PROVENANCE)
    lines = tuple(c for c in DECLARATIE_COLUMNS if c not in PROVENANCE)
    expected_trajectories = _csv_rows(csv_inbox / "toewijzingen.csv", trajectories)
    expected_lines = _csv_rows(csv_inbox / "declaraties.csv", lines)
    assert len(expected_trajectories) > 500 and len(expected_lines) > 5000
    assert _ijw_rows(result.toewijzingen, trajectories) == expected_trajectories
    assert _ijw_rows(result.declaraties, lines) == expected_lines


def test_staged_youth_care_tables_are_equal(runs: dict[str, Run]) -> None:
    for source in ("toewijzingen", "declaraties"):
        staged = {
            form: read_sealed(run.out / "warehouse" / "staged" / f"{source}.parquet") for form, run in runs.items()
        }
        columns = [c for c in staged["csv"].columns if not c.startswith("_") and c not in PROVENANCE]
        assert columns == [c for c in staged["ijw"].columns if not c.startswith("_") and c not in PROVENANCE]
        a, b = (staged[form].select(columns).sort(columns, nulls_last=True) for form in FORMS)
        assert a.height > 500
        assert a.equals(b), source


def test_indicators_are_identical(runs: dict[str, Run]) -> None:
    from_csv, from_ijw = _indicators(runs["csv"].out), _indicators(runs["ijw"].out)
    youth_care = from_csv.filter(pl.col("indicator").str.contains("^[ABCDL]"))
    present = set(youth_care.get_column("indicator"))
    non_zero = set(youth_care.filter(pl.col("teller") > 0).get_column("indicator"))
    assert {"A1", "B1", "C1"} <= present == non_zero, "a meaningful scale: every youth-care indicator has cases"
    assert from_csv.height == from_ijw.height > 1000
    assert from_csv.equals(from_ijw)


def test_only_the_ijw_form_is_checked_for_consistency(runs: dict[str, Run], read_messages: IjwResult) -> None:
    tables = {
        form: pl.read_parquet(run.out / "warehouse" / "staged" / "ijw_consistency.parquet")
        for form, run in runs.items()
    }
    assert tables["csv"].height == 0
    lines = tables["ijw"].filter(pl.col("niveau") == LINE)
    assert lines.height == len(read_messages.declaraties)
    rules = [rule for rule in RULES if RULE_LEVEL[rule] == LINE]
    assert lines.select(pl.all_horizontal(rules).all()).item(), "defects=False: every line consistent"


def test_consistency_checks_pass_as_not_applicable_for_the_flat_form(runs: dict[str, Run]) -> None:
    for form in FORMS:
        checks = {c.check_name: c for c in runs[form].checks if c.check_name in CONSISTENCY}
        assert set(checks) == {f"ijw_{rule}" for rule in RULES}
        assert all(c.passed for c in checks.values())
        for rule in RULES:
            table = "declaraties" if RULE_LEVEL[rule] == LINE else "toewijzingen"
            assert checks[f"ijw_{rule}"].asset_key == dg.AssetKey(["staged", table])
        described_as_not_applicable = {
            c.description == NOT_APPLICABLE[RULE_LEVEL[c.check_name.removeprefix("ijw_")]] for c in checks.values()
        }
        assert described_as_not_applicable == {form == "csv"}
