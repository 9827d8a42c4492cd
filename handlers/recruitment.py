"""A stranger registers interest in the next information meeting; coordinators list it.

A short conversation: the name, a telephone number, then an explicit consent button. Until
that press nothing is stored; "No" forgets what was typed. Registering again updates the
person's one registration. The coordinators get one message a day listing the new ones, at
the morning report's time, rather than a message for each.

The number is one tap: a reply keyboard's button shares the person's own Telegram number, and
typing it stays possible. Only the sender's own contact counts (a card from the address book
is someone else's number, given without their consent). The keyboard goes on every way out:
the number taken, /cancel, or the conversation left to time out.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import members, recruitment
from bot.i18n import N_, Translator, plain
from bot.members import clean_display_name
from handlers import buttons
from handlers.clock import now
from handlers.common import (
    MentorApplication,
    MentorContext,
    Sender,
    identify,
    member_translator,
    reply_lines,
    requires,
)
from handlers.guided import abandon, conversation_data, guided_conversation
from handlers.rota_jobs import schedule_each_morning
from handlers.telegram_errors import failure
from storage.models import Interest, Member, Role

logger = logging.getLogger(__name__)

NAME, PHONE, CONSENT = range(3)
TIMEOUT_SECONDS = 15 * 60
REPORT_JOB = "interest-report"
_NO_KEYBOARD = ReplyKeyboardRemove()


def interest_button(t: Translator) -> InlineKeyboardMarkup:
    """Under the public /start text: the way in."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("interest.button"), callback_data=buttons.interest_start())]]
    )


async def begin(update: Update, context: MentorContext) -> int:
    query = update.callback_query
    sender = await identify(update, context)
    if query is None:
        return ConversationHandler.END
    if sender.member is not None:  # already in the service
        await query.answer(plain(sender.t("button.invalid")))
        return ConversationHandler.END
    await query.answer()
    if query.message is not None:
        await context.bot.send_message(query.message.chat.id, sender.t("interest.ask_name"))
    return NAME


async def name(update: Update, context: MentorContext) -> int:
    message = update.effective_message
    sender = await identify(update, context)
    if message is None or message.text is None:
        return NAME
    cleaned = clean_display_name(message.text)
    if cleaned is None:
        await message.reply_text(sender.t("interest.bad_name"))
        return NAME
    conversation_data(context)["name"] = cleaned
    await message.reply_text(sender.t("interest.ask_phone"), reply_markup=phone_keyboard(sender.t))
    return PHONE


def phone_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    """One button that shares the person's own number; the field below stays open for typing."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(t("interest.share_phone"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder=t("interest.phone_placeholder"),
    )


async def typed_phone(update: Update, context: MentorContext) -> int:
    message = update.effective_message
    sender = await identify(update, context)
    if message is None or message.text is None:
        return PHONE
    number = recruitment.clean_phone(message.text, context.config.service_hours.country)
    if number is None:
        await message.reply_text(sender.t("interest.bad_phone"))
        return PHONE
    return await _ask_consent(update, context, sender, number)


async def shared_phone(update: Update, context: MentorContext) -> int:
    message = update.effective_message
    sender = await identify(update, context)
    if message is None or message.contact is None:
        return PHONE
    contact = message.contact
    if contact.user_id != sender.telegram_user_id:  # someone else's card, or a forwarded one
        await message.reply_text(sender.t("interest.not_own_contact"))
        return PHONE
    number = recruitment.shared_phone(contact.phone_number, context.config.service_hours.country)
    if number is None:
        await message.reply_text(sender.t("interest.bad_phone"))
        return PHONE
    return await _ask_consent(update, context, sender, number)


async def _ask_consent(update: Update, context: MentorContext, sender: Sender, number: str) -> int:
    """The number as it will be kept, the keyboard gone, then the consent question."""
    message = update.effective_message
    if message is None:
        return PHONE
    conversation_data(context)["phone"] = number
    t = sender.t
    await message.reply_text(t("interest.phone_noted", phone=number), reply_markup=_NO_KEYBOARD)
    await message.reply_text(
        t("interest.ask_consent", kept=context.config.retention),
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t("interest.agree"), callback_data=buttons.interest_consent(True)
                    ),
                    InlineKeyboardButton(
                        t("interest.disagree"), callback_data=buttons.interest_consent(False)
                    ),
                ]
            ]
        ),
    )
    return CONSENT


async def consent(update: Update, context: MentorContext) -> int:
    query, match = update.callback_query, buttons.matched(context)
    sender = await identify(update, context)
    if query is None:
        return CONSENT
    data = conversation_data(context)
    given = match is not None and buttons.consent_of(match)
    typed_name, typed_phone = data.get("name"), data.get("phone")
    data.clear()
    await query.answer()
    if not given or not isinstance(typed_name, str) or not isinstance(typed_phone, str):
        await query.edit_message_text(sender.t("interest.not_stored"))
        return ConversationHandler.END
    db = context.db
    _, new = await recruitment.register(
        db,
        sender.telegram_user_id,
        name=typed_name,
        phone=typed_phone,
        language=sender.t.language,
        now=now(),
    )
    thanks = N_("interest.thanks") if new else N_("interest.updated")
    await query.edit_message_text(sender.t(thanks))
    return ConversationHandler.END


async def cancel_conversation(update: Update, context: MentorContext) -> int:
    return await abandon(update, context, N_("interest.not_stored"), _NO_KEYBOARD)


async def timed_out(update: Update, context: MentorContext) -> int:
    """Left unfinished: what was typed is forgotten, and the number button goes with it."""
    conversation_data(context).clear()
    sender = await identify(update, context)
    chat = update.effective_chat
    if chat is not None:
        text = sender.t("interest.timed_out")
        try:
            await context.bot.send_message(chat.id, text, reply_markup=_NO_KEYBOARD)
        except TelegramError as error:
            logger.warning("registration timeout notice: %s", failure(error))
    return ConversationHandler.END


@requires(Role.COORDINATOR)
async def list_interest(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    t, tz = sender.t, context.config.timezone
    found = await recruitment.registered(context.db)
    if not found:
        await reply_lines(update, [t("interest.none")])
        return
    lines = [t("interest.header", count=len(found))]
    lines.extend(_line(t, entry, tz) for entry in found)
    await reply_lines(update, lines)


def _line(t: Translator, entry: Interest, tz: ZoneInfo) -> str:
    return t(
        "interest.line",
        number=entry.id,
        name=entry.name,
        phone=entry.phone,
        when=t.moment(entry.consented_at, tz),
    )


async def _send_daily_report(context: MentorContext) -> None:
    """Once per local day: the registrations that are new since the last list, if any."""
    db, tz = context.db, context.config.timezone
    moment = now()
    listed = await recruitment.claim_daily_report(db, moment.astimezone(tz).date(), moment)
    if not listed:
        return
    for coordinator in await members.with_role(db, Role.COORDINATOR):
        t = member_translator(context, coordinator)
        lines = [t("interest.report_header", count=len(listed))]
        lines.extend(_line(t, entry, tz) for entry in listed)
        try:
            await context.bot.send_message(coordinator.telegram_user_id, "\n".join(lines))
        except TelegramError as error:
            logger.warning("interest report to member %s: %s", coordinator.id, failure(error))
    await recruitment.reported(db, listed, now())


def start(application: MentorApplication) -> None:
    """The daily list of new registrations, planned from the configuration at every start."""
    schedule_each_morning(application, _send_daily_report, REPORT_JOB)


def register(application: MentorApplication) -> None:
    text = filters.TEXT & ~filters.COMMAND
    registering = guided_conversation(
        entry_points=[CallbackQueryHandler(begin, pattern=buttons.INTEREST_START)],
        states={
            NAME: [MessageHandler(text, name)],
            PHONE: [
                MessageHandler(filters.CONTACT, shared_phone),
                MessageHandler(text, typed_phone),
            ],
            CONSENT: [CallbackQueryHandler(consent, pattern=buttons.INTEREST_CONSENT)],
            ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
        },
        fallbacks=[CommandHandler("cancel", cancel_conversation)],
        timeout_seconds=TIMEOUT_SECONDS,
    )
    application.add_handler(registering)
    application.add_handler(CommandHandler("interest", list_interest))
