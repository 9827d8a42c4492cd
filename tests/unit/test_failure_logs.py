"""The log lines outside `best_effort` that tell of a failed request name it by class and
status only: a Telegram error's description may quote what a person wrote."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from telegram import Bot, Chat, Update
from telegram.error import NetworkError

from bot.app.application import build_application
from bot.app.bot_api_watch import BotApiWatch
from bot.app.rate_limiter import SharedRateLimiter
from bot.config import load_config
from bot.sandbox import BotApiDouble
from bot.sandbox.faults import FaultKind
from handlers import gate
from handlers.common import MentorContext
from handlers.menu import withdraw_member_commands
from handlers.system import on_error
from storage.db import Database
from storage.models import Role
from tests.support import make_household

TOKEN = "123456:failure-logs"
TYPED = "Han är <3 år & sover inte"  # what a person wrote, quoted back in a description


@pytest.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble(TOKEN, limits=None) as running:
        yield running


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(record.getMessage() for record in caplog.records)


async def test_a_menu_that_could_not_be_reset_is_logged_without_the_description(
    double: BotApiDouble, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    (member,) = await make_household(db, Role.FAMILY, "Ek", (5150,), datetime.now(UTC))
    double.faults.inject("deleteMyCommands", FaultKind.BAD_REQUEST, description=TYPED)
    async with Bot(TOKEN, base_url=f"{double.api_url}/bot") as bot:
        await withdraw_member_commands(bot, member)
    assert "BadRequest (400)" in _logged(caplog)
    assert TYPED not in _logged(caplog)


async def test_a_retried_send_is_logged_without_the_description(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, "bot.app.rate_limiter")
    failures = [NetworkError(TYPED)]

    async def telegram() -> dict[str, bool]:
        if failures:
            raise failures.pop()
        return {"ok": True}

    data = {"chat_id": 1, "text": TYPED}
    limiter = SharedRateLimiter(1000)
    assert await limiter.process_request(telegram, (), {}, "sendMessage", data, None) == {
        "ok": True
    }
    assert "sendMessage failed (NetworkError)" in _logged(caplog)
    assert TYPED not in _logged(caplog)


async def test_an_outage_the_retries_outlived_is_logged_without_the_description(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = load_config({"TELEGRAM_BOT_TOKEN": "1:token", "MENTORBOT_DB": str(tmp_path)}, None)
    application = build_application(config, BotApiWatch())
    update = Update.de_json({"update_id": 7}, application.bot)
    context = MentorContext(application)
    context.error = NetworkError(TYPED)
    await on_error(update, context)
    assert "Telegram was out of reach: NetworkError" in _logged(caplog)
    assert TYPED not in _logged(caplog)


async def test_a_group_the_bot_could_not_leave_is_logged_without_the_description(
    double: BotApiDouble, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    environment = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": double.api_url,
        "MENTORBOT_DB": str(tmp_path / "mentorbot.db"),
    }
    caplog.set_level(logging.INFO, "handlers.gate")
    application = build_application(load_config(environment, None), BotApiWatch())
    double.faults.inject("leaveChat", FaultKind.BAD_REQUEST, description=TYPED)
    async with application.bot:
        await gate._leave(MentorContext(application), Chat(-100, Chat.GROUP))
    assert "could not leave a group: BadRequest (400)" in _logged(caplog)
    assert TYPED not in _logged(caplog)
