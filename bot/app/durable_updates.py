"""The update queue that makes Telegram's confirmation wait for the database.

Telegram forgets an update once the bot has confirmed it: by webhook, with the 200 that answers
its post; by long polling, with the offset of the next getUpdates. python-telegram-bot's webhook
answers once `put` has returned, so there `put` writes the update before it returns. Its polling
puts a whole getUpdates' worth one by one and then asks for the next: there the updates put are
kept together, in one transaction, as that next getUpdates goes out (`keep_before_poll`, called
by the poll's request in bot/app/bot_api_watch.py), before it can confirm them and before any
is handled. A crowd of families writing at once thus costs one transaction a poll, not one an
update. The application marks each update done with its handlers' first write, and at start
everything received and not done is queued again (bot/inbox.py). A kill -9 in the middle of a
family's question thus never costs the question: before the next poll, Telegram still has it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime

from telegram import Bot, Update
from telegram.error import NetworkError

from bot import inbox, metrics
from handlers.common import MentorApplication
from storage.db import Database

logger = logging.getLogger(__name__)


class DurableUpdateQueue(asyncio.Queue[object]):
    """An `asyncio.Queue` that keeps each update in the database before it hands it on."""

    def __init__(self) -> None:
        super().__init__()
        self._db: Database | None = None
        # Updates put since the last poll went out; None until the first poll (a webhook's
        # updates are kept one by one, as they are put).
        self._arrived: list[Update] | None = None
        self._keeping: asyncio.Future[Exception | None] | None = None

    def attach(self, db: Database) -> None:
        """From post_init on: before, the updater has fetched nothing."""
        self._db = db

    def _database(self) -> Database:
        if self._db is None:
            raise RuntimeError("an update arrived before the database was open")
        return self._db

    async def put(self, item: object) -> None:
        if not isinstance(item, Update):
            await super().put(item)
        elif self._arrived is not None:
            self._arrived.append(item)
        else:
            await self._keep([item])

    async def keep_before_poll(self) -> None:
        """Keep what the last getUpdates brought, now that the next one goes out to confirm it.

        The keeping runs in a task of its own, shielded: a stop cancels the poll that waits for
        it, and then asks Telegram once more with the same offset (python-telegram-bot's last
        getUpdates), which comes here too and waits for that task first, so that the offset
        never goes out before what it confirms is kept. Not kept (the database failed), the
        updates stay to be kept before the poll tried next, and this one does not go out: a
        NetworkError has the library try again after a pause, as when Telegram is out of reach.
        """
        if self._keeping is not None:  # left running by a poll a stop cancelled
            await asyncio.wait([self._keeping])
        arrived, self._arrived = self._arrived or [], []
        self._keeping = asyncio.ensure_future(self._keep_or_put_back(arrived))
        failure = await asyncio.shield(self._keeping)
        if failure is not None:
            raise NetworkError(f"the updates fetched could not be kept: {failure}") from failure

    async def _keep_or_put_back(self, arrived: list[Update]) -> Exception | None:
        """`_keep`, or, when it fails, the updates back in front of those put since, and why."""
        try:
            await self._keep(arrived)
        except Exception as error:  # whatever it was, the updates must not be forgotten
            self._arrived = arrived + (self._arrived or [])
            return error
        return None

    async def _keep(self, arrived: list[Update]) -> None:
        """Write the updates, then hand on those not received before, in Telegram's order."""
        if not arrived:
            return
        payloads = [(u.update_id, json.dumps(u.to_dict(), ensure_ascii=False)) for u in arrived]
        new = await inbox.receive(self._database(), payloads, datetime.now(UTC))
        for update in arrived:
            if update.update_id in new:
                new.discard(update.update_id)  # one copy, were it in the same batch twice
                await super().put(update)
            else:
                logger.info("update %s was delivered again; ignored", update.update_id)

    async def replay(self, bot: Bot) -> int:
        """Queue again every update received and never done; returns how many."""
        unfinished = await inbox.unfinished(self._database())
        for _, payload in unfinished:
            await super().put(Update.de_json(json.loads(payload), bot))
        return len(unfinished)

    async def done(self, update: Update) -> None:
        await inbox.done(self._database(), update.update_id, datetime.now(UTC))


class DurableApplication(MentorApplication):
    """An Application that marks each update done with its handlers' first write, or after.

    Updates run in tasks of their own (bot/app/chat_order.py), so the mark, a context variable of
    the task, belongs to its own update only.
    """

    async def process_update(self, update: object) -> None:
        queue = self.update_queue
        if not (isinstance(update, Update) and isinstance(queue, DurableUpdateQueue)):
            await super().process_update(update)
            return
        inbox.handling(update.update_id, datetime.now(UTC))
        await super().process_update(update)
        await queue.done(update)
        metrics.UPDATES_HANDLED.labels(_kind(update)).inc()


def _kind(update: Update) -> str:
    kinds = metrics.UPDATE_KINDS[:-1]
    return next((kind for kind in kinds if getattr(update, kind) is not None), "other")
