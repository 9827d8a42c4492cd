"""How fast does a person get an answer? The real bot against the Bot API double.

Starts the double on loopback and `python -m bot run` as a separate process (as in production,
only TELEGRAM_API_URL differs), then measures
  1. latency: a person sends /help and waits for the answer, 100 people one after another;
  2. burst: 60 people send /help at the same instant; time until the last has an answer.
Prints the figures next to their targets. Run: `python bench/roundtrip.py`.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from harness import start_bot  # bench/ is the script's own folder

from bot.sandbox import BotApiDouble

TOKEN = "777777:bench-token"
SEQUENTIAL = 100
BURST_USERS = 60
TARGET_P95_MS = 150.0
# 60 answers at Telegram's 30 messages a second take 2 s at the very least.
TARGET_BURST_S = 4.0


async def measure() -> None:
    async with BotApiDouble(token=TOKEN, bot_username="mentorbot_bench_bot") as double:
        with tempfile.TemporaryDirectory() as workdir:
            probe = double.add_user(first_name="Probe", language_code="en")
            process, _ = await start_bot(double, Path(workdir), probe)
            try:
                # A new person each time: Telegram (and the double) allow one chat about one
                # message a second, which would otherwise be what this measures.
                latencies = []
                for i in range(SEQUENTIAL):
                    person = double.add_user(first_name=f"Anna{i}", language_code="sv")
                    began = time.perf_counter()
                    await person.send("/help")
                    await person.next_message(timeout=10)
                    latencies.append((time.perf_counter() - began) * 1000)
                p50 = statistics.median(latencies)
                p95 = statistics.quantiles(latencies, n=20)[18]

                crowd = [
                    double.add_user(first_name=f"P{i}", language_code="da")
                    for i in range(BURST_USERS)
                ]
                began = time.perf_counter()
                await asyncio.gather(*(p.send("/start") for p in crowd))
                await asyncio.gather(*(p.next_message(timeout=60) for p in crowd))
                burst = time.perf_counter() - began
                throttled = sum(1 for call in double.requests if call.status == 429)
            finally:
                process.terminate()
                await process.wait()

    print(
        f"reply latency, {SEQUENTIAL} people one after another: p50 {p50:.1f} ms, "
        f"p95 {p95:.1f} ms (target p95 < {TARGET_P95_MS:.0f} ms)"
    )
    print(
        f"{BURST_USERS} people at once: all answered in {burst:.2f} s "
        f"(target < {TARGET_BURST_S:.0f} s; Telegram's 30/s makes 2 s the floor)"
    )
    print(f"429 answers from the double during the run: {throttled} (target 0)")


if __name__ == "__main__":
    asyncio.run(measure())
