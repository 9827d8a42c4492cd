"""The command menu Telegram shows beside the text field, per language and per role."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.config import DEFAULT_TERMS, LANGUAGES, Terms
from bot.i18n import N_, Translator, plain, translator
from handlers.telegram_errors import failure
from storage.models import Member, Role

logger = logging.getLogger(__name__)

_PUBLIC = ("start", "help")
_BY_ROLE: dict[Role, tuple[str, ...]] = {
    Role.FAMILY: (
        "help",
        "end",
        "cancel",
        "events",
        "partner",
        "newsletter",
        "mydata",
        "forget",
        "language",
    ),
    Role.MENTOR: (
        "help",
        "end",
        "shifts",
        "away",
        "swap",
        "calendar",
        "events",
        "partner",
        "newsletter",
        "mydata",
        "forget",
        "language",
    ),
    Role.COORDINATOR: (
        "help",
        "requests",
        "rota",
        "shift",
        "event",
        "catalogue",
        "broadcast",
        "broadcasts",
        "events",
        "invite",
        "invites",
        "members",
        "remove",
        "link",
        "unlink",
        "experience",
        "audit",
        "stats",
        "interest",
        "mydata",
        "forget",
        "language",
    ),
}
_DESCRIPTIONS = {
    "start": N_("command.start"),
    "help": N_("command.help"),
    "partner": N_("command.partner"),
    "language": N_("command.language"),
    "invite": N_("command.invite"),
    "invites": N_("command.invites"),
    "members": N_("command.members"),
    "remove": N_("command.remove"),
    "shifts": N_("command.shifts"),
    "swap": N_("command.swap"),
    "away": N_("command.away"),
    "calendar": N_("command.calendar"),
    "rota": N_("command.rota"),
    "end": N_("command.end"),
    "cancel": N_("command.cancel"),
    "requests": N_("command.requests"),
    "broadcast": N_("command.broadcast"),
    "broadcasts": N_("command.broadcasts"),
    "newsletter": N_("command.newsletter"),
    "events": N_("command.events"),
    "audit": N_("command.audit"),
    "stats": N_("command.stats"),
    "mydata": N_("command.mydata"),
    "forget": N_("command.forget"),
    "interest": N_("command.interest"),
    "shift": N_("command.shift"),
    "event": N_("command.event"),
    "catalogue": N_("command.catalogue"),
    "link": N_("command.link"),
    "unlink": N_("command.unlink"),
    "experience": N_("command.experience"),
}


def _commands(t: Translator, names: tuple[str, ...]) -> list[BotCommand]:
    return [BotCommand(name, plain(t(_DESCRIPTIONS[name]))) for name in names]


def telegram_languages(
    fallback_language: str, terms: Terms = DEFAULT_TERMS
) -> list[tuple[str | None, Translator]]:
    """Where Telegram keeps a per-language text of the bot: each language we speak, then no
    language_code, which users of every other language see, in the fallback's words."""
    ours: list[tuple[str | None, Translator]] = [
        (code, translator(code, terms)) for code in LANGUAGES
    ]
    return [*ours, (None, translator(fallback_language, terms))]


async def publish_default_commands(bot: Bot, fallback_language: str) -> None:
    """What strangers see, in each language we speak and, for everyone else, the fallback.

    Set at every start, but only where Telegram's list differs, as the bot's descriptions are
    (handlers/profile.py): a bot restarted in a loop must not run into Telegram's flood limits.
    A failure is one line: strangers then see an older menu, which is no reason not to start.
    """
    for language_code, t in telegram_languages(fallback_language):
        commands = tuple(_commands(t, _PUBLIC))
        try:
            if await bot.get_my_commands(language_code=language_code) != commands:
                await bot.set_my_commands(commands, language_code=language_code)
        except TelegramError as error:
            where = language_code or "the default"
            logger.warning("could not set the command menu for %s: %s", where, failure(error))


async def withdraw_member_commands(bot: Bot, member: Member) -> None:
    """A member who left sees a stranger's menu again (the chat's own one is deleted)."""
    scope = BotCommandScopeChat(member.telegram_user_id)
    try:
        await bot.delete_my_commands(scope=scope)
    except TelegramError as error:
        logger.warning(
            "could not reset the command menu of member %s: %s", member.id, failure(error)
        )


async def publish_member_commands(bot: Bot, member: Member, t: Translator) -> None:
    """A member's own menu: the commands of their role, in their language.

    The menu is a convenience; failing to set it must not fail the reply the member waits for.
    """
    scope = BotCommandScopeChat(member.telegram_user_id)
    try:
        await bot.set_my_commands(_commands(t, _BY_ROLE[member.role]), scope=scope)
    except TelegramError as error:
        logger.warning(
            "could not set the command menu for member %s: %s", member.id, failure(error)
        )
