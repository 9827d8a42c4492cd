"""Updates are kept in the database before anything handles them or Telegram forgets them.

By long polling, what one getUpdates brought is kept together as the next one goes out, the
request whose offset confirms it; by webhook (no poll at all), each update as it is put.
"""

from __future__ import annotations

import asyncio

import pytest
from telegram import Update
from telegram.error import NetworkError

from bot import inbox
from bot.app.durable_updates import DurableUpdateQueue
from storage.db import Database
from tests.unit.database_support import BUSY_MS, write_lock_held_elsewhere


def queue_on(db: Database) -> DurableUpdateQueue:
    queue = DurableUpdateQueue()
    queue.attach(db)
    return queue


def handed_on(queue: DurableUpdateQueue) -> list[int]:
    taken = []
    while not queue.empty():
        update = queue.get_nowait()
        assert isinstance(update, Update)
        taken.append(update.update_id)
    return taken


async def kept(db: Database) -> list[int]:
    return [update_id for update_id, _ in await inbox.unfinished(db)]


async def test_a_polls_updates_are_kept_together_as_the_next_poll_goes_out(db: Database) -> None:
    queue = queue_on(db)
    await queue.keep_before_poll()  # the first poll: nothing fetched before it
    for update_id in (11, 12, 13):
        await queue.put(Update(update_id))
    assert await kept(db) == [] and handed_on(queue) == []  # Telegram still has them
    await queue.keep_before_poll()
    assert await kept(db) == [11, 12, 13]
    assert handed_on(queue) == [11, 12, 13]

    await queue.put(Update(12))  # a redelivery, and a new one
    await queue.put(Update(14))
    await queue.keep_before_poll()
    assert handed_on(queue) == [14]


async def test_by_webhook_each_update_is_kept_as_it_is_put(db: Database) -> None:
    queue = queue_on(db)
    await queue.put(Update(21))
    assert await kept(db) == [21] and handed_on(queue) == [21]
    await queue.put(Update(21))
    assert handed_on(queue) == []


async def test_updates_that_cannot_be_kept_hold_the_poll_back_and_are_kept_before_the_next(
    db: Database,
) -> None:
    bot = await Database.open(db.path, busy_timeout_ms=BUSY_MS, lock_wait=0.1)
    try:
        queue = queue_on(bot)
        await queue.keep_before_poll()
        await queue.put(Update(31))
        with (
            write_lock_held_elsewhere(db.path),
            pytest.raises(NetworkError, match="could not be kept"),
        ):
            await queue.keep_before_poll()  # the library tries the poll again later
        assert await kept(db) == [] and handed_on(queue) == []
        await queue.put(Update(32))
        await queue.keep_before_poll()
        assert await kept(db) == [31, 32] and handed_on(queue) == [31, 32]
    finally:
        await bot.close()


async def test_a_stop_that_cancels_a_poll_while_it_keeps_its_updates_loses_none(
    db: Database,
) -> None:
    """A stop cancels the poll, then asks Telegram once more with the same offset: that last
    request waits for the keeping the cancelled poll began."""
    queue = queue_on(db)
    await queue.keep_before_poll()
    for update_id in (41, 42):
        await queue.put(Update(update_id))
    async with db.write():  # a handler's transaction has the database meanwhile
        poll = asyncio.create_task(queue.keep_before_poll())
        await asyncio.sleep(0.05)
        poll.cancel()
        last_request = asyncio.create_task(queue.keep_before_poll())
        await asyncio.sleep(0.05)
        assert not last_request.done()  # its offset does not go out yet
    await last_request
    assert await kept(db) == [41, 42] and handed_on(queue) == [41, 42]
