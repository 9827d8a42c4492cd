"""Planning the rota against a real SQLite file: bot.rota_planning and the storage beneath it."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import rota_planning
from bot.rota import Interval, local_span
from bot.rota_csv import ExportRow, PlannedShift
from bot.rota_planning import DayCoverage, Refusal, ShiftProblem
from bot.service_hours import ServiceHours
from storage import households
from storage import reminders as ledgers
from storage import shifts as store
from storage.db import Database
from storage.models import Member, ReminderState, Role, Shift, ShiftListing
from tests.support import make_household

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday, 13:00 in Stockholm
STOCKHOLM = ZoneInfo("Europe/Stockholm")
HOURS = ServiceHours.parse("17:00-22:00", "09:00-22:00", "SE")
MONDAY = date(2026, 11, 23)
TUESDAY = date(2026, 11, 24)
WEDNESDAY = date(2026, 11, 25)
THURSDAY = date(2026, 11, 26)


def local(day: date, start: str, end: str) -> Interval:
    """A wall-clock span in Stockholm, as a coordinator types it."""
    return local_span(day, time.fromisoformat(start), time.fromisoformat(end), STOCKHOLM)


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


async def household(db: Database, role: Role, name: str | None, *telegram_ids: int) -> list[Member]:
    return await make_household(db, role, name, telegram_ids, at=NOW)


@dataclass(frozen=True, slots=True)
class People:
    coordinator: Member
    berg: list[Member]  # a mentor household of two adults
    lund: Member  # a second mentor household
    family: Member

    def by_role(self, who: str) -> Member:
        return {"family": self.family, "coordinator": self.coordinator}[who]


@pytest.fixture
async def people(db: Database) -> People:
    (coordinator,) = await household(db, Role.COORDINATOR, None, 1)
    berg = await household(db, Role.MENTOR, "Familjen Berg", 11, 12)
    (lund,) = await household(db, Role.MENTOR, "Familjen Lund", 21)
    (family,) = await household(db, Role.FAMILY, "Familjen Ek", 31)
    return People(coordinator, berg, lund, family)


async def book(
    db: Database, people: People, member: Member, span: Interval, now: datetime = NOW
) -> Shift:
    """A shift that must be accepted; the coordinator plans it."""
    result = await rota_planning.add(db, member.id, span, people.coordinator, now)
    assert isinstance(result, Shift), result
    return result


def planned(line: int, member: Member | int, span: Interval) -> PlannedShift:
    member_id = member if isinstance(member, int) else member.id
    local_start = span.start.astimezone(STOCKHOLM)
    return PlannedShift(
        line,
        member_id,
        span,
        local_start.date(),
        local_start.time(),
        span.end.astimezone(STOCKHOLM).time(),
    )


async def all_shifts(db: Database) -> list[Shift]:
    async with db.read() as session:
        return await store.shifts_ending_after(session, datetime(2000, 1, 1, tzinfo=UTC))


async def count(db: Database, table: str) -> int:
    async with db.read() as session:
        row = await session.fetch_one(f"SELECT COUNT(*) FROM {table}")
    assert row is not None
    return int(row[0])


# --- add ----------------------------------------------------------------------------------------


async def test_a_mentor_gets_a_shift_for_their_household(db: Database, people: People) -> None:
    span = local(TUESDAY, "17:00", "22:00")
    shift = await book(db, people, people.berg[1], span)

    assert shift.household_id == people.berg[1].household.id
    assert (shift.starts_at, shift.ends_at) == (utc(11, 24, 16), utc(11, 24, 21))
    assert await all_shifts(db) == [shift]
    async with db.read() as session:
        row = await session.fetch_one("SELECT created_by, created_at FROM shifts")
    assert row is not None
    assert (row["created_by"], row["created_at"]) == (
        people.coordinator.id,
        "2026-11-23T12:00:00+00:00",
    )
    (listing,) = await rota_planning.listings(db, span.start, span.end)
    assert (listing.shift, listing.mentor_name) == (shift, "Familjen Berg")


async def test_an_unknown_member_is_refused(db: Database, people: People) -> None:
    result = await rota_planning.add(
        db, 9999, local(TUESDAY, "17:00", "22:00"), people.coordinator, NOW
    )
    assert result == Refusal(ShiftProblem.UNKNOWN_MEMBER)
    assert await all_shifts(db) == []


@pytest.mark.parametrize("who", ["family", "coordinator"])
async def test_only_mentors_can_be_on_duty(db: Database, people: People, who: str) -> None:
    member = people.by_role(who)
    result = await rota_planning.add(db, member.id, local(TUESDAY, "17:00", "22:00"), member, NOW)
    assert result == Refusal(ShiftProblem.NOT_MENTOR)
    assert await all_shifts(db) == []


@pytest.mark.parametrize("ends_before_now", [timedelta(0), timedelta(hours=1), timedelta(days=3)])
async def test_a_shift_that_is_over_is_refused(
    db: Database, people: People, ends_before_now: timedelta
) -> None:
    end = NOW - ends_before_now
    result = await rota_planning.add(
        db, people.lund.id, Interval(end - timedelta(hours=5), end), people.coordinator, NOW
    )
    assert result == Refusal(ShiftProblem.IN_PAST)
    assert await all_shifts(db) == []


async def test_a_shift_that_has_begun_covers_the_rest_of_it(db: Database, people: People) -> None:
    start = NOW - timedelta(hours=1)
    await book(db, people, people.lund, Interval(start, start + timedelta(hours=5)))
    assert len(await all_shifts(db)) == 1


async def test_a_shift_a_minute_ahead_is_still_accepted(db: Database, people: People) -> None:
    start = NOW + timedelta(minutes=1)
    await book(db, people, people.lund, Interval(start, start + timedelta(hours=1)))
    assert len(await all_shifts(db)) == 1


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("21:00", "23:00"),  # runs into the end
        ("16:00", "17:01"),  # runs into the start
        ("18:00", "19:00"),  # inside
        ("16:00", "23:00"),  # around
        ("17:00", "22:00"),  # the very same
    ],
)
async def test_one_household_cannot_be_on_duty_twice(
    db: Database, people: People, start: str, end: str
) -> None:
    existing = await book(db, people, people.berg[0], local(TUESDAY, "17:00", "22:00"))
    # The partner asking counts as the same household.
    result = await rota_planning.add(
        db, people.berg[1].id, local(TUESDAY, start, end), people.coordinator, NOW
    )
    assert result == Refusal(ShiftProblem.OVERLAP, conflict=existing)
    assert await all_shifts(db) == [existing]


async def test_two_households_may_share_a_slot(db: Database, people: People) -> None:
    span = local(TUESDAY, "17:00", "22:00")
    primary = await book(db, people, people.berg[0], span)
    backup = await book(db, people, people.lund, span)
    assert primary.household_id != backup.household_id
    listed = await rota_planning.listings(db, span.start, span.end)
    assert [listing.mentor_name for listing in listed] == ["Familjen Berg", "Familjen Lund"]


async def test_back_to_back_shifts_of_one_household_are_a_handover(
    db: Database, people: People
) -> None:
    mentor = people.berg[0]
    evening = await book(db, people, mentor, local(TUESDAY, "17:00", "22:00"))
    night = await book(db, people, mentor, local(TUESDAY, "22:00", "08:00"))
    afternoon = await book(db, people, mentor, local(TUESDAY, "12:00", "17:00"))
    assert await all_shifts(db) == [afternoon, evening, night]


# --- import -------------------------------------------------------------------------------------


async def import_adding(
    db: Database, people: People, rows: list[PlannedShift], *, remove_missing: bool = False
) -> rota_planning.FileApplied | list[Refusal] | rota_planning.FileChanged:
    """A file the coordinator imports without being asked (the CLI's way)."""
    return await rota_planning.apply_file(
        db, rows, people.coordinator, NOW, remove_missing=remove_missing, expected=None
    )


async def test_an_import_adds_every_row(db: Database, people: People) -> None:
    rows = [
        planned(2, people.berg[0], local(TUESDAY, "17:00", "22:00")),
        planned(3, people.lund, local(TUESDAY, "17:00", "22:00")),
        planned(4, people.berg[1], local(WEDNESDAY, "17:00", "22:00")),
    ]
    result = await rota_planning.apply_file(
        db, rows, None, NOW, remove_missing=False, expected=None
    )

    assert isinstance(result, rota_planning.FileApplied)
    added = result.added
    assert [(s.household_id, s.starts_at) for s in added] == [
        (people.berg[0].household.id, utc(11, 24, 16)),
        (people.lund.household.id, utc(11, 24, 16)),
        (people.berg[0].household.id, utc(11, 25, 16)),
    ]
    assert await all_shifts(db) == added
    async with db.read() as session:
        creators = await session.fetch_all("SELECT created_by FROM shifts")
    assert [row[0] for row in creators] == [None, None, None]


async def test_an_import_with_one_bad_row_adds_nothing_and_names_every_bad_row(
    db: Database, people: People
) -> None:
    existing = await book(db, people, people.lund, local(WEDNESDAY, "17:00", "22:00"))
    yesterday = local(MONDAY - timedelta(days=1), "17:00", "22:00")
    rows = [
        planned(2, people.berg[0], local(TUESDAY, "17:00", "22:00")),
        planned(3, people.family, local(TUESDAY, "17:00", "22:00")),
        planned(4, people.berg[0], yesterday),
        planned(5, 9999, local(TUESDAY, "17:00", "22:00")),
        planned(6, people.lund, local(WEDNESDAY, "20:00", "23:00")),
        planned(7, people.coordinator, local(THURSDAY, "17:00", "22:00")),
        planned(8, people.berg[1], local(THURSDAY, "17:00", "22:00")),
    ]
    refused = await import_adding(db, people, rows)

    assert refused == [
        Refusal(ShiftProblem.NOT_MENTOR, line=3),
        Refusal(ShiftProblem.IN_PAST, line=4),
        Refusal(ShiftProblem.UNKNOWN_MEMBER, line=5),
        Refusal(ShiftProblem.OVERLAP, existing, line=6),
        Refusal(ShiftProblem.NOT_MENTOR, line=7),
    ]
    assert await all_shifts(db) == [existing]


async def test_rows_of_one_import_may_not_double_book_a_household(
    db: Database, people: People
) -> None:
    rows = [
        planned(2, people.berg[0], local(TUESDAY, "17:00", "22:00")),
        planned(3, people.lund, local(TUESDAY, "17:00", "22:00")),  # another household: fine
        planned(4, people.berg[1], local(TUESDAY, "21:00", "23:00")),  # the partner: a clash
    ]
    refused = await import_adding(db, people, rows)

    assert refused == [Refusal(ShiftProblem.OVERLAP, line=4, conflict_line=2)]
    assert await all_shifts(db) == []


async def test_an_empty_import_adds_nothing(db: Database, people: People) -> None:
    assert await import_adding(db, people, []) == rota_planning.FileApplied([], 0, [], 0)
    assert await all_shifts(db) == []


# --- delete and listings ------------------------------------------------------------------------


async def set_reminders(db: Database, shift: Shift, *minutes: int) -> None:
    async with db.write() as session:
        for minutes_before in minutes:
            await ledgers.set_state(
                session, ledgers.SHIFTS, shift.id, minutes_before, ReminderState.SENT, NOW
            )


async def reminder_states(db: Database, *shift_ids: int) -> dict[tuple[int, int], ReminderState]:
    async with db.read() as session:
        return await ledgers.states(session, ledgers.SHIFTS, shift_ids)


async def test_delete_returns_the_shift_and_forgets_its_reminders(
    db: Database, people: People
) -> None:
    doomed = await book(db, people, people.berg[0], local(TUESDAY, "17:00", "22:00"))
    kept = await book(db, people, people.lund, local(TUESDAY, "17:00", "22:00"))
    await set_reminders(db, doomed, 1440, 60)
    await set_reminders(db, kept, 60)

    listing = await rota_planning.delete(db, doomed.id, people.coordinator, NOW)

    assert listing is not None
    assert (listing.shift, listing.mentor_name) == (doomed, "Familjen Berg")
    assert await all_shifts(db) == [kept]
    assert await reminder_states(db, doomed.id, kept.id) == {(kept.id, 60): "sent"}
    assert await count(db, "shift_reminders") == 1


async def test_deleting_a_missing_shift_returns_nothing(db: Database, people: People) -> None:
    shift = await book(db, people, people.lund, local(TUESDAY, "17:00", "22:00"))
    assert await rota_planning.delete(db, shift.id, people.coordinator, NOW) is not None
    assert await rota_planning.delete(db, shift.id, people.coordinator, NOW) is None
    assert await rota_planning.delete(db, 9999, people.coordinator, NOW) is None


async def test_listings_are_the_shifts_sharing_time_with_the_range(
    db: Database, people: People
) -> None:
    before = await book(db, people, people.berg[0], local(TUESDAY, "12:00", "17:00"))
    evening = await book(db, people, people.lund, local(TUESDAY, "17:00", "22:00"))
    night = await book(db, people, people.berg[0], local(TUESDAY, "22:00", "08:00"))
    later = await book(db, people, people.lund, local(WEDNESDAY, "17:00", "22:00"))
    evening_span = local(TUESDAY, "17:00", "22:00")

    def ids(listed: list[ShiftListing]) -> list[int]:
        return [listing.shift.id for listing in listed]

    # Half-open: the shift ending at 17:00 and the one starting at 22:00 are not in 17-22.
    assert ids(await rota_planning.listings(db, evening_span.start, evening_span.end)) == [
        evening.id
    ]
    whole_day = local(TUESDAY, "00:00", "23:59")
    assert ids(await rota_planning.listings(db, whole_day.start, whole_day.end)) == [
        before.id,
        evening.id,
        night.id,
    ]
    berg = people.berg[0].household.id
    week_end = NOW + timedelta(days=7)
    assert ids(await rota_planning.listings(db, NOW, week_end, berg)) == [before.id, night.id]
    assert ids(await rota_planning.listings(db, NOW, week_end)) == [
        before.id,
        evening.id,
        night.id,
        later.id,
    ]


# --- export and next start ----------------------------------------------------------------------


async def test_export_names_each_household_by_its_lowest_member_number(
    db: Database, people: People
) -> None:
    past = await book(db, people, people.lund, local(TUESDAY, "12:00", "17:00"))
    lund = await book(db, people, people.lund, local(WEDNESDAY, "17:00", "22:00"))
    berg = await book(db, people, people.berg[1], local(TUESDAY, "17:00", "22:00"))
    first, second = people.berg

    # `past` ends exactly at `since`, so it is no longer upcoming.
    rows = await rota_planning.export_rows(db, past.ends_at)

    assert rows == [
        ExportRow(first.id, "Familjen Berg", berg),
        ExportRow(people.lund.id, "Familjen Lund", lund),
    ]
    assert first.id < second.id


async def test_export_follows_the_household_when_its_first_member_leaves(
    db: Database, people: People
) -> None:
    shift = await book(db, people, people.berg[0], local(TUESDAY, "17:00", "22:00"))
    first, second = people.berg
    async with db.write() as session:
        await households.delete_member(session, first.id)
    assert await rota_planning.export_rows(db, NOW) == [
        ExportRow(second.id, "Familjen Berg", shift)
    ]
    async with db.write() as session:
        await households.delete_member(session, second.id)
    # A household without members has no number to write, so its shift cannot be exported.
    assert await rota_planning.export_rows(db, NOW) == []


async def test_next_start_is_the_first_start_strictly_after(db: Database, people: People) -> None:
    assert await rota_planning.next_start(db, NOW) is None
    tuesday = await book(db, people, people.lund, local(TUESDAY, "17:00", "22:00"))
    wednesday = await book(db, people, people.berg[0], local(WEDNESDAY, "17:00", "22:00"))
    assert await rota_planning.next_start(db, NOW) == tuesday.starts_at
    assert await rota_planning.next_start(db, tuesday.starts_at) == wednesday.starts_at
    assert await rota_planning.next_start(db, wednesday.starts_at) is None


# --- reminder state and the gap report ----------------------------------------------------------


async def test_a_reminder_state_is_inserted_then_updated(db: Database, people: People) -> None:
    shift = await book(db, people, people.lund, local(TUESDAY, "17:00", "22:00"))
    other = await book(db, people, people.berg[0], local(TUESDAY, "17:00", "22:00"))
    later = NOW + timedelta(minutes=5)
    async with db.write() as session:
        await ledgers.set_state(session, ledgers.SHIFTS, shift.id, 60, ReminderState.SENDING, NOW)
        await ledgers.set_state(session, ledgers.SHIFTS, shift.id, 1440, ReminderState.SKIPPED, NOW)
        await ledgers.set_state(session, ledgers.SHIFTS, other.id, 60, ReminderState.SENDING, NOW)
        await ledgers.set_state(session, ledgers.SHIFTS, shift.id, 60, ReminderState.SENT, later)

    assert await reminder_states(db, shift.id) == {
        (shift.id, 60): "sent",
        (shift.id, 1440): "skipped",
    }
    assert await reminder_states(db, other.id) == {(other.id, 60): "sending"}
    assert await reminder_states(db) == {}
    assert await reminder_states(db, 9999) == {}
    async with db.read() as session:
        row = await session.fetch_one(
            "SELECT updated_at FROM shift_reminders WHERE shift_id = ? AND minutes_before = 60",
            (shift.id,),
        )
    assert row is not None and row[0] == "2026-11-23T12:05:00+00:00"
    assert await count(db, "shift_reminders") == 3


async def claim(db: Database, local_day: str, now: datetime = NOW) -> bool:
    async with db.write() as session:
        return await store.claim_gap_report(session, local_day, now)


async def test_the_gap_report_is_claimed_once_per_day(db: Database) -> None:
    assert await claim(db, "2026-11-23") is True
    assert await claim(db, "2026-11-23", NOW + timedelta(hours=1)) is False
    assert await claim(db, "2026-11-24", NOW + timedelta(days=1)) is True
    async with db.read() as session:
        rows = await session.fetch_all("SELECT local_day, sent_at FROM gap_reports ORDER BY 1")
    assert [tuple(row) for row in rows] == [
        ("2026-11-23", "2026-11-23T12:00:00+00:00"),
        ("2026-11-24", "2026-11-24T12:00:00+00:00"),
    ]


# --- coverage -----------------------------------------------------------------------------------


def gaps_by_day(days: list[DayCoverage]) -> dict[date, list[Interval]]:
    return {day.day: day.gaps for day in days}


async def test_coverage_of_an_ordinary_week(db: Database, people: People) -> None:
    berg, lund = people.berg[0], people.lund
    monday = await book(db, people, berg, local(MONDAY, "17:00", "22:00"))
    await book(db, people, berg, local(TUESDAY, "17:00", "19:00"))
    await book(db, people, lund, local(TUESDAY, "20:00", "21:30"))
    # Overlapping shifts reaching past both ends of Thursday's window cover it once.
    await book(db, people, berg, local(THURSDAY, "16:00", "20:00"))
    await book(db, people, lund, local(THURSDAY, "19:00", "23:00"))
    saturday, sunday = date(2026, 11, 28), date(2026, 11, 29)
    day_shift = await book(db, people, lund, local(saturday, "09:00", "22:00"))
    # Starts as Saturday's window ends: it belongs to Sunday only.
    night = await book(db, people, berg, local(saturday, "22:00", "10:00"))

    week = await rota_planning.coverage(db, MONDAY, 7, HOURS, STOCKHOLM)

    assert [day.day for day in week] == [MONDAY + timedelta(days=n) for n in range(7)]
    assert [day.holiday for day in week] == [None] * 7
    assert [day.window for day in week] == [
        local(MONDAY + timedelta(days=n), "17:00", "22:00") for n in range(5)
    ] + [local(saturday, "09:00", "22:00"), local(sunday, "09:00", "22:00")]
    assert gaps_by_day(week) == {
        MONDAY: [],
        TUESDAY: [local(TUESDAY, "19:00", "20:00"), local(TUESDAY, "21:30", "22:00")],
        WEDNESDAY: [local(WEDNESDAY, "17:00", "22:00")],
        THURSDAY: [],
        date(2026, 11, 27): [local(date(2026, 11, 27), "17:00", "22:00")],
        saturday: [],
        sunday: [local(sunday, "10:00", "22:00")],
    }
    assert [(s.shift, s.mentor_name) for s in week[0].shifts] == [(monday, "Familjen Berg")]
    assert [s.mentor_name for s in week[3].shifts] == ["Familjen Berg", "Familjen Lund"]
    assert [s.shift for s in week[5].shifts] == [day_shift]
    assert [s.shift for s in week[6].shifts] == [night]


async def test_christmas_has_weekend_hours_and_names(db: Database, people: People) -> None:
    christmas_eve, christmas_day = date(2026, 12, 24), date(2026, 12, 25)
    await book(db, people, people.lund, local(christmas_eve, "17:00", "22:00"))
    await book(db, people, people.berg[0], local(christmas_day, "09:00", "22:00"))

    days = await rota_planning.coverage(db, date(2026, 12, 23), 5, HOURS, STOCKHOLM)

    assert [(day.day.day, day.holiday) for day in days] == [
        (23, None),
        (24, "Julafton"),
        (25, "Juldagen"),
        (26, "Annandag jul"),
        (27, None),
    ]
    # Wednesday the 23rd is an ordinary evening; the holidays and Sunday get daytime hours.
    assert days[0].window == local(date(2026, 12, 23), "17:00", "22:00")
    assert [day.window for day in days[1:]] == [
        local(date(2026, 12, n), "09:00", "22:00") for n in range(24, 28)
    ]
    assert days[1].gaps == [local(christmas_eve, "09:00", "17:00")]
    assert days[2].gaps == []


async def test_coverage_across_the_autumn_clock_change(db: Database, people: People) -> None:
    """Week 2026-10-22..28; the clocks go back on Sunday the 25th (UTC+2 -> UTC+1)."""
    early = datetime(2026, 10, 1, tzinfo=UTC)
    first = date(2026, 10, 22)
    week = [first + timedelta(days=n) for n in range(7)]
    monday = date(2026, 10, 26)
    for day in week:
        if day == monday:
            # Copied from last Monday in UTC: after the change it ends an hour early locally.
            span = Interval(utc(10, 26, 15), utc(10, 26, 20))
        elif day.weekday() >= 5:
            span = local(day, "09:00", "22:00")
        else:
            span = local(day, "17:00", "22:00")
        await book(db, people, people.lund, span, now=early)

    days = await rota_planning.coverage(db, first, 7, HOURS, STOCKHOLM)

    assert [(day.window.start, day.window.end) for day in days] == [
        (utc(10, 22, 15), utc(10, 22, 20)),
        (utc(10, 23, 15), utc(10, 23, 20)),
        (utc(10, 24, 7), utc(10, 24, 20)),
        (utc(10, 25, 8), utc(10, 25, 21)),
        (utc(10, 26, 16), utc(10, 26, 21)),
        (utc(10, 27, 16), utc(10, 27, 21)),
        (utc(10, 28, 16), utc(10, 28, 21)),
    ]
    assert gaps_by_day(days) == {
        day: [Interval(utc(10, 26, 20), utc(10, 26, 21))] if day == monday else [] for day in week
    }
    assert all(len(day.shifts) == 1 for day in days)


async def test_coverage_of_no_days_is_empty(db: Database) -> None:
    assert await rota_planning.coverage(db, MONDAY, 0, HOURS, STOCKHOLM) == []


# --- coverage since a moment, import conflicts, and claiming the gap report ----------------------


def at(day: date, clock: str) -> datetime:
    """A wall-clock moment in Stockholm."""
    return local(day, clock, "23:59").start


async def test_coverage_since_leaves_out_what_is_over(db: Database) -> None:
    days = await rota_planning.coverage(db, MONDAY, 3, HOURS, STOCKHOLM, since=at(TUESDAY, "19:30"))

    assert gaps_by_day(days) == {
        MONDAY: [],  # the whole evening was over
        TUESDAY: [local(TUESDAY, "19:30", "22:00")],
        WEDNESDAY: [local(WEDNESDAY, "17:00", "22:00")],
    }
    # The service hours themselves are not clipped, only the gaps.
    assert [day.window for day in days] == [
        local(day, "17:00", "22:00") for day in (MONDAY, TUESDAY, WEDNESDAY)
    ]


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("12:00", [("17:00", "18:00"), ("19:00", "22:00")]),
        ("17:00", [("17:00", "18:00"), ("19:00", "22:00")]),
        ("17:30", [("17:30", "18:00"), ("19:00", "22:00")]),
        ("18:30", [("19:00", "22:00")]),  # inside the shift: the first gap has ended
        ("19:30", [("19:30", "22:00")]),
        ("22:00", []),
        ("23:00", []),
    ],
)
async def test_coverage_since_clips_the_gap_it_falls_in(
    db: Database, people: People, since: str, expected: list[tuple[str, str]]
) -> None:
    shift = await book(db, people, people.lund, local(TUESDAY, "18:00", "19:00"))

    (day,) = await rota_planning.coverage(
        db, TUESDAY, 1, HOURS, STOCKHOLM, since=at(TUESDAY, since)
    )

    assert day.gaps == [local(TUESDAY, start, end) for start, end in expected]
    assert [listing.shift for listing in day.shifts] == [shift]


async def test_an_import_conflict_names_the_earlier_row_or_the_stored_shift(
    db: Database, people: People
) -> None:
    stored = await book(db, people, people.lund, local(WEDNESDAY, "17:00", "22:00"))
    rows = [
        planned(2, people.berg[0], local(TUESDAY, "17:00", "22:00")),
        planned(3, people.lund, local(TUESDAY, "17:00", "22:00")),
        planned(4, people.berg[1], local(TUESDAY, "21:00", "23:00")),  # clashes with line 2
        planned(5, people.lund, local(WEDNESDAY, "20:00", "23:00")),  # clashes with `stored`
    ]
    refused = await import_adding(db, people, rows)

    assert refused == [
        Refusal(ShiftProblem.OVERLAP, line=4, conflict_line=2),
        Refusal(ShiftProblem.OVERLAP, stored, line=5),
    ]
    assert await all_shifts(db) == [stored]


async def test_the_gap_report_is_claimed_once_per_local_day(db: Database) -> None:
    assert await rota_planning.claim_gap_report(db, MONDAY, NOW) is True
    assert await rota_planning.claim_gap_report(db, MONDAY, NOW + timedelta(hours=1)) is False
    # Nor by a restarted bot, on a connection of its own.
    restarted = await Database.open(db.path)
    try:
        assert (
            await rota_planning.claim_gap_report(restarted, MONDAY, NOW + timedelta(hours=2))
            is False
        )
        assert (
            await rota_planning.claim_gap_report(restarted, TUESDAY, NOW + timedelta(days=1))
            is True
        )
    finally:
        await restarted.close()
    assert await rota_planning.claim_gap_report(db, TUESDAY, NOW + timedelta(days=1)) is False


# --- a file that changes the rota both ways --------------------------------------------------


def rows_of(*named: tuple[Member, Interval]) -> list[PlannedShift]:
    return [planned(line, member, span) for line, (member, span) in enumerate(named, start=2)]


async def test_an_edited_export_adds_its_new_rows_and_removes_its_deleted_ones_once_confirmed(
    db: Database, people: People
) -> None:
    tuesday = await book(db, people, people.berg[0], local(TUESDAY, "17:00", "22:00"))
    wednesday = await book(db, people, people.lund, local(WEDNESDAY, "17:00", "22:00"))
    thursday = await book(db, people, people.berg[0], local(THURSDAY, "17:00", "22:00"))
    # The export with Wednesday deleted, Thursday moved an hour, and a new Friday row; Tuesday
    # is named by the partner's number, which stands for the same household.
    rows = rows_of(
        (people.berg[1], local(TUESDAY, "17:00", "22:00")),
        (people.berg[0], local(THURSDAY, "18:00", "23:00")),
        (people.lund, local(THURSDAY + timedelta(days=1), "17:00", "22:00")),
    )

    diff = await rota_planning.import_file(db, rows, people.coordinator, NOW)
    assert isinstance(diff, rota_planning.FileDiff)
    assert diff.refusals == []
    assert [new.row.line for new in diff.added] == [3, 4]
    assert diff.unchanged == [tuesday]
    assert [listing.shift for listing in diff.removed] == [wednesday, thursday]
    # Kept, Thursday's old evening would clash with its moved row: no "add only" to offer.
    assert diff.add_only_digest is None
    assert await all_shifts(db) == [tuesday, wednesday, thursday]  # nothing before the press

    applied = await rota_planning.apply_file(
        db, rows, people.coordinator, NOW, remove_missing=True, expected=diff.digest
    )
    assert isinstance(applied, rota_planning.FileApplied)
    assert (applied.unchanged, applied.removed, applied.kept) == (1, diff.removed, 0)
    assert [(s.starts_at, s.ends_at) for s in await all_shifts(db)] == [
        (tuesday.starts_at, tuesday.ends_at),
        *((row.span.start, row.span.end) for row in rows[1:]),
    ]
    # The same press again, or the file sent again, changes nothing more.
    assert (
        await rota_planning.apply_file(
            db, rows, people.coordinator, NOW, remove_missing=True, expected=diff.digest
        )
        is rota_planning.FILE_CHANGED
    )
    again = await rota_planning.import_file(db, rows, people.coordinator, NOW)
    assert again == rota_planning.FileApplied([], 3, [], 0)


async def test_adding_only_keeps_the_missing_shifts_and_checks_new_rows_against_them(
    db: Database, people: People
) -> None:
    evening = await book(db, people, people.berg[0], local(TUESDAY, "17:00", "22:00"))
    moved = rows_of((people.berg[0], local(TUESDAY, "18:00", "23:00")))
    assert await import_adding(db, people, moved) == [
        Refusal(ShiftProblem.OVERLAP, evening, line=2)
    ]
    other = rows_of((people.lund, local(TUESDAY, "18:00", "23:00")))
    applied = await import_adding(db, people, other)
    assert isinstance(applied, rota_planning.FileApplied)
    assert (len(applied.added), applied.removed, applied.kept) == (1, [], 1)


async def test_add_only_is_confirmed_by_its_own_digest(db: Database, people: People) -> None:
    """The question's Add only button carries the change as it is with the missing shifts
    kept; pressed, it adds and keeps."""
    tuesday = await book(db, people, people.berg[0], local(TUESDAY, "17:00", "22:00"))
    rows = rows_of((people.lund, local(TUESDAY, "18:00", "23:00")))
    diff = await rota_planning.import_file(db, rows, people.coordinator, NOW)
    assert isinstance(diff, rota_planning.FileDiff) and diff.add_only_digest is not None
    applied = await rota_planning.apply_file(
        db, rows, people.coordinator, NOW, remove_missing=False, expected=diff.add_only_digest
    )
    assert isinstance(applied, rota_planning.FileApplied)
    assert (len(applied.added), applied.removed, applied.kept) == (1, [], 1)
    assert tuesday in await all_shifts(db)


async def test_a_confirmation_of_a_rota_that_changed_since_changes_nothing(
    db: Database, people: People
) -> None:
    await book(db, people, people.berg[0], local(TUESDAY, "17:00", "22:00"))
    rows = rows_of((people.lund, local(WEDNESDAY, "17:00", "22:00")))
    diff = await rota_planning.import_file(db, rows, people.coordinator, NOW)
    assert isinstance(diff, rota_planning.FileDiff)
    # Meanwhile another coordinator books a shift: the question did not list it for removal.
    late = await book(db, people, people.lund, local(THURSDAY, "17:00", "22:00"))
    before = await all_shifts(db)

    result = await rota_planning.apply_file(
        db, rows, people.coordinator, NOW, remove_missing=True, expected=diff.digest
    )
    assert result is rota_planning.FILE_CHANGED
    assert await all_shifts(db) == before
    assert late in before


async def test_a_shift_that_has_begun_is_never_removed_and_a_past_booked_row_is_unchanged(
    db: Database, people: People
) -> None:
    earlier = NOW - timedelta(days=1)
    over = await book(db, people, people.lund, local(MONDAY, "08:00", "12:00"), now=earlier)
    on_duty = await book(db, people, people.berg[0], local(MONDAY, "12:00", "17:00"), now=earlier)
    rows = rows_of((people.lund, local(MONDAY, "08:00", "12:00")))  # over, but booked

    imported = await rota_planning.import_file(db, rows, people.coordinator, NOW)
    assert imported == rota_planning.FileApplied([], 1, [], 0)
    assert over in await all_shifts(db)
    assert on_duty in await all_shifts(db)


async def test_one_booked_shift_is_named_by_one_row_only(db: Database, people: People) -> None:
    evening = await book(db, people, people.berg[0], local(TUESDAY, "17:00", "22:00"))
    twice = rows_of(*[(people.berg[0], local(TUESDAY, "17:00", "22:00"))] * 2)
    refused = await rota_planning.import_file(db, twice, people.coordinator, NOW)
    assert refused == [Refusal(ShiftProblem.OVERLAP, evening, line=3, conflict_line=2)]
