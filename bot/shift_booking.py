"""Booking a shift by buttons: what a coordinator on a phone is offered at each step.

`/shift` with no arguments walks through a mentor household, a day and a slot to a preview;
a gap's **Fill** button under `/rota` or the morning report starts at the household with the
gap's day and times already chosen. Every step's choices are computed here, from the rota and
the service hours, so that the handlers only draw them; the booking itself is
`rota_planning.add`, with every check the typed `/shift add` makes, in one transaction.

A draft travels in the buttons' data (a member number, a local day, a span of clock times), not
in memory, so a preview still works after a restart, and a press is checked again when it comes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot import availability, paging
from bot.availability import DAYS_AHEAD_AT_MOST, Availability
from bot.paging import Page
from bot.rota import EmptyShift, Interval, NonexistentLocalTime, local_span
from bot.rota_csv import CsvProblem, PlannedShift, parse_shift
from bot.service_hours import ServiceHours
from storage import shifts
from storage.db import Database
from storage.models import BookableHousehold

DAYS_AHEAD = 14  # the day buttons: today and the 13 days after it
HOUSEHOLDS_PER_PAGE = 6

_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# 4/12 as a Swede writes it, 4.12 as a Dane does, either with the year after it.
_DAY_MONTH = re.compile(r"(\d{1,2})[./](\d{1,2})(?:[./ ]\s*(\d{4}))?\.?")
_CLOCK = r"(\d{1,2})(?:[:.](\d{2}))?"
_TIMES = re.compile(rf"{_CLOCK}\s*[-\u2013]\s*{_CLOCK}")


class SlotKind(StrEnum):
    """The slots a day offers; their names are what the buttons say."""

    SERVICE_HOURS = "hours"  # the whole of the day's promised hours
    DAYTIME = "day"  # a weekend or holiday until the weekday evening begins
    EVENING = "evening"  # a weekend or holiday from then on, as on a weekday


@dataclass(frozen=True, slots=True)
class Span:
    """Clock times on a local day; an end at or before the start is on the next morning."""

    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True, slots=True)
class DaySpan:
    """Clock times on a local day: a shift as a coordinator chooses it, or a gap to fill."""

    day: date
    span: Span


@dataclass(frozen=True, slots=True)
class Slot:
    kind: SlotKind
    span: Span


def booking_days(today: date) -> list[date]:
    """The days offered as buttons: the coming two weeks, today first."""
    return [today + timedelta(days=n) for n in range(DAYS_AHEAD)]


def slots(day: date, hours: ServiceHours) -> list[Slot]:
    """The slots of `day`: its service hours, and on a weekend or holiday the daytime and the
    evening apart, split where a weekday's hours begin (09:00-17:00 and 17:00-22:00)."""
    start, end = hours.hours_of(day)
    whole = Slot(SlotKind.SERVICE_HOURS, Span(start, end))
    evening_starts = hours.weekday[0]
    if (start, end) == hours.weekday or not _inside(evening_starts, start, end):
        return [whole]
    return [
        whole,
        Slot(SlotKind.DAYTIME, Span(start, evening_starts)),
        Slot(SlotKind.EVENING, Span(evening_starts, end)),
    ]


def _inside(moment: time, start: time, end: time) -> bool:
    """Strictly within the hours, which may run past midnight."""
    if start < end:
        return start < moment < end
    return moment > start or moment < end


def in_booking_order(households: Sequence[BookableHousehold]) -> list[BookableHousehold]:
    """Most recently booked first, as those are whom a coordinator books again; then the rest
    by name, so that a household never booked is still found."""
    booked = sorted(
        (h for h in households if h.last_booked is not None),
        key=lambda h: (h.last_booked, -h.member_number),
        reverse=True,
    )
    never = sorted(
        (h for h in households if h.last_booked is None),
        key=lambda h: ((h.name or "").casefold(), h.member_number),
    )
    return booked + never


def away_last(
    households: Sequence[BookableHousehold], available: Availability, span: Interval
) -> tuple[list[BookableHousehold], frozenset[int]]:
    """Those not away during `span` first, each group in the order given, so that a household
    away then is off the first page while there are others; and which ones are away."""
    away = frozenset(
        h.household_id for h in households if available.away_during(h.household_id, span)
    )
    return (
        [h for h in households if h.household_id not in away]
        + [h for h in households if h.household_id in away],
        away,
    )


def page(households: Sequence[BookableHousehold], number: int) -> Page[BookableHousehold]:
    """One page of the list; a page number past the end (the list shrank) gives the last."""
    return paging.page(households, number, HOUSEHOLDS_PER_PAGE)


def within_reach(day: date, today: date) -> bool:
    """Not past and at most a year ahead: a day a shift may be booked on (a forged or typed
    9999-12-31 would otherwise run off the calendar at its night shift's morning)."""
    return today <= day <= today + timedelta(days=DAYS_AHEAD_AT_MOST)


def parse_day(text: str, today: date) -> date | None:
    """A typed day: 2026-12-04, or 4/12 and 4.12 (the next such day from today on)."""
    text = text.strip()
    if match := _ISO_DAY.fullmatch(text):
        return _day(int(match[1]), int(match[2]), int(match[3]))
    if match := _DAY_MONTH.fullmatch(text):
        day, month = int(match[1]), int(match[2])
        if match[3]:
            return _day(int(match[3]), month, day)
        this_year = _day(today.year, month, day)
        if this_year is None or this_year >= today:
            return this_year
        return _day(today.year + 1, month, day)
    return None


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_span(text: str) -> Span | None:
    """Typed times: 17:00-22:00, 17-22, 8.30-12 (an end before the start: the next morning)."""
    match = _TIMES.fullmatch(text.strip())
    if match is None:
        return None
    try:
        start = time(int(match[1]), int(match[2] or 0))
        end = time(int(match[3]), int(match[4] or 0))
    except ValueError:
        return None
    return None if start == end else Span(start, end)


def gap_to_fill(gap: Interval, tz: ZoneInfo) -> DaySpan:
    """A gap of the rota as the booking chooses it: its local day and clock times."""
    start, end = gap.start.astimezone(tz), gap.end.astimezone(tz)
    return DaySpan(start.date(), Span(start.time(), end.time()))


def interval_of(when: DaySpan, tz: ZoneInfo) -> Interval | None:
    """The real time of `when`; None for clock times the day does not have (spring's gap)."""
    try:
        return local_span(when.day, when.span.start, when.span.end, tz)
    except (NonexistentLocalTime, EmptyShift):
        return None


def planned(member_number: int, when: DaySpan, tz: ZoneInfo) -> PlannedShift | CsvProblem:
    """The shift the buttons chose, read by the rules of a typed `/shift add`, so that a day
    the clocks skip in spring is refused the same way."""
    read = parse_shift(
        str(member_number),
        when.day.isoformat(),
        f"{when.span.start:%H:%M}",
        f"{when.span.end:%H:%M}",
        tz,
    )
    return read[0] if isinstance(read, list) else read


@dataclass(frozen=True, slots=True)
class Choices:
    """The households to list for a booking over `span`, the away ones last, and which
    those are (by household id)."""

    households: list[BookableHousehold]
    away: frozenset[int]


async def bookable_households(db: Database) -> list[BookableHousehold]:
    async with db.read() as session:
        found = await shifts.bookable_households(session)
    return in_booking_order(found)


async def choices(db: Database, span: Interval) -> Choices:
    """Whom to offer for a booking over `span`: for a gap its time, for a booking not yet on a
    day the coming week, since a household away then is the likeliest to be refused."""
    households = await bookable_households(db)
    available = await availability.away_households(db, span.start, span.end)
    return Choices(*away_last(households, available, span))


async def away_days(
    db: Database, household_id: int, days: Sequence[date], hours: ServiceHours, tz: ZoneInfo
) -> frozenset[date]:
    """The days among `days` whose service hours the household said it is away for, in part."""
    windows = hours.windows(days[0], days[-1], tz)
    available = await availability.away_households(db, windows[0].start, windows[-1].end)
    return frozenset(
        day
        for day, window in zip(days, windows, strict=True)
        if available.away_during(household_id, window)
    )


async def is_away(db: Database, household_id: int, span: Interval) -> bool:
    available = await availability.away_households(db, span.start, span.end)
    return available.away_during(household_id, span)
