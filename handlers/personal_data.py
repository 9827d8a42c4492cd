"""/mydata and /forget: the rights of access and erasure, for oneself or, by a coordinator,
for a member."""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import personal_data
from bot.i18n import N_
from handlers.common import (
    ANY_MEMBER,
    MentorContext,
    Sender,
    member_translator,
    now,
    number_argument,
    parse_number,
    requires,
)
from handlers.departures import after_departure
from storage.models import Member, Role


def _subject(context: MentorContext, member: Member) -> int | None:
    """Whose data: one's own, or with a number, a member's (coordinators only)."""
    if not context.args:
        return member.id
    return number_argument(context.args) if member.role is Role.COORDINATOR else None


@requires(*ANY_MEMBER)
async def my_data(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    message = update.effective_message
    if message is None:
        return
    t = sender.t
    subject = _subject(context, member)
    if subject is None:
        await message.reply_text(t("mydata.usage"))
        return
    data = await personal_data.export(context.bot_data.db, subject, member, now())
    if data is None:
        await message.reply_text(t("remove.not_found", number=subject))
        return
    await message.reply_document(
        InputFile(data, filename=f"mentorbot-member-{subject}.json"),
        caption=t("mydata.caption", number=subject),
    )


FORGET = "forget:"


@requires(*ANY_MEMBER)
async def ask_forget(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    """The erasure cannot be undone, so it takes a second, deliberate press."""
    message = update.effective_message
    if message is None:
        return
    t = sender.t
    subject = _subject(context, member)
    if subject is None:
        await message.reply_text(t("forget.usage"))
        return
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t("forget.confirm"), callback_data=f"{FORGET}{subject}"),
                InlineKeyboardButton(t("forget.keep"), callback_data=f"{FORGET}keep"),
            ]
        ]
    )
    question = N_("forget.ask_own") if subject == member.id else N_("forget.ask_member")
    await message.reply_text(t(question, number=subject), reply_markup=keyboard)


@requires(*ANY_MEMBER)
async def forget(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    query = update.callback_query
    if query is None:
        return
    t = sender.t
    chosen = (query.data or "").removeprefix(FORGET)
    if chosen == "keep":
        await query.answer()
        await query.edit_message_text(t("forget.kept"))
        return
    subject = parse_number(chosen)
    allowed = subject == member.id or member.role is Role.COORDINATOR
    if subject is None or not allowed:
        await query.answer(t("button.invalid"))
        return
    erasure = await personal_data.erase(context.bot_data.db, subject, member, now())
    await query.answer()
    if erasure is None:
        await query.edit_message_text(t("remove.not_found", number=subject))
        return
    await after_departure(context, erasure, member)
    erased = erasure.member
    if erased.id == member.id:
        await query.edit_message_text(t("forget.done_own"))
        return
    await query.edit_message_text(t("forget.done_member", number=subject))
    notice = member_translator(context, erased)
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(erased.telegram_user_id, notice(N_("forget.notice")))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("mydata", my_data))
    application.add_handler(CommandHandler("forget", ask_forget))
    application.add_handler(CallbackQueryHandler(forget, pattern=f"^{FORGET}"))
