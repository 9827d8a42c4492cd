"""The rota: which mentor household is on duty, and which promised hours nobody covers.

Pure functions over plain values, so the same answers come out of a handler, a reminder job and
a test. Every instant is an aware UTC datetime: a shift is a stretch of real time, and only
real time can be compared across a daylight-saving change. Wall-clock input from a coordinator
("Saturday 22:00-08:00") is turned into real time once, by `local_span`, where the two yearly
daylight-saving quirks are decided explicitly instead of by accident.

A season holds at most a few thousand shifts, so every question is answered by sorting once and
sweeping, never by stepping through the calendar minute by minute.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.models import Shift


class ShiftTimeError(ValueError):
    """A time a shift cannot have; each subclass is one line a handler can translate."""


class EmptyShift(ShiftTimeError):
    """A span that would last no time at all, or run backwards."""

    def __init__(self, start: datetime, end: datetime) -> None:
        super().__init__(
            f"a shift must end after it starts: {start.isoformat()} - {end.isoformat()}"
        )
        self.start = start
        self.end = end


class NonexistentLocalTime(ShiftTimeError):
    """A wall-clock time the clocks skip when they spring forward; carries that local time."""

    def __init__(self, moment: datetime) -> None:
        super().__init__(f"{moment:%Y-%m-%d %H:%M} does not exist in {moment.tzinfo}")
        self.moment = moment


def _check_span(start: datetime, end: datetime) -> None:
    # Naive datetimes would silently mean "server time", the one zone nobody chose.
    if start.utcoffset() is None or end.utcoffset() is None:
        raise ValueError("rota times must be timezone-aware")
    if end <= start:
        raise EmptyShift(start, end)


@dataclass(frozen=True, slots=True)
class Interval:
    """Half-open [start, end), so that back-to-back shifts neither overlap nor leave a gap."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _check_span(self.start, self.end)


def local_moment(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """A wall-clock time as people type it (a shift, a scheduled broadcast), made real."""
    # fold=0 takes the first of the two 02:30s in autumn: a shift starting then begins an hour
    # earlier in real time rather than later, which never leaves the family waiting.
    moment = datetime.combine(day, clock.replace(fold=0), tzinfo=tz)
    # A skipped time does not survive a round trip through UTC; zoneinfo would otherwise quietly
    # move it by an hour, and a coordinator would get a shift they never typed.
    if moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise NonexistentLocalTime(moment)
    return moment


def local_span(day: date, start: time, end: time, tz: ZoneInfo) -> Interval:
    """The real time of a wall-clock span as a coordinator or the service hours state it.

    An end at or before the start runs past midnight into the next day (22:00-08:00), because
    night duty is the common case; an end equal to the start is refused, since "round the
    clock" is ambiguous between no time and a whole day. Across a daylight-saving change the
    span lasts what the clocks say, not a fixed number of hours: 22:00-08:00 is 9 hours of real
    time into the spring change and 11 into the autumn one.

    Raises NonexistentLocalTime for a time skipped in spring (02:30 on 2026-03-29 in Stockholm);
    an autumn time that happens twice is taken at its first occurrence (fold=0).
    """
    if end == start:
        moment = datetime.combine(day, start, tzinfo=tz)
        raise EmptyShift(moment, moment)
    end_day = day if end > start else day + timedelta(days=1)
    return Interval(
        local_moment(day, start, tz).astimezone(UTC),
        local_moment(end_day, end, tz).astimezone(UTC),
    )


def _by_start(shifts: Iterable[Shift]) -> list[Shift]:
    # Start then id: a stable order, so a primary and a backup sharing a slot list the same way
    # every time they are shown.
    return sorted(shifts, key=lambda shift: (shift.starts_at, shift.id))


def on_duty(shifts: Iterable[Shift], at: datetime) -> list[Shift]:
    """The shifts running at `at`; one ending exactly then has already handed over."""
    return _by_start(shift for shift in shifts if shift.starts_at <= at < shift.ends_at)


def next_shift_start(shifts: Iterable[Shift], after: datetime) -> datetime | None:
    """When help is next available, for telling a family with nobody on duty when to come back."""
    return min((shift.starts_at for shift in shifts if shift.starts_at > after), default=None)


def overlaps(shifts: Iterable[Shift], household_id: int, candidate: Interval) -> list[Shift]:
    """The household's own shifts that a new one would collide with.

    Other households may share a slot (primary and backup); one household cannot be on duty
    twice. A shift that ends exactly when the candidate starts is a handover, not a collision.
    """
    return _by_start(
        shift
        for shift in shifts
        if shift.household_id == household_id
        and shift.starts_at < candidate.end
        and candidate.start < shift.ends_at
    )


def _merge(spans: Iterable[tuple[datetime, datetime]]) -> list[Interval]:
    # Touching spans merge too: 17:00-19:00 and 19:00-22:00 are one unbroken stretch of cover.
    merged: list[Interval] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1].end:
            if end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, end)
        else:
            merged.append(Interval(start, end))
    return merged


def covered(shifts: Iterable[Shift], window: Interval) -> list[Interval]:
    """The parts of `window` someone is on duty for, with overlapping shifts counted once."""
    return _merge(
        (max(shift.starts_at, window.start), min(shift.ends_at, window.end))
        for shift in shifts
        if shift.starts_at < window.end and window.start < shift.ends_at
    )


def gaps(shifts: Iterable[Shift], windows: Iterable[Interval]) -> list[Interval]:
    """The promised hours nobody is on duty for: what a coordinator has to fill next.

    Cover and windows are each merged once and then swept together, so a season of shifts
    against a season of windows costs a sort, not a product.
    """
    cover = _merge((shift.starts_at, shift.ends_at) for shift in shifts)
    uncovered: list[Interval] = []
    first = 0  # cover before this index ends before every window still to come
    for window in _merge((window.start, window.end) for window in windows):
        while first < len(cover) and cover[first].end <= window.start:
            first += 1
        cursor, index = window.start, first
        # A shift may outlast this window and cover the next, so `first` is not moved past it.
        while index < len(cover) and cover[index].start < window.end:
            if cover[index].start > cursor:
                uncovered.append(Interval(cursor, cover[index].start))
            cursor = cover[index].end
            index += 1
        if cursor < window.end:
            uncovered.append(Interval(cursor, window.end))
    return uncovered
