"""A stranger registers interest in the next information meeting; coordinators list it.

A short conversation: the name, a telephone number, then an explicit consent button. Until
that press nothing is stored; "No" forgets what was typed. Registering again updates the
person's one registration. The coordinators get one message a day listing the new ones, at
the morning report's time, rather than a message for each.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import members, recruitment
from bot.i18n import N_, Translator
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
        await query.answer(sender.t("button.invalid"))
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
    await message.reply_text(sender.t("interest.ask_phone"))
    return PHONE


async def phone(update: Update, context: MentorContext) -> int:
    message = update.effective_message
    sender = await identify(update, context)
    if message is None or message.text is None:
        return PHONE
    number = recruitment.clean_phone(message.text)
    if number is None:
        await message.reply_text(sender.t("interest.bad_phone"))
        return PHONE
    conversation_data(context)["phone"] = number
    t = sender.t
    await message.reply_text(
        t("interest.ask_consent", days=context.config.retention.days),
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
    return await abandon(update, context, N_("interest.not_stored"))


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
            PHONE: [MessageHandler(text, phone)],
            CONSENT: [CallbackQueryHandler(consent, pattern=buttons.INTEREST_CONSENT)],
        },
        fallbacks=[CommandHandler("cancel", cancel_conversation)],
        timeout_seconds=TIMEOUT_SECONDS,
    )
    application.add_handler(registering)
    application.add_handler(CommandHandler("interest", list_interest))
