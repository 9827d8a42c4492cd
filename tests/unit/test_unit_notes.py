"""When a note said yes to reaches the social workers: the next working-day morning, local."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import debriefs, retention, routing, unit_notes
from bot.rota import local_moment
from bot.routing import RoutingProblem
from bot.service_hours import ServiceHours
from bot.unit_notes import delivery_moment, last_delivery
from storage import shifts
from storage.db import Database
from storage.models import Kind, Role, Side
from tests.support import make_household

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


async def test_notes_and_call_back_requests_keep_no_one_beyond_the_retention(db: Database) -> None:
    """A no erases the words at once; a delivered note's words and who asked to be called back
    go `retention` later; a yes still waiting for its morning keeps its words."""
    asked_at = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # a Friday evening
    await make_household(db, Role.COORDINATOR, "Karin", (1,), asked_at)
    (berg,) = await make_household(db, Role.MENTOR, "Familjen Berg", (2,), asked_at)
    (ek,) = await make_household(db, Role.FAMILY, "Familjen Ek", (3,), asked_at)
    async with db.write() as session:  # Berg on duty that evening
        await shifts.add_shift(
            session, berg.household.id, asked_at, asked_at + timedelta(hours=2), None, asked_at
        )
    for n, consent in enumerate((True, False, True)):
        taken = await routing.take_message(
            db, ek, 3, 10 + n, kind=Kind.TEXT, preview="?", urgent=False, now=asked_at
        )
        number = taken.request.id
        assert not isinstance(await routing.accept(db, berg, number, asked_at), RoutingProblem)
        assert await routing.end(db, number, Side.MENTOR, asked_at)
        assert await unit_notes.ask(db, berg, number) is None
        await unit_notes.remember_prompt(db, berg, number, 100 + n)
        note = await unit_notes.prompted(db, 2, 100 + n)
        assert note is not None
        written = await unit_notes.write(db, berg, note, f"Anteckning {n}", asked_at)
        assert not isinstance(written, unit_notes.NoteProblem)
        assert not isinstance(await unit_notes.decide(db, ek, note.id, consent, asked_at), str)
    assert not isinstance(await debriefs.ask(db, berg, number, asked_at), str)

    monday = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    due = await unit_notes.due(db, monday, SWEDEN, TZ)
    assert [note.body for note in due.notes] == ["Anteckning 0", "Anteckning 2"]
    await unit_notes.delivered(db, unit_notes.Delivery(due.notes[:1], []), monday)

    await retention.erase_expired_content(db, timedelta(days=30), monday + timedelta(days=31))
    async with db.read() as session:
        rows = await session.fetch_all("SELECT id, body FROM unit_notes ORDER BY id")
        asked = await session.fetch_all("SELECT mentor_member_id FROM debriefs")
    assert [row["body"] for row in rows] == [None, None, "Anteckning 2"]
    assert [row["mentor_member_id"] for row in asked] == [None]
