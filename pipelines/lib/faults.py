"""Fault injection for the reliability tests: kill this process at a named point, like a power cut would.

Why in the code: the dangerous moments (between building a publication and switching it in, right after the
switch) last microseconds, too short for a test to hit by polling. The tests set MONITOR_FAULT_AT to a point's
name in the environment of a real `monitor run` subprocess; unset (always, outside the tests) it does nothing.
"""

from __future__ import annotations

import os
import signal

FAULT_ENVIRONMENT = "MONITOR_FAULT_AT"


def fault_point(name: str) -> None:
    """SIGKILL this process when MONITOR_FAULT_AT names this point (no cleanup runs, as in a real crash)."""
    if os.environ.get(FAULT_ENVIRONMENT) == name:
        os.kill(os.getpid(), signal.SIGKILL)
