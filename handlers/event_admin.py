"""The coordinators' events: `/event new` (guided), `/event` (the events, each with its card,
roster, CSV, Change, Cancel event and, after the start, Attendance) and `/event courses`.

`/event new` is a guided conversation (handlers/guided.py): the draft is kept in the
conversation until Create, and only `bot.events.create` stores it, checking it all again; a
step's problem is one line and the step is asked again. `/cancel` leaves it, and a restart
drops it with nothing stored. The day and times are read as the guided shift booking reads
them (bot/event_drafts.py).

Every press on an event's buttons names the event by its number and is checked anew: the
sender must still be a coordinator (`buttons.press`), the event must still be there and in a
state the action fits (a change or a cancellation before the start, attendance after it), and
a sign-up pressed must be one of the event's places. Forged or stale data gets one line and
changes nothing. Cancel event asks first and its confirmation expires
(handlers/confirmation.py); the people of a changed or cancelled event are told through
handlers/event_notices.py. A change is typed in a short conversation of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import LiteralString

from telegram import CallbackQuery, InputFile, MaybeInaccessibleMessage, Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import event_attendance, events, shift_booking
from bot.event_attendance import AttendanceProblem
from bot.event_drafts import (
    Draft,
    asks_children,
    deadline_before,
    parse_capacity,
    parse_deadline,
    read_change,
    times_on,
    typed_none,
)
from bot.events import TEXT_LIMITS, EventProblem, EventText, Roster, too_long
from bot.i18n import N_, Translator, plain
from handlers import buttons, confirmation, event_reminders
from handlers.arguments import Word, parse_word
from handlers.buttons import Match
from handlers.clock import now
from handlers.common import MentorApplication, MentorContext, Sender, identify, requires
from handlers.event_admin_text import (
    Step,
    ask_change,
    attendance_problem,
    attendance_step,
    audience_step,
    cancel_question,
    cancelled_text,
    capacity_step,
    change_step,
    changed_text,
    children_step,
    courses_text,
    day_step,
    deadline_step,
    description_step,
    event_step,
    events_step,
    kind_step,
    place_step,
    preview_step,
    roster_csv,
    roster_file_name,
    times_step,
    title_step,
)
from handlers.event_notices import tell_cancelled, tell_changed
from handlers.event_text import event_problem
from handlers.guided import abandon, conversation_data, guided_conversation
from handlers.telegram_errors import best_effort
from storage.models import EventState, Member, Role

(KIND, TITLE, DESCRIPTION, DAY, TIMES, PLACE, CAPACITY, AUDIENCE, CHILDREN, DEADLINE, PREVIEW) = (
    range(11)
)
CHANGING = 11
TIMEOUT_SECONDS = 30 * 60
_DRAFT, _DAY, _CHANGE = "event_draft", "event_day", "event_change"


# Shared ------------------------------------------------------------------------------------


async def _edit(query: CallbackQuery, step: Step, attempt: LiteralString) -> None:
    """A step in place of the pressed message."""
    await query.answer()
    await best_effort(query.edit_message_text(step.text, reply_markup=step.keyboard), attempt)


async def _ask(update: Update, step: Step) -> None:
    """A step: in place of the pressed message, or as the answer to a typed one."""
    query = update.callback_query
    if query is not None:
        await _edit(query, step, "event step edit")
    elif update.effective_message is not None:
        await update.effective_message.reply_text(step.text, reply_markup=step.keyboard)


async def _more(message: MaybeInaccessibleMessage | None, steps: Sequence[Step]) -> None:
    """The rest of a roster too long for the card's message, in the messages after it."""
    if isinstance(message, Message):
        for step in steps:
            await message.reply_text(step.text)


async def _say(update: Update, line: str) -> None:
    """One line: a toast under a press, a reply to a message."""
    if update.callback_query is not None:
        await update.callback_query.answer(plain(line), show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(line)


def _today(context: MentorContext) -> date:
    return now().astimezone(context.config.timezone).date()


def _typed(update: Update) -> str | None:
    message = update.effective_message
    return None if message is None or message.text is None else message.text.strip()


# /event new ---------------------------------------------------------------------------------


class _NewWord(filters.MessageFilter):
    """`/event new` (or `ny`, `tilføj`): the command's one word, in any language."""

    def filter(self, message: Message) -> bool:
        words = (message.text or "").split()[1:]
        return len(words) == 1 and parse_word(words[0], [Word.ADD]) is not None


def _draft(context: MentorContext) -> Draft | None:
    draft = conversation_data(context).get(_DRAFT)
    return draft if isinstance(draft, Draft) else None


def _keep(context: MentorContext, draft: Draft) -> None:
    conversation_data(context)[_DRAFT] = draft


async def begin(update: Update, context: MentorContext) -> int:
    sender = await identify(update, context)
    if sender.member is None or sender.member.role is not Role.COORDINATOR:
        await _say(update, sender.t("access.wrong_role"))
        return ConversationHandler.END
    conversation_data(context).clear()
    await _ask(update, kind_step(sender.t))
    return KIND


async def chose_kind(update: Update, context: MentorContext) -> int:
    sender, match = await identify(update, context), buttons.matched(context)
    if match is None:
        return KIND
    kind = buttons.kind_of(match)
    _keep(context, Draft(kind))
    await _ask(update, title_step(sender.t, kind))
    return TITLE


async def _too_long(update: Update, t: Translator, field: EventText, text: str) -> bool:
    if not too_long(field, text):
        return False
    await _say(update, t("event_admin.too_long", max=TEXT_LIMITS[field], length=len(text)))
    return True


async def typed_title(update: Update, context: MentorContext) -> int:
    sender, draft, title = await identify(update, context), _draft(context), _typed(update)
    if draft is None or title is None:
        return ConversationHandler.END
    if await _too_long(update, sender.t, EventText.TITLE, title):
        return TITLE
    draft = replace(draft, title=title)
    if (problem := draft.problem(now())) is not None:
        await _say(update, event_problem(sender.t, problem))
        return TITLE
    _keep(context, draft)
    await _ask(update, description_step(sender.t))
    return DESCRIPTION


async def _ask_day(update: Update, context: MentorContext, t: Translator) -> int:
    await _ask(update, day_step(t, shift_booking.booking_days(_today(context))))
    return DAY


async def described(update: Update, context: MentorContext) -> int:
    """The description typed, or Skip pressed."""
    sender, draft = await identify(update, context), _draft(context)
    if draft is None:
        return ConversationHandler.END
    description = "" if update.callback_query is not None else (_typed(update) or "")
    if await _too_long(update, sender.t, EventText.DESCRIPTION, description):
        return DESCRIPTION
    _keep(context, replace(draft, description=description))
    return await _ask_day(update, context, sender.t)


async def _ask_times(update: Update, context: MentorContext, t: Translator, day: date) -> int:
    conversation_data(context)[_DAY] = day
    await _ask(update, times_step(t, day))
    return TIMES


async def chose_day(update: Update, context: MentorContext) -> int:
    sender, match = await identify(update, context), buttons.matched(context)
    day = None if match is None else buttons.day_of(match)
    if day is None or not shift_booking.within_reach(day, _today(context)):
        await _say(update, sender.t("button.invalid"))
        return DAY
    return await _ask_times(update, context, sender.t, day)


async def typed_day(update: Update, context: MentorContext) -> int:
    sender, text, today = await identify(update, context), _typed(update) or "", _today(context)
    day = shift_booking.parse_day(text, today)
    if day is None or not shift_booking.within_reach(day, today):
        await _say(update, sender.t("event_admin.bad_day"))
        return DAY
    return await _ask_times(update, context, sender.t, day)


async def typed_times(update: Update, context: MentorContext) -> int:
    sender, draft, tz = await identify(update, context), _draft(context), context.config.timezone
    day = conversation_data(context).get(_DAY)
    if draft is None or not isinstance(day, date):
        return ConversationHandler.END
    when = times_on(day, _typed(update) or "", tz)
    if when is None:
        await _say(update, sender.t("event_admin.bad_times"))
        return TIMES
    draft = replace(draft, starts_at=when[0], ends_at=when[1])
    if (problem := draft.problem(now())) is not None:
        await _say(update, event_problem(sender.t, problem))
        return TIMES
    _keep(context, draft)
    await _ask(update, place_step(sender.t))
    return PLACE


async def placed(update: Update, context: MentorContext) -> int:
    """The place typed, or Skip pressed."""
    sender, draft = await identify(update, context), _draft(context)
    if draft is None:
        return ConversationHandler.END
    place = "" if update.callback_query is not None else (_typed(update) or "")
    if await _too_long(update, sender.t, EventText.PLACE, place):
        return PLACE
    _keep(context, replace(draft, place=place))
    await _ask(update, capacity_step(sender.t))
    return CAPACITY


async def _capacity(
    update: Update, context: MentorContext, sender: Sender, capacity: int | None
) -> int:
    draft = _draft(context)
    if draft is None:
        return ConversationHandler.END
    draft = replace(draft, capacity=capacity)
    if (problem := draft.problem(now())) is not None:
        await _say(update, event_problem(sender.t, problem))
        return CAPACITY
    _keep(context, draft)
    await _ask(update, audience_step(sender.t))
    return AUDIENCE


async def chose_capacity(update: Update, context: MentorContext) -> int:
    sender, match = await identify(update, context), buttons.matched(context)
    if match is None:
        return CAPACITY
    return await _capacity(update, context, sender, buttons.capacity_of(match))


async def typed_capacity(update: Update, context: MentorContext) -> int:
    sender, text = await identify(update, context), _typed(update) or ""
    capacity = None if typed_none(text) else parse_capacity(text)
    if capacity is None and not typed_none(text):
        await _say(update, sender.t("event_admin.bad_capacity"))
        return CAPACITY
    return await _capacity(update, context, sender, capacity)


async def chose_audience(update: Update, context: MentorContext) -> int:
    sender, match, draft = (
        await identify(update, context),
        buttons.matched(context),
        _draft(context),
    )
    if draft is None or match is None:
        return ConversationHandler.END
    draft = replace(draft, audience=buttons.event_audience_of(match))
    _keep(context, draft)
    if asks_children(draft.kind):
        await _ask(update, children_step(sender.t))
        return CHILDREN
    await _ask(update, deadline_step(sender.t))
    return DEADLINE


async def chose_children(update: Update, context: MentorContext) -> int:
    sender, match, draft = (
        await identify(update, context),
        buttons.matched(context),
        _draft(context),
    )
    if draft is None or match is None:
        return ConversationHandler.END
    _keep(context, replace(draft, children_along=buttons.children_of(match)))
    await _ask(update, deadline_step(sender.t))
    return DEADLINE


async def _deadline(update: Update, context: MentorContext, sender: Sender, draft: Draft) -> int:
    if (problem := draft.problem(now())) is not None:
        await _say(update, event_problem(sender.t, problem))
        return DEADLINE
    _keep(context, draft)
    step = preview_step(sender.t, draft, context.config.timezone)
    if step is None:
        return ConversationHandler.END
    await _ask(update, step)
    return PREVIEW


async def chose_deadline(update: Update, context: MentorContext) -> int:
    sender, match, draft = (
        await identify(update, context),
        buttons.matched(context),
        _draft(context),
    )
    if draft is None or draft.starts_at is None or match is None:
        return ConversationHandler.END
    deadline = deadline_before(draft.starts_at, buttons.deadline_of(match))
    return await _deadline(update, context, sender, replace(draft, signup_deadline=deadline))


async def typed_deadline(update: Update, context: MentorContext) -> int:
    sender, draft, text = await identify(update, context), _draft(context), _typed(update) or ""
    if draft is None:
        return ConversationHandler.END
    deadline = (
        None if typed_none(text) else parse_deadline(text, _today(context), context.config.timezone)
    )
    if deadline is None and not typed_none(text):
        await _say(update, sender.t("event_admin.bad_deadline"))
        return DEADLINE
    return await _deadline(update, context, sender, replace(draft, signup_deadline=deadline))


async def decide(update: Update, context: MentorContext) -> int:
    """Create or Cancel under the preview; the role is checked again, and the event too."""
    query, match = update.callback_query, buttons.matched(context)
    sender, draft = await identify(update, context), _draft(context)
    member, t = sender.member, sender.t
    if query is None or match is None:
        return PREVIEW
    if member is None or member.role is not Role.COORDINATOR:
        await _say(update, t("access.wrong_role"))
        return ConversationHandler.END
    conversation_data(context).clear()
    details = None if draft is None else draft.details()
    if not buttons.create_of(match) or details is None:
        await confirmation.close(query, t("event_admin.draft_cancelled"), "event draft")
        return ConversationHandler.END
    created = await events.create(context.db, details, member, now())
    await query.answer()
    if isinstance(created, EventProblem):
        await best_effort(query.edit_message_text(event_problem(t, created)), "event refused")
        return ConversationHandler.END
    roster = await events.roster(context.db, created.id)
    if roster is not None:
        heading = t("event_admin.created", number=created.id)
        card, *rest = event_step(t, roster, context.config.timezone, now(), heading)
        await best_effort(query.edit_message_text(card.text, reply_markup=card.keyboard), "created")
        await _more(query.message, rest)
    return ConversationHandler.END


async def not_this_step(update: Update, context: MentorContext) -> None:
    """Another step's button (an earlier draft's), or data not ours, while this one is asked:
    one line, and the same step still waits (a handler's None keeps the conversation's state)."""
    sender = await identify(update, context)
    if update.callback_query is not None:
        await update.callback_query.answer(plain(sender.t("button.invalid")))


async def stop_draft(update: Update, context: MentorContext) -> int:
    return await abandon(update, context, N_("event_admin.draft_cancelled"))


# An event's Change: the field pressed, then its new value typed ---------------------------


async def _changeable(context: MentorContext, event_id: int) -> Roster | EventProblem:
    """The event a change or a cancellation is for, if it is there, not cancelled and not
    begun; else why not."""
    roster = await events.roster(context.db, event_id)
    if roster is None:
        return EventProblem.NOT_FOUND
    event = roster.listing.event
    if event.state is EventState.CANCELLED:
        return EventProblem.CANCELLED
    if event.details.starts_at <= now():
        return EventProblem.STARTED
    return roster


async def ask_for_change(update: Update, context: MentorContext) -> int:
    sender, match = await identify(update, context), buttons.matched(context)
    if sender.member is None or sender.member.role is not Role.COORDINATOR:
        await _say(update, sender.t("access.wrong_role"))
        return ConversationHandler.END
    if match is None:
        return ConversationHandler.END
    roster = await _changeable(context, buttons.event_of(match))
    if isinstance(roster, EventProblem):
        await _say(update, event_problem(sender.t, roster))
        return ConversationHandler.END
    field = buttons.field_of(match)
    conversation_data(context)[_CHANGE] = (roster.listing.event.id, field)
    await _ask(update, Step(ask_change(sender.t, field)))
    return CHANGING


async def typed_change(update: Update, context: MentorContext) -> int:
    sender, text = await identify(update, context), _typed(update) or ""
    member, t, tz = sender.member, sender.t, context.config.timezone
    changing = conversation_data(context).get(_CHANGE)
    if member is None or member.role is not Role.COORDINATOR or not isinstance(changing, tuple):
        return ConversationHandler.END
    event_id, field = changing
    roster = await _changeable(context, event_id)
    if isinstance(roster, EventProblem):
        conversation_data(context).clear()
        await _say(update, event_problem(t, roster))
        return ConversationHandler.END
    details = read_change(roster.listing.event, field, text, _today(context), tz)
    if details is None:
        await _say(update, ask_change(t, field))
        return CHANGING
    result = await events.update(context.db, member, event_id, details, now())
    if isinstance(result, EventProblem):
        await _say(update, event_problem(t, result))
        return CHANGING
    conversation_data(context).clear()
    await tell_changed(context, result)
    await event_reminders.events_changed(context.application)
    told = {party.signup.id for party in [*result.to_tell, *result.moved_up]}
    fresh = await events.roster(context.db, event_id)
    if fresh is not None:
        card, *rest = event_step(t, fresh, tz, now(), changed_text(t, len(told)))
        await _ask(update, card)
        await _more(update.effective_message, rest)
    return ConversationHandler.END


async def stop_change(update: Update, context: MentorContext) -> int:
    return await abandon(update, context, N_("event_admin.change_stopped"))


# /event and /event courses ------------------------------------------------------------------


@requires(Role.COORDINATOR)
async def list_events(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    args, t, config = context.args or [], sender.t, context.config
    if len(args) == 1 and parse_word(args[0], [Word.COURSES]):
        year = _today(context).year
        expected = config.course_days_expected
        below = (
            []
            if expected is None
            else await event_attendance.families_below(context.db, year, expected)
        )
        await _say(update, courses_text(t, year, expected, below))
        return
    if args:
        await _say(update, t("event_admin.usage"))
        return
    listings = await events.for_coordinators(context.db, now())
    await _ask(update, events_step(t, listings, config.timezone))


@buttons.press(Role.COORDINATOR)
async def turn_list_page(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    """Back or More under /event: the list as it is now, at the page pressed."""
    listings = await events.for_coordinators(context.db, now())
    step = events_step(sender.t, listings, context.config.timezone, buttons.page_of(match))
    await _edit(query, step, "event list page")


async def _gone(query: CallbackQuery, t: Translator) -> None:
    await query.answer(plain(event_problem(t, EventProblem.NOT_FOUND)), show_alert=True)


@buttons.press(Role.COORDINATOR)
async def open_event(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    roster = await events.roster(context.db, buttons.event_of(match))
    if roster is None or not isinstance(query.message, Message):
        await _gone(query, sender.t)
        return
    card, *rest = event_step(sender.t, roster, context.config.timezone, now())
    await _edit(query, card, "event card")
    await _more(query.message, rest)


@buttons.press(Role.COORDINATOR)
async def send_csv(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    roster = await events.roster(context.db, buttons.event_of(match))
    if roster is None or not isinstance(query.message, Message):
        await _gone(query, sender.t)
        return
    t, event = sender.t, roster.listing.event
    await query.answer()
    document = InputFile(
        roster_csv(t, roster, context.config.timezone), filename=roster_file_name(event)
    )
    await query.message.reply_document(document, caption=t("event_admin.csv_caption"))


@buttons.press(Role.COORDINATOR)
async def edit_event(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    roster = await _changeable(context, buttons.event_of(match))
    if isinstance(roster, EventProblem):
        await query.answer(plain(event_problem(sender.t, roster)), show_alert=True)
        return
    await _edit(
        query, change_step(sender.t, roster.listing.event, context.config.timezone), "change"
    )


@buttons.press(Role.COORDINATOR)
async def ask_cancel(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    """Asks first, in a message of its own, whose age the confirmation is measured from."""
    roster = await _changeable(context, buttons.event_of(match))
    if isinstance(roster, EventProblem):
        await query.answer(plain(event_problem(sender.t, roster)), show_alert=True)
        return
    if not isinstance(query.message, Message):
        return
    step = cancel_question(sender.t, roster.listing, context.config.timezone)
    await query.answer()
    await query.message.reply_text(step.text, reply_markup=step.keyboard)


@buttons.press(Role.COORDINATOR)
async def confirm_cancel(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    t, moment = sender.t, now()
    asked = confirmation.pressed(query, buttons.confirmation_of(match), moment)
    listing = None if asked is None else await events.roster(context.db, asked.number)
    # The event as it was asked about: a changed time since makes the question stale.
    if asked is None or listing is None or listing.listing.event.details.starts_at != asked.made_at:
        await confirmation.refuse(query, t)
        return
    result = await events.cancel(context.db, member, asked.number, moment)
    if isinstance(result, EventProblem):
        await query.answer(plain(event_problem(t, result)), show_alert=True)
        return
    await query.answer()
    await best_effort(
        query.edit_message_text(cancelled_text(t, len(result.to_tell))), "event cancelled"
    )
    await tell_cancelled(context, result)
    await event_reminders.events_changed(context.application)


@requires(Role.COORDINATOR)
async def keep_event(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    if update.callback_query is not None:
        await confirmation.close(update.callback_query, sender.t("event_admin.kept"), "kept")


async def _show_attendance(
    query: CallbackQuery,
    context: MentorContext,
    t: Translator,
    event_id: int,
    number: int = 0,
    marked: int | None = None,
) -> None:
    """The attendance buttons' page `number`, or the page of the sign-up just `marked`."""
    roster = await events.roster(context.db, event_id)
    event = None if roster is None else roster.listing.event
    if roster is None or event is None:
        await _gone(query, t)
    elif event.state is EventState.CANCELLED:
        await query.answer(
            plain(attendance_problem(t, AttendanceProblem.CANCELLED)), show_alert=True
        )
    elif event.details.starts_at > now():
        await query.answer(
            plain(attendance_problem(t, AttendanceProblem.NOT_STARTED)), show_alert=True
        )
    else:
        step = attendance_step(t, roster, context.config.timezone, number, marked)
        await _edit(query, step, "attendance")


@buttons.press(Role.COORDINATOR)
async def show_attendance(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    await _show_attendance(query, context, sender.t, buttons.event_of(match))


@buttons.press(Role.COORDINATOR)
async def turn_attendance_page(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    event_id, number = buttons.event_of(match), buttons.page_of(match)
    await _show_attendance(query, context, sender.t, event_id, number)


@buttons.press(Role.COORDINATOR)
async def mark_attendance(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    event_id = buttons.event_of(match)
    marked = await event_attendance.mark(
        context.db,
        member,
        event_id,
        buttons.signup_of(match),
        buttons.came_of(match),
        context.config.timezone,
        now(),
    )
    if isinstance(marked, AttendanceProblem):
        await query.answer(plain(attendance_problem(sender.t, marked)), show_alert=True)
        return
    await _show_attendance(query, context, sender.t, event_id, marked=marked.signup.id)


refuse_other_data = buttons.refuse_rest(Role.COORDINATOR)


def register(application: MentorApplication) -> None:
    """/event new's conversation and the change's typed answer before `/event` itself and the
    buttons, so that `/event new` and the answers reach them."""
    text = filters.TEXT & ~filters.COMMAND
    steps = buttons.rest(buttons.EVENT_NEW_KIND)  # any data of /event new's steps

    application.add_handler(
        guided_conversation(
            entry_points=[CommandHandler("event", begin, filters=_NewWord())],
            states={
                KIND: [
                    CallbackQueryHandler(chose_kind, pattern=buttons.EVENT_NEW_KIND),
                    CallbackQueryHandler(not_this_step, pattern=steps),
                ],
                TITLE: [MessageHandler(text, typed_title)],
                DESCRIPTION: [
                    MessageHandler(text, described),
                    CallbackQueryHandler(described, pattern=buttons.EVENT_NEW_SKIP),
                    CallbackQueryHandler(not_this_step, pattern=steps),
                ],
                DAY: [
                    MessageHandler(text, typed_day),
                    CallbackQueryHandler(chose_day, pattern=buttons.EVENT_NEW_DAY),
                    CallbackQueryHandler(not_this_step, pattern=steps),
                ],
                TIMES: [MessageHandler(text, typed_times)],
                PLACE: [
                    MessageHandler(text, placed),
                    CallbackQueryHandler(placed, pattern=buttons.EVENT_NEW_SKIP),
                    CallbackQueryHandler(not_this_step, pattern=steps),
                ],
                CAPACITY: [
                    MessageHandler(text, typed_capacity),
                    CallbackQueryHandler(chose_capacity, pattern=buttons.EVENT_NEW_CAPACITY),
                    CallbackQueryHandler(not_this_step, pattern=steps),
                ],
                AUDIENCE: [
                    CallbackQueryHandler(chose_audience, pattern=buttons.EVENT_NEW_AUDIENCE),
                    CallbackQueryHandler(not_this_step, pattern=steps),
                ],
                CHILDREN: [
                    CallbackQueryHandler(chose_children, pattern=buttons.EVENT_NEW_CHILDREN),
                    CallbackQueryHandler(not_this_step, pattern=steps),
                ],
                DEADLINE: [
                    MessageHandler(text, typed_deadline),
                    CallbackQueryHandler(chose_deadline, pattern=buttons.EVENT_NEW_DEADLINE),
                    CallbackQueryHandler(not_this_step, pattern=steps),
                ],
                PREVIEW: [
                    CallbackQueryHandler(decide, pattern=buttons.EVENT_NEW_CREATE),
                    CallbackQueryHandler(not_this_step, pattern=steps),
                ],
            },
            fallbacks=[CommandHandler("cancel", stop_draft)],
            timeout_seconds=TIMEOUT_SECONDS,
            allow_reentry=True,
        )
    )
    application.add_handler(
        guided_conversation(
            entry_points=[CallbackQueryHandler(ask_for_change, pattern=buttons.EVENT_CHANGE)],
            states={CHANGING: [MessageHandler(text, typed_change)]},
            fallbacks=[CommandHandler("cancel", stop_change)],
            timeout_seconds=TIMEOUT_SECONDS,
            allow_reentry=True,
        )
    )
    application.add_handler(CommandHandler("event", list_events))
    for pattern, handler in (
        (buttons.EVENT_OPEN, open_event),
        (buttons.EVENT_LIST_PAGE, turn_list_page),
        (buttons.EVENT_CSV, send_csv),
        (buttons.EVENT_EDIT, edit_event),
        (buttons.EVENT_CANCEL, ask_cancel),
        (buttons.EVENT_CANCEL_CONFIRM, confirm_cancel),
        (buttons.EVENT_CANCEL_KEEP, keep_event),
        (buttons.EVENT_ATTENDANCE, show_attendance),
        (buttons.EVENT_ATTENDANCE_PAGE, turn_attendance_page),
        (buttons.ATTEND, mark_attendance),
        (steps, refuse_other_data),
        (buttons.rest(buttons.EVENT_OPEN), refuse_other_data),
        (buttons.rest(buttons.ATTEND), refuse_other_data),
    ):
        application.add_handler(CallbackQueryHandler(handler, pattern=pattern))
