"""Shift swaps against a real SQLite file: offering, taking, and two mentors pressing at once."""

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import availability, rota_planning, swaps
from bot.availability import AwayProblem
from bot.rota import Interval, local_span
from bot.swaps import Offer, SwapProblem, Taken
from storage import shifts as store
from storage.db import Database
from storage.models import AwayReason, Member, Role, Shift, SwapState
from tests.support import make_household

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
STOCKHOLM = ZoneInfo("Europe/Stockholm")
TUESDAY = date(2026, 11, 24)


def evening(start: str = "17:00", end: str = "22:00") -> Interval:
    """Tuesday evening in Stockholm: 16:00-21:00 UTC by default."""
    return local_span(TUESDAY, time.fromisoformat(start), time.fromisoformat(end), STOCKHOLM)


async def household(db: Database, role: Role, name: str | None, *telegram_ids: int) -> list[Member]:
    return await make_household(db, role, name, telegram_ids, at=NOW)


@dataclass(frozen=True, slots=True)
class People:
    berg: list[Member]  # the giver: two adults
    lund: list[Member]  # another mentor household of two adults
    holm: Member  # a third mentor household
    family: Member
    coordinator: Member


@pytest.fixture
async def people(db: Database) -> People:
    berg = await household(db, Role.MENTOR, "Familjen Berg", 11, 12)
    (family,) = await household(db, Role.FAMILY, "Familjen Ek", 31)
    lund = await household(db, Role.MENTOR, "Familjen Lund", 21, 22)
    (coordinator,) = await household(db, Role.COORDINATOR, None, 1)
    (holm,) = await household(db, Role.MENTOR, "Familjen Holm", 41)
    return People(berg, lund, holm, family, coordinator)


async def book(db: Database, people: People, member: Member, span: Interval) -> Shift:
    result = await rota_planning.add(db, member.id, span, people.coordinator, NOW)
    assert isinstance(result, Shift), result
    return result


@pytest.fixture
async def shift(db: Database, people: People) -> Shift:
    """The Bergs' Tuesday evening, the shift they want to give away."""
    return await book(db, people, people.berg[0], evening())


async def offered(db: Database, member: Member, shift: Shift) -> Offer:
    result = await swaps.offer(db, member, shift.id, NOW)
    assert isinstance(result, Offer), result
    return result


async def taken(db: Database, member: Member, offer: Offer) -> Taken:
    result = await swaps.take(db, member, offer.swap.id, NOW)
    assert isinstance(result, Taken), result
    return result


async def owner(db: Database, shift: Shift) -> int | None:
    """The household now on duty for the shift, or None once it is deleted."""
    listed = await rota_planning.listings(db, shift.starts_at, shift.ends_at)
    return next(
        (listing.shift.household_id for listing in listed if listing.shift.id == shift.id), None
    )


def ids(members: list[Member]) -> list[int]:
    return [member.id for member in members]


# --- offer --------------------------------------------------------------------------------------


async def test_an_offer_goes_to_every_adult_of_every_other_mentor_household(
    db: Database, people: People, shift: Shift
) -> None:
    offer = await offered(db, people.berg[0], shift)

    assert offer.swap.shift_id == shift.id
    assert offer.swap.offered_by == people.berg[0].household.id
    assert (offer.swap.state, offer.swap.taken_by) == (SwapState.OPEN, None)
    assert (offer.listing.shift, offer.listing.mentor_name) == (shift, "Familjen Berg")
    # Not the family, not the coordinator, and not the giver's own partner.
    assert ids(offer.recipients) == ids([*people.lund, people.holm])


async def test_offering_twice_is_one_offer(db: Database, people: People, shift: Shift) -> None:
    first = await offered(db, people.berg[0], shift)
    # The partner offers the same shift again, or the same button is pressed twice.
    second = await offered(db, people.berg[1], shift)
    again = await offered(db, people.berg[0], shift)

    assert first.swap == second.swap == again.swap
    async with db.read() as session:
        rows = await session.fetch_all("SELECT id FROM shift_swaps")
    assert [row[0] for row in rows] == [first.swap.id]


async def test_only_the_households_own_shift_can_be_offered(
    db: Database, people: People, shift: Shift
) -> None:
    assert await swaps.offer(db, people.lund[0], shift.id, NOW) is SwapProblem.NOT_FOUND
    assert await swaps.offer(db, people.family, shift.id, NOW) is SwapProblem.NOT_FOUND
    assert await swaps.offer(db, people.berg[0], shift.id + 1000, NOW) is SwapProblem.NOT_FOUND


@pytest.mark.parametrize("after_start", [timedelta(0), timedelta(hours=2)])
async def test_a_started_shift_cannot_be_offered(
    db: Database, people: People, shift: Shift, after_start: timedelta
) -> None:
    result = await swaps.offer(db, people.berg[0], shift.id, shift.starts_at + after_start)
    assert result is SwapProblem.STARTED


# --- take ---------------------------------------------------------------------------------------


async def test_taking_moves_the_shift_and_reports_to_the_giver(
    db: Database, people: People, shift: Shift
) -> None:
    offer = await offered(db, people.berg[0], shift)
    lund_chat, holm_chat = people.lund[0].telegram_user_id, people.holm.telegram_user_id
    await swaps.remember_offer_message(db, offer.swap, lund_chat, 100)
    await swaps.remember_offer_message(db, offer.swap, holm_chat, 200)
    await swaps.remember_offer_message(db, offer.swap, lund_chat, 101)  # sent again: replaced

    result = await taken(db, people.lund[1], offer)

    lund = people.lund[1].household.id
    assert result.swap.id == offer.swap.id
    assert (result.swap.state, result.swap.taken_by) == (SwapState.TAKEN, lund)
    # The shift as it was offered, with the giver's name.
    assert (result.listing.shift, result.listing.mentor_name) == (shift, "Familjen Berg")
    assert ids(result.giver) == ids(people.berg)
    assert sorted(result.offer_messages) == [(lund_chat, 101), (holm_chat, 200)]
    assert await owner(db, shift) == lund


async def test_the_givers_partner_cannot_take_the_offer(
    db: Database, people: People, shift: Shift
) -> None:
    offer = await offered(db, people.berg[0], shift)
    assert await swaps.take(db, people.berg[1], offer.swap.id, NOW) is SwapProblem.OWN
    # Still open for everyone else.
    await taken(db, people.holm, offer)


async def test_a_taken_offer_is_gone_for_everyone_else(
    db: Database, people: People, shift: Shift
) -> None:
    offer = await offered(db, people.berg[0], shift)
    await taken(db, people.lund[0], offer)

    for member in (people.holm, people.lund[1], people.berg[0]):
        assert await swaps.take(db, member, offer.swap.id, NOW) is SwapProblem.GONE
    assert await owner(db, shift) == people.lund[0].household.id


async def test_an_offer_is_gone_once_the_shift_is_deleted(
    db: Database, people: People, shift: Shift
) -> None:
    offer = await offered(db, people.berg[0], shift)
    assert await rota_planning.delete(db, shift.id, people.coordinator, NOW) is not None
    assert await swaps.take(db, people.lund[0], offer.swap.id, NOW) is SwapProblem.GONE
    assert await swaps.take(db, people.lund[0], offer.swap.id + 1000, NOW) is SwapProblem.GONE


async def test_a_mentor_already_on_duty_then_cannot_take_it(
    db: Database, people: People, shift: Shift
) -> None:
    await book(db, people, people.lund[1], evening("21:00", "23:00"))
    offer = await offered(db, people.berg[0], shift)

    assert await swaps.take(db, people.lund[0], offer.swap.id, NOW) is SwapProblem.OVERLAP
    assert await owner(db, shift) == people.berg[0].household.id
    # The offer stays open for a household that is free.
    await taken(db, people.holm, offer)


async def test_a_shift_right_after_the_takers_own_is_a_handover(
    db: Database, people: People, shift: Shift
) -> None:
    await book(db, people, people.lund[0], evening("12:00", "17:00"))
    offer = await offered(db, people.berg[0], shift)
    await taken(db, people.lund[0], offer)
    assert await owner(db, shift) == people.lund[0].household.id


async def test_a_started_shift_cannot_be_taken(db: Database, people: People, shift: Shift) -> None:
    offer = await offered(db, people.berg[0], shift)
    result = await swaps.take(db, people.lund[0], offer.swap.id, shift.starts_at)
    assert result is SwapProblem.STARTED
    assert await owner(db, shift) == people.berg[0].household.id


async def test_a_taken_shift_can_be_offered_on_and_taken_back(
    db: Database, people: People, shift: Shift
) -> None:
    first = await offered(db, people.berg[0], shift)
    await taken(db, people.lund[0], first)
    assert await swaps.offer(db, people.berg[0], shift.id, NOW) is SwapProblem.NOT_FOUND

    second = await offered(db, people.lund[1], shift)
    assert second.swap.id != first.swap.id
    assert second.listing.mentor_name == "Familjen Lund"
    assert ids(second.recipients) == ids([*people.berg, people.holm])
    back = await taken(db, people.berg[1], second)
    assert ids(back.giver) == ids(people.lund)
    assert back.offer_messages == []
    assert await owner(db, shift) == people.berg[0].household.id


async def test_the_conditional_update_refuses_a_stale_offer(
    db: Database, people: People, shift: Shift
) -> None:
    """The last line of defence: a taker holding an offer read before someone else won."""
    offer = await offered(db, people.berg[0], shift)
    lund, holm = people.lund[0].household.id, people.holm.household.id
    async with db.write() as session:
        assert await store.take_swap(session, offer.swap, lund, NOW) is True
        assert await store.take_swap(session, offer.swap, holm, NOW) is False
    assert await owner(db, shift) == lund


# --- two mentors pressing at once ---------------------------------------------------------------


async def test_only_one_of_two_simultaneous_takers_wins(
    db: Database, second_db: Database, people: People, shift: Shift
) -> None:
    offer = await offered(db, people.berg[0], shift)
    takers = (people.lund[0], people.holm)

    results = await asyncio.gather(
        swaps.take(db, takers[0], offer.swap.id, NOW),
        swaps.take(second_db, takers[1], offer.swap.id, NOW),
    )

    winners = [index for index, result in enumerate(results) if isinstance(result, Taken)]
    assert len(winners) == 1, results
    (winner,) = winners
    assert results[1 - winner] is SwapProblem.GONE
    household_id = takers[winner].household.id
    won = results[winner]
    assert isinstance(won, Taken) and won.swap.taken_by == household_id
    assert await owner(db, shift) == household_id
    assert await owner(second_db, shift) == household_id
    async with db.read() as session:
        rows = await session.fetch_all("SELECT state, taken_by FROM shift_swaps")
    assert [tuple(row) for row in rows] == [("taken", household_id)]


@pytest.mark.parametrize("who", ["family", "coordinator"])
async def test_only_a_mentor_can_take_a_shift(
    db: Database, people: People, shift: Shift, who: str
) -> None:
    offer = await offered(db, people.berg[0], shift)
    member = {"family": people.family, "coordinator": people.coordinator}[who]

    assert await swaps.take(db, member, offer.swap.id, NOW) is SwapProblem.NOT_MENTOR

    assert await owner(db, shift) == people.berg[0].household.id
    async with db.read() as session:
        swap = await store.swap_by_id(session, offer.swap.id)
    assert swap == offer.swap
    assert swap is not None and (swap.state, swap.taken_by) == (SwapState.OPEN, None)
    # Still open for a mentor.
    await taken(db, people.holm, offer)
    assert await owner(db, shift) == people.holm.household.id


async def test_a_household_away_then_is_not_asked_and_cannot_take_it(
    db: Database, people: People, shift: Shift
) -> None:
    """Asked, it could only say no, or take a shift nobody would come to."""
    marked = await availability.mark_away(
        db, people.lund[0], TUESDAY, TUESDAY, AwayReason.HOLIDAY, STOCKHOLM, NOW
    )
    assert not isinstance(marked, AwayProblem)
    offer = await offered(db, people.berg[0], shift)
    assert ids(offer.recipients) == ids([people.holm])
    assert await swaps.take(db, people.lund[1], offer.swap.id, NOW) is SwapProblem.AWAY
    assert await owner(db, shift) == people.berg[0].household.id
    assert (await taken(db, people.holm, offer)).swap.taken_by == people.holm.household.id
