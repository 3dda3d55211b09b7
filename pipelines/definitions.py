"""The Dagster definitions of the monitor: the same graph for the UI, the CLI and the tests.

Stages, each a group in the asset graph:
inbox → ingest (validate + pseudonymise) → link → indicators → protect → publish.

Every asset, check, job, schedule and sensor is found in `pipelines/defs/` (`dg.load_from_defs_folder`, one module
per stage, none importing another); this module only binds them to an installation (the `monitor` resource) and
the executor, and adds the partitioned job, whose executor the deployment chooses (MONITOR_EXECUTOR).
"""

from functools import cache
from pathlib import Path

import dagster as dg

from pipelines.defs.partitions import yearly_job
from pipelines.lib.owner_only import restrict_umask
from pipelines.lib.resources import MonitorResource, default_monitor_resource

# Dagster's own processes (dagster dev, dg launch, step workers) load this module before they write: from here
# on they create files owner-only, like `monitor run` (pipelines/lib/owner_only.py).
restrict_umask()

PROJECT_ROOT = Path(__file__).resolve().parents[1]
STAGES = ("inbox", "ingest", "link", "indicators", "protect", "publish")  # the asset groups, in flow order
# Left out of a test's pipeline run (materialize_all): the scale-out assets, which run in their own jobs, and the
# retention purge, which follows the publication in monitor_job and weekly in retention_job and deletes what is
# past retention as of the day it runs.
OUTSIDE_THE_PIPELINE_RUN = ("scale_out", "maintenance")


@cache
def autoloaded() -> dg.Definitions:
    """Everything `pipelines/defs/` defines, loaded once per process."""
    return dg.load_from_defs_folder(project_root=PROJECT_ROOT)


def _tags(asset: object) -> dict[str, str]:
    if isinstance(asset, dg.AssetSpec):
        return dict(asset.tags)
    if isinstance(asset, dg.AssetsDefinition):
        return {k: v for tags in asset.tags_by_key.values() for k, v in tags.items()}
    return {}


def pipeline_assets() -> list[dg.AssetsDefinition | dg.AssetSpec]:
    """The assets of one ordinary pipeline run, inbox to publication."""
    return [
        a
        for a in autoloaded().assets or []
        if isinstance(a, dg.AssetsDefinition | dg.AssetSpec)
        and not any(_tags(a).get(tag) == "true" for tag in OUTSIDE_THE_PIPELINE_RUN)
    ]


def pipeline_checks() -> list[dg.AssetChecksDefinition]:
    return [c for c in autoloaded().asset_checks or [] if isinstance(c, dg.AssetChecksDefinition)]


def build_definitions(monitor: MonitorResource | None = None) -> dg.Definitions:
    """Definitions bound to one installation's paths (tests and the CLI pass their own)."""
    return dg.Definitions.merge(
        autoloaded(),
        dg.Definitions(
            jobs=[yearly_job()],
            resources={"monitor": monitor or default_monitor_resource()},
            # One DuckDB file allows one writer: steps run one after another in the run's process
            # (yearly_job, whose partitions each have their own DuckDB file, sets its own executor).
            executor=dg.in_process_executor,
        ),
    )


def yearly_job_for_workers() -> dg.JobDefinition:
    """yearly_job as worker processes rebuild it: dagster.reconstructable needs a module-level function."""
    return build_definitions().resolve_job_def("yearly_job")


defs = build_definitions()
