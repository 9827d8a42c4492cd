"""`mentorbot rota import FILE` and `mentorbot rota export [--out FILE]`, run in-process.

The command line reads the real clock, so every shift is planned weeks ahead of today.
"""

import asyncio
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import cli
from bot.rota import Interval, local_span
from bot.rota_csv import MAX_BYTES, CsvReason, parse_rota_csv
from storage import households, shifts
from storage.db import Database
from storage.models import Role
from tests.unit.cli_support import Outcome, isolate_with_database, run

STOCKHOLM = ZoneInfo("Europe/Stockholm")
HEADER = "member,date,start,end"
EXPORT_HEADER = "\ufeffmedlem;namn;datum;start;slut"  # the service's language: Swedish here
DAY = date.today() + timedelta(days=30)
NEXT_DAY = DAY + timedelta(days=1)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


@dataclass(frozen=True)
class Seeded:
    db_path: Path
    mentor: int  # member number of the only member of a mentor household
    family: int  # member number of a foster-family member


async def _seed(path: Path) -> tuple[int, int]:
    database = await Database.open(path)
    now = datetime.now(UTC)
    try:
        async with database.write() as session:
            mentors = await households.create_household(session, Role.MENTOR, now, "Berg")
            mentor = await households.add_member(session, mentors, 1001, now)
            family = await households.create_household(session, Role.FAMILY, now, "Ek")
            member = await households.add_member(session, family, 2002, now)
    finally:
        await database.close()
    return mentor, member


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    """A clean environment (no `.env`, no variables from the shell) and a seeded database."""
    db_path = isolate_with_database(monkeypatch, tmp_path)
    mentor, family = asyncio.run(_seed(db_path))
    return Seeded(db_path, mentor, family)


def csv_file(path: Path, *rows: str, header: str = HEADER, newline: str = "\n") -> str:
    path.write_bytes(newline.join((header, *rows, "")).encode())
    return path.name


def span(day: date, start: int, end: int) -> Interval:
    return local_span(day, time(start), time(end), STOCKHOLM)


def exported_spans(capsys: pytest.CaptureFixture[str]) -> list[tuple[int, Interval]]:
    outcome = run(capsys, "rota", "export")
    assert outcome.code == 0
    assert outcome.err == ""
    assert outcome.out.splitlines()[0] == EXPORT_HEADER
    if outcome.out == f"{EXPORT_HEADER}\r\n":
        return []  # parse_rota_csv calls a file without rows a problem
    planned, problems = parse_rota_csv(outcome.out.encode(), STOCKHOLM)
    assert problems == []
    return [(row.member_id, row.span) for row in planned]


# --- import and export ---------------------------------------------------------------------


def test_an_imported_rota_exports_as_the_same_shifts(
    seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = csv_file(
        tmp_path / "rota.csv",
        f"{seeded.mentor},{DAY},17:00,22:00",
        f"#{seeded.mentor},{NEXT_DAY},22:00,08:00",  # overnight, member written #N
    )
    imported = run(capsys, "rota", "import", name)
    assert imported == Outcome(0, f"rota: {name}: 2 shift(s) added, 0 unchanged, 0 removed\n", "")

    assert exported_spans(capsys) == [
        (seeded.mentor, span(DAY, 17, 22)),
        (seeded.mentor, local_span(NEXT_DAY, time(22), time(8), STOCKHOLM)),
    ]


def test_the_export_is_exactly_what_the_importer_reads(
    seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = csv_file(tmp_path / "rota.csv", f"{seeded.mentor},{DAY},9:00,12:30")
    assert run(capsys, "rota", "import", name).code == 0
    assert run(capsys, "rota", "export").out == (
        f"{EXPORT_HEADER}\r\n{seeded.mentor};Berg;{DAY.isoformat()};09:00;12:30\r\n"
    )


def test_excel_semicolons_with_a_byte_order_mark_import(
    seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        b"\xef\xbb\xbf"
        + f"member;date;start;end\r\n{seeded.mentor};{DAY};17:00;22:00\r\n;;;\r\n".encode()
    )
    assert run(capsys, "rota", "import", path.name) == Outcome(
        0, "rota: excel.csv: 1 shift(s) added, 0 unchanged, 0 removed\n", ""
    )
    assert exported_spans(capsys) == [(seeded.mentor, span(DAY, 17, 22))]


def test_an_edited_export_adds_its_new_rows_and_removes_the_deleted_only_when_told(
    seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = csv_file(
        tmp_path / "rota.csv",
        f"{seeded.mentor},{DAY},17:00,22:00",
        f"{seeded.mentor},{NEXT_DAY},17:00,22:00",
    )
    assert run(capsys, "rota", "import", name).code == 0
    header, first, _ = run(capsys, "rota", "export").out.splitlines()
    later = DAY + timedelta(days=2)
    edited = tmp_path / "edited.csv"  # the second row deleted, one added
    edited.write_text("\r\n".join((header, first, f"{seeded.mentor};Berg;{later};17:00;22:00")))

    assert run(capsys, "rota", "import", edited.name) == Outcome(
        0,
        "rota: edited.csv: 1 shift(s) added, 1 unchanged, 0 removed\n"
        "rota: kept 1 shift(s) not in the file (--remove-missing removes them)\n",
        "",
    )
    assert run(capsys, "rota", "import", "--remove-missing", edited.name) == Outcome(
        0, "rota: edited.csv: 0 shift(s) added, 2 unchanged, 1 removed\n", ""
    )
    assert exported_spans(capsys) == [
        (seeded.mentor, span(DAY, 17, 22)),
        (seeded.mentor, span(later, 17, 22)),
    ]


def test_an_empty_rota_exports_the_header_alone(
    seeded: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "rota", "export") == Outcome(0, f"{EXPORT_HEADER}\r\n", "")


def test_export_to_a_file(
    seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = csv_file(tmp_path / "rota.csv", f"{seeded.mentor},{DAY},17:00,22:00")
    assert run(capsys, "rota", "import", name).code == 0

    outcome = run(capsys, "rota", "export", "--out", "season.csv")
    assert outcome == Outcome(0, "rota: exported 1 shift(s) to season.csv\n", "")
    planned, problems = parse_rota_csv((tmp_path / "season.csv").read_bytes(), STOCKHOLM)
    assert problems == []
    assert [(row.member_id, row.span) for row in planned] == [(seeded.mentor, span(DAY, 17, 22))]


def test_export_to_an_unwritable_place_is_one_line(
    seeded: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = run(capsys, "rota", "export", "--out", "no-such-dir/season.csv")
    assert outcome.code == cli.EXIT_FAILURE
    assert outcome.out == ""
    assert outcome.err_lines == [
        "mentorbot: no-such-dir/season.csv: cannot write the file: No such file or directory"
    ]


def test_shifts_that_have_ended_are_not_exported(
    seeded: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    async def add_past_and_future() -> None:
        database = await Database.open(seeded.db_path)
        now = datetime.now(UTC)
        try:
            async with database.write() as session:
                member = await households.member_by_id(session, seeded.mentor)
                assert member is not None
                household = member.household.id
                past = span(date.today() - timedelta(days=3), 17, 22)
                future = span(DAY, 17, 22)
                for interval in (past, future):
                    await shifts.add_shift(
                        session, household, interval.start, interval.end, None, now
                    )
        finally:
            await database.close()

    asyncio.run(add_past_and_future())
    assert exported_spans(capsys) == [(seeded.mentor, span(DAY, 17, 22))]


# --- a file with problems imports nothing ---------------------------------------------------


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(
    seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = csv_file(
        tmp_path / "rota.csv",
        f"{seeded.mentor},{DAY},17:00,22:00",
        f"{seeded.mentor},2026-02-30,17:00,22:00",
        f"{seeded.mentor},{NEXT_DAY},25:00,22:00",
    )
    outcome = run(capsys, "rota", "import", name)
    assert outcome.code == cli.EXIT_FAILURE
    assert outcome.out == ""
    assert outcome.err_lines == [
        "mentorbot: rota.csv line 3: date: not a real date (2026-02-30)",
        "mentorbot: rota.csv line 4: time: not a 24-hour HH:MM time (25:00)",
    ]
    assert exported_spans(capsys) == []


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(b"", "line 1: no shifts in the file", id="empty"),
        pytest.param(f"{HEADER}\n".encode(), "line 1: no shifts in the file", id="header-only"),
        pytest.param(
            b"who,when\n1,2026-12-04\n",
            "line 1: header: must name the columns member,date,start,end once each "
            "(a name column may be there too) (who,when)",
            id="bad-header",
        ),
        pytest.param(
            f"{HEADER}\n1,{DAY},17:00\n".encode(),
            f"line 2: not one cell for each column of the header (1,{DAY},17:00)",
            id="three-cells",
        ),
        pytest.param(
            f"{HEADER}\n,{DAY},17:00,22:00\n".encode(),
            "line 2: member: not a member number (empty)",
            id="empty-member",
        ),
        pytest.param(
            f"{HEADER}\n1,{DAY},17:00,17:00\n".encode(),
            "line 2: start and end are the same time (17:00-17:00)",
            id="empty-shift",
        ),
        pytest.param(
            PNG,
            "line 1: not a UTF-8 text file (save the spreadsheet as CSV UTF-8)",
            id="binary",
        ),
        pytest.param(
            "member,date,start,end\n".encode("utf-16"),
            "line 1: not a UTF-8 text file (save the spreadsheet as CSV UTF-8)",
            id="utf-16",
        ),
    ],
)
def test_a_file_problem_is_one_line(
    seeded: Seeded,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    expected: str,
) -> None:
    (tmp_path / "rota.csv").write_bytes(content)
    outcome = run(capsys, "rota", "import", "rota.csv")
    assert outcome.code == cli.EXIT_FAILURE
    assert outcome.out == ""
    assert outcome.err_lines == [f"mentorbot: rota.csv {expected}"]


def test_a_cell_with_control_characters_is_shown_escaped(
    seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "rota.csv").write_bytes(f'{HEADER}\n"1\x1b[2J",{DAY},17:00,22:00\n'.encode())
    outcome = run(capsys, "rota", "import", "rota.csv")
    assert outcome.err_lines == [
        "mentorbot: rota.csv line 2: member: not a member number ('1\\x1b[2J')"
    ]


def test_every_csv_reason_has_a_description() -> None:
    assert set(cli._CSV_REASONS) == set(CsvReason)


# --- rows the rota refuses: all or none -----------------------------------------------------


def test_a_member_who_is_not_a_mentor_is_refused_with_its_line(
    seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = csv_file(
        tmp_path / "rota.csv",
        f"{seeded.mentor},{DAY},17:00,22:00",
        f"{seeded.family},{NEXT_DAY},17:00,22:00",
        f"99,{NEXT_DAY},17:00,22:00",
    )
    outcome = run(capsys, "rota", "import", name)
    assert outcome.code == cli.EXIT_FAILURE
    assert outcome.out == ""
    assert outcome.err_lines == [
        f"mentorbot: rota.csv line 3: member: #{seeded.family} is not a mentor",
        "mentorbot: rota.csv line 4: member: no member #99",
    ]
    assert exported_spans(capsys) == []  # the good row on line 2 was not imported either


def test_a_shift_in_the_past_is_refused(
    seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    past = date.today() - timedelta(days=2)
    name = csv_file(tmp_path / "rota.csv", f"{seeded.mentor},{past},17:00,22:00")
    outcome = run(capsys, "rota", "import", name)
    assert outcome.code == cli.EXIT_FAILURE
    assert outcome.err_lines == [f"mentorbot: rota.csv line 2: over already ({past} 17:00-22:00)"]


def test_an_overlap_with_a_stored_shift_names_it(
    seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = csv_file(tmp_path / "first.csv", f"{seeded.mentor},{DAY},17:00,22:00")
    assert run(capsys, "rota", "import", first).code == 0

    second = csv_file(tmp_path / "second.csv", f"{seeded.mentor},{DAY},20:00,23:00")
    outcome = run(capsys, "rota", "import", second)
    assert outcome.code == cli.EXIT_FAILURE
    assert outcome.err_lines == [
        f"mentorbot: second.csv line 2: overlaps shift #1 of that mentor ({DAY} 17:00-22:00)"
    ]


def test_an_overlap_within_the_file_names_the_earlier_line(
    seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = csv_file(
        tmp_path / "rota.csv",
        f"{seeded.mentor},{DAY},17:00,22:00",
        f"{seeded.mentor},{DAY},21:00,23:00",
    )
    outcome = run(capsys, "rota", "import", name)
    assert outcome.code == cli.EXIT_FAILURE
    assert outcome.err_lines == [
        f"mentorbot: rota.csv line 3: overlaps line 2 of this file for the same mentor "
        f"({DAY} 17:00-22:00)"
    ]
    assert exported_spans(capsys) == []


# --- files that cannot be a rota ------------------------------------------------------------


def test_a_missing_file_is_one_line(seeded: Seeded, capsys: pytest.CaptureFixture[str]) -> None:
    outcome = run(capsys, "rota", "import", "missing.csv")
    assert outcome.code == cli.EXIT_FAILURE
    assert outcome.out == ""
    assert outcome.err_lines == [
        "mentorbot: missing.csv: cannot read the file: No such file or directory"
    ]


def test_a_directory_is_one_line(
    seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "folder").mkdir()
    outcome = run(capsys, "rota", "import", "folder")
    assert outcome.code == cli.EXIT_FAILURE
    assert outcome.err_lines == ["mentorbot: folder: cannot read the file: Is a directory"]


def test_an_oversized_file_is_refused_by_its_size(
    seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open(tmp_path / "huge.csv", "wb") as huge:
        huge.truncate(MAX_BYTES + 1)  # sparse: no disk used, and never read
    outcome = run(capsys, "rota", "import", "huge.csv")
    assert outcome.code == cli.EXIT_FAILURE
    assert outcome.out == ""
    assert outcome.err_lines == [
        f"mentorbot: huge.csv: {MAX_BYTES + 1} bytes; a rota file is at most {MAX_BYTES} bytes"
    ]


def test_a_file_of_exactly_the_limit_is_read(
    seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = f"{seeded.mentor},{DAY},17:00,22:00\n"
    content = f"{HEADER}\n{row}".encode()
    (tmp_path / "full.csv").write_bytes(content + b"\n" * (MAX_BYTES - len(content)))
    assert run(capsys, "rota", "import", "full.csv").code == 0


# --- configuration ----------------------------------------------------------------------------


def test_no_token_is_needed_and_a_bad_configuration_is_still_exit_2(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "TELEGRAM_BOT_TOKEN" not in os.environ
    assert run(capsys, "rota", "export").code == 0

    monkeypatch.setenv("MENTORBOT_TIMEZONE", "Mars/Olympus_Mons")
    outcome = run(capsys, "rota", "export")
    assert outcome.code == cli.EXIT_BAD_CONFIG
    assert outcome.err_lines == [
        "mentorbot: MENTORBOT_TIMEZONE: unknown time zone 'Mars/Olympus_Mons'"
    ]


def test_the_env_file_in_the_working_directory_is_used(
    seeded: Seeded,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The fixture's isolation rests on this: load_config reads `.env` from the cwd."""
    monkeypatch.delenv("MENTORBOT_TIMEZONE")
    (tmp_path / ".env").write_text("MENTORBOT_TIMEZONE=Asia/Tokyo\n")
    name = csv_file(tmp_path / "rota.csv", f"{seeded.mentor},{DAY},17:00,22:00")
    assert run(capsys, "rota", "import", name).code == 0
    exported = run(capsys, "rota", "export").out.splitlines()[1]
    assert exported == f"{seeded.mentor};Berg;{DAY};17:00;22:00"
    (tmp_path / ".env").unlink()
    # Read in Stockholm, the Tokyo evening is the morning of the same day.
    assert exported_spans(capsys) == [
        (seeded.mentor, local_span(DAY, time(17), time(22), ZoneInfo("Asia/Tokyo")))
    ]


def test_rota_needs_an_action(seeded: Seeded, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["rota"])
    assert exited.value.code == 2
    assert "required: ACTION" in capsys.readouterr().err
