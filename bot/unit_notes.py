"""A note for the family's social worker: mentor families complement the professional support,
they do not replace it.

After a conversation the mentor may write a short note for the foster-care unit. Nothing goes
without the family's yes: its adults see the note and answer with a button, and a no erases the
words at once. Notes said yes to reach the coordinators together, as one message, on the next
working-day morning (`DELIVERY_AT` local, weekends and the country's public holidays skipped),
so a Friday night's note waits for Monday. The moment is worked out from the database at every
start, so a stop over a weekend delivers on the first start after it was due; the words are
erased `MENTORBOT_RETENTION_DAYS` after delivery.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.rota import local_moment
from bot.service_hours import ServiceHours
from storage import households, requests
from storage import unit_notes as notes
from storage.db import Database
from storage.models import Member, RequestState, Role, UnitNote

DELIVERY_AT = time(8, 0)  # the unit's working day begins
MAX_NOTE = 1000  # characters: a short note, read in one go


class NoteProblem(StrEnum):
    NOT_YOURS = "not_yours"  # not a conversation this mentor held, or not over
    ASKED = "asked"  # a note for this conversation was asked for already
    TOO_LONG = "too_long"
    WRITTEN = "written"  # the note was written already
    DECIDED = "decided"  # the family answered already
    GONE = "gone"


def _mornings(moment: datetime, hours: ServiceHours, tz: ZoneInfo, step: int) -> Iterator[datetime]:
    """The working-day mornings from `moment`'s local day on, a day at a time by `step`."""
    day = moment.astimezone(tz).date()
    while True:
        if day.weekday() < 5 and not hours.is_holiday(day):
            yield local_moment(day, DELIVERY_AT, tz)
        day += timedelta(days=step)


def delivery_moment(after: datetime, hours: ServiceHours, tz: ZoneInfo) -> datetime:
    """The first working-day morning at or after `after`."""
    return next(morning for morning in _mornings(after, hours, tz, 1) if morning >= after)


def last_delivery(now: datetime, hours: ServiceHours, tz: ZoneInfo) -> datetime:
    """The latest working-day morning at or before `now`: every yes given before it is due."""
    return next(morning for morning in _mornings(now, hours, tz, -1) if morning <= now)


async def ask(db: Database, mentor: Member, request_id: int) -> NoteProblem | None:
    async with db.write() as session:
        request = await requests.request_by_id(session, request_id)
        if (
            request is None
            or request.state is not RequestState.CLOSED
            or request.mentor_member_id != mentor.id
        ):
            return NoteProblem.NOT_YOURS
        if not await notes.begin(session, request_id, mentor.id, mentor.telegram_user_id):
            return NoteProblem.ASKED
    return None


async def remember_prompt(db: Database, mentor: Member, request_id: int, message_id: int) -> None:
    async with db.write() as session:
        await notes.set_prompt(session, request_id, mentor.id, message_id)


@dataclass(frozen=True, slots=True)
class Written:
    note: UnitNote
    family: list[Member]


async def prompted(db: Database, chat_id: int, message_id: int) -> UnitNote | None:
    """The note a reply to this bot message writes, if it is a note's prompt."""
    async with db.read() as session:
        return await notes.by_prompt(session, chat_id, message_id)


async def write(
    db: Database, mentor: Member, note: UnitNote, body: str, now: datetime
) -> Written | NoteProblem:
    if note.mentor_member_id != mentor.id:
        return NoteProblem.NOT_YOURS
    if len(body) > MAX_NOTE:
        return NoteProblem.TOO_LONG
    async with db.write() as session:
        if not await notes.write(session, note.id, body, now):
            return NoteProblem.WRITTEN
        written = await notes.by_id(session, note.id)
        household = note.family_household_id
        family = [] if household is None else await households.household_members(session, household)
    if written is None:
        return NoteProblem.GONE
    return Written(written, family)


@dataclass(frozen=True, slots=True)
class Decided:
    note: UnitNote
    consent: bool
    mentor: Member | None


async def decide(
    db: Database, family: Member, note_id: int, consent: bool, now: datetime
) -> Decided | NoteProblem:
    async with db.write() as session:
        note = await notes.by_id(session, note_id)
        if note is None or note.family_household_id != family.household.id:
            return NoteProblem.GONE
        if not await notes.decide(session, note_id, consent, now):
            return NoteProblem.DECIDED
        mentor = (
            None
            if note.mentor_member_id is None
            else await households.member_by_id(session, note.mentor_member_id)
        )
    return Decided(note, consent, mentor)


@dataclass(frozen=True, slots=True)
class Delivery:
    notes: list[UnitNote]
    coordinators: list[Member]


async def due(db: Database, now: datetime, hours: ServiceHours, tz: ZoneInfo) -> Delivery:
    """The notes whose working-day morning has come, and whom to deliver them to."""
    async with db.read() as session:
        found = await notes.to_deliver(session, last_delivery(now, hours, tz))
        coordinators = await households.members_with_role(session, Role.COORDINATOR)
    return Delivery(found, coordinators)


async def delivered(db: Database, delivery: Delivery, now: datetime) -> None:
    async with db.write() as session:
        await notes.mark_delivered(session, [note.id for note in delivery.notes], now)


async def next_delivery(
    db: Database, now: datetime, hours: ServiceHours, tz: ZoneInfo
) -> datetime | None:
    """When the earliest yes not delivered yet is due; None: no note waits."""
    async with db.read() as session:
        first = await notes.first_undelivered(session)
    return None if first is None else max(delivery_moment(first, hours, tz), now)
