"""What the monitoring reads: the bot's heartbeat and a few counts, never a person's data."""

from __future__ import annotations

from datetime import datetime

from storage.db import Session
from storage.models import from_db, to_db


async def ping(session: Session) -> None:
    """A round trip through the database's thread: answers at once unless the database hangs."""
    await session.fetch_one("SELECT 1")


async def write_heartbeat(session: Session, now: datetime, problem: str | None) -> None:
    await session.execute(
        "INSERT INTO heartbeat (id, beat_at, problem) VALUES (1, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at, problem = excluded.problem",
        (to_db(now), problem),
    )


async def heartbeat(session: Session) -> tuple[datetime, str | None] | None:
    row = await session.fetch_one("SELECT beat_at, problem FROM heartbeat WHERE id = 1")
    return None if row is None else (from_db(row["beat_at"]), row["problem"])


async def questions_by_state(session: Session) -> dict[str, int]:
    """Every question ever asked, by its state now (an index scan: requests_by_state)."""
    rows = await session.fetch_all("SELECT state, count(*) AS n FROM requests GROUP BY state")
    return {row["state"]: row["n"] for row in rows}


async def deliveries_queued(session: Session) -> int:
    """Deliveries of the broadcasts going out that are not settled yet: the outbox's queue."""
    row = await session.fetch_one(
        "SELECT count(*) AS n FROM broadcasts b JOIN deliveries d ON d.broadcast_id = b.id "
        "WHERE b.state = 'sending' AND d.state IN ('pending', 'sending')"
    )
    return int(row["n"]) if row is not None else 0
