"""Where the tests find the public reference material (`../shared/` beside the checkout), stated once.

The iJw examples and XSDs, CBS and DUO files are public material the project does not ship; tests read them from
the shared folder next to the checkout. Without it the suite stops at the start with one sentence (conftest.py)
instead of skipping dozens of tests silently.
"""

from __future__ import annotations

import os
from pathlib import Path

# MONITOR_SHARED points elsewhere when the folder does not sit beside the checkout.
SHARED = Path(os.environ.get("MONITOR_SHARED") or Path(__file__).resolve().parents[2] / "shared")
REFERENCE = SHARED / "reference"
IJW_REFERENCE = REFERENCE / "ijw"

# What the suite reads from the shared folder; each must be there.
REQUIRED = (IJW_REFERENCE / "examples-3.2", IJW_REFERENCE / "examples-3.0", IJW_REFERENCE / "xsd-3.2")


def missing_reference() -> list[Path]:
    """The required reference folders that are not there (empty when the suite can run)."""
    return [path for path in REQUIRED if not path.is_dir()]
