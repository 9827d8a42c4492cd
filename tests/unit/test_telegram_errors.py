"""Best-effort requests: what Telegram is expected to refuse passes in silence, the rest is one
line without the description, and nothing raises.

The expected refusals are provoked from the Bot API double through python-telegram-bot, so
that their wording here is the wording the double (and Telegram) really answers with.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.sandbox import BotApiDouble, SandboxUser
from handlers.telegram_errors import best_effort, unless_unchanged

TOKEN = "123456:best-effort"
LOGGER = "handlers.telegram_errors"
TWO_DAYS = 49 * 3600  # older than the 48 hours in which a bot may delete a message


@pytest.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble(TOKEN, limits=None) as running:
        yield running


@pytest.fixture
async def bot(double: BotApiDouble) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=f"{double.api_url}/bot") as ptb:
        yield ptb


@pytest.fixture
def lina(double: BotApiDouble) -> SandboxUser:
    return double.add_user("Lina", language_code="sv")


async def failing(error: Exception) -> object:
    """A request that Telegram refuses with `error`."""
    raise error


Refused = Callable[[BotApiDouble, Bot, SandboxUser], Awaitable[object]]


async def blocked(double: BotApiDouble, bot: Bot, lina: SandboxUser) -> object:
    double.block(lina)
    return await best_effort(bot.send_message(lina.id, "hej"), "notice")


async def not_modified(double: BotApiDouble, bot: Bot, lina: SandboxUser) -> object:
    sent = await bot.send_message(lina.id, "hej")
    return await best_effort(bot.edit_message_text("hej", lina.id, sent.message_id), "edit")


async def edit_not_found(double: BotApiDouble, bot: Bot, lina: SandboxUser) -> object:
    return await best_effort(bot.edit_message_text("hej", lina.id, 999), "edit")


async def not_the_bots_to_edit(double: BotApiDouble, bot: Bot, lina: SandboxUser) -> object:
    written = await lina.send("hej")
    return await best_effort(bot.edit_message_text("då", lina.id, written["message_id"]), "edit")


async def delete_not_found(double: BotApiDouble, bot: Bot, lina: SandboxUser) -> object:
    return await best_effort(bot.delete_message(lina.id, 999), "deletion")


async def too_old_to_delete(double: BotApiDouble, bot: Bot, lina: SandboxUser) -> object:
    sent = await bot.send_message(lina.id, "hej")
    double.age_message(lina.id, sent.message_id, TWO_DAYS)
    return await best_effort(bot.delete_message(lina.id, sent.message_id), "deletion")


@pytest.mark.parametrize(
    "refused",
    [
        blocked,
        not_modified,
        edit_not_found,
        not_the_bots_to_edit,
        delete_not_found,
        too_old_to_delete,
    ],
)
async def test_what_telegram_is_expected_to_refuse_passes_in_silence(
    refused: Refused,
    double: BotApiDouble,
    bot: Bot,
    lina: SandboxUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        assert await refused(double, bot, lina) is None
    assert [r for r in caplog.records if r.name == LOGGER] == []


async def test_a_deactivated_user_passes_in_silence_too(caplog: pytest.LogCaptureFixture) -> None:
    """Telegram's 403 for an account deleted since (the double has no such users)."""
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        assert await best_effort(failing(Forbidden("Forbidden: user is deactivated")), "x") is None
    assert [r for r in caplog.records if r.name == LOGGER] == []


async def test_a_request_that_passes_gives_its_result(bot: Bot, lina: SandboxUser) -> None:
    sent = await best_effort(bot.send_message(lina.id, "hej"), "notice")
    assert sent is not None and sent.text == "hej"


DESCRIPTION = 'Can\'t parse entities: unsupported start tag "lina ek" at byte offset 12'


@pytest.mark.parametrize(
    ("error", "named"),
    [
        (BadRequest(DESCRIPTION), "BadRequest (400)"),
        (BadRequest("Chat not found"), "BadRequest (400)"),
        (Conflict(DESCRIPTION), "Conflict (409)"),
        (RetryAfter(3), "RetryAfter (429)"),
        (TimedOut(DESCRIPTION), "TimedOut"),
        (NetworkError(DESCRIPTION), "NetworkError"),  # a 5xx the retries outlived
        (TelegramError(DESCRIPTION), "TelegramError"),
    ],
)
async def test_anything_else_is_one_warning_naming_the_attempt_and_not_the_description(
    error: TelegramError, named: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        assert await best_effort(failing(error), "offer edit") is None
    records = [r for r in caplog.records if r.name == LOGGER]
    assert [(r.levelno, r.getMessage()) for r in records] == [
        (logging.WARNING, f"offer edit failed: {named}")
    ]
    assert records[0].exc_info is None  # no traceback, which would carry the description
    assert "lina" not in caplog.text.lower() and "parse" not in caplog.text.lower()


async def test_what_is_no_telegram_error_is_not_hidden() -> None:
    with pytest.raises(ValueError, match="a bug of ours"):
        await best_effort(failing(ValueError("a bug of ours")), "offer edit")


async def test_an_edit_unless_unchanged_passes_only_the_edit_that_changes_nothing(
    bot: Bot, lina: SandboxUser
) -> None:
    """A keyboard pressed into the state it has passes; a keyboard Telegram will not take, or a
    message gone, raises rather than looking like a press that did nothing."""
    sent = await bot.send_message(lina.id, "hej")
    assert await unless_unchanged(bot.edit_message_text("hej", lina.id, sent.message_id)) is None
    too_many = InlineKeyboardMarkup(
        [[InlineKeyboardButton(str(n), callback_data=str(n))] for n in range(101)]
    )
    with pytest.raises(BadRequest, match="too long"):
        await unless_unchanged(
            bot.edit_message_reply_markup(lina.id, sent.message_id, reply_markup=too_many)
        )
    with pytest.raises(BadRequest, match="not found"):
        await unless_unchanged(bot.edit_message_text("då", lina.id, 999))
    edited = await unless_unchanged(bot.edit_message_text("då", lina.id, sent.message_id))
    assert edited is not None and not isinstance(edited, bool) and edited.text == "då"
