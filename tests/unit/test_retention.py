"""Old questions lose their words but keep what the evaluation needs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import retention, routing
from bot.routing import Topic
from storage import shifts
from storage.db import Database
from storage.models import Member, Role
from tests.conftest import make_household

NOW = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
DAY = timedelta(days=1)
RETENTION = 30 * DAY


async def ended_question(db: Database, family: Member, mentor: Member, at: datetime) -> int:
    """A question asked, answered, ended, rated, filed, commented on and noted, at `at`."""
    taken = await routing.take_message(
        db, family, family.telegram_user_id, 100, "text", "Vår son sover inte", False, at
    )
    request_id = taken.request.id
    accepted = await routing.accept(db, mentor, request_id, at)
    assert not isinstance(accepted, routing.RoutingProblem)
    await routing.remember_relay(db, mentor.telegram_user_id, 500, request_id)
    assert await routing.end(db, request_id, "family", at) is not None
    assert await routing.rate(db, family, request_id, 4)
    assert await routing.file_topic(db, mentor, request_id, Topic.SLEEP)
    await routing.add_comment(db, request_id, "comment", "Tack, det hjälpte")
    await routing.add_comment(db, request_id, "note", "Kvällsrutin")
    return request_id


async def stored(db: Database, request_id: int) -> tuple[object, ...]:
    async with db.read() as session:
        row = await session.fetch_one(
            "SELECT preview, rating_comment, mentor_note, rating, topic, state, opened_at, "
            "(SELECT COUNT(*) FROM relays WHERE request_id = r.id) AS relays "
            "FROM requests r WHERE id = ?",
            (request_id,),
        )
    assert row is not None
    return tuple(row)


async def test_content_goes_after_the_retention_and_the_metadata_stays(db: Database) -> None:
    (family,) = await make_household(db, Role.FAMILY, "Familjen Ek", (31,), NOW - 60 * DAY)
    (mentor,) = await make_household(db, Role.MENTOR, "Familjen Berg", (11,), NOW - 60 * DAY)
    async with db.write() as session:
        await shifts.add_shift(
            session, mentor.household.id, NOW - 60 * DAY, NOW + DAY, None, NOW - 60 * DAY
        )
    old = await ended_question(db, family, mentor, NOW - RETENTION - DAY)
    recent = await ended_question(db, family, mentor, NOW - RETENTION + DAY)
    before = await stored(db, recent)

    assert await retention.erase_expired_content(db, RETENTION, NOW) == 1

    erased = await stored(db, old)
    assert erased[:3] == (None, None, None)  # the question, the comment, the note
    assert erased[3:6] == (4, "sleep", "closed")  # what the evaluation counts
    assert erased[7] == 0  # no pointer to a relayed message either
    assert await stored(db, recent) == before
    assert before[:3] == ("Vår son sover inte", "Tack, det hjälpte", "Kvällsrutin")
    # A second night finds nothing more to erase.
    assert await retention.erase_expired_content(db, RETENTION, NOW) == 0


async def test_an_open_question_is_never_erased(db: Database) -> None:
    (family,) = await make_household(db, Role.FAMILY, "Familjen Ek", (31,), NOW - 60 * DAY)
    taken = await routing.take_message(
        db, family, 31, 100, "text", "Finns det någon?", False, NOW - 90 * DAY
    )
    assert await retention.erase_expired_content(db, RETENTION, NOW) == 0
    assert (await stored(db, taken.request.id))[0] == "Finns det någon?"


async def test_a_question_nobody_took_is_erased_once_it_has_expired(db: Database) -> None:
    """Before the expiry, a question at the coordinators' step stayed offered for ever and its
    words were never erased; now it ends, and the retention counts from its end."""
    (family,) = await make_household(db, Role.FAMILY, "Familjen Ek", (31,), NOW - 60 * DAY)
    await make_household(db, Role.COORDINATOR, "Karin", (1,), NOW - 60 * DAY)
    asked = NOW - 40 * DAY
    taken = await routing.take_message(db, family, 31, 100, "text", "Hallå?", False, asked)
    request_id = taken.request.id
    (sent,) = await routing.send_long_waits_to_coordinators(db, timedelta(hours=24), asked)
    assert sent.request.id == request_id
    assert await retention.erase_expired_content(db, RETENTION, NOW) == 0  # still open
    assert await routing.expire(db, request_id, asked + timedelta(hours=2)) is not None
    assert await retention.erase_expired_content(db, RETENTION, NOW) == 1
    assert (await stored(db, request_id))[0] is None
    assert (await stored(db, request_id))[5] == "expired"
