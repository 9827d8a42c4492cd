from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.calendar_feed import events_calendar, shifts_calendar
from storage.models import Event, EventAudience, EventDetails, EventKind, EventState, Shift

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
SUMMARY = "Jour \u2013 mentorfamilj; kväll, natt"  # commas and semicolons must be escaped

SERVICE = "mentorbot"  # the bot's name in its events' ids


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


SHIFTS = [
    Shift(id=3, household_id=7, starts_at=utc(2026, 10, 24, 20), ends_at=utc(2026, 10, 25, 7)),
    Shift(id=4, household_id=7, starts_at=utc(2026, 3, 28, 21), ends_at=utc(2026, 3, 29, 6)),
    Shift(id=5, household_id=7, starts_at=utc(2026, 12, 4, 16), ends_at=utc(2026, 12, 4, 21)),
]
SPANS = [(shift.starts_at, shift.ends_at) for shift in SHIFTS]


def parse(shifts: list[Shift], now: datetime = NOW) -> Calendar:
    return Calendar.from_ical(shifts_calendar(shifts, STOCKHOLM, SUMMARY, now))


def instants(calendar: Calendar, zone: tzinfo | None = None) -> list[tuple[datetime, datetime]]:
    """Each event's start and end in UTC; with `zone`, their wall-clock times read in that zone."""
    found = []
    for event in calendar.events:
        start, end = event.start, event.end
        assert isinstance(start, datetime)
        assert isinstance(end, datetime)
        if zone is not None:
            start, end = start.replace(tzinfo=zone), end.replace(tzinfo=zone)
        found.append((start.astimezone(UTC), end.astimezone(UTC)))
    return found


def test_the_calendar_names_itself_and_its_producer() -> None:
    calendar = parse(SHIFTS)
    assert calendar["PRODID"] == "-//Mentorbot//Rota//EN"
    assert calendar["VERSION"] == "2.0"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["X-WR-CALNAME"] == SUMMARY


def test_events_start_and_end_at_the_shifts_instants() -> None:
    assert instants(parse(SHIFTS)) == SPANS


def test_events_are_written_in_local_wall_clock_time_with_the_zone() -> None:
    data = shifts_calendar(SHIFTS[:1], STOCKHOLM, SUMMARY, NOW)
    # 22:00 summer time to 08:00 winter time: the night as the mentor knows it.
    assert b"DTSTART;TZID=Europe/Stockholm:20261024T220000\r\n" in data
    assert b"DTEND;TZID=Europe/Stockholm:20261025T080000\r\n" in data


def test_the_vtimezone_alone_gives_the_right_instants_across_clock_changes() -> None:
    # A calendar app that does not know Europe/Stockholm by name has only the VTIMEZONE to go on,
    # so the wall-clock times are read back through it, not through the zone database.
    calendar = parse(SHIFTS)
    [component] = calendar.timezones
    assert component.tz_name == "Europe/Stockholm"
    assert instants(calendar, component.to_tz(lookup_tzid=False)) == SPANS
    assert calendar.get_missing_tzids() == set()


def test_uids_come_from_the_shift_ids_so_a_new_import_updates() -> None:
    earlier = parse(SHIFTS).events
    later = parse(SHIFTS[::-1], now=NOW + timedelta(days=3)).events
    assert [event.uid for event in earlier] == [
        "shift-3@mentorbot",
        "shift-4@mentorbot",
        "shift-5@mentorbot",
    ]
    assert sorted(event.uid for event in later) == sorted(event.uid for event in earlier)


def test_each_event_is_stamped_now_in_utc_and_titled_with_the_summary() -> None:
    data = shifts_calendar(SHIFTS, STOCKHOLM, SUMMARY, NOW.astimezone(STOCKHOLM))
    assert data.count(b"DTSTAMP:20260901T120000Z\r\n") == len(SHIFTS)
    assert [event.summary for event in Calendar.from_ical(data).events] == [SUMMARY] * 3


def test_the_same_input_gives_the_same_bytes() -> None:
    assert shifts_calendar(SHIFTS, STOCKHOLM, SUMMARY, NOW) == shifts_calendar(
        SHIFTS, STOCKHOLM, SUMMARY, NOW
    )


def test_no_shifts_is_a_valid_calendar_with_no_events() -> None:
    data = shifts_calendar([], STOCKHOLM, SUMMARY, NOW)
    calendar = Calendar.from_ical(data)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert calendar.events == []
    assert calendar["PRODID"] == "-//Mentorbot//Rota//EN"
    assert calendar["VERSION"] == "2.0"


def test_shifts_may_come_from_a_generator() -> None:
    data = shifts_calendar((shift for shift in SHIFTS), STOCKHOLM, SUMMARY, NOW)
    assert [event.uid for event in Calendar.from_ical(data).events] == [
        f"shift-{shift.id}@mentorbot" for shift in SHIFTS
    ]


def test_a_naive_stamp_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        shifts_calendar(SHIFTS, STOCKHOLM, SUMMARY, datetime(2026, 9, 1, 12))


def theme_morning(
    event_id: int, catalogue_id: str | None = None, state: EventState = EventState.OPEN
) -> Event:
    details = EventDetails(
        kind=EventKind.THEME_MORNING,
        title="Sömn & skärmar; <b>barn</b>",
        starts_at=utc(2026, 10, 24, 7),
        ends_at=utc(2026, 10, 24, 9),
        audience=EventAudience.FAMILIES,
        description="Kaffe från 8.30",
        place="Stadshuset, sal 2",
        catalogue_id=catalogue_id,
    )
    return Event(id=event_id, details=details, state=state)


def test_an_event_reads_as_the_coordinator_wrote_it_in_local_time() -> None:
    data = events_calendar([theme_morning(4)], STOCKHOLM, "Mentorbot", NOW, service=SERVICE)
    [event] = Calendar.from_ical(data).events
    assert event.uid == "event-4@mentorbot"
    assert event["SUMMARY"] == "Sömn & skärmar; <b>barn</b>"
    assert event["LOCATION"] == "Stadshuset, sal 2"
    assert event["DESCRIPTION"] == "Kaffe från 8.30"
    assert "STATUS" not in event
    assert b"DTSTART;TZID=Europe/Stockholm:20261024T090000\r\n" in data


def test_an_event_from_the_catalogue_keeps_the_catalogue_id_as_its_uid() -> None:
    [event] = Calendar.from_ical(
        events_calendar(
            [theme_morning(4, "sjaelland-2027-17")], STOCKHOLM, "M", NOW, service=SERVICE
        )
    ).events
    assert event.uid == "sjaelland-2027-17"


def test_a_cancelled_event_stays_in_the_file_marked_cancelled() -> None:
    cancelled = theme_morning(4, state=EventState.CANCELLED)
    [event] = Calendar.from_ical(
        events_calendar([cancelled], STOCKHOLM, "M", NOW, service=SERVICE)
    ).events
    assert event["STATUS"] == "CANCELLED"


def test_what_a_calendar_has_no_word_for_travels_as_x_properties() -> None:
    event = theme_morning(4)
    [plain_entry] = Calendar.from_ical(
        events_calendar([event], STOCKHOLM, "M", NOW, service=SERVICE)
    ).events
    assert (plain_entry["X-MENTORBOT-KIND"], plain_entry["X-MENTORBOT-AUDIENCE"]) == (
        event.details.kind.value,
        event.details.audience.value,
    )
    assert plain_entry["X-MENTORBOT-CHILDREN"] == "FALSE"
    # No limit and no deadline: nothing said, which is what a plain calendar says too.
    assert "X-MENTORBOT-CAPACITY" not in plain_entry and "X-MENTORBOT-DEADLINE" not in plain_entry
    full = replace(
        event,
        details=replace(
            event.details,
            capacity=12,
            children_along=True,
            signup_deadline=datetime(2026, 10, 20, 21, 59, tzinfo=UTC),
        ),
    )
    [entry] = Calendar.from_ical(
        events_calendar([full], STOCKHOLM, "M", NOW, service=SERVICE)
    ).events
    assert entry["X-MENTORBOT-CAPACITY"] == "12" and entry["X-MENTORBOT-CHILDREN"] == "TRUE"
    assert entry["X-MENTORBOT-DEADLINE"] == "20261020T215900Z"
