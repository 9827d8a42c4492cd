"""How fast, how steadily and how safely does a newsletter go out? The real bot against the double.

Seeds a coordinator and foster families (one adult each) directly in the database, starts
`python -m bot run` against the Bot API double on loopback, and has the coordinator go through
/broadcast (the text, "Foster families", "Now", "Send"). Each part has a fresh double, database
and bot process:
  a. engine ceiling: 10,000 families, flood limits off on both sides (the double's limits=None,
     MENTORBOT_BROADCAST_RATE at the most the bot allows, MENTORBOT_API_RATE=10000), so that
     what is measured is the outbox; from pressing Send to the last delivery, as messages a
     second. The floor, on a fresh double each time (bench/broadcast_floor.py: a bare
     python-telegram-bot application with the bot's Bot API settings, no database, no logic),
     sends the same text to the same number of chats in a plain loop, from the coordinator's
     message to the last delivery, once before Mentorbot and once after: their mean cancels
     the machine's steady drift. The ratio, measured in one run, says what the outbox costs
     beyond the library, since this shared machine's absolute figures vary by a third from
     run to run. The bot cannot go faster than its configured rate, so the ratio is
     against the floor or that rate, whichever is lower;
  b. Telegram's pace: 500 families, the double enforcing Telegram's limits (30 a second per bot,
     one a second per chat) and the bot at its defaults (25 a second); the rate achieved from the
     first delivery to the last (intervals over time, on the double's clock) as a share of 25/s,
     and the 429 answers;
  c. crash: 300 families at 50 a second (limits off); the bot is killed (SIGKILL) once about 100
     have it, started again on the same database, and the report awaited; who was reached, and
     how many extra copies went out;
  d. one delivery's record alone, without the bot: the outbox's settle as it is made (on the
     event loop's thread) and as a transaction through aiosqlite's thread, in turns.
Prints the figures beside their targets. Run: `python bench/broadcast.py`.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import start_bot, start_floor, stop  # bench/ is the script's own folder

from bot import broadcasts, members
from bot.config import MAX_BROADCAST_RATE
from bot.sandbox import BotApiDouble, RequestRecord, SandboxUser
from storage import broadcasts as broadcast_rows
from storage import households
from storage.db import Database
from storage.models import Audience, DeliveryState, Kind, Role

TOKEN = "777777:bench-token"
NEWSLETTER = "December newsletter: the new foster care law, spring courses and a theme morning."
REPORT = re.compile(r"Broadcast #\d+ is done: (\d+) of (\d+) delivered")

CEILING_FAMILIES = 10_000
CEILING_RATE = MAX_BROADCAST_RATE
TARGET_CEILING_RATE = 1000.0
TARGET_RATIO = 0.9  # of the floor's rate (or the configured one, if lower), in the same run
CEILING_REPORT_WAIT = 300.0  # seconds; the figure is printed however long it takes

PACE_FAMILIES = 500
DEFAULT_RATE = 25.0  # MENTORBOT_BROADCAST_RATE when unset
TARGET_PACE_SHARE = 0.95

CRASH_FAMILIES = 300
CRASH_RATE = "50"
CRASH_AFTER = 100  # deliveries seen before the kill
TARGET_EXTRA = 1  # only the message in flight at the instant of the crash may go twice

SETTLES = 10_000
SENT = DeliveryState.SENT


async def seed(db_path: Path, coordinator: SandboxUser, families: list[SandboxUser]) -> None:
    """Households made directly in the database: the bench is about the outbox, not onboarding.

    Everyone has written to the bot before, so their Telegram language is on record.
    """
    now = datetime.now(UTC)
    database = await Database.open(db_path)
    try:
        async with database.write() as session:
            people = [(Role.COORDINATOR, coordinator)] + [(Role.FAMILY, f) for f in families]
            for role, person in people:
                household = await households.create_household(
                    session, role, now, f"{person.first_name} household"
                )
                member = await households.add_member(session, household, person.id, now)
                await households.note_telegram_language(session, member, person.language_code)
    finally:
        await database.close()


async def compose(coordinator: SandboxUser, families: int, pause: float = 0.0) -> dict[str, Any]:
    """/broadcast up to the confirmation, for the foster families, now; returns the confirm.

    `pause`: seconds before each step, as a person reading and typing. With Telegram's limits
    on, two seconds keep the coordinator's own chat within one message a second on average
    (the preview is three messages at once, and the status message is edited twice as the
    broadcast starts).
    """
    await asyncio.sleep(pause)
    await coordinator.send("/broadcast")
    assert "Send what you want" in (await coordinator.next_message())["text"]
    await asyncio.sleep(pause)
    await coordinator.send(NEWSLETTER)
    ask = await coordinator.next_message()
    await asyncio.sleep(pause)
    await coordinator.press(ask, "Foster families")
    await coordinator.wait_for_edit(ask)
    await asyncio.sleep(pause)
    await coordinator.press(ask, "Now")
    assert (await coordinator.next_message())["text"] == "This is how it will look:"
    assert (await coordinator.next_message())["text"] == NEWSLETTER
    confirm = await coordinator.next_message(timeout=30)
    assert f"({families} recipients)" in confirm["text"], confirm["text"]
    await asyncio.sleep(pause)
    return confirm


async def report(coordinator: SandboxUser, within: float) -> tuple[int, int]:
    """(delivered, total) from the "Broadcast #N is done" report, skipping anything before it."""
    deadline = time.monotonic() + within
    while True:
        message = await coordinator.next_message(timeout=max(0.1, deadline - time.monotonic()))
        found = REPORT.search(message.get("text", ""))
        if found:
            return int(found[1]), int(found[2])


def deliveries(double: BotApiDouble, families: set[int]) -> list[RequestRecord]:
    """The newsletter's successful sends, in the order the double answered them."""
    return [
        call
        for call in double.requests
        if call.method == "sendMessage" and call.status == 200 and call.chat_id in families
    ]


def throttled(double: BotApiDouble, chats: set[int] | None = None) -> int:
    """429 answers, to `chats` only if given."""
    return sum(
        1
        for call in double.requests
        if call.status == 429 and (chats is None or call.chat_id in chats)
    )


@dataclass(frozen=True)
class Ceiling:
    to_last: float  # s, from Send (the floor: the newsletter's arrival) to the last delivery
    spread: float  # s, first to last delivery
    sent: int
    throttled: int

    @property
    def rate(self) -> float:
        return self.sent / self.to_last


def between(before: Ceiling, after: Ceiling) -> Ceiling:
    """The floor's two runs, as one: the mean of their times, and every 429 of either."""
    return Ceiling(
        (before.to_last + after.to_last) / 2,
        (before.spread + after.spread) / 2,
        before.sent,
        before.throttled + after.throttled,
    )


def families_of(double: BotApiDouble, count: int) -> list[SandboxUser]:
    return [double.add_user(first_name=f"F{i}", language_code="en") for i in range(count)]


def ceiling_of(double: BotApiDouble, pressed: float, chats: set[int]) -> Ceiling:
    sent = deliveries(double, chats)
    spread = sent[-1].time - sent[0].time
    return Ceiling(sent[-1].time - pressed, spread, len(sent), throttled(double))


async def ceiling() -> Ceiling:
    """a. Mentorbot's outbox, from the press on Send."""
    async with BotApiDouble(token=TOKEN, bot_username="mentorbot_bench_bot", limits=None) as double:
        coordinator = double.add_user(first_name="Karin", language_code="en")
        families = families_of(double, CEILING_FAMILIES)
        with tempfile.TemporaryDirectory() as folder:
            workdir = Path(folder)
            await seed(workdir / "bench.db", coordinator, families)
            process, _ = await start_bot(
                double,
                workdir,
                coordinator,
                MENTORBOT_BROADCAST_RATE=f"{CEILING_RATE:g}",
                MENTORBOT_API_RATE="10000",
            )
            try:
                confirm = await compose(coordinator, CEILING_FAMILIES)
                pressed = double.clock()
                await coordinator.press(confirm, "Send")
                delivered, total = await report(coordinator, CEILING_REPORT_WAIT)
                assert delivered == total == CEILING_FAMILIES, (delivered, total)
            finally:
                await stop(process)
        return ceiling_of(double, pressed, {family.id for family in families})


async def floor() -> Ceiling:
    """a. The floor's plain loop, from the coordinator's newsletter reaching the double."""
    async with BotApiDouble(token=TOKEN, bot_username="floor_bench_bot", limits=None) as double:
        coordinator = double.add_user(first_name="Karin", language_code="en")
        families = families_of(double, CEILING_FAMILIES)
        chats = [family.chat_id for family in families]
        process = await start_floor(double, coordinator, "broadcast_floor.py", chats)
        try:
            pressed = double.clock()
            await coordinator.send(NEWSLETTER)
            done = await coordinator.next_message(timeout=CEILING_REPORT_WAIT)
            assert done["text"] == "done", done
        finally:
            await stop(process)
        return ceiling_of(double, pressed, {family.id for family in families})


async def pace() -> tuple[float, int, int, int]:
    """b. (rate achieved first to last delivery, delivered, 429s in all, 429s to families)."""
    async with BotApiDouble(token=TOKEN, bot_username="mentorbot_bench_bot") as double:
        coordinator = double.add_user(first_name="Karin", language_code="en")
        families = families_of(double, PACE_FAMILIES)
        chats = {family.id for family in families}
        with tempfile.TemporaryDirectory() as folder:
            workdir = Path(folder)
            await seed(workdir / "bench.db", coordinator, families)
            process, _ = await start_bot(double, workdir, coordinator)  # the bot's own defaults
            try:
                confirm = await compose(coordinator, PACE_FAMILIES, pause=2.0)
                await coordinator.press(confirm, "Send")
                wait = PACE_FAMILIES / DEFAULT_RATE * 2 + 30
                delivered, total = await report(coordinator, wait)
                assert delivered == total == PACE_FAMILIES, (delivered, total)
            finally:
                await stop(process)
        sent = deliveries(double, chats)
        rate = (len(sent) - 1) / (sent[-1].time - sent[0].time)
        return rate, len(sent), throttled(double), throttled(double, chats)


async def crash() -> tuple[int, int, int, int]:
    """c. (delivered before the kill, recipients reached, extra copies, families reported)."""
    async with BotApiDouble(token=TOKEN, bot_username="mentorbot_bench_bot", limits=None) as double:
        coordinator = double.add_user(first_name="Karin", language_code="en")
        families = families_of(double, CRASH_FAMILIES)
        chats = {family.id for family in families}
        settings = {"MENTORBOT_BROADCAST_RATE": CRASH_RATE, "MENTORBOT_API_RATE": "10000"}
        with tempfile.TemporaryDirectory() as folder:
            workdir = Path(folder)
            await seed(workdir / "bench.db", coordinator, families)
            process, _ = await start_bot(double, workdir, coordinator, **settings)
            try:
                confirm = await compose(coordinator, CRASH_FAMILIES)
                await coordinator.press(confirm, "Send")
                deadline = time.monotonic() + 60
                while len(deliveries(double, chats)) < CRASH_AFTER:
                    assert time.monotonic() < deadline, "the broadcast did not get going"
                    await asyncio.sleep(0.005)
                process.kill()  # SIGKILL: no shutdown, whatever was in flight stays in flight
                await process.wait()
                before = len(deliveries(double, chats))
                process, _ = await start_bot(double, workdir, coordinator, **settings)
                delivered, total = await report(coordinator, 60)
                assert total == CRASH_FAMILIES, (delivered, total)
            finally:
                await stop(process)
        copies = Counter(call.chat_id for call in deliveries(double, chats))
        extra = sum(count - 1 for count in copies.values())
        return before, len(copies), extra, delivered


async def settle_alone() -> tuple[float, float]:
    """d. Median ms of one delivery's record alone, on the loop's thread as the outbox makes it
    (a `write()`), and through aiosqlite's thread (a `write(slow=True)`), taken in turns on the
    same database so that the machine's drift falls on both alike."""
    async with BotApiDouble(token=TOKEN, limits=None) as double:
        coordinator = double.add_user(first_name="Karin", language_code="en")
        families = families_of(double, SETTLES)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.db"
            await seed(path, coordinator, families)
            db = await Database.open(path)
            try:
                await db.checkpoint_in_background()  # as the running bot does
                karin = await members.identify(db, coordinator.id)
                assert karin is not None
                draft = broadcasts.Draft(Kind.TEXT, NEWSLETTER)
                now = datetime.now(UTC)
                await broadcasts.submit(db, karin, draft, Audience.FAMILIES, send_at=None, now=now)
                at_once: list[float] = []
                through_thread: list[float] = []
                while batch := await broadcasts.claim_due(db, now, 100):
                    for turn, delivery in enumerate(batch):
                        began = time.perf_counter()
                        if turn % 2:
                            async with db.write(slow=True) as session:
                                await broadcast_rows.settle_delivery(
                                    session, delivery.broadcast.id, delivery.chat_id, SENT, now
                                )
                            through_thread.append(time.perf_counter() - began)
                        else:
                            await broadcasts.settle(db, delivery, SENT, now)
                            at_once.append(time.perf_counter() - began)
            finally:
                await db.close()
    return 1000 * statistics.median(at_once), 1000 * statistics.median(through_thread)


async def measure() -> None:
    began = time.perf_counter()
    # The floor before and after Mentorbot: the machine's drift over the minutes of a run is
    # about as large as the difference measured, and the mean of the two cancels its steady part.
    first_floor, bot, second_floor = await floor(), await ceiling(), await floor()
    bare = between(first_floor, second_floor)
    against = "the floor" if bare.rate <= CEILING_RATE else f"the configured {CEILING_RATE:g}/s"
    print(
        f"a. engine ceiling, {CEILING_FAMILIES} families, limits off "
        f"(MENTORBOT_BROADCAST_RATE={CEILING_RATE:g}, the most allowed), Send to the last "
        f"delivery: Mentorbot {bot.rate:.0f} messages/s ({bot.to_last:.2f} s; first to last "
        f"delivery {bot.spread:.2f} s), floor {bare.rate:.0f}/s ({bare.to_last:.2f} s; "
        f"{bare.spread:.2f} s; the mean of {first_floor.to_last:.2f} s before Mentorbot and "
        f"{second_floor.to_last:.2f} s after)"
    )
    print(
        f"   ratio {bot.rate / min(bare.rate, CEILING_RATE):.2f} against {against} "
        f"(target >= {TARGET_RATIO:.1f}; absolute target >= {TARGET_CEILING_RATE:.0f}/s); "
        f"429 answers: {bot.throttled} to Mentorbot, {bare.throttled} to the floor"
    )
    rate, paced, pace_429, family_429 = await pace()
    print(
        f"b. Telegram's limits, default rate {DEFAULT_RATE:.0f}/s, {paced} families: "
        f"{rate:.2f} messages/s first to last delivery, {rate / DEFAULT_RATE:.1%} of "
        f"{DEFAULT_RATE:.0f}/s (target >= {TARGET_PACE_SHARE:.0%}); "
        f"429 answers: {pace_429} (target 0), {family_429} of them to families"
    )
    before, reached, extra, reported = await crash()
    print(
        f"c. kill -9 after {before} of {CRASH_FAMILIES} delivered "
        f"(MENTORBOT_BROADCAST_RATE={CRASH_RATE}), restart on the same database: "
        f"{reached} of {CRASH_FAMILIES} reached (target all {CRASH_FAMILIES}), "
        f"{extra} extra message(s) (target <= {TARGET_EXTRA}); the report says "
        f"{reported} of {CRASH_FAMILIES} delivered"
    )
    at_once, through_thread = await settle_alone()
    print(
        f"d. one delivery's record alone, {SETTLES} in turns on a database of {SETTLES} "
        f"families: median {at_once:.3f} ms on the loop's thread (the outbox's), "
        f"{through_thread:.3f} ms in a transaction through aiosqlite's thread"
    )
    print(f"whole run: {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    asyncio.run(measure())
