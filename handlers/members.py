"""/members and /remove: the coordinator's view of who belongs to the service."""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler

from bot import members
from bot.members import RemoveOutcome
from handlers import rota_jobs
from handlers.common import (
    MentorContext,
    Sender,
    household_name,
    member_translator,
    now,
    number_argument,
    reply_lines,
    requires,
    role_label,
)
from handlers.offers import announce_departure
from storage.models import Member, Role


@requires(Role.COORDINATOR)
async def list_members(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    t = sender.t
    everyone = await members.list_members(context.bot_data.db)
    lines = [t("members.header", count=len(everyone))]
    for other in everyone:
        line = t(
            "members.line",
            number=other.id,
            name=household_name(t, other),
            role=role_label(t, other.role),
        )
        lines.append(line + (t("members.you") if other.id == member.id else ""))
    await reply_lines(update, lines)


@requires(Role.COORDINATOR)
async def remove(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    t = sender.t
    message = update.effective_message
    if message is None:
        return
    number = number_argument(context.args)
    if number is None:
        await message.reply_text(t("remove.usage"))
        return
    removal = await members.remove(context.bot_data.db, member, number, now())
    removed = removal.member
    if removal.outcome is RemoveOutcome.SELF:
        await message.reply_text(t("remove.self"))
    elif removal.outcome is RemoveOutcome.NOT_FOUND or removed is None:
        await message.reply_text(t("remove.not_found", number=number))
    else:
        reply = t(
            "remove.done",
            number=removed.id,
            name=household_name(t, removed),
            role=role_label(t, removed.role),
        )
        cancelled = removal.cancelled_shifts
        if cancelled:
            reply += "\n" + t.plural(
                "remove.shifts_cancelled", "remove.shifts_cancelled_plural", cancelled
            )
        await message.reply_text(reply)
        await _tell_removed(context, removed)
        await announce_departure(context, removal.ended)
        if cancelled:
            await rota_jobs.rota_changed(context.application)


async def _tell_removed(context: MentorContext, removed: Member) -> None:
    """The removed adult learns that their access ended; they may have blocked the bot."""
    t = member_translator(context, removed)
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(removed.telegram_user_id, t("remove.notice"))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("members", list_members))
    application.add_handler(CommandHandler("remove", remove))
