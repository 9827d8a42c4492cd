"""What `/event new` builds step by step, and what an event's Change reads, from buttons and
typed answers.

A draft lives in the conversation (handlers/guided.py) until its preview is confirmed; only
then does `bot.events.create` store it, with every check again in its transaction. The typed
answers are read as the guided shift booking reads them (bot/shift_booking.py): a day as
`2026-12-04`, `4/12` or `4.12`, times as `9-11.30` or `17:00-22:00`, in the service's time
zone, so a coordinator types an event's time as they type a shift's. A step's problem is found
by `bot.events.check_details` on the draft so far, so that the guided steps and the stored
event refuse the same things.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.events import EventProblem, EventText, check_details, too_long
from bot.rota import NonexistentLocalTime, local_moment
from bot.shift_booking import DaySpan, interval_of, parse_day, parse_span
from storage.models import Event, EventAudience, EventDetails, EventKind

CAPACITY_CHOICES = (10, 20, 30, 50)
# What a typed "none" is (no description, no place, no limit, no deadline), in any language.
NONE_TYPED = "-"
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})")


class DeadlineChoice(StrEnum):
    NONE = "none"
    DAY_BEFORE = "day"
    WEEK_BEFORE = "week"


class ChangeField(StrEnum):
    """What an event's Change may touch: what people plan around, and the places."""

    TIME = "time"
    PLACE = "place"
    CAPACITY = "capacity"
    DEADLINE = "deadline"


@dataclass(frozen=True, slots=True)
class Draft:
    """An event as far as the coordinator has come; the times once the day and times are in."""

    kind: EventKind
    title: str = ""
    description: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str = ""
    capacity: int | None = None
    audience: EventAudience = EventAudience.FAMILIES
    children_along: bool = False
    signup_deadline: datetime | None = None

    def details(self) -> EventDetails | None:
        if self.starts_at is None or self.ends_at is None:
            return None
        return EventDetails(
            kind=self.kind,
            title=self.title,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            audience=self.audience,
            description=self.description,
            place=self.place,
            capacity=self.capacity,
            children_along=self.children_along,
            signup_deadline=self.signup_deadline,
        )

    def problem(self, now: datetime) -> EventProblem | None:
        """What the stored event would be refused for, as far as the draft has come."""
        details = self.details()
        if details is None:
            return EventProblem.NO_TITLE if not self.title.strip() else None
        return check_details(details, now)


def asks_children(kind: EventKind) -> bool:
    """Only outings take the children along; the other kinds are for the adults."""
    return kind is EventKind.OUTING


def typed_none(text: str) -> bool:
    return text.strip() == NONE_TYPED


def times_on(day: date, text: str, tz: ZoneInfo) -> tuple[datetime, datetime] | None:
    """Typed times on a local day, as the booking reads them (an end before the start is the
    next morning); None if they are not times, or the clocks skip one of them that day."""
    span = parse_span(text)
    interval = None if span is None else interval_of(DaySpan(day, span), tz)
    return None if interval is None else (interval.start, interval.end)


def parse_when(text: str, today: date, tz: ZoneInfo) -> tuple[datetime, datetime] | None:
    """A new time typed in one answer: the day, then the times (`12/12 9-11.30`)."""
    day_text, _, times_text = text.strip().partition(" ")
    day = parse_day(day_text, today)
    return None if day is None else times_on(day, times_text, tz)


def parse_capacity(text: str) -> int | None:
    """A number of people as typed (0 and below are refused by the event's own check); None if
    it is not a number."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None


def deadline_before(starts_at: datetime, choice: DeadlineChoice) -> datetime | None:
    if choice is DeadlineChoice.DAY_BEFORE:
        return starts_at - timedelta(days=1)
    if choice is DeadlineChoice.WEEK_BEFORE:
        return starts_at - timedelta(days=7)
    return None


def parse_deadline(text: str, today: date, tz: ZoneInfo) -> datetime | None:
    """A typed deadline: a day (up to its end) or a day and a clock time (`8/12 12:00`)."""
    day_text, _, clock_text = text.strip().partition(" ")
    day = parse_day(day_text, today)
    if day is None:
        return None
    if not clock_text.strip():
        return local_moment(day + timedelta(days=1), time(0), tz)
    clock = _CLOCK.fullmatch(clock_text.strip())
    if clock is None:
        return None
    try:
        return local_moment(day, time(int(clock[1]), int(clock[2])), tz)
    except (ValueError, NonexistentLocalTime):
        return None


def read_change(
    event: Event, field: ChangeField, text: str, today: date, tz: ZoneInfo
) -> EventDetails | None:
    """The event's details with the one typed for `field` in their place, for
    `bot.events.update`; None if the answer cannot be read as one. `-` is none: no place, no
    limit, no deadline."""
    details, text = event.details, text.strip()
    if field is ChangeField.TIME:
        when = parse_when(text, today, tz)
        return None if when is None else replace(details, starts_at=when[0], ends_at=when[1])
    if field is ChangeField.PLACE:
        place = "" if typed_none(text) else text
        return None if too_long(EventText.PLACE, place) else replace(details, place=place)
    if field is ChangeField.CAPACITY:
        capacity = None if typed_none(text) else parse_capacity(text)
        return (
            None
            if capacity is None and not typed_none(text)
            else replace(details, capacity=capacity)
        )
    deadline = None if typed_none(text) else parse_deadline(text, today, tz)
    if deadline is None and not typed_none(text):
        return None
    return replace(details, signup_deadline=deadline)
