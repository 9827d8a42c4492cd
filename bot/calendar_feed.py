"""Shifts and events as iCalendar files, so they show up in the calendar people already use.

Each entry is written in the service's local time with its TZID and the matching VTIMEZONE, not
as UTC: a calendar app then shows 22:00-08:00 on both sides of a daylight-saving change, and an
app that does not know the zone by name can still work it out from the file itself. UIDs are
stable (a shift's id; an event's catalogue id, or its id), so importing a newer file updates the
entries instead of duplicating them: that is how a changed event's new file reaches a calendar.
An event also carries what a calendar has no word for (kind, audience, capacity, children,
deadline) as `X-MENTORBOT-…` properties, which calendar apps keep and ignore, so that the file
is the shared catalogue too: bot/event_catalogue.py reads it back as it was.

Pure: the time stamp is a parameter and nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from storage.models import Event as MentorEvent
from storage.models import EventState, Shift

PRODID = "-//Mentorbot//Rota//EN"
X_KIND = "X-MENTORBOT-KIND"
X_AUDIENCE = "X-MENTORBOT-AUDIENCE"
X_CAPACITY = "X-MENTORBOT-CAPACITY"  # people; absent: no limit
X_CHILDREN = "X-MENTORBOT-CHILDREN"  # TRUE or FALSE
X_DEADLINE = "X-MENTORBOT-DEADLINE"  # the sign-up deadline as a UTC date-time; absent: none


@dataclass(frozen=True, slots=True)
class _Entry:
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    place: str = ""
    description: str = ""
    cancelled: bool = False
    extra: tuple[tuple[str, str], ...] = ()  # X- properties, in order


def event_uid(event: MentorEvent, service: str) -> str:
    """An event's UID: the shared catalogue's id when it has one, so that the catalogue's file
    and a family's own file name the same event, else one from its number at `service` (the
    bot's own name): numbers are a municipality's own, so event 5 of one bot and event 5 of the
    next, handed on in a catalogue, must never name the same event."""
    return event.details.catalogue_id or f"event-{event.id}@{service}"


def shifts_calendar(shifts: Iterable[Shift], tz: ZoneInfo, summary: str, now: datetime) -> bytes:
    """An RFC 5545 calendar with one event per shift, in the order given.

    `summary` names the calendar and every event; it is user-visible and already translated.
    `now` becomes every event's DTSTAMP, the moment this copy of the rota was made.
    """
    entries = [
        _Entry(f"shift-{shift.id}@mentorbot", shift.starts_at, shift.ends_at, summary)
        for shift in shifts
    ]
    return _calendar(entries, tz, summary, now)


def events_calendar(
    events: Iterable[MentorEvent], tz: ZoneInfo, name: str, now: datetime, *, service: str
) -> bytes:
    """An RFC 5545 calendar of events in the order given, titled, placed and described in the
    coordinator's words; a cancelled event stays in it as CANCELLED, so that a calendar which
    has it marks it so instead of keeping a meeting nobody holds.

    `name` names the calendar (user-visible, translated); `now` is every entry's DTSTAMP.
    """
    entries = [
        _Entry(
            event_uid(event, service),
            event.details.starts_at,
            event.details.ends_at,
            event.details.title,
            event.details.place,
            event.details.description,
            event.state is EventState.CANCELLED,
            _catalogue_properties(event),
        )
        for event in events
    ]
    return _calendar(entries, tz, name, now)


def _catalogue_properties(event: MentorEvent) -> tuple[tuple[str, str], ...]:
    details = event.details
    properties = [
        (X_KIND, details.kind.value),
        (X_AUDIENCE, details.audience.value),
        (X_CHILDREN, "TRUE" if details.children_along else "FALSE"),
    ]
    if details.capacity is not None:
        properties.append((X_CAPACITY, str(details.capacity)))
    if details.signup_deadline is not None:
        properties.append((X_DEADLINE, f"{details.signup_deadline.astimezone(UTC):%Y%m%dT%H%M%SZ}"))
    return tuple(properties)


def _calendar(entries: list[_Entry], tz: ZoneInfo, name: str, now: datetime) -> bytes:
    if now.utcoffset() is None:
        # A naive stamp would silently mean "server time", the one zone nobody chose.
        raise ValueError("the calendar time stamp must be timezone-aware")
    stamp = now.astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    if entries:
        # The zone is described only over the dates the entries need, with a day to spare on
        # each side, which keeps the file small and correct for any year; a calendar with no
        # entries refers to no zone and so carries none.
        first = min(entry.starts_at for entry in entries).astimezone(tz).date()
        last = max(entry.ends_at for entry in entries).astimezone(tz).date()
        calendar.add_component(
            Timezone.from_tzinfo(tz, tz.key, first - timedelta(days=1), last + timedelta(days=1))
        )
    for entry in entries:
        component = Event.new(
            uid=entry.uid,
            stamp=stamp,
            start=entry.starts_at.astimezone(tz),
            end=entry.ends_at.astimezone(tz),
            summary=entry.summary,
        )
        if entry.place:
            component.add("location", entry.place)
        if entry.description:
            component.add("description", entry.description)
        if entry.cancelled:
            component.add("status", "CANCELLED")
        for name, value in entry.extra:
            component.add(name, value)
        calendar.add_component(component)
    ical: bytes = calendar.to_ical()  # typed Any by icalendar
    return ical
