"""/mydata and /forget: the rights of access and erasure, for oneself or, by a coordinator,
for a member; and /forget for a stranger, whose only data is a registration of interest."""

from __future__ import annotations

from itertools import groupby

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import events, members, personal_data, recruitment
from bot.i18n import N_, Translator
from handlers import buttons, confirmation, event_reminders, recruitment_text
from handlers.buttons import Match
from handlers.clock import now
from handlers.common import (
    ANY_MEMBER,
    MentorApplication,
    MentorContext,
    Sender,
    identify,
    member_translator,
    number_argument,
    requires,
)
from handlers.confirmation import Confirmation
from handlers.departures import after_departure
from handlers.event_notices import tell_moved_up
from handlers.telegram_errors import best_effort
from storage.models import Member, Role


def _subject(context: MentorContext, member: Member) -> int | None:
    """Whose data: one's own, or with a number, a member's (coordinators only)."""
    if not context.args:
        return member.id
    return number_argument(context.args) if member.role is Role.COORDINATOR else None


async def my_data(update: Update, context: MentorContext) -> None:
    """A member's export, or a stranger's: their registration of interest and their places at
    information meetings, or that nothing is stored about them."""
    message = update.effective_message
    sender = await identify(update, context)
    if message is None:
        return
    if sender.member is not None:
        await _my_data_member(message, context, sender, sender.member)
        return
    t = sender.t
    data = await personal_data.export_prospect(context.db, sender.telegram_user_id, now())
    if data is None:
        await message.reply_text(t("forget.nothing_stored"))
        return
    await message.reply_document(
        InputFile(data, filename="mentorbot-my-data.json"), caption=t("mydata.caption_interest")
    )


async def _my_data_member(
    message: Message, context: MentorContext, sender: Sender, member: Member
) -> None:
    t = sender.t
    subject = _subject(context, member)
    if subject is None:
        await message.reply_text(t("mydata.usage"))
        return
    await send_export(message, context, t, member, subject)


async def send_export(
    message: Message, context: MentorContext, t: Translator, asker: Member, subject: int
) -> None:
    """Member `subject`'s data as a file, in reply to `message` (/mydata, a member's card)."""
    data = await personal_data.export(context.db, subject, asker, now())
    if data is None:
        await message.reply_text(t("remove.not_found", number=subject))
        return
    await message.reply_document(
        InputFile(data, filename=f"mentorbot-member-{subject}.json"),
        caption=t("mydata.caption", number=subject),
    )


def _keyboard(t: Translator, confirm: str, keep: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t("forget.confirm"), callback_data=confirm),
                InlineKeyboardButton(t("forget.keep"), callback_data=keep),
            ]
        ]
    )


async def ask_forget(update: Update, context: MentorContext) -> None:
    """The erasure cannot be undone, so it takes a second, deliberate press. A stranger is
    shown first what is stored about them: a registration of interest and each place at an
    information meeting it would give up, or nothing."""
    message = update.effective_message
    sender = await identify(update, context)
    if message is None:
        return
    if sender.member is not None:
        await _ask_forget_member(update, context, sender, sender.member)
        return
    t = sender.t
    found = await recruitment.registration_of(context.db, sender.telegram_user_id)
    if found is None:
        await message.reply_text(t("forget.nothing_stored"))
        return
    # The registration's number and the second it was given name it, and not a later update.
    confirm = buttons.forget_interest(Confirmation(found.id, found.consented_at))
    places = await events.prospect_signups(context.db, sender.telegram_user_id, now())
    await message.reply_text(
        recruitment_text.forget_question(t, found, places, context.config.timezone),
        reply_markup=_keyboard(t, confirm, buttons.forget_interest_keep()),
    )


async def _ask_forget_member(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    message = update.effective_message
    if message is None:
        return
    t = sender.t
    subject = _subject(context, member)
    if subject is None:
        await message.reply_text(t("forget.usage"))
        return
    whom = member if subject == member.id else await members.by_number(context.db, subject)
    if whom is None:
        await message.reply_text(t("remove.not_found", number=subject))
        return
    question, keyboard = forget_question(t, whom, member)
    await message.reply_text(question, reply_markup=keyboard)


def forget_question(t: Translator, whom: Member, asker: Member) -> tuple[str, InlineKeyboardMarkup]:
    """The question before `whom` is erased (/forget, a member's card), with its buttons."""
    # The number and the second they joined name this member and nobody else, for good.
    confirm = buttons.forget(Confirmation(whom.id, whom.joined_at))
    question = N_("forget.ask_own") if whom.id == asker.id else N_("forget.ask_member")
    return t(question, number=whom.id), _keyboard(t, confirm, buttons.forget_keep())


async def _kept(update: Update, t: Translator) -> None:
    """Keep: the question goes, and nothing was erased."""
    if update.callback_query is not None:
        await confirmation.close(update.callback_query, t("forget.kept"), "erasure kept")


@requires(*ANY_MEMBER)
async def keep(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    await _kept(update, sender.t)


@requires(*ANY_MEMBER)
async def refuse_other_forget(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    """Data with /forget's prefix that is not its buttons' (an older release's, or forged)."""
    if update.callback_query is not None:
        await confirmation.refuse(update.callback_query, sender.t)


@buttons.press(*ANY_MEMBER)
async def forget(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    t = sender.t
    moment = now()
    confirmed = confirmation.pressed(query, buttons.confirmation_of(match), moment)
    if confirmed is None or not (confirmed.number == member.id or member.role is Role.COORDINATOR):
        await confirmation.refuse(query, t)  # expired, or not a button of ours
        return
    db = context.db
    erasure = await personal_data.erase(db, confirmed.number, member, moment, confirmed.made_at)
    if erasure is None:  # the member it was pressed for is gone
        await confirmation.refuse(query, t)
        return
    await query.answer()
    await after_departure(context, erasure.departure, member)
    await _delete_copies(context, erasure.copies)
    erased = erasure.departure.member
    if erased.id == member.id:
        await query.edit_message_text(t("forget.done_own"))
        return
    await query.edit_message_text(t("forget.done_member", number=erased.id))
    notice = member_translator(context, erased)
    await best_effort(
        context.bot.send_message(erased.telegram_user_id, notice(N_("forget.notice"))),
        "erasure notice",
    )


async def forget_interest(update: Update, context: MentorContext) -> None:
    """A stranger withdraws their registration of interest, and is told what went."""
    query, match = update.callback_query, buttons.matched(context)
    if query is None or match is None:
        return
    sender = await identify(update, context)
    t = sender.t
    confirmed = confirmation.pressed(query, buttons.confirmation_of(match), now())
    erased = None
    if confirmed is not None:
        erased = await recruitment.withdraw(
            context.db, sender.telegram_user_id, confirmed.number, confirmed.made_at, now()
        )
    if erased is None:  # expired, not a button of ours, or the registration changed since
        await confirmation.refuse(query, t)
        return
    await query.answer()
    registration = erased.registration
    await query.edit_message_text(
        t("forget.done_interest", name=registration.name, phone=registration.phone)
    )
    for each in erased.released:
        await tell_moved_up(context, each.event, each.moved_up)
    if erased.released:
        await event_reminders.events_changed(context.application)


async def keep_interest(update: Update, context: MentorContext) -> None:
    await _kept(update, (await identify(update, context)).t)


async def refuse_other_interest(update: Update, context: MentorContext) -> None:
    """Data with the stranger's /forget prefix that is not its buttons'."""
    sender = await identify(update, context)
    if update.callback_query is not None:
        await confirmation.refuse(update.callback_query, sender.t)


# Telegram's deleteMessages takes at most this many messages of one chat.
DELETE_AT_ONCE = 100


async def _delete_copies(context: MentorContext, copies: list[tuple[int, int]]) -> None:
    """Delete the copies the bot made from the chats, a chat at a time. A refused batch (one
    copy in it turned too old meanwhile) is tried one by one, so that it holds back no other;
    what Telegram still refuses (a chat that blocked the bot) stays, as the README says."""
    for chat_id, in_chat in groupby(copies, key=lambda copy: copy[0]):
        message_ids = [message_id for _, message_id in in_chat]
        for start in range(0, len(message_ids), DELETE_AT_ONCE):
            batch = message_ids[start : start + DELETE_AT_ONCE]
            await best_effort(_delete_batch(context.bot, chat_id, batch), "copies deletion")


async def _delete_batch(bot: Bot, chat_id: int, batch: list[int]) -> None:
    """At once, or one by one when Telegram refuses the batch."""
    try:
        await bot.delete_messages(chat_id, batch)
    except BadRequest:
        for message_id in batch:
            await best_effort(bot.delete_message(chat_id, message_id), "copy deletion")


def register(application: MentorApplication) -> None:
    application.add_handler(CommandHandler("mydata", my_data))
    application.add_handler(CommandHandler("forget", ask_forget))
    for callback, pattern in (
        (forget, buttons.FORGET),
        (keep, buttons.FORGET_KEEP),
        (refuse_other_forget, buttons.rest(buttons.FORGET)),
        (forget_interest, buttons.FORGET_INTEREST),
        (keep_interest, buttons.FORGET_INTEREST_KEEP),
        (refuse_other_interest, buttons.rest(buttons.FORGET_INTEREST)),
    ):
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern))
