"""Planning the rota by spreadsheet: a season of shifts as one CSV file, in and out.

A coordinator plans weeks ahead in Excel or LibreOffice far faster than shift by shift in a
chat, so the bot accepts a file with the columns member, date, start and end (and, ignored, the
household's name) and sends the same format back. Parsing collects every problem with its line
instead of stopping at the first, so one reply lists everything to fix, and the caller imports
all rows or none: half a rota is worse than the old one.

The export is written in the Nordic dialect of `bot.spreadsheet`, with the header in the
coordinator's language and the household's name beside its number, so that a double click opens
it in columns a person can read. Spreadsheet programs are forgiven what they routinely do to a
file on its way back: a byte order mark or none, CRLF, semicolons or commas, padded cells, empty
rows, `8:00` for 08:00, a date written back day first, the name column deleted, the header in
any of the bot's languages. Anything that would need a guess about what the coordinator meant
is a problem instead. Wall-clock times become real time through `local_span` alone, so a file
and a chat command agree on nights and daylight-saving changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo

from bot.i18n import N_, Translator
from bot.rota import EmptyShift, Interval, NonexistentLocalTime, ShiftTimeError, local_span
from bot.spreadsheet import (
    ShapeProblem,
    column_names,
    decode,
    nordic_csv,
    read_clock,
    read_day,
    table_rows,
    text_cell,
)
from storage.models import Shift

MAX_BYTES = 1_000_000  # refused before parsing; a season is a few thousand short lines
MAX_ROWS = 2_000
COLUMNS = ("member", "date", "start", "end")  # what a row must have, in the parser's order
NAME = "name"  # the household's name: written for people to read, ignored when read back
EXPORT_COLUMNS = ("member", NAME, "date", "start", "end")
_COLUMN_NAMES = {
    "member": N_("csv.column_member"),
    NAME: N_("csv.column_name"),
    "date": N_("csv.column_date"),
    "start": N_("csv.column_start"),
    "end": N_("csv.column_end"),
}
VALUE_LENGTH = 40  # enough to recognise a cell in a chat message, short enough not to flood it

# ASCII digits only: int() would also take other scripts' digits, which no spreadsheet writes.
# At most 18 digits, so a number always fits the database's 64-bit integers.
_MEMBER = re.compile(r"#?([0-9]{1,18})")


class CsvReason(StrEnum):
    """Why a line was refused; each value is one translated line in the bot."""

    NOT_TEXT = "not_text"  # not UTF-8, or NUL bytes: a binary file or a UTF-16 export
    TOO_LARGE = "too_large"  # over MAX_BYTES
    TOO_MANY_ROWS = "too_many_rows"  # over MAX_ROWS data rows
    EMPTY = "empty"  # no data rows
    BAD_HEADER = "bad_header"  # missing, or not the four COLUMNS (and NAME) once each
    FIELD_COUNT = "field_count"  # a row without one cell per column, or one csv rules reject
    BAD_MEMBER = "bad_member"  # not a positive number, optionally written #12
    BAD_DATE = "bad_date"  # not a real YYYY-MM-DD
    BAD_TIME = "bad_time"  # not HH:MM (or H:MM) on a 24-hour clock
    EMPTY_SHIFT = "empty_shift"  # start == end
    NONEXISTENT_TIME = "nonexistent_time"  # skipped when the clocks spring forward


@dataclass(frozen=True, slots=True)
class CsvProblem:
    """One thing to fix: the 1-based line of the file (header = 1), why, and what was there."""

    line: int
    reason: CsvReason
    value: str = ""


@dataclass(frozen=True, slots=True)
class PlannedShift:
    """A row that parsed: the member number as written, and the span in UTC and as typed."""

    line: int
    member_id: int
    span: Interval
    local_day: date
    local_start: time
    local_end: time


def _problem(line: int, reason: CsvReason, value: str = "") -> CsvProblem:
    return CsvProblem(line, reason, value[:VALUE_LENGTH])


def export_header(t: Translator) -> list[str]:
    """The export's header in the reader's language; any language's reads back."""
    return [t(_COLUMN_NAMES[column]) for column in EXPORT_COLUMNS]


@cache
def _column_of_name() -> dict[str, str]:
    return column_names(_COLUMN_NAMES)


def _column_order(header: list[str]) -> list[int] | None:
    """Where member, date, start and end are, or None unless the header names each once.

    The name column may be there or not; any other column is refused rather than ignored,
    since a cell that means something to the coordinator would otherwise be lost unseen.
    """
    known = _column_of_name()
    columns = [known.get(cell.lower()) for cell in header]
    present = sorted(column for column in columns if column is not None and column != NAME)
    if None in columns or columns.count(NAME) > 1 or present != sorted(COLUMNS):
        return None
    return [columns.index(column) for column in COLUMNS]


def _member(cell: str) -> int | None:
    match = _MEMBER.fullmatch(cell)
    number = int(match[1]) if match else 0
    return number if number > 0 else None


def _row(line: int, cells: list[str], tz: ZoneInfo) -> PlannedShift | list[CsvProblem]:
    """One data row, cells in COLUMNS order: the shift, or every problem in it."""
    member, day, start, end = cells
    member_id = _member(member)
    local_day = read_day(day)
    local_start, local_end = read_clock(start), read_clock(end)
    if member_id is None or local_day is None or local_start is None or local_end is None:
        return [
            _problem(line, reason, cell)
            for parsed, reason, cell in (
                (member_id, CsvReason.BAD_MEMBER, member),
                (local_day, CsvReason.BAD_DATE, day),
                (local_start, CsvReason.BAD_TIME, start),
                (local_end, CsvReason.BAD_TIME, end),
            )
            if parsed is None
        ]
    try:
        span = local_span(local_day, local_start, local_end, tz)
    except EmptyShift:
        return [_problem(line, CsvReason.EMPTY_SHIFT, f"{start}-{end}")]
    except NonexistentLocalTime as error:
        return [_problem(line, CsvReason.NONEXISTENT_TIME, f"{error.moment:%Y-%m-%d %H:%M}")]
    except OverflowError:  # 9999-12-31 22:00-08:00 would end after the last date there is
        return [_problem(line, CsvReason.BAD_DATE, day)]
    return PlannedShift(line, member_id, span, local_day, local_start, local_end)


def parse_shift(
    member: str, day: str, start: str, end: str, tz: ZoneInfo
) -> PlannedShift | list[CsvProblem]:
    """One shift typed in a chat command, read by exactly the rules of a CSV row (line 0)."""
    return _row(0, [member, day, start, end], tz)


def parse_rota_csv(data: bytes, tz: ZoneInfo) -> tuple[list[PlannedShift], list[CsvProblem]]:
    """All rows that parse, and every problem; the caller imports nothing if problems is non-empty.

    Problems about the file as a whole (too large, empty) are on line 1; a file that is not text
    is reported at the line of its first offending byte. Reading stops at a bad header, since
    the rows cannot be understood without it, and at the first row past MAX_ROWS
    (`bot.spreadsheet.table_rows`, which the catalogue reads its files with too).
    """
    if len(data) > MAX_BYTES:
        return [], [_problem(1, CsvReason.TOO_LARGE)]
    text = decode(data)
    if isinstance(text, int):
        return [], [_problem(text, CsvReason.NOT_TEXT)]
    planned: list[PlannedShift] = []
    problems: list[CsvProblem] = []
    for found in table_rows(text, _column_order, MAX_ROWS):
        if isinstance(found, ShapeProblem):
            problems.append(_problem(found.line, CsvReason(found.reason), found.value))
            continue
        result = _row(*found, tz)
        if isinstance(result, PlannedShift):
            planned.append(result)
        else:
            problems.extend(result)
    return planned, problems


def _local_cells(shift: Shift, tz: ZoneInfo) -> tuple[str, str, str]:
    """Date, start and end as the coordinator reads them, checked to read back as this shift.

    The format holds a wall-clock span of less than a day starting at a whole minute, with an
    autumn time that happens twice meaning its first occurrence. Rather than write a line that
    imports as a different shift (longer than 24 hours, starting in the repeated hour, with
    seconds), the shift is refused. Everything `local_span` produced reads back unchanged.
    """
    start = shift.starts_at.astimezone(tz)
    end = shift.ends_at.astimezone(tz)
    start_clock, end_clock = time(start.hour, start.minute), time(end.hour, end.minute)
    try:
        fits = local_span(start.date(), start_clock, end_clock, tz) == Interval(
            shift.starts_at, shift.ends_at
        )
    except ShiftTimeError:  # 24 hours exactly reads as empty
        fits = False
    if not fits:
        raise ValueError(
            f"shift {shift.id} ({start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} {tz.key}) "
            "cannot be written as one date with a start and an end time"
        )
    return start.date().isoformat(), f"{start_clock:%H:%M}", f"{end_clock:%H:%M}"


@dataclass(frozen=True, slots=True)
class ExportRow:
    """A shift as the file names it: the household by a member's number, and its name."""

    member_id: int
    name: str | None
    shift: Shift


def export_rota_csv(rows: Iterable[ExportRow], tz: ZoneInfo, t: Translator) -> bytes:
    """The rows in the format parse_rota_csv reads, ordered as given, the header in t's language.

    A shift whose local end is on the next day is written with the end time only, as a
    coordinator would type it. A name is a cell of text, never a formula. Raises ValueError for
    a shift the format cannot express, such as one longer than 24 hours.
    """
    lines: list[Sequence[object]] = [export_header(t)]
    for row in rows:
        name = text_cell(row.name or "")
        day, start, end = _local_cells(row.shift, tz)
        lines.append([row.member_id, name, day, start, end])
    return nordic_csv(lines)
