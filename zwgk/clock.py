"""The one wall clock of the edges (stamping what was observed or done); whatever judges time
takes ``as_of`` and a calendar instead (checks.base.CheckContext)."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Now, in UTC, to the second: how every stored time is stamped."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def utcnow_precise() -> datetime:
    """Now, in UTC, to the microsecond: for the scheduler's slots and heartbeats, which are
    compared within the same second."""
    return datetime.now(timezone.utc)
