"""What Telegram shows of the bot before anyone presses Start: its description (the "What can
this bot do?" box of an empty chat) and its short description (the bot's profile, and the
preview of a shared link), in each language we speak and, for everyone else, the fallback.

A stranger who finds the bot learns there what the service is before a chat begins. Both are
set at every start, but only where Telegram's text differs from the catalogue's: Telegram
limits these methods to a few calls a day, and a bot restarted in a loop must not spend them.
A failure is one line in the log and never stops the start: the bot works without them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Bot
from telegram.error import TelegramError

from bot.config import Terms
from bot.i18n import Translator, plain
from handlers.menu import telegram_languages
from handlers.relay import utf16_length
from handlers.telegram_errors import failure

logger = logging.getLogger(__name__)


# Telegram's limits for the two texts (setMyDescription, setMyShortDescription), in UTF-16 units.
LIMITS = {"profile.description": 512, "profile.short_description": 120}


@dataclass(frozen=True, slots=True)
class TooLong:
    language: str
    msgid: str
    length: int
    limit: int


def too_long(fallback_language: str, terms: Terms) -> TooLong | None:
    """The first text that the municipality's names make longer than Telegram takes: with it,
    Telegram would refuse the text and strangers would see an old one, or none."""
    for language_code, t in telegram_languages(fallback_language, terms):
        for msgid, limit in LIMITS.items():
            length = utf16_length(plain(t(msgid)))
            if length > limit:
                return TooLong(language_code or fallback_language, msgid, length, limit)
    return None


async def publish_profile(bot: Bot, fallback_language: str, terms: Terms) -> None:
    """Each language's texts, then the fallback's for users of every other language; they name
    the unit and its coordinators as the municipality does (MENTORBOT_UNIT_NAME, _TITLE)."""
    for language_code, t in telegram_languages(fallback_language, terms):
        try:
            await _publish(bot, language_code, t)
        except TelegramError as error:
            where = language_code or "the default"
            logger.warning("could not set the bot's description for %s: %s", where, failure(error))


async def _publish(bot: Bot, language_code: str | None, t: Translator) -> None:
    # Plain text, not HTML: a unit named "Barn & familj" keeps its &.
    description = plain(t("profile.description"))
    if (await bot.get_my_description(language_code)).description != description:
        await bot.set_my_description(description, language_code)
    short = plain(t("profile.short_description"))
    if (await bot.get_my_short_description(language_code)).short_description != short:
        await bot.set_my_short_description(short, language_code)
