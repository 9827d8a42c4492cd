"""The clock the handlers read: the domain takes the time as a parameter, and this is where
it comes from (one place, so that every handler, job and the outbox read it the same way)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
