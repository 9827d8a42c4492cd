"""When a note said yes to reaches the social workers: the next working-day morning, local."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bot.rota import local_moment
from bot.service_hours import ServiceHours
from bot.unit_notes import delivery_moment, last_delivery

TZ = ZoneInfo("Europe/Stockholm")
SWEDEN = ServiceHours()
DENMARK = ServiceHours(country="DK")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return local_moment(day, time(hour, minute), TZ).astimezone(UTC)


def test_a_friday_nights_yes_waits_for_monday_morning() -> None:
    assert delivery_moment(at(date(2026, 12, 4), 21), SWEDEN, TZ) == at(date(2026, 12, 7), 8)


def test_an_early_yes_on_a_working_day_goes_that_morning_a_later_one_the_next() -> None:
    thursday = date(2026, 12, 3)
    assert delivery_moment(at(thursday, 6, 30), SWEDEN, TZ) == at(thursday, 8)
    assert delivery_moment(at(thursday, 8), SWEDEN, TZ) == at(thursday, 8)
    assert delivery_moment(at(thursday, 9), SWEDEN, TZ) == at(date(2026, 12, 4), 8)


def test_public_holidays_are_skipped_by_the_countrys_calendar() -> None:
    # Christmas: 24 (Swedish custom, no public holiday), 25 and 26 December; 2026's 26th is a
    # Saturday, so a yes on Christmas Eve evening goes on Monday 28th.
    assert delivery_moment(at(date(2026, 12, 24), 20), SWEDEN, TZ) == at(date(2026, 12, 28), 8)
    # Denmark's Great Prayer Day is a working day since 2024; Ascension Day is not.
    eve_of_ascension = date(2026, 5, 13)
    assert delivery_moment(at(eve_of_ascension, 20), DENMARK, TZ) == at(date(2026, 5, 15), 8)


def test_every_yes_given_before_the_last_working_morning_is_due() -> None:
    sunday_noon = at(date(2026, 12, 6), 12)
    assert last_delivery(sunday_noon, SWEDEN, TZ) == at(date(2026, 12, 4), 8)
    monday = date(2026, 12, 7)
    assert last_delivery(at(monday, 7, 59), SWEDEN, TZ) == at(date(2026, 12, 4), 8)
    assert last_delivery(at(monday, 8), SWEDEN, TZ) == at(monday, 8)


def test_the_morning_after_the_autumn_change_is_eight_local() -> None:
    saturday = date(2026, 10, 24)
    assert delivery_moment(at(saturday, 23), SWEDEN, TZ) == at(date(2026, 10, 26), 8)
