"""What every benchmark shares: the real bot started against the double, as in production."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from bot.sandbox import BotApiDouble, SandboxUser


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


async def stop(process: asyncio.subprocess.Process) -> None:
    """Stop the bot as systemd does (SIGTERM), and kill it if it has not ended in 10 s."""
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
    await process.wait()
