"""Retention by the contract: the date before which a row is past its source's retention period.

Each person-level contract names the date a row's age counts from (`retentionField`: end of enrolment,
diploma date, end of an absence case, of an address period, of an allocation, of a declaration period).
A row is past retention when that date lies before today minus the contract's `retention` (ISO 8601, e.g.
P5Y); a row without the date is still running (open enrolment, current address) and stays. Intake leaves out
every row past retention before anything is staged (`pseudonymisation.minimise`); the monitor's purge
(`pipelines.retention.purge`) removes rows that aged past it later.

"Today" is the real date, unless the environment sets MONITOR_TODAY (YYYY-MM-DD). That is for tests only:
their fixtures have fixed dates, and the indicators computed from them must not change as the calendar
moves on (tests/conftest.py, TEST_TODAY). The audit's and the purge's own `--today`/`today` win over it.
"""

from __future__ import annotations

import calendar
import os
import re
from datetime import date

from pseudonymisation.contract import Contract


def subtract_period(today: date, period: str) -> date:
    """`today` minus an ISO 8601 duration of years, months or days; 29 February falls back to the 28th."""
    match = re.fullmatch(r"P(\d+)([YMD])", period)
    if match is None:
        raise ValueError(f"unsupported retention period {period!r}; expected e.g. P5Y, P18M or P30D")
    amount, unit = int(match.group(1)), match.group(2)
    if unit == "D":
        return date.fromordinal(today.toordinal() - amount)
    months = today.year * 12 + today.month - 1 - (amount * 12 if unit == "Y" else amount)
    year, month = divmod(months, 12)
    month += 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


TODAY_VARIABLE = "MONITOR_TODAY"


def retention_cutoff(contract: Contract, today: date) -> date | None:
    """Rows whose retentionField lies before this date are past retention; None: the source is not purged."""
    return subtract_period(today, contract.retention) if contract.retentionField is not None else None


def processing_today() -> date:
    """The date ingest, the purge and the audit measure retention from when none is given (see the module)."""
    return parse_today(os.environ.get(TODAY_VARIABLE))


def parse_today(text: str | None) -> date:
    """The date retention is measured from: given (YYYY-MM-DD, for tests and re-runs) or today."""
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a date; write it as YYYY-MM-DD") from None
