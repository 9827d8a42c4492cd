"""Which Telegram updates have been processed, so a second delivery is ignored."""

from __future__ import annotations

from datetime import datetime

from storage.db import Session
from storage.models import to_db

# Telegram numbers updates consecutively; far older ones cannot be delivered again.
REMEMBERED_UPDATES = 100_000


async def claim_update(session: Session, update_id: int, now: datetime) -> bool:
    """True the first time an update id is seen, False for every later delivery."""
    inserted = await session.execute(
        "INSERT OR IGNORE INTO processed_updates (update_id, received_at) VALUES (?, ?)",
        (update_id, to_db(now)),
    )
    if inserted:
        await session.execute(
            "DELETE FROM processed_updates WHERE update_id < ?", (update_id - REMEMBERED_UPDATES,)
        )
    return inserted == 1


async def latest_update_id(session: Session) -> int:
    """The highest update id processed, 0 if none: where a Bot API's numbering must go on."""
    row = await session.fetch_one("SELECT MAX(update_id) AS latest FROM processed_updates")
    return int(row["latest"]) if row is not None and row["latest"] is not None else 0
