"""When the monitor runs: a monthly schedule, and a sensor that starts a run when a new export lands."""

import hashlib
import time
from pathlib import Path

import dagster as dg

from pipelines.lib.resources import MonitorResource

monitor_job = dg.define_asset_job(
    "monitor_job",
    # Everything but the partitioned scale-out path (pipelines/defs/partitions.py, its own jobs).
    selection=dg.AssetSelection.all() - dg.AssetSelection.tag("scale_out", "true"),
    description="Every stage: ingest → validate → pseudonymise → link → indicators → protect → publish.",
)

monthly_schedule = dg.ScheduleDefinition(
    name="monthly_monitor",
    job=monitor_job,
    cron_schedule="0 6 1 * *",
    execution_timezone="Europe/Amsterdam",
    description="On the 1st of every month at 06:00, after the monthly exports have been delivered.",
    # On by default, as the README promises; it fires while a Dagster daemon runs (make ui starts one).
    default_status=dg.DefaultScheduleStatus.RUNNING,
)


def inbox_signature(inbox: Path) -> str:
    """A fingerprint of the inbox's file names, sizes and modification times (not of their contents)."""
    digest = hashlib.sha256()
    if inbox.is_dir():
        for path in sorted(p for p in inbox.rglob("*") if p.is_file()):
            stat = path.stat()
            digest.update(f"{path.relative_to(inbox)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def still_being_written(inbox: Path, stable_seconds: float) -> bool:
    """True while some inbox file changed within the last `stable_seconds` (ingest waits the same way)."""
    if not inbox.is_dir():
        return False
    newest = max((p.stat().st_mtime for p in inbox.rglob("*") if p.is_file()), default=0.0)
    return time.time() - newest < stable_seconds


EMPTY_INBOX = hashlib.sha256().hexdigest()[:16]


@dg.sensor(
    name="new_export_in_inbox",
    job=monitor_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Starts a run when a file in the inbox is added or changed, once no file changed for "
    "[inbox] stable_seconds.",
)
def inbox_sensor(context: dg.SensorEvaluationContext, monitor: MonitorResource) -> dg.SensorResult:
    signature = inbox_signature(monitor.paths.inbox)
    if signature == context.cursor:
        return dg.SensorResult(skip_reason="No new or changed export in the inbox.")
    if signature == EMPTY_INBOX:  # a run has just released the exports it ingested: nothing new to run on
        return dg.SensorResult(skip_reason="The inbox is empty.", cursor=signature)
    if still_being_written(monitor.paths.inbox, monitor.config.stable_seconds):
        # No cursor update: the next evaluation sees the change again, once the delivery is complete.
        return dg.SensorResult(skip_reason="An export in the inbox is still being written; waiting until it is stable.")
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=signature)], cursor=signature)
