"""Conversations: where a member's plain message goes, /end, the rating and the topic.

Every message that is not a command comes through `route_message`, the one place that decides
what it is. A message carrying a personnummer or CPR number is never stored or passed on, on
either side. Otherwise it is a family's message in a conversation (relayed), a family's
question (a request), a mentor's answer (relayed to the conversation it replies to, or the most
recent one), a comment on a rating or a note on a topic (a reply to the bot's thanks), or a
coordinator's rota file. Keeping that decision in one function keeps the order of the rules
readable.
"""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import routing
from bot.i18n import N_, Translator
from bot.identity_numbers import find_identity_number
from bot.routing import TOPIC_LABELS, Ended, Topic
from handlers.common import (
    ANY_MEMBER,
    MentorContext,
    Sender,
    identify,
    member_translator,
    now,
    number_argument,
    requires,
)
from handlers.relay import copy_to_family, copy_to_mentor
from handlers.requests import take_family_message
from handlers.rota import import_document
from storage.models import Member, Request, Role

RATE = "rate:"
TOPIC = "topic:"


async def route_message(update: Update, context: MentorContext) -> None:
    message = update.effective_message
    if message is None:
        return
    sender = await identify(update, context)
    member = sender.member
    if member is None:
        await message.reply_text(sender.t("fallback.stranger"))
        return
    if find_identity_number(message.text or message.caption or "") is not None:
        await message.reply_text(sender.t("relay.identity_number"))
        return
    if await _comment(context, sender, message):
        return
    if member.role is Role.FAMILY:
        conversation = await take_family_message(update, context, sender, member)
        if conversation is not None:
            await _to_mentor(context, sender, conversation, message)
        return
    conversation = await _mentor_conversation(context, member, message)
    if conversation is not None:
        await _to_family(context, sender, conversation, message)
    elif member.role is Role.COORDINATOR and message.document is not None:
        await import_document(update, context)
    else:
        await message.reply_text(sender.t("fallback.member"))


async def _comment(context: MentorContext, sender: Sender, message: Message) -> bool:
    """A reply to the thanks for a rating or a topic adds the comment or the note."""
    replied = message.reply_to_message
    if replied is None or message.text is None:
        return False
    found = await routing.replied_to(context.bot_data.db, message.chat_id, replied.message_id)
    if found is None or found[1] == "relay":
        return False
    await routing.add_comment(context.bot_data.db, found[0].id, found[1], message.text)
    await message.reply_text(sender.t("end.comment_saved"))
    return True


async def _mentor_conversation(
    context: MentorContext, member: Member, message: Message
) -> Request | None:
    """The conversation a reply points at, else the only or the most recent one."""
    db = context.bot_data.db
    replied = message.reply_to_message
    if replied is not None:
        found = await routing.replied_to(db, message.chat_id, replied.message_id)
        if found is not None and found[0].mentor_member_id == member.id:
            return found[0]
    open_now = await routing.conversations_of(db, member)
    return open_now[0] if open_now else None


async def _to_mentor(
    context: MentorContext, sender: Sender, request: Request, message: Message
) -> None:
    _, mentor = await routing.counterpart(context.bot_data.db, request)
    if mentor is None:
        await message.reply_text(sender.t("relay.failed"))
        return
    t = member_translator(context, mentor)
    chat = mentor.telegram_user_id
    copied = await copy_to_mentor(
        context, request, chat, t, message.chat_id, message.message_id, message
    )
    if not copied:
        await message.reply_text(sender.t("relay.failed"))


async def _to_family(
    context: MentorContext, sender: Sender, request: Request, message: Message
) -> None:
    family, _ = await routing.counterpart(context.bot_data.db, request)
    chats = [adult.telegram_user_id for adult in family]
    if not await copy_to_family(context, request, chats, message):
        await message.reply_text(sender.t("relay.failed"))


@requires(*ANY_MEMBER)
async def end(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    message = update.effective_message
    if message is None:
        return
    t, db = sender.t, context.bot_data.db
    if member.role is Role.FAMILY:
        request = await routing.conversation_of_family(db, member)
    else:
        open_now = await routing.conversations_of(db, member)
        number = number_argument(context.args)
        if number is not None:
            request = next((found for found in open_now if found.id == number), None)
        elif len(open_now) > 1 and message.reply_to_message is None:
            choices = ", ".join(f"/end {found.id}" for found in open_now)
            await message.reply_text(t("end.which", choices=choices))
            return
        else:
            request = await _mentor_conversation(context, member, message)
    if request is None:
        await message.reply_text(t("end.nothing"))
        return
    side = "family" if member.role is Role.FAMILY else "mentor"
    ended = await routing.end(db, request.id, side, now())
    if ended is None:
        await message.reply_text(t("end.nothing"))
        return
    await _after_end(context, ended)


async def _after_end(context: MentorContext, ended: Ended) -> None:
    """The family is asked for a rating, the mentor for a topic."""
    request = ended.request
    for adult in ended.family:
        t = member_translator(context, adult)
        stars = [
            InlineKeyboardButton(str(n), callback_data=f"{RATE}{request.id}:{n}")
            for n in range(1, routing.MAX_RATING + 1)
        ]
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(
                adult.telegram_user_id,
                t("end.family", number=request.id),
                reply_markup=InlineKeyboardMarkup([stars]),
            )
    if ended.mentor is not None:
        t = member_translator(context, ended.mentor)
        rows = [
            [InlineKeyboardButton(t(msgid), callback_data=f"{TOPIC}{request.id}:{topic.value}")]
            for topic, msgid in TOPIC_LABELS.items()
        ]
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(
                ended.mentor.telegram_user_id,
                t("end.mentor", number=request.id),
                reply_markup=InlineKeyboardMarkup(rows),
            )


def _choice(data: str | None, prefix: str) -> tuple[int, str] | None:
    request, _, value = (data or "").removeprefix(prefix).partition(":")
    return (int(request), value) if request.isdigit() and value else None


@requires(Role.FAMILY)
async def rate(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    query = update.callback_query
    choice = _choice(query.data if query else None, RATE)
    if query is None:
        return
    if choice is None or not choice[1].isdigit() or not await routing.rate(
        context.bot_data.db, member, choice[0], int(choice[1])
    ):
        await query.answer(sender.t("button.invalid"))
        return
    rating = int(choice[1])
    thanks = N_("end.rated")
    await _thank(context, sender.t, query.message, choice[0], thanks, "comment", rating=rating)
    await query.answer()


@requires(Role.MENTOR, Role.COORDINATOR)
async def file_topic(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    query = update.callback_query
    choice = _choice(query.data if query else None, TOPIC)
    if query is None:
        return
    topic = Topic(choice[1]) if choice and choice[1] in Topic.__members__.values() else None
    if choice is None or topic is None or not await routing.file_topic(
        context.bot_data.db, member, choice[0], topic
    ):
        await query.answer(sender.t("button.invalid"))
        return
    filed, label = N_("end.filed"), sender.t(TOPIC_LABELS[topic])
    await _thank(context, sender.t, query.message, choice[0], filed, "note", topic=label)
    await query.answer()


async def _thank(
    context: MentorContext,
    t: Translator,
    message: object,
    request_id: int,
    msgid: str,
    purpose: str,
    **params: object,
) -> None:
    """Replace the buttons with thanks; a reply to the thanks becomes the comment or note."""
    if not isinstance(message, Message):
        return
    with contextlib.suppress(TelegramError):
        await message.edit_text(t(msgid, number=request_id, **params))
    await routing.remember_relay(
        context.bot_data.db, message.chat_id, message.message_id, request_id, purpose
    )


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("end", end))
    application.add_handler(CallbackQueryHandler(rate, pattern=f"^{RATE}"))
    application.add_handler(CallbackQueryHandler(file_topic, pattern=f"^{TOPIC}"))
    application.add_handler(
        MessageHandler(~filters.COMMAND & filters.ChatType.PRIVATE, route_message)
    )
