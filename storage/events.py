"""Events and their sign-ups: every statement that reads or decides them.

Whether a sign-up gets a place is decided by the INSERT that makes it, from the confirmed
sign-ups counted in that same statement; moving the waiting list up is one conditional UPDATE
per sign-up moved, which confirms it only while it still fits. Callers run these inside one
`db.write()` (BEGIN IMMEDIATE), so a place is never given twice, also by a second process.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Literal

from storage.db import Row, Session
from storage.models import (
    Event,
    EventAudience,
    EventDetails,
    EventKind,
    EventListing,
    EventRosterLine,
    EventState,
    Signup,
    SignupState,
    from_db,
    to_db,
)
from storage.numbers import next_number

# The people an event's confirmed sign-ups take, for a statement about event `e`.
_CONFIRMED_PEOPLE = (
    "(SELECT coalesce(sum(s.adults + s.children), 0) FROM event_signups s "
    "WHERE s.event_id = e.id AND s.state = 'confirmed')"
)
_WAITING = "(SELECT count(*) FROM event_signups s WHERE s.event_id = e.id AND s.state = 'waiting')"


def _optional_time(text: str | None) -> datetime | None:
    return from_db(text) if text is not None else None


def _event(row: Row) -> Event:
    details = EventDetails(
        kind=EventKind(row["kind"]),
        title=row["title"],
        starts_at=from_db(row["starts_at"]),
        ends_at=from_db(row["ends_at"]),
        audience=EventAudience(row["audience"]),
        description=row["description"],
        place=row["place"],
        capacity=row["capacity"],
        children_along=bool(row["children_along"]),
        signup_deadline=_optional_time(row["signup_deadline"]),
        catalogue_id=row["catalogue_id"],
    )
    return Event(row["id"], details, EventState(row["state"]))


_SIGNUP_COLUMNS = (
    "id",
    "event_id",
    "household_id",
    "interest_id",
    "adults",
    "children",
    "state",
    "queued_at",
    "attended",
)


def _signup(row: Row, prefix: str = "") -> Signup:
    """A sign-up from its row, or from a join's columns named `prefix` + column."""
    return Signup(
        id=row[f"{prefix}id"],
        event_id=row[f"{prefix}event_id"],
        household_id=row[f"{prefix}household_id"],
        interest_id=row[f"{prefix}interest_id"],
        adults=row[f"{prefix}adults"],
        children=row[f"{prefix}children"],
        state=SignupState(row[f"{prefix}state"]),
        queued_at=from_db(row[f"{prefix}queued_at"]),
        attended=None if row[f"{prefix}attended"] is None else bool(row[f"{prefix}attended"]),
    )


def _detail_values(details: EventDetails) -> tuple[object, ...]:
    deadline = details.signup_deadline
    return (
        details.catalogue_id,
        details.kind.value,
        details.title,
        details.description,
        to_db(details.starts_at),
        to_db(details.ends_at),
        details.place,
        details.capacity,
        details.audience.value,
        int(details.children_along),
        to_db(deadline) if deadline is not None else None,
    )


_DETAIL_COLUMNS = (
    "catalogue_id, kind, title, description, starts_at, ends_at, place, capacity, audience, "
    "children_along, signup_deadline"
)

# Whose a sign-up is: a member household's, or a prospective family's registration of
# interest (an information meeting's). The column is named by this closed list, never by text.
Whose = tuple[Literal["household", "interest"], int]
_WHOSE = {"household": "household_id", "interest": "interest_id"}

# Events ---------------------------------------------------------------------------------


async def add_event(
    session: Session, details: EventDetails, created_by: int | None, now: datetime
) -> Event:
    event_id = await session.insert(
        f"INSERT INTO events (id, {_DETAIL_COLUMNS}, state, created_by, created_at, updated_at) "
        f"VALUES ({next_number('events')}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)",
        (*_detail_values(details), created_by, to_db(now), to_db(now)),
    )
    return Event(event_id, details, EventState.OPEN)


async def event_by_id(session: Session, event_id: int) -> Event | None:
    row = await session.fetch_one("SELECT * FROM events WHERE id = ?", (event_id,))
    return _event(row) if row else None


async def events_named(
    session: Session, catalogue_ids: list[str], numbers: list[int]
) -> list[Event]:
    """The events with any of `catalogue_ids`, and those with any of `numbers` that have no
    catalogue id (whose files name them event-N@mentorbot), for a catalogue's import."""
    ids, nums = ", ".join("?" for _ in catalogue_ids), ", ".join("?" for _ in numbers)
    rows = await session.fetch_all(
        f"SELECT * FROM events WHERE catalogue_id IN ({ids}) "
        f"OR (catalogue_id IS NULL AND id IN ({nums}))",
        (*catalogue_ids, *numbers),
    )
    return [_event(row) for row in rows]


async def events_not_over(session: Session, now: datetime) -> list[Event]:
    """Events not cancelled that have not ended, soonest first: the catalogue to hand on."""
    rows = await session.fetch_all(
        "SELECT * FROM events WHERE state != 'cancelled' AND ends_at > ? ORDER BY starts_at, id",
        (to_db(now),),
    )
    return [_event(row) for row in rows]


async def update_event(
    session: Session, event_id: int, details: EventDetails, now: datetime
) -> bool:
    """Replace what is said of an event not cancelled; False if it is (or is gone)."""
    assignments = ", ".join(f"{column} = ?" for column in _DETAIL_COLUMNS.split(", "))
    return await session.changed_one(
        f"UPDATE events SET {assignments}, updated_at = ? WHERE id = ? AND state != 'cancelled'",
        (*_detail_values(details), to_db(now), event_id),
    )


async def cancel_event(session: Session, event_id: int, now: datetime) -> bool:
    """One conditional update: True for the one caller that cancelled it."""
    return await session.changed_one(
        "UPDATE events SET state = 'cancelled', updated_at = ? "
        "WHERE id = ? AND state != 'cancelled'",
        (to_db(now), event_id),
    )


async def listings(
    session: Session, audiences: tuple[EventAudience, ...], now: datetime
) -> list[EventListing]:
    """Open events for any of `audiences` that have not started and whose deadline has not
    passed, soonest first."""
    marks = ", ".join("?" for _ in audiences)
    rows = await session.fetch_all(
        f"SELECT e.*, {_CONFIRMED_PEOPLE} AS confirmed_people, {_WAITING} AS waiting "
        f"FROM events e WHERE e.state = 'open' AND e.starts_at > ? AND e.audience IN ({marks}) "
        "AND (e.signup_deadline IS NULL OR e.signup_deadline > ?) ORDER BY e.starts_at, e.id",
        (to_db(now), *(audience.value for audience in audiences), to_db(now)),
    )
    return [EventListing(_event(row), row["confirmed_people"], row["waiting"]) for row in rows]


async def listing(session: Session, event_id: int) -> EventListing | None:
    row = await session.fetch_one(
        f"SELECT e.*, {_CONFIRMED_PEOPLE} AS confirmed_people, {_WAITING} AS waiting "
        "FROM events e WHERE e.id = ?",
        (event_id,),
    )
    return EventListing(_event(row), row["confirmed_people"], row["waiting"]) if row else None


# Sign-ups -------------------------------------------------------------------------------


async def add_signup(
    session: Session,
    event_id: int,
    whose: Whose,
    adults: int,
    children: int,
    now: datetime,
) -> Signup | None:
    """Sign a household (or a person who registered interest) up, confirmed if the party fits
    and nobody is waiting (the waiting list is served in strict order), else on the waiting
    list; decided in this one statement. None if the event is not open for sign-ups at `now`,
    or they are signed up already."""
    column, whose_id = whose
    row = await session.fetch_one(
        f"INSERT INTO event_signups (id, event_id, {_WHOSE[column]}, adults, children, state, "
        f"queued_at, created_at) SELECT {next_number('event_signups')}, e.id, ?, ?, ?, "
        f"CASE WHEN e.capacity IS NULL OR ({_WAITING} = 0 AND {_CONFIRMED_PEOPLE} + ? "
        "<= e.capacity) THEN 'confirmed' ELSE 'waiting' END, ?, ? FROM events e "
        "WHERE e.id = ? AND e.state = 'open' AND e.starts_at > ? "
        "AND (e.signup_deadline IS NULL OR e.signup_deadline > ?) "
        "ON CONFLICT DO NOTHING RETURNING *",
        (
            whose_id,
            adults,
            children,
            adults + children,
            to_db(now),
            to_db(now),
            event_id,
            to_db(now),
            to_db(now),
        ),
    )
    return _signup(row) if row else None


async def signup_by_id(session: Session, signup_id: int) -> Signup | None:
    row = await session.fetch_one("SELECT * FROM event_signups WHERE id = ?", (signup_id,))
    return _signup(row) if row else None


async def live_signup(session: Session, event_id: int, whose: Whose) -> Signup | None:
    """The household's (or the registration's) sign-up for the event that is confirmed or
    waiting."""
    column, whose_id = whose
    row = await session.fetch_one(
        f"SELECT * FROM event_signups WHERE event_id = ? AND {_WHOSE[column]} = ? "
        "AND state != 'cancelled'",
        (event_id, whose_id),
    )
    return _signup(row) if row else None


async def cancel_signup(session: Session, signup: Signup, now: datetime) -> bool:
    """One conditional update: True if the sign-up was still as read (`signup.state`)."""
    return await session.changed_one(
        "UPDATE event_signups SET state = 'cancelled', cancelled_at = ? WHERE id = ? AND state = ?",
        (to_db(now), signup.id, signup.state.value),
    )


async def cancel_future_signups(session: Session, whose: Whose, now: datetime) -> list[int]:
    """Give up every live sign-up of a household, or of a registration of interest, for the
    events not started yet: they are leaving (or their registration is erased), and a place
    kept for nobody is a place someone on the waiting list goes without. Returns the events
    whose waiting lists may now move up."""
    column, whose_id = whose
    rows = await session.fetch_all(
        "UPDATE event_signups SET state = 'cancelled', cancelled_at = ? "
        f"WHERE {_WHOSE[column]} = ? AND state != 'cancelled' AND event_id IN "
        "(SELECT id FROM events WHERE starts_at > ? AND state != 'cancelled') "
        "RETURNING event_id",
        (to_db(now), whose_id, to_db(now)),
    )
    return sorted({row["event_id"] for row in rows})


async def move_up(session: Session, event_id: int, now: datetime) -> list[Signup]:
    """Confirm the waiting list from its head for as long as the head fits, in order: a party
    that does not fit stops it (strict order), and so does an event cancelled or started.

    Each move is one conditional UPDATE that counts the places again, so the capacity holds
    whatever else this transaction did."""
    moved: list[Signup] = []
    while True:
        head = await session.fetch_one(
            "SELECT * FROM event_signups WHERE event_id = ? AND state = 'waiting' "
            "ORDER BY queued_at, id LIMIT 1",
            (event_id,),
        )
        if head is None or not await session.changed_one(
            "UPDATE event_signups SET state = 'confirmed', moved_up_at = ? "
            "WHERE id = ? AND state = 'waiting' "
            "AND EXISTS (SELECT 1 FROM events e WHERE e.id = event_signups.event_id "
            "AND e.state != 'cancelled' AND e.starts_at > ? AND (e.capacity IS NULL OR "
            f"{_CONFIRMED_PEOPLE} + event_signups.adults + event_signups.children "
            "<= e.capacity))",
            (to_db(now), head["id"], to_db(now)),
        ):
            return moved
        moved.append(replace(_signup(head), state=SignupState.CONFIRMED))


async def waiting_position(session: Session, signup: Signup) -> int:
    """Where a waiting sign-up stands on its list, 1 first."""
    row = await session.fetch_one(
        "SELECT count(*) AS ahead FROM event_signups WHERE event_id = ? AND state = 'waiting' "
        "AND (queued_at < ? OR (queued_at = ? AND id < ?))",
        (signup.event_id, to_db(signup.queued_at), to_db(signup.queued_at), signup.id),
    )
    assert row is not None  # an aggregate always has its row
    return int(row["ahead"]) + 1


async def live_signups(session: Session, event_id: int) -> list[Signup]:
    """Confirmed and waiting sign-ups, confirmed first, each in the order they came."""
    rows = await session.fetch_all(
        "SELECT * FROM event_signups WHERE event_id = ? AND state != 'cancelled' "
        "ORDER BY state = 'waiting', queued_at, id",
        (event_id,),
    )
    return [_signup(row) for row in rows]


async def roster(session: Session, event_id: int) -> list[EventRosterLine]:
    """`live_signups` with the households' names, for the coordinators' list."""
    rows = await session.fetch_all(
        "SELECT s.*, coalesce(h.display_name, i.name) AS display_name FROM event_signups s "
        "LEFT JOIN households h ON h.id = s.household_id "
        "LEFT JOIN interest i ON i.id = s.interest_id "
        "WHERE s.event_id = ? AND s.state != 'cancelled' "
        "ORDER BY s.state = 'waiting', s.queued_at, s.id",
        (event_id,),
    )
    return [EventRosterLine(_signup(row), row["display_name"]) for row in rows]


async def live_signups_of(
    session: Session, whose: Whose, now: datetime
) -> list[tuple[Event, Signup]]:
    """The household's (or the registration's) live sign-ups for events not over yet, soonest
    first."""
    column, whose_id = whose
    live = f"SELECT * FROM event_signups WHERE {_WHOSE[column]} = ? AND state != 'cancelled'"
    signups = {row["event_id"]: _signup(row) for row in await session.fetch_all(live, (whose_id,))}
    rows = await session.fetch_all(
        f"SELECT * FROM events WHERE ends_at > ? AND id IN (SELECT event_id FROM ({live})) "
        "ORDER BY starts_at, id",
        (to_db(now), whose_id),
    )
    return [(_event(row), signups[row["id"]]) for row in rows]


async def confirmed_places(session: Session, now: datetime) -> list[tuple[Event, Signup]]:
    """Every confirmed sign-up of a household or a prospective family for an event not
    cancelled that has not started, with its event: what event reminders are planned for."""
    return await _places(session, now)


async def untold_moves(
    session: Session, before: datetime, now: datetime
) -> list[tuple[Event, Signup]]:
    """The places moved up into before `before` whose household (or prospective family) was
    never told, at events not cancelled that have not started, with their events, in the order
    they were moved up per event."""
    return await _places(
        session,
        now,
        "AND s.moved_up_at IS NOT NULL AND s.moved_up_told_at IS NULL AND s.moved_up_at < ?",
        (to_db(before),),
        "s.moved_up_at, ",
    )


async def _places(
    session: Session,
    now: datetime,
    condition: str = "",
    params: tuple[object, ...] = (),
    order: str = "",
) -> list[tuple[Event, Signup]]:
    """The confirmed sign-ups of someone still named for events to come, with their events,
    that also meet `condition` (a clause of ours, never a caller's text), soonest first."""
    signup_columns = ", ".join(f"s.{column} AS s_{column}" for column in _SIGNUP_COLUMNS)
    rows = await session.fetch_all(
        f"SELECT e.*, {signup_columns} FROM event_signups s JOIN events e ON e.id = s.event_id "
        "WHERE s.state = 'confirmed' AND (s.household_id IS NOT NULL OR s.interest_id IS NOT NULL) "
        f"AND e.state != 'cancelled' AND e.starts_at > ? {condition} "
        f"ORDER BY e.starts_at, e.id, {order}s.id",
        (to_db(now), *params),
    )
    return [(_event(row), _signup(row, "s_")) for row in rows]


async def mark_moves_told(session: Session, signup_ids: list[int], now: datetime) -> None:
    """The households moved up into these places were told; a place told already keeps the
    moment it was first told."""
    marks = ", ".join("?" for _ in signup_ids)
    await session.execute(
        f"UPDATE event_signups SET moved_up_told_at = ? WHERE id IN ({marks}) "
        "AND moved_up_at IS NOT NULL AND moved_up_told_at IS NULL",
        (to_db(now), *signup_ids),
    )


async def forget_households_ended_before(session: Session, cutoff: datetime) -> int:
    """Sign-ups of events over before `cutoff` stop saying whose they were; their counts stay,
    for the evaluation's figures."""
    return await session.execute(
        "UPDATE event_signups SET household_id = NULL, interest_id = NULL "
        "WHERE (household_id IS NOT NULL OR interest_id IS NOT NULL) "
        "AND event_id IN (SELECT id FROM events WHERE ends_at <= ?)",
        (to_db(cutoff),),
    )


# Coordinators ---------------------------------------------------------------------------


async def listings_from(session: Session, since: datetime) -> list[EventListing]:
    """Every event starting at `since` or later, cancelled ones too, soonest first: the
    coordinators' list, with the recent past for attendance."""
    rows = await session.fetch_all(
        f"SELECT e.*, {_CONFIRMED_PEOPLE} AS confirmed_people, {_WAITING} AS waiting "
        "FROM events e WHERE e.starts_at >= ? ORDER BY e.starts_at, e.id",
        (to_db(since),),
    )
    return [EventListing(_event(row), row["confirmed_people"], row["waiting"]) for row in rows]


async def mark_attendance(session: Session, signup_id: int, event_id: int, came: bool) -> bool:
    """One conditional update: True if the place of the event's sign-up was marked otherwise
    before (or not at all), so that a second press of the same mark changes nothing."""
    return await session.changed_one(
        "UPDATE event_signups SET attended = ? WHERE id = ? AND event_id = ? "
        "AND state = 'confirmed' AND attended IS NOT ?",
        (int(came), signup_id, event_id, int(came)),
    )


async def add_course_days(session: Session, household_id: int, year: int, days: int) -> None:
    """Add `days` (fewer when negative) to the household's tally for `year`, never below 0."""
    await session.execute(
        "INSERT INTO course_days (household_id, year, days) VALUES (?, ?, max(?, 0)) "
        "ON CONFLICT (household_id, year) DO UPDATE SET days = max(course_days.days + ?, 0)",
        (household_id, year, days, days),
    )


async def forget_course_days(session: Session, household_id: int) -> None:
    """The household's tallies go with its last adult: a count about it alone, which no figure
    of the evaluation needs (those count the sign-ups' attendance)."""
    await session.execute("DELETE FROM course_days WHERE household_id = ?", (household_id,))


async def forget_course_days_before(session: Session, year: int) -> int:
    """The tallies of the years before `year`: a year's count serves its yearly follow-up,
    and is kept no longer than the sign-ups it was counted from."""
    return await session.execute("DELETE FROM course_days WHERE year < ?", (year,))


async def course_days(session: Session, household_id: int, year: int) -> int:
    row = await session.fetch_one(
        "SELECT days FROM course_days WHERE household_id = ? AND year = ?", (household_id, year)
    )
    return int(row["days"]) if row else 0


async def families_course_days(session: Session, year: int) -> list[tuple[str | None, int]]:
    """Every foster family with an adult in the service, with its course days in `year` (0 for
    none), fewest first, then by name."""
    rows = await session.fetch_all(
        "SELECT h.display_name, COALESCE(c.days, 0) AS days FROM households h "
        "LEFT JOIN course_days c ON c.household_id = h.id AND c.year = ? "
        "WHERE h.role = 'family' AND EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id) "
        "ORDER BY days, h.display_name, h.id",
        (year,),
    )
    return [(row["display_name"], int(row["days"])) for row in rows]
