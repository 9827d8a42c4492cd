"""A family whose last adult leaves (removed by a coordinator, or erased) with a question open.

Nobody is left to read an answer, so the question ends in the same transaction: a waiting one
is withdrawn from the mentors' offers, a conversation is closed for its mentor to be told. An
end also starts the retention clock, which never runs for a question left open.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import broadcasts, invites, members, personal_data, retention, routing
from bot.broadcasts import Draft
from bot.departures import Departure
from bot.invites import JoinOutcome
from storage import shifts
from storage.db import Database
from storage.models import (
    Audience,
    Broadcast,
    DeliveryState,
    Kind,
    Member,
    OfferMessage,
    RequestState,
    Role,
)
from tests.support import make_household

NOW = datetime(2026, 11, 27, 19, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


async def service(db: Database) -> tuple[Member, list[Member], list[Member]]:
    """A coordinator, the Ek family (two adults), the Berg mentors (two adults) on duty."""
    (karin,) = await make_household(db, Role.COORDINATOR, "Kontoret", (100,), NOW - HOUR)
    ek = await make_household(db, Role.FAMILY, "Familjen Ek", (301, 302), NOW - HOUR)
    berg = await make_household(db, Role.MENTOR, "Familjen Berg", (201, 202), NOW - HOUR)
    async with db.write() as session:
        await shifts.add_shift(
            session, berg[0].household.id, NOW - HOUR, NOW + 3 * HOUR, karin.id, NOW - HOUR
        )
    return karin, ek, berg


def departed(removal: members.Removal) -> Departure:
    assert removal.departure is not None, removal
    return removal.departure


async def state_of(db: Database, request_id: int) -> tuple[str, str | None, str | None]:
    async with db.read() as session:
        row = await session.fetch_one(
            "SELECT state, ended_at, ended_by FROM requests WHERE id = ?", (request_id,)
        )
    assert row is not None
    return row["state"], row["ended_at"], row["ended_by"]


async def test_removing_the_last_adult_withdraws_a_waiting_question_from_every_offer(
    db: Database,
) -> None:
    karin, ek, berg = await service(db)
    intake = await routing.take_message(
        db, ek[0], 301, 5, kind=Kind.TEXT, preview="Hjälp", urgent=False, now=NOW
    )
    assert {adult.id for adult in intake.offer_to} == {berg[0].id, berg[1].id}
    await routing.remember_offers(db, intake.request.id, [(berg[0].id, 41), (berg[1].id, 42)])

    # One adult of two goes: the other still reads the answer, the question stays.
    first = await members.remove(db, karin, ek[0].id, NOW + HOUR)
    assert departed(first).ended == []
    assert await state_of(db, intake.request.id) == ("offered", None, None)

    last = await members.remove(db, karin, ek[1].id, NOW + 2 * HOUR)

    (ended,) = departed(last).ended
    assert ended.mentor is None and ended.family == []
    assert sorted(ended.withdrawn_offers, key=lambda offer: offer.message_id or 0) == [
        OfferMessage(berg[0].id, 201, 41),
        OfferMessage(berg[1].id, 202, 42),
    ]
    assert await state_of(db, intake.request.id) == (
        "cancelled",
        (NOW + 2 * HOUR).isoformat(),
        "family",
    )
    # An Accept pressed on a stale offer afterwards finds the question gone.
    assert isinstance(
        await routing.accept(db, berg[0], intake.request.id, NOW + 3 * HOUR),
        routing.RoutingProblem,
    )


async def test_erasing_the_last_adult_closes_the_conversation_and_names_its_mentor(
    db: Database,
) -> None:
    karin, ek, berg = await service(db)
    intake = await routing.take_message(
        db, ek[0], 301, 5, kind=Kind.TEXT, preview="Sömnen", urgent=False, now=NOW
    )
    assert not isinstance(
        await routing.accept(db, berg[1], intake.request.id, NOW), routing.RoutingProblem
    )
    await routing.remember_relay(db, 202, 60, intake.request.id)
    await members.remove(db, karin, ek[1].id, NOW)

    erasure = await personal_data.erase(db, ek[0].id, ek[0], NOW + HOUR)

    assert erasure is not None and erasure.departure.member.id == ek[0].id
    (ended,) = erasure.departure.ended
    assert ended.mentor is not None and ended.mentor.id == berg[1].id
    assert ended.request.state is RequestState.CLOSED
    assert await state_of(db, intake.request.id) == ("closed", (NOW + HOUR).isoformat(), "family")
    async with db.read() as session:
        pointers = await session.fetch_one("SELECT COUNT(*) AS n FROM relays")
    assert pointers is not None and pointers["n"] == 0  # the mentor's copies point at nothing
    assert await routing.conversations_of(db, berg[1]) == []


async def test_a_conversation_ended_by_departure_is_erased_by_retention_in_time(
    db: Database,
) -> None:
    """Before, a removed family's open question kept its words forever: retention keys on the
    end, and the question never ended."""
    karin, ek, berg = await service(db)
    intake = await routing.take_message(
        db, ek[0], 301, 5, kind=Kind.TEXT, preview="Skolan", urgent=False, now=NOW
    )
    await routing.accept(db, berg[0], intake.request.id, NOW)
    await members.remove(db, karin, ek[0].id, NOW)
    await members.remove(db, karin, ek[1].id, NOW)

    erased = await retention.erase_expired_content(db, timedelta(days=30), NOW + timedelta(days=31))

    assert erased >= 1
    async with db.read() as session:
        row = await session.fetch_one(
            "SELECT preview FROM requests WHERE id = ?", (intake.request.id,)
        )
    assert row is not None and row["preview"] is None


async def test_a_mentor_leaving_mid_conversation_closes_it_and_names_the_family_to_tell(
    db: Database,
) -> None:
    """Before, the question stayed accepted with nobody holding it: every family message
    failed, the family was never told, and retention never began."""
    karin, ek, berg = await service(db)
    intake = await routing.take_message(
        db, ek[0], 301, 5, kind=Kind.TEXT, preview="Skolan", urgent=False, now=NOW
    )
    await routing.accept(db, berg[0], intake.request.id, NOW)

    removal = await members.remove(db, karin, berg[0].id, NOW + HOUR)

    (ended,) = departed(removal).ended
    assert ended.mentor is None
    assert {adult.id for adult in ended.family} == {ek[0].id, ek[1].id}
    assert await state_of(db, intake.request.id) == ("closed", (NOW + HOUR).isoformat(), "mentor")
    # The family may ask again at once: the next message opens a new question.
    again = await routing.take_message(
        db, ek[1], 302, 9, kind=Kind.TEXT, preview="Igen", urgent=False, now=NOW + HOUR
    )
    assert again.opened and again.request.id != intake.request.id


async def test_a_mentor_erasing_themselves_mid_conversation_closes_it_too(db: Database) -> None:
    _, ek, berg = await service(db)
    intake = await routing.take_message(
        db, ek[0], 301, 5, kind=Kind.TEXT, preview="Sömn", urgent=False, now=NOW
    )
    await routing.accept(db, berg[1], intake.request.id, NOW)

    erasure = await personal_data.erase(db, berg[1].id, berg[1], NOW + HOUR)

    assert erasure is not None
    assert [ended.request.id for ended in erasure.departure.ended] == [intake.request.id]
    assert await state_of(db, intake.request.id) == ("closed", (NOW + HOUR).isoformat(), "mentor")


async def test_an_erasure_revokes_the_members_invites_and_frees_their_broadcast_in_flight(
    db: Database,
) -> None:
    """Before, a partner link outlived the adult who made it, and a delivery caught in flight
    by an erasure stayed 'sending', so its broadcast never finished."""
    karin, ek, _ = await service(db)
    link = await invites.issue_partner_invite(db, ek[0], NOW, household_limit=3)
    assert link is not None
    draft = Draft(Kind.TEXT, "Höstens träffar")
    sent = await broadcasts.submit(db, karin, draft, Audience.FAMILIES, send_at=None, now=NOW)
    assert isinstance(sent, Broadcast)
    (in_flight,) = await broadcasts.claim_due(db, NOW, 1)
    assert in_flight.chat_id == ek[0].telegram_user_id

    assert await personal_data.erase(db, ek[0].id, ek[0], NOW + HOUR) is not None

    joined = await invites.redeem(db, link.code, 999, NOW + HOUR, household_limit=3)
    assert joined.outcome is JoinOutcome.REVOKED
    (other,) = await broadcasts.claim_due(db, NOW + HOUR, 1)
    assert other.chat_id == ek[1].telegram_user_id
    await broadcasts.settle(db, other, DeliveryState.SENT, NOW + HOUR, 7)
    assert await broadcasts.finish_if_complete(db, sent.id, NOW + HOUR)


async def test_the_household_name_goes_with_its_last_adult_on_removal_too(db: Database) -> None:
    karin, ek, _ = await service(db)
    await members.remove(db, karin, ek[0].id, NOW)
    (left,) = await members.household_members(db, ek[1].household.id)
    assert left.household.display_name == "Familjen Ek"
    await members.remove(db, karin, ek[1].id, NOW)
    async with db.read() as session:
        row = await session.fetch_one(
            "SELECT display_name FROM households WHERE id = ?", (ek[1].household.id,)
        )
    assert row is not None and row["display_name"] is None
