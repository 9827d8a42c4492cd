"""Faults on demand: make chosen API calls fail the way Telegram's edge sometimes does.

Tests use these to prove the bot survives flood waits, 5xx answers and lost connections.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import StrEnum


class FaultKind(StrEnum):
    """How a matched request fails."""

    BAD_REQUEST = "400"
    """Telegram refuses the call, with the ``description`` the fault was armed with: as it does
    quoting what it could not parse (``Unsupported start tag "…"``)."""
    TOO_MANY_REQUESTS = "429"
    INTERNAL_SERVER_ERROR = "500"
    BAD_GATEWAY = "502"
    DROP = "drop"
    """Read the request, then close the connection without answering (a network error)."""
    HOLD = "hold"
    """Hold the request unanswered until released, then answer it normally: a slow Telegram,
    and the moment to kill a bot in the middle of handling an update."""


@dataclass
class Fault:
    """One armed fault; ``remaining`` counts down on every match."""

    method: str
    kind: FaultKind
    remaining: int
    chat_id: int | None
    retry_after: int
    description: str = "message is too long"
    """What a BAD_REQUEST fault says after ``Bad Request:``."""
    struck: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once the fault has matched a call: a test waits for it rather than guessing."""
    holding: asyncio.Event = field(default_factory=asyncio.Event)
    """Set while a held call waits (HOLD faults)."""
    released: asyncio.Event = field(default_factory=asyncio.Event)
    """Set to let held calls go on (HOLD faults)."""

    def release(self) -> None:
        """Let every call this HOLD fault holds go on, and the next ones pass at once."""
        self.released.set()

    def matches(self, method: str, chat_id: int | None) -> bool:
        """``method="*"`` matches any method and ``chat_id=None`` any chat."""
        if self.method != "*" and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id


class FaultInjector:
    """Armed faults, consulted in arming order for every API call."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def inject(
        self,
        method: str = "*",
        kind: FaultKind | str | int = FaultKind.INTERNAL_SERVER_ERROR,
        *,
        times: int = 1,
        chat_id: int | None = None,
        retry_after: int = 3,
        description: str | None = None,
    ) -> Fault:
        """Arm a fault for the next ``times`` calls of ``method`` (to ``chat_id`` if given)."""
        if times < 1:
            raise ValueError("times must be >= 1")
        fault = Fault(method, FaultKind(str(kind)), times, chat_id, retry_after)
        if description is not None:
            fault.description = description
        self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Disarm every fault."""
        self._faults.clear()

    @property
    def pending(self) -> list[Fault]:
        """Faults that will still fire."""
        return list(self._faults)

    def take(self, method: str, chat_id: int | None) -> Fault | None:
        """The first fault matching this call, counted down (and disarmed when spent)."""
        for fault in self._faults:
            if fault.matches(method, chat_id):
                fault.struck.set()
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None
