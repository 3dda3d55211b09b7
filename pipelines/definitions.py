"""The Dagster definitions of the monitor: the same graph for the UI, the CLI and the tests.

Stages, each a group in the asset graph:
inbox → ingest (validate + pseudonymise) → link → indicators → protect → publish.
"""

import dagster as dg

from pipelines.defs.automation import inbox_sensor, monitor_job, monthly_schedule
from pipelines.defs.indicators import indicator_assets, indicator_checks, protected_outputs
from pipelines.defs.ingest import inbox_specs, quality_checks, released_inbox, source_assets, staged_youth_care
from pipelines.defs.link import link_assets, warehouse
from pipelines.defs.partitions import SCALE_OUT_ASSETS, regional_ingest_job, regional_publication_job, yearly_job
from pipelines.defs.plausibility import plausibility_checks
from pipelines.defs.protect import disclosure_check, protected_indicators, warehouse_sealed_and_owner_only
from pipelines.defs.publish import publication
from pipelines.defs.retention import retention_job, retention_purge, weekly_retention
from pipelines.defs.youth_care_checks import consistency_checks
from pipelines.lib.owner_only import restrict_umask
from pipelines.lib.resources import MonitorResource, default_monitor_resource

# Dagster's own processes (dagster dev, dg launch, step workers) load this module before they write: from here
# on they create files owner-only, like `monitor run` (pipelines/lib/owner_only.py).
restrict_umask()

STAGES = ("inbox", "ingest", "link", "indicators", "protect", "publish")  # the asset groups, in flow order
ASSETS: list[dg.AssetsDefinition | dg.AssetSpec] = [
    *inbox_specs,
    *source_assets,
    staged_youth_care,
    released_inbox,
    warehouse,
    *link_assets,
    *indicator_assets,
    protected_indicators,
    *protected_outputs,
    publication,
]
CHECKS = [
    *quality_checks,
    *plausibility_checks,
    *consistency_checks,
    disclosure_check,
    warehouse_sealed_and_owner_only,
    *indicator_checks,
]
# Not in ASSETS (which the tests materialise per pipeline run): the purge runs after the publication in
# monitor_job and weekly in retention_job, and deletes what is past retention as of the day it runs.
MAINTENANCE = [retention_purge]
# The same stages partitioned per gemeente and school year (pipelines/defs/partitions.py), outside monitor_job.


def build_definitions(monitor: MonitorResource | None = None) -> dg.Definitions:
    """Definitions bound to one installation's paths (tests and the CLI pass their own)."""
    return dg.Definitions(
        assets=[*ASSETS, *MAINTENANCE, *SCALE_OUT_ASSETS],
        asset_checks=CHECKS,
        jobs=[monitor_job, retention_job, regional_ingest_job, yearly_job(), regional_publication_job],
        schedules=[monthly_schedule, weekly_retention],
        sensors=[inbox_sensor],
        resources={"monitor": monitor or default_monitor_resource()},
        # One DuckDB file allows one writer: steps run one after another in the run's process
        # (yearly_job, whose partitions each have their own DuckDB file, sets its own executor).
        executor=dg.in_process_executor,
    )


def yearly_job_for_workers() -> dg.JobDefinition:
    """yearly_job as worker processes rebuild it: dagster.reconstructable needs a module-level function."""
    return build_definitions().resolve_job_def("yearly_job")


defs = build_definitions()
