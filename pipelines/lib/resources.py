"""The one Dagster resource: where this installation's inbox and outputs are, and its configuration.

It carries paths only. The pseudonymisation key is read from the environment when a step needs it and
is never part of the resource's config, so it cannot show up in run config or the Dagster UI.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipelines.lib.settings import DEFAULT_CONFIG, MonitorConfig, Paths
from pseudonymisation.config import load_hashing_config
from pseudonymisation.key import KeyError_, load_key
from pseudonymisation.pseudonymiser import Pseudonymiser


class MonitorResource(dg.ConfigurableResource):
    """Inbox, output root and configuration file of one monitor installation."""

    inbox: str = "data/inbox"
    out: str = "data"
    config_file: str = str(DEFAULT_CONFIG)
    # Where raw exports go after a successful ingest: a folder the data holder controls; empty = deleted.
    raw_to: str = ""

    @property
    def raw_destination(self) -> Path | None:
        """The holder's folder for ingested raw exports, or None (deleted); never inside the inbox or output."""
        if not self.raw_to:
            return None
        target = Path(self.raw_to).resolve()
        paths = self.paths
        if target.is_relative_to(paths.inbox) or target.is_relative_to(paths.out):
            raise dg.Failure(description=f"--raw-to {target} lies inside the inbox or the output; choose the holder's.")
        return target

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
    """Paths from MONITOR_INBOX / MONITOR_OUT / MONITOR_RAW_TO (set by `monitor run` and `monitor ui`), else data/."""
    return MonitorResource(
        inbox=os.environ.get("MONITOR_INBOX", "data/inbox"),
        out=os.environ.get("MONITOR_OUT", "data"),
        config_file=os.environ.get("MONITOR_CONFIG", str(DEFAULT_CONFIG)),
        raw_to=os.environ.get("MONITOR_RAW_TO", ""),
    )
