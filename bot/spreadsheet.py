"""The CSV dialect of the spreadsheets people here double-click: Excel in Sweden and Denmark.

Where the comma is the decimal separator, Excel splits a CSV file at `;` and reads a file
without a byte order mark in the old Windows code page: a comma file opens as one column and å,
ä, ö, æ and ø come out garbled. So every CSV the bot writes has `;` between cells, CRLF line
ends and UTF-8 with a byte order mark; LibreOffice, Numbers and Python read it too. The
evaluation report and the rota share this one definition.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

DELIMITER = ";"
ENCODING = "utf-8-sig"  # UTF-8 with the byte order mark Excel looks for
LINE_END = "\r\n"

# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
