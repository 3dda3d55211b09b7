"""`make bench`: pseudonymisation, the iJw reader and the whole pipeline per stage, as a printed table.

    python -m pipelines.bench [--scale 1] [--national] [--pseudonyms 5000000] [--work DIR]

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

from pipelines.bench import pseudonyms
from pipelines.bench.reference import run_reference
from pipelines.lib.settings import DEFAULT_CONFIG, MonitorConfig
from pipelines.synthetic import generate

NATIONAL_SCALE = 78.0  # ≈ 3.5 M pupils a year (scale 1 ≈ 45 000)
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
    result = _child("pipelines.bench.ijw_reader", str(inbox / "ijw"))
    size_mb = sum(p.stat().st_size for p in (inbox / "ijw").rglob("*") if p.is_file()) / 2**20
    rate = float(result["messages"]) / float(result["seconds"])  # type: ignore[arg-type]
    print(f"\niJw 3.2 reader: {result['messages']:,} messages ({size_mb:,.0f} MB) parsed and XSD-validated")
    print(
        f"  {float(result['seconds']):.1f} s, {rate:,.0f} messages/s on 1 core, {result['rows']:,} canonical rows; "  # type: ignore[arg-type]
        f"peak memory {float(result['peak_mb']):.0f} MB (of which {float(result['baseline_mb']):.0f} MB libraries)"  # type: ignore[arg-type]
    )


def bench_pipeline(work: Path, scale: float, label: str) -> None:
    inbox, out = work / f"inbox-{scale:g}", work / f"out-{scale:g}"
    started = time.perf_counter()
    if not (inbox / "inschrijvingen.csv").is_file():
        generate(inbox, scale=scale, seed=20261124, youth_care_form="csv")  # the reference reads no iJw
    generated = time.perf_counter() - started
    shutil.rmtree(out, ignore_errors=True)
    result = _child("pipelines.bench.pipeline", str(inbox), str(out))
    rows_in = sum(
        json.loads(p.read_text(encoding="utf-8"))["rows_read"]
        for p in (out / "warehouse" / "staged").glob("*.summary.json")
    )
    status = "ok" if result["success"] else f"FAILED: {result['errors']}"
    print(f"\nPipeline at {label} (scale {scale:g}): {rows_in:,} input rows; run {status}")
    print(f"  {'stage':<12}{'seconds':>9}{'peak MB':>10}{'input rows/s':>15}")
    print(f"  {'generate':<12}{generated:>9.1f}{'':>10}{'':>15}")
    stages: dict[str, dict[str, float]] = result["stages"]  # type: ignore[assignment]
    for stage in (*STAGES, *sorted(set(stages) - set(STAGES))):
        figures = stages.get(stage)
        if figures:
            rate = f"{rows_in / figures['seconds']:,.0f}" if figures["seconds"] else ""
            print(f"  {stage:<12}{figures['seconds']:>9.1f}{figures['peak_mb']:>10.0f}{rate:>15}")
    wall = float(result["wall_seconds"])  # type: ignore[arg-type]
    print(f"  {'total run':<12}{wall:>9.1f}{float(result['peak_mb']):>10.0f}{rows_in / wall:>15,.0f}")  # type: ignore[arg-type]
    if (inbox / "toewijzingen.csv").is_file() and not (inbox / "ijw").is_dir():
        gemeente = MonitorConfig.load(DEFAULT_CONFIG).gemeente_code
        plain = run_reference(inbox, work / f"reference-{scale:g}.duckdb", gemeente)
        core = sum(stages[s]["seconds"] for s in ("link", "indicators") if s in stages)
        print(
            f"  plain DuckDB reference (G1, A1, B1, C1, E1 straight from the CSVs): {plain:.1f} s; "
            f"pipeline link + indicators / reference = {core / plain:.2f}, whole run / reference = {wall / plain:.2f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.bench", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="the city scale (default 1: Almere)")
    parser.add_argument("--national", action="store_true", help=f"also run at national scale ({NATIONAL_SCALE:g})")
    parser.add_argument("--pseudonyms", type=int, default=5_000_000)
    parser.add_argument("--work", default="data/bench", help="where generated inputs and outputs go")
    args = parser.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    print(f"Benchmark on {machine()}")
    bench_pseudonyms(args.pseudonyms)
    bench_ijw(work)
    bench_pipeline(work, args.scale, "city scale")
    if args.national:
        bench_pipeline(work, NATIONAL_SCALE, "national scale")
    return 0


if __name__ == "__main__":
    sys.exit(main())
