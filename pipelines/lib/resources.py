"""The one Dagster resource: where this installation's inbox and outputs are, and its configuration.

It carries paths only, and holds the output folder's lock for the length of a run (pipelines/lib/lock.py).
In the two-step mode (production) the analyst holds no pseudonymisation key at all: ingest checks the receipts
against the fingerprints in monitor.toml (`expected_keys`). Only the single-key mode (tests, trials) reads a
key, from the environment when a step needs it; it is never part of the resource's config, so it cannot show
up in run config or the Dagster UI.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from pydantic import Field, PrivateAttr

from pipelines.lib.lock import UNATTENDED_WAIT_SECONDS, held_by_ancestor, output_lock, wait_seconds
from pipelines.lib.run_history import end_unfinished_run
from pipelines.lib.settings import MonitorConfig, Paths, configured_path
from pipelines.lib.staged_snapshot import drop_snapshot, ingest_failed, restore_snapshot, take_snapshot
from pipelines.lib.warehouse import one_connection_per_run
from pseudonymisation.config import HashingConfig, load_hashing_config
from pseudonymisation.key import KeyError_, load_key
from pseudonymisation.pseudonymiser import Pseudonymiser
from pseudonymisation.receipts import ExpectedKeys


class MonitorResource(dg.ConfigurableResource):
    """Inbox, output root and configuration file of one monitor installation."""

    inbox: str = "data/inbox"
    out: str = "data"
    # monitor.toml of this installation: MONITOR_CONFIG when set, else the repository's.
    config_file: str = Field(default_factory=lambda: str(configured_path()))
    # Whether the publication exports report charts as PNG/SVG; MONITOR_CHART_EXPORTS=0 skips them (tests).
    chart_exports: bool = Field(default_factory=lambda: os.environ.get("MONITOR_CHART_EXPORTS", "1") != "0")
    # Where raw exports go after a successful ingest: a folder the data holder controls; empty = deleted.
    raw_to: str = ""
    _config: MonitorConfig | None = PrivateAttr(default=None)

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
        """This installation's monitor.toml, read and validated once per resource (so once per run and step)."""
        if self._config is None:
            self._config = MonitorConfig.load(Path(self.config_file))
        return self._config

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[MonitorResource]:
        """Every run holds its output folder's lock while its steps run (a UI-launched run as a CLI run), and its
        steps share one warehouse connection (`pipelines.lib.warehouse.one_connection_per_run`).

        Sensors and schedules evaluate without a run and take no lock; a partitioned run's worker processes
        run under the lock of the `monitor run` that started them. Staged files are replaced only when the
        run's whole ingest succeeds (pipelines/lib/staged_snapshot.py)."""
        run = context.dagster_run
        out = self.paths.out
        if run is None or held_by_ancestor(out):
            with one_connection_per_run(self.paths):
                yield self
            return
        wait = wait_seconds(UNATTENDED_WAIT_SECONDS)
        with output_lock(out, f"Dagster run of {run.job_name}", run.run_id, wait) as held:
            if context.instance is not None:
                end_unfinished_run(context.instance, out, held.stale)
            staged = self.paths.staged
            restore_snapshot(staged)  # left by a run that died: its half-replaced staged files go back
            take_snapshot(staged)
            with one_connection_per_run(self.paths):
                yield self
            if context.instance is not None and ingest_failed(context.instance, run.run_id):
                restore_snapshot(staged)
            else:
                drop_snapshot(staged)

    def hashing(self) -> HashingConfig:
        """The hashing configuration with this installation's domain label (from its gemeente)."""
        return load_hashing_config().for_gemeente(self.config.gemeente_code)

    def pseudonymiser(self) -> Pseudonymiser | None:
        """Single-key mode: the keyed pseudonymiser, or a failure saying how to provide the key. Two-step: None."""
        if self.config.pseudonymisation.keyless:
            return None
        hashing = self.hashing()
        try:
            key = load_key(hashing)
        except KeyError_ as exc:
            raise dg.Failure(description=str(exc)) from None
        return Pseudonymiser(hashing, key)

    def pseudonym_labels(self) -> dict[str, str]:
        """What the manifest records of the pseudonyms: scheme, domain, key ids and fingerprints (never a key)."""
        hashing, settings = self.hashing(), self.config.pseudonymisation
        labels = {
            "mode": settings.mode,
            "hashing_config_version": hashing.version,
            "domain_label": hashing.domain_label,
        }
        if settings.keyless:
            return labels | {
                "source_key_fingerprint": settings.source_key_fingerprint,
                "key_id": "ttp",
                "key_fingerprint": settings.ttp_key_fingerprint,
            }
        pseudonymiser = self.pseudonymiser()
        assert pseudonymiser is not None
        return labels | {"key_id": pseudonymiser.key.key_id, "key_fingerprint": pseudonymiser.key.fingerprint}

    def expected_keys(self) -> ExpectedKeys | None:
        """Two-step mode: the domain and key fingerprints every receipt must carry. Single-key: None."""
        settings = self.config.pseudonymisation
        if not settings.keyless:
            return None
        return ExpectedKeys(self.hashing().domain_label, settings.source_key_fingerprint, settings.ttp_key_fingerprint)


def default_monitor_resource() -> MonitorResource:
    """Paths from MONITOR_INBOX / MONITOR_OUT / MONITOR_RAW_TO (set by `monitor run` and `monitor ui`), else data/."""
    return MonitorResource(
        inbox=os.environ.get("MONITOR_INBOX", "data/inbox"),
        out=os.environ.get("MONITOR_OUT", "data"),
        config_file=str(configured_path()),
        raw_to=os.environ.get("MONITOR_RAW_TO", ""),
    )
