"""A lock per key (a chat, a conversation), made when first wanted and dropped when last let go."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class _Turns:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # holding the lock or waiting for it


class KeyedLocks:
    """One lock per key, kept only while someone holds or waits for it.

    A chat that wrote once is never seen again as often as not; keeping its lock for ever would
    grow with every person who ever wrote.
    """

    def __init__(self) -> None:
        self._turns: dict[int, _Turns] = {}

    def __len__(self) -> int:
        """Keys with someone holding or waiting: what is kept now."""
        return len(self._turns)

    @asynccontextmanager
    async def hold(self, key: int) -> AsyncIterator[None]:
        """Wait for the key's earlier holders (first come, first served), then hold it."""
        turns = self._turns.setdefault(key, _Turns())
        turns.users += 1
        try:
            async with turns.lock:
                yield
        finally:
            turns.users -= 1
            if turns.users == 0:
                del self._turns[key]
