"""The bot's update queue, served by getUpdates (long polling) or pushed to a webhook.

Semantics follow Telegram: ``offset`` confirms every update with a smaller ``update_id``;
a negative offset keeps only the last ``-offset`` updates; a long poll returns as soon as an
update arrives; and a newer getUpdates terminates a pending older one with 409 Conflict.
"""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass
from typing import Any

from .errors import conflict
from .events import ChangeSignal

Update = dict[str, Any]

TERMINATED = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)
UPDATE_TYPES = (
    "message", "edited_message", "channel_post", "edited_channel_post", "inline_query",
    "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query", "poll",
    "poll_answer", "my_chat_member", "chat_member", "chat_join_request", "chat_boost",
    "removed_chat_boost", "message_reaction", "message_reaction_count", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages",
    "purchased_paid_media", "managed_bot", "guest_message",
)  # fmt: skip
"""Every update type, in Telegram's order (the order getWebhookInfo lists allowed ones in)."""
# What Telegram sends when allowed_updates was never set, or set to nothing it knows.
_NOT_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_DEFAULT = frozenset(UPDATE_TYPES) - _NOT_DEFAULT


def update_type(update: Update) -> str:
    """The update's kind: the name of its one field besides ``update_id``."""
    return next((key for key in update if key != "update_id"), "")


@dataclass
class Pending:
    """A queued delivery of an update.

    ``redelivery`` entries (see :meth:`UpdateQueue.redeliver`) survive confirmation by offset
    until delivered once: that is how Telegram hands a bot an update it has already seen.
    """

    update: Update
    redelivery: bool = False
    delivered: bool = False


class UpdateQueue:
    """Updates waiting for the bot, in delivery order."""

    def __init__(self) -> None:
        self.signal = ChangeSignal()
        self._pending: list[Pending] = []
        self._history: dict[int, Update] = {}
        self._next_id = 1
        self._allowed: frozenset[str] | None = None
        self._poll_generation = 0
        self._closed = False

    @property
    def pending_count(self) -> int:
        """Updates not yet confirmed."""
        return len(self._pending)

    @property
    def allowed_updates(self) -> list[str] | None:
        """The allowed_updates setting in Telegram's order (None: Telegram's default)."""
        if self._allowed is None:
            return None
        return [kind for kind in UPDATE_TYPES if kind in self._allowed]

    def set_allowed(self, allowed: list[str]) -> None:
        """Only updates of these types are queued from now on.

        As Telegram reads the list: names are case-insensitive, unknown ones are ignored, and a
        list of nothing it knows, or of exactly the default types, is the default setting.
        """
        known = frozenset(kind.lower() for kind in allowed) & frozenset(UPDATE_TYPES)
        self._allowed = known if known and known != _DEFAULT else None

    def number_after(self, update_id: int) -> None:
        """Number new updates after ``update_id``, as Telegram goes on from where it was."""
        self._next_id = max(self._next_id, update_id + 1)

    def push(self, update: Update) -> Update:
        """Queue an update (assigning ``update_id`` if missing); returns a copy of it."""
        update = copy.deepcopy(update)
        update_id = update.setdefault("update_id", self._next_id)
        self._next_id = max(self._next_id, int(update_id) + 1)
        if self._allows(update_type(update)):
            self._history[update_id] = update
            self._pending.append(Pending(update))
            self.signal.notify()
        return copy.deepcopy(update)

    def _allows(self, kind: str) -> bool:
        # By default, kinds unknown to Telegram pass: a test may inject any raw update.
        return kind in self._allowed if self._allowed is not None else kind not in _NOT_DEFAULT

    def redeliver(self, update_id: int) -> None:
        """Queue an already queued update once more, unchanged (a duplicate delivery)."""
        if update_id not in self._history:
            raise KeyError(f"no update {update_id} was ever queued")
        self._pending.append(Pending(self._history[update_id], redelivery=True))
        self.signal.notify()

    def drop_pending(self) -> None:
        """Forget every queued update (drop_pending_updates)."""
        self._pending.clear()

    def peek(self) -> Pending | None:
        """The next update to push to a webhook."""
        return self._pending[0] if self._pending else None

    def acknowledge(self, pending: Pending) -> None:
        """A webhook accepted ``pending``."""
        if pending in self._pending:
            self._pending.remove(pending)

    def open(self) -> None:
        """Let long polls wait again (the server is starting)."""
        self._closed = False

    def close(self) -> None:
        """Release every long poll (with no updates): the server is stopping."""
        self._closed = True
        self.signal.notify()

    async def poll(self, offset: int | None, limit: int, seconds: float) -> list[Update]:
        """getUpdates: confirm up to ``offset``, then return updates, waiting up to ``seconds``."""
        self._poll_generation += 1
        generation = self._poll_generation
        self.signal.notify()  # wakes an older poll so that it sees it was superseded
        if offset is not None:
            self._confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            if generation != self._poll_generation:
                raise conflict(TERMINATED)
            remaining = deadline - loop.time()
            if self._pending or self._closed or remaining <= 0:
                return self._take(limit)
            await self.signal.wait(remaining)

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            del self._pending[:offset]
            return
        self._pending = [
            p
            for p in self._pending
            if p.update["update_id"] >= offset or (p.redelivery and not p.delivered)
        ]

    def _take(self, limit: int) -> list[Update]:
        # A redelivery starts a batch of its own: clients take the *last* update_id of a batch
        # plus one as the next offset, which must not skip over the updates before it.
        batch: list[Pending] = []
        for pending in self._pending[:limit]:
            if pending.redelivery and batch:
                break
            batch.append(pending)
        for pending in batch:
            pending.delivered = True
        return [copy.deepcopy(p.update) for p in batch]
