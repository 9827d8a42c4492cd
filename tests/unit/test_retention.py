"""Old questions lose their words but keep what the evaluation needs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import broadcasts, members, retention, routing
from bot.routing import Topic
from storage import shifts
from storage.db import Database
from storage.models import (
    Audience,
    Broadcast,
    DeliveryState,
    Kind,
    Member,
    RelayPurpose,
    Role,
    Side,
)
from tests.support import make_household

NOW = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
DAY = timedelta(days=1)
RETENTION = 30 * DAY


async def ended_question(db: Database, family: Member, mentor: Member, at: datetime) -> int:
    """A question asked, answered, ended, rated, filed, commented on and noted, at `at`."""
    taken = await routing.take_message(
        db,
        family,
        family.telegram_user_id,
        100,
        kind=Kind.TEXT,
        preview="Vår son sover inte",
        urgent=False,
        now=at,
    )
    request_id = taken.request.id
    accepted = await routing.accept(db, mentor, request_id, at)
    assert not isinstance(accepted, routing.RoutingProblem)
    await routing.remember_relay(db, mentor.telegram_user_id, 500, request_id)
    assert await routing.end(db, request_id, Side.FAMILY, at) is not None
    assert await routing.rate(db, family, request_id, 4)
    assert await routing.file_topic(db, mentor, request_id, Topic.SLEEP)
    await routing.add_comment(db, request_id, RelayPurpose.COMMENT, "Tack, det hjälpte")
    await routing.add_comment(db, request_id, RelayPurpose.NOTE, "Kvällsrutin")
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
        db,
        family,
        31,
        100,
        kind=Kind.TEXT,
        preview="Finns det någon?",
        urgent=False,
        now=NOW - 90 * DAY,
    )
    assert await retention.erase_expired_content(db, RETENTION, NOW) == 0
    assert (await stored(db, taken.request.id))[0] == "Finns det någon?"


async def test_a_question_nobody_took_is_erased_once_it_has_expired(db: Database) -> None:
    """Before the expiry, a question at the coordinators' step stayed offered for ever and its
    words were never erased; now it ends, and the retention counts from its end."""
    (family,) = await make_household(db, Role.FAMILY, "Familjen Ek", (31,), NOW - 60 * DAY)
    await make_household(db, Role.COORDINATOR, "Karin", (1,), NOW - 60 * DAY)
    asked = NOW - 40 * DAY
    taken = await routing.take_message(
        db, family, 31, 100, kind=Kind.TEXT, preview="Hallå?", urgent=False, now=asked
    )
    request_id = taken.request.id
    (sent,) = await routing.send_long_waits_to_coordinators(db, timedelta(hours=24), asked)
    assert sent.request.id == request_id
    assert await retention.erase_expired_content(db, RETENTION, NOW) == 0  # still open
    assert await routing.expire(db, request_id, asked + timedelta(hours=2)) is not None
    assert await retention.erase_expired_content(db, RETENTION, NOW) == 1
    assert (await stored(db, request_id))[0] is None
    assert (await stored(db, request_id))[5] == "expired"


async def sent_broadcast(db: Database, coordinator: Member, body: str, at: datetime) -> int:
    """A newsletter to everyone, delivered to each and finished, at `at`."""
    sent = await broadcasts.submit(
        db,
        coordinator,
        broadcasts.Draft(Kind.TEXT, body),
        Audience.EVERYONE,
        send_at=None,
        now=at,
        status=broadcasts.StatusMessage(coordinator.telegram_user_id, 70),
    )
    assert isinstance(sent, Broadcast)
    for delivery in await broadcasts.claim_due(db, at, 100):
        await broadcasts.settle(db, delivery, DeliveryState.SENT, at, 900)
    assert await broadcasts.finish_if_complete(db, sent.id, at)
    return sent.id


async def broadcast_row(db: Database, broadcast_id: int) -> tuple[object, ...]:
    async with db.read() as session:
        row = await session.fetch_one(
            "SELECT body, kind, audience, state, status_chat_id, "
            "(SELECT COUNT(*) FROM deliveries WHERE broadcast_id = b.id AND state = 'sent'), "
            "(SELECT COUNT(*) FROM deliveries WHERE broadcast_id = b.id AND (chat_id > 0 "
            "OR display_name IS NOT NULL OR telegram_message_id IS NOT NULL)) "
            "FROM broadcasts b WHERE id = ?",
            (broadcast_id,),
        )
    assert row is not None
    return tuple(row)


async def test_a_broadcast_forgets_its_recipients_then_its_content_and_keeps_its_counts(
    db: Database,
) -> None:
    """Whom a newsletter reached goes after MENTORBOT_RETENTION_DAYS, what it said after
    MENTORBOT_BROADCAST_RETENTION_DAYS; how many it reached stays."""
    (karin,) = await make_household(db, Role.COORDINATOR, "Karin", (1,), NOW - 900 * DAY)
    await make_household(db, Role.FAMILY, "Familjen Ek", (31,), NOW - 900 * DAY)
    await make_household(db, Role.MENTOR, "Familjen Berg", (11,), NOW - 900 * DAY)
    year = 365 * DAY
    ancient = await sent_broadcast(db, karin, "Kurs i mars", NOW - year - DAY)
    last_month = await sent_broadcast(db, karin, "Temamorgon", NOW - RETENTION - DAY)
    this_week = await sent_broadcast(db, karin, "Utflykt", NOW - 2 * DAY)

    await retention.erase_expired_content(db, RETENTION, NOW)
    assert await retention.erase_expired_broadcasts(db, year, NOW) == 1

    # (body, kind, audience, state, status chat, deliveries sent, deliveries naming someone)
    assert await broadcast_row(db, ancient) == (None, "text", "everyone", "done", None, 2, 0)
    assert await broadcast_row(db, last_month) == (
        "Temamorgon",
        "text",
        "everyone",
        "done",
        None,
        2,
        0,
    )
    assert await broadcast_row(db, this_week) == ("Utflykt", "text", "everyone", "done", 1, 2, 2)
    assert await retention.erase_expired_broadcasts(db, year, NOW) == 0


async def test_removal_clears_the_recipient_from_deliveries_at_once(db: Database) -> None:
    """Before, a removed member's Telegram id and household name stayed on every delivery."""
    (karin,) = await make_household(db, Role.COORDINATOR, "Karin", (1,), NOW - 90 * DAY)
    (ek,) = await make_household(db, Role.FAMILY, "Familjen Ek", (31,), NOW - 90 * DAY)
    sent = await sent_broadcast(db, karin, "Kurs i mars", NOW - DAY)
    pending = await broadcasts.submit(
        db,
        karin,
        broadcasts.Draft(Kind.TEXT, "Temamorgon"),
        Audience.FAMILIES,
        send_at=None,
        now=NOW,
    )
    assert isinstance(pending, Broadcast)

    removal = await members.remove(db, karin, ek.id, NOW)
    assert removal.outcome is members.RemoveOutcome.REMOVED

    async with db.read() as session:
        rows = await session.fetch_all(
            "SELECT broadcast_id, state FROM deliveries WHERE chat_id = 31 "
            "OR display_name = 'Familjen Ek'"
        )
        left = await session.fetch_all(
            "SELECT broadcast_id, state FROM deliveries WHERE broadcast_id IN (?, ?) "
            "ORDER BY broadcast_id, rowid",
            (sent, pending.id),
        )
    assert rows == []
    # Still counted; the one not yet sent is dropped (bot/departures.py).
    assert [tuple(row) for row in left] == [(sent, "sent")]
    assert await broadcasts.finish_if_complete(db, pending.id, NOW)
