"""`make bench`: pseudonymisation, the iJw reader and the whole pipeline per stage, as a printed table.

    python -m dev.bench [--scale 1] [--national] [--partitioned] [--pseudonyms 5000000] [--work DIR]

Figures, not assertions: nothing here fails on a slow machine. Every child process gets a fixed public
benchmark key, never a real one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from dev.bench import pseudonyms
from dev.bench.reference import run_reference
from dev.bench.sealing import bench_sealing
from dev.synthetic import generate
from pipelines.lib.settings import DEFAULT_CONFIG, MonitorConfig
from pipelines.lib.warehouse import read_warehouse

NATIONAL_SCALE = 78.0  # ≈ 3.5 M pupils a year (scale 1 ≈ 45 000)
SEED = 20261124
STAGES = ("ingest", "link", "indicators", "protect", "publish")


def _child(module: str, *args: str) -> dict[str, object]:
    env = {**os.environ, "MONITOR_PSEUDONYM_KEY": pseudonyms.BENCH_KEY.hex()}
    env.pop("MONITOR_KEY_FILE", None)
    done = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed: {done.stderr.strip().splitlines()[-1:]}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def machine() -> str:
    memory_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return f"{os.cpu_count()} cores, {memory_kb / 2**20:.1f} GiB memory, Python {sys.version.split()[0]}"


def bench_pseudonyms(n: int) -> None:
    print(f"\nPseudonymisation: {n:,} distinct valid BSNs (HMAC-SHA-256, 128-bit hex output)")
    rows = pseudonyms.run(n)
    floor = rows[0][1]
    print(f"  {'variant':<34}{'seconds':>9}{'pseudonyms/s':>15}{'x bare loop':>13}")
    for name, seconds, rate in rows:
        print(f"  {name:<34}{seconds:>9.2f}{rate:>15,.0f}{seconds / floor:>13.2f}")


def bench_ijw(work: Path) -> None:
    inbox = work / "ijw-inbox"
    if not (inbox / "ijw").is_dir():
        generate(inbox, scale=1.0, seed=3, youth_care_form="ijw")
    size_mb = sum(p.stat().st_size for p in (inbox / "ijw").rglob("*") if p.is_file()) / 2**20
    runs = [_child("dev.bench.ijw_reader", str(inbox / "ijw"), str(workers)) for workers in (1, 2)]
    print(f"\niJw 3.2 reader: {runs[0]['messages']:,} messages ({size_mb:,.0f} MB) parsed and XSD-validated")
    print(f"  {'processes':<12}{'seconds':>9}{'messages/s':>12}{'CPU s':>8}{'per CPU s':>11}{'peak MB':>9}")
    for result in runs:
        seconds, cpu = float(result["seconds"]), float(result["cpu_seconds"])  # type: ignore[arg-type]
        messages = float(result["messages"])  # type: ignore[arg-type]
        print(
            f"  {result['workers']:<12}{seconds:>9.1f}{messages / seconds:>12,.0f}{cpu:>8.1f}{messages / cpu:>11,.0f}"
            f"{float(result['peak_mb']):>9.0f}"  # type: ignore[arg-type]
        )
    print(
        f"  {runs[0]['rows']:,} canonical rows; peak memory of the reading process (of which "
        f"{float(runs[0]['baseline_mb']):.0f} MB libraries); 2 = two worker processes, the order applied in the "  # type: ignore[arg-type]
        "reading process; 'per CPU s' = messages per second of processor time, all processes"
    )


def _summaries(out: Path, pattern: str) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.glob(pattern))]


def _deliver(exports: Path, delivery: Path) -> Path:
    """A copy of the generated exports as the run's inbox: a successful ingest empties its inbox, and the plain
    reference and the next benchmark read the exports again."""
    shutil.rmtree(delivery, ignore_errors=True)
    shutil.copytree(exports, delivery)
    return delivery


def bench_pipeline(work: Path, scale: float, label: str, until: str | None = None) -> None:
    inbox, out = work / f"inbox-{scale:g}", work / f"out-{scale:g}"
    generated: dict[str, Any] = {}
    if not (inbox / "inschrijvingen.csv").is_file():
        shutil.rmtree(inbox, ignore_errors=True)
        generated = _child("dev.bench.generator", str(inbox), f"{scale:g}", str(SEED))
    shutil.rmtree(out, ignore_errors=True)
    delivery = _deliver(inbox, work / f"delivery-{scale:g}")
    result = _child("dev.bench.pipeline", str(delivery), str(out), *([until] if until else []))
    summaries = _summaries(out / "warehouse" / "staged", "*.summary.json")
    rows_in = sum(int(s["rows_read"]) for s in summaries)
    status = "ok" if result["success"] else f"FAILED: {result['errors']}"
    stages: dict[str, dict[str, float]] = dict(result["stages"])  # type: ignore[call-overload]
    # Pseudonymisation happens inside each ingest step (nothing raw may be written between steps); the steps
    # time it themselves, and it is shown apart here, subtracted from ingest.
    hashing = sum(float(s.get("seconds", {}).get("pseudonymise", 0.0)) for s in summaries)
    if hashing and "ingest" in stages:
        stages["pseudonymise"] = {"seconds": hashing, "peak_mb": stages["ingest"]["peak_mb"]}
        stages["ingest"] = {**stages["ingest"], "seconds": stages["ingest"]["seconds"] - hashing}
    plain: dict[str, float] = {}
    if (inbox / "toewijzingen.csv").is_file() and not (inbox / "ijw").is_dir():
        gemeente = MonitorConfig.load(DEFAULT_CONFIG).gemeente_code
        plain = run_reference(inbox, work / f"reference-{scale:g}.duckdb", gemeente)
    wall = float(result["wall_seconds"])  # type: ignore[arg-type]

    stopped = f", stopped after {until} (--until)" if until else ""
    print(f"\nPipeline at {label} (scale {scale:g}): {rows_in:,} input rows; run {status}{stopped}")
    print(f"  {'stage':<20}{'seconds':>9}{'peak MB':>10}{'input rows/s':>14}{'plain DuckDB s':>16}{'ratio':>8}")

    def line(name: str, seconds: float, peak: float | str, reference: float | None) -> None:
        rate = f"{rows_in / seconds:,.0f}" if seconds else ""
        peak_text = f"{peak:.0f}" if isinstance(peak, float) else peak
        ref = f"{reference:.1f}" if reference else ""
        ratio = f"{seconds / reference:.2f}" if reference else ""
        print(f"  {name:<20}{seconds:>9.1f}{peak_text:>10}{rate:>14}{ref:>16}{ratio:>8}")

    if generated:
        print(f"  {'generate':<20}{generated['seconds']:>9.1f}{generated['peak_mb']:>10.0f}   (not in the total)")
    for stage in ("ingest", "pseudonymise"):
        if stage in stages:
            line(stage, stages[stage]["seconds"], stages[stage]["peak_mb"], plain.get(stage))
    core = [s for s in ("link", "indicators") if s in stages]
    for stage in core:
        line(stage, stages[stage]["seconds"], stages[stage]["peak_mb"], None)
    if core:
        core_seconds = sum(stages[s]["seconds"] for s in core)
        line(
            "  link + indicators", core_seconds, max(stages[s]["peak_mb"] for s in core), plain.get("link + indicators")
        )
    for stage in ("protect", "publish", *sorted(set(stages) - {*STAGES, "pseudonymise"})):
        if stage in stages:
            line(stage, stages[stage]["seconds"], stages[stage]["peak_mb"], None)
    line("total run", wall, float(result["peak_mb"]), sum(plain.values()) or None)  # type: ignore[arg-type]
    if plain:
        print(
            "  plain DuckDB: dev/bench/plain_indicators.sql (G1, A1, B1, C1, E1 straight from the CSVs, no "
            "contracts, quarantine or pseudonymisation); ratio = pipeline / plain"
        )
    if result["success"] and not until:
        bench_unchanged_rerun(delivery, out)


def bench_monthly(work: Path) -> None:
    """A monthly run at city scale with youth care as iJw messages (the reader's inbox, `bench_ijw`): from scratch
    (every file parsed), then month 1 without its last month of iJw files (up to ingest, which keeps every file's
    parse: pipelines/ingest/ijw_cache.py) and month 2 with the complete inbox again, in which only that month's
    files are new. The other exports are delivered again each month, as a complete delivery is."""
    inbox = work / "ijw-inbox"
    if not (inbox / "ijw").is_dir():
        generate(inbox, scale=1.0, seed=3, youth_care_form="ijw")
    names = sorted(p.name for p in (inbox / "ijw").glob("JW*_*_*_*.xml"))  # <TYPE>_<afzender>_<YYYYMMDD>_<n>
    month = max(name.split("_")[2][:6] for name in names)
    delivery = work / "delivery-monthly"
    scratch, monthly = work / "out-ijw-scratch", work / "out-ijw-monthly"
    for out in (scratch, monthly):
        shutil.rmtree(out, ignore_errors=True)
    full = _child("dev.bench.pipeline", str(_deliver(inbox, delivery)), str(scratch))
    first = _deliver(inbox, delivery)
    for name in names:
        if name.split("_")[2].startswith(month):
            (first / "ijw" / name).unlink()
    _child("dev.bench.pipeline", str(first), str(monthly), "ingest")
    result = _child("dev.bench.pipeline", str(_deliver(inbox, delivery)), str(monthly))
    runs = {"from scratch": (full, scratch), "monthly": (result, monthly)}
    print(f"\nMonthly run at city scale, youth care as iJw ({len(names):,} message files; month 1 without {month})")
    cache: dict[str, dict[str, int]] = {}
    seconds: dict[str, dict[str, float]] = {}
    for label, (run, out) in runs.items():
        summary = json.loads((out / "warehouse" / "staged" / "toewijzingen.summary.json").read_text("utf-8"))
        cache[label] = summary.get("ijw_cache", {})
        stages: dict[str, dict[str, float]] = dict(run["stages"])  # type: ignore[call-overload]
        seconds[label] = {name: stage["seconds"] for name, stage in stages.items()}
        seconds[label]["total run"] = float(run["wall_seconds"])  # type: ignore[arg-type]
        status = "ok" if run["success"] else f"FAILED: {run['errors']}"
        counts = cache[label]
        print(
            f"  {label}: run {status}; iJw files {counts.get('files_parsed', 0):,} parsed, "
            f"{counts.get('files_from_cache', 0):,} from the cache"
        )
    print(f"  {'stage':<20}{'from scratch s':>15}{'monthly s':>11}{'ratio':>8}")
    for name in (*[s for s in STAGES if s in seconds["monthly"]], "total run"):
        before, after = seconds["from scratch"].get(name, 0.0), seconds["monthly"][name]
        ratio = f"{after / before:.2f}" if before else ""
        print(f"  {name:<20}{before:>15.1f}{after:>11.1f}{ratio:>8}")


def bench_unchanged_rerun(delivery: Path, out: Path) -> None:
    """`monitor run` again on the emptied inbox: nothing new, so it stops before Dagster (lib/run_inputs.py)."""
    env = {**os.environ, "MONITOR_PSEUDONYM_KEY": pseudonyms.BENCH_KEY.hex()}
    env.pop("MONITOR_KEY_FILE", None)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--inbox", str(delivery), "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    seconds = time.perf_counter() - started
    said = (done.stderr.strip().splitlines() or ["?"])[-1]
    print(f"  unchanged re-run (monitor run, same inbox, a new process): {seconds:.1f} s, exit {done.returncode}: ")
    print(f"    {said[:150]}")


def bench_protect(work: Path, scale: float, copies: int) -> None:
    """Protect and its check on the city run's indicator table tiled `copies` times (`dev.bench.protect`)."""
    source = work / f"indicators-{scale:g}.parquet"
    with read_warehouse(work / f"out-{scale:g}" / "warehouse" / "monitor.duckdb") as con:
        con.sql("SELECT i.*, c.factor FROM indicators i JOIN ref_catalogue c ON c.id = i.indicator").pl().write_parquet(
            source
        )
    result = _child("dev.bench.protect", str(source), str(copies))
    status = "passed" if result["passed"] else f"FAILED: {result['violations']}"
    print(
        f"\nProtect at national size: the city table tiled {copies} times into one gemeente (dev/bench/protect.py): "
        f"{result['cells']:,} cells, {result['schools']:,} schools, {result['hidden']:,} hidden"
    )
    print(
        f"  protect {float(result['protect_seconds']):.1f} s ({result['lps']} LPs), peak "  # type: ignore[arg-type]
        f"{float(result['peak_mb_protect']):.0f} MB; independent check {float(result['check_seconds']):.1f} s, "  # type: ignore[arg-type]
        f"peak {float(result['peak_mb']):.0f} MB, {status}"  # type: ignore[arg-type]
    )


def bench_partitioned(work: Path, scale: float, workers: int) -> None:
    """The same inbox through the partitioned path: one Dagster run per (gemeente, school year)."""
    out = work / f"out-partitioned-{scale:g}"
    shutil.rmtree(out, ignore_errors=True)
    delivery = _deliver(work / f"inbox-{scale:g}", work / f"delivery-partitioned-{scale:g}")
    result = _child("dev.bench.partitioned", str(delivery), str(out), str(workers))
    status = "ok" if result["success"] else f"FAILED: {result['errors']}"
    partitions: dict[str, float] = result["partitions"]  # type: ignore[assignment]
    print(f"\nPartitioned path (monitor run --partitioned --workers {workers}), scale {scale:g}: run {status}")
    print(f"  total {float(result['wall_seconds']):.1f} s for {len(partitions)} partitions:")  # type: ignore[arg-type]
    for key, seconds in partitions.items():
        print(f"    {key:<24}{seconds:>8.1f} s (a Dagster run in a worker process, step in its own process)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dev.bench", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="the city scale (default 1: Almere)")
    parser.add_argument("--national", action="store_true", help=f"also run at national scale ({NATIONAL_SCALE:g})")
    parser.add_argument("--pseudonyms", type=int, default=5_000_000)
    parser.add_argument(
        "--until", choices=STAGES, help="national scale: run the stages up to this one only (e.g. indicators)"
    )
    parser.add_argument("--partitioned", action="store_true", help="also time the partitioned path at city scale")
    parser.add_argument("--workers", type=int, default=2, help="partitions at a time (with --partitioned)")
    parser.add_argument("--work", default="data/bench", help="where generated inputs and outputs go")
    args = parser.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    print(f"Benchmark on {machine()}")
    bench_pseudonyms(args.pseudonyms)
    bench_ijw(work)
    bench_pipeline(work, args.scale, "city scale")
    bench_monthly(work)
    bench_sealing(work / f"out-{args.scale:g}" / "warehouse" / "staged", work / "sealing")
    if args.partitioned:
        bench_partitioned(work, args.scale, args.workers)
    if args.national:
        bench_protect(work, args.scale, round(NATIONAL_SCALE / args.scale))
        bench_pipeline(work, NATIONAL_SCALE, "national scale", args.until)
    return 0


if __name__ == "__main__":
    sys.exit(main())
