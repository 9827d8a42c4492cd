"""The guided booking's choices, computed without Telegram: slots, order, pages, typed input,
and how each step reads."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.availability import Availability
from bot.i18n import translator
from bot.rota import Interval
from bot.rota_csv import CsvProblem, CsvReason
from bot.service_hours import ServiceHours
from bot.shift_booking import (
    HOUSEHOLDS_PER_PAGE,
    DaySpan,
    Slot,
    SlotKind,
    Span,
    away_last,
    booking_days,
    gap_to_fill,
    in_booking_order,
    page,
    parse_day,
    parse_span,
    planned,
    slots,
    within_reach,
)
from handlers.shift_booking_text import days_step, fill_keyboard, households_step
from storage.models import BookableHousehold

TZ = ZoneInfo("Europe/Stockholm")
HOURS = ServiceHours.parse("17:00-22:00", "09:00-22:00", "SE")
FRIDAY, SATURDAY, MIDSUMMER_EVE = date(2026, 12, 4), date(2026, 12, 5), date(2026, 6, 19)


def household(number: int, name: str | None, booked: datetime | None = None) -> BookableHousehold:
    return BookableHousehold(number, name, booked, household_id=100 + number)


def test_a_weekday_offers_its_service_hours_and_a_weekend_its_daytime_and_evening_too() -> None:
    assert slots(FRIDAY, HOURS) == [Slot(SlotKind.SERVICE_HOURS, Span(time(17), time(22)))]
    weekend = [
        Slot(SlotKind.SERVICE_HOURS, Span(time(9), time(22))),
        Slot(SlotKind.DAYTIME, Span(time(9), time(17))),
        Slot(SlotKind.EVENING, Span(time(17), time(22))),
    ]
    assert slots(SATURDAY, HOURS) == weekend
    assert slots(MIDSUMMER_EVE, HOURS) == weekend  # a Friday, but a holiday in Sweden


def test_hours_past_midnight_split_where_the_evening_begins() -> None:
    nights = ServiceHours.parse("18:00-02:00", "10:00-02:00", "SE")
    assert [slot.span for slot in slots(SATURDAY, nights)] == [
        Span(time(10), time(2)),
        Span(time(10), time(18)),
        Span(time(18), time(2)),
    ]
    # A weekend that begins when the weekday evening does has nothing to split.
    late = ServiceHours.parse("17:00-22:00", "17:00-23:00", "SE")
    assert [slot.kind for slot in slots(SATURDAY, late)] == [SlotKind.SERVICE_HOURS]


def test_the_most_recently_booked_come_first_then_the_rest_by_name() -> None:
    early, late = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC)
    found = [
        household(4, "Öberg"),
        household(2, "Berg", early),
        household(3, "alm"),
        household(5, None),
        household(6, "Lind", late),
    ]
    assert [h.member_number for h in in_booking_order(found)] == [6, 2, 5, 3, 4]


def test_pages_hold_six_and_a_page_past_the_end_is_the_last() -> None:
    many = [household(n, f"H{n:02}") for n in range(1, 15)]
    first = page(many, 0)
    assert (len(first.items), first.number, first.count) == (HOUSEHOLDS_PER_PAGE, 0, 3)
    last = page(many, 7)
    assert (last.number, [h.member_number for h in last.items]) == (2, [13, 14])
    assert page([], 0).count == 1


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-12-24", date(2026, 12, 24)),
        (" 24/12 ", date(2026, 12, 24)),
        ("24.12", date(2026, 12, 24)),
        ("24.12.", date(2026, 12, 24)),
        ("2/1", date(2027, 1, 2)),  # January has passed this year: next year's
        ("1/12", date(2026, 12, 1)),  # today
        ("24/12 2027", date(2027, 12, 24)),
        ("24.12.2027", date(2027, 12, 24)),
        ("30/2", None),
        ("2026-13-01", None),
        ("fredag", None),
        ("", None),
    ],
)
def test_a_typed_day_is_read_as_swedes_and_danes_write_it(typed: str, expected: date) -> None:
    assert parse_day(typed, today=date(2026, 12, 1)) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("17:00-22:00", Span(time(17), time(22))),
        ("17-22", Span(time(17), time(22))),
        ("8.30 – 12", Span(time(8, 30), time(12))),
        ("22:00-07:30", Span(time(22), time(7, 30))),
        ("17:00-17:00", None),
        ("25-26", None),
        ("17:60-18:00", None),
        ("kväll", None),
    ],
)
def test_typed_times_are_read_loosely_but_never_guessed(typed: str, expected: Span) -> None:
    assert parse_span(typed) == expected


def test_a_chosen_time_the_clocks_skip_is_refused_as_a_typed_one_is() -> None:
    spring = DaySpan(date(2026, 3, 29), Span(time(2, 30), time(8)))
    assert planned(12, spring, TZ) == CsvProblem(0, CsvReason.NONEXISTENT_TIME, "2026-03-29 02:30")
    evening = planned(12, DaySpan(FRIDAY, Span(time(17), time(22))), TZ)
    assert not isinstance(evening, CsvProblem)
    assert evening.span == Interval(
        datetime(2026, 12, 4, 16, tzinfo=UTC), datetime(2026, 12, 4, 21, tzinfo=UTC)
    )


def test_a_gap_becomes_its_local_day_and_clock_times_even_after_midnight() -> None:
    gap = Interval(datetime(2026, 12, 4, 23, 30, tzinfo=UTC), datetime(2026, 12, 5, 1, tzinfo=UTC))
    assert gap_to_fill(gap, TZ) == DaySpan(date(2026, 12, 5), Span(time(0, 30), time(2)))


def test_the_steps_read_in_the_users_language_with_names_as_typed() -> None:
    sv = translator("sv")
    households = [household(n, f"Berg & Ek {n}") for n in range(1, 8)]
    first = households_step(sv, page(households, 0))
    assert first.text == "Vilken mentorsfamilj gäller passet?\nSida 1 av 2"
    rows = first.keyboard.inline_keyboard
    assert rows[0][0].text == "Berg & Ek 1 (#1)"  # a button is plain text: no &amp;
    assert [b.text for b in rows[-2]] == ["Fler ›"] and rows[-1][0].text == "Avbryt"
    second = households_step(sv, page(households, 1))
    assert [b.text for b in second.keyboard.inline_keyboard[-2]] == ["‹ Tillbaka"]
    days = days_step(translator("da"), households[0], booking_days(FRIDAY))
    assert days.text == "Hvilken dag for Berg &amp; Ek 1 (#1)?"  # a message is HTML
    assert len(days.keyboard.inline_keyboard) == 7 + 2


def test_no_gap_no_fill_buttons() -> None:
    assert fill_keyboard(translator("en"), [], TZ) is None


def test_a_household_away_then_goes_last_and_is_marked() -> None:
    evening = Interval(datetime(2026, 12, 4, 16, tzinfo=UTC), datetime(2026, 12, 4, 21, tzinfo=UTC))
    away_before = Interval(datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 4, 16, tzinfo=UTC))
    away_during = Interval(datetime(2026, 12, 4, 20, tzinfo=UTC), datetime(2026, 12, 6, tzinfo=UTC))
    listed = [household(n, f"H{n}") for n in (1, 2, 3)]
    available = Availability({101: (away_during,), 102: (away_before,)})
    ordered, away = away_last(listed, available, evening)
    assert [h.member_number for h in ordered] == [2, 3, 1] and away == frozenset({101})
    step = households_step(translator("sv"), page(ordered, 0), None, away)
    assert [row[0].text for row in step.keyboard.inline_keyboard][:3] == [
        "H2 (#2)",
        "H3 (#3)",
        "\u26a0\ufe0f H1 (#1)",
    ]
    assert step.text.endswith("⚠️: har meddelat att de är borta någon gång den kommande veckan.")


def test_a_day_is_within_reach_from_today_to_a_year_ahead() -> None:
    today = date(2026, 12, 1)
    assert within_reach(today, today) and within_reach(date(2027, 12, 2), today)
    assert not within_reach(date(2027, 12, 3), today)
    assert not within_reach(date(2026, 11, 30), today)
    assert not within_reach(date(9999, 12, 31), today)
