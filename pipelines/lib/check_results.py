"""A disclosure check's outcome as the Dagster UI shows it, the same for every published table's check."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import dagster as dg


class Report(Protocol):
    """What every independent check reports (`protect.disclosure_check.CheckReport` and its kin)."""

    @property
    def passed(self) -> bool: ...

    @property
    def tried(self) -> Sequence[str]: ...

    @property
    def violations(self) -> Sequence[Any]: ...


def check_result(report: Report, **metadata: float) -> dg.AssetCheckResult:
    """Passed or not, what was tried, the first 50 violations and their number."""
    return dg.AssetCheckResult(
        passed=report.passed,
        metadata={
            "tried": dg.MetadataValue.json(list(report.tried)),
            "violations": dg.MetadataValue.json(list(report.violations[:50])),
            "n_violations": len(report.violations),
            **metadata,
        },
    )
