"""The shared course catalogue as a file: a CSV in the Nordic Excel dialect, or an .ics.

Ten municipalities make one catalogue together and hand it on as a file, so each event in it
carries a stable id (a CSV row's id cell, a VEVENT's UID): importing next year's catalogue then
updates and adds instead of duplicating. This module only reads and writes the two formats;
which rows are new, changed or unchanged is bot/catalogue_import.py's, against the database.

- The CSV has one row per event. The header names the columns in any of the bot's languages
  (the export writes the reader's), kind and audience are the codes the README lists, times are
  the service's local wall-clock time as `YYYY-MM-DD HH:MM`, and the rota's forgiveness of what
  spreadsheet programs do to a file on its way back (bot/spreadsheet.py) holds here too.
- The .ics is read from any calendar: a VEVENT's UID, SUMMARY, DESCRIPTION, LOCATION, DTSTART
  and DTEND (or DURATION), with a TZID, in UTC, or floating (the service's local time); what a
  calendar has no word for comes from `X-MENTORBOT-…` properties, with defaults when they are
  absent, so that a plain calendar from another system imports too. It is written by
  bot/calendar_feed.py, which adds those properties, so an export reads back as it was.

Every problem is collected with where it is (a CSV line, or a VEVENT's position and UID), so one
reply names everything to fix; the caller imports all rows or none. Pure: no clock, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component

from bot.calendar_feed import X_AUDIENCE, X_CAPACITY, X_CHILDREN, X_DEADLINE, X_KIND, event_uid
from bot.config import LANGUAGES
from bot.events import EventProblem, overlong
from bot.i18n import N_, Translator, translator
from bot.rota import NonexistentLocalTime, local_moment
from bot.spreadsheet import (
    ShapeProblem,
    column_names,
    decode,
    delimiter_of,
    nordic_csv,
    read_clock,
    read_day,
    read_text_cell,
    records,
    table_rows,
    text_cell,
)
from storage.models import Event, EventAudience, EventDetails, EventKind

MAX_BYTES = 1_000_000  # refused before parsing; a year's catalogue is a few hundred rows
MAX_ROWS = 1_000
VALUE_LENGTH = 40  # enough to recognise a cell in a chat message, short enough not to flood it

COLUMNS = (
    "id",
    "kind",
    "title",
    "description",
    "starts",
    "ends",
    "place",
    "capacity",
    "audience",
    "children",
    "deadline",
)
_COLUMN_NAMES = {
    "id": N_("catalogue.column_id"),
    "kind": N_("catalogue.column_kind"),
    "title": N_("catalogue.column_title"),
    "description": N_("catalogue.column_description"),
    "starts": N_("catalogue.column_starts"),
    "ends": N_("catalogue.column_ends"),
    "place": N_("catalogue.column_place"),
    "capacity": N_("catalogue.column_capacity"),
    "audience": N_("catalogue.column_audience"),
    "children": N_("catalogue.column_children"),
    "deadline": N_("catalogue.column_deadline"),
}
# What may be left empty: a missing description, place, limit or deadline, children not along.
_OPTIONAL = {"description", "place", "capacity", "children", "deadline"}
_YES, _NO = N_("catalogue.yes"), N_("catalogue.no")

# A plain calendar's entry, without them: open to every member, no limit, no deadline.
DEFAULT_KIND = EventKind.OTHER
DEFAULT_AUDIENCE = EventAudience.EVERYONE

_CAPACITY = re.compile(r"[0-9]{1,9}")
_ICAL_MOMENT = re.compile(r"([0-9]{8}T[0-9]{6})(Z?)")
_MOMENT = re.compile(r"(\S+)[ T]([0-9]{1,2}:[0-9]{2})(?::00)?")


class CatalogueReason(StrEnum):
    """Why a file or a row was refused, besides the rules an event must meet (EventProblem)."""

    NOT_TEXT = "not_text"  # not UTF-8, or NUL bytes
    TOO_LARGE = "too_large"  # over MAX_BYTES
    TOO_MANY_ROWS = "too_many_rows"  # over MAX_ROWS rows or entries
    EMPTY = "empty"  # no rows, or a calendar without entries
    BAD_HEADER = "bad_header"  # not the COLUMNS once each
    NOT_CALENDAR = "not_calendar"  # an .ics that iCalendar rules cannot read
    FIELD_COUNT = "field_count"  # a row without one cell per column
    NO_ID = "no_id"  # an empty id cell, or an entry without a UID
    DUPLICATE_ID = "duplicate_id"  # an id an earlier row of the file has
    MISSING = "missing"  # an empty cell that must have a value (the column's name is the value)
    BAD_KIND = "bad_kind"
    BAD_AUDIENCE = "bad_audience"
    BAD_TIME = "bad_time"  # not YYYY-MM-DD HH:MM (or a calendar's date-time)
    NONEXISTENT_TIME = "nonexistent_time"  # skipped when the clocks spring forward
    BAD_CAPACITY = "bad_capacity"  # not a whole number
    BAD_CHILDREN = "bad_children"  # not yes or no
    TOO_LONG = "too_long"  # a title, description or place over bot.events.TEXT_LIMITS (its name)
    CANCELLED_ENTRY = "cancelled_entry"  # an .ics entry marked CANCELLED: nothing to import
    EVENT_CANCELLED = "event_cancelled"  # the id of an event cancelled here (bot.catalogue_import)


Reason = CatalogueReason | EventProblem


@dataclass(frozen=True, slots=True)
class CatalogueProblem:
    """One thing to fix: the 1-based CSV line (header = 1) or the VEVENT's position, why, and
    what was there. `entry` is the UID of a calendar's entry ("" without one), None in a CSV."""

    line: int
    reason: Reason
    value: str = ""
    entry: str | None = None


@dataclass(frozen=True, slots=True)
class CatalogueRow:
    """A row (or an entry) that reads: the event as it says, its id as `catalogue_id`."""

    line: int
    details: EventDetails
    entry: bool = False  # read from an .ics entry: `line` is its position

    @property
    def uid(self) -> str:
        assert self.details.catalogue_id is not None  # a row without an id is a problem
        return self.details.catalogue_id

    def problem(self, reason: Reason, value: str = "") -> CatalogueProblem:
        """A problem found later (by the import) at this row's place in the file."""
        return CatalogueProblem(
            self.line, reason, value[:VALUE_LENGTH], self.uid if self.entry else None
        )


Parsed = tuple[list[CatalogueRow], list[CatalogueProblem]]


def is_calendar(data: bytes) -> bool:
    """Whether the file is an iCalendar file, by its first line."""
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").upper().startswith(b"BEGIN:VCALENDAR")


def is_catalogue(data: bytes, *, any_calendar: bool) -> bool:
    """Whether a file is a catalogue rather than a rota file or an appointment.

    A CSV is one when its header names an id and a title column (in any language): a rota file
    has neither. An .ics is one when it carries this bot's X- properties, or with `any_calendar`
    whatever it carries: a coordinator sends a calendar to import it, while a member's plain
    calendar file is an appointment on its way to a mentor.
    """
    text = decode(data)
    if isinstance(text, int):
        return False
    if is_calendar(data):
        return any_calendar or "X-MENTORBOT-" in text.upper()
    first = next(records(text, delimiter_of(text)), None)
    known = _column_of_name()
    named = {known.get(cell.lower()) for cell in first[1]} if first else set()
    return {"id", "title"} <= named


def parse_catalogue(data: bytes, tz: ZoneInfo) -> Parsed:
    """Every row that reads, and every problem; the caller imports nothing if there are any.

    An .ics (by its first line) is read as a calendar, anything else as a CSV. Problems with
    the file as a whole are on line 1; reading stops at a bad header and past MAX_ROWS.
    """
    if len(data) > MAX_BYTES:
        return [], [CatalogueProblem(1, CatalogueReason.TOO_LARGE)]
    text = decode(data)
    if isinstance(text, int):
        return [], [CatalogueProblem(text, CatalogueReason.NOT_TEXT)]
    rows, problems = _calendar(text, tz) if is_calendar(data) else _csv(text, tz)
    return rows, [*problems, *_duplicates(rows)]


def _problem(line: int, reason: Reason, value: str = "") -> CatalogueProblem:
    return CatalogueProblem(line, reason, value[:VALUE_LENGTH])


def _duplicates(rows: list[CatalogueRow]) -> list[CatalogueProblem]:
    """A second row with an id: which of the two is meant would be a guess."""
    seen: set[str] = set()
    found = []
    for row in rows:
        if row.uid in seen:
            found.append(row.problem(CatalogueReason.DUPLICATE_ID, row.uid))
        seen.add(row.uid)
    return found


# The CSV ------------------------------------------------------------------------------------


@cache
def _column_of_name() -> dict[str, str]:
    return column_names(_COLUMN_NAMES)


@cache
def _children_words() -> dict[str, bool]:
    """yes and no in each language (and 1 and 0), lower case -> the value."""
    words = {"1": True, "0": False, "true": True, "false": False}
    for language in LANGUAGES:
        t = translator(language)
        words.update({t(_YES).lower(): True, t(_NO).lower(): False})
    return words


def export_header(t: Translator) -> list[str]:
    return [column_label(t, column) for column in COLUMNS]


def column_label(t: Translator, column: str) -> str:
    """A column's name in t's language; a calendar's property (DTSTART) is its own name."""
    return t(_COLUMN_NAMES[column]) if column in _COLUMN_NAMES else column


def _column_order(header: list[str]) -> list[int] | None:
    """Where each of COLUMNS is, or None unless the header names each exactly once: a column
    the bot does not know would be lost unseen, so it is refused rather than ignored."""
    known = _column_of_name()
    columns = [known.get(cell.lower()) for cell in header]
    if sorted(column or "" for column in columns) != sorted(COLUMNS):
        return None
    return [columns.index(column) for column in COLUMNS]


def _csv(text: str, tz: ZoneInfo) -> Parsed:
    rows: list[CatalogueRow] = []
    problems: list[CatalogueProblem] = []
    for found in table_rows(text, _column_order, MAX_ROWS):
        if isinstance(found, ShapeProblem):
            problems.append(_problem(found.line, CatalogueReason(found.reason), found.value))
            continue
        line, cells = found
        result = _csv_row(line, dict(zip(COLUMNS, cells, strict=True)), tz)
        if isinstance(result, CatalogueRow):
            rows.append(result)
        else:
            problems.extend(result)
    return rows, problems


def _csv_row(
    line: int, cells: dict[str, str], tz: ZoneInfo
) -> CatalogueRow | list[CatalogueProblem]:
    problems: list[CatalogueProblem] = []

    def note(reason: Reason, value: str) -> None:
        problems.append(_problem(line, reason, value))

    for column, cell in cells.items():
        if not cell and column not in _OPTIONAL and column not in ("id", "title"):
            note(CatalogueReason.MISSING, column)
    if not cells["id"]:
        note(CatalogueReason.NO_ID, "")
    kind = _kind(cells["kind"]) if cells["kind"] else None
    if cells["kind"] and kind is None:
        note(CatalogueReason.BAD_KIND, cells["kind"])
    audience = _audience(cells["audience"]) if cells["audience"] else None
    if cells["audience"] and audience is None:
        note(CatalogueReason.BAD_AUDIENCE, cells["audience"])
    moments: dict[str, datetime | None] = {}
    for column in ("starts", "ends", "deadline"):
        moment = _local_cell(cells[column], tz) if cells[column] else None
        if isinstance(moment, CatalogueProblem):
            note(moment.reason, moment.value)
            moment = None
        moments[column] = moment
    capacity = cells["capacity"]
    if capacity and not _CAPACITY.fullmatch(capacity):
        note(CatalogueReason.BAD_CAPACITY, capacity)
    children = _children_words().get(cells["children"].lower()) if cells["children"] else False
    if children is None:
        note(CatalogueReason.BAD_CHILDREN, cells["children"])
    title, description, place = (
        read_text_cell(cells[column]) for column in ("title", "description", "place")
    )
    for field in overlong(title, description, place):
        note(CatalogueReason.TOO_LONG, field.value)
    starts, ends = moments["starts"], moments["ends"]
    if problems or kind is None or audience is None or starts is None or ends is None:
        return problems
    details = EventDetails(
        kind=kind,
        title=title,
        starts_at=starts,
        ends_at=ends,
        audience=audience,
        description=description,
        place=place,
        capacity=int(capacity) if capacity else None,
        children_along=bool(children),
        signup_deadline=moments["deadline"],
        catalogue_id=read_text_cell(cells["id"]),
    )
    return CatalogueRow(line, details)


def _kind(cell: str) -> EventKind | None:
    try:
        return EventKind(cell.lower())
    except ValueError:
        return None


def _audience(cell: str) -> EventAudience | None:
    try:
        return EventAudience(cell.lower())
    except ValueError:
        return None


def _local(day: date, clock: time, tz: ZoneInfo) -> datetime | CatalogueProblem:
    """A wall-clock time of the service made real (UTC), as the rota makes one."""
    try:
        return local_moment(day, clock, tz).astimezone(UTC)
    except NonexistentLocalTime as error:
        return _problem(0, CatalogueReason.NONEXISTENT_TIME, f"{error.moment:%Y-%m-%d %H:%M}")
    except OverflowError:  # 9999-12-31 23:30 in a zone east of UTC
        return _problem(0, CatalogueReason.BAD_TIME, f"{day} {clock:%H:%M}")


def _local_cell(cell: str, tz: ZoneInfo) -> datetime | CatalogueProblem:
    """`YYYY-MM-DD HH:MM` (or a date written back day first, or with seconds) in local time."""
    match = _MOMENT.fullmatch(cell)
    day = read_day(match[1]) if match else None
    clock = read_clock(match[2]) if match else None
    if day is None or clock is None:
        return _problem(0, CatalogueReason.BAD_TIME, cell)
    return _local(day, clock, tz)


def _local_text(moment: datetime, tz: ZoneInfo) -> str:
    return f"{moment.astimezone(tz):%Y-%m-%d %H:%M}"


def export_catalogue_csv(
    events: Iterable[Event], tz: ZoneInfo, t: Translator, *, service: str
) -> bytes:
    """The events in the format parse_catalogue reads, in the order given, the header and yes or
    no in t's language; text the coordinator typed is a cell of text, never a formula."""
    lines: list[Sequence[object]] = [export_header(t)]
    for event in events:
        details = event.details
        deadline = details.signup_deadline
        lines.append(
            [
                text_cell(event_uid(event, service)),
                details.kind.value,
                text_cell(details.title),
                text_cell(details.description),
                _local_text(details.starts_at, tz),
                _local_text(details.ends_at, tz),
                text_cell(details.place),
                "" if details.capacity is None else details.capacity,
                details.audience.value,
                t(_YES if details.children_along else _NO),
                "" if deadline is None else _local_text(deadline, tz),
            ]
        )
    return nordic_csv(lines)


# The .ics -----------------------------------------------------------------------------------


def _calendar(text: str, tz: ZoneInfo) -> Parsed:
    try:
        calendar = Calendar.from_ical(text)
    except ValueError:
        return [], [_problem(1, CatalogueReason.NOT_CALENDAR)]
    entries = calendar.walk("VEVENT")
    if not entries:
        return [], [_problem(1, CatalogueReason.EMPTY)]
    if len(entries) > MAX_ROWS:
        return [], [_problem(1, CatalogueReason.TOO_MANY_ROWS)]
    rows: list[CatalogueRow] = []
    problems: list[CatalogueProblem] = []
    for position, entry in enumerate(entries, start=1):
        result = _entry(position, entry, tz)
        if isinstance(result, CatalogueRow):
            rows.append(result)
        else:
            problems.extend(result)
    return rows, problems


def _text(entry: Component, name: str) -> str:
    value = entry.get(name)
    return "" if value is None else str(value).strip()


def _entry_moment(
    entry: Component, name: str, tz: ZoneInfo
) -> datetime | date | CatalogueProblem | None:
    """DTSTART or DTEND as real time; a floating time is the service's local time, and a date
    (an all-day entry) is returned as it is, for the caller to make midnight of."""
    if name.lower() not in entry:
        return None
    value = entry.decoded(name)
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            return _local(value.date(), value.time(), tz)
        return value.astimezone(UTC)
    if isinstance(value, date):
        return value
    return _problem(0, CatalogueReason.BAD_TIME, _text(entry, name))


def _entry_span(
    entry: Component, tz: ZoneInfo
) -> tuple[datetime, datetime] | list[CatalogueProblem]:
    start = _entry_moment(entry, "DTSTART", tz)
    end = _entry_moment(entry, "DTEND", tz)
    if start is None:
        return [_problem(0, CatalogueReason.MISSING, "DTSTART")]
    if isinstance(start, CatalogueProblem) or isinstance(end, CatalogueProblem):
        return [p for p in (start, end) if isinstance(p, CatalogueProblem)]
    if end is None:  # RFC 5545: a DURATION, else a day for a date and no time for a moment
        duration = entry.decoded("DURATION") if "duration" in entry else None
        if not isinstance(duration, timedelta):
            duration = timedelta(days=1) if not isinstance(start, datetime) else timedelta(0)
        end = start + duration
    moments: list[datetime] = []
    for moment in (start, end):
        # An all-day entry runs from local midnight.
        real = moment if isinstance(moment, datetime) else _local(moment, time(0), tz)
        if isinstance(real, CatalogueProblem):
            return [real]
        moments.append(real)
    return moments[0], moments[1]


def _entry(position: int, entry: Component, tz: ZoneInfo) -> CatalogueRow | list[CatalogueProblem]:
    uid = _text(entry, "UID")
    problems: list[CatalogueProblem] = []

    def note(reason: Reason, value: str = "") -> None:
        problems.append(CatalogueProblem(position, reason, value[:VALUE_LENGTH], uid))

    if not uid:
        note(CatalogueReason.NO_ID)
    if _text(entry, "STATUS").upper() == "CANCELLED":
        note(CatalogueReason.CANCELLED_ENTRY)
    span = _entry_span(entry, tz)
    if isinstance(span, list):
        for problem in span:
            note(problem.reason, problem.value)
    raw_kind, raw_audience = _text(entry, X_KIND), _text(entry, X_AUDIENCE)
    kind = _kind(raw_kind) if raw_kind else DEFAULT_KIND
    if kind is None:
        note(CatalogueReason.BAD_KIND, raw_kind)
    audience = _audience(raw_audience) if raw_audience else DEFAULT_AUDIENCE
    if audience is None:
        note(CatalogueReason.BAD_AUDIENCE, raw_audience)
    capacity = _text(entry, X_CAPACITY)
    if capacity and not _CAPACITY.fullmatch(capacity):
        note(CatalogueReason.BAD_CAPACITY, capacity)
    raw_children = _text(entry, X_CHILDREN)
    children = _children_words().get(raw_children.lower()) if raw_children else False
    if children is None:
        note(CatalogueReason.BAD_CHILDREN, raw_children)
    deadline = _deadline(_text(entry, X_DEADLINE), tz)
    if isinstance(deadline, CatalogueProblem):
        note(deadline.reason, deadline.value)
    title, description, place = (
        _text(entry, name) for name in ("SUMMARY", "DESCRIPTION", "LOCATION")
    )
    for field in overlong(title, description, place):
        note(CatalogueReason.TOO_LONG, field.value)
    if problems or isinstance(span, list) or kind is None or audience is None:
        return problems
    details = EventDetails(
        kind=kind,
        title=title,
        starts_at=span[0],
        ends_at=span[1],
        audience=audience,
        description=description,
        place=place,
        capacity=int(capacity) if capacity else None,
        children_along=bool(children),
        signup_deadline=deadline if isinstance(deadline, datetime) else None,
        catalogue_id=uid,
    )
    return CatalogueRow(position, details, entry=True)


def _deadline(value: str, tz: ZoneInfo) -> datetime | CatalogueProblem | None:
    """X-MENTORBOT-DEADLINE as an iCalendar date-time: in UTC (…Z, as written), else local."""
    if not value:
        return None
    match = _ICAL_MOMENT.fullmatch(value)
    try:
        moment = datetime.strptime(match[1], "%Y%m%dT%H%M%S") if match else None
    except ValueError:  # 20270230T120000
        moment = None
    if match is None or moment is None:
        return _problem(0, CatalogueReason.BAD_TIME, value)
    if not match[2]:
        return _local(moment.date(), moment.time(), tz)
    return moment.replace(tzinfo=UTC)


def with_id(row: CatalogueRow, catalogue_id: str | None) -> EventDetails:
    """The row's details under the id an event already has (None for one made here, whose
    files name it event-N@ the bot's name)."""
    return replace(row.details, catalogue_id=catalogue_id)
