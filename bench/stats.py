"""How quickly does a coordinator get a pilot year's evaluation report? The real bot and the CLI.

Seeds a pilot year into a fresh database before the bot starts: a coordinator, 3 mentor
households (two adults each), 30 foster families (34 adults), 10,000 questions over the 365
days that ended yesterday (evening and weekend peaks, some outside the service hours and
offered at the next shift; most accepted within a few minutes, some asked again or passed on
to the coordinators, some withdrawn; ratings and topics on most), a shift for every evening and
weekend day, and 4 newsletters to 40 adults. Seeding uses the storage functions and, for the
questions, one multi-row INSERT, all in one transaction.

Then starts `python -m bot run` against the Bot API double on loopback (Telegram's limits on)
and measures
  1. /stats FROM TO for the whole year, sent 10 times by the coordinator with a quiet pause
     between (so that the chat's flood bucket is full again): from the send to the arrival of
     the text, the chart (photo) and the CSV (document); the first run pays for importing
     matplotlib in the bot process;
  2. `mentorbot stats --from --to --out DIR` for the same year as a subprocess, 5 times: wall
     time, process start to exit.
Prints the figures beside their targets. Run: `python bench/stats.py`.
"""

from __future__ import annotations

import asyncio
import csv
import io
import math
import os
import random
import statistics
import sys
import tempfile
import time
from bisect import bisect_right
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

from harness import start_bot, stop  # bench/ is the script's own folder

from bot.config import load_config
from bot.rota import Interval
from bot.routing import Topic
from bot.sandbox import BotApiDouble, SandboxUser
from storage import broadcasts, households, shifts
from storage.db import Database, Session
from storage.models import Audience, BroadcastState, DeliveryState, Kind, Role, to_db

TOKEN = "777777:bench-token"
QUESTIONS = 10_000
DAYS = 365
MENTOR_HOUSEHOLDS = 3
FAMILY_HOUSEHOLDS = 30
FAMILIES_WITH_TWO_ADULTS = 4  # 34 family adults + 6 mentor adults = 40 newsletter recipients
NEWSLETTERS = 4
STATS_RUNS = 10
CLI_RUNS = 5
# Telegram's one-chat bucket (1 a second, 3 at once) is full again after this long.
QUIET_S = 3.2
BUDGET_S = 170.0  # the whole run, seeding to the last CLI run; it stops itself after this
TARGET_CHAT_P50_S = 2.0
TARGET_CLI_P50_S = 5.0

# The bot's own defaults (time zone, service hours, holidays), so the seed matches its view.
DEFAULTS = load_config({}, env_file=None)
TZ = DEFAULTS.timezone
HOURS = DEFAULTS.service_hours
TODAY = datetime.now(TZ).date()
LAST = TODAY - timedelta(days=1)  # the year ended yesterday: every question has ended
FIRST = LAST - timedelta(days=DAYS - 1)

# Questions by local hour: evenings peak; weekends spread over the day; a few in the night.
_WEEKDAY_HOURS = (
    0.1, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 0.5, 0.3, 0.3, 0.3,
    0.3, 0.3, 0.3, 0.4, 1.0, 4.0, 6.0, 9.0, 10.0, 8.0, 2.0, 0.6,
)  # fmt: skip
_WEEKEND_HOURS = (
    0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.4, 0.8, 3.0, 4.0, 4.0,
    3.0, 3.0, 3.0, 3.0, 3.5, 4.0, 5.0, 7.0, 8.0, 7.0, 1.5, 0.5,
)  # fmt: skip
_WEEKEND_DAY_WEIGHT = 1.7  # more questions on a day off, when everybody is at home
_RATINGS = (1, 2, 3, 4, 5)
_RATING_WEIGHTS = (2, 4, 12, 35, 47)
_TOPICS = tuple(topic.value for topic in Topic)
_TOPIC_WEIGHTS = (20, 18, 15, 22, 8, 10, 7)  # in Topic's order: sleep, school, ...
ESCALATE_AFTER = timedelta(minutes=10)  # the bot's default step


def day_off(day: date) -> bool:
    return day.weekday() >= 5 or HOURS.is_holiday(day)


def local(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, clock(hour, minute), tzinfo=TZ).astimezone(UTC)


def lognormal_minutes(rng: random.Random, median: float, sigma: float) -> timedelta:
    return timedelta(seconds=round(60 * median * math.exp(rng.gauss(0, sigma))))


class People:
    """Member and household ids as seeded, for the questions' and newsletters' rows."""

    def __init__(self) -> None:
        self.coordinator: tuple[int, int] = (0, 0)  # (household, member)
        self.mentors: list[tuple[int, list[int]]] = []  # (household, [member, member])
        self.families: list[int] = []
        self.adults: list[tuple[int, int]] = []  # (member, telegram id) of families and mentors


async def seed_people(
    session: Session, joined: datetime, karin: SandboxUser, double: BotApiDouble
) -> People:
    people = People()
    household = await households.create_household(session, Role.COORDINATOR, joined, "Karin Holm")
    member = await households.add_member(session, household, karin.id, joined)
    await households.note_telegram_language(session, member, "en")
    people.coordinator = (household, member)
    for role, count in ((Role.MENTOR, MENTOR_HOUSEHOLDS), (Role.FAMILY, FAMILY_HOUSEHOLDS)):
        for index in range(count):
            household = await households.create_household(
                session, role, joined, f"{role.value.title()} {index}"
            )
            adults = 2 if role is Role.MENTOR or index < FAMILIES_WITH_TWO_ADULTS else 1
            members = []
            for _ in range(adults):
                user = double.add_user(first_name=f"{role.value}{index}", language_code="sv")
                members.append(await households.add_member(session, household, user.id, joined))
                people.adults.append((members[-1], user.id))
            if role is Role.MENTOR:
                people.mentors.append((household, members))
            else:
                people.families.append(household)
    return people


async def seed_shifts(session: Session, people: People, joined: datetime) -> list[Interval]:
    """A shift for every window of the service hours, the mentor households taking turns."""
    windows = HOURS.windows(FIRST, LAST, TZ)
    for index, window in enumerate(windows):
        household = people.mentors[index % MENTOR_HOUSEHOLDS][0]
        await shifts.add_shift(session, household, window.start, window.end, None, joined)
    return windows


def question_rows(
    rng: random.Random, people: People, windows: Sequence[Interval], now: datetime
) -> list[tuple[Any, ...]]:
    """The year's questions as rows of `requests`, in the order they were asked."""
    days = [FIRST + timedelta(days=n) for n in range(DAYS)]
    # A pilot starts slowly: the first two months ramp up from 60 % to the full rate.
    weights = [
        (_WEEKEND_DAY_WEIGHT if day_off(day) else 1.0) * min(1.0, 0.6 + 0.4 * n / 60)
        for n, day in enumerate(days)
    ]
    asked = sorted(
        local(
            day,
            rng.choices(range(24), _WEEKEND_HOURS if day_off(day) else _WEEKDAY_HOURS)[0],
            rng.randrange(60),
        )
        for day in rng.choices(days, weights, k=QUESTIONS)
    )
    starts = [window.start for window in windows]
    forgotten_before = now - DEFAULTS.retention
    coordinator_household, karin = people.coordinator
    rows = []
    for opened in asked:
        at = bisect_right(starts, opened) - 1  # the last shift that started by then
        on_duty = at >= 0 and opened < windows[at].end
        family = rng.choice(people.families)
        urgent = rng.random() < 0.03
        escalation = 0
        escalated = accepted = mentor = household = rating = topic = None
        ended_by: str | None = "family"
        next_start = opened
        if on_duty:
            offered: datetime | None = opened
            shift = at
        else:
            shift = at + 1
            # The next shift's start; the last night of the year has none within it.
            next_start = starts[shift] if shift < len(starts) else opened + timedelta(hours=2)
            offered = next_start if shift < len(starts) else None
            if rng.random() < 0.1:  # withdrawn before the next shift began
                offered = None
        if offered is None:
            state = "cancelled"
            ended = opened + (next_start - opened) * rng.uniform(0.1, 0.9)
        elif rng.random() < 0.93:
            state = "closed"
            wait = min(lognormal_minutes(rng, 3.0, 0.8), timedelta(minutes=90))
            accepted = offered + wait
            escalation = min(2, int(wait / ESCALATE_AFTER))
            if escalation == 2 and rng.random() < 0.5:  # a coordinator took it over
                household, mentor = coordinator_household, karin
            else:
                on_shift = shift if rng.random() < 0.9 else rng.randrange(len(windows))
                household, adults = people.mentors[on_shift % MENTOR_HOUSEHOLDS]
                mentor = rng.choice(adults)
            ended = accepted + lognormal_minutes(rng, 25.0, 0.6)
            ended_by = rng.choice(("family", "mentor", "mentor"))
            if rng.random() < 0.7:
                rating = rng.choices(_RATINGS, _RATING_WEIGHTS)[0]
            if rng.random() < 0.85:
                topic = rng.choices(_TOPICS, _TOPIC_WEIGHTS)[0]
        else:  # withdrawn unanswered, perhaps after being asked again
            state = "cancelled"
            ended = offered + min(lognormal_minutes(rng, 8.0, 0.7), timedelta(hours=1))
            escalation = min(2, int((ended - offered) / ESCALATE_AFTER))
        if offered is not None and escalation:
            escalated = to_db(offered + escalation * ESCALATE_AFTER)
        preview = None if ended < forgotten_before else "Hur gör vi med läggningen?"
        rows.append(
            (
                family, state, escalation, int(urgent), "text", preview, to_db(opened),
                to_db(offered) if offered else None, escalated,
                to_db(accepted) if accepted else None, to_db(ended), mentor, household,
                ended_by, rating, topic,
            )
        )  # fmt: skip
    return rows


async def seed_newsletters(session: Session, people: People) -> None:
    """Four newsletters to every family and mentor adult; 6 blocked the bot, 2 failed."""
    for index in range(NEWSLETTERS):
        sent_at = local(FIRST + timedelta(days=45 + 90 * index), 10, 0)
        news = await broadcasts.create_broadcast(
            session, people.coordinator[1], Audience.EVERYONE, kind=Kind.TEXT, body="Nyhetsbrev",
            file_id=None, state=BroadcastState.SENDING, send_at=sent_at, now=sent_at,
        )  # fmt: skip
        await broadcasts.add_deliveries(
            session, news, [(member, chat, None) for member, chat in people.adults], sent_at
        )
        blocked, failed = 1 + index // 2, index % 2
        for number, (_, chat) in enumerate(people.adults):
            outcome = (
                DeliveryState.BLOCKED if number < blocked
                else DeliveryState.FAILED if number < blocked + failed
                else DeliveryState.SENT
            )  # fmt: skip
            await broadcasts.settle_delivery(session, news, chat, outcome, sent_at)
        await broadcasts.move(session, news, BroadcastState.SENDING, BroadcastState.DONE, sent_at)


async def seed(db_path: Path, karin: SandboxUser, double: BotApiDouble) -> int:
    """The pilot year, in one transaction; returns the questions written."""
    now = datetime.now(UTC)
    joined = local(FIRST - timedelta(days=14), 9, 0)
    rng = random.Random(2026)
    database = await Database.open(db_path)
    try:
        async with database.write() as session:
            people = await seed_people(session, joined, karin, double)
            windows = await seed_shifts(session, people, joined)
            rows = question_rows(rng, people, windows, now)
            await session.execute_many(
                "INSERT INTO requests (family_household_id, state, escalation, urgent, "
                "first_kind, preview, opened_at, offered_at, escalated_at, accepted_at, "
                "ended_at, mentor_member_id, mentor_household_id, ended_by, rating, topic) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            await seed_newsletters(session, people)
    finally:
        await database.close()
    return len(rows)


def csv_metrics(data: bytes) -> dict[str, str]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    return {row[0]: row[1] for row in rows[1 : rows.index([])]}


async def ask_stats(karin: SandboxUser, double: BotApiDouble) -> tuple[float, float, float]:
    """One /stats for the year: seconds from the send to the text, the chart and the CSV."""
    began = time.perf_counter()
    await karin.send(f"/stats {FIRST} {LAST}")
    text = await karin.next_message(timeout=60)
    at_text = time.perf_counter() - began
    chart = await karin.next_message(timeout=60)
    at_chart = time.perf_counter() - began
    sent = await karin.next_message(timeout=60)
    at_csv = time.perf_counter() - began
    assert text["text"].startswith(f"Evaluation report {FIRST}"), text.get("text")
    assert "photo" in chart, chart
    metrics = csv_metrics(double.file_bytes(sent["document"]["file_id"]))
    assert metrics["requests"] == str(QUESTIONS), metrics["requests"]
    return at_text, at_chart, at_csv


async def run_cli(workdir: Path, out: Path) -> float:
    """`mentorbot stats` for the year, as an operator runs it on the server; wall seconds."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MENTORBOT_", "TELEGRAM_"))}
    env["MENTORBOT_DB"] = str(workdir / "bench.db")
    script = Path(sys.executable).with_name("mentorbot")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
    began = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *command, "stats", "--from", str(FIRST), "--to", str(LAST), "--out", str(out),
        cwd=workdir, env=env, stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        code = await process.wait()
    finally:
        await stop(process)
    elapsed = time.perf_counter() - began
    assert code == 0, f"mentorbot stats exited with {code}"
    assert csv_metrics((out / "stats.csv").read_bytes())["requests"] == str(QUESTIONS)
    return elapsed


def p50_max(values: Sequence[float]) -> str:
    return f"p50 {statistics.median(values):.2f} s, max {max(values):.2f} s"


async def measure() -> None:
    async with BotApiDouble(token=TOKEN, bot_username="mentorbot_bench_bot") as double:
        karin = double.add_user(first_name="Karin", language_code="en")
        with tempfile.TemporaryDirectory() as folder:
            workdir = Path(folder)
            began = time.perf_counter()
            seeded = await seed(workdir / "bench.db", karin, double)
            seeding = time.perf_counter() - began
            process, _ = await start_bot(double, workdir, karin)
            runs = []
            try:
                for _ in range(STATS_RUNS):
                    await asyncio.sleep(QUIET_S)
                    runs.append(await ask_stats(karin, double))
            finally:
                await stop(process)
            throttled = sum(1 for call in double.requests if call.status == 429)
            cli = [await run_cli(workdir, workdir / f"out{n}") for n in range(CLI_RUNS)]

    texts, charts, files = (list(column) for column in zip(*runs, strict=True))
    print(f"seeded {seeded} questions over {DAYS} days ({FIRST} to {LAST}) in {seeding:.2f} s")
    print(f"/stats for the year, {STATS_RUNS} runs, send to the text: {p50_max(texts)}")
    print(f"/stats for the year, send to the chart: {p50_max(charts)}")
    print(
        f"/stats for the year, send to the CSV (the full answer): {p50_max(files)} "
        f"(target p50 < {TARGET_CHAT_P50_S:.0f} s); the first run (matplotlib imported): "
        f"{files[0]:.2f} s"
    )
    print(
        f"mentorbot stats for the year, {CLI_RUNS} runs, process start to exit: "
        f"{p50_max(cli)} (target p50 < {TARGET_CLI_P50_S:.0f} s)"
    )
    print(f"429 answers from the double during the run: {throttled}")


async def main() -> None:
    async with asyncio.timeout(BUDGET_S):
        await measure()


if __name__ == "__main__":
    asyncio.run(main())
