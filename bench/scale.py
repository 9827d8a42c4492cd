"""Does the bot stay as fast with every foster home of Sweden and Denmark? The real bot, twice.

Seeds two databases:
  small: 3 mentor households, 1,025 foster families (those who ask below, and 5 more), the
         shifts of the week that ended yesterday and of the coming week, and that past week's
         questions;
  large: 300 mentor households, 30,000 foster families, a year of shifts (every evening and
         weekend day of the 365 days that ended yesterday and of the coming 4 weeks) and
         100,000 past questions over that year (about 274 a day), each closed with its offers
         (one to each adult of the window's 3 households), rating and topic, and the relays
         the retention keeps (those of the last 30 days).
What is measured covers the same in both, so that the ratio is the cost of the database's
size: the same 3 mentor households on duty now (one adult each) and nobody else, the same 5
questions offered to them, every window of the coming week covered by 3 households, and the
same number of questions on each day of the past week. Households and shifts are made with the
storage functions, the open questions with bot/routing's; the past questions, their offers and
relays with one multi-row INSERT each, in the same transaction.

Then starts `python -m bot run` on each database, both at once, each against a Bot API double
of its own on loopback, with flood limits off on both sides (as bench/routing.py) and the shift
reminders off, and measures, always one bot and then the other (small first every other time),
so that the two figures of a pair are seconds apart on this shared machine:
  1. `/rota` (the coming week), `/requests` (the 5 open questions) and `/stats FROM TO` (the
     past week: the text, the chart and the CSV): from the coordinator's send to the last part
     of the answer, 30 times after two to warm up and count the parts; the median;
  2. routing: 1,000 families (after 20 to warm up), one after another, each send a question;
     from the send to the last of the 3 offers (bench/routing.py's `ask`): p50 and p99.
Prints each figure for small and large, their ratio and the target (ratio <= 1.2), and the
seeding times. Run: `python bench/scale.py`.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from harness import start_bot, stop  # bench/ is the script's own folder
from routing import WARMUP, ask, people

from bot import routing
from bot.config import load_config
from bot.rota import Interval
from bot.routing import Topic
from bot.sandbox import BotApiDouble, SandboxUser
from storage import households, shifts
from storage.db import Database, Session
from storage.models import Kind, Role, to_db

TOKEN = "777777:bench-token"
ON_DUTY = 3
SEQUENTIAL = 1000
OPEN_QUESTIONS = 5
RUNS = 30  # of each command
QUESTIONS = 100_000  # over the year, in the large database
YEAR = 365
STATS_DAYS = 7
PER_WINDOW = 3  # mentor households on each window of the service hours
TARGET_RATIO = 1.2
BUDGET_S = 420.0  # the whole run; it stops itself after this
FAKE_IDS = 40_000_000  # Telegram ids of the households nobody plays in the double

DEFAULTS = load_config({}, env_file=None)  # the bot's own time zone and service hours
TZ = DEFAULTS.timezone
TODAY = datetime.now(TZ).date()
LAST = TODAY - timedelta(days=1)  # the past ended yesterday: every past question has ended
YEAR_FIRST = LAST - timedelta(days=YEAR - 1)
STATS_FIRST = LAST - timedelta(days=STATS_DAYS - 1)
Row = tuple[Any, ...]


@dataclass(frozen=True)
class Scale:
    name: str
    families: int
    mentor_households: int
    past_days: int  # of shifts and questions, ending yesterday
    ahead_days: int  # of shifts, from today


SMALL = Scale("small", WARMUP + SEQUENTIAL + OPEN_QUESTIONS, ON_DUTY, STATS_DAYS, 7)
LARGE = Scale("large", 30_000, 300, YEAR, 28)
SCALES = (SMALL, LARGE)


def questions_on(day: date) -> int:
    """The day's share of the year's questions: the same in both databases."""
    n = (day - YEAR_FIRST).days
    return QUESTIONS * (n + 1) // YEAR - QUESTIONS * n // YEAR


@dataclass
class Seeded:
    """Ids as seeded: a household's (one adult's) member id and Telegram id, by household."""

    mentors: list[tuple[int, int, int]]  # (household, member, telegram id)
    families: list[tuple[int, int]]  # (household, telegram id)
    duty: list[tuple[Interval, list[int]]]  # a window and its households (into mentors)


async def seed_households(
    session: Session, scale: Scale, mentors: list[SandboxUser], families: list[SandboxUser]
) -> Seeded:
    """The double's people first (they have written before: their language is on record)."""
    now = datetime.now(UTC)
    joined = now - timedelta(days=YEAR + 30)
    seeded = Seeded([], [], [])
    for role, count, played in (
        (Role.MENTOR, scale.mentor_households, mentors),
        (Role.FAMILY, scale.families, families),
    ):
        for index in range(count):
            household = await households.create_household(
                session, role, joined, f"{role.value.title()} {index}"
            )
            person = played[index] if index < len(played) else None
            telegram = person.id if person else FAKE_IDS + 100_000 * (role is Role.FAMILY) + index
            member = await households.add_member(session, household, telegram, joined)
            if person:
                await households.note_telegram_language(session, member, person.language_code)
            if role is Role.MENTOR:
                seeded.mentors.append((household, member, telegram))
            else:
                seeded.families.append((household, telegram))
    return seeded


async def seed_shifts(session: Session, scale: Scale, seeded: Seeded) -> int:
    """Every window of the service hours covered by households taking turns, except while the
    3 are on duty now, for the whole run, alone (so that both databases route alike)."""
    now = datetime.now(UTC)
    duty = Interval(now - timedelta(hours=1), now + timedelta(hours=6))
    windows = DEFAULTS.service_hours.windows(
        LAST - timedelta(days=scale.past_days - 1), TODAY + timedelta(days=scale.ahead_days), TZ
    )
    added = 0
    turns = itertools.cycle(range(scale.mentor_households))
    for window in windows:
        if window.start < duty.end and window.end > duty.start:
            continue
        chosen = [next(turns) for _ in range(PER_WINDOW)]
        seeded.duty.append((window, chosen))
        for index in chosen:
            household = seeded.mentors[index][0]
            await shifts.add_shift(session, household, window.start, window.end, None, now)
            added += 1
    for household, _, _ in seeded.mentors[:ON_DUTY]:
        await shifts.add_shift(session, household, duty.start, duty.end, None, now)
    return added + ON_DUTY


def past_rows(rng: random.Random, seeded: Seeded) -> tuple[list[Row], list[Row], list[Row]]:
    """Closed questions, each asked in a window with its 3 households' adults offered it, taken
    by one of them and talked through: rows of requests, offers and relays. A relay in each chat
    while the retention keeps it (bot/retention.py erases the older ones at the bot's start)."""
    by_day: dict[date, list[tuple[Interval, list[int]]]] = {}
    for window, chosen in seeded.duty:
        by_day.setdefault(window.start.astimezone(TZ).date(), []).append((window, chosen))
    forgotten_before = datetime.now(UTC) - DEFAULTS.retention
    messages = itertools.count(1)
    requests: list[Row] = []
    offers: list[Row] = []
    relays: list[Row] = []
    number = 0
    for day in sorted(d for d in by_day if d <= LAST):
        for _ in range(questions_on(day)):
            window, chosen = rng.choice(by_day[day])
            opened = window.start + (window.end - window.start) * rng.random()
            asked = [seeded.mentors[i] for i in chosen]
            household, member, chat = rng.choice(asked)
            family, family_chat = rng.choice(seeded.families)
            accepted = opened + timedelta(minutes=rng.uniform(0.5, 8))
            ended = accepted + timedelta(minutes=rng.uniform(5, 45))
            rating = rng.choice((None, 3, 4, 4, 5, 5, 5))
            topic = rng.choice((None, *(topic.value for topic in Topic)))
            number += 1
            requests.append(
                (
                    number, family, "closed", 0, 0, "text", None, to_db(opened), to_db(opened),
                    to_db(accepted), to_db(ended), to_db(ended), member, household,
                    rng.choice(("family", "mentor")), rating, topic,
                )
            )  # fmt: skip
            offers.extend(
                (number, m, c, next(messages), "closed", to_db(opened), "everyone")
                for _, m, c in asked
            )
            if ended >= forgotten_before:
                relays.append((family_chat, next(messages), number, "relay"))
                relays.append((chat, next(messages), number, "relay"))
    return requests, offers, relays


async def seed_past(session: Session, rows: tuple[list[Row], list[Row], list[Row]]) -> None:
    """Numbered from 1, as past_rows counts: the database is new, and its first question."""
    requests, offers, relays = rows
    await session.execute_many(
        "INSERT INTO requests (id, family_household_id, state, escalation, urgent, first_kind, "
        "preview, opened_at, offered_at, accepted_at, ended_at, last_message_at, "
        "mentor_member_id, mentor_household_id, ended_by, rating, topic) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        requests,
    )
    await session.execute_many(
        "INSERT INTO offers (request_id, member_id, chat_id, message_id, state, offered_at, "
        "reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
        offers,
    )
    await session.execute_many(
        "INSERT INTO relays (chat_id, message_id, request_id, purpose) VALUES (?, ?, ?, ?)",
        relays,
    )


async def seed_open(database: Database, seeded: Seeded, askers: int) -> None:
    """The questions waiting for an answer now, asked through routing as a family asks."""
    now = datetime.now(UTC)
    for household, chat in seeded.families[askers : askers + OPEN_QUESTIONS]:
        async with database.read() as session:
            (family,) = await households.household_members(session, household)
        intake = await routing.take_message(
            database, family, chat, 1, kind=Kind.TEXT, preview="?", urgent=False, now=now
        )
        assert intake.offering is not None and len(intake.offering.offer_to) == ON_DUTY
        shown = [(mentor.id, 900 + intake.request.id) for mentor in intake.offering.offer_to]
        await routing.remember_offers(database, intake.request.id, shown)


async def seed(
    db_path: Path, scale: Scale, mentors: list[SandboxUser], families: list[SandboxUser]
) -> tuple[float, int, int]:
    """The database of this scale; returns the seconds it took, the shifts and past questions."""
    began = time.perf_counter()
    database = await Database.open(db_path)
    try:
        async with database.write() as session:
            seeded = await seed_households(session, scale, mentors, families)
            shifts_added = await seed_shifts(session, scale, seeded)
            rows = past_rows(random.Random(2026), seeded)
            await seed_past(session, rows)
        await seed_open(database, seeded, len(families))
    finally:
        await database.close()
    return time.perf_counter() - began, shifts_added, len(rows[0])


async def parts_of(coordinator: SandboxUser, command: str, quiet: float) -> int:
    """The messages of the command's answer: those until `quiet` seconds pass without one."""
    await coordinator.send(command)
    parts = 0
    while True:
        try:
            await coordinator.next_message(timeout=quiet)
        except AssertionError:
            return parts
        parts += 1


async def answered(coordinator: SandboxUser, command: str, parts: int) -> float:
    """Milliseconds from the command's send to the last part of its answer."""
    began = time.perf_counter()
    await coordinator.send(command)
    for _ in range(parts):
        await coordinator.next_message(timeout=30)
    return (time.perf_counter() - began) * 1000


@dataclass
class Figures:
    seeding: float
    shifts: int
    questions: int
    commands: dict[str, list[float]] = field(default_factory=dict)  # ms
    latencies: list[float] = field(default_factory=list)  # ms


COMMANDS = ("/rota", "/requests", f"/stats {STATS_FIRST} {LAST}")


def new_double() -> BotApiDouble:
    return BotApiDouble(token=TOKEN, bot_username="mentorbot_bench_bot", limits=None)


def cast(double: BotApiDouble) -> tuple[SandboxUser, list[SandboxUser], list[SandboxUser]]:
    """The coordinator, the mentors on duty and the families who ask: added in the same order
    to every double, so with the same Telegram ids, those the databases were seeded with."""
    coordinator = double.add_user(first_name="Karin", language_code="en")
    return coordinator, people(double, "M", ON_DUTY), people(double, "F", WARMUP + SEQUENTIAL)


def turns(count: int) -> list[tuple[Scale, ...]]:
    """Small then large, then large then small, and so on: neither always goes first."""
    return [SCALES if n % 2 == 0 else SCALES[::-1] for n in range(count)]


async def exercise(
    casts: dict[Scale, tuple[SandboxUser, list[SandboxUser], list[SandboxUser]]],
    figures: dict[Scale, Figures],
) -> None:
    """Each command, then each question, to one bot and then the other: this shared machine's
    speed drifts within seconds, and the two measurements of a pair share the drift."""
    for command in COMMANDS:
        parts = {}
        for scale, (coordinator, _, _) in casts.items():
            await parts_of(coordinator, command, quiet=5.0)  # the first /stats imports matplotlib
            parts[scale] = await parts_of(coordinator, command, quiet=1.1)
            assert parts[scale] > 0, f"no answer to {command}"
        for turn in turns(RUNS):
            for scale in turn:
                took = await answered(casts[scale][0], command, parts[scale])
                figures[scale].commands.setdefault(command, []).append(took)
    for index, turn in enumerate(turns(WARMUP + SEQUENTIAL)):
        for scale in turn:
            _, mentors, families = casts[scale]
            took = await ask(families[index], mentors)
            if index >= WARMUP:
                figures[scale].latencies.append(took)


async def measure() -> dict[Scale, Figures]:
    """Both databases seeded, then both bots running at once, each against its own double,
    and measured in turns."""
    with tempfile.TemporaryDirectory() as folder:
        figures = {}
        async with new_double() as double:
            _, mentors, families = cast(double)
            for scale in SCALES:
                (Path(folder) / scale.name).mkdir()
                figures[scale] = Figures(
                    *await seed(Path(folder) / scale.name / "bench.db", scale, mentors, families)
                )
        async with new_double() as small, new_double() as large:
            casts = {SMALL: cast(small), LARGE: cast(large)}
            processes = [
                (
                    await start_bot(
                        double,
                        Path(folder) / scale.name,
                        casts[scale][0],
                        MENTORBOT_API_RATE="10000",
                        MENTORBOT_ESCALATE_AFTER="600",  # no escalation during the run
                        MENTORBOT_REMINDERS="off",  # the mentors' chats hold only offers
                    )
                )[0]
                for scale, double in ((SMALL, small), (LARGE, large))
            ]
            try:
                await exercise(casts, figures)
            finally:
                for process in processes:
                    await stop(process)
    return figures


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def show(name: str, small: float, large: float) -> None:
    ratio = large / small
    verdict = "" if ratio <= TARGET_RATIO else "  NOT MET"
    print(
        f"{name}: small {small:.1f} ms, large {large:.1f} ms, ratio {ratio:.2f} "
        f"(target <= {TARGET_RATIO}){verdict}"
    )


async def main() -> None:
    async with asyncio.timeout(BUDGET_S):
        figures = await measure()
    small, large = figures[SMALL], figures[LARGE]
    for scale, seeded in figures.items():
        print(
            f"{scale.name}: {scale.mentor_households} mentor households, {scale.families} "
            f"families, {seeded.shifts} shifts, {seeded.questions} past questions; "
            f"seeded in {seeded.seeding:.1f} s"
        )
    for command in COMMANDS:
        show(
            f"{command}, send to the last part (median of {RUNS})",
            statistics.median(small.commands[command]),
            statistics.median(large.commands[command]),
        )
    print(f"question to its last offer ({ON_DUTY} on duty), {SEQUENTIAL} one after another:")
    show("  p50", statistics.median(small.latencies), statistics.median(large.latencies))
    show("  p99", p99(small.latencies), p99(large.latencies))


if __name__ == "__main__":
    asyncio.run(main())
