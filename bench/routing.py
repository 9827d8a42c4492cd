"""How fast does a family's question reach the mentors on duty? The real bot against the double.

Seeds a coordinator, 3 mentor households on duty now (one adult each) and a foster family for
every request (a family has one open request at a time), starts `python -m bot run` against the
Bot API double on loopback, with flood limits off on both sides (the double's limits=None and
MENTORBOT_API_RATE=10000), so that what is measured is the bot, and measures
  1. latency: 1000 families, one after another, each send a question; from the send to the
     moment the last of the 3 offers has arrived (the family's own answer is awaited after,
     outside the figure, so that nothing spills into the next question);
  2. throughput: 200 families send a question at the same instant; from the first send until
     all 600 offers (3 per request) have arrived, as requests a second;
  3. matching: a second run with 20 mentor households on duty, each with experience tags and
     10 linked families (MENTORBOT_FAMILIES_PER_MENTOR's default); those 200 families, one
     after another, each ask; from the send to its own mentor family's offer (the only one
     routing makes in the first 5 minutes), every other mentor checked to have none.
Parts 1 and 2 run against the floor as well (bench/floor.py: the same Bot API traffic from a
bare python-telegram-bot application, no database, no logic), running beside the bot on a
double of its own, so that the ratio of the two, measured in one run, says what the bot costs
beyond the library: this shared machine's absolute figures vary by a third from run to run.
The questions one after another go to the two by turns, so that the machine's drift over the
minutes of a run falls on both alike.
Prints the figures beside their targets. Run: `python bench/routing.py`.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from harness import start_bot, start_floor, stop  # bench/ is the script's own folder

from bot.matching import Experience
from bot.sandbox import BotApiDouble, SandboxUser
from storage import households, matching, shifts
from storage.db import Database
from storage.models import Role

TOKEN = "777777:bench-token"
MENTOR_HOUSEHOLDS = 3
WARMUP = 20
SEQUENTIAL = 1000
BURST = 200
QUESTION = "How do we handle bedtime when our foster son cannot settle?"
OFFER = re.compile(r"Question #(\d+)")
TARGET_P99_MS = 10.0
TARGET_RATE = 300.0
TARGET_RATIO = 0.9  # of the floor's rate, measured in the same run
MATCHING_TARGET_P99_MS = 25.0  # the matching run has no floor: routing to one household
MATCHING_HOUSEHOLDS = 20
FAMILIES_PER_MENTOR = 10


async def seed(
    db_path: Path, mentors: list[SandboxUser], families: list[SandboxUser], *, linked: bool = False
) -> None:
    """Households made directly in the database: the bench is about routing, not onboarding.

    Everyone has written to the bot before, so their Telegram language is already on record
    (the bot writes it down on the first message otherwise, and offers go out in English).
    `linked`: each mentor household gets two experience tags and the next ten families.
    """
    now = datetime.now(UTC)
    tags = [tag.value for tag in Experience]
    database = await Database.open(db_path)
    try:
        async with database.write() as session:
            made: dict[Role, list[int]] = {Role.MENTOR: [], Role.FAMILY: []}
            for role, people in ((Role.MENTOR, mentors), (Role.FAMILY, families)):
                for person in people:
                    household = await households.create_household(
                        session, role, now, f"{person.first_name} household"
                    )
                    made[role].append(household)
                    member = await households.add_member(session, household, person.id, now)
                    await households.note_telegram_language(session, member, person.language_code)
                    if role is Role.MENTOR:  # on duty for the whole run
                        await shifts.add_shift(
                            session,
                            household,
                            now - timedelta(hours=1),
                            now + timedelta(hours=6),
                            None,
                            now,
                        )
            for index, mentor in enumerate(made[Role.MENTOR] if linked else []):
                await matching.set_experience(session, mentor, tags[index % 8 : index % 8 + 2])
                first = index * FAMILIES_PER_MENTOR
                for family in made[Role.FAMILY][first : first + FAMILIES_PER_MENTOR]:
                    await matching.link(session, family, mentor, FAMILIES_PER_MENTOR, now)
    finally:
        await database.close()


def people(double: BotApiDouble, initial: str, count: int) -> list[SandboxUser]:
    return [double.add_user(first_name=f"{initial}{i}", language_code="en") for i in range(count)]


async def offers(mentor: SandboxUser, count: int) -> list[int]:
    """The request numbers of the next `count` offers in a mentor's chat."""
    numbers = []
    for _ in range(count):
        message = await mentor.next_message(timeout=60)
        found = OFFER.search(message.get("text", ""))
        assert found, f"not an offer: {message.get('text')!r}"
        numbers.append(int(found[1]))
    return numbers


async def ask(family: SandboxUser, mentors: list[SandboxUser]) -> float:
    """One question; milliseconds until the last mentor has the offer."""
    began = time.perf_counter()
    await family.send(QUESTION)
    got = await asyncio.gather(*(offers(mentor, 1) for mentor in mentors))
    elapsed = (time.perf_counter() - began) * 1000
    answer = await family.next_message(timeout=10)
    number = got[0][0]
    assert all(numbers == [number] for numbers in got), got
    assert f"#{number}" in answer["text"], answer["text"]
    return elapsed


@dataclass(frozen=True)
class Side:
    """One of the two bots the bench compares, with its own double and its own people."""

    double: BotApiDouble
    coordinator: SandboxUser
    mentors: list[SandboxUser]
    families: list[SandboxUser]


def side(double: BotApiDouble) -> Side:
    return Side(
        double,
        double.add_user(first_name="Karin", language_code="en"),
        people(double, "M", MENTOR_HOUSEHOLDS),
        people(double, "F", WARMUP + SEQUENTIAL + BURST),
    )


@dataclass(frozen=True)
class Figures:
    latencies: list[float]  # ms, question to its last offer, one after another
    burst: float  # s, the crowd's first send to its last offer


async def crowd(at: Side) -> float:
    """The crowd's families all ask at once: seconds from the first send to the last offer."""
    families = at.families[WARMUP + SEQUENTIAL :]
    began = time.perf_counter()
    await asyncio.gather(*(family.send(QUESTION) for family in families))
    got = await asyncio.gather(*(offers(mentor, BURST) for mentor in at.mentors))
    burst = time.perf_counter() - began
    answers = await asyncio.gather(*(f.next_message(timeout=60) for f in families))
    assert all(sorted(numbers) == sorted(got[0]) for numbers in got)
    assert len(set(got[0])) == BURST, "an offer came twice"
    assert all("#" in answer["text"] for answer in answers)
    return burst


async def in_turns(sides: tuple[Side, Side]) -> tuple[Figures, Figures]:
    """The warm-up and the questions one after another, one bot's and then the other's by
    turns, so that the machine's drift over the run falls on both alike; then each crowd."""
    for index in range(WARMUP):
        for at in sides:
            await ask(at.families[index], at.mentors)
    latencies: tuple[list[float], list[float]] = ([], [])
    for index in range(WARMUP, WARMUP + SEQUENTIAL):
        for at, found in zip(sides, latencies, strict=True):
            found.append(await ask(at.families[index], at.mentors))
    first = Figures(latencies[0], await crowd(sides[0]))
    return first, Figures(latencies[1], await crowd(sides[1]))


async def measure() -> None:
    async with (
        BotApiDouble(token=TOKEN, bot_username="mentorbot_bench_bot", limits=None) as ours,
        BotApiDouble(token=TOKEN, bot_username="floor_bench_bot", limits=None) as bare,
    ):
        mentorbot, floor_side = side(ours), side(bare)
        with tempfile.TemporaryDirectory() as folder:
            workdir = Path(folder)
            await seed(workdir / "bench.db", mentorbot.mentors, mentorbot.families)
            process, _ = await start_bot(
                ours,
                workdir,
                mentorbot.coordinator,
                MENTORBOT_API_RATE="10000",  # the most the bot allows itself; the double: no limit
                MENTORBOT_ESCALATE_AFTER="600",  # no escalation during the run
            )
            try:
                floor_process = await start_floor(
                    bare,
                    floor_side.coordinator,
                    "floor.py",
                    (mentor.chat_id for mentor in floor_side.mentors),
                )
                try:
                    bot, floor = await in_turns((mentorbot, floor_side))
                finally:
                    await stop(floor_process)
            finally:
                await stop(process)
        throttled = sum(1 for call in ours.requests if call.status == 429)

    def p99(figures: Figures) -> float:
        return statistics.quantiles(figures.latencies, n=100)[98]

    print(
        f"question to its last offer ({MENTOR_HOUSEHOLDS} mentors on duty), {SEQUENTIAL} "
        f"families one after another: Mentorbot p50 {statistics.median(bot.latencies):.1f} ms, "
        f"p99 {p99(bot):.1f} ms; floor p50 {statistics.median(floor.latencies):.1f} ms, "
        f"p99 {p99(floor):.1f} ms; floor/Mentorbot at p99 {p99(floor) / p99(bot):.2f} "
        f"(target p99 <= {TARGET_P99_MS:.0f} ms)"
    )
    rate, floor_rate = BURST / bot.burst, BURST / floor.burst
    print(
        f"{BURST} families at once, all {BURST * MENTOR_HOUSEHOLDS} offers out: Mentorbot "
        f"{rate:.0f} requests/s, floor {floor_rate:.0f}/s, Mentorbot/floor {rate / floor_rate:.2f} "
        f"(target >= {TARGET_RATIO:.1f}; absolute target >= {TARGET_RATE:.0f}/s)"
    )
    print(f"429 answers from the double during Mentorbot's run: {throttled} (target 0)")


async def ask_own_mentor(family: SandboxUser, own: SandboxUser) -> float:
    """One linked family's question; milliseconds until its own mentor family has the offer."""
    began = time.perf_counter()
    await family.send(QUESTION)
    (number,) = await offers(own, 1)
    elapsed = (time.perf_counter() - began) * 1000
    answer = await family.next_message(timeout=10)
    assert f"#{number}" in answer["text"], answer["text"]
    return elapsed


async def measure_matching() -> None:
    async with BotApiDouble(token=TOKEN, bot_username="mentorbot_bench_bot", limits=None) as double:
        coordinator = double.add_user(first_name="Karin", language_code="en")
        mentors = people(double, "M", MATCHING_HOUSEHOLDS)
        families = people(double, "F", MATCHING_HOUSEHOLDS * FAMILIES_PER_MENTOR)
        with tempfile.TemporaryDirectory() as folder:
            workdir = Path(folder)
            await seed(workdir / "bench.db", mentors, families, linked=True)
            process, _ = await start_bot(
                double,
                workdir,
                coordinator,
                MENTORBOT_API_RATE="10000",
                MENTORBOT_ESCALATE_AFTER="600",
            )
            try:
                latencies = [
                    await ask_own_mentor(family, mentors[index // FAMILIES_PER_MENTOR])
                    for index, family in enumerate(families)
                ]
                await asyncio.sleep(0.5)  # an offer beyond the own mentor family would be here
                held = [len(mentor.messages) for mentor in mentors]
                assert held == [FAMILIES_PER_MENTOR] * MATCHING_HOUSEHOLDS, held
            finally:
                process.terminate()
                await process.wait()

    p50 = statistics.median(latencies)
    p99 = statistics.quantiles(latencies, n=100)[98]
    print(
        f"matching: {MATCHING_HOUSEHOLDS} mentor households on duty with tags, "
        f"{len(latencies)} linked families one after another, question to its own mentor "
        f"family's offer: p50 {p50:.1f} ms, p99 {p99:.1f} ms "
        f"(target p99 < {MATCHING_TARGET_P99_MS:.0f} ms)"
    )


async def main() -> None:
    await measure()
    await measure_matching()


if __name__ == "__main__":
    asyncio.run(main())
