"""The update queue that makes Telegram's confirmation wait for the database.

python-telegram-bot's updater puts every update it fetched into the application's queue, and
confirms it to Telegram (with the next getUpdates offset, or the webhook's 200) once `put` has
returned. Writing the update inside `put` therefore makes it durable before Telegram forgets
it; the application marks it done with its handlers' first write, and at start everything
received and not done is queued again (bot/inbox.py). A kill -9 in the middle of a family's
question thus never costs the question. The same path serves long polling and webhooks.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime

from telegram import Bot, Update

from bot import inbox, metrics
from handlers.common import MentorApplication
from storage.db import Database

logger = logging.getLogger(__name__)


class DurableUpdateQueue(asyncio.Queue[object]):
    """An `asyncio.Queue` whose `put` keeps an update in the database first."""

    def __init__(self) -> None:
        super().__init__()
        self._db: Database | None = None

    def attach(self, db: Database) -> None:
        """From post_init on: before, the updater has fetched nothing."""
        self._db = db

    def _database(self) -> Database:
        if self._db is None:
            raise RuntimeError("an update arrived before the database was open")
        return self._db

    async def put(self, item: object) -> None:
        if isinstance(item, Update):
            payload = json.dumps(item.to_dict(), ensure_ascii=False)
            now = datetime.now(UTC)
            if not await inbox.receive(self._database(), item.update_id, payload, now):
                logger.info("update %s was delivered again; ignored", item.update_id)
                return
        await super().put(item)

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
