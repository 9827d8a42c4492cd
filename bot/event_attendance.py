"""Attendance at events, marked by a coordinator after the start, and the course days per
family that follow from it.

The contract:

- Only a household with a place is marked, came or did not come, and only once the event has
  started and unless it was cancelled. A mark is one conditional UPDATE that changes the stored
  mark or nothing, so a double press or two coordinators marking the same household at once
  count once.
- A course's days are the local days it spans (an event from 09:00 on Friday to 16:00 on
  Saturday is two days), each counted in the calendar year it falls in. The yearly tally per
  household is kept in step with each mark in the same transaction: a household marked as come
  gains the course's days, one marked back as not come loses them. The tally outlives the
  sign-ups' link to the household, which retention cuts MENTORBOT_RETENTION_DAYS after the
  event, since the unit follows a whole year; it is the household's personal data, in /mydata
  and gone with /forget (storage/personal_data.py).
- Who the unit expects more of is a foster family (role family) with fewer course days in the
  year than MENTORBOT_COURSE_DAYS_EXPECTED; a family with none is listed too.

A mark is in the audit log, by the event's number and kind, as the other event actions are.
Every function takes `now` (and the service's time zone where local days matter).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.events import event_subject
from storage import audit, events
from storage.db import Database
from storage.models import (
    Action,
    Event,
    EventKind,
    EventState,
    Member,
    Signup,
    SignupState,
)


class AttendanceProblem(StrEnum):
    NOT_FOUND = "not_found"  # no such event, or the sign-up is not one of its places
    NOT_STARTED = "not_started"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Marked:
    event: Event
    signup: Signup  # with the mark as it is now
    changed: bool  # False: it was marked so already


@dataclass(frozen=True, slots=True)
class FamilyCourseDays:
    name: str | None
    days: int


def course_days_by_year(event: Event, tz: ZoneInfo) -> dict[int, int]:
    """The local days a course spans, by calendar year; nothing for another kind of event.
    An end at midnight ends the day before: it spans no part of the next."""
    if event.details.kind is not EventKind.COURSE:
        return {}
    first = event.details.starts_at.astimezone(tz).date()
    last = (event.details.ends_at - timedelta(microseconds=1)).astimezone(tz).date()
    years: Counter[int] = Counter()
    day = first
    while day <= last:
        years[day.year] += 1
        day += timedelta(days=1)
    return dict(years)


def _change_of_days(before: bool | None, came: bool) -> int:
    """+1 when the household now counts as having come, -1 when it no longer does."""
    if came and before is not True:
        return 1
    if not came and before is True:
        return -1
    return 0


async def mark(
    db: Database,
    by: Member,
    event_id: int,
    signup_id: int,
    came: bool,
    tz: ZoneInfo,
    now: datetime,
) -> Marked | AttendanceProblem:
    """Mark whether the household of a place came; its course days follow in the same
    transaction."""
    async with db.write() as session:
        event = await events.event_by_id(session, event_id)
        if event is None:
            return AttendanceProblem.NOT_FOUND
        if event.state is EventState.CANCELLED:
            return AttendanceProblem.CANCELLED
        if event.details.starts_at > now:
            return AttendanceProblem.NOT_STARTED
        signup = await events.signup_by_id(session, signup_id)
        if signup is None or (signup.event_id, signup.state) != (event_id, SignupState.CONFIRMED):
            return AttendanceProblem.NOT_FOUND
        changed = await events.mark_attendance(session, signup_id, event_id, came)
        if changed:
            sign = _change_of_days(signup.attended, came)
            if sign and signup.household_id is not None:
                for year, days in course_days_by_year(event, tz).items():
                    await events.add_course_days(session, signup.household_id, year, sign * days)
            await audit.record(session, by, Action.EVENT_ATTENDANCE, event_subject(event), now)
    return Marked(event, replace(signup, attended=came), changed)


async def course_days(db: Database, household_id: int, year: int) -> int:
    """The course days the household attended in `year`: for the members' own count."""
    async with db.read() as session:
        return await events.course_days(session, household_id, year)


async def families_below(db: Database, year: int, expected: int) -> list[FamilyCourseDays]:
    """The foster families with fewer course days in `year` than `expected`, fewest first."""
    async with db.read() as session:
        found = await events.families_course_days(session, year)
    return [FamilyCourseDays(name, days) for name, days in found if days < expected]
