"""Routing against a real SQLite file: requests, offers, claims, escalation and the end.

bot.routing and the SQL of storage.requests behind it; nothing is mocked. NOW is a Friday
evening, when the mentor families are on duty (tests/unit/routing_support.py).
"""

import asyncio
import dataclasses
from datetime import datetime

import pytest

from bot import routing
from bot.routing import Accepted, Ended, Offering, RoutingProblem, Topic
from storage import requests, shifts
from storage.db import Database
from storage.models import (
    Kind,
    Member,
    OfferMessage,
    RelayPurpose,
    Request,
    RequestState,
    Role,
    Side,
)
from tests.unit import routing_support
from tests.unit.routing_support import (
    DAY,
    HOUR,
    MINUTE,
    NOW,
    SECOND,
    People,
    accepted,
    ask,
    book,
    conversation,
    household,
    opened,
    stored,
)

people = routing_support.people
on_duty = routing_support.on_duty
ESCALATE_AFTER = 10 * MINUTE
EXPIRE_AFTER = 120 * MINUTE
WAIT_LIMIT = 24 * HOUR


async def offering(db: Database, request_id: int, level: int, at: datetime) -> Offering:
    result = await routing.escalate(db, request_id, level, at)
    assert result is not None
    return result


async def closed(db: Database, people: People) -> Request:
    """The Eks' conversation with the first Berg adult, ended by the mentor."""
    request = await conversation(db, people.berg[0], people.family[0])
    ended = await routing.end(db, request.id, Side.MENTOR, NOW + HOUR)
    assert ended is not None
    return ended.request


async def column(db: Database, request_id: int, name: str) -> object:
    """One column of a request row, read back with plain SQL."""
    async with db.read() as session:
        row = await session.fetch_one(f"SELECT {name} FROM requests WHERE id = ?", (request_id,))
    assert row is not None
    return row[0]


async def offer_states(db: Database, request_id: int) -> dict[int, str]:
    """Member id -> state of the offer made to that adult."""
    async with db.read() as session:
        rows = await session.fetch_all(
            "SELECT member_id, state FROM offers WHERE request_id = ?", (request_id,)
        )
    return {row["member_id"]: row["state"] for row in rows}


async def pending(db: Database, request_id: int) -> list[tuple[int, int]]:
    async with db.read() as session:
        return await requests.pending_messages(session, request_id)


def ids(members: list[Member]) -> list[int]:
    return [member.id for member in members]


def states(members: list[Member], state: str) -> dict[int, str]:
    return dict.fromkeys(ids(members), state)


# --- take_message -------------------------------------------------------------------------------


async def test_a_question_on_duty_is_offered_to_every_adult_of_every_household_on_duty(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    question = "".join(str(n % 10) for n in range(routing.PREVIEW_LENGTH + 50))

    intake = await ask(db, people.family[0], 100, preview=question, kind=Kind.VOICE)

    request = intake.request
    assert intake.opened is True
    assert ids(intake.offer_to) == ids(on_duty) == ids([*people.berg, people.lund])
    assert len(intake.offer_to) == 3
    assert (intake.next_shift, intake.became_urgent) == (None, False)
    assert request.state is RequestState.OFFERED
    assert request.preview == question[: routing.PREVIEW_LENGTH]
    assert len(request.preview) == routing.PREVIEW_LENGTH == 300
    assert request.first_kind == "voice"
    assert (request.family_household_id, request.family_name) == (
        people.family[0].household.id,
        "Familjen Ek",
    )
    assert (request.opened_at, request.offered_at) == (NOW, NOW)
    assert (request.escalation, request.escalated_at, request.urgent) == (0, None, False)
    assert (request.accepted_at, request.mentor_member_id, request.mentor_name) == (None,) * 3
    assert await stored(db, request.id) == request
    assert await offer_states(db, request.id) == states(on_duty, "open")
    assert await pending(db, request.id) == [(31, 100)]
    async with db.read() as session:
        rows = await session.fetch_all(
            "SELECT member_id, chat_id, message_id, offered_at FROM offers ORDER BY member_id"
        )
    assert [tuple(row) for row in rows] == [
        (adult.id, adult.telegram_user_id, None, "2026-11-27T18:00:00+00:00") for adult in on_duty
    ]


@pytest.mark.parametrize(
    ("preview", "kept"),
    [
        (None, None),
        ("", None),
        ("Hej!", "Hej!"),
        ("a" * 300, "a" * 300),
        ("b" * 299 + "cd", "b" * 299 + "c"),
    ],
)
async def test_the_preview_is_clipped_to_its_length(
    db: Database, people: People, on_duty: list[Member], preview: str | None, kept: str | None
) -> None:
    intake = await ask(db, people.family[0], preview=preview)
    assert intake.request.preview == kept
    assert (await stored(db, intake.request.id)).preview == kept


async def test_the_other_adults_message_joins_the_familys_open_request(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    first = await ask(db, people.family[0], 100)

    second = await ask(db, people.family[1], 7, at=NOW + MINUTE, kind=Kind.PHOTO, preview="Bild")

    assert second.opened is False
    assert second.offer_to == []
    assert (second.next_shift, second.became_urgent) == (None, False)
    assert second.request.id == first.request.id
    # The request is still the first message's: its kind, its preview, its times.
    assert second.request == first.request
    assert await offer_states(db, first.request.id) == states(on_duty, "open")
    assert await pending(db, first.request.id) == [(31, 100), (32, 7)]
    # The same message delivered twice is kept once.
    await ask(db, people.family[1], 7, at=NOW + 2 * MINUTE)
    assert await pending(db, first.request.id) == [(31, 100), (32, 7)]


async def test_another_family_opens_its_own_request(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    ek = await opened(db, people.family[0])
    ask_family = await ask(db, people.other_family, 100, at=NOW + MINUTE)

    assert ask_family.opened is True
    assert ask_family.request.id != ek.id
    assert ask_family.request.family_name == "Familjen Ask"
    assert ids(ask_family.offer_to) == ids(on_duty)
    assert await pending(db, ask_family.request.id) == [(51, 100)]
    assert await pending(db, ek.id) == [(31, 100)]


@pytest.mark.parametrize(
    ("first_urgent", "second_urgent", "became_urgent"),
    [
        (False, True, True),
        (True, True, False),
        (True, False, False),
        (False, False, False),
    ],
)
async def test_a_request_becomes_urgent_only_once(
    db: Database,
    people: People,
    on_duty: list[Member],
    first_urgent: bool,
    second_urgent: bool,
    became_urgent: bool,
) -> None:
    first = await ask(db, people.family[0], 100, urgent=first_urgent)
    assert first.request.urgent is first_urgent
    assert first.became_urgent is first_urgent

    second = await ask(db, people.family[1], 101, at=NOW + MINUTE, urgent=second_urgent)

    assert second.became_urgent is became_urgent
    assert second.request.urgent is (first_urgent or second_urgent)
    assert (await stored(db, first.request.id)).urgent is (first_urgent or second_urgent)


async def test_nobody_on_duty_leaves_the_request_waiting_for_the_next_shift(
    db: Database, people: People
) -> None:
    await book(db, people.holm, NOW - 5 * HOUR, NOW - 2 * HOUR)  # over already
    await book(db, people.lund, NOW + DAY, NOW + DAY + 4 * HOUR)
    await book(db, people.berg[1], NOW + 15 * HOUR, NOW + 18 * HOUR)  # Saturday morning

    intake = await ask(db, people.family[0])

    assert intake.opened is True
    assert intake.request.state is RequestState.WAITING
    assert intake.request.offered_at is None
    assert intake.offer_to == []
    assert intake.next_shift == NOW + 15 * HOUR
    assert await offer_states(db, intake.request.id) == {}
    assert await pending(db, intake.request.id) == [(31, 100)]


async def test_with_no_shift_planned_there_is_no_next_shift(db: Database, people: People) -> None:
    intake = await ask(db, people.family[0])
    assert intake.request.state is RequestState.WAITING
    assert (intake.offer_to, intake.next_shift) == ([], None)


@pytest.mark.parametrize(
    ("start", "end", "on_duty"),
    [
        (NOW - 4 * HOUR, NOW - HOUR, False),  # ended before NOW
        (NOW - 2 * HOUR, NOW, False),  # ends exactly at NOW
        (NOW + MINUTE, NOW + 4 * HOUR, False),  # starts after NOW
        (NOW + SECOND, NOW + 4 * HOUR, False),  # starts a second after NOW
        (NOW, NOW + 4 * HOUR, True),  # starts exactly at NOW
        (NOW - HOUR, NOW + SECOND, True),  # its last second
    ],
)
async def test_only_a_shift_covering_the_moment_puts_a_mentor_on_duty(
    db: Database, people: People, start: datetime, end: datetime, on_duty: bool
) -> None:
    await book(db, people.holm, start, end)

    intake = await ask(db, people.family[0])

    if on_duty:
        assert intake.request.state is RequestState.OFFERED
        assert (ids(intake.offer_to), intake.next_shift) == ([people.holm.id], None)
    else:
        assert intake.request.state is RequestState.WAITING
        assert intake.offer_to == []
        assert intake.next_shift == (start if start > NOW else None)


async def test_a_shift_of_a_household_that_is_not_a_mentors_does_not_count(
    db: Database, people: People
) -> None:
    await book(db, people.coordinators[0], NOW - HOUR, NOW + HOUR)
    await book(db, people.other_family, NOW - HOUR, NOW + HOUR)

    intake = await ask(db, people.family[0])

    assert intake.request.state is RequestState.WAITING
    assert intake.offer_to == []


# --- offer_waiting ------------------------------------------------------------------------------


async def test_waiting_requests_stay_waiting_while_nobody_is_on_duty(
    db: Database, people: People
) -> None:
    await book(db, people.holm, NOW + HOUR, NOW + 5 * HOUR)
    ek = await opened(db, people.family[0])

    assert await routing.offer_waiting(db, NOW + 30 * MINUTE) == []
    assert (await stored(db, ek.id)).state is RequestState.WAITING
    assert await offer_states(db, ek.id) == {}


async def test_at_a_shifts_start_every_waiting_request_is_offered_once(
    db: Database, people: People
) -> None:
    start = NOW + HOUR
    await book(db, people.berg[0], start, start + 4 * HOUR)
    ek = await opened(db, people.family[0], at=NOW)
    ask_family = await opened(db, people.other_family, at=NOW + 10 * MINUTE)

    offerings = await routing.offer_waiting(db, start)

    assert [found.request.id for found in offerings] == [ek.id, ask_family.id]
    for found in offerings:
        assert found.request.state is RequestState.OFFERED
        assert found.request.offered_at == start
        assert ids(found.offer_to) == ids(people.berg)
        assert await offer_states(db, found.request.id) == states(people.berg, "open")
        assert await stored(db, found.request.id) == found.request
    assert await routing.offer_waiting(db, start + MINUTE) == []
    assert (await stored(db, ek.id)).offered_at == start


async def test_offering_waiting_requests_leaves_offered_ones_alone(
    db: Database, people: People
) -> None:
    start = NOW + HOUR
    await book(db, people.lund, start, start + 2 * HOUR)
    ek = await opened(db, people.family[0], at=NOW)
    first = await routing.offer_waiting(db, start)
    assert [found.request.id for found in first] == [ek.id]

    # A second shift starts while the Eks' request is still offered to the Lunds.
    await book(db, people.holm, start + HOUR, start + 3 * HOUR)
    assert await routing.offer_waiting(db, start + HOUR) == []
    assert await offer_states(db, ek.id) == {people.lund.id: "open"}


# --- accept -------------------------------------------------------------------------------------


async def test_accepting_hands_over_the_familys_messages_and_the_other_offers(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await opened(db, people.family[0])
    shown = [(adult.id, message_id) for message_id, adult in enumerate(on_duty, start=501)]
    await routing.remember_offers(db, request.id, shown)
    # The partner writes later, in their own chat, where message numbers are lower.
    await ask(db, people.family[1], 7, at=NOW + MINUTE)

    result = await accepted(db, people.berg[1], request.id, NOW + 5 * MINUTE)

    assert result.request.state is RequestState.ACCEPTED
    assert result.request.mentor_member_id == people.berg[1].id
    assert result.request.mentor_name == "Familjen Berg"
    assert result.request.accepted_at == NOW + 5 * MINUTE
    assert await stored(db, request.id) == result.request
    assert ids(result.family) == ids(people.family)
    assert result.pending == [(31, 100), (32, 7)]
    assert sorted(result.other_offers, key=lambda offer: offer.member_id) == [
        OfferMessage(people.berg[0].id, 11, 501),
        OfferMessage(people.lund.id, 21, 503),
    ]
    # The waiting messages stay until their copies are made: a stop in between loses none.
    assert await pending(db, request.id) == [(31, 100), (32, 7)]
    assert [each.pending for each in await routing.unfinished_hand_overs(db)] == [
        [(31, 100), (32, 7)]
    ]
    await routing.handed_over(db, result.request, result.pending)
    assert await pending(db, request.id) == []
    assert await routing.unfinished_hand_overs(db) == []
    assert await offer_states(db, request.id) == states(on_duty, "closed")
    assert await column(db, request.id, "mentor_household_id") == people.berg[1].household.id


async def test_a_taken_request_is_gone_for_everyone(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await opened(db, people.family[0])
    await accepted(db, people.lund, request.id)

    for adult in (people.lund, *people.berg):
        assert await routing.accept(db, adult, request.id, NOW + MINUTE) is RoutingProblem.GONE
        assert await routing.decline(db, adult, request.id) is RoutingProblem.GONE
    assert (await stored(db, request.id)).mentor_member_id == people.lund.id


async def test_an_adult_never_offered_the_request_cannot_take_it(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await opened(db, people.family[0])

    for stranger in (people.holm, people.family[1], people.coordinators[0]):
        assert await routing.accept(db, stranger, request.id, NOW) is RoutingProblem.NOT_YOURS
        assert await routing.decline(db, stranger, request.id) is RoutingProblem.NOT_YOURS

    assert (await stored(db, request.id)).state is RequestState.OFFERED
    assert await offer_states(db, request.id) == states(on_duty, "open")
    await accepted(db, people.berg[0], request.id)


async def test_a_declined_offer_cannot_be_accepted(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await opened(db, people.family[0])

    assert await routing.decline(db, people.berg[0], request.id) is None
    assert await routing.accept(db, people.berg[0], request.id, NOW) is RoutingProblem.NOT_YOURS

    # The partner's own offer is untouched.
    assert await offer_states(db, request.id) == {
        people.berg[0].id: "declined",
        people.berg[1].id: "open",
        people.lund.id: "open",
    }
    result = await accepted(db, people.berg[1], request.id)
    # The declined offer is not edited to "taken": it is not among the open ones.
    assert [offer.member_id for offer in result.other_offers] == [people.lund.id]


async def test_an_unknown_request_is_gone(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await opened(db, people.family[0])
    missing = request.id + 1000
    assert await routing.accept(db, people.berg[0], missing, NOW) is RoutingProblem.GONE
    assert await routing.decline(db, people.berg[0], missing) is RoutingProblem.GONE


async def test_messages_of_both_adults_in_the_same_second_keep_their_order(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await opened(db, people.family[0], at=NOW)  # message 100 in the first adult's chat
    await ask(db, people.family[1], 7, at=NOW + SECOND / 2)  # message 7 in the partner's chat

    result = await accepted(db, people.berg[0], request.id, NOW + MINUTE)

    assert result.pending == [(31, 100), (32, 7)]


async def test_a_message_after_the_accept_belongs_to_the_conversation(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await opened(db, people.family[0], at=NOW)
    await accepted(db, people.berg[0], request.id, NOW + MINUTE)

    late = await routing.take_message(
        db,
        people.family[1],
        32,
        8,
        kind=Kind.TEXT,
        preview="och en sak till",
        urgent=False,
        now=NOW + 2 * MINUTE,
    )

    assert late.in_conversation and not late.opened and late.request.id == request.id
    assert await pending(db, request.id) == [(31, 100)]  # the first, not yet handed over


# --- two mentors pressing Accept at once --------------------------------------------------------


async def test_only_one_of_two_simultaneous_accepts_wins(
    db: Database, second_db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await opened(db, people.family[0])
    mentors = (people.berg[0], people.lund)

    results = await asyncio.gather(
        routing.accept(db, mentors[0], request.id, NOW + MINUTE),
        routing.accept(second_db, mentors[1], request.id, NOW + MINUTE),
    )

    winners = [index for index, result in enumerate(results) if isinstance(result, Accepted)]
    assert len(winners) == 1, results
    (winner,) = winners
    assert results[1 - winner] is RoutingProblem.GONE
    won = results[winner]
    assert isinstance(won, Accepted)
    assert won.request.mentor_member_id == mentors[winner].id
    assert won.pending == [(31, 100)]
    for database in (db, second_db):
        found = await stored(database, request.id)
        assert (found.state, found.mentor_member_id) == (
            RequestState.ACCEPTED,
            mentors[winner].id,
        )
    assert await offer_states(db, request.id) == states(on_duty, "closed")


async def test_the_conditional_updates_refuse_a_stale_request(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    """The last line of defence: each step on a request, read before it moved on, is refused."""
    request = await opened(db, people.family[0])
    berg, lund = people.berg[0], people.lund
    async with db.write() as session:
        assert await requests.mark_offered(session, request.id, NOW) is False  # not waiting
        assert await requests.escalate(session, request.id, 1, NOW) is True
        assert await requests.escalate(session, request.id, 1, NOW) is False
        assert await requests.claim(session, request.id, berg.id, berg.household.id, NOW) is True
        assert await requests.claim(session, request.id, lund.id, lund.household.id, NOW) is False
        assert await requests.escalate(session, request.id, 2, NOW) is False
        closing = (session, request.id, [RequestState.ACCEPTED], RequestState.CLOSED)
        assert await requests.finish(*closing, Side.MENTOR, NOW) is True
        assert await requests.finish(*closing, Side.FAMILY, NOW) is False

    found = await stored(db, request.id)
    assert (found.state, found.escalation, found.mentor_member_id) == (
        RequestState.CLOSED,
        1,
        berg.id,
    )
    assert await column(db, request.id, "ended_by") == "mentor"


# --- decline ------------------------------------------------------------------------------------


async def test_an_offer_is_declined_once(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await opened(db, people.family[0])

    assert await routing.decline(db, people.lund, request.id) is None
    assert await routing.decline(db, people.lund, request.id) is RoutingProblem.NOT_YOURS

    assert (await stored(db, request.id)).state is RequestState.OFFERED
    async with db.read() as session:
        assert await requests.declined_members(session, request.id) == {people.lund.id}


# --- cancel -------------------------------------------------------------------------------------


@pytest.mark.parametrize("anyone_on_duty", [True, False])
async def test_the_family_withdraws_its_request_before_anyone_takes_it(
    db: Database, people: People, anyone_on_duty: bool
) -> None:
    if anyone_on_duty:
        await book(db, people.lund, NOW - HOUR, NOW + HOUR)
    request = await opened(db, people.family[0])
    await routing.remember_offers(db, request.id, [(people.lund.id, 900)])
    await ask(db, people.family[1], 7, at=NOW + MINUTE)

    # The partner cancels: the request is the household's.
    ended = await routing.cancel(db, people.family[1], NOW + 2 * MINUTE)

    assert isinstance(ended, Ended)
    assert ended.request.id == request.id
    assert ended.request.state is RequestState.CANCELLED
    assert ids(ended.family) == ids(people.family)
    assert ended.mentor is None
    expected = [OfferMessage(people.lund.id, 21, 900)] if anyone_on_duty else []
    assert ended.withdrawn_offers == expected
    assert await column(db, request.id, "ended_by") == "family"
    assert await column(db, request.id, "ended_at") == "2026-11-27T18:02:00+00:00"
    assert await pending(db, request.id) == []
    assert await offer_states(db, request.id) == (
        {people.lund.id: "closed"} if anyone_on_duty else {}
    )
    assert await routing.open_request_of(db, people.family[0]) is None
    assert await routing.accept(db, people.lund, request.id, NOW) is RoutingProblem.GONE
    assert await routing.offer_waiting(db, NOW + 3 * MINUTE) == []
    assert await routing.cancel(db, people.family[0], NOW + 3 * MINUTE) is None

    again = await ask(db, people.family[0], 120, at=NOW + 4 * MINUTE)
    assert again.opened is True
    assert again.request.id != request.id
    assert await routing.open_request_of(db, people.family[1]) == again.request


async def test_there_is_nothing_to_cancel_without_an_open_request(
    db: Database, people: People
) -> None:
    assert await routing.cancel(db, people.family[0], NOW) is None


async def test_a_taken_request_cannot_be_cancelled(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await conversation(db, people.lund, people.family[0])

    assert await routing.cancel(db, people.family[0], NOW + HOUR) is None

    found = await stored(db, request.id)
    assert (found.state, found.mentor_member_id) == (RequestState.ACCEPTED, people.lund.id)
    assert await column(db, request.id, "ended_at") is None


# --- escalate -----------------------------------------------------------------------------------


async def test_the_first_step_happens_once_and_only_from_the_start(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await opened(db, people.family[0])
    later = NOW + ESCALATE_AFTER

    assert await routing.escalate(db, request.id, 2, later) is None  # no skipping step 1

    first = await offering(db, request.id, 1, later)

    assert (first.request.escalation, first.request.escalated_at) == (1, later)
    assert first.request.state is RequestState.OFFERED
    assert ids(first.offer_to) == ids(on_duty)
    assert await routing.escalate(db, request.id, 1, later + MINUTE) is None
    assert (await stored(db, request.id)).escalated_at == later


async def test_the_first_step_asks_again_all_on_duty_who_did_not_decline(
    db: Database, people: People
) -> None:
    await book(db, people.berg[0], NOW - HOUR, NOW + 4 * HOUR)
    # The Lunds come on duty after the request went out.
    await book(db, people.lund, NOW + 5 * MINUTE, NOW + 4 * HOUR)
    request = await opened(db, people.family[0])
    assert await offer_states(db, request.id) == states(people.berg, "open")
    assert await routing.decline(db, people.berg[1], request.id) is None

    later = NOW + ESCALATE_AFTER
    first = await offering(db, request.id, 1, later)

    assert ids(first.offer_to) == [people.berg[0].id, people.lund.id]
    assert await offer_states(db, request.id) == {
        people.berg[0].id: "open",
        people.berg[1].id: "declined",
        people.lund.id: "open",
    }
    async with db.read() as session:
        row = await session.fetch_one(
            "SELECT chat_id, offered_at FROM offers WHERE request_id = ? AND member_id = ?",
            (request.id, people.lund.id),
        )
    assert row is not None and tuple(row) == (21, "2026-11-27T18:10:00+00:00")
    # The newcomer's offer is a real one.
    result = await accepted(db, people.lund, request.id, later + MINUTE)
    assert result.request.mentor_name == "Familjen Lund"


async def test_the_first_step_with_everyone_gone_off_duty_asks_nobody(
    db: Database, people: People
) -> None:
    await book(db, people.holm, NOW - HOUR, NOW + 5 * MINUTE)
    request = await opened(db, people.family[0])

    first = await offering(db, request.id, 1, NOW + ESCALATE_AFTER)

    assert first.offer_to == []
    assert first.request.escalation == 1
    # The earlier offer is still open: the mentor may still take it.
    assert await offer_states(db, request.id) == {people.holm.id: "open"}


async def test_the_second_step_offers_the_request_to_the_coordinators(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await opened(db, people.family[0])
    await offering(db, request.id, 1, NOW + ESCALATE_AFTER)
    at = NOW + 2 * ESCALATE_AFTER

    second = await offering(db, request.id, 2, at)

    assert ids(second.offer_to) == ids(people.coordinators)
    assert (second.request.escalation, second.request.escalated_at) == (2, at)
    assert await offer_states(db, request.id) == {
        **states(on_duty, "open"),
        **states(people.coordinators, "open"),
    }
    assert await routing.escalate(db, request.id, 2, at + MINUTE) is None
    assert await routing.escalate(db, request.id, 1, at + MINUTE) is None

    coordinator = people.coordinators[1]
    result = await accepted(db, coordinator, request.id, at + MINUTE)
    assert result.request.mentor_member_id == coordinator.id
    assert result.request.mentor_name is None  # a coordinator's household has no display name
    assert sorted(offer.member_id for offer in result.other_offers) == sorted(
        ids([*on_duty, people.coordinators[0]])
    )
    assert await routing.conversations_of(db, coordinator) == [result.request]


async def test_an_answered_or_waiting_request_is_not_escalated(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    taken = await conversation(db, people.berg[0], people.family[0])
    assert await routing.escalate(db, taken.id, 1, NOW + ESCALATE_AFTER) is None
    assert (await stored(db, taken.id)).escalation == 0

    waiting = await opened(db, people.other_family, at=NOW + DAY)  # nobody on duty then
    assert waiting.state is RequestState.WAITING
    assert await routing.escalate(db, waiting.id, 1, NOW + DAY + ESCALATE_AFTER) is None
    assert await routing.escalate(db, waiting.id + 1000, 1, NOW + DAY) is None


# --- escalation_timers --------------------------------------------------------------------------


async def test_an_offered_requests_first_step_is_due_after_it_was_offered(
    db: Database, people: People
) -> None:
    start = NOW + HOUR
    await book(db, people.holm, start, start + 3 * HOUR)
    request = await opened(db, people.family[0])  # waiting, offered at the shift's start
    (found,) = await routing.offer_waiting(db, start)

    assert routing.escalation_timers([request], ESCALATE_AFTER, EXPIRE_AFTER) == []
    assert routing.escalation_timers([found.request], ESCALATE_AFTER, EXPIRE_AFTER) == [
        routing.EscalationTimer(request.id, 1, start + ESCALATE_AFTER)
    ]


async def test_each_step_is_due_after_the_previous_one_and_the_last_is_the_expiry(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await opened(db, people.family[0])
    escalated = NOW + 7 * MINUTE
    first = await offering(db, request.id, 1, escalated)
    second = await offering(db, request.id, 2, escalated + HOUR)
    expired = await routing.expire(db, request.id, escalated + HOUR + EXPIRE_AFTER)
    assert expired is not None

    found = [request, first.request, second.request, expired.request]
    assert routing.escalation_timers(found, HOUR, EXPIRE_AFTER) == [
        routing.EscalationTimer(request.id, 1, NOW + HOUR),
        routing.EscalationTimer(request.id, 2, escalated + HOUR),
        routing.EscalationTimer(request.id, routing.EXPIRY, escalated + HOUR + EXPIRE_AFTER),
    ]


@pytest.mark.parametrize(
    "state",
    [RequestState.WAITING, RequestState.ACCEPTED, RequestState.CLOSED, RequestState.CANCELLED],
)
async def test_a_request_that_is_not_offered_has_no_timer(
    db: Database, people: People, on_duty: list[Member], state: RequestState
) -> None:
    request = await opened(db, people.family[0])
    assert routing.escalation_timers([request], HOUR, HOUR) != []
    unoffered = dataclasses.replace(request, state=state)
    assert routing.escalation_timers([unoffered], HOUR, HOUR) == []


async def test_timers_are_rebuilt_from_the_open_requests(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    ek = await opened(db, people.family[0])
    ask_family = await opened(db, people.other_family, at=NOW + MINUTE)
    await accepted(db, people.lund, ek.id, NOW + 2 * MINUTE)

    timers = routing.escalation_timers(
        await routing.open_requests(db), ESCALATE_AFTER, EXPIRE_AFTER
    )

    assert timers == [routing.EscalationTimer(ask_family.id, 1, NOW + MINUTE + ESCALATE_AFTER)]


# --- the wait limit and the expiry -------------------------------------------------------------


async def test_a_question_with_no_shift_within_the_wait_limit_goes_to_the_coordinators_once(
    db: Database, people: People
) -> None:
    far = NOW + WAIT_LIMIT + HOUR
    soon = NOW + 5 * HOUR
    ek = await opened(db, people.family[0])
    ask_family = await opened(db, people.other_family, at=NOW + MINUTE)
    lunds = await book(db, people.lund, soon, soon + HOUR)  # within the limit of both askings
    assert await routing.send_long_waits_to_coordinators(db, WAIT_LIMIT, NOW + MINUTE) == []

    later = NOW + 2 * MINUTE
    async with db.write() as session:  # the shift is taken off the rota
        await shifts.delete_shift(session, lunds.id)
        await shifts.add_shift(session, people.holm.household.id, far, far + HOUR, None, NOW)
    sent = await routing.send_long_waits_to_coordinators(db, WAIT_LIMIT, later)
    assert [offering.request.id for offering in sent] == [ek.id, ask_family.id]
    for offering in sent:
        assert offering.request.state is RequestState.OFFERED
        assert offering.request.escalation == routing.TOP_ESCALATION
        assert {adult.id for adult in offering.offer_to} == {c.id for c in people.coordinators}
    assert await routing.send_long_waits_to_coordinators(db, WAIT_LIMIT, later) == []
    open_now = await routing.open_requests(db)
    assert [request.id for request in routing.at_the_coordinators(open_now)] == [
        ek.id,
        ask_family.id,
    ]
    assert routing.escalation_timers(open_now, ESCALATE_AFTER, EXPIRE_AFTER) == [
        routing.EscalationTimer(ek.id, routing.EXPIRY, later + EXPIRE_AFTER),
        routing.EscalationTimer(ask_family.id, routing.EXPIRY, later + EXPIRE_AFTER),
    ]


async def test_a_question_that_waited_past_the_limit_goes_even_with_a_shift_tomorrow(
    db: Database, people: People
) -> None:
    ek = await opened(db, people.family[0])
    tomorrow = NOW + WAIT_LIMIT + 2 * HOUR
    await book(db, people.holm, tomorrow, tomorrow + HOUR)
    assert await routing.send_long_waits_to_coordinators(db, WAIT_LIMIT, NOW) != []
    assert (await stored(db, ek.id)).state is RequestState.OFFERED


async def test_an_expiry_ends_the_question_once_and_only_at_the_coordinators_step(
    db: Database, second_db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await opened(db, people.family[0])
    await routing.remember_offers(db, request.id, [(people.lund.id, 70)])
    assert await routing.expire(db, request.id, NOW + HOUR) is None  # still with the mentors
    await offering(db, request.id, 1, NOW + 10 * MINUTE)
    await offering(db, request.id, 2, NOW + 20 * MINUTE)
    at = NOW + 20 * MINUTE + EXPIRE_AFTER
    both = await asyncio.gather(
        routing.expire(db, request.id, at), routing.expire(second_db, request.id, at)
    )
    ended = [each for each in both if each is not None]
    assert len(ended) == 1
    assert ended[0].request.state is RequestState.EXPIRED
    assert [adult.id for adult in ended[0].family] == [adult.id for adult in people.family]
    shown = [offer.message_id for offer in ended[0].withdrawn_offers if offer.message_id]
    assert shown == [70]
    assert await routing.open_request_of(db, people.family[0]) is None
    async with db.read() as session:
        assert await requests.pending_messages(session, request.id) == []


async def test_a_question_taken_before_its_expiry_does_not_expire(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await opened(db, people.family[0])
    await offering(db, request.id, 1, NOW + 10 * MINUTE)
    await offering(db, request.id, 2, NOW + 20 * MINUTE)
    await accepted(db, people.coordinators[0], request.id, NOW + HOUR)
    assert await routing.expire(db, request.id, NOW + 20 * MINUTE + EXPIRE_AFTER) is None
    assert (await stored(db, request.id)).state is RequestState.ACCEPTED


# --- conversations ------------------------------------------------------------------------------


async def test_a_familys_conversation_is_its_accepted_request_only(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await opened(db, people.family[0])
    assert await routing.conversation_of_family(db, people.family[0]) is None

    result = await accepted(db, people.berg[0], request.id, NOW + MINUTE)

    for adult in people.family:
        assert await routing.conversation_of_family(db, adult) == result.request
    assert await routing.conversation_of_family(db, people.other_family) is None
    assert await routing.end(db, request.id, Side.FAMILY, NOW + HOUR) is not None
    assert await routing.conversation_of_family(db, people.family[1]) is None


async def test_a_mentors_conversations_come_most_recent_first(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    ek = await opened(db, people.family[0])
    ask_family = await opened(db, people.other_family, at=NOW + MINUTE)
    # Taken in the other order than they were opened.
    second = await accepted(db, people.berg[0], ask_family.id, NOW + 2 * MINUTE)
    first = await accepted(db, people.berg[0], ek.id, NOW + 3 * MINUTE)

    assert await routing.conversations_of(db, people.berg[0]) == [first.request, second.request]
    # The conversation is the adult's who took it, not the partner's.
    assert await routing.conversations_of(db, people.berg[1]) == []
    assert await routing.conversations_of(db, people.lund) == []

    assert await routing.end(db, ek.id, Side.MENTOR, NOW + HOUR) is not None
    assert await routing.conversations_of(db, people.berg[0]) == [second.request]


async def test_the_counterpart_of_a_request(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await opened(db, people.family[1])
    family, mentor = await routing.counterpart(db, request)
    assert (ids(family), mentor) == (ids(people.family), None)

    result = await accepted(db, people.lund, request.id, NOW + MINUTE)

    family, mentor = await routing.counterpart(db, result.request)
    assert ids(family) == ids(people.family)
    assert mentor is not None and mentor.id == people.lund.id
    assert mentor.telegram_user_id == 21


async def test_an_open_conversation_is_read_with_both_its_sides(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await opened(db, people.family[1])
    assert await routing.open_conversation(db, request.id) is None  # offered: not yet
    result = await accepted(db, people.lund, request.id, NOW + MINUTE)
    found = await routing.open_conversation(db, request.id)
    assert found is not None and found.request == result.request
    assert ids(found.family) == ids(people.family)
    assert found.mentor is not None and found.mentor.id == people.lund.id
    assert await routing.end(db, request.id, Side.FAMILY, NOW + HOUR) is not None
    assert await routing.open_conversation(db, request.id) is None  # ended
    assert await routing.open_conversation(db, request.id + 100) is None  # no such request


# --- end ----------------------------------------------------------------------------------------


async def test_a_conversation_ends_once(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await conversation(db, people.berg[1], people.family[0])

    ended = await routing.end(db, request.id, Side.MENTOR, NOW + HOUR)

    assert ended is not None
    assert ended.request.state is RequestState.CLOSED
    assert ended.request.mentor_member_id == people.berg[1].id
    assert ids(ended.family) == ids(people.family)
    assert ended.mentor is not None and ended.mentor.id == people.berg[1].id
    assert ended.withdrawn_offers == []
    assert await column(db, request.id, "ended_by") == "mentor"
    assert await column(db, request.id, "ended_at") == "2026-11-27T19:00:00+00:00"
    assert await routing.end(db, request.id, Side.FAMILY, NOW + 2 * HOUR) is None
    assert await column(db, request.id, "ended_by") == "mentor"
    # The family may open a new request now.
    assert (await ask(db, people.family[1], 300, at=NOW + 2 * HOUR)).opened is True


async def test_only_a_conversation_can_be_ended(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await opened(db, people.family[0])
    assert await routing.end(db, request.id, Side.MENTOR, NOW + HOUR) is None
    assert await routing.end(db, request.id + 1000, Side.MENTOR, NOW + HOUR) is None
    assert (await stored(db, request.id)).state is RequestState.OFFERED


# --- rate and file_topic ------------------------------------------------------------------------


async def rating(db: Database, request_id: int) -> object:
    return await column(db, request_id, "rating")


@pytest.mark.parametrize("stars", [0, -1, 6, 10])
async def test_a_rating_is_one_to_five_stars(
    db: Database, people: People, on_duty: list[Member], stars: int
) -> None:
    request = await closed(db, people)
    assert await routing.rate(db, people.family[0], request.id, stars) is False
    assert await rating(db, request.id) is None


@pytest.mark.parametrize("stars", [1, 3, 5])
async def test_either_adult_of_the_family_rates_a_closed_conversation(
    db: Database, people: People, on_duty: list[Member], stars: int
) -> None:
    request = await closed(db, people)
    assert await routing.rate(db, people.family[1], request.id, stars) is True
    assert await rating(db, request.id) == stars


async def test_only_the_family_rates_and_only_once_it_is_closed(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await conversation(db, people.berg[0], people.family[0])
    assert await routing.rate(db, people.family[0], request.id, 5) is False  # not closed yet

    assert await routing.end(db, request.id, Side.FAMILY, NOW + HOUR) is not None

    for outsider in (people.other_family, people.berg[0], people.coordinators[0]):
        assert await routing.rate(db, outsider, request.id, 4) is False
    assert await routing.rate(db, people.family[0], request.id + 1000, 4) is False
    assert await rating(db, request.id) is None
    assert await routing.rate(db, people.family[0], request.id, 2) is True
    assert await rating(db, request.id) == 2


async def test_only_the_mentor_who_held_the_conversation_files_its_topic(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await conversation(db, people.berg[0], people.family[0])
    assert await routing.file_topic(db, people.berg[0], request.id, Topic.SLEEP) is False

    assert await routing.end(db, request.id, Side.MENTOR, NOW + HOUR) is not None

    for other in (people.berg[1], people.lund, people.coordinators[0], people.family[0]):
        assert await routing.file_topic(db, other, request.id, Topic.SCHOOL) is False
    assert await column(db, request.id, "topic") is None
    assert await routing.file_topic(db, people.berg[0], request.id, Topic.BIRTH_FAMILY) is True
    assert await column(db, request.id, "topic") == "birth_family"
    missing = request.id + 1000
    assert await routing.file_topic(db, people.berg[0], missing, Topic.SLEEP) is False


# --- relays and comments ------------------------------------------------------------------------


@pytest.mark.parametrize("purpose", list(RelayPurpose))
async def test_a_reply_to_a_message_the_bot_sent_finds_its_request(
    db: Database, people: People, on_duty: list[Member], purpose: RelayPurpose
) -> None:
    request = await conversation(db, people.berg[0], people.family[0])

    await routing.remember_relay(db, 11, 700, request.id, purpose)

    found = await routing.replied_to(db, 11, 700)
    assert found is not None
    assert (found[0].id, found[0].mentor_member_id, found[1]) == (
        request.id,
        people.berg[0].id,
        purpose,
    )
    assert await routing.replied_to(db, 11, 701) is None
    assert await routing.replied_to(db, 31, 700) is None  # the same number in another chat


async def test_the_purpose_defaults_to_relay_and_a_message_is_remembered_for_its_last_request(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    ek = await conversation(db, people.berg[0], people.family[0])
    ask_family = await conversation(db, people.berg[0], people.other_family)

    await routing.remember_relay(db, 11, 700, ek.id)
    first = await routing.replied_to(db, 11, 700)
    assert first is not None and (first[0].id, first[1]) == (ek.id, "relay")

    await routing.remember_relay(db, 11, 700, ask_family.id, RelayPurpose.NOTE)
    second = await routing.replied_to(db, 11, 700)
    assert second is not None and (second[0].id, second[1]) == (ask_family.id, "note")


@pytest.mark.parametrize(
    ("purpose", "kept_in"),
    [(RelayPurpose.COMMENT, "rating_comment"), (RelayPurpose.NOTE, "mentor_note")],
)
async def test_a_comment_is_stored_with_the_request(
    db: Database, people: People, on_duty: list[Member], purpose: RelayPurpose, kept_in: str
) -> None:
    request = await closed(db, people)

    await routing.add_comment(db, request.id, purpose, "Tack, det hjälpte!")

    async with db.read() as session:
        row = await session.fetch_one(
            "SELECT rating_comment, mentor_note FROM requests WHERE id = ?", (request.id,)
        )
    assert row is not None
    assert dict(row) == {
        "rating_comment": None,
        "mentor_note": None,
        kept_in: "Tack, det hjälpte!",
    }


async def test_a_long_comment_is_clipped(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await closed(db, people)
    text = "".join(str(n % 7) for n in range(2000))

    await routing.add_comment(db, request.id, RelayPurpose.COMMENT, text)
    await routing.add_comment(db, request.id, RelayPurpose.NOTE, "kort")

    assert await column(db, request.id, "rating_comment") == text[: routing.PREVIEW_LENGTH * 3]
    assert await column(db, request.id, "mentor_note") == "kort"


# --- open_requests ------------------------------------------------------------------------------


async def test_open_requests_are_the_waiting_offered_and_accepted_oldest_first(
    db: Database, people: People
) -> None:
    await book(db, people.holm, NOW, NOW + 3 * HOUR)
    ek, ask_family = people.family[0], people.other_family
    more = [
        (await household(db, Role.FAMILY, f"Familj {n}", telegram_id))[0]
        for n, telegram_id in enumerate((61, 71, 81))
    ]
    # Opened out of id order, so that the order is by time.
    offered = await opened(db, ek, at=NOW + 30 * MINUTE)
    taken = await opened(db, ask_family, at=NOW + 20 * MINUTE)
    waiting = await opened(db, more[0], at=NOW - HOUR)  # before the shift
    cancelled = await opened(db, more[1], at=NOW + 10 * MINUTE)
    ended = await opened(db, more[2], at=NOW + 5 * MINUTE)
    await accepted(db, people.holm, taken.id, NOW + 40 * MINUTE)
    await accepted(db, people.holm, ended.id, NOW + 40 * MINUTE)
    assert await routing.end(db, ended.id, Side.FAMILY, NOW + 50 * MINUTE) is not None
    assert await routing.cancel(db, more[1], NOW + 50 * MINUTE) is not None

    found = await routing.open_requests(db)

    assert [(request.id, request.state) for request in found] == [
        (waiting.id, RequestState.WAITING),
        (taken.id, RequestState.ACCEPTED),
        (offered.id, RequestState.OFFERED),
    ]
    assert cancelled.id not in {request.id for request in found}


async def test_offers_decided_but_never_shown_are_found_again(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await opened(db, people.family[0])
    found = await routing.unsent_offers(db)
    assert [(each.request.id, ids(each.offer_to)) for each in found] == [(request.id, ids(on_duty))]
    shown = [(adult.id, 500 + n) for n, adult in enumerate(on_duty)]
    await routing.remember_offers(db, request.id, shown)
    assert await routing.unsent_offers(db) == []
