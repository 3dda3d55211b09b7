"""`make data` and `make demo`: synthetic exports, and the three parties of the two-step pseudonymisation in turn.

    python -m dev.demo data --out DIR [--scale N] [--seed N]   write synthetic exports (an inbox)
    python -m dev.demo demo [--out DIR] [--scale N] [--seed N] exports, holders → TTP → keyless analyst run

Both take a place: Almere alone (default), `--region N` (N gemeenten around Almere: jeugdregio Flevoland, then
its neighbours), `--gemeenten GM0034,GM0995,…` or `--national` (all 342); a region's inbox holds its own
configuration, monitor.region.toml ([gemeente] the first, [region] the others), which the demo's run uses.

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
from dev.synthetic import Region, generate
from dev.synthetic.places import named, national, region
from dev.synthetic.region import CONFIG_NAME
from pipelines.cli import environment
from pipelines.cli import main as monitor
from pipelines.lib.sealing import KEY_FILE_VARIABLE
from pipelines.lib.settings import DEFAULT_CONFIG, MonitorConfig

DEFAULT_SEED = 20261124


def demo_secrets() -> Path:
    """Where the demo keeps each party's secrets: MONITOR_DEMO_SECRETS, else ~/.config/jeugdmonitor/demo."""
    return Path(os.environ.get("MONITOR_DEMO_SECRETS", "~/.config/jeugdmonitor/demo")).expanduser()


def write_exports(out: Path, scale: float, seed: int, place: Region | None = None) -> None:
    """Synthetic exports of every data holder into `out` (of Almere, or of `place`), with a line per file."""
    where = "" if place is None else f", {len(place.gemeenten)} gemeenten"
    print(f"Synthetische data schrijven naar {out} (scale {scale}, seed {seed}{where})…", file=sys.stderr)
    summary = generate(
        out, scale=scale, seed=seed, progress=lambda m: print(f"  {m}", file=sys.stderr, flush=True), region=place
    )
    for name, rows in sorted(summary.files.items()):
        print(f"  {name}: {rows}", file=sys.stderr)
    print(f"Klaar in {summary.seconds:.1f} s: {out.resolve()}")


def demo(data: Path, scale: float, seed: int, place: Region | None = None) -> int:
    """Synthetic exports, then the holders' and the TTP's step, then the keyless analyst's `monitor run` (for a
    region under the region's configuration: its first gemeente is the one the holders and the TTP name)."""
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
    write_exports(raw, scale, seed, place)
    base = DEFAULT_CONFIG if place is None else raw / CONFIG_NAME
    try:
        inbox = two_step_inbox(raw, data, keys, MonitorConfig.load(base).gemeente_code)
    except RuntimeError as exc:
        print(f"demo: {exc}\n      Look at: docs/pseudonymisation.md", file=sys.stderr)
        return 2
    config = analyst_config(data / "analyst" / "monitor.toml", keys, base)
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
        where = command.add_mutually_exclusive_group()
        where.add_argument("--region", type=int, metavar="N", help="N gemeenten around Almere (Flevoland first)")
        where.add_argument("--gemeenten", metavar="GM0034,GM0995,…", help="these gemeenten, the first the run's own")
        where.add_argument("--national", action="store_true", help="all 342 gemeenten of the country")
    args = parser.parse_args(argv)
    try:
        place = _place(args)
    except ValueError as exc:
        parser.error(str(exc))
    if args.command == "data":
        write_exports(Path(args.out), args.scale, args.seed, place)
        return 0
    return demo(Path(args.out), args.scale, args.seed, place)


def _place(args: argparse.Namespace) -> Region | None:
    """The gemeenten the options name; None for Almere alone (the default inbox, unchanged)."""
    if args.national:
        return Region(national(), national=True)
    if args.region is not None:
        return Region(region(args.region))
    if args.gemeenten:
        return Region(named([c.strip().upper() for c in args.gemeenten.split(",") if c.strip()]))
    return None


if __name__ == "__main__":
    sys.exit(main())
