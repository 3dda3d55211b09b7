"""iJw messages per second, parsed and XSD-validated, and the reader's peak memory (run in a child process)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from dev.bench.memory import peak_mb
from pseudonymisation.ijw import iter_ijw


def measure(folder: Path) -> dict[str, float]:
    """Stream every message under `folder`, keeping nothing: the reader alone."""
    before = peak_mb()
    started = time.perf_counter()
    messages = rows = 0
    for batch in iter_ijw(folder):
        messages += sum(v for k, v in batch.messages_read.items() if k.startswith("JW"))
        rows += len(batch.toewijzingen) + len(batch.declaraties)
    seconds = time.perf_counter() - started
    return {"messages": messages, "rows": rows, "seconds": seconds, "peak_mb": peak_mb(), "baseline_mb": before}


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]))))
