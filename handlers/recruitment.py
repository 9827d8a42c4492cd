"""A stranger registers interest in the next information meeting, or signs up for one that is
announced; coordinators list it.

A short conversation: the name, a telephone number, then an explicit consent button (begun
from a meeting's Sign up under /start, it first asks how many will come, and the consent is
to that meeting). Until that press nothing is stored; "No" forgets what was typed. A second
Sign up for a meeting they are signed up for says where they stand, and asks nothing. Their
places are under /start again, each with a Cancel that gives up that one place and keeps the
registration (/forget erases everything).
Registering again updates the person's one registration. The coordinators get one message a
day listing the new ones, at the morning report's time, rather than a message for each.

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

from bot import events, members, recruitment
from bot.events import CancelProblem, SignUpProblem, Waiting
from bot.i18n import N_, Translator, plain
from bot.members import clean_display_name
from handlers import buttons, event_reminders
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
from handlers.event_notices import send_with_calendar, tell_late_cancellation, tell_moved_up
from handlers.event_text import cancel_problem, event_when, signup_problem
from handlers.events import show_own_again
from handlers.guided import abandon, conversation_data, guided_conversation
from handlers.recruitment_text import already_text, meetings_screens, places_screen
from handlers.rota_jobs import schedule_each_morning
from handlers.signup_text import Screen, cancelled_text
from handlers.telegram_errors import best_effort, failure
from storage.models import Interest, Member, Role

logger = logging.getLogger(__name__)

NAME, PHONE, CONSENT, ADULTS = range(4)
MEETING_ADULTS = 4  # the buttons for how many come to an information meeting: 1 to this
TIMEOUT_SECONDS = 15 * 60
REPORT_JOB = "interest-report"
_NO_KEYBOARD = ReplyKeyboardRemove()


def interest_button(t: Translator) -> InlineKeyboardMarkup:
    """Under the public /start text: the way in."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("interest.button"), callback_data=buttons.interest_start())]]
    )


def adults_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(str(adults), callback_data=buttons.interest_adults(adults))
                for adults in range(1, MEETING_ADULTS + 1)
            ]
        ]
    )


async def show_meetings(update: Update, context: MentorContext, sender: Sender) -> None:
    """Under a stranger's /start: the coming information meetings, with a Sign up each, then
    their own places, with a Cancel each."""
    message = update.effective_message
    if message is None:
        return
    t, tz, moment = sender.t, context.config.timezone, now()
    for screen in meetings_screens(t, await events.meetings(context.db, moment), tz):
        await message.reply_text(screen.text, reply_markup=screen.keyboard)
    own = await _places(context, sender)
    if own is not None:
        await message.reply_text(own.text, reply_markup=own.keyboard)


async def _places(context: MentorContext, sender: Sender) -> Screen | None:
    moment = now()
    own = await events.prospect_signups(context.db, sender.telegram_user_id, moment)
    return places_screen(sender.t, own, context.config.timezone, moment)


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


async def begin_meeting(update: Update, context: MentorContext) -> int:
    """Sign up for one information meeting: how many will come, then the registration."""
    query, match = update.callback_query, buttons.matched(context)
    sender = await identify(update, context)
    if query is None or match is None:
        return ConversationHandler.END
    if sender.member is not None:  # a member signs up under /events
        await query.answer(plain(sender.t("interest.member_meeting")))
        return ConversationHandler.END
    found = await events.meeting(context.db, buttons.meeting_of(match), now())
    if isinstance(found, SignUpProblem):
        await query.answer()
        if query.message is not None:
            await context.bot.send_message(query.message.chat.id, signup_problem(sender.t, found))
        return ConversationHandler.END
    await query.answer()
    already = await _already(context, sender, found.id)
    if already is not None:
        await best_effort(
            context.bot.send_message(sender.telegram_user_id, already), "second sign-up answer"
        )
        return ConversationHandler.END
    conversation_data(context)["meeting"] = found.id
    if query.message is not None:
        await context.bot.send_message(
            query.message.chat.id,
            sender.t("interest.ask_adults", title=found.details.title),
            reply_markup=adults_keyboard(sender.t),
        )
    return ADULTS


async def choose_adults(update: Update, context: MentorContext) -> int:
    query, match = update.callback_query, buttons.matched(context)
    sender = await identify(update, context)
    if query is None or match is None:
        return ADULTS
    await query.answer()
    conversation_data(context)["adults"] = buttons.adults_of(match)
    await query.edit_message_text(sender.t("interest.ask_name"))
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
    data = conversation_data(context)
    data["phone"] = number
    t = sender.t
    await message.reply_text(t("interest.phone_noted", phone=number), reply_markup=_NO_KEYBOARD)
    kept = context.config.retention
    question = (
        t("interest.ask_consent_meeting", kept=kept)
        if "meeting" in data
        else t("interest.ask_consent", kept=kept)
    )
    await message.reply_text(
        question,
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
    meeting, adults = data.get("meeting"), data.get("adults")
    data.clear()
    await query.answer()
    if not given or not isinstance(typed_name, str) or not isinstance(typed_phone, str):
        await query.edit_message_text(sender.t("interest.not_stored"))
        return ConversationHandler.END
    if isinstance(meeting, int) and isinstance(adults, int):
        await _sign_up(update, context, sender, meeting, typed_name, typed_phone, adults)
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


async def _sign_up(
    update: Update,
    context: MentorContext,
    sender: Sender,
    meeting: int,
    typed_name: str,
    typed_phone: str,
    adults: int,
) -> None:
    """The consent given for a meeting: the registration and the place, or why not (and then
    nothing kept); a place comes with the meeting's calendar file."""
    query = update.callback_query
    assert query is not None  # the consent is a press
    t = sender.t
    result = await events.sign_up_prospect(
        context.db,
        meeting,
        sender.telegram_user_id,
        name=typed_name,
        phone=typed_phone,
        language=t.language,
        adults=adults,
        now=now(),
    )
    # Signed up meanwhile (a second Sign up's questions answered): where they stand.
    already = await _already(context, sender, meeting) if result is SignUpProblem.ALREADY else None
    if already is not None:
        await query.edit_message_text(already)
        return
    if isinstance(result, SignUpProblem):
        await query.edit_message_text(signup_problem(t, result) + "\n" + t("interest.not_stored"))
        return
    tz = context.config.timezone
    event = result.event
    when = event_when(t, event, tz)
    how_to_cancel = t("interest.how_to_cancel")
    if isinstance(result, Waiting):
        await query.edit_message_text(
            t(
                "interest.meeting_waiting",
                title=event.details.title,
                when=when,
                position=result.position,
            )
            + "\n"
            + how_to_cancel
        )
        return
    await query.edit_message_text(t("interest.meeting_thanks"))
    await event_reminders.events_changed(context.application)
    place = t("interest.meeting_place", title=event.details.title, when=when)
    await send_with_calendar(
        context, sender.telegram_user_id, t, place + "\n" + how_to_cancel, event
    )


async def _already(context: MentorContext, sender: Sender, meeting: int) -> str | None:
    """For a Sign up for a meeting the person has a place at, or waits for: the one line that
    says where they stand (nothing changes); None if they have neither."""
    own = await events.prospect_place(context.db, meeting, sender.telegram_user_id)
    return None if own is None else already_text(sender.t, own, context.config.timezone)


async def cancel_place(update: Update, context: MentorContext) -> None:
    """A stranger's Cancel under /start: that one place (or place in line) goes, the waiting
    list moves up into it, and their registration and other places stay."""
    query, match = update.callback_query, buttons.matched(context)
    sender = await identify(update, context)
    if query is None or match is None:
        return
    t = sender.t
    if sender.member is not None:  # a member's places are under /events
        await query.answer(plain(t("button.invalid")))
        return
    result = await events.cancel_prospect_signup(
        context.db, sender.telegram_user_id, buttons.signup_of(match), now()
    )
    if isinstance(result, CancelProblem):
        await query.answer(plain(cancel_problem(t, result)), show_alert=True)
        return
    await query.answer()
    text = cancelled_text(t, result.event, result.signup) + "\n" + t("interest.registration_kept")
    await best_effort(context.bot.send_message(sender.telegram_user_id, text), "cancellation")
    await show_own_again(query, t, await _places(context, sender))
    await tell_moved_up(context, result.event, result.moved_up)
    registration = await recruitment.registration_of(context.db, sender.telegram_user_id)
    if result.late and registration is not None:
        await tell_late_cancellation(context, result.event, registration.name)
    await event_reminders.events_changed(context.application)


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
        entry_points=[
            CallbackQueryHandler(begin, pattern=buttons.INTEREST_START),
            CallbackQueryHandler(begin_meeting, pattern=buttons.INTEREST_MEETING),
        ],
        states={
            ADULTS: [CallbackQueryHandler(choose_adults, pattern=buttons.INTEREST_ADULTS)],
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
    application.add_handler(CallbackQueryHandler(cancel_place, pattern=buttons.INTEREST_CANCEL))
    application.add_handler(CommandHandler("interest", list_interest))
