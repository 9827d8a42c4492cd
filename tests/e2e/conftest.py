"""Fixtures of the end-to-end tests: the double, the coordinator, and the bot started against
them (tests/e2e/chat_support.py holds the harness they use)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox import BotApiDouble, RateLimits, SandboxUser
from tests.e2e.chat_support import (
    BOT_USERNAME,
    TOKEN,
    BotProcess,
    Service,
    StartBot,
    base_env,
    build_service,
    run_mentorbot,
    wait_until_ready,
)


@pytest.fixture
async def double(request: pytest.FixtureRequest) -> AsyncIterator[BotApiDouble]:
    """Telegram's limits; a module marked `chat_burst(n)` allows a longer burst per chat.

    A coordinator planning a week gets a reply per command. A person typing stays well inside
    Telegram's pace of a message a second per chat, but a test types instantly and would spend
    most of its time waiting out 429s, which tests/e2e/test_reliability.py covers on its own.
    """
    marker = request.node.get_closest_marker("chat_burst")
    limits = RateLimits(chat_burst=marker.args[0]) if marker else RateLimits()
    async with BotApiDouble(token=TOKEN, bot_username=BOT_USERNAME, limits=limits) as api:
        yield api


@pytest.fixture
def coordinator(double: BotApiDouble) -> SandboxUser:
    """The social worker named in MENTORBOT_COORDINATORS, so a coordinator from the first start."""
    return double.add_user(first_name="Karin", language_code="sv")


@pytest.fixture
async def start_bot(
    double: BotApiDouble, coordinator: SandboxUser, tmp_path: Path
) -> AsyncIterator[StartBot]:
    """Start the bot (again, after a stop or a crash) on the same database."""
    started: list[BotProcess] = []

    async def start(*extra_args: str, **env_overrides: str) -> BotProcess:
        env = base_env(tmp_path)
        env.update(
            {
                "TELEGRAM_BOT_TOKEN": double.token,
                "TELEGRAM_API_URL": double.api_url,
                "MENTORBOT_COORDINATORS": str(coordinator.id),
            }
        )
        env.update(env_overrides)
        log_path = tmp_path / f"bot-{len(started)}.log"
        process = await run_mentorbot("run", *extra_args, env=env, cwd=tmp_path, log_path=log_path)
        bot = BotProcess(process, log_path, env)
        started.append(bot)
        await wait_until_ready(bot)
        return bot

    yield start
    for bot in started:
        await bot.kill()
        assert double.token.split(":")[1] not in bot.log, "the token leaked into the log"
        assert "Traceback" not in bot.log or "handling update" in bot.log


@pytest.fixture
async def bot(start_bot: StartBot) -> BotProcess:
    return await start_bot()


@pytest.fixture
async def service(start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble) -> Service:
    return await build_service(await start_bot(), coordinator, double)
