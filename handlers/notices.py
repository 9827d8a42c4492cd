"""Telling people what the bot decided: each in their own language, none of them waited for.

A notice is best effort: a member who blocked the bot, or left Telegram, still lets the
decision stand (the question offered elsewhere, the conversation ended), and the others are
told all the same.
"""

from __future__ import annotations

from bot import members
from handlers.common import MentorContext, member_translator
from handlers.telegram_errors import best_effort
from storage.models import Member, Role


async def tell(context: MentorContext, people: list[Member], msgid: str, **params: object) -> None:
    """One message to each person, in their language; a blocked bot is not an error here."""
    for person in people:
        t = member_translator(context, person)
        await best_effort(
            context.bot.send_message(person.telegram_user_id, t(msgid, **params)), "notice"
        )


async def tell_coordinators(context: MentorContext, msgid: str, **params: object) -> None:
    coordinators = await members.with_role(context.db, Role.COORDINATOR)
    await tell(context, coordinators, msgid, **params)
