"""Updates received and not yet handled: what makes processing at-least-once across a crash.

An update is kept (whole) before Telegram is told it arrived. It is marked done in the same
transaction as the first thing its handlers write, or after them when they write nothing; at
start, whatever was received and not done is handled again. So an update is handled again only
if nothing it decided was kept, and a repeat can never decide twice (ask the same question
twice, name a household with a question); what it had decided but not yet sent when the
process died (an offer, a hand-over) is sent at start from the database. A second delivery of
an update already received changes nothing. What an update said is dropped when it is done, so
the inbox never holds anybody's words longer than it takes to handle them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage import updates
from storage.db import Database, Session, next_write_pending, with_next_write


async def receive(db: Database, arrived: Sequence[tuple[int, str]], now: datetime) -> set[int]:
    """Keep each (id, update), in one transaction; returns the ids that are new (Telegram
    delivers some twice)."""
    async with db.write() as session:
        await session.ends_with_next()  # one trip: BEGIN, the statement and COMMIT
        return await updates.receive_updates(session, arrived, now)


def handling(update_id: int, now: datetime) -> None:
    """The update this task now handles: done with its handlers' first write transaction."""

    async def finish(session: Session) -> None:
        await updates.finish_update(session, update_id, now)

    with_next_write(finish)


async def done(db: Database, update_id: int, now: datetime) -> None:
    """Its handlers ran: marked done now if none of their writes did it (one in a task of its
    own, or none at all); a write of this task that did costs no second transaction."""
    if not next_write_pending():
        return
    with_next_write(None)
    async with db.write() as session:
        await updates.finish_update(session, update_id, now)


async def unfinished(db: Database) -> list[tuple[int, str]]:
    """Updates received but never done (a crash came first), oldest first."""
    async with db.read() as session:
        return await updates.unfinished_updates(session)


async def latest_update_id(db: Database) -> int:
    """The highest update id ever received (0 before the first): a new Bot API double must
    number its updates after it, or the bot would take them for second deliveries."""
    async with db.read() as session:
        return await updates.latest_update_id(session)
