"""Change notification: every state change is published here, in one place.

Two audiences: in-process waiters (``SandboxUser.next_message`` and friends, long polls) that
need "something changed, re-check your condition", and subscribers (a browser chat page later)
that need the ordered stream of chat events.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    """What happened in a chat."""

    MESSAGE = "message"
    """A new message, from the user or from the bot."""
    EDITED = "edited"
    DELETED = "deleted"
    CALLBACK_ANSWERED = "callback_answered"
    CHAT_ACTION = "chat_action"
    USER_ADDED = "user_added"
    """A new user opened their chat with the bot (``chat_id`` is theirs)."""


@dataclass(frozen=True)
class Event:
    """One chat event; ``message`` is a snapshot, safe to keep."""

    kind: EventKind
    chat_id: int
    message_id: int | None = None
    message: dict[str, Any] | None = None
    data: dict[str, Any] = field(default_factory=dict)


class ChangeSignal:
    """Wakes every waiter whenever :meth:`notify` is called.

    Unlike :class:`asyncio.Condition` it can be notified from synchronous code, which is where
    all state changes happen.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake all current waiters."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float | None) -> bool:
        """Wait for the next notification (at most ``seconds``, None: forever); False on timeout."""
        try:
            await asyncio.wait_for(self._event.wait(), seconds)
        except TimeoutError:
            return False
        return True

    async def wait_until(self, predicate: Callable[[], bool], seconds: float) -> bool:
        """Wait up to ``seconds`` until ``predicate()`` holds, re-checking on every notification."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0 or not await self.wait(remaining):
                return predicate()
        return True


class EventBus:
    """Fans events out to subscriber queues and wakes in-process waiters."""

    def __init__(self) -> None:
        self.changed = ChangeSignal()
        self._subscribers: list[asyncio.Queue[Event]] = []

    def subscribe(self) -> asyncio.Queue[Event]:
        """A new unbounded queue receiving every event from now on."""
        queue: asyncio.Queue[Event] = asyncio.Queue()
        self._subscribers.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Event]) -> None:
        """Stop feeding ``queue``."""
        self._subscribers.remove(queue)

    def publish(self, event: Event) -> None:
        """Deliver ``event`` to all subscribers and wake waiters."""
        for queue in self._subscribers:
            queue.put_nowait(event)
        self.changed.notify()
