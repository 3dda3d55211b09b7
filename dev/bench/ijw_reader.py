"""iJw messages per second, parsed and XSD-validated, and the reader's peak memory (run in a child process).

    python -m dev.bench.ijw_reader FOLDER [WORKERS]

WORKERS is the number of processes that parse and validate (1: all in this process). Besides wall time the
processor time of this process and its workers is reported: on a machine shared with other work the wall rate
says what the load left, the rate per processor second what the reader costs.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from multiprocessing import forkserver
from pathlib import Path

from dev.bench.memory import peak_mb
from pseudonymisation.ijw import iter_ijw


def _cpu_seconds() -> float:
    """User + system time of this process and of its finished children (the workers, once shut down)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _stop_fork_server() -> None:
    """The workers are children of multiprocessing's fork server, which reaps them: only once it has stopped and
    been waited for does their processor time reach this process's RUSAGE_CHILDREN (private API; bench only)."""
    server = getattr(forkserver, "_forkserver", None)
    if server is not None and hasattr(server, "_stop"):
        server._stop()


def measure(folder: Path, workers: int = 1) -> dict[str, float]:
    """Stream every message under `folder`, keeping nothing: the reader alone."""
    before = peak_mb()
    cpu = _cpu_seconds()
    started = time.perf_counter()
    messages = rows = 0
    for batch in iter_ijw(folder, workers=workers):
        messages += sum(v for k, v in batch.messages_read.items() if k.startswith("JW"))
        rows += len(batch.toewijzingen) + len(batch.declaraties)
    seconds = time.perf_counter() - started
    _stop_fork_server()
    return {
        "messages": messages,
        "rows": rows,
        "workers": workers,
        "seconds": seconds,
        "cpu_seconds": _cpu_seconds() - cpu,
        "peak_mb": peak_mb(),
        "baseline_mb": before,
    }


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1)))
