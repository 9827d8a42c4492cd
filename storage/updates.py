"""The Telegram updates received: each written before Telegram is told it arrived, until done.

A row is made when an update comes in (with the update as Telegram sent it), and its content
is dropped when its handlers have run; the id stays, so that a second delivery is recognised.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage.db import Session, many_values
from storage.models import to_db

# Telegram numbers updates consecutively; far older ones cannot be delivered again.
REMEMBERED_UPDATES = 100_000
# The forgetting is done now and then, not with each update: one statement less on every one.
FORGET_EVERY = 1_000


async def receive_updates(
    session: Session, arrived: Sequence[tuple[int, str]], now: datetime
) -> set[int]:
    """Keep each (id, update) until it is done, in one statement (an old history's forgetting
    goes along with it); returns the ids new here (the others were received before:
    redeliveries)."""
    if not arrived:
        return set()
    turns = [update_id for update_id, _ in arrived if update_id % FORGET_EVERY == 0]
    if turns:
        session.write_along(
            "DELETE FROM processed_updates WHERE update_id < ? AND done_at IS NOT NULL",
            (max(turns) - REMEMBERED_UPDATES,),
        )
    values, params = many_values(
        [(update_id, to_db(now), payload) for update_id, payload in arrived], "(?, ?, ?)"
    )
    rows = await session.fetch_all(
        f"INSERT OR IGNORE INTO processed_updates (update_id, received_at, payload) {values} "
        "RETURNING update_id",
        params,
    )
    return {row["update_id"] for row in rows}


async def finish_update(session: Session, update_id: int, now: datetime) -> None:
    """Its handlers ran: what the update said is not kept any longer."""
    session.write_along(
        "UPDATE processed_updates SET done_at = ?, payload = NULL "
        "WHERE update_id = ? AND done_at IS NULL",
        (to_db(now), update_id),
    )


async def unfinished_updates(session: Session) -> list[tuple[int, str]]:
    """(id, update) of every update received but not done, in Telegram's order."""
    rows = await session.fetch_all(
        "SELECT update_id, payload FROM processed_updates "
        "WHERE done_at IS NULL AND payload IS NOT NULL ORDER BY update_id"
    )
    return [(row["update_id"], row["payload"]) for row in rows]


async def latest_update_id(session: Session) -> int:
    """The highest update id received, 0 if none: where a Bot API's numbering must go on."""
    row = await session.fetch_one("SELECT MAX(update_id) AS latest FROM processed_updates")
    return int(row["latest"]) if row is not None and row["latest"] is not None else 0
