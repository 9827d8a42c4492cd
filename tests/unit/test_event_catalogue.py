"""The course catalogue's two file formats: a round trip in every language, each problem by its
line or entry, daylight-saving changes, floating times, and text that stays text."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.calendar_feed import events_calendar
from bot.event_catalogue import (
    MAX_BYTES,
    MAX_ROWS,
    CatalogueProblem,
    CatalogueReason,
    export_catalogue_csv,
    is_calendar,
    is_catalogue,
    parse_catalogue,
)
from bot.events import TEXT_LIMITS, EventProblem, EventText, check_details, too_long
from bot.i18n import translator
from storage.models import Event, EventAudience, EventDetails, EventKind, EventState

TZ = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
HEADER = "id;kind;title;description;starts;ends;place;capacity;audience;children;deadline"
GOOD = "kk-1;course;Anknytning;;2027-02-06 09:00;2027-02-06 12:00;Kulturhuset;12;families;no;"

OUTING = EventDetails(
    kind=EventKind.OUTING,
    title="=Barn <3 & skogen",  # a formula start and markup: text, both ways
    starts_at=datetime(2027, 3, 27, 23, 0, tzinfo=UTC),  # over the spring change in Stockholm
    ends_at=datetime(2027, 3, 28, 9, 0, tzinfo=UTC),
    audience=EventAudience.FAMILIES,
    description="Rad ett\nrad två; med semikolon",
    place='Skogen, "stora" stugan',
    capacity=30,
    children_along=True,
    signup_deadline=datetime(2027, 3, 20, 12, 0, tzinfo=UTC),
    catalogue_id="kk-2027-07",
)
MORNING = replace(
    OUTING,
    kind=EventKind.THEME_MORNING,
    title="Placerade barns hälsa",
    starts_at=datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 CEST, before the autumn change
    ends_at=datetime(2026, 10, 25, 9, 0, tzinfo=UTC),
    description="",
    place="",
    capacity=None,
    children_along=False,
    signup_deadline=None,
    catalogue_id=None,  # made here: its files name it event-7@mentorbot
)
EVENTS = [Event(3, OUTING, EventState.OPEN), Event(7, MORNING, EventState.OPEN)]
EXPECTED = [OUTING, replace(MORNING, catalogue_id="event-7@mentorbot")]

SERVICE = "mentorbot"  # the bot's name in its events' ids


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return "\r\n".join([header, *rows]).encode()


@pytest.mark.parametrize("language", ["sv", "da", "en"])
def test_an_exported_csv_reads_back_unchanged_in_every_language(language: str) -> None:
    data = export_catalogue_csv(EVENTS, TZ, translator(language), service=SERVICE)
    rows, problems = parse_catalogue(data, TZ)
    assert problems == []
    assert [row.details for row in rows] == EXPECTED
    assert [row.line for row in rows] == [2, 4]  # the description's line break is in row 2
    assert data.startswith("\ufeff".encode()) and b"\r\n" in data
    assert is_catalogue(data, any_calendar=False) and not is_calendar(data)


def test_the_export_reads_as_the_coordinator_wrote_it() -> None:
    lines = (
        export_catalogue_csv(EVENTS, TZ, translator("sv"), service=SERVICE)
        .decode("utf-8-sig")
        .split("\r\n")
    )
    assert lines == [
        "id;typ;titel;beskrivning;börjar;slutar;plats;antal platser;målgrupp;barn med;"
        "sista anmälan",
        # Local time (summer time by the end), the formula shown as text, quotes doubled.
        'kk-2027-07;outing;\'=Barn <3 & skogen;"Rad ett\nrad två; med semikolon";'
        '2027-03-28 00:00;2027-03-28 11:00;"Skogen, ""stora"" stugan";30;families;ja;'
        "2027-03-20 13:00",
        "event-7@mentorbot;theme_morning;Placerade barns hälsa;;2026-10-25 02:30;"
        "2026-10-25 10:00;;;families;nej;",
        "",
    ]


def test_an_exported_calendar_reads_back_unchanged() -> None:
    data = events_calendar(EVENTS, TZ, "Kurskatalog", NOW, service=SERVICE)
    assert b"X-MENTORBOT-KIND:outing" in data and b"X-MENTORBOT-CAPACITY:30" in data
    assert b"X-MENTORBOT-DEADLINE:20270320T120000Z" in data
    rows, problems = parse_catalogue(data, TZ)
    assert problems == []
    assert [row.details for row in rows] == EXPECTED
    assert all(row.entry for row in rows) and is_calendar(data)
    assert is_catalogue(data, any_calendar=False)


def test_a_plain_calendar_imports_with_defaults_and_floating_times_are_local() -> None:
    data = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other//EN\r\n"
        "BEGIN:VEVENT\r\nUID:a@other\r\nSUMMARY:Möte <b>1</b>\r\n"
        "DTSTART:20270206T090000\r\nDTEND:20270206T110000\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:b@other\r\nSUMMARY:Heldag\r\n"
        "DTSTART;VALUE=DATE:20270207\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:c@other\r\nSUMMARY:Utc\r\nLOCATION:Sal 2\r\n"
        "DTSTART:20270208T080000Z\r\nDURATION:PT90M\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    ).encode()
    rows, problems = parse_catalogue(data, TZ)
    assert problems == []
    first, whole_day, utc = (row.details for row in rows)
    assert first.title == "Möte <b>1</b>"  # text, not markup
    assert (first.starts_at, first.ends_at) == (
        datetime(2027, 2, 6, 8, 0, tzinfo=UTC),
        datetime(2027, 2, 6, 10, 0, tzinfo=UTC),
    )
    assert (first.kind, first.audience, first.capacity) == (
        EventKind.OTHER,
        EventAudience.EVERYONE,
        None,
    )
    assert not first.children_along and first.signup_deadline is None
    assert whole_day.starts_at == datetime(2027, 2, 6, 23, 0, tzinfo=UTC)
    assert whole_day.ends_at - whole_day.starts_at == timedelta(days=1)
    assert utc.ends_at - utc.starts_at == timedelta(minutes=90) and utc.place == "Sal 2"


def test_day_first_dates_and_seconds_as_excel_writes_them_back_read_the_same() -> None:
    excel = GOOD.replace("2027-02-06 09:00", "06-02-2027 09:00:00").replace(
        "2027-02-06 12:00", "06.02.2027 12:00"
    )
    assert parse_catalogue(csv_file(excel), TZ) == parse_catalogue(csv_file(GOOD), TZ)


def problems_of(data: bytes) -> list[CatalogueProblem]:
    rows, problems = parse_catalogue(data, TZ)
    assert problems, rows
    return problems


def cell(column: str, value: str) -> str:
    """GOOD with one cell replaced."""
    cells = dict(zip(HEADER.split(";"), GOOD.split(";"), strict=True))
    cells[column] = value
    return ";".join(cells.values())


ICS_HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
ICS_ENTRY = "BEGIN:VEVENT\r\nUID:u1\r\nSUMMARY:x\r\nDTSTART:20270206T090000Z\r\n{}END:VEVENT\r\n"


def ics(*extra: str) -> bytes:
    return (ICS_HEAD + "".join(ICS_ENTRY.format(e) for e in extra) + "END:VCALENDAR\r\n").encode()


CASES = [
    (b"\xff\xfeh\x00", CatalogueProblem(1, CatalogueReason.NOT_TEXT)),
    (b"x" * (MAX_BYTES + 1), CatalogueProblem(1, CatalogueReason.TOO_LARGE)),
    (csv_file(), CatalogueProblem(1, CatalogueReason.EMPTY)),
    (b"", CatalogueProblem(1, CatalogueReason.EMPTY)),
    (ics(), CatalogueProblem(1, CatalogueReason.EMPTY)),
    (b"BEGIN:VCALENDAR\r\nnonsense\r\n", CatalogueProblem(1, CatalogueReason.NOT_CALENDAR)),
    (
        csv_file(GOOD, header=HEADER.replace("kind", "sort")),
        CatalogueProblem(1, CatalogueReason.BAD_HEADER, HEADER.replace("kind", "sort")[:40]),
    ),
    (
        csv_file(GOOD, "kk-2;course"),
        CatalogueProblem(3, CatalogueReason.FIELD_COUNT, "kk-2;course"),
    ),
    (csv_file(cell("id", "")), CatalogueProblem(2, CatalogueReason.NO_ID)),
    (csv_file(GOOD, GOOD), CatalogueProblem(3, CatalogueReason.DUPLICATE_ID, "kk-1")),
    (csv_file(cell("audience", "")), CatalogueProblem(2, CatalogueReason.MISSING, "audience")),
    (csv_file(cell("kind", "kurs")), CatalogueProblem(2, CatalogueReason.BAD_KIND, "kurs")),
    (csv_file(cell("audience", "alla")), CatalogueProblem(2, CatalogueReason.BAD_AUDIENCE, "alla")),
    (
        csv_file(cell("starts", "2027-02-30 09:00")),
        CatalogueProblem(2, CatalogueReason.BAD_TIME, "2027-02-30 09:00"),
    ),
    (
        csv_file(cell("starts", "2027-03-28 02:30")),
        CatalogueProblem(2, CatalogueReason.NONEXISTENT_TIME, "2027-03-28 02:30"),
    ),
    (csv_file(cell("capacity", "12,5")), CatalogueProblem(2, CatalogueReason.BAD_CAPACITY, "12,5")),
    (
        csv_file(cell("children", "kanske")),
        CatalogueProblem(2, CatalogueReason.BAD_CHILDREN, "kanske"),
    ),
    (csv_file(cell("title", "x" * 121)), CatalogueProblem(2, CatalogueReason.TOO_LONG, "title")),
    (csv_file(cell("place", "x" * 201)), CatalogueProblem(2, CatalogueReason.TOO_LONG, "place")),
    (
        ics(f"DESCRIPTION:{'x' * 1501}\r\n"),
        CatalogueProblem(1, CatalogueReason.TOO_LONG, "description", "u1"),
    ),
    (
        ics("STATUS:CANCELLED\r\n"),
        CatalogueProblem(1, CatalogueReason.CANCELLED_ENTRY, "", "u1"),
    ),
    (
        ics("X-MENTORBOT-DEADLINE:2027-01-01\r\n"),
        CatalogueProblem(1, CatalogueReason.BAD_TIME, "2027-01-01", "u1"),
    ),
    (
        (ICS_HEAD + "BEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode(),
        CatalogueProblem(1, CatalogueReason.MISSING, "DTSTART", ""),
    ),
]


@pytest.mark.parametrize(("data", "expected"), CASES)
def test_each_problem_is_named_by_its_line_or_entry(
    data: bytes, expected: CatalogueProblem
) -> None:
    assert expected in problems_of(data)


def test_every_reason_a_file_can_have_is_covered() -> None:
    covered = {expected.reason for _, expected in CASES} | {CatalogueReason.TOO_MANY_ROWS}
    # EVENT_CANCELLED is the import's (tests/unit/test_catalogue_import.py).
    assert covered == set(CatalogueReason) - {CatalogueReason.EVENT_CANCELLED}


def test_all_problems_of_a_file_come_at_once_and_nothing_is_read_past_the_limit() -> None:
    bad = [cell("kind", "kurs"), cell("capacity", "x"), GOOD.replace("kk-1", "kk-9")]
    problems = problems_of(csv_file(*bad))
    assert [(p.line, p.reason) for p in problems] == [
        (2, CatalogueReason.BAD_KIND),
        (3, CatalogueReason.BAD_CAPACITY),
    ]
    many = [GOOD.replace("kk-1", f"kk-{n}") for n in range(MAX_ROWS + 5)]
    assert problems_of(csv_file(*many)) == [
        CatalogueProblem(MAX_ROWS + 2, CatalogueReason.TOO_MANY_ROWS)
    ]


def test_an_autumn_time_that_happens_twice_is_its_first_occurrence() -> None:
    (only,), _ = parse_catalogue(csv_file(cell("starts", "2026-10-25 02:30")), TZ)
    assert only.details.starts_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_a_rota_file_is_no_catalogue_and_a_plain_calendar_is_one_only_to_a_coordinator() -> None:
    rota = b"member;date;start;end\r\n12;2027-01-01;17:00;22:00\r\n"
    assert not is_catalogue(rota, any_calendar=True)
    assert not is_catalogue(b"\x89PNG\r\n", any_calendar=True)
    assert is_catalogue(csv_file(GOOD, header=HEADER.upper()), any_calendar=False)
    appointment = ics("")
    assert is_catalogue(appointment, any_calendar=True)
    assert not is_catalogue(appointment, any_calendar=False)


@pytest.mark.parametrize("field", list(EventText))
def test_the_import_refuses_the_lengths_event_new_refuses(field: EventText) -> None:
    limit = TEXT_LIMITS[field]
    rows, problems = parse_catalogue(csv_file(cell(field.value, "å" * limit)), TZ)
    assert problems == [] and not too_long(field, "å" * limit)
    longer = "å" * (limit + 1)
    assert too_long(field, longer)
    assert problems_of(csv_file(cell(field.value, longer))) == [
        CatalogueProblem(2, CatalogueReason.TOO_LONG, field.value)
    ]
    # And the stored event refuses it, whichever way it comes.
    details = rows[0].details
    longer_details = {
        EventText.TITLE: replace(details, title=longer),
        EventText.DESCRIPTION: replace(details, description=longer),
        EventText.PLACE: replace(details, place=longer),
    }[field]
    assert check_details(longer_details, NOW) is EventProblem.TOO_LONG
