"""/shift with no arguments, and a gap's Fill button: booking a shift by buttons.

Each press edits the one message in place, so the chat keeps a single booking at a time and
no old step lingers to be pressed again. Every press is checked anew: the sender must still be
a coordinator, the member number a mentor household's, and the booking goes through
`rota_planning.add`, which refuses an overlap or a time in the past in its own transaction,
so a preview pressed twice, or after another coordinator booked the same evening, books once.
Only the two typed answers ("another day", "other times") need the chat's next message; they
are a short conversation of their own.
"""

from __future__ import annotations

from datetime import date, timedelta

from telegram import CallbackQuery, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as telegram_filters

from bot import rota_planning, shift_booking
from bot.i18n import N_, Translator, plain
from bot.rota import Interval
from bot.rota_csv import CsvProblem
from bot.rota_planning import Refusal
from bot.shift_booking import DaySpan
from handlers import buttons, confirmation
from handlers.buttons import Match
from handlers.clock import now
from handlers.common import MentorApplication, MentorContext, Sender, identify, requires
from handlers.guided import abandon, conversation_data, guided_conversation
from handlers.rota_planning import confirm_added
from handlers.rota_text import csv_problem, refusal
from handlers.shift_booking_text import (
    Step,
    days_step,
    households_step,
    preview_step,
    slots_step,
)
from handlers.telegram_errors import best_effort
from storage.models import BookableHousehold, Member, Role

TYPING_DAY, TYPING_TIMES = range(2)
# /shift alone lists last the households away at some time in this stretch ahead.
AWAY_AHEAD = timedelta(days=7)
refuse_other_data = buttons.refuse_rest(Role.COORDINATOR)
TIMEOUT_SECONDS = 10 * 60
TYPED_DATE_OR_TIMES = r"^[\d\s./:\-\u2013]+$"
_MEMBER, _DAY = "booking_member", "booking_day"


@requires(Role.COORDINATOR)
async def begin(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    """The first step, for `/shift` with nothing after it."""
    message, t = update.effective_message, sender.t
    if message is None:
        return
    found = await _choices(context, None)
    if not found.households:
        await message.reply_text(t("booking.no_households"))
        return
    step = households_step(t, shift_booking.page(found.households, 0), None, found.away)
    await message.reply_text(step.text, reply_markup=step.keyboard)


async def _choices(context: MentorContext, gap: DaySpan | None) -> shift_booking.Choices:
    """The households to list: those away during the gap (or, with none yet, in the coming
    week) last, so that the first page holds those who can take it."""
    span = None if gap is None else shift_booking.interval_of(gap, context.config.timezone)
    moment = now()
    return await shift_booking.choices(context.db, span or Interval(moment, moment + AWAY_AHEAD))


async def _show(query: CallbackQuery, step: Step) -> None:
    await query.answer()
    await best_effort(
        query.edit_message_text(step.text, reply_markup=step.keyboard), "booking step edit"
    )


async def _household(context: MentorContext, member_number: int) -> BookableHousehold | None:
    """The mentor household a press names, as it is now; None once it is gone or not a mentor."""
    households = await shift_booking.bookable_households(context.db)
    return next((h for h in households if h.member_number == member_number), None)


def _pressed_day(context: MentorContext, match: Match) -> date | None:
    """The day a press names, if a shift may be booked on it: it may have passed since, and
    forged data may name one at the calendar's end."""
    day = buttons.day_of(match)
    today = now().astimezone(context.config.timezone).date()
    return day if day is not None and shift_booking.within_reach(day, today) else None


def _pressed_when(context: MentorContext, match: Match) -> DaySpan | None:
    """The day and times a press names, read as `_pressed_day` reads its day."""
    when = buttons.day_span_of(match)
    return when if when is not None and _pressed_day(context, match) is not None else None


async def _gone(query: CallbackQuery, t: Translator) -> None:
    """A press naming a household or a day that is no longer there (or never was)."""
    await query.answer(plain(t("button.invalid")), show_alert=True)


@buttons.press(Role.COORDINATOR)
async def turn_page(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    gap = _pressed_when(context, match)
    if gap is None and match["day"] is not None:
        await _gone(query, sender.t)
        return
    found = await _choices(context, gap)
    shown = shift_booking.page(found.households, buttons.page_of(match))
    await _show(query, households_step(sender.t, shown, gap, found.away))


@buttons.press(Role.COORDINATOR)
async def fill(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    """A gap's button under /rota or the morning report: a new booking, at that gap."""
    gap, t = _pressed_when(context, match), sender.t
    found = None if gap is None else await _choices(context, gap)
    if found is None or not found.households or not isinstance(query.message, Message):
        await _gone(query, t)
        return
    await query.answer()
    step = households_step(t, shift_booking.page(found.households, 0), gap, found.away)
    await query.message.reply_text(step.text, reply_markup=step.keyboard)


@buttons.press(Role.COORDINATOR)
async def choose_household(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    household = await _household(context, buttons.booked_member_of(match))
    if household is None:
        await _gone(query, sender.t)
        return
    config = context.config
    days = shift_booking.booking_days(now().astimezone(config.timezone).date())
    away = await shift_booking.away_days(
        context.db, household.household_id, days, config.service_hours, config.timezone
    )
    await _show(query, days_step(sender.t, household, days, away))


@buttons.press(Role.COORDINATOR)
async def choose_day(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    household = await _household(context, buttons.booked_member_of(match))
    day = _pressed_day(context, match)
    if household is None or day is None:
        await _gone(query, sender.t)
        return
    slots = shift_booking.slots(day, context.config.service_hours)
    await _show(query, slots_step(sender.t, household, day, slots))


async def _preview(
    context: MentorContext, t: Translator, member_number: int, chosen: DaySpan
) -> Step | str | None:
    """The preview of booking `chosen`, or the one line saying why it cannot be booked; None
    when the household is gone."""
    household = await _household(context, member_number)
    if household is None:
        return None
    tz = context.config.timezone
    planned = shift_booking.planned(member_number, chosen, tz)
    if isinstance(planned, CsvProblem):
        return csv_problem(t, planned)
    refused = await rota_planning.check(context.db, member_number, planned.span, now())
    if refused is not None:
        return refusal(t, refused, tz)
    away = await shift_booking.is_away(context.db, household.household_id, planned.span)
    return preview_step(t, household, planned.span, chosen, tz, away=away)


@buttons.press(Role.COORDINATOR)
async def preview(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    chosen = _pressed_when(context, match)
    shown = (
        None
        if chosen is None
        else await _preview(context, sender.t, buttons.booked_member_of(match), chosen)
    )
    if shown is None:
        await _gone(query, sender.t)
    elif isinstance(shown, str):
        await query.answer(plain(shown), show_alert=True)
    else:
        await _show(query, shown)


@buttons.press(Role.COORDINATOR)
async def confirm(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    t, tz = sender.t, context.config.timezone
    chosen, member_number = _pressed_when(context, match), buttons.booked_member_of(match)
    planned = None if chosen is None else shift_booking.planned(member_number, chosen, tz)
    if planned is None or isinstance(planned, CsvProblem):
        await _gone(query, t)
        return
    added = await rota_planning.add(context.db, member_number, planned.span, member, now())
    if isinstance(added, Refusal):
        await query.answer(plain(refusal(t, added, tz)), show_alert=True)
        return
    await query.answer()

    async def edit(text: str) -> None:
        await best_effort(query.edit_message_text(text), "booked")

    await confirm_added(context, t, added, edit)


@requires(Role.COORDINATOR)
async def cancel(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    if update.callback_query is not None:
        await confirmation.close(update.callback_query, sender.t("booking.cancelled"), "booking")


async def _coordinator_pressed(update: Update, context: MentorContext) -> Sender | None:
    """The sender of a press that opens a typed answer, if a coordinator; else one line."""
    sender = await identify(update, context)
    if sender.member is None or sender.member.role is not Role.COORDINATOR:
        if update.callback_query is not None:
            await update.callback_query.answer(plain(sender.t("access.wrong_role")))
        return None
    return sender


async def _opening(
    update: Update, context: MentorContext
) -> tuple[CallbackQuery, Match, Sender, BookableHousehold] | None:
    """A press that asks for a typed answer, from a coordinator, about a household still
    there; None once the one line why not is said."""
    query, match = update.callback_query, buttons.matched(context)
    sender = await _coordinator_pressed(update, context)
    if sender is None or query is None or match is None:
        return None
    household = await _household(context, buttons.booked_member_of(match))
    if household is None:
        await _gone(query, sender.t)
        return None
    return query, match, sender, household


async def ask_day(update: Update, context: MentorContext) -> int:
    opened = await _opening(update, context)
    if opened is None:
        return ConversationHandler.END
    query, _, sender, household = opened
    conversation_data(context)[_MEMBER] = household.member_number
    await query.answer()
    await best_effort(query.edit_message_text(sender.t("booking.ask_day")), "booking ask day")
    return TYPING_DAY


async def typed_day(update: Update, context: MentorContext) -> int:
    message = update.effective_message
    sender = await identify(update, context)
    if message is None or message.text is None:
        return TYPING_DAY
    t = sender.t
    today = now().astimezone(context.config.timezone).date()
    day = shift_booking.parse_day(message.text, today)
    if day is None or not shift_booking.within_reach(day, today):
        problem = N_("booking.bad_day") if day is None else N_("booking.out_of_reach")
        await message.reply_text(t(problem))
        return TYPING_DAY
    household = await _household(context, conversation_data(context).pop(_MEMBER, 0))
    if household is None:
        await message.reply_text(t("button.invalid"))
        return ConversationHandler.END
    step = slots_step(t, household, day, shift_booking.slots(day, context.config.service_hours))
    await message.reply_text(step.text, reply_markup=step.keyboard)
    return ConversationHandler.END


async def ask_times(update: Update, context: MentorContext) -> int:
    opened = await _opening(update, context)
    if opened is None:
        return ConversationHandler.END
    query, match, sender, household = opened
    day = _pressed_day(context, match)
    if day is None:
        await _gone(query, sender.t)
        return ConversationHandler.END
    conversation_data(context).update({_MEMBER: household.member_number, _DAY: day})
    await query.answer()
    text = sender.t("booking.ask_times", day=sender.t.day(day))
    await best_effort(query.edit_message_text(text), "booking ask times")
    return TYPING_TIMES


async def typed_times(update: Update, context: MentorContext) -> int:
    message = update.effective_message
    sender = await identify(update, context)
    if message is None or message.text is None:
        return TYPING_TIMES
    t = sender.t
    span = shift_booking.parse_span(message.text)
    if span is None:
        await message.reply_text(t("booking.bad_times"))
        return TYPING_TIMES
    data = conversation_data(context)
    shown = await _preview(context, t, data.pop(_MEMBER, 0), DaySpan(data.pop(_DAY), span))
    if shown is None:
        await message.reply_text(t("button.invalid"))
    elif isinstance(shown, str):
        await message.reply_text(shown)
    else:
        await message.reply_text(shown.text, reply_markup=shown.keyboard)
    return ConversationHandler.END


async def stop_typing(update: Update, context: MentorContext) -> int:
    return await abandon(update, context, "booking.cancelled")


def register(application: MentorApplication) -> None:
    """The typed answers before the buttons, so that a day or times typed reach them and not
    the handlers registered after this module."""
    # Only what reads as a date or times is taken as the answer: a coordinator who presses
    # "another day" and then writes to a family in a conversation of theirs instead must have
    # those words relayed, not answered with "that is not a day".
    text = telegram_filters.Regex(TYPED_DATE_OR_TIMES) & ~telegram_filters.COMMAND
    # Before handlers/rota_planning.py's /shift, which takes /shift with arguments.
    application.add_handler(CommandHandler("shift", begin, has_args=False))
    application.add_handler(
        guided_conversation(
            entry_points=[
                CallbackQueryHandler(ask_day, pattern=buttons.BOOK_TYPE_DAY),
                CallbackQueryHandler(ask_times, pattern=buttons.BOOK_TYPE_TIMES),
            ],
            states={
                TYPING_DAY: [MessageHandler(text, typed_day)],
                TYPING_TIMES: [MessageHandler(text, typed_times)],
            },
            fallbacks=[CommandHandler("cancel", stop_typing)],
            timeout_seconds=TIMEOUT_SECONDS,
            # Another booking's "another day" or "other times" starts afresh at any time.
            allow_reentry=True,
        )
    )
    for pattern, handler in (
        (buttons.BOOK_PAGE, turn_page),
        (buttons.BOOK_FILL, fill),
        (buttons.BOOK_HOUSEHOLD, choose_household),
        (buttons.BOOK_DAY, choose_day),
        (buttons.BOOK_PREVIEW, preview),
        (buttons.BOOK_CONFIRM, confirm),
        (buttons.BOOK_CANCEL, cancel),
        (buttons.rest(buttons.BOOK_PAGE), refuse_other_data),
    ):
        application.add_handler(CallbackQueryHandler(handler, pattern=pattern))
