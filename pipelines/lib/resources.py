"""The one Dagster resource: where this installation's inbox and outputs are, and its configuration.

It carries paths only. The pseudonymisation key is read from the environment when a step needs it and
is never part of the resource's config, so it cannot show up in run config or the Dagster UI.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
from pydantic import Field

from pipelines.lib.settings import DEFAULT_CONFIG, MonitorConfig, Paths
from pseudonymisation.config import load_hashing_config
from pseudonymisation.key import KeyError_, load_key
from pseudonymisation.pseudonymiser import Pseudonymiser


class MonitorResource(dg.ConfigurableResource):
    """Inbox, output root and configuration file of one monitor installation."""

    inbox: str = "data/inbox"
    out: str = "data"
    config_file: str = str(DEFAULT_CONFIG)
    # Whether the publication exports report charts as PNG/SVG; MONITOR_CHART_EXPORTS=0 skips them (tests).
    chart_exports: bool = Field(default_factory=lambda: os.environ.get("MONITOR_CHART_EXPORTS", "1") != "0")

    @property
    def paths(self) -> Paths:
        return Paths(inbox=Path(self.inbox).resolve(), out=Path(self.out).resolve())

    @property
    def config(self) -> MonitorConfig:
        return MonitorConfig.load(Path(self.config_file))

    def pseudonymiser(self) -> Pseudonymiser:
        """The keyed pseudonymiser, or a Dagster failure that says how to provide the key."""
        hashing = load_hashing_config()
        try:
            key = load_key(hashing)
        except KeyError_ as exc:
            raise dg.Failure(description=str(exc)) from None
        return Pseudonymiser(hashing, key)


def default_monitor_resource() -> MonitorResource:
    """Paths from MONITOR_INBOX / MONITOR_OUT (set by `monitor run` and `monitor ui`), else data/."""
    return MonitorResource(
        inbox=os.environ.get("MONITOR_INBOX", "data/inbox"),
        out=os.environ.get("MONITOR_OUT", "data"),
        config_file=os.environ.get("MONITOR_CONFIG", str(DEFAULT_CONFIG)),
    )
