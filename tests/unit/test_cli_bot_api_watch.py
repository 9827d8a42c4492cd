"""The requests `run` gives the library, against the Bot API double: which refusal it was.

python-telegram-bot raises InvalidToken for a 401 and for a 404 alike; the command line names
the token for the one and TELEGRAM_API_URL for the other (tests/e2e/test_no_zombie.py), and
only the watch on the requests can tell them apart.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from http import HTTPStatus

import pytest
from telegram import Bot
from telegram.error import InvalidToken

from bot.app.bot_api_watch import BotApiWatch
from bot.sandbox import BotApiDouble

TOKEN = "123456:watched"


@pytest.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble(TOKEN, limits=None) as running:
        yield running


def watched_bot(watch: BotApiWatch, api_url: str) -> Bot:
    return Bot(
        TOKEN,
        base_url=f"{api_url}/bot",
        request=watch.request(),
        get_updates_request=watch.get_updates_request(),
    )


async def test_a_revoked_token_is_a_401_and_calls_the_bot_back_each_time(
    double: BotApiDouble,
) -> None:
    watch = BotApiWatch()
    told: list[str] = []
    watch.on_unauthorized(lambda: told.append("401"))
    async with watched_bot(watch, double.api_url) as bot:
        assert watch.refusal is None
        double.revoke_token()
        for call in (bot.get_updates, bot.get_me):
            with pytest.raises(InvalidToken):
                await call()
    assert watch.refusal is HTTPStatus.UNAUTHORIZED
    assert told == ["401", "401"]


async def test_a_wrong_root_is_a_404_and_no_401(double: BotApiDouble) -> None:
    watch = BotApiWatch()
    told: list[str] = []
    watch.on_unauthorized(lambda: told.append("401"))
    with pytest.raises(InvalidToken):
        await watched_bot(watch, f"{double.api_url}/api").initialize()
    assert watch.refusal is HTTPStatus.NOT_FOUND
    assert told == []
