"""The outbox worker against the Bot API double and a real SQLite file: how it rests when
there is nothing to send, and what ends the rest."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from telegram.ext import ExtBot

from bot import broadcasts
from bot.broadcasts import Draft, StatusMessage
from bot.config import load_config
from bot.sandbox import BotApiDouble, FaultKind
from handlers.outbox import LONGEST_REST, Outbox, rest_until
from storage.db import Database
from storage.models import Audience, Broadcast, Kind, Member, Role
from tests.support import make_household
from tests.unit.telegram_support import bot_against

TOKEN = "555555:outbox-token"
NOW = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)


def test_an_idle_worker_rests_until_the_next_thing_falls_due() -> None:
    assert rest_until(NOW + timedelta(seconds=2.5), NOW) == 2.5
    assert rest_until(NOW - timedelta(seconds=1), NOW) == 0.0  # overdue: at once
    assert rest_until(NOW + timedelta(days=30), NOW) == LONGEST_REST
    assert rest_until(None, NOW) == LONGEST_REST  # nothing waits: only a wake ends the rest


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[BotApiDouble, ExtBot[int]]]:
    """The double with its limits off, and the bot the outbox sends with."""
    async with BotApiDouble(TOKEN, limits=None) as double, bot_against(double) as bot:
        yield double, bot


async def submit(
    db: Database,
    coordinator: Member,
    send_at: datetime | None,
    status: StatusMessage | None = None,
) -> Broadcast:
    result = await broadcasts.submit(
        db,
        coordinator,
        Draft(Kind.TEXT, "Julfest den 13 december"),
        Audience.FAMILIES,
        send_at=send_at,
        now=datetime.now(UTC),
        status=status,
    )
    assert isinstance(result, Broadcast), result
    return result


async def test_an_idle_outbox_reads_nothing_until_a_broadcast_is_due_or_confirmed(
    db: Database,
    telegram: tuple[BotApiDouble, ExtBot[int]],
    trips: list[Callable[..., Any]],
) -> None:
    double, bot = telegram
    karin, family = double.add_user("Karin"), double.add_user("Eva")
    joined = datetime.now(UTC) - timedelta(days=1)
    (coordinator,) = await make_household(db, Role.COORDINATOR, "Kansliet", (karin.id,), joined)
    await make_household(db, Role.FAMILY, "Familjen Ek", (family.id,), joined)
    # Due in 3 to 4 seconds: a broadcast's time is kept to the second.
    await submit(db, coordinator, datetime.now(UTC) + timedelta(seconds=4))
    outbox = Outbox(bot, db, load_config({}, env_file=None))
    outbox.start()
    try:
        await asyncio.sleep(0.5)  # it has looked, found the broadcast not yet due, and rests
        looked = len(trips)
        await asyncio.sleep(1.5)  # a worker that looked every second would have looked again
        assert len(trips) == looked
        scheduled = await family.next_message(timeout=10)  # nothing woke it: it was due
        assert scheduled["text"] == "Julfest den 13 december"
        await submit(db, coordinator, None)
        outbox.wake()  # as a coordinator's confirmation does: well before its longest rest
        now_sent = await family.next_message(timeout=LONGEST_REST / 4)
        assert now_sent["text"] == "Julfest den 13 december"
    finally:
        await outbox.stop()


async def test_a_report_telegram_could_not_take_goes_at_the_next_turn(db: Database) -> None:
    # Telegram fails the report, past the shared limiter's retries: the broadcast stays
    # unfinished until the report is through, at the next turn (here woken, else a minute on).
    async with (
        BotApiDouble(TOKEN, limits=None) as double,
        bot_against(double, retry_seconds=0.2) as bot,
    ):
        karin, family = double.add_user("Karin"), double.add_user("Eva")
        joined = datetime.now(UTC) - timedelta(days=1)
        (coordinator,) = await make_household(db, Role.COORDINATOR, "Kansliet", (karin.id,), joined)
        await make_household(db, Role.FAMILY, "Familjen Ek", (family.id,), joined)
        failing = double.faults.inject(
            "sendMessage", FaultKind.INTERNAL_SERVER_ERROR, chat_id=karin.id, times=1000
        )
        broadcast = await submit(db, coordinator, None, status=StatusMessage(karin.id, 1))
        outbox = Outbox(bot, db, load_config({}, env_file=None))
        outbox.start()
        try:
            assert (await family.next_message(timeout=10))["text"] == "Julfest den 13 december"
            await asyncio.wait_for(failing.struck.wait(), 10)  # the report is being tried
            assert [b.id for b in await broadcasts.sending(db)] == [broadcast.id]
            double.faults.clear()
            outbox.wake()
            report = (await karin.next_message(timeout=10))["text"]
            assert report.startswith("Utskick #1 är klart: 1 av 1 levererade"), report
        finally:
            await outbox.stop()
