"""A mentor's shifts as an iCalendar file, so the rota shows up in the calendar they already use.

Each shift is written in the service's local time with its TZID and the matching VTIMEZONE, not
as UTC: a calendar app then shows 22:00-08:00 on both sides of a daylight-saving change, and an
app that does not know the zone by name can still work it out from the file itself. UIDs come
from the shift id, so importing a newer file updates the events instead of duplicating them.

Pure: the time stamp is a parameter and nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from storage.models import Shift

PRODID = "-//Mentorbot//Rota//EN"


def shifts_calendar(shifts: Iterable[Shift], tz: ZoneInfo, summary: str, now: datetime) -> bytes:
    """An RFC 5545 calendar with one event per shift, in the order given.

    `summary` names the calendar and every event; it is user-visible and already translated.
    `now` becomes every event's DTSTAMP, the moment this copy of the rota was made.
    """
    if now.utcoffset() is None:
        # A naive stamp would silently mean "server time", the one zone nobody chose.
        raise ValueError("the calendar time stamp must be timezone-aware")
    stamp = now.astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", summary)
    all_shifts = list(shifts)
    if all_shifts:
        # The zone is described only over the dates the shifts need, with a day to spare on
        # each side, which keeps the file small and correct for any year; a calendar with no
        # events refers to no zone and so carries none.
        first = min(shift.starts_at for shift in all_shifts).astimezone(tz).date()
        last = max(shift.ends_at for shift in all_shifts).astimezone(tz).date()
        calendar.add_component(
            Timezone.from_tzinfo(tz, tz.key, first - timedelta(days=1), last + timedelta(days=1))
        )
    for shift in all_shifts:
        calendar.add_component(
            Event.new(
                uid=f"shift-{shift.id}@mentorbot",
                stamp=stamp,
                start=shift.starts_at.astimezone(tz),
                end=shift.ends_at.astimezone(tz),
                summary=summary,
            )
        )
    ical: bytes = calendar.to_ical()  # typed Any by icalendar
    return ical
