"""Telling the people of an event what changed for them: a place that came free, a new time or
place, a cancellation, a place given back late.

A household that has a place gets the event's calendar file with each notice, so that the
calendar they already use follows the event (same UID, newer file: bot/calendar_feed.py); one
still waiting gets the words only, since nothing is theirs to put in a calendar yet. Each adult
is written to in their own language. Notices are best effort, as every notice is
(handlers/notices.py): a household that blocked the bot does not undo the decision.

A move up from the waiting list is the one notice that is kept until it has gone: the move is
recorded as still to tell with the move itself, and marked told once the notice is sent, so a
household a stop came between is told at the next start, and one an error in the handler left
untold by the hourly round (`start`). That is at least once: a stop after the send and before
the mark tells them twice, which beats a family that never learns it has a place. A send that
Telegram refused counts as told, as for every best-effort notice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from telegram import InputFile

from bot import members
from bot.calendar_feed import events_calendar
from bot.events import Changed, EventCancelled, Party, moves_told, untold_moves
from bot.i18n import Translator, plain, translator
from handlers.clock import now
from handlers.common import RUN_LATE, MentorApplication, MentorContext, member_translator
from handlers.event_text import event_head, event_when
from handlers.notices import tell_each
from handlers.relay import CAPTION_LIMIT, visible_length
from handlers.telegram_errors import best_effort
from storage.models import Event, Role, SignupState


def calendar_service(context: MentorContext) -> str:
    """The name an event made here carries in its calendar and catalogue id: the bot's own
    username, which no other municipality's bot has."""
    return context.bot.username.lower()


def calendar_file(context: MentorContext, t: Translator, event: Event) -> InputFile:
    """The event as a one-entry calendar, named so that the file says what it is."""
    name = plain(t("event.calendar"))
    data = events_calendar(
        [event], context.config.timezone, name, now(), service=calendar_service(context)
    )
    return InputFile(data, filename=f"event-{event.id}.ics")


async def send_with_calendar(
    context: MentorContext, chat_id: int, t: Translator, text: str, event: Event
) -> None:
    """`text` with the event's calendar file under it: as the file's caption when it fits in
    one, else as a message of its own followed by the file."""
    document = calendar_file(context, t, event)
    if visible_length(text) <= CAPTION_LIMIT:
        await best_effort(
            context.bot.send_document(chat_id, document, caption=text), "event notice"
        )
        return
    await best_effort(context.bot.send_message(chat_id, text), "event notice")
    await best_effort(context.bot.send_document(chat_id, document), "event calendar")


async def _tell_parties(
    context: MentorContext,
    parties: Iterable[Party],
    event: Event,
    text: Callable[[Translator, Party], str],
    *,
    calendar_for_places: bool,
) -> None:
    for party in parties:
        with_calendar = calendar_for_places and party.signup.state is SignupState.CONFIRMED
        for chat_id, t in recipients(context, party):
            if with_calendar:
                await send_with_calendar(context, chat_id, t, text(t, party), event)
            else:
                await best_effort(context.bot.send_message(chat_id, text(t, party)), "event notice")


def recipients(context: MentorContext, party: Party) -> list[tuple[int, Translator]]:
    """Whom a sign-up's news goes to, each with their language: the household's adults, or the
    prospective family by the chat and language of its registration."""
    found = [
        (person.telegram_user_id, member_translator(context, person)) for person in party.members
    ]
    if party.prospect is not None:
        language = party.prospect.language
        found.append((party.prospect.telegram_user_id, translator(language, context.config.terms)))
    return found


async def tell_moved_up(context: MentorContext, event: Event, parties: list[Party]) -> None:
    """Places came free (a cancellation, a larger capacity): the households moved up from the
    waiting list have them now, and are told at once, with the calendar file."""
    tz = context.config.timezone
    await _tell_parties(
        context,
        parties,
        event,
        lambda t, _: t("event.moved_up", title=event.details.title, when=event_when(t, event, tz)),
        calendar_for_places=True,
    )
    await moves_told(context.db, parties, now())


UNTOLD_MOVES_JOB = "event-moves-untold"
# A move up still untold this long after it was made is not one being told at this moment, so
# the hourly round tells it; a move made before this bot started is told at once.
UNTOLD_AFTER = timedelta(hours=1)


def start(application: MentorApplication) -> None:
    """Tell the households a stop kept from hearing that they moved up: at once those moved up
    before this start, then every UNTOLD_AFTER those an error left untold."""
    queue = application.job_queue
    assert queue is not None
    started = now()

    async def at_start(context: MentorContext) -> None:
        await _tell_untold(context, started)

    async def hourly(context: MentorContext) -> None:
        await _tell_untold(context, now() - UNTOLD_AFTER)

    queue.run_once(at_start, when=0, name=UNTOLD_MOVES_JOB, job_kwargs=RUN_LATE)
    queue.run_repeating(hourly, interval=UNTOLD_AFTER, first=UNTOLD_AFTER, name=UNTOLD_MOVES_JOB)


async def _tell_untold(context: MentorContext, before: datetime) -> None:
    for each in await untold_moves(context.db, before, now()):
        await tell_moved_up(context, each.event, each.moved_up)


async def tell_changed(context: MentorContext, changed: Changed) -> None:
    """A new time or place reaches everyone signed up or waiting; those with a place get the
    new calendar file. Households a larger capacity moved up are told that first."""
    await tell_moved_up(context, changed.event, changed.moved_up)
    tz = context.config.timezone
    moved = {party.signup.id for party in changed.moved_up}

    def text(t: Translator, party: Party) -> str:
        before = event_when(t, changed.before, tz)
        if party.signup.state is SignupState.CONFIRMED:
            lead = t("event.changed", before=before)
        else:
            lead = t("event.changed_waiting", before=before)
        return lead + "\n\n" + event_head(t, changed.event, tz)

    await _tell_parties(
        context,
        [party for party in changed.to_tell if party.signup.id not in moved],
        changed.event,
        text,
        calendar_for_places=True,
    )


async def tell_cancelled(context: MentorContext, cancelled: EventCancelled) -> None:
    """Everyone signed up or waiting learns the event will not be held; those with a place get
    the file that marks it cancelled in their calendar."""
    tz = context.config.timezone
    event = cancelled.event
    await _tell_parties(
        context,
        cancelled.to_tell,
        event,
        lambda t, _: t(
            "event.cancelled_notice", title=event.details.title, when=event_when(t, event, tz)
        ),
        calendar_for_places=True,
    )


async def tell_late_cancellation(context: MentorContext, event: Event, household: str) -> None:
    """A place given back after the deadline: the coordinators may want to fill it by hand."""
    tz = context.config.timezone
    coordinators = await members.with_role(context.db, Role.COORDINATOR)
    await tell_each(
        context,
        coordinators,
        lambda t: t(
            "event.late_cancellation",
            household=household,
            title=event.details.title,
            when=event_when(t, event, tz),
        ),
    )
