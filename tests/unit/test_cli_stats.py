"""`mentorbot stats --from --to --out DIR`, run in-process against a seeded database."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import cli
from bot.rota import local_moment
from storage import households, requests
from storage.db import Database
from storage.models import Kind, RequestState, Role
from tests.unit.cli_support import Outcome, isolate_with_database, run

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# The command line reads the real clock: the questions are asked three weeks before today.
FIRST = date.today() - timedelta(days=21)
LAST = FIRST + timedelta(days=6)


async def _seed(path: Path) -> None:
    """Three questions on the first day at 19:00, 19:10 and 19:20; two accepted, after 2 and
    6 minutes; a fourth the day after the period, which the report must leave out."""
    database = await Database.open(path)
    now = datetime.now(UTC)
    try:
        async with database.write() as session:
            mentors = await households.create_household(session, Role.MENTOR, now, "Berg")
            mentor = await households.add_member(session, mentors, 1001, now)
            for number, (minute, waited) in enumerate([(0, 2), (10, 6), (20, None)]):
                family = await households.create_household(session, Role.FAMILY, now, f"F{number}")
                at = local_moment(FIRST, time(19, minute), STOCKHOLM)
                request = (
                    await requests.open_request(
                        session,
                        family,
                        RequestState.OFFERED,
                        first_kind=Kind.TEXT,
                        preview="words",
                        urgent=False,
                        now=at,
                    )
                ).id
                if waited is not None:
                    accepted = at + timedelta(minutes=waited)
                    await requests.claim(session, request, mentor, mentors, accepted)
            late = await households.create_household(session, Role.FAMILY, now, "Late")
            await requests.open_request(
                session,
                late,
                RequestState.OFFERED,
                first_kind=Kind.TEXT,
                preview="words",
                urgent=False,
                now=local_moment(LAST + timedelta(days=1), time(19), STOCKHOLM),
            )
    finally:
        await database.close()


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean environment (no `.env`, no variables from the shell) and a seeded database."""
    db_path = isolate_with_database(monkeypatch, tmp_path)
    asyncio.run(_seed(db_path))
    return tmp_path


def test_the_report_is_written_as_three_files(
    seeded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = run(
        capsys, "stats", "--from", str(FIRST), "--to", str(LAST), "--out", "report/november"
    )
    assert outcome == Outcome(
        0,
        f"stats: 3 question(s) from {FIRST} to {LAST}; "
        "wrote stats.txt, stats.png, stats.csv to report/november\n",
        "",
    )
    folder = seeded / "report" / "november"
    text = (folder / "stats.txt").read_text(encoding="utf-8").splitlines()
    assert text[0] == f"Evaluation report {FIRST} – {LAST} (times in Europe/Stockholm)"
    assert "Accepted: 67% (2 of 3), of which by the foster-care unit: 0" in text
    assert "Time from offer to acceptance: median 4 minutes, 90th percentile 6 minutes" in text
    assert (folder / "stats.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    rows = list(
        csv.reader(
            io.StringIO((folder / "stats.csv").read_text(encoding="utf-8-sig")), delimiter=";"
        )
    )
    metrics = {row[0]: row[1] for row in rows[: rows.index([])]}
    assert metrics["requests"] == "3"
    assert metrics["time_to_accept_median"] == "4,0"
    assert metrics["time_to_accept_p90"] == "5,6"  # 2 + 0.9 * (6 - 2)
    weekday = FIRST.weekday()
    week = rows[rows.index([]) + 2 : rows.index([]) + 9]
    assert week[weekday][1 + 19] == "3"


def test_without_dates_the_last_30_days_are_reported(
    seeded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = run(capsys, "stats", "--out", ".")
    today = datetime.now(STOCKHOLM).date()
    assert outcome.out.startswith(
        f"stats: 4 question(s) from {today - timedelta(days=29)} to {today};"
    )
    assert sorted(path.name for path in seeded.glob("stats.*")) == [
        "stats.csv",
        "stats.png",
        "stats.txt",
    ]


@pytest.mark.parametrize(
    ("dates", "line"),
    [
        (
            ["--from", "2026-02-30", "--to", "2026-03-01"],
            "2026-02-30: not a date; write YYYY-MM-DD",
        ),
        (["--from", "2026-10-01"], "give both --from and --to, or neither for the last 30 days"),
        (["--from", "2026-10-31", "--to", "2026-10-01"], "--from is later than --to"),
        (["--from", "2024-12-31", "--to", "2026-01-01"], "a report covers at most 366 days"),
    ],
)
def test_bad_dates_are_one_line_and_exit_1(
    seeded: Path, capsys: pytest.CaptureFixture[str], dates: list[str], line: str
) -> None:
    outcome = run(capsys, "stats", *dates, "--out", "out")
    assert outcome == Outcome(cli.EXIT_FAILURE, "", f"mentorbot: {line}\n")
    assert not (seeded / "out").exists()


def test_an_unwritable_folder_is_one_line(seeded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (seeded / "taken").write_text("a file, not a folder")
    outcome = run(capsys, "stats", "--out", "taken")
    assert outcome.code == cli.EXIT_FAILURE
    assert outcome.out == ""
    assert outcome.err_lines == ["mentorbot: taken: cannot write the report: File exists"]


def test_a_bad_configuration_is_exit_2(
    seeded: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MENTORBOT_TIMEZONE", "Mars/Olympus_Mons")
    outcome = run(capsys, "stats", "--out", "out")
    assert outcome.code == cli.EXIT_BAD_CONFIG
    assert outcome.err_lines == [
        "mentorbot: MENTORBOT_TIMEZONE: unknown time zone 'Mars/Olympus_Mons'"
    ]

    monkeypatch.setenv("MENTORBOT_TIMEZONE", "Europe/Stockholm")
    monkeypatch.setenv("MENTORBOT_DB", "missing.db")
    outcome = run(capsys, "stats", "--out", "out")
    assert outcome.code == cli.EXIT_BAD_CONFIG
    assert outcome.err_lines == ["mentorbot: MENTORBOT_DB: 'missing.db' does not exist"]
    assert not (seeded / "missing.db").exists()
    assert not (seeded / "out").exists()


def test_the_folder_is_required(seeded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["stats"])
    assert exited.value.code == 2
    assert "--out" in capsys.readouterr().err
