"""How fast is the rota at the size of a busy municipality? The real bot against the double.

Seeds a coordinator and 20 mentor households, starts `python -m bot run` against the Bot API
double on loopback, and measures
  1. import: a coordinator sends a CSV of 2000 shifts (the most one file may hold) and waits
     for the answer: parsing, the all-or-none transaction and replanning the reminders;
  2. /rota: the coming week's coverage, with those 2000 shifts booked, to its last message,
     repeated 20 times with a quiet second between (Telegram's pace for one chat);
  3. restart: from starting the process to its first answer, with the reminders rebuilt from
     the 2000 shifts.
Prints the figures beside their targets. Run: `python bench/rota.py`.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from harness import start_bot, stop  # bench/ is the script's own folder

from bot.sandbox import BotApiDouble, SandboxUser
from storage import households
from storage.db import Database
from storage.models import Role

TOKEN = "777777:bench-token"
MENTOR_HOUSEHOLDS = 20
DAYS = 100  # 20 households x 100 evenings = 2000 rows
ROTA_RUNS = 20
TARGET_IMPORT_S = 3.0
TARGET_ROTA_P95_MS = 250.0
TARGET_RESTART_S = 3.0


async def seed(db_path: Path, mentors: list[SandboxUser]) -> list[int]:
    """Mentor households made directly in the database: the bench is about the rota."""
    now = datetime.now(UTC)
    database = await Database.open(db_path)
    numbers = []
    try:
        async with database.write() as session:
            for index, mentor in enumerate(mentors):
                household = await households.create_household(
                    session, Role.MENTOR, now, f"Mentor {index}"
                )
                numbers.append(await households.add_member(session, household, mentor.id, now))
    finally:
        await database.close()
    return numbers


def season_csv(numbers: list[int]) -> bytes:
    # Far enough ahead that no reminder falls due during the run and competes for the limits.
    first = date.today() + timedelta(days=3)
    rows = ["member,date,start,end"]
    for day in range(DAYS):
        rows.extend(f"{n},{first + timedelta(days=day)},17:00,22:00" for n in numbers)
    return "\n".join(rows).encode()


async def drain(user: SandboxUser) -> list[object]:
    """What is still arriving, then a quiet second: Telegram's pace for one chat restored."""
    received: list[object] = []
    while True:
        try:
            received.append(await user.next_message(timeout=1.1))
        except AssertionError:
            return received


async def measure() -> None:
    async with BotApiDouble(token=TOKEN, bot_username="mentorbot_bench_bot") as double:
        coordinator = double.add_user(first_name="Karin", language_code="en")
        mentors = [double.add_user(first_name=f"M{i}") for i in range(MENTOR_HOUSEHOLDS)]
        with tempfile.TemporaryDirectory() as folder:
            workdir = Path(folder)
            numbers = await seed(workdir / "bench.db", mentors)
            process, _ = await start_bot(double, workdir, coordinator)
            try:
                began = time.perf_counter()
                await coordinator.send_document(season_csv(numbers), "season.csv", "text/csv")
                answer = await coordinator.next_message(timeout=60)
                imported = time.perf_counter() - began
                assert "New shifts: 2000," in answer["text"], answer["text"]

                await coordinator.send("/rota")
                parts = len(await drain(coordinator))  # a busy week fills several messages
                latencies = []
                for _ in range(ROTA_RUNS):
                    began = time.perf_counter()
                    await coordinator.send("/rota")
                    for _ in range(parts):
                        await coordinator.next_message(timeout=10)
                    latencies.append((time.perf_counter() - began) * 1000)
                    await drain(coordinator)
            finally:
                await stop(process)
            process, restart = await start_bot(double, workdir, coordinator)
            await stop(process)
        throttled = sum(1 for call in double.requests if call.status == 429)

    p50 = statistics.median(latencies)
    p95 = statistics.quantiles(latencies, n=20)[18]
    rows = MENTOR_HOUSEHOLDS * DAYS
    print(
        f"CSV import of {rows} shifts, sent to answer: {imported:.2f} s "
        f"(target < {TARGET_IMPORT_S:.0f} s)"
    )
    print(
        f"/rota for the coming week ({parts} message(s)), {rows} shifts booked: "
        f"p50 {p50:.1f} ms, "
        f"p95 {p95:.1f} ms (target p95 < {TARGET_ROTA_P95_MS:.0f} ms)"
    )
    print(
        f"restart with {rows} shifts, process start to first answer: {restart:.2f} s "
        f"(target < {TARGET_RESTART_S:.0f} s)"
    )
    print(f"429 answers from the double during the run: {throttled}")


if __name__ == "__main__":
    asyncio.run(measure())
