"""A mentor household booked beyond the week's hours is found, week by week, in local time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.rota import local_moment
from bot.rota_planning import Overbooked, overbooked
from storage.models import Shift, ShiftListing

TZ = ZoneInfo("Europe/Stockholm")
LIMIT = timedelta(hours=10)


def booked(number: int, household: int, day: date, start: int, hours: int) -> ShiftListing:
    begins = local_moment(day, time(start), TZ).astimezone(UTC)
    return ShiftListing(
        Shift(number, household, begins, begins + timedelta(hours=hours)), f"H{household}"
    )


def test_a_household_over_the_limit_is_named_with_its_week_and_hours() -> None:
    friday, saturday = date(2026, 12, 4), date(2026, 12, 5)
    rota = [
        booked(1, 1, friday, 17, 5),
        booked(2, 1, saturday, 9, 6),  # 11 h in the week: over
        booked(3, 2, friday, 17, 5),
        booked(4, 2, saturday, 9, 5),  # 10 h: at the limit, not over
    ]
    assert overbooked(rota, TZ, LIMIT) == [
        Overbooked(1, "H1", date(2026, 11, 30), timedelta(hours=11))
    ]


def test_a_night_over_sunday_counts_in_the_week_it_began() -> None:
    sunday, monday = date(2026, 12, 6), date(2026, 12, 7)
    rota = [booked(1, 1, sunday, 14, 8), booked(2, 1, sunday, 22, 10), booked(3, 1, monday, 17, 5)]
    found = overbooked(rota, TZ, LIMIT)
    assert [(over.week, over.booked) for over in found] == [
        (date(2026, 11, 30), timedelta(hours=18))
    ]


def test_the_autumn_change_adds_its_real_hour() -> None:
    """The night the clocks go back is an hour longer than its wall clock says."""
    saturday = date(2026, 10, 24)
    night = local_moment(saturday, time(22), TZ).astimezone(UTC)
    morning = datetime(2026, 10, 25, 8, 0, tzinfo=TZ).astimezone(UTC)
    rota = [ShiftListing(Shift(1, 1, night, morning), "H1")]
    assert overbooked(rota, TZ, LIMIT)[0].booked == timedelta(hours=11)
