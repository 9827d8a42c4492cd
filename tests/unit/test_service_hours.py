from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from bot.rota import Interval, NonexistentLocalTime, gaps, local_span
from bot.service_hours import InvalidHours, ServiceHours, ServiceHoursError, UnknownCountry
from storage.models import Shift

STOCKHOLM = ZoneInfo("Europe/Stockholm")
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
ZONES = pytest.mark.parametrize("tz", [STOCKHOLM, COPENHAGEN], ids=["Stockholm", "Copenhagen"])
SWEDEN = ServiceHours()
DENMARK = ServiceHours(country="DK")
EVENING = (time(17), time(22))
DAYTIME = (time(9), time(22))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local_hours(window: Interval, tz: ZoneInfo) -> tuple[time, time]:
    return window.start.astimezone(tz).time(), window.end.astimezone(tz).time()


# --- configuration ----------------------------------------------------------------------------


def test_the_defaults_are_evenings_and_weekend_days_in_sweden() -> None:
    assert ServiceHours.parse("17:00-22:00", "09:00-22:00", "SE") == SWEDEN
    assert (SWEDEN.weekday, SWEDEN.weekend, SWEDEN.country) == (EVENING, DAYTIME, "SE")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17:00-22:00", EVENING),
        (" 17:00 - 22:00 ", EVENING),
        ("17:00\u201322:00", EVENING),  # an en dash, as a word processor writes it
        ("9:00-22:00", DAYTIME),
        ("18:30-00:00", (time(18, 30), time(0))),
        ("20:00-02:00", (time(20), time(2))),
    ],
)
def test_parse_reads_hours_as_an_operator_writes_them(
    text: str, expected: tuple[time, time]
) -> None:
    assert ServiceHours.parse(text, text, "se") == ServiceHours(expected, expected, "SE")


@pytest.mark.parametrize(
    "text",
    ["", "17-22", "17:00", "17:00-22", "5pm-10pm", "17:00-24:00", "25:00-22:00", "17:60-22:00",
     "17:00-17:00", "17:00-22:00-23:00"],
)  # fmt: skip
def test_parse_refuses_malformed_hours(text: str) -> None:
    with pytest.raises(InvalidHours) as refused:
        ServiceHours.parse("17:00-22:00", text, "SE")
    assert isinstance(refused.value, ServiceHoursError)
    assert isinstance(refused.value, ValueError)
    assert repr(refused.value.text) in str(refused.value)


@pytest.mark.parametrize("country", ["XX", "", "Sweden", "S E"])
def test_an_unknown_country_is_refused(country: str) -> None:
    with pytest.raises(UnknownCountry) as refused:
        ServiceHours.parse("17:00-22:00", "09:00-22:00", country)
    assert isinstance(refused.value, ValueError)
    assert refused.value.country == country.strip().upper()


def test_hours_that_end_when_they_start_are_refused_however_built() -> None:
    with pytest.raises(InvalidHours, match="17:00-17:00"):
        ServiceHours(weekday=(time(17), time(17)))
    with pytest.raises(UnknownCountry):
        ServiceHours(country="se")  # the constructor takes the code as the package spells it


@pytest.mark.parametrize("country", ["SE", "DK", "NO", "FI", "DE"])
def test_any_country_the_package_knows_is_accepted(country: str) -> None:
    assert ServiceHours(country=country).country == country


# --- holidays ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "day", "name"),
    [
        # Swedish public holidays on weekdays.
        (SWEDEN, date(2026, 1, 1), "Nyårsdagen"),
        (SWEDEN, date(2026, 1, 6), "Trettondedag jul"),
        (SWEDEN, date(2026, 4, 3), "Långfredagen"),
        (SWEDEN, date(2026, 5, 1), "Första maj"),
        (SWEDEN, date(2026, 5, 14), "Kristi himmelsfärdsdag"),
        (SWEDEN, date(2026, 12, 25), "Juldagen"),
        # Not public holidays in law, but equated with Sundays (the package's "de facto").
        (SWEDEN, date(2026, 6, 19), "Midsommarafton"),
        (SWEDEN, date(2026, 12, 24), "Julafton"),
        (SWEDEN, date(2026, 12, 31), "Nyårsafton"),
        # Swedish days that are not holidays.
        (SWEDEN, date(2026, 3, 1), None),  # an ordinary Sunday is weekend, not a holiday
        (SWEDEN, date(2026, 4, 30), None),  # valborgsmässoafton
        (SWEDEN, date(2026, 11, 24), None),
        # Danish public holidays on weekdays.
        (DENMARK, date(2026, 4, 2), "Skærtorsdag"),
        (DENMARK, date(2026, 4, 3), "Langfredag"),
        (DENMARK, date(2026, 5, 25), "Anden pinsedag"),
        # Danish days the package files as "optional": customary half days off, not holidays.
        (DENMARK, date(2026, 6, 5), None),  # grundlovsdag
        (DENMARK, date(2026, 12, 24), None),  # juleaftensdag
        (DENMARK, date(2026, 5, 1), None),  # arbejdernes kampdag
        # Each country's own calendar: Sweden's national day is nothing in Denmark.
        (DENMARK, date(2026, 6, 6), None),
        (SWEDEN, date(2026, 5, 25), None),
    ],
)
def test_holidays_come_from_the_country_calendar(
    hours: ServiceHours, day: date, name: str | None
) -> None:
    assert hours.holiday_name(day) == name
    assert hours.is_holiday(day) is (name is not None)


def test_no_plain_sunday_of_the_year_is_a_swedish_holiday() -> None:
    sundays = [date(2026, 1, 4) + timedelta(weeks=n) for n in range(52)]
    assert {SWEDEN.holiday_name(day) for day in sundays} == {None, "Påskdagen", "Pingstdagen"}


def test_a_calendar_is_built_once_per_country_and_year(monkeypatch: pytest.MonkeyPatch) -> None:
    hours = ServiceHours(country="FI")
    assert hours.is_holiday(date(2031, 12, 6))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the calendar was built again")

    monkeypatch.setattr(holidays, "country_holidays", refuse)
    days = [date(2031, 1, 1) + timedelta(days=n) for n in range(365)]
    assert sum(hours.is_holiday(day) for day in days) > 10


# --- windows and covers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "day", "expected"),
    [
        pytest.param(SWEDEN, date(2026, 1, 5), EVENING, id="SE-monday"),
        pytest.param(SWEDEN, date(2026, 1, 6), DAYTIME, id="SE-tuesday-trettondedag"),
        pytest.param(SWEDEN, date(2026, 1, 7), EVENING, id="SE-wednesday"),
        pytest.param(SWEDEN, date(2026, 1, 10), DAYTIME, id="SE-saturday"),
        pytest.param(SWEDEN, date(2026, 1, 11), DAYTIME, id="SE-sunday"),
        pytest.param(SWEDEN, date(2026, 5, 1), DAYTIME, id="SE-friday-first-of-may"),
        pytest.param(SWEDEN, date(2026, 6, 19), DAYTIME, id="SE-midsommarafton"),
        pytest.param(SWEDEN, date(2026, 12, 24), DAYTIME, id="SE-julafton"),
        pytest.param(DENMARK, date(2026, 4, 2), DAYTIME, id="DK-skaertorsdag"),
        pytest.param(DENMARK, date(2026, 6, 5), EVENING, id="DK-grundlovsdag"),
        pytest.param(DENMARK, date(2026, 12, 24), EVENING, id="DK-juleaftensdag"),
    ],
)
def test_a_holiday_on_a_weekday_gets_weekend_hours(
    hours: ServiceHours, day: date, expected: tuple[time, time]
) -> None:
    tz = COPENHAGEN if hours.country == "DK" else STOCKHOLM
    [window] = hours.windows(day, day, tz)
    assert window.start.astimezone(tz).date() == day
    assert local_hours(window, tz) == expected


@ZONES
@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # Weekend days 09:00-22:00 around the changes; the Sundays are the change days.
        (date(2026, 3, 28), Interval(utc(2026, 3, 28, 8), utc(2026, 3, 28, 21))),
        (date(2026, 3, 29), Interval(utc(2026, 3, 29, 7), utc(2026, 3, 29, 20))),
        (date(2026, 10, 24), Interval(utc(2026, 10, 24, 7), utc(2026, 10, 24, 20))),
        (date(2026, 10, 25), Interval(utc(2026, 10, 25, 8), utc(2026, 10, 25, 21))),
        # The Mondays after, 17:00-22:00.
        (date(2026, 3, 30), Interval(utc(2026, 3, 30, 15), utc(2026, 3, 30, 20))),
        (date(2026, 10, 26), Interval(utc(2026, 10, 26, 16), utc(2026, 10, 26, 21))),
    ],
)
def test_windows_on_daylight_saving_days_are_right_in_utc(
    tz: ZoneInfo, day: date, expected: Interval
) -> None:
    assert SWEDEN.windows(day, day, tz) == [expected]


@ZONES
def test_night_hours_through_the_spring_change_are_an_hour_shorter(tz: ZoneInfo) -> None:
    nights = ServiceHours(weekday=(time(22), time(8)), weekend=(time(22), time(8)))
    lengths = [w.end - w.start for w in nights.windows(date(2026, 3, 27), date(2026, 3, 29), tz)]
    assert lengths == [timedelta(hours=10), timedelta(hours=9), timedelta(hours=10)]


def test_hours_in_the_skipped_spring_hour_are_refused_for_that_day() -> None:
    early = ServiceHours(weekend=(time(2, 30), time(6)))
    assert len(early.windows(date(2026, 3, 21), date(2026, 3, 28), STOCKHOLM)) == 8
    with pytest.raises(NonexistentLocalTime):
        early.windows(date(2026, 3, 29), date(2026, 3, 29), STOCKHOLM)


def test_windows_are_one_per_local_day_in_order() -> None:
    windows = SWEDEN.windows(date(2026, 11, 23), date(2026, 11, 29), STOCKHOLM)
    assert [w.start.astimezone(STOCKHOLM).date() for w in windows] == [
        date(2026, 11, 23) + timedelta(days=n) for n in range(7)
    ]
    assert [local_hours(w, STOCKHOLM) for w in windows] == [EVENING] * 5 + [DAYTIME] * 2
    assert all(w.start.tzinfo is UTC for w in windows)
    assert SWEDEN.windows(date(2026, 11, 24), date(2026, 11, 23), STOCKHOLM) == []


def test_a_window_past_midnight_ends_the_next_day() -> None:
    late = ServiceHours(weekday=(time(20), time(2)))
    [window] = late.windows(date(2026, 11, 24), date(2026, 11, 24), STOCKHOLM)
    assert window == Interval(utc(2026, 11, 24, 19), utc(2026, 11, 25, 1))


@pytest.mark.parametrize(
    ("hours", "local", "inside"),
    [
        pytest.param(SWEDEN, datetime(2026, 11, 24, 17), True, id="opening-minute"),
        pytest.param(SWEDEN, datetime(2026, 11, 24, 16, 59), False, id="before-opening"),
        pytest.param(SWEDEN, datetime(2026, 11, 24, 21, 59), True, id="last-minute"),
        pytest.param(SWEDEN, datetime(2026, 11, 24, 22), False, id="closing"),
        pytest.param(SWEDEN, datetime(2026, 11, 24, 10), False, id="weekday-morning"),
        pytest.param(SWEDEN, datetime(2026, 11, 28, 10), True, id="saturday-morning"),
        pytest.param(SWEDEN, datetime(2026, 1, 6, 10), True, id="trettondedag-morning"),
        pytest.param(SWEDEN, datetime(2026, 3, 29, 9), True, id="spring-change-sunday"),
        pytest.param(SWEDEN, datetime(2026, 10, 25, 8, 59), False, id="autumn-change-sunday"),
        pytest.param(
            ServiceHours(weekday=(time(20), time(2))),
            datetime(2026, 11, 25, 1, 30),
            True,
            id="after-midnight-on-yesterdays-hours",
        ),
        pytest.param(
            ServiceHours(weekday=(time(20), time(2))),
            datetime(2026, 11, 25, 2),
            False,
            id="after-yesterdays-hours",
        ),
    ],
)
def test_covers(hours: ServiceHours, local: datetime, inside: bool) -> None:
    at = local.replace(tzinfo=STOCKHOLM)
    assert hours.covers(at, STOCKHOLM) is inside
    assert hours.covers(at.astimezone(UTC), STOCKHOLM) is inside


def test_a_week_of_rota_against_the_promise() -> None:
    """The coordinator's question: which promised hours does this week's rota leave open?"""
    week = SWEDEN.windows(date(2026, 3, 23), date(2026, 3, 29), STOCKHOLM)  # DST on Sunday

    def duty(shift_id: int, day: int, start: int, end: int) -> Shift:
        hours = local_span(date(2026, 3, day), time(start), time(end), STOCKHOLM)
        return Shift(shift_id, shift_id % 2 + 1, hours.start, hours.end)

    rota = [
        *(duty(n, n, 17, 22) for n in range(23, 28)),  # every weekday evening
        duty(28, 28, 9, 15),
        duty(29, 28, 15, 22),  # Saturday, in two halves
        duty(30, 28, 22, 8),  # a night shift across the change, outside the promise
        duty(31, 29, 12, 22),
        duty(32, 29, 12, 22),  # Sunday's primary and backup, both from noon
    ]
    assert gaps(rota, week) == [local_span(date(2026, 3, 29), time(9), time(12), STOCKHOLM)]
