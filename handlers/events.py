"""The members' side of events: /events, signing up by presses (Sign up, the adults, the
children), and giving a place up with one press.

Every press is read through its pattern (handlers/buttons.py) and checked again against the
database for the person who pressed: the event must still be open to their household, the
sign-up still theirs. The draft of a sign-up travels in the buttons' data, so nothing is held
between presses and a restart loses nothing; `bot.events.sign_up` decides the place in one
statement. After a sign-up or a cancellation the event reminders are planned again
(handlers/event_reminders.py), and whoever a cancellation moved up from the waiting list is
told at once (handlers/event_notices.py).
"""

from __future__ import annotations

from telegram import CallbackQuery, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import event_attendance, events
from bot.events import CancelProblem, Confirmed, SignupCancelled, SignUpProblem
from bot.i18n import Translator, plain
from handlers import buttons, confirmation, event_reminders
from handlers.buttons import Match
from handlers.clock import now
from handlers.common import (
    ANY_MEMBER,
    MentorApplication,
    MentorContext,
    Sender,
    household_name,
    requires,
)
from handlers.event_admin_text import course_days_line
from handlers.event_notices import send_with_calendar, tell_late_cancellation, tell_moved_up
from handlers.event_text import cancel_problem, signup_problem
from handlers.signup_text import (
    Screen,
    adults_question,
    cancelled_text,
    children_question,
    confirmed_text,
    late_keyboard,
    listing_screens,
    own_screen,
    party_text,
    waiting_text,
)
from handlers.telegram_errors import best_effort
from storage.models import Member, Role


async def _own(context: MentorContext, t: Translator, member: Member) -> Screen | None:
    own = await events.own_signups(context.db, member, now())
    return own_screen(t, own, context.config.timezone, now())


@requires(*ANY_MEMBER)
async def events_command(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    """What the household may join, each with Sign up; then its own sign-ups, each with
    Cancel; a foster family, where the unit expects course days, its count this year. A
    coordinator sees what is open to everyone, and where their own list is."""
    message = update.effective_message
    if message is None:
        return
    t = sender.t
    listings = await events.open_to(context.db, member, now())
    for screen in listing_screens(t, listings, context.config.timezone):
        await message.reply_text(screen.text, reply_markup=screen.keyboard)
    own = await _own(context, t, member)
    if own is not None:
        await message.reply_text(own.text, reply_markup=own.keyboard)
    expected = context.config.course_days_expected
    if member.role is Role.FAMILY and expected is not None:
        year = now().astimezone(context.config.timezone).year
        days = await event_attendance.course_days(context.db, member.household.id, year)
        await message.reply_text(course_days_line(t, days, expected))
    if member.role is Role.COORDINATOR:
        await message.reply_text(t("events.coordinator_hint"))


async def _refuse(query: CallbackQuery, line: str) -> None:
    """One line for a press the domain turned down; nothing changed."""
    await query.answer(plain(line), show_alert=True)


@buttons.press(*ANY_MEMBER)
async def sign_up(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    """Sign up: asks how many adults come, in a message of its own under the list."""
    t = sender.t
    found = await events.may_sign_up(context.db, buttons.event_of(match), member, now())
    if isinstance(found, SignUpProblem):
        await _refuse(query, signup_problem(t, found))
        return
    await query.answer()
    screen = adults_question(t, found.event)
    await best_effort(
        context.bot.send_message(
            sender.telegram_user_id, screen.text, reply_markup=screen.keyboard
        ),
        "sign-up question",
    )


@buttons.press(*ANY_MEMBER)
async def choose_adults(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    """The adults: for an event children come along to, the children are asked next;
    otherwise the household is signed up."""
    t = sender.t
    event_id, (adults, _) = buttons.event_of(match), buttons.party_of(match)
    found = await events.may_sign_up(context.db, event_id, member, now())
    if isinstance(found, SignUpProblem):
        await _refuse(query, signup_problem(t, found))
        return
    if problem := events.check_party(found.event, adults, 0):
        await _refuse(query, signup_problem(t, problem))
        return
    if not found.event.details.children_along:
        await _sign_up(query, context, sender, member, event_id, adults, 0)
        return
    await query.answer()
    screen = children_question(t, found.event, adults)
    await best_effort(
        query.edit_message_text(screen.text, reply_markup=screen.keyboard), "sign-up question"
    )


@buttons.press(*ANY_MEMBER)
async def choose_children(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    adults, children = buttons.party_of(match)
    await _sign_up(query, context, sender, member, buttons.event_of(match), adults, children)


async def _sign_up(
    query: CallbackQuery,
    context: MentorContext,
    sender: Sender,
    member: Member,
    event_id: int,
    adults: int,
    children: int,
) -> None:
    """The household is signed up: the question says who, and a message of its own says
    whether a place is theirs (with the calendar file) or where they stand in line."""
    t, tz = sender.t, context.config.timezone
    result = await events.sign_up(context.db, event_id, member, adults, children, now())
    if isinstance(result, SignUpProblem):
        await _refuse(query, signup_problem(t, result))
        return
    await query.answer()
    await best_effort(
        query.edit_message_text(party_text(t, result.event, result.signup)), "sign-up edit"
    )
    chat = sender.telegram_user_id
    if isinstance(result, Confirmed):
        text = confirmed_text(t, result.event, tz)
        await send_with_calendar(context, chat, t, text, result.event)
        await event_reminders.events_changed(context.application)
        return
    await best_effort(
        context.bot.send_message(chat, waiting_text(t, result.event, result.position)),
        "sign-up answer",
    )


@buttons.press(*ANY_MEMBER)
async def cancel(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    """Cancel under one's own sign-ups: the place goes at once, or, after the deadline, a
    confirmed place asks first."""
    t = sender.t
    signup_id = buttons.signup_of(match)
    result = await events.cancel_signup(context.db, member, signup_id, now())
    if result is CancelProblem.LATE:
        signup = await events.household_signup(context.db, member, signup_id)
        if signup is None:  # given up from the partner's phone this very moment
            await _refuse(query, cancel_problem(t, CancelProblem.NOT_FOUND))
            return
        await query.answer()
        await best_effort(
            context.bot.send_message(
                sender.telegram_user_id,
                cancel_problem(t, result),
                reply_markup=late_keyboard(t, signup),
            ),
            "late cancellation question",
        )
        return
    if isinstance(result, CancelProblem):
        await _refuse(query, cancel_problem(t, result))
        return
    await query.answer()
    await best_effort(
        context.bot.send_message(
            sender.telegram_user_id, cancelled_text(t, result.event, result.signup)
        ),
        "cancellation answer",
    )
    await _show_own_again(query, context, t, member)
    await _after_cancellation(context, sender, member, result)


async def _show_own_again(
    query: CallbackQuery, context: MentorContext, t: Translator, member: Member
) -> None:
    if isinstance(query.message, Message):
        await show_own_again(query, t, await _own(context, t, member))


async def show_own_again(query: CallbackQuery, t: Translator, own: Screen | None) -> None:
    """The list the Cancel was pressed under, as it is now (a household's, or a stranger's
    places at information meetings)."""
    if own is None:
        await best_effort(query.edit_message_text(t("events.own_none")), "own sign-ups edit")
    else:
        await best_effort(
            query.edit_message_text(own.text, reply_markup=own.keyboard), "own sign-ups edit"
        )


async def _after_cancellation(
    context: MentorContext, sender: Sender, member: Member, result: SignupCancelled
) -> None:
    """Whoever moved up hears at once; a late one is the coordinators' to know; the
    reminders follow the places."""
    await tell_moved_up(context, result.event, result.moved_up)
    if result.late:
        await tell_late_cancellation(context, result.event, household_name(sender.t, member))
    await event_reminders.events_changed(context.application)


@buttons.press(*ANY_MEMBER)
async def cancel_late(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    """Give up the place after the deadline, as the question asked; the press names the
    sign-up by its number and the second it was made, and expires."""
    t = sender.t
    pressed = confirmation.pressed(query, buttons.confirmation_of(match), now())
    signup = await events.household_signup(context.db, member, pressed.number) if pressed else None
    if pressed is None or signup is None or signup.queued_at != pressed.made_at:
        await confirmation.refuse(query, t)
        return
    result = await events.cancel_signup(context.db, member, signup.id, now(), late=True)
    if isinstance(result, CancelProblem):
        await _refuse(query, cancel_problem(t, result))
        return
    await confirmation.close(query, cancelled_text(t, result.event, result.signup), "late cancel")
    await _after_cancellation(context, sender, member, result)


@buttons.press(*ANY_MEMBER)
async def keep(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    await confirmation.close(query, sender.t("signup.late_kept"), "late keep")


refuse_other_data = buttons.refuse_rest(*ANY_MEMBER)


def register(application: MentorApplication) -> None:
    application.add_handler(CommandHandler("events", events_command))
    for pattern, handler in (
        (buttons.SIGNUP, sign_up),
        (buttons.SIGNUP_ADULTS, choose_adults),
        (buttons.SIGNUP_CHILDREN, choose_children),
        (buttons.MY_SIGNUP_CANCEL, cancel),
        (buttons.MY_SIGNUP_LATE, cancel_late),
        (buttons.MY_SIGNUP_KEEP, keep),
    ):
        application.add_handler(CallbackQueryHandler(handler, pattern=pattern))
    for pattern in (buttons.SIGNUP, buttons.MY_SIGNUP_CANCEL):
        application.add_handler(
            CallbackQueryHandler(refuse_other_data, pattern=buttons.rest(pattern))
        )
