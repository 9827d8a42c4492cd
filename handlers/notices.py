"""Telling people what the bot decided: each in their own language, none of them waited for.

A notice is best effort: a member who blocked the bot, or left Telegram, still lets the
decision stand (the question offered elsewhere, the conversation ended), and the others are
told all the same.
"""

from __future__ import annotations

from collections.abc import Callable

from bot import members
from bot.i18n import Translator
from handlers.common import MentorContext, member_translator
from handlers.telegram_errors import best_effort
from storage.models import Member, Role


async def tell(context: MentorContext, people: list[Member], msgid: str, **params: object) -> None:
    """One message to each person, in their language; a blocked bot is not an error here."""
    await tell_each(context, people, lambda t: t(msgid, **params))


async def tell_each(
    context: MentorContext, people: list[Member], text: Callable[[Translator], str]
) -> None:
    """As `tell`, for a text that is more than one message id (a plural form, say)."""
    for person in people:
        message = text(member_translator(context, person))
        await best_effort(context.bot.send_message(person.telegram_user_id, message), "notice")


async def tell_coordinators(context: MentorContext, msgid: str, **params: object) -> None:
    coordinators = await members.with_role(context.db, Role.COORDINATOR)
    await tell(context, coordinators, msgid, **params)
