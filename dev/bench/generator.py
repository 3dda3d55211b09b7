"""The synthetic generator's wall time and peak memory, in a child process of its own."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from dev.bench.memory import peak_mb
from dev.synthetic import generate

if __name__ == "__main__":
    started = time.perf_counter()
    # The reference reads no iJw, so the benchmark's inbox has youth care as flat CSV.
    generate(Path(sys.argv[1]), scale=float(sys.argv[2]), seed=int(sys.argv[3]), youth_care_form="csv")
    print(json.dumps({"seconds": time.perf_counter() - started, "peak_mb": peak_mb()}))
