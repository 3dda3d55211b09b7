"""One writer per output folder: an exclusive `fcntl.flock` on `<out>/.monitor.lock`.

Every run (CLI, UI-launched, key rotation) and `monitor audit` take it for as long as they write or read the
folder, so two runs can no longer interleave their steps, build in the same staging folder or evaluate each
other's inbox, and the audit's read-only DuckDB connection never meets a run's writer.

Why flock: the kernel drops the lock when its holder dies (kill -9 included), so a crashed run never blocks the
next one and nobody has to delete a stale lock file by hand. The file also names its holder (pid, start time,
run id, command) for the refusal sentence. A holder that ends normally empties the file; a holder that died
leaves its record behind, which tells the next holder which run never finished (`HeldLock.stale`).

Within one process the lock is re-entrant (a CLI run holds it while Dagster's resource, in the same process,
asks again). A partitioned run's worker processes run under their parent's lock (`held_by_ancestor`).
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

LOCK_FILE = ".monitor.lock"
DEFAULT_WAIT_SECONDS = 30.0
UNATTENDED_WAIT_SECONDS = 3600.0  # runs from the UI, a schedule or the sensor: nobody waits at a prompt
WAIT_ENVIRONMENT = "MONITOR_LOCK_WAIT"  # seconds a second writer waits before it refuses
_POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Holder:
    """Who holds (or last held) an output folder."""

    pid: int
    started: str
    command: str
    run_id: str | None = None

    def describe(self) -> str:
        run = f", run {self.run_id}" if self.run_id else ""
        return f"{self.command} (pid {self.pid}, started {self.started}{run})"


class OutputBusy(RuntimeError):
    """Another process holds the output folder; the message is one sentence for the user."""


@dataclass
class HeldLock:
    """A held lock. `stale` is the record a holder left when it died without releasing (a killed run).

    Set `finished = False` when the work under the lock did not end cleanly (e.g. its run could not be
    recorded as ended): the record then stays, and the next holder treats that run as unfinished."""

    path: Path
    holder: Holder
    stale: Holder | None = None
    finished: bool = True
    _fd: int = field(default=-1, repr=False)
    _depth: int = field(default=1, repr=False)


_held: dict[Path, HeldLock] = {}
_guard = threading.Lock()


def lock_path(out: Path) -> Path:
    return out.resolve() / LOCK_FILE


def wait_seconds(default: float = DEFAULT_WAIT_SECONDS) -> float:
    """How long a second writer waits: MONITOR_LOCK_WAIT, else `default` (30 s at a prompt; an hour for runs
    launched by Dagster, which queue behind a CLI run instead of failing)."""
    value = os.environ.get(WAIT_ENVIRONMENT)
    return float(value) if value else default


def read_holder(out: Path) -> Holder | None:
    """The record in the lock file (the current holder, or one that died), if any."""
    try:
        text = lock_path(out).read_text(encoding="utf-8").strip()
        return Holder(**json.loads(text)) if text else None
    except (OSError, ValueError, TypeError):
        return None


def held_by_ancestor(out: Path) -> bool:
    """True when a process this one descends from holds the lock on `out`: the partition workers (and their
    step processes) of a partitioned `monitor run`, which run side by side under their parent's lock."""
    holder = read_holder(out)
    return holder is not None and holder.pid in _ancestors() and is_locked(out)


def _ancestors() -> set[int]:
    """Parent, grandparent, … of this process (from /proc on Linux; elsewhere the parent only)."""
    found: set[int] = set()
    pid = os.getpid()
    while pid > 1:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
        except OSError:
            return found | {os.getppid()}
        pid = int(stat.rsplit(")", 1)[1].split()[1])
        found.add(pid)
    return found


def is_locked(out: Path) -> bool:
    """Whether some process holds the lock right now (tried without taking it)."""
    path = lock_path(out)
    if not path.exists():
        return False
    if path in _held:
        return True
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops a lock taken just now
    return False


@contextmanager
def output_lock(out: Path, command: str, run_id: str | None = None, wait: float | None = None) -> Iterator[HeldLock]:
    """Hold the output folder's lock; wait up to `wait` seconds (default `wait_seconds()`), then refuse."""
    held = acquire(out, command, run_id, wait)
    try:
        yield held
    finally:
        release(held)


def acquire(out: Path, command: str, run_id: str | None = None, wait: float | None = None) -> HeldLock:
    out.mkdir(parents=True, exist_ok=True)
    path = lock_path(out)
    with _guard:
        if path in _held:
            held = _held[path]
            held._depth += 1
            return held
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + (wait_seconds() if wait is None else wait)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                current = read_holder(out)
                who = current.describe() if current else "another process"
                raise OutputBusy(
                    f"the output folder {out.resolve()} is in use by {who}; wait until it ends "
                    f"(or set {WAIT_ENVIRONMENT} to wait longer) and start again."
                ) from None
            time.sleep(_POLL_SECONDS)
    stale = read_holder(out)
    holder = Holder(os.getpid(), datetime.now(UTC).isoformat(timespec="seconds"), command, run_id)
    _write(fd, json.dumps(asdict(holder)))
    held = HeldLock(path, holder, stale, _fd=fd)
    with _guard:
        _held[path] = held
    return held


def release(held: HeldLock) -> None:
    with _guard:
        held._depth -= 1
        if held._depth > 0:
            return
        _held.pop(held.path, None)
    if held.finished:
        _write(held._fd, "")
    os.close(held._fd)


def _write(fd: int, text: str) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, text.encode("utf-8"), 0)
    os.fsync(fd)
