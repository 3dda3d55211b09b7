"""The Dagster definitions: a newcomer sees the flow from the asset graph alone."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg

from pipelines.definitions import build_definitions
from pipelines.defs.automation import inbox_sensor
from pipelines.lib.resources import MonitorResource

STAGES = ["inbox", "ingest", "link", "indicators", "protect", "publish"]


def test_every_asset_sits_in_a_stage_group_with_a_description_and_an_owner() -> None:
    graph = build_definitions().resolve_asset_graph()
    groups = set()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        groups.add(node.group_name)
        assert node.group_name in STAGES, key
        assert node.description, key
        assert node.owners, key
    assert groups == set(STAGES)


def test_stages_follow_each_other_in_the_graph() -> None:
    graph = build_definitions().resolve_asset_graph()
    order = {name: i for i, name in enumerate(STAGES)}
    for key in graph.get_all_asset_keys():
        for parent in graph.get(key).parent_keys:
            assert order[graph.get(parent).group_name] <= order[graph.get(key).group_name], (parent, key)


def test_job_schedule_and_sensor_are_defined() -> None:
    defs = build_definitions()
    assert defs.resolve_job_def("monitor_job")
    assert defs.resolve_schedule_def("monthly_monitor").cron_schedule == "0 6 1 * *"
    for name in ("monthly_monitor", "weekly_retention"):  # the README says they run on their own
        assert defs.resolve_schedule_def(name).default_status == dg.DefaultScheduleStatus.RUNNING, name
    assert defs.resolve_sensor_def("new_export_in_inbox")


def test_sensor_requests_a_run_only_when_the_inbox_changes(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "inschrijvingen.csv").write_text("bsn\n", encoding="utf-8")
    os.utime(inbox / "inschrijvingen.csv", (time.time() - 60, time.time() - 60))  # delivered a minute ago
    monitor = MonitorResource(inbox=str(inbox), out=str(tmp_path / "out"))

    def evaluate(cursor: str | None = None) -> dg.SensorResult:
        with dg.build_sensor_context(cursor=cursor, resources={"monitor": monitor}) as context:
            result = inbox_sensor(context)
        assert isinstance(result, dg.SensorResult)
        return result

    first = evaluate()
    assert first.run_requests and first.cursor
    again = evaluate(first.cursor)
    assert not again.run_requests
    (inbox / "bewoners.csv").write_text("bsn\n", encoding="utf-8")
    writing = evaluate(first.cursor)
    assert not writing.run_requests and "still being written" in str(writing.skip_reason), "waits for a stable file"
    os.utime(inbox / "bewoners.csv", (time.time() - 60, time.time() - 60))
    changed = evaluate(first.cursor)
    assert changed.run_requests and changed.cursor != first.cursor


def test_sensor_starts_no_run_when_a_run_has_emptied_the_inbox(tmp_path: Path) -> None:
    """After a successful ingest the exports leave the inbox: that change is no new delivery."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    export = inbox / "inschrijvingen.csv"
    export.write_text("bsn\n", encoding="utf-8")
    delivered = time.time() - 60  # a delivery that is complete (stable for longer than [inbox] stable_seconds)
    os.utime(export, (delivered, delivered))
    monitor = MonitorResource(inbox=str(inbox), out=str(tmp_path / "out"))
    with dg.build_sensor_context(resources={"monitor": monitor}) as context:
        first = inbox_sensor(context)
    assert isinstance(first, dg.SensorResult)
    assert first.run_requests, "a complete delivery starts a run"
    export.unlink()
    with dg.build_sensor_context(cursor=first.cursor, resources={"monitor": monitor}) as context:
        emptied = inbox_sensor(context)
    assert isinstance(emptied, dg.SensorResult)
    assert not emptied.run_requests and emptied.cursor != first.cursor
