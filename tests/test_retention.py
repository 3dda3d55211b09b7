"""Retention: person-level rows past their contract's period leave the warehouse; everything else stays.

The hand-made inbox (tests/handmade_inbox.py) has known dates. Measured on 2028-08-01 the P5Y cutoff is
2023-08-01 and the P7Y cutoff (declaraties) 2021-08-01, so these rows are past retention:

- inschrijvingen (datum_uitschrijving): persons 5 (2023-07-15), 6 and 7 (2023-07-10), 9 (2022-10-15) → 4;
  person 2 (2024-07-31) and the open enrolments stay;
- diplomas (datum_diploma 2023-06-30) → 1; verzuim (datum_einde 2022-12-15) → 1;
- bewoners (datum_tot): person 10's first address, ended 2023-05-01 → 1; current addresses stay;
- toewijzingen (einddatum): 1001 (2023-03-31) and 1012 (2022-12-31) → 2; open allocations stay;
- declaraties: every period ends in 2022 or 2023, after the P7Y cutoff → 0.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from pipelines.cli import main as monitor_main
from pipelines.definitions import build_definitions, pipeline_assets
from pipelines.defs.retention import retention_purge
from pipelines.lib.resources import MonitorResource
from pipelines.lib.sealing import read_sealed
from pipelines.lib.warehouse import read_warehouse
from pseudonymisation.contract import CONTRACTS_DIR, ContractError, load_all_contracts, load_contract_file
from pseudonymisation.retention import parse_today, subtract_period
from tests.conftest import materialize_all, pseudonym_of
from tests.handmade_inbox import write_handmade_inbox

TODAY = "2028-08-01"
EXPECTED_REMOVED = {
    "inschrijvingen": 4,
    "diplomas": 1,
    "verzuim": 1,
    "bewoners": 1,
    "toewijzingen": 2,
    "declaraties": 0,
}


@pytest.fixture(scope="module")
def handmade_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("retention")
    write_handmade_inbox(root / "inbox")
    result = materialize_all(root / "inbox", root / "out")
    assert result.success
    return root / "inbox", root / "out"


@pytest.fixture
def work(handmade_run: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the run to purge (the module's run stays as it was for the next test)."""
    inbox, out = handmade_run
    shutil.copytree(out, tmp_path / "out", ignore=shutil.ignore_patterns("dagster", "audit"))
    return inbox, tmp_path / "out"


def purge(inbox: Path, out: Path, today: str = TODAY) -> dict[str, object]:
    """Materialise retention_purge alone, as the weekly job does; return its metadata values."""
    result = dg.materialize(
        [retention_purge],
        resources={"monitor": MonitorResource(inbox=str(inbox), out=str(out))},
        run_config={"ops": {"retention_purge": {"config": {"today": today}}}},
    )
    assert result.success
    metadata = result.asset_materializations_for_node("retention_purge")[0].metadata
    return {key: value.value for key, value in metadata.items()}


def stg_rows(out: Path, source: str) -> pl.DataFrame:
    with read_warehouse(out / "warehouse" / "monitor.duckdb") as con:
        return con.sql(f"SELECT * FROM stg_{source}").pl()


def file_hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_period_is_subtracted_in_calendar_terms() -> None:
    assert subtract_period(date(2028, 8, 1), "P5Y") == date(2023, 8, 1)
    assert subtract_period(date(2028, 2, 29), "P5Y") == date(2023, 2, 28)
    assert subtract_period(date(2026, 3, 31), "P1M") == date(2026, 2, 28)
    assert subtract_period(date(2026, 1, 15), "P18M") == date(2024, 7, 15)
    assert subtract_period(date(2026, 3, 1), "P30D") == date(2026, 1, 30)


def test_today_is_a_date_or_the_current_day() -> None:
    assert parse_today("2028-08-01") == date(2028, 8, 1)
    assert parse_today("") == date.today()
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_today("1-8-2028")


def test_every_person_level_source_names_the_date_its_retention_counts_from() -> None:
    for contract in load_all_contracts().values():
        if contract.identifier_fields:
            assert contract.retentionField is not None, contract.id
            assert contract.field(contract.retentionField).logicalType == "date"
        else:
            assert contract.retentionField is None, f"{contract.id} holds no personal data to purge"


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("einde", "retentionField names unknown field 'einde'"),
        ("brin", "must be a date field that is stored"),
        ("geboortedatum", "must be a date field that is stored"),  # generalised to a month, not stored
    ],
)
def test_a_retention_field_must_name_a_stored_date(tmp_path: Path, field: str, message: str) -> None:
    text = (CONTRACTS_DIR / "inschrijvingen.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "inschrijvingen.yaml"
    broken.write_text(text.replace("retentionField: datum_uitschrijving", f"retentionField: {field}"), encoding="utf-8")
    with pytest.raises(ContractError, match=message):
        load_contract_file(broken)


def test_purge_removes_rows_past_retention_from_parquet_and_duckdb_and_keeps_the_rest(
    work: tuple[Path, Path],
) -> None:
    inbox, out = work
    contracts = load_all_contracts()
    staged = out / "warehouse" / "staged"
    before = {s: read_sealed(staged / f"{s}.parquet") for s in EXPECTED_REMOVED}
    metadata = purge(inbox, out)
    per_source = metadata["per_source"]
    assert isinstance(per_source, dict)
    for source, removed in EXPECTED_REMOVED.items():
        contract = contracts[source]
        field = contract.retentionField
        assert field is not None
        cutoff = subtract_period(date(2028, 8, 1), contract.retention)
        after = read_sealed(staged / f"{source}.parquet")
        kept = before[source].filter(pl.col(field).is_null() | (pl.col(field) >= cutoff))
        assert after.height == before[source].height - removed, source
        assert after.equals(kept), f"{source}: exactly the rows at or after the cutoff stay, in order"
        columns = after.columns
        assert stg_rows(out, source).sort(columns, nulls_last=True).equals(after.sort(columns, nulls_last=True))
        counts = per_source[source]
        assert counts["parquet_removed"] == counts["duckdb_removed"] == removed, source
        assert counts["parquet_rows_before"] == counts["duckdb_rows_before"] == before[source].height
        assert metadata[f"removed_{source}"] == removed
    assert metadata["rows_removed"] == sum(EXPECTED_REMOVED.values()) == 9
    open_enrolments = read_sealed(staged / "inschrijvingen.parquet").filter(pl.col("datum_uitschrijving").is_null())
    assert open_enrolments.height == before["inschrijvingen"].filter(pl.col("datum_uitschrijving").is_null()).height


def test_reference_sources_are_not_purged(work: tuple[Path, Path]) -> None:
    inbox, out = work
    staged = out / "warehouse" / "staged"
    before = {s: (staged / f"{s}.parquet").read_bytes() for s in ("scholen", "wijken", "pc6hnr")}
    metadata = purge(inbox, out)
    per_source = metadata["per_source"]
    assert isinstance(per_source, dict) and set(per_source) == set(EXPECTED_REMOVED)
    assert before == {s: (staged / f"{s}.parquet").read_bytes() for s in before}


def test_linked_tables_are_rebuilt_without_the_purged_rows(work: tuple[Path, Path]) -> None:
    inbox, out = work
    metadata = purge(inbox, out)
    assert "trajectories" in str(metadata["linked_tables_rebuilt"])
    with read_warehouse(out / "warehouse" / "monitor.duckdb") as con:
        trajectories = set(con.sql("SELECT toewijzingnummer FROM trajectories").pl().get_column("toewijzingnummer"))
        persons = con.sql("SELECT count(*) AS n FROM persons").pl().item()
        stg_persons = (
            con.sql(
                "SELECT count(DISTINCT person_id) AS n FROM (SELECT person_id FROM stg_inschrijvingen UNION ALL "
                "SELECT person_id FROM stg_bewoners UNION ALL SELECT person_id FROM stg_toewijzingen UNION ALL "
                "SELECT person_id FROM stg_declaraties UNION ALL SELECT person_id FROM stg_verzuim UNION ALL "
                "SELECT person_id FROM stg_diplomas)"
            )
            .pl()
            .item()
        )
    kept = {pseudonym_of("toewijzingnummer", n) for n in ("1003", "1010", "1011")}
    assert trajectories == kept, "allocations 1001 and 1012 ended before the cutoff"
    assert persons == stg_persons


def test_published_aggregates_are_never_touched(work: tuple[Path, Path]) -> None:
    inbox, out = work
    published = file_hashes(out / "publish")
    protected = file_hashes(out / "warehouse" / "protected")
    purge(inbox, out)
    assert file_hashes(out / "publish") == published
    assert file_hashes(out / "warehouse" / "protected") == protected


def test_nothing_past_retention_means_nothing_rewritten(work: tuple[Path, Path]) -> None:
    inbox, out = work
    staged = file_hashes(out / "warehouse" / "staged")
    metadata = purge(inbox, out, today="2026-11-24")  # P5Y cutoff 2021-11-24: every hand-made date is later
    assert metadata["rows_removed"] == 0
    assert metadata["linked_tables_rebuilt"] == "none"
    assert file_hashes(out / "warehouse" / "staged") == staged


def test_the_audit_fails_on_any_row_past_retention_and_passes_after_the_purge(
    work: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    inbox, out = work
    assert monitor_main(["audit", "--out", str(out), "--today", TODAY]) == 2, "a row past retention blocks"
    captured = capsys.readouterr()
    assert captured.out.startswith("Audit NIET geslaagd")
    assert "9 rijen voorbij de bewaartermijn" in captured.out
    assert "9 row(s) past retention in the warehouse" in captured.err
    report = (out / "audit" / "audit.md").read_text(encoding="utf-8")
    assert "| `toewijzingen` | 5 jaar (P5Y) | `einddatum` (leeg = loopt nog: de rij blijft) | 2023-08-01 |" in report
    summary = json.loads((out / "audit" / "audit.json").read_text(encoding="utf-8"))
    assert summary["passed"] is False and summary["rows_past_retention"] == 9
    purge(inbox, out)
    assert monitor_main(["audit", "--out", str(out), "--today", TODAY]) == 0
    assert "voorbij de bewaartermijn" not in capsys.readouterr().out


def test_ingest_leaves_out_rows_past_retention_and_counts_them(tmp_path: Path) -> None:
    """Measured from TODAY the same rows the purge would remove never reach the warehouse, nor this run."""
    write_handmade_inbox(tmp_path / "inbox")
    result = materialize_all(tmp_path / "inbox", tmp_path / "out", today=TODAY)
    assert result.success
    contracts = load_all_contracts()
    staged = tmp_path / "out" / "warehouse" / "staged"
    manifest = json.loads((tmp_path / "out" / "publish" / "manifest.json").read_text(encoding="utf-8"))
    for source, removed in EXPECTED_REMOVED.items():
        summary = json.loads((staged / f"{source}.summary.json").read_text(encoding="utf-8"))
        assert summary["rows_past_retention"] == removed, source
        assert summary["rows_read"] == summary["rows_accepted"] + summary["rows_quarantined"] + removed, source
        assert manifest["rows"][source]["rows_past_retention"] == removed, source
        field, cutoff = contracts[source].retentionField, subtract_period(date(2028, 8, 1), contracts[source].retention)
        assert field is not None
        rows = read_sealed(staged / f"{source}.parquet")
        assert rows.filter(pl.col(field) < cutoff).height == 0, source
        assert stg_rows(tmp_path / "out", source).filter(pl.col(field) < cutoff).height == 0, source
    with read_warehouse(tmp_path / "out" / "warehouse" / "monitor.duckdb") as con:
        trajectories = set(con.sql("SELECT toewijzingnummer FROM trajectories").pl().get_column("toewijzingnummer"))
    kept = {pseudonym_of("toewijzingnummer", n) for n in ("1003", "1010", "1011")}
    assert trajectories == kept, "allocations 1001 and 1012 ended before the cutoff: never used"
    assert monitor_main(["audit", "--out", str(tmp_path / "out"), "--today", TODAY]) == 0


def test_the_purge_runs_after_the_publication_in_every_run_and_weekly_on_its_own() -> None:
    defs = build_definitions()
    graph = defs.resolve_asset_graph()
    assert graph.get(retention_purge.key).parent_keys == {dg.AssetKey("publication")}
    assert retention_purge.key in defs.resolve_job_def("monitor_job").asset_layer.executable_asset_keys
    assert set(defs.resolve_job_def("retention_job").asset_layer.executable_asset_keys) == {retention_purge.key}
    schedule = defs.resolve_schedule_def("weekly_retention")
    assert schedule.cron_schedule == "0 5 * * 1"
    assert schedule.job_name == "retention_job"
    in_a_test_run = {key for a in pipeline_assets() for key in ([a.key] if isinstance(a, dg.AssetSpec) else a.keys)}
    assert retention_purge.key not in in_a_test_run, "test runs (materialize_all) do not purge as of the real today"
