"""Broadcasts against a real SQLite file: drafts, recipients, scheduling and the outbox.

bot.broadcasts and the SQL of storage.broadcasts behind it; nothing is mocked. Every time is a
fixed, aware UTC datetime around NOW.
"""

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import broadcasts, events
from bot.broadcasts import (
    CAPTION_LIMIT,
    FIRST_RETRY,
    LAST_RETRY,
    MAX_ATTEMPTS,
    RECENT,
    TEXT_LIMIT,
    ContentProblem,
    Draft,
    Progress,
)
from storage import broadcasts as store
from storage import households
from storage.db import Database
from storage.models import (
    Audience,
    Broadcast,
    BroadcastState,
    Delivery,
    DeliveryState,
    Event,
    EventAudience,
    EventButton,
    EventDetails,
    EventKind,
    EventListing,
    Kind,
    Member,
    Role,
    to_db,
)
from tests.support import make_household

NOW = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)  # a Friday evening
SECOND, MINUTE, HOUR, DAY = (
    timedelta(seconds=1),
    timedelta(minutes=1),
    timedelta(hours=1),
    timedelta(days=1),
)
NEWSLETTER = "<b>Julfest</b> den 13 december!"
EK, ASK, BERG, LUND = "Familjen Ek", "Familjen Ask", "Familjen Berg", "Familjen Lund"
FAMILY_CHATS = [31, 32, 51]  # the Eks' two adults, then the Asks'
MENTOR_CHATS = [11, 12, 21]  # the Bergs' two adults, then the Lunds'


async def household(db: Database, role: Role, name: str | None, *telegram_ids: int) -> list[Member]:
    return await make_household(db, role, name, telegram_ids, at=NOW - DAY)


@dataclass(frozen=True, slots=True)
class People:
    coordinator: Member
    ek: list[Member]  # a foster family of two adults
    ask: Member  # a foster family of one
    berg: list[Member]  # a mentor household of two adults
    lund: Member  # a mentor household of one


@pytest.fixture
async def people(db: Database) -> People:
    (coordinator,) = await household(db, Role.COORDINATOR, "Kansliet", 1)
    berg = await household(db, Role.MENTOR, BERG, 11, 12)
    (lund,) = await household(db, Role.MENTOR, LUND, 21)
    ek = await household(db, Role.FAMILY, EK, 31, 32)
    (ask,) = await household(db, Role.FAMILY, ASK, 51)
    return People(coordinator, ek, ask, berg, lund)


def text(body: str = NEWSLETTER) -> Draft:
    return Draft(Kind.TEXT, body)


async def send_now(
    db: Database,
    people: People,
    audience: Audience = Audience.FAMILIES,
    *,
    at: datetime = NOW,
    draft: Draft | None = None,
) -> Broadcast:
    result = await broadcasts.submit(
        db, people.coordinator, draft or text(), audience, send_at=None, now=at
    )
    assert isinstance(result, Broadcast), result
    return result


async def schedule(
    db: Database,
    people: People,
    send_at: datetime,
    audience: Audience = Audience.FAMILIES,
    *,
    at: datetime = NOW,
) -> Broadcast:
    result = await broadcasts.submit(
        db, people.coordinator, text(), audience, send_at=send_at, now=at
    )
    assert isinstance(result, Broadcast), result
    return result


@dataclass(frozen=True, slots=True)
class Row:
    """One delivery as stored."""

    member_id: int | None
    display_name: str | None
    state: DeliveryState
    attempts: int
    next_attempt_at: str
    telegram_message_id: int | None
    updated_at: str


async def outbox(db: Database, broadcast_id: int) -> dict[int, Row]:
    """Chat id -> the delivery of the broadcast to that chat, read back with plain SQL."""
    async with db.read() as session:
        rows = await session.fetch_all(
            "SELECT * FROM deliveries WHERE broadcast_id = ? ORDER BY rowid", (broadcast_id,)
        )
    return {
        row["chat_id"]: Row(
            row["member_id"],
            row["display_name"],
            DeliveryState(row["state"]),
            row["attempts"],
            row["next_attempt_at"],
            row["telegram_message_id"],
            row["updated_at"],
        )
        for row in rows
    }


async def states(db: Database, broadcast_id: int) -> dict[int, DeliveryState]:
    return {chat: row.state for chat, row in (await outbox(db, broadcast_id)).items()}


async def stored(db: Database, broadcast_id: int) -> Broadcast:
    async with db.read() as session:
        broadcast = await store.broadcast_by_id(session, broadcast_id)
    assert broadcast is not None
    return broadcast


async def column(db: Database, broadcast_id: int, name: str) -> object:
    """One column of a broadcast row, read back with plain SQL."""
    async with db.read() as session:
        row = await session.fetch_one(
            f"SELECT {name} FROM broadcasts WHERE id = ?", (broadcast_id,)
        )
    assert row is not None
    return row[0]


async def count_rows(db: Database, table: str) -> int:
    async with db.read() as session:
        row = await session.fetch_one(f"SELECT COUNT(*) FROM {table}")
    assert row is not None
    return int(row[0])


async def claim(db: Database, at: datetime = NOW) -> Delivery:
    (delivery,) = await broadcasts.claim_due(db, at, 1)
    return delivery


async def claim_all(db: Database, at: datetime = NOW) -> list[Delivery]:
    """Every due delivery, one claim at a time, as a worker claiming one at a time would."""
    claimed = []
    while found := await broadcasts.claim_due(db, at, 1):
        claimed.extend(found)
    return claimed


def to(broadcast: Broadcast, chat_id: int, attempts: int = 1) -> Delivery:
    """The delivery of `broadcast` to `chat_id`, as the outbox worker holds it after a claim
    (settling it does not read the recipient's role)."""
    return Delivery(broadcast, chat_id, attempts, None)


async def lone_recipient(db: Database) -> Broadcast:
    """A broadcast sent at NOW to the one adult of the only family, the Asks (chat 51)."""
    (coordinator,) = await household(db, Role.COORDINATOR, None, 1)
    await household(db, Role.FAMILY, ASK, 51)
    result = await broadcasts.submit(
        db, coordinator, text(), Audience.FAMILIES, send_at=None, now=NOW
    )
    assert isinstance(result, Broadcast), result
    return result


# check_draft


@pytest.mark.parametrize(
    ("draft", "plain_length"),
    [
        (Draft(Kind.TEXT, None), 0),
        (Draft(Kind.TEXT, ""), 0),
        (Draft(Kind.TEXT, "   "), 3),
        (Draft(Kind.TEXT, " \n\t "), 4),
    ],
)
def test_a_text_without_anything_to_read_is_empty(draft: Draft, plain_length: int) -> None:
    assert broadcasts.check_draft(draft, plain_length) is ContentProblem.EMPTY


def test_a_text_may_have_up_to_telegrams_limit() -> None:
    assert TEXT_LIMIT == 4096
    assert broadcasts.check_draft(text("x" * 4096), 4096) is None
    assert broadcasts.check_draft(text("x" * 4097), 4097) is ContentProblem.TEXT_TOO_LONG


def test_the_text_limit_counts_the_plain_text_not_the_markup() -> None:
    body = "<b>" + "x" * TEXT_LIMIT + "</b>"
    assert broadcasts.check_draft(text(body), TEXT_LIMIT) is None


@pytest.mark.parametrize("kind", [Kind.PHOTO, Kind.DOCUMENT])
def test_a_caption_may_have_up_to_telegrams_limit(kind: Kind) -> None:
    assert CAPTION_LIMIT == 1024
    fits = Draft(kind, "x" * 1024, "file-1")
    too_long = Draft(kind, "x" * 1025, "file-1")
    assert broadcasts.check_draft(fits, 1024) is None
    assert broadcasts.check_draft(too_long, 1025) is ContentProblem.CAPTION_TOO_LONG


@pytest.mark.parametrize("kind", [Kind.PHOTO, Kind.DOCUMENT])
def test_a_photo_or_document_needs_no_caption(kind: Kind) -> None:
    assert broadcasts.check_draft(Draft(kind, None, "file-1"), 0) is None


@pytest.mark.parametrize("kind", [Kind.PHOTO, Kind.DOCUMENT])
def test_a_photo_or_document_without_a_file_is_unsupported(kind: Kind) -> None:
    assert broadcasts.check_draft(Draft(kind, "Bilder från sommarlägret", None), 24) is (
        ContentProblem.UNSUPPORTED
    )


# count_recipients and set_newsletter


async def test_each_audience_counts_its_adults(db: Database, people: People) -> None:
    assert await broadcasts.count_recipients(db, Audience.FAMILIES) == 3
    assert await broadcasts.count_recipients(db, Audience.MENTORS) == 3
    assert await broadcasts.count_recipients(db, Audience.EVERYONE) == 6


@pytest.mark.parametrize("audience", list(Audience))
async def test_coordinators_are_never_recipients(db: Database, audience: Audience) -> None:
    await household(db, Role.COORDINATOR, "Kansliet", 1, 2)
    assert await broadcasts.count_recipients(db, audience) == 0


async def test_an_adult_who_turned_the_newsletter_off_is_not_counted(
    db: Database, people: People
) -> None:
    await broadcasts.set_newsletter(db, people.ek[0], False)
    await broadcasts.set_newsletter(db, people.lund, False)

    assert await broadcasts.count_recipients(db, Audience.FAMILIES) == 2
    assert await broadcasts.count_recipients(db, Audience.MENTORS) == 2
    assert await broadcasts.count_recipients(db, Audience.EVERYONE) == 4

    await broadcasts.set_newsletter(db, people.ek[0], True)
    assert await broadcasts.count_recipients(db, Audience.FAMILIES) == 3


async def test_set_newsletter_persists_for_that_adult_only(db: Database, people: People) -> None:
    async def wanted(member: Member) -> bool:
        async with db.read() as session:
            found = await households.member_by_id(session, member.id)
        assert found is not None
        return found.newsletter

    assert await wanted(people.ek[0]) is True
    await broadcasts.set_newsletter(db, people.ek[0], False)
    assert await wanted(people.ek[0]) is False
    assert await wanted(people.ek[1]) is True
    await broadcasts.set_newsletter(db, people.ek[0], True)
    assert await wanted(people.ek[0]) is True


# submit


async def test_sending_now_writes_the_whole_outbox_at_once(db: Database, people: People) -> None:
    broadcast = await send_now(db, people, Audience.FAMILIES)

    assert broadcast.state is BroadcastState.SENDING
    assert broadcast.created_by == people.coordinator.id
    assert broadcast.audience is Audience.FAMILIES
    assert (broadcast.kind, broadcast.body, broadcast.file_id) == ("text", NEWSLETTER, None)
    assert broadcast.send_at == NOW
    assert broadcast.created_at == NOW
    assert (broadcast.status_chat_id, broadcast.status_message_id) == (None, None)
    assert await column(db, broadcast.id, "started_at") == to_db(NOW)
    assert await outbox(db, broadcast.id) == {
        chat: Row(member.id, name, DeliveryState.PENDING, 0, to_db(NOW), None, to_db(NOW))
        for chat, member, name in [
            (31, people.ek[0], EK),
            (32, people.ek[1], EK),
            (51, people.ask, ASK),
        ]
    }


@pytest.mark.parametrize(
    ("audience", "chats"),
    [
        (Audience.FAMILIES, FAMILY_CHATS),
        (Audience.MENTORS, MENTOR_CHATS),
        (Audience.EVERYONE, FAMILY_CHATS + MENTOR_CHATS),
    ],
)
async def test_the_outbox_holds_one_delivery_per_adult_of_the_audience(
    db: Database, people: People, audience: Audience, chats: list[int]
) -> None:
    broadcast = await send_now(db, people, audience)
    assert list(await outbox(db, broadcast.id)) == chats


async def test_the_outbox_leaves_out_adults_without_the_newsletter(
    db: Database, people: People
) -> None:
    await broadcasts.set_newsletter(db, people.ek[1], False)
    broadcast = await send_now(db, people, Audience.EVERYONE)
    assert list(await outbox(db, broadcast.id)) == [31, 51, 11, 12, 21]


async def test_a_photo_keeps_its_file_and_caption(db: Database, people: People) -> None:
    draft = Draft(Kind.PHOTO, "Från sommarlägret", "AgACAgQAAx0")
    broadcast = await send_now(db, people, Audience.MENTORS, draft=draft)
    assert (broadcast.kind, broadcast.body, broadcast.file_id) == (
        "photo",
        "Från sommarlägret",
        "AgACAgQAAx0",
    )
    assert (await stored(db, broadcast.id)).file_id == "AgACAgQAAx0"


@pytest.mark.parametrize("send_at", [NOW - SECOND, NOW, NOW - DAY])
async def test_a_time_that_is_not_in_the_future_is_refused(
    db: Database, people: People, send_at: datetime
) -> None:
    result = await broadcasts.submit(
        db, people.coordinator, text(), Audience.EVERYONE, send_at=send_at, now=NOW
    )
    assert result is ContentProblem.IN_PAST
    assert await count_rows(db, "broadcasts") == 0
    assert await count_rows(db, "deliveries") == 0


async def test_a_later_broadcast_is_scheduled_without_an_outbox(
    db: Database, people: People
) -> None:
    broadcast = await schedule(db, people, NOW + HOUR, Audience.EVERYONE)

    assert broadcast.state is BroadcastState.SCHEDULED
    assert broadcast.send_at == NOW + HOUR
    assert broadcast.created_at == NOW
    assert await column(db, broadcast.id, "started_at") is None
    assert await outbox(db, broadcast.id) == {}
    assert [found.id for found in await broadcasts.scheduled(db)] == [broadcast.id]
    assert await broadcasts.sending(db) == []


# start_due


async def test_a_scheduled_broadcast_waits_for_its_time(db: Database, people: People) -> None:
    broadcast = await schedule(db, people, NOW + HOUR)

    assert await broadcasts.start_due(db, NOW + HOUR - SECOND) == []
    assert (await stored(db, broadcast.id)).state is BroadcastState.SCHEDULED
    assert await outbox(db, broadcast.id) == {}


@pytest.mark.parametrize("late", [timedelta(0), SECOND, 3 * HOUR])
async def test_a_scheduled_broadcast_starts_once_at_or_after_its_time(
    db: Database, people: People, late: timedelta
) -> None:
    broadcast = await schedule(db, people, NOW + HOUR)
    at = NOW + HOUR + late

    started = await broadcasts.start_due(db, at)

    assert [found.id for found in started] == [broadcast.id]
    assert (await stored(db, broadcast.id)).state is BroadcastState.SENDING
    assert await column(db, broadcast.id, "started_at") == to_db(at)
    first = await outbox(db, broadcast.id)
    assert list(first) == FAMILY_CHATS
    assert {row.next_attempt_at for row in first.values()} == {to_db(at)}
    assert {row.state for row in first.values()} == {DeliveryState.PENDING}

    assert await broadcasts.start_due(db, at + MINUTE) == []
    assert await outbox(db, broadcast.id) == first
    assert await broadcasts.scheduled(db) == []


async def test_a_scheduled_broadcast_goes_to_the_recipients_of_its_start(
    db: Database, people: People
) -> None:
    broadcast = await schedule(db, people, NOW + DAY)
    await broadcasts.set_newsletter(db, people.ask, False)
    (new,) = await make_household(db, Role.FAMILY, "Familjen Al", (61,), NOW + HOUR)

    await broadcasts.start_due(db, NOW + DAY)

    rows = await outbox(db, broadcast.id)
    assert list(rows) == [31, 32, 61]
    assert rows[61].member_id == new.id
    assert rows[61].display_name == "Familjen Al"


async def test_only_the_due_broadcasts_start_in_the_order_of_their_time(
    db: Database, people: People
) -> None:
    later = await schedule(db, people, NOW + 2 * HOUR, Audience.MENTORS)
    due_second = await schedule(db, people, NOW + HOUR, Audience.FAMILIES)
    due_first = await schedule(db, people, NOW + 30 * MINUTE, Audience.EVERYONE)

    started = await broadcasts.start_due(db, NOW + HOUR)

    assert [found.id for found in started] == [due_first.id, due_second.id]
    assert [found.id for found in await broadcasts.scheduled(db)] == [later.id]
    assert [found.id for found in await broadcasts.sending(db)] == [due_first.id, due_second.id]
    assert await outbox(db, later.id) == {}


async def test_a_time_in_another_zone_is_the_same_instant(db: Database, people: People) -> None:
    stockholm = datetime(2026, 11, 27, 20, 0, tzinfo=ZoneInfo("Europe/Stockholm"))  # 19:00 UTC
    broadcast = await schedule(db, people, stockholm)

    assert broadcast.send_at == NOW + HOUR
    assert await broadcasts.start_due(db, NOW + HOUR - SECOND) == []
    assert [found.id for found in await broadcasts.start_due(db, NOW + HOUR)] == [broadcast.id]


# cancel


async def test_a_scheduled_broadcast_can_be_cancelled_once(db: Database, people: People) -> None:
    broadcast = await schedule(db, people, NOW + HOUR)

    assert await broadcasts.cancel(db, broadcast.id, people.coordinator, NOW + MINUTE) is True
    assert await broadcasts.cancel(db, broadcast.id, people.coordinator, NOW + 2 * MINUTE) is False

    assert (await stored(db, broadcast.id)).state is BroadcastState.CANCELLED
    assert await column(db, broadcast.id, "finished_at") == to_db(NOW + MINUTE)
    assert await broadcasts.scheduled(db) == []
    assert await broadcasts.start_due(db, NOW + DAY) == []
    assert await outbox(db, broadcast.id) == {}


async def test_a_broadcast_that_is_sending_cannot_be_cancelled(
    db: Database, people: People
) -> None:
    broadcast = await send_now(db, people)

    assert await broadcasts.cancel(db, broadcast.id, people.coordinator, NOW + MINUTE) is False
    assert (await stored(db, broadcast.id)).state is BroadcastState.SENDING
    assert await column(db, broadcast.id, "finished_at") is None


async def test_a_finished_broadcast_cannot_be_cancelled(db: Database, people: People) -> None:
    broadcast = await send_now(db, people)
    for delivery in await claim_all(db):
        await broadcasts.settle(db, delivery, DeliveryState.SENT, NOW)
    assert await broadcasts.finish_if_complete(db, broadcast.id, NOW + MINUTE) is True

    assert await broadcasts.cancel(db, broadcast.id, people.coordinator, NOW + HOUR) is False
    assert (await stored(db, broadcast.id)).state is BroadcastState.DONE
    assert await column(db, broadcast.id, "finished_at") == to_db(NOW + MINUTE)


async def test_an_unknown_broadcast_cannot_be_cancelled(db: Database, people: People) -> None:
    assert await broadcasts.cancel(db, 999, people.coordinator, NOW) is False


# claim_due and settle


async def test_claiming_marks_the_delivery_sending(db: Database, people: People) -> None:
    broadcast = await send_now(db, people)

    delivery = await claim(db, NOW + SECOND)

    assert delivery == Delivery(broadcast, 31, 1, Role.FAMILY)
    row = (await outbox(db, broadcast.id))[31]
    assert (row.state, row.attempts, row.updated_at) == (
        DeliveryState.SENDING,
        1,
        to_db(NOW + SECOND),
    )
    assert await states(db, broadcast.id) == {
        31: DeliveryState.SENDING,
        32: DeliveryState.PENDING,
        51: DeliveryState.PENDING,
    }


async def test_a_batch_is_claimed_in_order_and_marked_sending_before_any_is_sent(
    db: Database, people: People
) -> None:
    broadcast = await send_now(db, people)

    claimed = await broadcasts.claim_due(db, NOW + SECOND, 2)

    assert claimed == [
        Delivery(broadcast, 31, 1, Role.FAMILY),
        Delivery(broadcast, 32, 1, Role.FAMILY),
    ]
    rows = await outbox(db, broadcast.id)
    assert [(rows[chat].state, rows[chat].attempts) for chat in FAMILY_CHATS] == [
        (DeliveryState.SENDING, 1),
        (DeliveryState.SENDING, 1),
        (DeliveryState.PENDING, 0),
    ]
    assert rows[32].updated_at == to_db(NOW + SECOND)
    assert await broadcasts.claim_due(db, NOW + SECOND, 2) == [
        Delivery(broadcast, 51, 1, Role.FAMILY)
    ]


async def test_a_batch_holds_one_broadcast_the_oldest(db: Database, people: People) -> None:
    first = await send_now(db, people, Audience.FAMILIES)
    second = await send_now(db, people, Audience.MENTORS, at=NOW + SECOND)

    batches = [await broadcasts.claim_due(db, NOW + MINUTE, 10) for _ in range(3)]

    assert [[(d.broadcast.id, d.chat_id) for d in batch] for batch in batches] == [
        [(first.id, chat) for chat in FAMILY_CHATS],
        [(second.id, chat) for chat in MENTOR_CHATS],
        [],
    ]


async def test_a_crash_in_the_middle_of_a_batch_resends_only_the_one_in_flight_twice(
    db: Database, people: People
) -> None:
    """The worker claimed three, sent and settled the first, and died while the second was in
    flight; the third was claimed but never sent. After the restart the second and the third
    go out (the second, perhaps, a second time) and the first does not."""
    broadcast = await send_now(db, people)
    settled, in_flight, never_sent = await broadcasts.claim_due(db, NOW, 3)
    await broadcasts.settle(db, settled, DeliveryState.SENT, NOW, 1001)
    sent = [settled.chat_id, in_flight.chat_id]  # what reached Telegram before the crash

    assert await broadcasts.resume(db, NOW + MINUTE) == 2
    for delivery in await broadcasts.claim_due(db, NOW + MINUTE, 3):
        sent.append(delivery.chat_id)
        await broadcasts.settle(db, delivery, DeliveryState.SENT, NOW + MINUTE, 1002)

    assert sorted(sent) == sorted([*FAMILY_CHATS, in_flight.chat_id])
    assert never_sent.chat_id in sent
    assert await broadcasts.finish_if_complete(db, broadcast.id, NOW + MINUTE) is True


async def test_the_oldest_broadcast_goes_out_first(db: Database, people: People) -> None:
    first = await send_now(db, people, Audience.FAMILIES)
    second = await send_now(db, people, Audience.MENTORS, at=NOW + SECOND)

    claimed = await claim_all(db, NOW + MINUTE)

    assert [(d.broadcast.id, d.chat_id, d.attempts, d.role) for d in claimed] == [
        (first.id, 31, 1, Role.FAMILY),
        (first.id, 32, 1, Role.FAMILY),
        (first.id, 51, 1, Role.FAMILY),
        (second.id, 11, 1, Role.MENTOR),
        (second.id, 12, 1, Role.MENTOR),
        (second.id, 21, 1, Role.MENTOR),
    ]
    assert await broadcasts.claim_due(db, NOW + MINUTE, 1) == []


async def test_a_newer_broadcast_goes_out_while_the_older_one_waits_for_retries(
    db: Database, people: People
) -> None:
    first = await send_now(db, people, Audience.FAMILIES)
    for delivery in await claim_all(db):
        assert await broadcasts.retry_later(db, delivery, MINUTE, NOW) is True
    second = await send_now(db, people, Audience.MENTORS, at=NOW + SECOND)

    assert await claim(db, NOW + SECOND) == Delivery(second, 11, 1, Role.MENTOR)
    # Waiting out a 429 spends no attempt.
    assert await claim(db, NOW + MINUTE) == Delivery(first, 31, 1, Role.FAMILY)


async def test_nothing_to_claim_without_a_sending_broadcast(db: Database, people: People) -> None:
    assert await broadcasts.claim_due(db, NOW, 1) == []
    await schedule(db, people, NOW + HOUR)
    assert await broadcasts.claim_due(db, NOW + DAY, 1) == []


async def test_a_delivery_waiting_for_a_retry_is_skipped(db: Database, people: People) -> None:
    broadcast = await send_now(db, people)
    held = await claim(db)
    assert await broadcasts.retry_later(db, held, 30 * SECOND, NOW) is True

    others = await claim_all(db, NOW + 29 * SECOND)

    assert [d.chat_id for d in others] == [32, 51]
    assert await broadcasts.claim_due(db, NOW + 29 * SECOND, 1) == []
    assert await claim(db, NOW + 30 * SECOND) == Delivery(broadcast, 31, 1, Role.FAMILY)


@pytest.mark.parametrize(
    ("state", "message_id"),
    [
        (DeliveryState.SENT, 4711),
        (DeliveryState.BLOCKED, None),
        (DeliveryState.FAILED, None),
    ],
)
async def test_settling_records_the_outcome(
    db: Database, people: People, state: DeliveryState, message_id: int | None
) -> None:
    broadcast = await send_now(db, people)
    delivery = await claim(db)

    await broadcasts.settle(db, delivery, state, NOW + SECOND, message_id)

    row = (await outbox(db, broadcast.id))[31]
    assert (row.state, row.attempts, row.telegram_message_id, row.updated_at) == (
        state,
        1,
        message_id,
        to_db(NOW + SECOND),
    )
    assert row.next_attempt_at == to_db(NOW)
    assert [d.chat_id for d in await claim_all(db, NOW + DAY)] == [32, 51]


# retry_later


async def test_a_wait_from_telegram_is_kept_and_spends_no_attempt(db: Database) -> None:
    broadcast = await lone_recipient(db)
    at = NOW
    for _ in range(MAX_ATTEMPTS + 3):
        delivery = await claim(db, at)
        assert delivery.attempts == 1
        assert await broadcasts.retry_later(db, delivery, 45 * SECOND, at) is True
        row = (await outbox(db, broadcast.id))[51]
        assert (row.state, row.next_attempt_at) == (DeliveryState.PENDING, to_db(at + 45 * SECOND))
        assert await broadcasts.claim_due(db, at + 44 * SECOND, 1) == []
        at += 45 * SECOND


async def test_without_a_wait_the_retries_back_off_then_fail(db: Database) -> None:
    broadcast = await lone_recipient(db)
    at = NOW
    for attempt, backoff in enumerate([2, 4, 8, 16], start=1):
        wait = timedelta(seconds=backoff)
        assert wait == min(FIRST_RETRY * 2 ** (attempt - 1), LAST_RETRY)
        delivery = await claim(db, at)
        assert delivery.attempts == attempt
        assert await broadcasts.retry_later(db, delivery, None, at) is True
        row = (await outbox(db, broadcast.id))[51]
        assert (row.state, row.next_attempt_at) == (DeliveryState.PENDING, to_db(at + wait))
        assert await broadcasts.claim_due(db, at + wait - SECOND, 1) == []
        at += wait

    last = await claim(db, at)
    assert last.attempts == MAX_ATTEMPTS
    assert await broadcasts.retry_later(db, last, None, at) is False

    row = (await outbox(db, broadcast.id))[51]
    assert (row.state, row.attempts, row.updated_at) == (DeliveryState.FAILED, 5, to_db(at))
    assert await broadcasts.claim_due(db, at + DAY, 1) == []
    assert await broadcasts.finish_if_complete(db, broadcast.id, at) is True


# resume


async def test_resume_puts_the_deliveries_in_flight_back_in_the_queue(
    db: Database, people: People
) -> None:
    broadcast = await send_now(db, people)
    first, second = await claim(db), await claim(db)
    await broadcasts.settle(db, first, DeliveryState.SENT, NOW, 1001)

    assert await broadcasts.resume(db, NOW + MINUTE) == 1
    assert await broadcasts.resume(db, NOW + MINUTE) == 0

    rows = await outbox(db, broadcast.id)
    assert rows[second.chat_id].state is DeliveryState.PENDING
    assert rows[second.chat_id].attempts == 1
    assert rows[second.chat_id].updated_at == to_db(NOW + MINUTE)
    assert rows[first.chat_id].state is DeliveryState.SENT
    assert [(d.chat_id, d.attempts) for d in await claim_all(db, NOW + MINUTE)] == [
        (32, 2),
        (51, 1),
    ]


async def test_resume_counts_every_delivery_in_flight(db: Database, people: People) -> None:
    await send_now(db, people, Audience.FAMILIES)
    await send_now(db, people, Audience.MENTORS)
    assert len(await claim_all(db)) == 6
    assert await broadcasts.resume(db, NOW + MINUTE) == 6


# progress


async def test_progress_counts_each_state_and_names_the_failed(
    db: Database, people: People
) -> None:
    broadcast = await send_now(db, people, Audience.EVERYONE)
    await broadcasts.settle(db, to(broadcast, 11), DeliveryState.SENT, NOW, 501)
    await broadcasts.settle(db, to(broadcast, 21), DeliveryState.BLOCKED, NOW)
    await broadcasts.settle(db, to(broadcast, 51), DeliveryState.FAILED, NOW)
    await claim(db)  # the first Ek adult, chat 31, in flight

    found = await broadcasts.progress(db, broadcast.id)

    assert found is not None
    assert found.broadcast == broadcast
    assert found.counts == {
        DeliveryState.SENT: 1,
        DeliveryState.BLOCKED: 1,
        DeliveryState.FAILED: 1,
        DeliveryState.SENDING: 1,
        DeliveryState.PENDING: 2,
    }
    assert (found.total, found.remaining) == (6, 3)
    assert found.failed == [ASK, LUND]


async def test_progress_names_every_adult_of_a_household_that_failed(
    db: Database, people: People
) -> None:
    broadcast = await send_now(db, people, Audience.FAMILIES)
    for chat in (32, 31):
        await broadcasts.settle(db, to(broadcast, chat), DeliveryState.BLOCKED, NOW)

    found = await broadcasts.progress(db, broadcast.id)

    assert found is not None
    assert found.failed == [EK, EK]
    assert (found.total, found.remaining) == (3, 1)


async def test_progress_of_an_unknown_broadcast_is_none(db: Database) -> None:
    assert await broadcasts.progress(db, 999) is None


async def test_a_broadcast_without_deliveries_has_nothing_left(
    db: Database, people: People
) -> None:
    broadcast = await schedule(db, people, NOW + HOUR)

    found = await broadcasts.progress(db, broadcast.id)

    assert found == Progress(broadcast, {}, [])
    assert (found.total, found.remaining) == (0, 0)


# finish_if_complete


async def test_a_broadcast_finishes_once_when_every_delivery_is_settled(
    db: Database, people: People
) -> None:
    broadcast = await send_now(db, people)
    assert await broadcasts.finish_if_complete(db, broadcast.id, NOW) is False

    first, second, third = await claim_all(db)
    assert await broadcasts.finish_if_complete(db, broadcast.id, NOW) is False
    await broadcasts.settle(db, first, DeliveryState.SENT, NOW, 1)
    await broadcasts.settle(db, second, DeliveryState.BLOCKED, NOW)
    assert await broadcasts.finish_if_complete(db, broadcast.id, NOW) is False
    assert await broadcasts.retry_later(db, third, None, NOW) is True
    assert await broadcasts.finish_if_complete(db, broadcast.id, NOW) is False
    await broadcasts.settle(db, await claim(db, NOW + HOUR), DeliveryState.SENT, NOW + HOUR, 3)

    assert await broadcasts.finish_if_complete(db, broadcast.id, NOW + HOUR) is True
    assert await broadcasts.finish_if_complete(db, broadcast.id, NOW + DAY) is False

    assert (await stored(db, broadcast.id)).state is BroadcastState.DONE
    assert await column(db, broadcast.id, "finished_at") == to_db(NOW + HOUR)
    assert await broadcasts.sending(db) == []


async def test_a_broadcast_without_recipients_finishes_at_once(db: Database) -> None:
    (coordinator,) = await household(db, Role.COORDINATOR, None, 1)
    result = await broadcasts.submit(
        db, coordinator, text(), Audience.MENTORS, send_at=None, now=NOW
    )
    assert isinstance(result, Broadcast)

    assert await outbox(db, result.id) == {}
    assert await broadcasts.finish_if_complete(db, result.id, NOW) is True
    assert (await stored(db, result.id)).state is BroadcastState.DONE


async def test_a_scheduled_broadcast_is_not_finished(db: Database, people: People) -> None:
    broadcast = await schedule(db, people, NOW + HOUR)
    assert await broadcasts.finish_if_complete(db, broadcast.id, NOW) is False
    assert (await stored(db, broadcast.id)).state is BroadcastState.SCHEDULED


# recent and the status message


async def test_recent_lists_the_newest_first_with_their_counts(
    db: Database, people: People
) -> None:
    oldest = await send_now(db, people, Audience.FAMILIES, at=NOW - 2 * HOUR)
    older = await send_now(db, people, Audience.MENTORS, at=NOW - HOUR)
    upcoming = await schedule(db, people, NOW + DAY)
    await broadcasts.settle(db, to(oldest, 31), DeliveryState.SENT, NOW, 1)
    await broadcasts.settle(db, to(oldest, 51), DeliveryState.BLOCKED, NOW)

    found = await broadcasts.recent(db)

    assert [(p.broadcast.id, p.broadcast.state) for p in found] == [
        (upcoming.id, BroadcastState.SCHEDULED),
        (older.id, BroadcastState.SENDING),
        (oldest.id, BroadcastState.SENDING),
    ]
    assert [p.counts for p in found] == [
        {},
        {DeliveryState.PENDING: 3},
        {DeliveryState.SENT: 1, DeliveryState.BLOCKED: 1, DeliveryState.PENDING: 1},
    ]
    assert [p.total for p in found] == [0, 3, 3]


async def test_recent_keeps_only_the_last_few(db: Database, people: People) -> None:
    sent = [
        await send_now(db, people, Audience.MENTORS, at=NOW + index * MINUTE)
        for index in range(RECENT + 2)
    ]

    found = await broadcasts.recent(db)

    assert [p.broadcast.id for p in found] == [b.id for b in reversed(sent)][:RECENT]


async def test_recent_breaks_a_tie_in_time_by_the_later_broadcast(
    db: Database, people: People
) -> None:
    first = await send_now(db, people, Audience.FAMILIES)
    second = await send_now(db, people, Audience.MENTORS)
    assert [p.broadcast.id for p in await broadcasts.recent(db)] == [second.id, first.id]


async def test_the_status_message_is_written_with_the_broadcast(
    db: Database, people: People
) -> None:
    result = await broadcasts.submit(
        db,
        people.coordinator,
        text(),
        Audience.FAMILIES,
        send_at=None,
        now=NOW,
        status=broadcasts.StatusMessage(1, 9001),
    )
    assert isinstance(result, Broadcast), result
    broadcast = result

    found = await stored(db, broadcast.id)

    assert (found.status_chat_id, found.status_message_id) == (1, 9001)
    assert (await claim(db)).broadcast.status_message_id == 9001


# --- events a newsletter carries ------------------------------------------------------------


async def test_a_newsletter_offers_the_events_its_recipients_may_join(
    db: Database, people: People
) -> None:
    start = NOW + 7 * DAY
    made = {}
    for audience in (EventAudience.FAMILIES, EventAudience.MENTORS, EventAudience.EVERYONE):
        details = EventDetails(
            EventKind.OTHER, audience.value, start, start + HOUR, audience, capacity=5
        )
        event = await events.create(db, details, people.coordinator, NOW)
        assert isinstance(event, Event)
        made[audience] = event.id
        start += HOUR

    def offered(found: list[EventListing]) -> list[int]:
        return [listing.event.id for listing in found]

    families, mentors, everyone = (
        made[EventAudience.FAMILIES],
        made[EventAudience.MENTORS],
        made[EventAudience.EVERYONE],
    )
    assert offered(await broadcasts.attachable_events(db, Audience.FAMILIES, NOW)) == [
        families,
        everyone,
    ]
    assert offered(await broadcasts.attachable_events(db, Audience.MENTORS, NOW)) == [
        mentors,
        everyone,
    ]
    assert offered(await broadcasts.attachable_events(db, Audience.EVERYONE, NOW)) == [
        families,
        mentors,
        everyone,
    ]


async def test_the_sign_up_buttons_go_out_as_confirmed_in_their_order(
    db: Database, people: People
) -> None:
    start = NOW + 7 * DAY
    details = EventDetails(EventKind.OUTING, "Skansen", start, start + HOUR, EventAudience.FAMILIES)
    first = await events.create(db, details, people.coordinator, NOW)
    second = await events.create(db, details, people.coordinator, NOW)
    assert isinstance(first, Event) and isinstance(second, Event)
    chosen = (
        EventButton(
            second.id, "Anmäl er: lör 5 dec. Skansen", f"signup:{second.id}", EventAudience.FAMILIES
        ),
        EventButton(
            first.id, "Anmäl er: lör 5 dec. Skansen", f"signup:{first.id}", EventAudience.FAMILIES
        ),
    )

    sent = await send_now(db, people, draft=replace(text(), events=chosen))
    plain_one = await send_now(db, people)

    assert tuple(await broadcasts.signup_buttons(db, sent.id)) == chosen
    assert await broadcasts.signup_buttons(db, plain_one.id) == []


def test_a_recipient_gets_the_sign_up_buttons_of_the_events_their_role_may_join() -> None:
    families = EventButton(1, "Skansen", "signup:1", EventAudience.FAMILIES)
    everyone = EventButton(2, "Julfest", "signup:2", EventAudience.EVERYONE)
    mentors = EventButton(3, "Handledning", "signup:3", EventAudience.MENTORS)
    found = [families, everyone, mentors]
    assert broadcasts.buttons_for(found, Role.FAMILY) == [families, everyone]
    assert broadcasts.buttons_for(found, Role.MENTOR) == [everyone, mentors]
    assert broadcasts.buttons_for([families], Role.MENTOR) == []
    assert broadcasts.buttons_for(found, None) == []  # removed since the broadcast started


async def test_the_next_thing_due_is_a_scheduled_time_or_a_deliverys_next_try(
    db: Database, people: People
) -> None:
    assert await broadcasts.next_due(db) is None  # the outbox rests until woken
    later = await schedule(db, people, NOW + HOUR)
    assert await broadcasts.next_due(db) == NOW + HOUR
    await send_now(db, people)
    assert await broadcasts.next_due(db) == NOW  # its deliveries, due at once
    claimed = await claim_all(db)
    assert await broadcasts.next_due(db) == NOW + HOUR  # being sent: nothing else is due
    for delivery in claimed:
        await broadcasts.retry_later(db, delivery, MINUTE, NOW)  # a 429
    assert await broadcasts.next_due(db) == NOW + MINUTE
    assert await broadcasts.cancel(db, later.id, people.coordinator, NOW)
    for delivery in await claim_all(db, NOW + MINUTE):
        await broadcasts.settle(db, delivery, DeliveryState.SENT, NOW + MINUTE)
    assert await broadcasts.next_due(db) is None
