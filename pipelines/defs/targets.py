"""Targets (streefwaarden): progress per agreed target, from the protected indicators only, and its check.

`doelen.parquet` is written to `warehouse/protected/` next to the indicators and published with them, only after
the blocking check (`pipelines.targets.check`) found no number in it that the published cells do not show.
"""

import dagster as dg
import polars as pl

from pipelines.lib.check_results import check_result
from pipelines.lib.keys import OWNER
from pipelines.lib.resources import MonitorResource
from pipelines.publish.publication import TARGETS_FILE
from pipelines.targets.agreements import load_targets
from pipelines.targets.check import check_targets
from pipelines.targets.progress import target_progress


@dg.asset(
    group_name="protect",
    deps=["protected_indicators"],
    owners=[OWNER],
    kinds={"polars", "parquet"},
    description="Per agreed target and unit: baseline, latest value with its interval, the straight path and a "
    "status (op koers / niet op koers / niet te beoordelen), from the protected indicators only.",
)
def protected_targets(monitor: MonitorResource) -> dg.MaterializeResult:
    config = monitor.config
    published = pl.read_parquet(monitor.paths.protected / "indicatoren.parquet")
    doelen = target_progress(load_targets(config.targets_file), published, config.gemeente_code)
    doelen.write_parquet(monitor.paths.protected / TARGETS_FILE)
    statuses = doelen.get_column("status").value_counts().rows()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": doelen.height,
            "targets_file": dg.MetadataValue.path(str(config.targets_file)),
            "status": dg.MetadataValue.json(dict(statuses)),
        }
    )


@dg.asset_check(
    asset=protected_targets,
    name="targets_disclosure_check",
    blocking=True,
    description="Every number in doelen.parquet is that of a cell shown in the protected indicators; a target on a "
    "suppressed cell shows no value and is not assessed.",
)
def targets_disclosure_check(monitor: MonitorResource) -> dg.AssetCheckResult:
    protected = monitor.paths.protected
    report = check_targets(
        pl.read_parquet(protected / TARGETS_FILE), pl.read_parquet(protected / "indicatoren.parquet")
    )
    return check_result(report)
