"""`make data` and `make demo`: synthetic exports, and the three parties of the two-step pseudonymisation in turn.

    python -m dev.demo data --out DIR [--scale N] [--seed N]   write synthetic exports (an inbox)
    python -m dev.demo demo [--out DIR] [--scale N] [--seed N] exports, holders → TTP → keyless analyst run

A development tool beside the monitor, not part of it: the installed `monitor` command has no synthetic data
and no demo (arrows point one way, `dev → pipelines`). The analyst's run is `monitor run` itself, through its own
`main`, so its options and defaults cannot drift from what an analyst types.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dev.roles import analyst_config, role_keys, two_step_inbox
from dev.synthetic import generate
from pipelines.cli import environment
from pipelines.cli import main as monitor
from pipelines.lib.sealing import KEY_FILE_VARIABLE
from pipelines.lib.settings import MonitorConfig

DEFAULT_SEED = 20261124


def demo_secrets() -> Path:
    """Where the demo keeps each party's secrets: MONITOR_DEMO_SECRETS, else ~/.config/jeugdmonitor/demo."""
    return Path(os.environ.get("MONITOR_DEMO_SECRETS", "~/.config/jeugdmonitor/demo")).expanduser()


def write_exports(out: Path, scale: float, seed: int) -> None:
    """Synthetic exports of every data holder into `out`, with a line per file."""
    print(f"Synthetische data schrijven naar {out} (scale {scale}, seed {seed})…", file=sys.stderr)
    summary = generate(out, scale=scale, seed=seed, progress=lambda m: print(f"  {m}", file=sys.stderr, flush=True))
    for name, rows in sorted(summary.files.items()):
        print(f"  {name}: {rows}", file=sys.stderr)
    print(f"Klaar in {summary.seconds:.1f} s: {out.resolve()}")


def demo(data: Path, scale: float, seed: int) -> int:
    """Synthetic exports, then the holders' and the TTP's step, then the keyless analyst's `monitor run`."""
    secrets = demo_secrets()
    keys = role_keys(secrets)
    print(
        f"Demo: three parties, each with its own secrets under {secrets} (outside the repository, owner-only):\n"
        f"  gegevenshouders (scholen, BRP, jeugdhulp)  bronsleutel     {keys.source_key} ({keys.source_fingerprint})\n"
        f"  vertrouwde derde partij (TTP)              TTP-sleutel     {keys.ttp_key} ({keys.ttp_fingerprint})\n"
        f"  analist (deze monitor)                     geen pseudonimiseringssleutel; alleen de datasleutel van het "
        f"warehouse {keys.warehouse_key}",
        file=sys.stderr,
    )
    raw = data / "holders"
    write_exports(raw, scale, seed)
    try:
        inbox = two_step_inbox(raw, data, keys, MonitorConfig.load().gemeente_code)
    except RuntimeError as exc:
        print(f"demo: {exc}\n      Look at: docs/pseudonymisation.md", file=sys.stderr)
        return 2
    config = analyst_config(data / "analyst" / "monitor.toml", keys)
    print(f"  analist: monitor run --inbox {inbox} --config {config} (zonder sleutel)", file=sys.stderr)
    # The analyst holds no pseudonymisation key: none is in the run's environment, only the warehouse's data key.
    analyst = {"MONITOR_PSEUDONYM_KEY": None, "MONITOR_KEY_FILE": None, KEY_FILE_VARIABLE: str(keys.warehouse_key)}
    with environment(**analyst):
        return monitor(["run", "--inbox", str(inbox), "--out", str(data), "--config", str(config)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dev.demo", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, out, text in (
        ("data", "data/inbox", "write synthetic exports into an inbox folder"),
        ("demo", "data", "synthetic exports, holders → TTP → keyless analyst run, under --out"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("--out", default=out)
        command.add_argument("--scale", type=float, default=1.0)
        command.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if args.command == "data":
        write_exports(Path(args.out), args.scale, args.seed)
        return 0
    return demo(Path(args.out), args.scale, args.seed)


if __name__ == "__main__":
    sys.exit(main())
