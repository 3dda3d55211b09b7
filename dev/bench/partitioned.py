"""The partitioned path (`monitor run --partitioned`) on one inbox, in a child process: wall time per phase."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from dev.bench.memory import RssSampler, peak_mb
from pipelines.runner import run_partitioned

if __name__ == "__main__":
    with RssSampler():
        outcome = run_partitioned(Path(sys.argv[1]), Path(sys.argv[2]), workers=int(sys.argv[3]), stream=None)
    print(
        json.dumps(
            {
                "success": outcome.success,
                "errors": outcome.errors,
                "wall_seconds": outcome.seconds,
                "partitions": outcome.partitions,
                "peak_mb_orchestrator": peak_mb(),
            }
        )
    )
