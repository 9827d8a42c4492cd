"""Chats handled at once, each chat's updates one at a time and in the order they came.

python-telegram-bot handles updates one after another unless told otherwise, so one family's
album, a backlog copied at Accept, or a send that waits out a 429 or retries a 502 (see
bot/app/rate_limiter.py) held up every other chat's question. Handling all updates at once would
break what a chat's order means (a family's second message must not overtake its first, nor a
mentor's answer the Accept before it), so each chat gets a lock, taken in arrival order: the
update fetcher starts one task per update, in order, every task reaches its chat's lock before
it first waits for anything (the library's semaphore in front of it is first come, first
served as well), and asyncio's locks serve their waiters in turn.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.keyed_locks import KeyedLocks

# Handlers running at once, across chats: a handler mostly waits on Telegram, one request at a
# time, so this stays well inside the HTTP connection pool (256 connections by default).
HANDLED_AT_ONCE = 64
# Updates taken into processing at once, running or waiting for their chat's turn; the library's
# semaphore of this size comes before the chat's lock, so it must be far above what one busy
# chat queues, or that chat's backlog would take the places of other chats' updates.
ADMITTED_AT_ONCE = 10_000


def chat_key(update: object) -> int | None:
    """Whose order an update belongs to: its chat, else its sender; None for neither."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class ChatOrder(BaseUpdateProcessor):
    """Updates of different chats concurrently, those of one chat in order."""

    def __init__(self, handled_at_once: int = HANDLED_AT_ONCE) -> None:
        super().__init__(ADMITTED_AT_ONCE)
        self._chats = KeyedLocks()
        self._running = asyncio.Semaphore(handled_at_once)

    @property
    def chats_in_progress(self) -> int:
        """Chats with an update running or waiting: locks of the others are gone."""
        return len(self._chats)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:  # no chat and no sender (a poll's state): nothing to keep in order
            async with self._running:
                await coroutine
            return
        async with self._chats.hold(key), self._running:
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up: the locks come with the updates."""

    async def shutdown(self) -> None:
        """Nothing to release: a lock goes with the last update of its chat."""
