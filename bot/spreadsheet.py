"""The CSV dialect of the spreadsheets people here double-click: Excel in Sweden and Denmark.

Where the comma is the decimal separator, Excel splits a CSV file at `;` and reads a file
without a byte order mark in the old Windows code page: a comma file opens as one column and å,
ä, ö, æ and ø come out garbled. So every CSV the bot writes has `;` between cells, CRLF line
ends and UTF-8 with a byte order mark; LibreOffice, Numbers and Python read it too. The
evaluation report, the rota and the course catalogue share this one definition.

Reading such a file back forgives what spreadsheet programs routinely do to it on its way: a
byte order mark or none, CRLF, semicolons or commas, padded cells, rows of empty cells, a date
written back day first, `8:00` for 08:00. The rota and the catalogue read their files with the
same helpers below, so a file one of them takes, the other reads the same way.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum

from bot.config import LANGUAGES
from bot.i18n import translator

DELIMITER = ";"
ENCODING = "utf-8-sig"  # UTF-8 with the byte order mark Excel looks for
LINE_END = "\r\n"

# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DAY_FIRST = re.compile(r"([0-9]{1,2})([.-])([0-9]{1,2})\2([0-9]{4})")
_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})")


def nordic_csv(rows: Iterable[Iterable[object]]) -> bytes:
    """The rows as the file a Nordic Excel opens in columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator=LINE_END)
    writer.writerows(rows)
    return buffer.getvalue().encode(ENCODING)


def text_cell(value: str) -> str:
    """Text typed by a user, written so that a spreadsheet shows it and never runs it.

    A leading apostrophe is how a spreadsheet is told "this is text": `=HYPERLINK(...)` as a
    household's name is shown, not followed.
    """
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def read_text_cell(value: str) -> str:
    """`text_cell` undone: what was written as `'=...` reads back as `=...`."""
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_STARTS) else value


def decode(data: bytes) -> str | int:
    """The file as text without its byte order mark, or the line of its first byte that is not
    text (not UTF-8, or a NUL: a binary file or a UTF-16 export)."""
    try:
        text = data.decode()
    except UnicodeDecodeError as error:
        return _line_at(data, error.start)
    if "\0" in text:
        return _line_at(data, data.index(b"\0"))
    return text.removeprefix("\ufeff")  # Excel's "CSV UTF-8" starts with a byte order mark


def _line_at(data: bytes, index: int) -> int:
    return data.count(b"\n", 0, index) + 1


def delimiter_of(text: str) -> str:
    """`;` or `,`, as the header uses more of."""
    # Excel writes semicolons wherever the comma is the decimal separator (Sweden among them);
    # the header has no other reason to contain either, so it decides for the whole file.
    header = text.lstrip().partition("\n")[0]
    return ";" if header.count(";") > header.count(",") else ","


def records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank record with the line it starts on, cells stripped.

    A row of empty cells counts as blank: spreadsheets write one for every row that was ever
    formatted. A record the csv module gives up on (a quote left open swallows the rest of the
    file into one cell past the module's size limit) comes out with no cells, to be reported like
    any other row of the wrong shape; nothing after it can be read reliably.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    while True:
        try:
            record = next(reader, None)
        except csv.Error:
            yield line, []
            return
        if record is None:
            return
        cells = [cell.strip() for cell in record]
        if any(cells):
            yield line, cells
        line = reader.line_num + 1


class Shape(StrEnum):
    """Why `table_rows` refused a file or a row; each caller names these in its own reasons,
    under the same values, so that the rota and the catalogue say the same of the same file."""

    EMPTY = "empty"  # no data rows
    BAD_HEADER = "bad_header"  # the header does not name the caller's columns
    TOO_MANY_ROWS = "too_many_rows"  # over the caller's row limit
    FIELD_COUNT = "field_count"  # a row without one cell per column, or one csv rules reject


@dataclass(frozen=True, slots=True)
class ShapeProblem:
    """A problem with the file's shape: the 1-based line (header = 1), why, what was there."""

    line: int
    reason: Shape
    value: str = ""


def table_rows(
    text: str, column_order: Callable[[list[str]], list[int] | None], max_rows: int
) -> Iterator[tuple[int, list[str]] | ShapeProblem]:
    """Each data row with its line, cells in the caller's column order, and every problem with
    the file's shape where it stands, in the order of the file.

    `column_order` reads the header: where each of the caller's columns is, or None to refuse
    it. Reading stops at a bad header, since the rows cannot be understood without it, and at
    the first row past `max_rows`; a file without data rows is a problem on line 1.
    """
    delimiter = delimiter_of(text)
    found = records(text, delimiter)
    first = next(found, None)
    if first is None:
        yield ShapeProblem(1, Shape.EMPTY)
        return
    header_line, header = first
    order = column_order(header)
    if order is None:
        yield ShapeProblem(header_line, Shape.BAD_HEADER, delimiter.join(header))
        return
    count = 0
    for line, cells in found:
        count += 1
        if count > max_rows:
            yield ShapeProblem(line, Shape.TOO_MANY_ROWS)
            return
        if len(cells) != len(header):
            yield ShapeProblem(line, Shape.FIELD_COUNT, delimiter.join(cells))
            continue
        yield line, [cells[index] for index in order]
    if count == 0:
        yield ShapeProblem(1, Shape.EMPTY)


def read_day(cell: str) -> date | None:
    """YYYY-MM-DD, or DD-MM-YYYY and DD.MM.YYYY: Excel writes a date back in the short form of
    its locale, and Danish Excel's is day first. Slashes are refused: 04/12 is April to some."""
    day_first = _DAY_FIRST.fullmatch(cell)
    if day_first:
        cell = f"{day_first[4]}-{int(day_first[3]):02d}-{int(day_first[1]):02d}"
    if not _DATE.fullmatch(cell):
        return None
    try:
        return date.fromisoformat(cell)
    except ValueError:  # 2026-02-30
        return None


def read_clock(cell: str) -> time | None:
    """HH:MM or H:MM on a 24-hour clock."""
    match = _CLOCK.fullmatch(cell)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        return None
    return time(int(match[1]), int(match[2]))


def column_names(msgids: Mapping[str, str]) -> dict[str, str]:
    """Every name a column goes by, lower case -> the column: its own key, and its header
    (`msgids[column]`) in each of the bot's languages, so a file reads back whichever
    language its header was written in."""
    names = {column: column for column in msgids}
    for language in LANGUAGES:
        t = translator(language)
        names.update({t(msgid).lower(): column for column, msgid in msgids.items()})
    return names
