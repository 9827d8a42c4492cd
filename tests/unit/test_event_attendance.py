"""Attendance after an event, the moves up from the waiting list, the course days per family
(over two days, across a year's end, kept past the sign-ups' retention, gone the retention
after its year and with the last adult, removed or erased), and the events'
figures in the evaluation report."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import event_attendance, events, members, personal_data, retention, stats
from bot.event_attendance import AttendanceProblem, FamilyCourseDays, Marked
from bot.events import Confirmed, EventProblem, Waiting
from bot.service_hours import ServiceHours
from storage.db import Database
from storage.models import (
    Event,
    EventAudience,
    EventDetails,
    EventKind,
    EventState,
    Member,
    Role,
    Signup,
)
from tests.support import make_household

TZ = ZoneInfo("Europe/Stockholm")
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
# Made and signed up for a fortnight before; marked on the evening after.
BEFORE = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def local(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ).astimezone(UTC)


# A course from Friday 09:00 to Saturday 16:00, local time: two course days.
COURSE = EventDetails(
    kind=EventKind.COURSE,
    title="Traumamedveten omsorg",
    starts_at=local(date(2026, 12, 4), 9),
    ends_at=local(date(2026, 12, 5), 16),
    audience=EventAudience.FAMILIES,
    capacity=6,
)
AFTER = COURSE.ends_at + 4 * HOUR


@dataclass(frozen=True)
class People:
    families: list[Member]
    mentor: Member
    coordinator: Member


@pytest.fixture
async def people(db: Database) -> People:
    families = [
        (await make_household(db, Role.FAMILY, f"Familjen {n}", (9_100 + n,), BEFORE))[0]
        for n in range(4)
    ]
    (mentor,) = await make_household(db, Role.MENTOR, "Familjen Berg", (8_101,), BEFORE)
    (karin,) = await make_household(db, Role.COORDINATOR, "Karin", (8_102,), BEFORE)
    return People(families, mentor, karin)


async def an_event(db: Database, people: People, details: EventDetails = COURSE) -> Event:
    event = await events.create(db, details, people.coordinator, BEFORE)
    assert isinstance(event, Event)
    return event


async def signed_up(db: Database, event: Event, member: Member, adults: int) -> Signup:
    result = await events.sign_up(db, event.id, member, adults, 0, BEFORE)
    assert isinstance(result, Confirmed | Waiting), result
    return result.signup


async def mark(
    db: Database, people: People, event: Event, signup: Signup, came: bool, now: datetime = AFTER
) -> Marked | AttendanceProblem:
    return await event_attendance.mark(db, people.coordinator, event.id, signup.id, came, TZ, now)


async def days_of(db: Database, member: Member, year: int = 2026) -> int:
    return await event_attendance.course_days(db, member.household.id, year)


# --- attendance --------------------------------------------------------------------------


async def test_a_place_is_marked_after_the_start_only_and_a_second_press_changes_nothing(
    db: Database, people: People
) -> None:
    event = await an_event(db, people)
    ek = people.families[0]
    place = await signed_up(db, event, ek, 2)

    early = await mark(db, people, event, place, True, now=COURSE.starts_at - HOUR)
    assert early is AttendanceProblem.NOT_STARTED
    first = await mark(db, people, event, place, True, now=COURSE.starts_at + HOUR)
    again = await mark(db, people, event, place, True)

    assert isinstance(first, Marked) and first.changed and first.signup.attended is True
    assert isinstance(again, Marked) and not again.changed
    assert await days_of(db, ek) == 2  # counted once, not twice
    roster = await events.roster(db, event.id)
    assert roster is not None and roster.confirmed[0].signup.attended is True


async def test_a_waiting_sign_up_another_events_or_a_cancelled_event_is_not_marked(
    db: Database, people: People
) -> None:
    event = await an_event(db, people)
    other = await an_event(db, people, replace(COURSE, title="Annan kurs"))
    a, b = people.families[:2]
    await signed_up(db, event, a, 6)
    waiting = await signed_up(db, event, b, 2)
    elsewhere = await signed_up(db, other, b, 2)
    assert await events.cancel(db, people.coordinator, other.id, BEFORE) is not None

    assert await mark(db, people, event, waiting, True) is AttendanceProblem.NOT_FOUND
    assert await mark(db, people, event, elsewhere, True) is AttendanceProblem.NOT_FOUND
    assert await mark(db, people, other, elsewhere, True) is AttendanceProblem.CANCELLED
    gone = await event_attendance.mark(db, people.coordinator, 999, 1, True, TZ, AFTER)
    assert gone is AttendanceProblem.NOT_FOUND
    assert await days_of(db, b) == 0


async def test_an_event_that_has_begun_is_not_cancelled(db: Database, people: People) -> None:
    event = await an_event(db, people)
    assert await events.cancel(db, people.coordinator, event.id, AFTER) is EventProblem.STARTED


# --- course days -------------------------------------------------------------------------


async def test_a_course_over_two_days_counts_two_and_a_mark_taken_back_takes_them_back(
    db: Database, people: People
) -> None:
    event = await an_event(db, people)
    ek, lind = people.families[:2]
    ek_place, lind_place = await signed_up(db, event, ek, 1), await signed_up(db, event, lind, 2)

    await mark(db, people, event, ek_place, True)
    await mark(db, people, event, lind_place, False)  # did not come: nothing to take back
    assert (await days_of(db, ek), await days_of(db, lind)) == (2, 0)

    await mark(db, people, event, ek_place, False)
    await mark(db, people, event, lind_place, True)
    assert (await days_of(db, ek), await days_of(db, lind)) == (0, 2)


async def test_a_theme_morning_is_no_course_day(db: Database, people: People) -> None:
    morning = replace(COURSE, kind=EventKind.THEME_MORNING, ends_at=COURSE.starts_at + 3 * HOUR)
    event = await an_event(db, people, morning)
    ek = people.families[0]
    assert isinstance(
        await mark(db, people, event, await signed_up(db, event, ek, 1), True), Marked
    )
    assert await days_of(db, ek) == 0


def test_the_days_a_course_spans_are_local_and_fall_in_their_own_years() -> None:
    def days(starts: datetime, ends: datetime) -> dict[int, int]:
        course = Event(1, replace(COURSE, starts_at=starts, ends_at=ends), EventState.OPEN)
        return event_attendance.course_days_by_year(course, TZ)

    new_year = days(local(date(2026, 12, 31), 10), local(date(2027, 1, 1), 14))
    # 23:00 UTC on Friday is already Saturday in Stockholm; an end at midnight spans no more.
    late = days(datetime(2026, 12, 4, 23, tzinfo=UTC), local(date(2026, 12, 6), 0))

    assert new_year == {2026: 1, 2027: 1}
    assert late == {2026: 1}


async def test_a_course_over_new_year_counts_a_day_in_each_year(
    db: Database, people: People
) -> None:
    over = replace(
        COURSE, starts_at=local(date(2026, 12, 31), 10), ends_at=local(date(2027, 1, 1), 14)
    )
    event = await an_event(db, people, over)
    ek = people.families[0]
    await mark(db, people, event, await signed_up(db, event, ek, 1), True, now=over.ends_at)
    assert (await days_of(db, ek, 2026), await days_of(db, ek, 2027)) == (1, 1)


async def test_the_tally_outlives_the_sign_ups_retention_and_goes_after_its_year(
    db: Database, people: People
) -> None:
    event = await an_event(db, people)
    ek = people.families[0]
    await mark(db, people, event, await signed_up(db, event, ek, 1), True)

    # Retention after the course, in the new year: the sign-up is anonymised, the tally stays.
    await retention.erase_expired_content(db, 30 * DAY, AFTER + 31 * DAY)
    roster = await events.roster(db, event.id)
    assert roster is not None and roster.confirmed[0].household_name is None  # anonymised
    assert roster.confirmed[0].signup.attended is True  # the count stays
    assert await days_of(db, ek) == 2
    exported = await personal_data.export(db, ek.id, ek, AFTER + 31 * DAY)
    assert exported is not None
    assert json.loads(exported)["course_days"] == [{"year": 2026, "days": 2}]

    # The retention after the year's end: the year's tally goes, the attendance's count stays.
    await retention.erase_expired_content(db, 30 * DAY, datetime(2027, 1, 31, 1, tzinfo=UTC))
    assert await days_of(db, ek) == 0
    exported = await personal_data.export(db, ek.id, ek, datetime(2027, 1, 31, 2, tzinfo=UTC))
    assert exported is not None and json.loads(exported)["course_days"] == []
    roster = await events.roster(db, event.id)
    assert roster is not None and roster.confirmed[0].signup.attended is True


async def test_the_tally_goes_with_the_last_adult_removed_or_erased(
    db: Database, people: People
) -> None:
    event = await an_event(db, people)
    ek, lind = people.families[:2]
    for member in (ek, lind):
        await mark(db, people, event, await signed_up(db, event, member, 1), True)

    removed = await members.remove(db, people.coordinator, ek.id, AFTER + DAY)
    assert removed.departure is not None and removed.departure.last_of_household
    assert await personal_data.erase(db, lind.id, people.coordinator, AFTER + DAY)

    assert (await days_of(db, ek), await days_of(db, lind)) == (0, 0)


async def test_the_export_shows_whether_the_household_came_and_when_it_moved_up(
    db: Database, people: People
) -> None:
    event = await an_event(db, people)
    ek, lind = people.families[:2]
    first = await signed_up(db, event, ek, 5)
    await signed_up(db, event, lind, 3)  # waits
    cancelled = await events.cancel_signup(db, ek, first.id, BEFORE + HOUR)
    assert not isinstance(cancelled, events.CancelProblem) and len(cancelled.moved_up) == 1
    place = cancelled.moved_up[0].signup
    await mark(db, people, event, place, True)

    exported = await personal_data.export(db, lind.id, lind, AFTER)
    assert exported is not None
    (row,) = json.loads(exported)["event_signups"]
    assert (row["attended"], row["moved_up_at"]) == (1, (BEFORE + HOUR).isoformat())


async def test_the_families_below_the_expected_days_fewest_first(
    db: Database, people: People
) -> None:
    event = await an_event(db, people)
    ek, lind, holm, _ = people.families
    for member in (ek, lind):
        await mark(db, people, event, await signed_up(db, event, member, 1), True)

    below = await event_attendance.families_below(db, 2026, 3)

    assert below == [
        FamilyCourseDays("Familjen 2", 0),
        FamilyCourseDays("Familjen 3", 0),
        FamilyCourseDays("Familjen 0", 2),
        FamilyCourseDays("Familjen 1", 2),
    ]
    assert await event_attendance.families_below(db, 2026, 2) == below[:2]
    assert holm.household.display_name == "Familjen 2"


# --- the evaluation's figures ------------------------------------------------------------


async def test_the_report_counts_events_held_by_kind_in_people(
    db: Database, people: People
) -> None:
    course = await an_event(db, people)
    outing = replace(
        COURSE, kind=EventKind.OUTING, capacity=None, children_along=True, title="Utflykt"
    )
    held_outing = await an_event(db, people, outing)
    cancelled = await an_event(db, people, replace(COURSE, title="Inställd"))
    later = replace(COURSE, starts_at=AFTER + DAY, ends_at=AFTER + DAY + HOUR, title="Senare")
    await an_event(db, people, later)  # in the period, not begun when the report is made
    a, b, c, d = people.families
    came = await signed_up(db, course, a, 4)
    stayed_away = await signed_up(db, course, b, 2)
    first_waiting = await signed_up(db, course, c, 2)  # waits
    await signed_up(db, course, d, 1)  # waits behind it
    assert not isinstance(
        moved := await events.cancel_signup(db, b, stayed_away.id, BEFORE + HOUR),
        events.CancelProblem,
    )
    assert [party.signup.id for party in moved.moved_up] == [first_waiting.id]  # 1 more: no
    await mark(db, people, course, came, True)
    await mark(db, people, course, first_waiting, False)
    await events.sign_up(db, held_outing.id, a, 2, 3, BEFORE)
    await events.sign_up(db, cancelled.id, a, 2, 0, BEFORE)
    assert isinstance(
        await events.cancel(db, people.coordinator, cancelled.id, BEFORE), events.EventCancelled
    )

    period = stats.Period(date(2026, 12, 1), date(2026, 12, 31))
    hours = ServiceHours.parse("17:00-22:00", "09:00-22:00", "SE")
    report = await stats.report(db, period, TZ, hours, AFTER)

    figures = {figure.kind: figure for figure in report.events}
    assert list(figures) == list(EventKind)  # every kind, for a CSV with the same rows
    assert figures[EventKind.COURSE] == stats.EventFigures(
        EventKind.COURSE,
        held=1,
        places=6,
        unlimited=0,
        signed_up=6,
        attended=4,
        moves=1,
        no_shows=2,
    )
    assert figures[EventKind.OUTING] == stats.EventFigures(
        EventKind.OUTING,
        held=1,
        places=0,
        unlimited=1,
        signed_up=5,
        attended=0,
        moves=0,
        no_shows=0,
    )
    assert figures[EventKind.THEME_MORNING].held == 0
