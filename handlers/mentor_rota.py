"""A mentor household's own rota: /shifts (with the open gaps it could take), /swap with its
take button, and /calendar."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import availability, members, rota_planning, swaps
from bot.availability import OPEN_GAP_DAYS
from bot.calendar_feed import shifts_calendar
from bot.i18n import N_, Translator, plain
from bot.swaps import Offer, SwapProblem, Taken
from handlers import buttons, rota_jobs
from handlers.availability import offers_keyboard
from handlers.buttons import Match
from handlers.clock import now
from handlers.common import (
    MentorApplication,
    MentorContext,
    Sender,
    member_translator,
    number_argument,
    reply_lines,
    requires,
)
from handlers.rota_text import mentor_name, shift_line, swap_problem
from handlers.telegram_errors import best_effort, failure
from storage.models import Member, Role

logger = logging.getLogger(__name__)

AHEAD = timedelta(days=60)  # /shifts: the coming two months
CALENDAR_PAST = timedelta(days=30)  # /calendar keeps last month's shifts, as calendars do
CALENDAR_AHEAD = timedelta(days=366)


@requires(Role.MENTOR)
async def own_shifts(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    t, tz = sender.t, context.config.timezone
    moment = now()
    upcoming = await rota_planning.listings(context.db, moment, moment + AHEAD, member.household.id)
    if upcoming:
        lines = [t("shifts.header", count=len(upcoming))]
        lines.extend(shift_line(t, listing, tz, with_name=False) for listing in upcoming)
        lines.append(t("shifts.footer"))
    else:
        lines = [t("shifts.none")]
    # Then the gaps the household could fill, each with its Take button (not for an adult a
    # coordinator has still to approve: a take would be refused), and the button to /away.
    config = context.config
    offers = (
        await availability.open_gaps(
            context.db, config.service_hours, tz, moment, member.household.id
        )
        if member.approved
        else []
    )
    if offers:
        lines.extend(["", t("gaps.open_offer", days=OPEN_GAP_DAYS)])
    sent = await reply_lines(update, lines, offers_keyboard(t, offers, tz))
    if offers and sent is not None:
        await availability.remember_offer_message(context.db, offers, sent.chat_id, sent.message_id)


@requires(Role.MENTOR)
async def offer_swap(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    message = update.effective_message
    if message is None:
        return
    t = sender.t
    number = number_argument(context.args)
    if number is None:
        await message.reply_text(t("swap.usage"))
        return
    # Typed again, the offer is sent again: a deliberate second call to the others.
    await message.reply_text(await _offer(context, t, member, number, again=True))


@buttons.press(Role.MENTOR)
async def offer_from_reminder(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    """A reminder's **Offer this shift**: what `/swap` does, without typing the number. A
    second press, a double tap most likely, sends no second round of offers."""
    said = await _offer(context, sender.t, member, buttons.offered_shift_of(match), again=False)
    await query.answer(plain(said), show_alert=True)


async def _offer(
    context: MentorContext, t: Translator, member: Member, shift_id: int, *, again: bool
) -> str:
    """Offer the household's shift to the other mentors; the line that says how it went."""
    offered = await swaps.offer(context.db, member, shift_id, now())
    if isinstance(offered, SwapProblem):
        return swap_problem(t, offered)
    if not offered.recipients:
        return t("swap.nobody")
    if not offered.new and not again:
        return t("swap.already_offered", number=shift_id)
    reached = await _send_offers(context, offered)
    line = shift_line(t, offered.listing, context.config.timezone, with_name=False)
    return t.plural("swap.offered", "swap.offered_plural", reached, line=line)


async def _send_offers(context: MentorContext, offered: Offer) -> int:
    """Every other mentor adult gets the offer with a button; returns how many it reached."""
    tz = context.config.timezone
    shift = offered.listing.shift
    reached = 0
    for recipient in offered.recipients:
        t = member_translator(context, recipient)
        button = InlineKeyboardButton(t("swap.take"), callback_data=buttons.swap(offered.swap.id))
        try:
            sent = await context.bot.send_message(
                recipient.telegram_user_id,
                t(
                    "swap.offer",
                    name=mentor_name(t, offered.listing),
                    when=t.span(shift.starts_at, shift.ends_at, tz),
                ),
                reply_markup=InlineKeyboardMarkup([[button]]),
            )
        except TelegramError as error:
            logger.info("swap offer to member %s not delivered: %s", recipient.id, failure(error))
            continue
        await swaps.remember_offer_message(context.db, offered.swap, sent.chat_id, sent.message_id)
        reached += 1
    return reached


@buttons.press(Role.MENTOR)
async def take_swap(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    t = sender.t
    swap_id = buttons.swap_of(match)
    taken = await swaps.take(context.db, member, swap_id, now())
    if isinstance(taken, SwapProblem):
        await query.answer(plain(swap_problem(t, taken)), show_alert=True)
        return
    tz = context.config.timezone
    shift = taken.listing.shift
    await query.answer()
    await best_effort(
        query.edit_message_text(
            t("swap.you_took", when=t.span(shift.starts_at, shift.ends_at, tz))
        ),
        "taken swap edit",
    )
    pressed = (query.message.chat.id, query.message.message_id) if query.message else None
    await _close_other_offers(context, taken, pressed)
    await _tell_about_swap(context, taken, member)
    await rota_jobs.rota_changed(context.application)


async def _close_other_offers(
    context: MentorContext, taken: Taken, pressed: tuple[int, int] | None
) -> None:
    """Every other copy of the offer says it is gone, in its reader's language."""
    for chat_id, message_id in taken.offer_messages:
        if (chat_id, message_id) == pressed:  # message ids are per chat
            continue
        reader = await members.identify(context.db, chat_id)
        if reader is None:  # removed since the offer went out
            continue
        t = member_translator(context, reader)
        await best_effort(
            context.bot.edit_message_text(t("swap.taken"), chat_id=chat_id, message_id=message_id),
            "swap offer edit",
        )


async def _tell_about_swap(context: MentorContext, taken: Taken, taker: Member) -> None:
    """The giving household and the coordinators learn who now has the shift."""
    tz = context.config.timezone
    shift = taken.listing.shift
    coordinators = await members.with_role(context.db, Role.COORDINATOR)
    for person, msgid in [
        *((giver, N_("swap.given")) for giver in taken.giver),
        *((coordinator, N_("swap.coordinator_notice")) for coordinator in coordinators),
    ]:
        t = member_translator(context, person)
        text = t(
            msgid,
            number=shift.id,
            when=t.span(shift.starts_at, shift.ends_at, tz),
            giver=mentor_name(t, taken.listing),
            taker=taker.household.display_name or t("members.unnamed"),
        )
        await best_effort(context.bot.send_message(person.telegram_user_id, text), "swap notice")


@requires(Role.MENTOR)
async def calendar(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    message = update.effective_message
    if message is None:
        return
    t = sender.t
    moment = now()
    listings = await rota_planning.listings(
        context.db, moment - CALENDAR_PAST, moment + CALENDAR_AHEAD, member.household.id
    )
    data = shifts_calendar(
        [listing.shift for listing in listings],
        context.config.timezone,
        t("calendar.summary"),
        moment,
    )
    await message.reply_document(
        InputFile(data, filename="mentorbot-shifts.ics"),
        caption=t.plural("calendar.caption", "calendar.caption_plural", len(listings)),
    )


# Data with this module's button prefixes that none of its patterns takes (handlers/buttons.py).
refuse_other_data = buttons.refuse_rest(Role.MENTOR)


def register(application: MentorApplication) -> None:
    application.add_handler(CommandHandler("shifts", own_shifts))
    application.add_handler(CommandHandler("swap", offer_swap))
    application.add_handler(CommandHandler("calendar", calendar))
    application.add_handler(CallbackQueryHandler(take_swap, pattern=buttons.SWAP))
    application.add_handler(CallbackQueryHandler(offer_from_reminder, pattern=buttons.OFFER_SHIFT))
    for pattern in (buttons.SWAP, buttons.OFFER_SHIFT):
        rest = buttons.rest(pattern)
        application.add_handler(CallbackQueryHandler(refuse_other_data, pattern=rest))
