"""The hours the service promises to cover, so the rota can be checked against a promise.

Families are told "evenings on weekdays, daytime and evening on weekends and public holidays",
in the service's local time. A public holiday on a weekday gets weekend hours because it is a
day off like a Saturday: families are at home, and the office is closed.

Which days are holidays is left to the `holidays` package rather than a list of our own, so a
municipality in any country the package knows can run the bot. Two decisions on top of it:

- Swedish calendars from older releases of the package count every Sunday as a holiday
  ("Söndag"); that is asked away explicitly, so a holiday is always a named day off.
- Besides the public holidays, days a country's law treats like them count too (the package's
  "de facto" category). In Sweden these are midsommarafton, julafton and nyårsafton, which the
  semesterlag equates with Sundays: most workplaces and every authority are closed. Denmark has
  no such category; its customary half days off (grundlovsdag, juleaftensdag) are "optional"
  in the package and keep weekday hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from holidays.countries.sweden import Sweden

from bot.rota import Interval, local_span

HOLIDAY_CATEGORIES = (holidays.PUBLIC, holidays.DE_FACTO)
# An operator types these in a configuration file; an en dash from a word processor is fine.
_SPAN = re.compile(r"\s*(\d{1,2}):(\d{2})\s*[-\u2013]\s*(\d{1,2}):(\d{2})\s*")


class ServiceHoursError(ValueError):
    """Configured service hours the bot cannot keep a promise with."""


class InvalidHours(ServiceHoursError):
    """Hours that are not a span like 17:00-22:00; carries the offending text."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"service hours {text!r} {reason}")
        self.text = text


class UnknownCountry(ServiceHoursError):
    """A country code the holidays package has no calendar for; carries the code."""

    def __init__(self, country: str) -> None:
        super().__init__(
            f"no public holiday calendar for country {country!r}; "
            "use an ISO 3166 code such as SE or DK"
        )
        self.country = country


@cache
def _calendar(country: str, year: int) -> holidays.HolidayBase:
    """One year of one country's days off, built once: building it computes every movable feast."""
    # Built without years, a calendar holds no days yet but tells what the country offers.
    entity = holidays.country_holidays(country)
    options: dict[str, Any] = {"include_sundays": False} if isinstance(entity, Sweden) else {}
    # The country's own class, not country_holidays: that passes a country's own options (Sweden's
    # include_sundays) only from holidays 0.109 on, and the floor is 0.88.
    return type(entity)(
        years=year,
        categories=[c for c in HOLIDAY_CATEGORIES if c in entity.supported_categories],
        # Names in the country's own language, not whatever locale the server happens to have.
        language=entity.default_language,
        **options,
    )


def _parse_span(text: str) -> tuple[time, time]:
    match = _SPAN.fullmatch(text)
    if match is None:
        raise InvalidHours(text, "must look like 17:00-22:00")
    start_hour, start_minute, end_hour, end_minute = map(int, match.groups())
    try:
        return time(start_hour, start_minute), time(end_hour, end_minute)
    except ValueError:
        raise InvalidHours(text, "must use times from 00:00 to 23:59") from None


@dataclass(frozen=True, slots=True)
class ServiceHours:
    """Daily opening hours; an end at or before the start runs past midnight."""

    weekday: tuple[time, time] = (time(17), time(22))
    weekend: tuple[time, time] = (time(9), time(22))  # also public holidays
    country: str = "SE"

    def __post_init__(self) -> None:
        # Checked here rather than in `parse`, so no ServiceHours exists that `windows` refuses.
        for start, end in (self.weekday, self.weekend):
            if start == end:
                raise InvalidHours(f"{start:%H:%M}-{end:%H:%M}", "must not end when they start")
        if self.country not in holidays.list_supported_countries():
            raise UnknownCountry(self.country)

    @classmethod
    def parse(cls, weekday: str, weekend: str, country: str) -> ServiceHours:
        """Hours as an operator writes them in the configuration: "17:00-22:00" and "se"."""
        return cls(_parse_span(weekday), _parse_span(weekend), country.strip().upper())

    def is_holiday(self, day: date) -> bool:
        return day in _calendar(self.country, day.year)

    def holiday_name(self, day: date) -> str | None:
        """The holiday's name in the country's language, to explain why a weekday has day hours."""
        return _calendar(self.country, day.year).get(day)

    def hours_of(self, day: date) -> tuple[time, time]:
        return self.weekend if day.weekday() >= 5 or self.is_holiday(day) else self.weekday

    def windows(self, first_day: date, last_day: date, tz: ZoneInfo) -> list[Interval]:
        """The promised hours of each local day from first_day to last_day, in real time.

        A window belongs to the day it starts on, so Friday's window may run into Saturday
        with Friday's hours. Hours that start or end in the hour skipped by spring-forward
        raise NonexistentLocalTime for that day, as a shift would.
        """
        days = (first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1))
        return [local_span(day, *self.hours_of(day), tz) for day in days]

    def covers(self, at: datetime, tz: ZoneInfo) -> bool:
        """Whether a family writing at `at` is within the hours the service promised."""
        today = at.astimezone(tz).date()
        # Yesterday's window is asked too: with hours past midnight it may still be open.
        return any(
            window.start <= at < window.end
            for window in self.windows(today - timedelta(days=1), today, tz)
        )
