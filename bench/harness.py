"""What every benchmark shares: the real bot started against the double, as in production."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

from bot.sandbox import BotApiDouble, Event, EventKind, SandboxUser


async def start_bot(
    double: BotApiDouble, workdir: Path, coordinator: SandboxUser, **settings: str
) -> tuple[asyncio.subprocess.Process, float]:
    """`python -m bot run` on `workdir/bench.db`; only TELEGRAM_API_URL differs from production.

    Returns the process and the seconds until it answered the coordinator's first message.
    The morning gap report is off, so that nothing but what a benchmark measures is sent.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MENTORBOT_", "TELEGRAM_"))}
    env |= {
        "TELEGRAM_BOT_TOKEN": double.token,
        "TELEGRAM_API_URL": double.api_url,
        "MENTORBOT_DB": str(workdir / "bench.db"),
        "MENTORBOT_COORDINATORS": str(coordinator.id),
        "MENTORBOT_GAP_REPORT": "off",
        **settings,
    }
    began = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=workdir,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await coordinator.send("/help")
    await coordinator.next_message(timeout=60)
    return process, time.perf_counter() - began


async def start_floor(
    double: BotApiDouble, coordinator: SandboxUser, script: str, chats: Iterable[int]
) -> asyncio.subprocess.Process:
    """A floor (bench/`script`, a bare python-telegram-bot application making a benchmark's Bot
    API traffic) as its own process, as the bot is, given `chats`; ready once it answers a
    command."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MENTORBOT_", "TELEGRAM_"))}
    env |= {"TELEGRAM_BOT_TOKEN": double.token, "TELEGRAM_API_URL": double.api_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).with_name(script)),
        *(str(chat) for chat in chats),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await coordinator.send("/start")
    await coordinator.next_message(timeout=60)
    return process


async def stop(process: asyncio.subprocess.Process) -> None:
    """Stop the bot as systemd does (SIGTERM), and kill it if it has not ended in 10 s."""
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
    await process.wait()


class Inboxes:
    """What the bot sends and edits in each chat of a crowd, from one subscription to the
    double's events, a queue a chat.

    A double's user waits (`next_message`, `wait_for_edit`, `press`) by re-checking on every
    change in any chat, which is what a test of a few people wants; with thousands waiting at
    once it costs the benchmark more of the machine than the bot it measures. People of a crowd
    read their own queue instead, and press with `timeout=0` (the press is queued for the bot
    at once; its answer only ends the spinner): `answered` holds when each chat's presses were
    answered, on the double's clock.
    """

    def __init__(self, double: BotApiDouble, people: Iterable[SandboxUser]) -> None:
        self._double = double
        self.clock = double.clock
        self._queues: dict[int, asyncio.Queue[Event]] = {p.chat_id: asyncio.Queue() for p in people}
        self.answered: dict[int, list[float]] = {chat: [] for chat in self._queues}
        self._events = double.subscribe()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Inboxes:
        self._task = asyncio.create_task(self._dispatch())
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._double.unsubscribe(self._events)

    async def _dispatch(self) -> None:
        while True:
            event = await self._events.get()
            queue = self._queues.get(event.chat_id)
            if queue is not None and event.kind is EventKind.CALLBACK_ANSWERED:
                self.answered[event.chat_id].append(self.clock())
            by_bot = event.message is not None and event.message.get("from", {}).get("is_bot")
            if queue is not None and by_bot and event.kind in (EventKind.MESSAGE, EventKind.EDITED):
                queue.put_nowait(event)

    async def _next(self, person: SandboxUser, kind: EventKind, timeout: float) -> dict[str, Any]:  # noqa: ASYNC109
        try:
            async with asyncio.timeout(timeout):
                event = await self._queues[person.chat_id].get()
        except TimeoutError:
            raise AssertionError(
                f"{person.first_name}: nothing from the bot in {timeout:.0f} s"
            ) from None
        assert event.kind is kind and event.message is not None, (
            f"{person.first_name}: {kind.value} expected, got {event.kind.value}: {event.message}"
        )
        return event.message

    async def message(self, person: SandboxUser, timeout: float) -> dict[str, Any]:  # noqa: ASYNC109
        """The next thing the bot does in the person's chat, which must be a new message."""
        return await self._next(person, EventKind.MESSAGE, timeout)

    async def edit(self, person: SandboxUser, timeout: float) -> dict[str, Any]:  # noqa: ASYNC109
        """The next thing the bot does in the person's chat, which must be an edit: the message
        as edited."""
        return await self._next(person, EventKind.EDITED, timeout)
