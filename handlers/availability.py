"""Availability in the chat: a mentor's /away and its buttons, the open gaps' Take buttons
(under /shifts and in the coordinators' "open shifts" message), and a coordinator's Confirm
or Refuse of a take when MENTORBOT_SHIFT_PICKUP=approve.

Every copy of a gap's button is the same offer (bot/availability.py); after a press decides
it, every message that shows it is shown again, each in its reader's language, so the others'
buttons say it is taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import availability, members
from bot.availability import OPEN_GAP_DAYS, AwayProblem, Taken, TakeProblem
from bot.i18n import N_, Translator, plain
from handlers import buttons, rota_jobs
from handlers.buttons import Match
from handlers.clock import now
from handlers.common import (
    MentorApplication,
    MentorContext,
    Sender,
    member_translator,
    requires,
)
from handlers.rota_text import (
    REASONS,
    away_days,
    away_lines,
    away_problem,
    days,
    gap_when,
    take_problem,
)
from handlers.telegram_errors import best_effort
from storage.models import AwayReason, AwaySpan, GapOffer, GapOfferState, Member, Role

_OFFER_LABELS = {
    GapOfferState.OPEN: N_("gaps.take"),
    GapOfferState.ASKED: N_("gaps.asked_button"),
    GapOfferState.TAKEN: N_("gaps.taken_button"),
    GapOfferState.CLOSED: N_("gaps.taken_button"),
}


# Renderers ---------------------------------------------------------------------------------


def away_keyboard(t: Translator, spans: Sequence[AwaySpan], tz: ZoneInfo) -> InlineKeyboardMarkup:
    """A Remove button per span, then the weeks a mentor most often means."""
    rows = [
        [
            InlineKeyboardButton(
                t("away.remove", days=away_days(t, span, tz)),
                callback_data=buttons.away_remove(span.id),
            )
        ]
        for span in spans
    ]
    rows.append(
        [
            InlineKeyboardButton(t("away.this_week"), callback_data=buttons.away_week("this")),
            InlineKeyboardButton(t("away.next_week"), callback_data=buttons.away_week("next")),
        ]
    )
    return InlineKeyboardMarkup(rows)


def reason_keyboard(t: Translator, first: date, last: date) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(REASONS[reason]), callback_data=buttons.away_reason(first, last, reason)
                )
                for reason in AwayReason
            ]
        ]
    )


def offers_keyboard(
    t: Translator, offers: Sequence[GapOffer], tz: ZoneInfo
) -> InlineKeyboardMarkup:
    """A button per gap (one no longer open says so, and pressing it says why), and last the
    way to say when one cannot: a mentor reading the gaps is the one who knows."""
    rows = [
        [
            InlineKeyboardButton(
                t(_OFFER_LABELS[offer.state], when=gap_when(t, offer, tz)),
                callback_data=buttons.gap_take(offer.id),
            )
        ]
        for offer in offers
    ]
    rows.append([InlineKeyboardButton(t("away.button"), callback_data=buttons.away_show())])
    return InlineKeyboardMarkup(rows)


# /away -------------------------------------------------------------------------------------


def _parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@requires(Role.MENTOR)
async def away_command(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    message = update.effective_message
    if message is None:
        return
    t = sender.t
    args = context.args or []
    if not args:
        await _show_away(message, context, t, member)
        return
    if len(args) != 2:
        await message.reply_text(t("away.usage"))
        return
    first, last = _parse_day(args[0]), _parse_day(args[1])
    if first is None or last is None:
        bad = args[0] if first is None else args[1]
        await message.reply_text(t("away.bad_date", value=bad))
        return
    await _ask_reason(message, context, t, first, last, reply=True)


async def _away_view(
    context: MentorContext, t: Translator, member: Member
) -> tuple[str, InlineKeyboardMarkup]:
    """What /away shows: the household's days away, each with its Remove button."""
    tz = context.config.timezone
    spans = await availability.own_away(context.db, member.household.id, now())
    return "\n".join([*away_lines(t, spans, tz), t("away.hint")]), away_keyboard(t, spans, tz)


async def _show_away(
    message: Message, context: MentorContext, t: Translator, member: Member
) -> None:
    text, keyboard = await _away_view(context, t, member)
    await message.reply_text(text, reply_markup=keyboard)


async def _ask_reason(
    message: Message,
    context: MentorContext,
    t: Translator,
    first: date,
    last: date,
    *,
    reply: bool,
) -> None:
    """Why, for days that could be marked: asked with a button per reason, nothing typed."""
    today = now().astimezone(context.config.timezone).date()
    problem = availability.check_days(first, last, today)
    if problem is not None:
        await message.reply_text(away_problem(t, problem))
        return
    text = t("away.why", days=days(t, first, last))
    keyboard = reason_keyboard(t, first, last)
    if reply:
        await message.reply_text(text, reply_markup=keyboard)
    else:
        await best_effort(message.edit_text(text, reply_markup=keyboard), "away edit")


@requires(Role.MENTOR)
async def show_away(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    """/away's view as a message of its own, from the button under the open gaps."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        return
    await query.answer()
    await _show_away(query.message, context, sender.t, member)


@requires(Role.MENTOR)
async def pick_week(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    query, match = update.callback_query, buttons.matched(context)
    if query is None or match is None or not isinstance(query.message, Message):
        return
    today = now().astimezone(context.config.timezone).date()
    first, last = availability.week(today, buttons.week_of(match))
    await query.answer()
    # This week began before today: the days already gone are not worth marking.
    await _ask_reason(query.message, context, sender.t, max(first, today), last, reply=False)


@buttons.press(Role.MENTOR)
async def pick_reason(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    t, tz = sender.t, context.config.timezone
    pressed = buttons.away_days_of(match)
    if pressed is None:
        await query.answer(plain(t("button.invalid")))
        return
    first, last, reason = pressed
    marked = await availability.mark_away(context.db, member, first, last, reason, tz, now())
    if isinstance(marked, AwayProblem):
        await query.answer(plain(away_problem(t, marked)), show_alert=True)
        return
    await query.answer()
    text = t("away.marked", days=away_days(t, marked, tz), reason=t(REASONS[reason]))
    await best_effort(query.edit_message_text(text), "away edit")
    await _tell_partners(context, member, N_("away.partner_marked"), marked)


@buttons.press(Role.MENTOR)
async def remove_away(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    t, tz = sender.t, context.config.timezone
    removed = await availability.remove_away(context.db, member, buttons.away_of(match))
    if removed is None:
        await query.answer(plain(t("away.gone")), show_alert=True)
        return
    await query.answer(plain(t("away.removed", days=away_days(t, removed, tz))))
    text, keyboard = await _away_view(context, t, member)
    await best_effort(query.edit_message_text(text, reply_markup=keyboard), "away edit")
    await _tell_partners(context, member, N_("away.partner_removed"), removed)


async def _tell_partners(
    context: MentorContext, member: Member, msgid: str, span: AwaySpan
) -> None:
    """The household's other adult hears of a change to the household's days away."""
    for adult in await members.household_members(context.db, member.household.id):
        if adult.id == member.id:
            continue
        t = member_translator(context, adult)
        text = t(msgid, days=away_days(t, span, context.config.timezone))
        await best_effort(context.bot.send_message(adult.telegram_user_id, text), "away notice")


# Open gaps ---------------------------------------------------------------------------------


async def _send_open_gaps(
    context: MentorContext, mentor: Member, offers: Sequence[GapOffer]
) -> bool:
    """A message with a Take button per gap, remembered so its buttons follow every take."""
    t = member_translator(context, mentor)
    sent = await best_effort(
        context.bot.send_message(
            mentor.telegram_user_id,
            t("gaps.open_offer", days=OPEN_GAP_DAYS),
            reply_markup=offers_keyboard(t, offers, context.config.timezone),
        ),
        "open shifts",
    )
    if sent is None:
        return False
    await availability.remember_offer_message(context.db, offers, sent.chat_id, sent.message_id)
    return True


async def send_to_mentors(context: MentorContext) -> tuple[int, int]:
    """Each approved mentor adult gets the open gaps they are not away for; returns (gaps
    open, adults reached)."""
    config = context.config
    moment = now()
    hours, tz = config.service_hours, config.timezone
    every = await availability.open_gaps(context.db, hours, tz, moment)
    if not every:
        return 0, 0
    reached = 0
    for mentor in await members.with_role(context.db, Role.MENTOR):
        if not mentor.approved:
            continue
        offers = await availability.open_gaps(context.db, hours, tz, moment, mentor.household.id)
        if offers and await _send_open_gaps(context, mentor, offers):
            reached += 1
    return len(every), reached


@buttons.press(Role.MENTOR)
async def take_gap(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    t, tz = sender.t, context.config.timezone
    approve = context.config.pickup_needs_approval
    taken = await availability.take(
        context.db, member, buttons.offer_of(match), approve=approve, now=now()
    )
    if isinstance(taken, TakeProblem):
        await query.answer(plain(take_problem(t, taken)), show_alert=True)
        return
    when = gap_when(t, taken.offer, tz)
    await query.answer()
    await _show_again(context, taken)
    if taken.shift is None:
        asked = t("gaps.asked", when=when)
        await best_effort(context.bot.send_message(member.telegram_user_id, asked), "take notice")
        await _ask_coordinators(context, taken)
        return
    await best_effort(
        context.bot.send_message(
            member.telegram_user_id, t("gaps.you_took", when=when, number=taken.shift.id)
        ),
        "take notice",
    )
    await _tell_partners_of_take(context, taken, member)
    await _tell_coordinators(context, taken)
    await rota_jobs.rota_changed(context.application)


async def _show_again(context: MentorContext, taken: Taken) -> None:
    """Every message with the offer's button is drawn again from the database."""
    for chat_id, message_id in taken.messages:
        reader = await members.identify(context.db, chat_id)
        if reader is None:  # left the service since
            continue
        t = member_translator(context, reader)
        offers = await availability.offers_in_message(context.db, chat_id, message_id)
        await best_effort(
            context.bot.edit_message_reply_markup(
                chat_id,
                message_id,
                reply_markup=offers_keyboard(t, offers, context.config.timezone),
            ),
            "open shift edit",
        )


async def _tell_partners_of_take(context: MentorContext, taken: Taken, member: Member) -> None:
    """The household's other adult learns of the shift the household now has."""
    assert taken.shift is not None
    for adult in taken.taker_adults:
        if adult.id == member.id:
            continue
        t = member_translator(context, adult)
        text = t(
            "gaps.partner_took",
            when=gap_when(t, taken.offer, context.config.timezone),
            number=taken.shift.id,
        )
        await best_effort(context.bot.send_message(adult.telegram_user_id, text), "take notice")


def _taker(t: Translator, taken: Taken) -> str:
    return taken.taker_name or t("members.unnamed")


async def _tell_coordinators(context: MentorContext, taken: Taken) -> None:
    assert taken.shift is not None
    for coordinator in await members.with_role(context.db, Role.COORDINATOR):
        t = member_translator(context, coordinator)
        text = t(
            "gaps.coordinator_notice",
            when=gap_when(t, taken.offer, context.config.timezone),
            taker=_taker(t, taken),
            number=taken.shift.id,
        )
        await best_effort(
            context.bot.send_message(coordinator.telegram_user_id, text), "take notice"
        )


async def _ask_coordinators(context: MentorContext, taken: Taken) -> None:
    offer = taken.offer
    for coordinator in await members.with_role(context.db, Role.COORDINATOR):
        t = member_translator(context, coordinator)
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t("gaps.confirm"), callback_data=buttons.gap_decide(offer.id, True)
                    ),
                    InlineKeyboardButton(
                        t("gaps.refuse"), callback_data=buttons.gap_decide(offer.id, False)
                    ),
                ]
            ]
        )
        text = t(
            "gaps.request",
            when=gap_when(t, offer, context.config.timezone),
            taker=_taker(t, taken),
        )
        sent = await best_effort(
            context.bot.send_message(coordinator.telegram_user_id, text, reply_markup=keyboard),
            "take request",
        )
        if sent is not None:
            await availability.remember_request_message(
                context.db, offer, sent.chat_id, sent.message_id
            )


@buttons.press(Role.COORDINATOR)
async def decide_take(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    decided = await availability.decide(
        context.db, member, buttons.offer_of(match), confirm=buttons.confirm_of(match), now=now()
    )
    if isinstance(decided, TakeProblem):
        await query.answer(plain(take_problem(sender.t, decided)), show_alert=True)
        return
    await query.answer()
    # Every coordinator's copy, the pressed one too, says what was decided.
    for chat_id, message_id in decided.request_messages:
        reader = await members.identify(context.db, chat_id)
        if reader is not None:
            await best_effort(
                context.bot.edit_message_text(
                    _decision(member_translator(context, reader), decided, context),
                    chat_id=chat_id,
                    message_id=message_id,
                ),
                "take decision edit",
            )
    await _show_again(context, decided)
    await _tell_taker(context, decided)
    if decided.shift is not None:
        await rota_jobs.rota_changed(context.application)


def _decision(t: Translator, decided: Taken, context: MentorContext) -> str:
    when = gap_when(t, decided.offer, context.config.timezone)
    if decided.filled:
        return t("gaps.decided_filled", when=when, taker=_taker(t, decided))
    if decided.shift is not None:
        return t(
            "gaps.decided_confirmed", when=when, taker=_taker(t, decided), number=decided.shift.id
        )
    return t("gaps.decided_refused", when=when, taker=_taker(t, decided))


async def _tell_taker(context: MentorContext, decided: Taken) -> None:
    """Every adult of the household that asked hears the coordinators' answer."""
    for adult in decided.taker_adults:
        t = member_translator(context, adult)
        when = gap_when(t, decided.offer, context.config.timezone)
        if decided.filled:
            text = t("gaps.filled", when=when)
        elif decided.shift is not None:
            text = t("gaps.confirmed", when=when, number=decided.shift.id)
        else:
            text = t("gaps.refused", when=when)
        await best_effort(context.bot.send_message(adult.telegram_user_id, text), "take notice")


refuse_other_away = buttons.refuse_rest(Role.MENTOR)
refuse_other_decision = buttons.refuse_rest(Role.COORDINATOR)


def register(application: MentorApplication) -> None:
    application.add_handler(CommandHandler("away", away_command))
    application.add_handler(CallbackQueryHandler(remove_away, pattern=buttons.AWAY_REMOVE))
    application.add_handler(CallbackQueryHandler(show_away, pattern=buttons.AWAY_SHOW))
    application.add_handler(CallbackQueryHandler(pick_week, pattern=buttons.AWAY_WEEK))
    application.add_handler(CallbackQueryHandler(pick_reason, pattern=buttons.AWAY_REASON))
    application.add_handler(CallbackQueryHandler(take_gap, pattern=buttons.GAP_TAKE))
    application.add_handler(CallbackQueryHandler(decide_take, pattern=buttons.GAP_DECIDE))
    for pattern in (buttons.AWAY_REMOVE, buttons.GAP_TAKE):
        application.add_handler(
            CallbackQueryHandler(refuse_other_away, pattern=buttons.rest(pattern))
        )
    application.add_handler(
        CallbackQueryHandler(refuse_other_decision, pattern=buttons.rest(buttons.GAP_DECIDE))
    )
