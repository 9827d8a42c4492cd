"""How the rota reads in a chat (handlers/rota_text.py), in Swedish, Danish and English: shift
lines, /rota's days with who covers them and the gaps, the morning report, and the reasons a
shift, a CSV row or a swap was refused.

Times are the service's local ones, whatever zone the configuration names; a household's name
is shown as it was typed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import translator
from bot.rota import Interval
from bot.rota_csv import CsvProblem, CsvReason
from bot.rota_planning import DayCoverage, Refusal, ShiftProblem
from bot.swaps import SwapProblem
from handlers.rota_text import (
    clock_span,
    coverage_lines,
    csv_problem,
    gap_report_lines,
    line_numbered,
    refusal,
    shift_line,
    swap_problem,
)
from storage.models import Household, Role, Shift, ShiftListing
from tests.unit.telegram_support import LANGUAGES, formatted, shown

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NEW_YORK = ZoneInfo("America/New_York")
MENTORS = "Berg & <Lind>"  # a household's name, as a mentor typed it
FRIDAY = date(2026, 11, 27)


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


EVENING = ShiftListing(Shift(7, 1, utc(FRIDAY, 16), utc(FRIDAY, 19)), MENTORS)  # 17–20 local
NIGHT = ShiftListing(Shift(8, 1, utc(FRIDAY, 21), utc(FRIDAY + timedelta(days=1), 7)), None)
DAYS = {"sv": "fre 27 nov.", "da": "fre. 27 nov.", "en": "Fri 27 Nov"}


# --- a shift ------------------------------------------------------------------------------------


def test_a_span_is_read_in_the_zone_it_is_given() -> None:
    start, end = EVENING.shift.starts_at, EVENING.shift.ends_at
    assert clock_span(start, end, STOCKHOLM) == "17:00–20:00"
    assert clock_span(start, end, NEW_YORK) == "11:00–14:00"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_shift_line_has_its_number_its_local_time_and_the_household_as_typed(
    language: str,
) -> None:
    t, day = translator(language), DAYS[language]
    named = shown(shift_line(t, EVENING, STOCKHOLM, with_name=True))
    assert named == f"#7 {day} 17:00–20:00 – {MENTORS}"
    assert shown(shift_line(t, EVENING, STOCKHOLM, with_name=False)) == f"#7 {day} 17:00–20:00"
    # A night ends the next morning; the line says when it starts, and the clock it ends at.
    night = shown(shift_line(t, NIGHT, STOCKHOLM, with_name=True))
    assert night == f"#8 {day} 22:00–08:00 – {t('members.unnamed')}"


def test_a_shift_line_follows_the_services_zone_across_midnight() -> None:
    t = translator("en")
    assert shown(shift_line(t, EVENING, NEW_YORK, with_name=False)) == "#7 Fri 27 Nov 11:00–14:00"
    tokyo = shown(shift_line(t, EVENING, ZoneInfo("Asia/Tokyo"), with_name=False))
    assert tokyo == "#7 Sat 28 Nov 01:00–04:00"


# --- /rota and the morning report ---------------------------------------------------------------

FRIDAY_HOURS = Interval(utc(FRIDAY, 16), utc(FRIDAY, 21))  # 17:00–22:00 in Stockholm
SATURDAY = FRIDAY + timedelta(days=1)
COVERED = DayCoverage(
    SATURDAY,
    Interval(utc(SATURDAY, 8), utc(SATURDAY, 21)),
    "Första advent <söndag>",  # a holiday's name comes from a package: shown as it is
    [ShiftListing(Shift(9, 2, utc(SATURDAY, 8), utc(SATURDAY, 21)), "Familjen Holm")],
    [],
)
WITH_GAP = DayCoverage(
    FRIDAY, FRIDAY_HOURS, None, [EVENING], [Interval(utc(FRIDAY, 19), utc(FRIDAY, 21))]
)


@pytest.mark.parametrize(
    ("language", "saturday", "gap"),
    [
        ("sv", "lör 28 nov.", "  lucka 20:00–22:00: ingen mentor i tjänst"),
        ("da", "lør. 28 nov.", "  hul 20:00–22:00: ingen mentor på vagt"),
        ("en", "Sat 28 Nov", "  gap 20:00–22:00: no mentor on duty"),
    ],
)
def test_rota_shows_each_day_its_hours_who_covers_them_and_each_gap(
    language: str, saturday: str, gap: str
) -> None:
    t = translator(language)
    lines = list(coverage_lines(t, [WITH_GAP, COVERED], STOCKHOLM))
    assert [shown(line) for line in lines] == [
        f"{DAYS[language]} 17:00–22:00 ⚠️",
        f"  17:00–20:00 {MENTORS} (#7)",
        gap,
        f"{saturday} 09:00–22:00 (Första advent <söndag>) ✅",
        "  09:00–22:00 Familjen Holm (#9)",
    ]
    assert formatted(lines[0]) == [("bold", DAYS[language])]
    assert [formatted(line) for line in lines[1:3]] == [[], []]  # the names carry no markup


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_morning_report_lists_only_the_days_with_gaps_and_only_their_gaps(
    language: str,
) -> None:
    t = translator(language)
    report = [shown(line) for line in gap_report_lines(t, [COVERED, WITH_GAP], STOCKHOLM, _free)]
    full = [shown(line) for line in coverage_lines(t, [WITH_GAP], STOCKHOLM)]
    assert report[:2] == [full[0], full[2]]
    assert list(gap_report_lines(t, [COVERED], STOCKHOLM, _free)) == []


FREE = {"sv": "inte borta", "da": "ikke væk", "en": "not away"}
NOBODY = {"sv": "alla mentorsfamiljer är borta", "da": "alle mentorfamilier er væk", "en": "every"}
BERG = Household(1, Role.MENTOR, MENTORS, utc(FRIDAY, 9))
HOLM = Household(2, Role.MENTOR, None, utc(FRIDAY, 9))


def _free(gap: Interval) -> list[Household]:
    return [BERG, HOLM]


@pytest.mark.parametrize("language", LANGUAGES)
def test_under_each_gap_the_report_names_the_households_not_away_then(language: str) -> None:
    t = translator(language)
    report = [shown(line) for line in gap_report_lines(t, [WITH_GAP], STOCKHOLM, _free)]
    unnamed = t("members.unnamed")
    assert report[2] == f"    {FREE[language]}: {MENTORS}, {unnamed}"  # the name as typed
    nobody = gap_report_lines(t, [WITH_GAP], STOCKHOLM, lambda gap: [])
    assert NOBODY[language] in [shown(line) for line in nobody][2]
    without_mentors = gap_report_lines(t, [WITH_GAP], STOCKHOLM, None)
    assert [shown(line) for line in without_mentors] == report[:2]


def test_rota_reads_the_hours_in_the_services_zone() -> None:
    lines = [shown(line) for line in coverage_lines(translator("en"), [WITH_GAP], NEW_YORK)]
    assert lines == [
        "Fri 27 Nov 11:00–16:00 ⚠️",
        f"  11:00–14:00 {MENTORS} (#7)",
        "  gap 14:00–16:00: no mentor on duty",
    ]


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_refused_shift_says_why_and_an_overlap_names_the_shift_in_the_way(
    language: str,
) -> None:
    t = translator(language)
    simple = [
        shown(refusal(t, Refusal(problem), STOCKHOLM))
        for problem in (ShiftProblem.UNKNOWN_MEMBER, ShiftProblem.NOT_MENTOR, ShiftProblem.IN_PAST)
    ]
    assert len(set(simple)) == 3 and all(simple)
    overlap = shown(refusal(t, Refusal(ShiftProblem.OVERLAP, EVENING.shift), STOCKHOLM))
    assert "#7" in overlap and f"{DAYS[language]} 17:00–20:00" in overlap
    in_file = Refusal(ShiftProblem.OVERLAP, EVENING.shift, line=5, conflict_line=3)
    assert shown(refusal(t, in_file, STOCKHOLM)) == shown(t("shift.overlap_in_file", line=3))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_csv_problem_says_why_and_quotes_what_was_there_as_typed(language: str) -> None:
    t = translator(language)
    typed = "<3 & co"
    texts = {reason: shown(csv_problem(t, CsvProblem(2, reason, typed))) for reason in CsvReason}
    assert all(texts.values())
    assert len(set(texts.values())) == len(CsvReason)
    quoting = [
        CsvReason.BAD_HEADER,
        CsvReason.FIELD_COUNT,
        CsvReason.BAD_MEMBER,
        CsvReason.BAD_DATE,
        CsvReason.BAD_TIME,
    ]
    assert all(typed in texts[reason] for reason in quoting)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_problem_of_a_file_is_prefixed_with_its_line(language: str) -> None:
    t = translator(language)
    problem = csv_problem(t, CsvProblem(4, CsvReason.EMPTY_SHIFT))
    numbered = shown(line_numbered(t, 4, problem))
    assert numbered == shown(t("csv.line", line=4, problem="")) + shown(problem)
    assert line_numbered(t, None, problem) == problem  # a whole-file problem has no line


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_csv_value_is_shown_as_typed_after_its_line_number(language: str) -> None:
    t = translator(language)
    problem = csv_problem(t, CsvProblem(2, CsvReason.BAD_MEMBER, "<3"))
    assert "<3" in shown(line_numbered(t, 2, problem))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_swap_problem_says_why(language: str) -> None:
    t = translator(language)
    texts = [shown(swap_problem(t, problem)) for problem in SwapProblem]
    assert len(set(texts)) == len(SwapProblem) and all(texts)
    assert shown(swap_problem(t, SwapProblem.NOT_MENTOR)) == shown(t("access.wrong_role"))
