import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import translator
from bot.rota import Interval, local_span
from bot.rota_csv import (
    MAX_BYTES,
    MAX_ROWS,
    CsvProblem,
    CsvReason,
    ExportRow,
    PlannedShift,
    export_rota_csv,
    parse_rota_csv,
)
from storage.models import Shift

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SV, EN = translator("sv"), translator("en")
HEADER = "member,date,start,end"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def csv_file(*rows: str, header: str = HEADER, newline: str = "\n") -> bytes:
    return newline.join((header, *rows, "")).encode()


def problems_of(data: bytes) -> list[CsvProblem]:
    return parse_rota_csv(data, STOCKHOLM)[1]


def only_row(data: bytes) -> PlannedShift:
    planned, problems = parse_rota_csv(data, STOCKHOLM)
    assert problems == []
    assert len(planned) == 1
    return planned[0]


def shift(shift_id: int, start: datetime, end: datetime) -> Shift:
    return Shift(id=shift_id, household_id=7, starts_at=start, ends_at=end)


# --- parsing what coordinators send ------------------------------------------------------------


def test_a_row_becomes_a_planned_shift_in_utc() -> None:
    assert only_row(csv_file("12,2026-12-04,17:00,22:00")) == PlannedShift(
        line=2,
        member_id=12,
        span=Interval(utc(2026, 12, 4, 16), utc(2026, 12, 4, 21)),
        local_day=date(2026, 12, 4),
        local_start=time(17),
        local_end=time(22),
    )


def test_an_end_at_or_before_the_start_is_the_next_morning() -> None:
    row = only_row(csv_file("12,2026-12-04,22:00,08:00"))
    assert row.span == Interval(utc(2026, 12, 4, 21), utc(2026, 12, 5, 7))
    assert (row.local_day, row.local_start, row.local_end) == (date(2026, 12, 4), time(22), time(8))


@pytest.mark.parametrize(
    ("day", "hours"), [("2026-03-28", 9), ("2026-10-24", 11)], ids=["spring", "autumn"]
)
def test_a_night_across_a_clock_change_lasts_what_the_clocks_say(day: str, hours: int) -> None:
    span = only_row(csv_file(f"12,{day},22:00,08:00")).span
    assert span.end - span.start == timedelta(hours=hours)


def test_an_excel_export_with_semicolons_bom_crlf_padding_and_blank_rows() -> None:
    data = "\r\n".join(
        [
            "\ufeff Date ;MEMBER; Start ;End",
            "2026-12-04; #12 ;8:00;22:00",
            "",
            ";;;",  # a formatted but empty row
            "  2026-12-05 ;13; 22:00 ; 08:00",
            "",
        ]
    ).encode()
    planned, problems = parse_rota_csv(data, STOCKHOLM)
    assert problems == []
    assert [(row.line, row.member_id, row.local_day, row.local_start) for row in planned] == [
        (2, 12, date(2026, 12, 4), time(8)),
        (5, 13, date(2026, 12, 5), time(22)),
    ]
    assert planned[1].span == Interval(utc(2026, 12, 5, 21), utc(2026, 12, 6, 7))


def test_columns_may_come_in_any_order() -> None:
    row = only_row(csv_file("22:00,17:00,12,2026-12-04", header="End,start, Member,DATE"))
    assert (row.member_id, row.local_start, row.local_end) == (12, time(17), time(22))


def test_an_export_saved_again_by_danish_excel_reads_back() -> None:
    # Danish headers, the name column, semicolons, CRLF, a byte order mark, dates day first.
    data = (
        "\ufeffmedlem;navn;dato;start;slut\r\n"
        "13;Familien Lind;05-12-2026;22:00;08:00\r\n"
        '12;"Familjen Åberg; Ek";4.12.2026;17:00;22:00\r\n'
    ).encode()
    planned, problems = parse_rota_csv(data, STOCKHOLM)
    assert problems == []
    assert [(row.member_id, row.local_day) for row in planned] == [
        (13, date(2026, 12, 5)),
        (12, date(2026, 12, 4)),
    ]


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("Medlem;Namn;Datum;Start;Slut", "12;Ek;2026-12-04;17:00;22:00"),
        ("name,member,date,start,end", ",12,2026-12-04,17:00,22:00"),
        ("datum;slut;medlem;start", "2026-12-04;22:00;12;17:00"),
    ],
)
def test_the_header_may_be_in_any_of_the_bots_languages_with_or_without_names(
    header: str, row: str
) -> None:
    planned = only_row(csv_file(row, header=header))
    assert (planned.member_id, planned.local_day) == (12, date(2026, 12, 4))


@pytest.mark.parametrize(
    "header", ["member,name,navn,date,start,end", "medlem,member,date,start,end"]
)
def test_a_column_named_twice_is_a_bad_header(header: str) -> None:
    data = csv_file("12,Ek,Ek,2026-12-04,17:00,22:00", header=header)
    assert problems_of(data) == [CsvProblem(1, CsvReason.BAD_HEADER, header)]


def test_quoted_cells_are_read_by_the_csv_rules() -> None:
    data = csv_file(
        '"12","2026-12-04"," 17:00 ","22:00"',
        '"1,2",2026-12-04,17:00,22:00',  # hand-rolled splitting would see five cells
        '"13\n",2026-12-04,17:00,22:00',  # a line break inside quotes: one record, two lines
        "14,2026-12-04,17:00,22:00",
        header='"member","date","start","end"',
    )
    planned, problems = parse_rota_csv(data, STOCKHOLM)
    assert [(row.line, row.member_id) for row in planned] == [(2, 12), (4, 13), (6, 14)]
    assert problems == [CsvProblem(3, CsvReason.BAD_MEMBER, "1,2")]


def test_old_mac_line_ends_are_lines_too() -> None:
    row = only_row(csv_file("12,2026-12-04,17:00,22:00", newline="\r"))
    assert row.member_id == 12


def test_every_problem_is_reported_and_good_rows_still_come_back() -> None:
    data = csv_file(
        "12,2026-12-04,17:00,22:00",
        "x,2026-13-01,25:00,7",
        "13,2026-12-05,17:00",
        "",
        "14,2026-12-06,17:00,17:00",
    )
    planned, problems = parse_rota_csv(data, STOCKHOLM)
    assert [row.line for row in planned] == [2]
    assert problems == [
        CsvProblem(3, CsvReason.BAD_MEMBER, "x"),
        CsvProblem(3, CsvReason.BAD_DATE, "2026-13-01"),
        CsvProblem(3, CsvReason.BAD_TIME, "25:00"),
        CsvProblem(3, CsvReason.BAD_TIME, "7"),
        CsvProblem(4, CsvReason.FIELD_COUNT, "13,2026-12-05,17:00"),
        CsvProblem(6, CsvReason.EMPTY_SHIFT, "17:00-17:00"),
    ]


# --- one reason at a time ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        PNG,
        "member,date,start,end\n12,2026-12-04,17:00,22:00\n".encode("utf-16"),
        "datum;medlem\n".encode("cp1252") + b"\xc5sa",
    ],
    ids=["png", "utf-16", "latin-1"],
)
def test_a_file_that_is_not_utf8_text_is_refused_whole(data: bytes) -> None:
    planned, problems = parse_rota_csv(data, STOCKHOLM)
    assert planned == []
    assert [problem.reason for problem in problems] == [CsvReason.NOT_TEXT]


def test_not_text_points_at_the_line_of_the_first_bad_byte() -> None:
    rows = csv_file("12,2026-12-04,17:00,22:00")
    assert problems_of(rows + b"13,\xe5\n") == [CsvProblem(3, CsvReason.NOT_TEXT)]
    assert problems_of(rows + b"13,\x00\n") == [CsvProblem(3, CsvReason.NOT_TEXT)]


def test_a_file_over_the_size_limit_is_refused_before_parsing() -> None:
    data = csv_file(*["12,2026-12-04,17:00,22:00"] * 45_000)
    assert len(data) > 1_100_000
    assert parse_rota_csv(data, STOCKHOLM) == ([], [CsvProblem(1, CsvReason.TOO_LARGE)])


def test_a_file_at_the_size_limit_is_read() -> None:
    data = csv_file("12,2026-12-04,17:00,22:00")
    data += b"\n" * (MAX_BYTES - len(data))
    assert only_row(data).member_id == 12


def test_more_rows_than_the_limit_stops_at_the_first_one_over() -> None:
    rows = ["", *["12,2026-12-04,17:00,22:00"] * (MAX_ROWS + 5)]  # blank lines do not count
    planned, problems = parse_rota_csv(csv_file(*rows), STOCKHOLM)
    assert len(planned) == MAX_ROWS
    assert problems == [CsvProblem(MAX_ROWS + 3, CsvReason.TOO_MANY_ROWS)]


def test_exactly_the_row_limit_is_fine() -> None:
    planned, problems = parse_rota_csv(
        csv_file(*["12,2026-12-04,17:00,22:00"] * MAX_ROWS), STOCKHOLM
    )
    assert (len(planned), problems) == (MAX_ROWS, [])


@pytest.mark.parametrize(
    "data",
    [b"", b"\xef\xbb\xbf", b" \r\n\r\n", csv_file(), csv_file("", ",,,", " , ,\t,")],
    ids=["nothing", "bom only", "blank lines", "header only", "header and empty rows"],
)
def test_a_file_without_data_rows_is_empty(data: bytes) -> None:
    assert parse_rota_csv(data, STOCKHOLM) == ([], [CsvProblem(1, CsvReason.EMPTY)])


@pytest.mark.parametrize(
    "header",
    [
        "12,2026-12-04,17:00,22:00",  # no header at all
        "member,date,start",
        "member,date,start,end,note",
        "member,date,start,start",
        "member,day,start,end",
        "member date start end",
    ],
)
def test_a_missing_or_wrong_header_is_one_problem_on_line_1(header: str) -> None:
    data = csv_file("12,2026-12-04,17:00,22:00", "bad", header=header)
    assert parse_rota_csv(data, STOCKHOLM) == (
        [],
        [CsvProblem(1, CsvReason.BAD_HEADER, header)],
    )


def test_a_header_after_blank_lines_is_reported_where_it_is() -> None:
    assert problems_of(b"\n\nmember,date\n") == [CsvProblem(3, CsvReason.BAD_HEADER, "member,date")]


@pytest.mark.parametrize(
    "row", ["12,2026-12-04,17:00", "12,2026-12-04,17:00,22:00,", "12,2026-12-04,17:00,22:00,x"]
)
def test_a_row_without_four_cells(row: str) -> None:
    assert problems_of(csv_file(row)) == [CsvProblem(2, CsvReason.FIELD_COUNT, row)]


def test_a_quote_left_open_is_a_malformed_row() -> None:
    assert problems_of(csv_file('"12,2026-12-04,17:00,22:00', "13,2026-12-04,17:00,22:00")) == [
        CsvProblem(2, CsvReason.FIELD_COUNT, "12,2026-12-04,17:00,22:00\n13,2026-12-04,")
    ]


def test_a_quote_left_open_past_the_csv_cell_limit_is_a_malformed_row() -> None:
    data = csv_file("12,2026-12-04,17:00,22:00", '"13' + "x" * 200_000)
    planned, problems = parse_rota_csv(data, STOCKHOLM)
    assert [row.line for row in planned] == [2]
    assert problems == [CsvProblem(3, CsvReason.FIELD_COUNT)]


@pytest.mark.parametrize(("cell", "member_id"), [("12", 12), ("#12", 12), ("012", 12), ("#7", 7)])
def test_member_numbers(cell: str, member_id: int) -> None:
    assert only_row(csv_file(f"{cell},2026-12-04,17:00,22:00")).member_id == member_id


@pytest.mark.parametrize(
    "cell", ["0", "#0", "-3", "+3", "12.0", "#", "##12", "# 12", "x12", "\u0661\u0662", "9" * 19]
)
def test_member_numbers_that_are_not_positive_numbers(cell: str) -> None:
    assert problems_of(csv_file(f"{cell},2026-12-04,17:00,22:00")) == [
        CsvProblem(2, CsvReason.BAD_MEMBER, cell)
    ]


def test_an_empty_member_cell() -> None:
    assert problems_of(csv_file(",2026-12-04,17:00,22:00")) == [
        CsvProblem(2, CsvReason.BAD_MEMBER, "")
    ]


@pytest.mark.parametrize(
    "cell",
    [
        *("2026-02-30", "12/4/2026", "2026-12-4", "20261204", "2026-W49-5", ""),
        *("32-12-2026", "4-12.2026", "2026.12.04"),  # day first, but no date or mixed separators
    ],
)
def test_dates_that_are_neither_yyyy_mm_dd_nor_day_first(cell: str) -> None:
    assert problems_of(csv_file(f"12,{cell},17:00,22:00")) == [
        CsvProblem(2, CsvReason.BAD_DATE, cell)
    ]


@pytest.mark.parametrize(
    "row", ["12,9999-12-31,22:00,08:00", "12,0001-01-01,00:30,01:00"], ids=["last", "first"]
)
def test_a_date_at_the_end_of_time_is_a_bad_date(row: str) -> None:
    assert problems_of(csv_file(row)) == [CsvProblem(2, CsvReason.BAD_DATE, row.split(",")[1])]


@pytest.mark.parametrize(
    "cell", ["24:00", "17:60", "1700", "17.00", "17:00:00", "5pm", "17:0", "123:00", ""]
)
def test_times_that_are_not_hh_mm(cell: str) -> None:
    assert problems_of(csv_file(f"12,2026-12-04,{cell},22:00", f"12,2026-12-04,17:00,{cell}")) == [
        CsvProblem(2, CsvReason.BAD_TIME, cell),
        CsvProblem(3, CsvReason.BAD_TIME, cell),
    ]


def test_a_single_digit_hour_is_read_as_spreadsheets_write_it() -> None:
    assert only_row(csv_file("12,2026-12-04,8:05,9:30")).local_start == time(8, 5)


def test_a_shift_that_ends_when_it_starts() -> None:
    assert problems_of(csv_file("12,2026-12-04,8:00,08:00")) == [
        CsvProblem(2, CsvReason.EMPTY_SHIFT, "8:00-08:00")
    ]


@pytest.mark.parametrize(
    "row", ["12,2026-03-29,02:30,08:00", "12,2026-03-28,22:00,02:30"], ids=["start", "end"]
)
def test_a_time_the_clocks_skip(row: str) -> None:
    assert problems_of(csv_file(row)) == [
        CsvProblem(2, CsvReason.NONEXISTENT_TIME, "2026-03-29 02:30")
    ]


def test_values_are_cut_for_the_message() -> None:
    cell = "x" * 100
    assert problems_of(csv_file(f"{cell},2026-12-04,17:00,22:00")) == [
        CsvProblem(2, CsvReason.BAD_MEMBER, "x" * 40)
    ]


# --- exporting ---------------------------------------------------------------------------------


def test_export_opens_in_columns_in_nordic_excel_in_the_given_order() -> None:
    rows = [
        ExportRow(13, "Familien Lind", shift(2, utc(2026, 12, 5, 21), utc(2026, 12, 6, 7))),
        ExportRow(12, "Familjen Åberg; Ek", shift(1, utc(2026, 12, 4, 16), utc(2026, 12, 4, 21))),
    ]
    assert (
        export_rota_csv(rows, STOCKHOLM, SV)
        == (
            "\ufeffmedlem;namn;datum;start;slut\r\n"
            "13;Familien Lind;2026-12-05;22:00;08:00\r\n"  # a night: the end time only
            '12;"Familjen Åberg; Ek";2026-12-04;17:00;22:00\r\n'
        ).encode()
    )


def test_export_of_nothing_is_the_header_in_the_readers_language() -> None:
    assert export_rota_csv([], STOCKHOLM, EN) == "\ufeffmember;name;date;start;end\r\n".encode()


@pytest.mark.parametrize("name", ['=HYPERLINK("x")', "+46", "-1", "@SUM(A1)"])
def test_a_name_that_a_spreadsheet_would_run_is_written_as_text(name: str) -> None:
    row = ExportRow(12, name, shift(1, utc(2026, 12, 4, 16), utc(2026, 12, 4, 21)))
    written = export_rota_csv([row], STOCKHOLM, EN).decode("utf-8-sig").splitlines()[1]
    assert written.split(";")[1].strip('"') == "'" + name.replace('"', '""')


def test_an_unnamed_household_has_an_empty_name_cell() -> None:
    row = ExportRow(12, None, shift(1, utc(2026, 12, 4, 16), utc(2026, 12, 4, 21)))
    assert b"\r\n12;;2026-12-04;17:00;22:00\r\n" in export_rota_csv([row], STOCKHOLM, EN)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (utc(2026, 12, 4, 16), utc(2026, 12, 5, 17)),  # 25 hours
        (utc(2026, 12, 4, 16), utc(2026, 12, 5, 16)),  # 24 hours would read back as empty
        (utc(2026, 3, 28, 3), utc(2026, 3, 29, 2, 30)),  # 23.5 h, but 04:00 to 04:30 next day
        (utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 5)),  # starts at the second 02:30
        (utc(2026, 12, 4, 16, 0) + timedelta(seconds=30), utc(2026, 12, 4, 21)),
    ],
    ids=["25h", "24h", "spring 23.5h", "repeated hour", "seconds"],
)
def test_export_refuses_what_would_read_back_as_another_shift(
    start: datetime, end: datetime
) -> None:
    with pytest.raises(ValueError, match="shift 9"):
        export_rota_csv([ExportRow(12, None, shift(9, start, end))], STOCKHOLM, EN)


def _round_trip(rows: list[ExportRow]) -> list[tuple[int, Interval]]:
    planned, problems = parse_rota_csv(export_rota_csv(rows, STOCKHOLM, SV), STOCKHOLM)
    assert problems == []
    return [(row.member_id, row.span) for row in planned]


def _spans(rows: list[ExportRow]) -> list[tuple[int, Interval]]:
    return [(row.member_id, Interval(row.shift.starts_at, row.shift.ends_at)) for row in rows]


DST_DAYS = [date(2026, 3, 28) + timedelta(days=offset) for offset in range(-1, 3)] + [
    date(2026, 10, 24) + timedelta(days=offset) for offset in range(-1, 3)
]
HALF_HOURS = [time(hour, minute) for hour in range(24) for minute in (0, 30)]


@pytest.mark.parametrize("day", DST_DAYS, ids=str)
def test_every_shift_typed_around_a_clock_change_reads_back_the_same(day: date) -> None:
    for start in HALF_HOURS:
        rows: list[ExportRow] = []
        for end in HALF_HOURS:
            try:
                span = local_span(day, start, end, STOCKHOLM)
            except ValueError:
                continue  # empty, or in the spring gap: nobody can type it either
            rows.append(ExportRow(len(rows) + 1, "Ek", shift(len(rows), span.start, span.end)))
        if rows:  # a start in the spring gap has none
            assert _round_trip(rows) == _spans(rows)


def _cannot_be_one_line(start: datetime, end: datetime) -> bool:
    # More than a day on the wall clock, or a start or end in the second run of the autumn hour.
    local_start, local_end = start.astimezone(STOCKHOLM), end.astimezone(STOCKHOLM)
    wall_clock = local_end.replace(tzinfo=None) - local_start.replace(tzinfo=None)
    return wall_clock >= timedelta(days=1) or bool(local_start.fold or local_end.fold)


@pytest.mark.parametrize(
    "around", [utc(2026, 3, 29, 1), utc(2026, 10, 25, 1)], ids=["spring", "autumn"]
)
def test_export_refuses_exactly_what_would_read_back_differently(around: datetime) -> None:
    quarter = timedelta(minutes=15)
    for start_step, length_steps in itertools.product(range(-112, 16), range(1, 26 * 4)):
        start = around + start_step * quarter
        end = start + length_steps * quarter
        rows = [ExportRow(5, "Ek", shift(1, start, end))]
        if _cannot_be_one_line(start, end):
            with pytest.raises(ValueError):
                export_rota_csv(rows, STOCKHOLM, SV)
        else:
            assert _round_trip(rows) == _spans(rows)
