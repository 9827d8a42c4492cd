"""Availability from the mentors' side (bot/availability.py): days away, what planning reads of
them, and an open gap taken with one press, the first of two simultaneous presses winning."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import availability, members, personal_data, retention
from bot.availability import (
    Availability,
    AwayProblem,
    Taken,
    TakeProblem,
    check_days,
)
from bot.rota import Interval
from bot.service_hours import ServiceHours
from bot.shift_booking import away_last
from storage import availability as stored
from storage import shifts
from storage.db import Database
from storage.models import (
    AwayReason,
    BookableHousehold,
    GapOffer,
    GapOfferState,
    Household,
    Member,
    Role,
)
from tests.support import make_household

TZ = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # Monday 13:00 in Stockholm
TODAY = date(2026, 11, 30)
HOURS = ServiceHours.parse("17:00-22:00", "09:00-22:00", "SE")
DAY = timedelta(days=1)


def household(number: int, name: str) -> Household:
    return Household(number, Role.MENTOR, name, NOW)


def span(start_hour: int, end_hour: int, day: date = TODAY) -> Interval:
    start = datetime(day.year, day.month, day.day, tzinfo=TZ)
    return Interval(start + timedelta(hours=start_hour), start + timedelta(hours=end_hour))


# --- days away, as pure values ------------------------------------------------------------


def test_a_week_is_monday_to_sunday_and_next_week_follows_it() -> None:
    wednesday = TODAY + 2 * DAY
    assert availability.week(wednesday, "this") == (TODAY, TODAY + 6 * DAY)
    assert availability.week(wednesday, "next") == (TODAY + 7 * DAY, TODAY + 13 * DAY)


def test_days_away_are_whole_local_days_across_a_clock_change() -> None:
    away = availability.away_interval(date(2027, 3, 27), date(2027, 3, 28), TZ)
    assert away.start == datetime(2027, 3, 26, 23, 0, tzinfo=UTC)  # midnight, winter time
    assert away.end == datetime(2027, 3, 28, 22, 0, tzinfo=UTC)  # midnight, summer time


def test_days_that_cannot_be_marked_are_named() -> None:
    assert check_days(TODAY, TODAY, TODAY) is None
    assert check_days(TODAY + DAY, TODAY, TODAY) is AwayProblem.BACKWARDS
    assert check_days(TODAY - 3 * DAY, TODAY - DAY, TODAY) is AwayProblem.PAST
    assert check_days(TODAY - DAY, TODAY, TODAY) is None  # today is still to come
    assert check_days(TODAY, TODAY + 91 * DAY, TODAY) is None
    assert check_days(TODAY, TODAY + 92 * DAY, TODAY) is AwayProblem.TOO_LONG
    assert check_days(TODAY + 366 * DAY, TODAY + 366 * DAY, TODAY) is None
    assert check_days(TODAY + 367 * DAY, TODAY + 367 * DAY, TODAY) is AwayProblem.TOO_FAR
    assert check_days(date(9999, 12, 31), date(9999, 12, 31), TODAY) is AwayProblem.TOO_FAR


def test_a_booking_offers_the_free_households_first_and_the_away_ones_after() -> None:
    berg, lind, holm = household(1, "Berg"), household(2, "Lind"), household(3, "Holm")
    evening = span(17, 22)
    # Lind is away from 21:00 (part of the evening), Holm only the day after.
    away = Availability({2: (span(21, 30),), 3: (span(0, 24, TODAY + DAY),)})
    assert away.away_during(2, evening) and not away.away_during(3, evening)
    assert not away.away_during(2, span(9, 21))  # ends as the span begins: no overlap
    bookable = [
        BookableHousehold(n, h.display_name, None, h.id) for n, h in enumerate((berg, lind, holm))
    ]
    ordered, away_ids = away_last(bookable, away, evening)
    assert [h.name for h in ordered] == ["Berg", "Holm", "Lind"]  # free in the order given
    assert away_ids == frozenset({lind.id})
    assert away.free([lind, holm], evening) == [holm]


# --- days away, stored ------------------------------------------------------------------


@dataclass(frozen=True)
class People:
    berg: list[Member]  # two adults
    lind: Member
    family: Member
    karin: Member


@pytest.fixture
async def people(db: Database) -> People:
    berg = await make_household(db, Role.MENTOR, "Familjen Berg", (101, 102), NOW - 9 * DAY)
    (lind,) = await make_household(db, Role.MENTOR, "Familien Lind", (201,), NOW - 9 * DAY)
    (family,) = await make_household(db, Role.FAMILY, "Familjen Ek", (301,), NOW - 9 * DAY)
    (karin,) = await make_household(db, Role.COORDINATOR, "Karin", (401,), NOW - 9 * DAY)
    return People(berg, lind, family, karin)


async def test_either_adult_marks_and_removes_the_households_days(
    db: Database, people: People
) -> None:
    first, second = people.berg
    marked = await availability.mark_away(
        db, first, TODAY + 7 * DAY, TODAY + 13 * DAY, AwayReason.HOLIDAY, TZ, NOW
    )
    assert not isinstance(marked, AwayProblem)
    assert marked.reason is AwayReason.HOLIDAY
    again = await availability.mark_away(
        db, second, TODAY + 13 * DAY, TODAY + 14 * DAY, AwayReason.OTHER, TZ, NOW
    )
    assert again is AwayProblem.OVERLAP
    assert await availability.own_away(db, first.household.id, NOW) == [marked]

    # Another household's button (or a forged one) removes nothing.
    assert await availability.remove_away(db, people.lind, marked.id) is None
    assert await availability.remove_away(db, second, marked.id) == marked
    assert await availability.remove_away(db, second, marked.id) is None
    assert await availability.own_away(db, first.household.id, NOW) == []


async def test_only_a_mentor_household_is_ever_away(db: Database, people: People) -> None:
    for member in (people.family, people.karin):
        refused = await availability.mark_away(
            db, member, TODAY, TODAY, AwayReason.ILLNESS, TZ, NOW
        )
        assert refused is AwayProblem.NOT_MENTOR


async def test_planning_reads_who_is_away_and_the_spans_go_once_they_ended(
    db: Database, people: People
) -> None:
    berg = people.berg[0]
    await availability.mark_away(db, berg, TODAY, TODAY + DAY, AwayReason.ILLNESS, TZ, NOW)
    away = await availability.away_households(db, NOW, NOW + 14 * DAY)
    assert away.away_during(berg.household.id, span(17, 22))
    assert not away.away_during(people.lind.household.id, span(17, 22))
    assert not away.away_during(berg.household.id, span(17, 22, TODAY + 2 * DAY))

    await retention.erase_expired_content(db, 30 * DAY, NOW + DAY)  # the span still runs
    assert len(await availability.own_away(db, berg.household.id, NOW)) == 1
    await retention.erase_expired_content(db, 30 * DAY, NOW + 2 * DAY)
    async with db.read() as session:
        assert await session.fetch_all("SELECT * FROM away_spans") == []


async def test_the_buttons_of_a_gap_that_is_over_are_forgotten(
    db: Database, people: People
) -> None:
    offers = await availability.open_gaps(db, HOURS, TZ, NOW)
    await availability.remember_offer_message(db, offers[:2], 201, 55)
    taken = await availability.take(db, people.lind, offers[1].id, approve=False, now=NOW)
    assert isinstance(taken, Taken)
    after_tomorrow = offers[1].ends_at + timedelta(minutes=1)
    await retention.erase_expired_content(db, 30 * DAY, after_tomorrow)
    async with db.read() as session:
        assert await session.fetch_all("SELECT * FROM gap_offer_messages") == []
        kept = [row["id"] for row in await session.fetch_all("SELECT id FROM gap_offers")]
    # Tonight's and tomorrow's are over: the one nobody took goes, the taken one stays.
    assert offers[0].id not in kept and offers[1].id in kept and offers[2].id in kept
    late = await availability.take(db, people.berg[0], offers[0].id, approve=False, now=NOW)
    assert late is TakeProblem.GONE


async def test_the_last_adults_erasure_takes_the_households_days_away(
    db: Database, people: People
) -> None:
    await availability.mark_away(db, people.lind, TODAY, TODAY, AwayReason.ILLNESS, TZ, NOW)
    berg = people.berg
    await availability.mark_away(db, berg[0], TODAY, TODAY, AwayReason.HOLIDAY, TZ, NOW)
    # One of Berg's two adults goes: the household's days stay the other's.
    assert await personal_data.erase(db, berg[0].id, people.karin, NOW) is not None
    assert await personal_data.erase(db, people.lind.id, people.karin, NOW) is not None
    async with db.read() as session:
        rows = await session.fetch_all("SELECT household_id, created_by FROM away_spans")
    assert [tuple(row) for row in rows] == [(berg[0].household.id, None)]


# --- open gaps, taken with a press -----------------------------------------------------------


async def tonight(db: Database, household_id: int | None = None) -> GapOffer:
    offers = await availability.open_gaps(db, HOURS, TZ, NOW, household_id)
    assert offers, "nobody is on duty: every evening is a gap"
    first = offers[0]
    assert (first.starts_at, first.ends_at) == (span(17, 22).start, span(17, 22).end)
    return first


async def test_open_gaps_are_one_offer_each_however_often_they_are_shown(
    db: Database, people: People
) -> None:
    offers = await availability.open_gaps(db, HOURS, TZ, NOW)
    assert len(offers) == 14  # an evening or a weekend day each, and nobody on duty
    assert [offer.id for offer in await availability.open_gaps(db, HOURS, TZ, NOW)] == [
        offer.id for offer in offers
    ]
    # Shown again once tonight's gap has begun, and again ten minutes on: the same offers.
    for begun in (
        span(17, 22).start + timedelta(minutes=30),
        span(17, 22).start + timedelta(minutes=40),
    ):
        again = await availability.open_gaps(db, HOURS, TZ, begun)
        assert [offer.id for offer in again] == [offer.id for offer in offers]
    # A household away this week is offered only the days after it.
    berg = people.berg[0]
    await availability.mark_away(db, berg, TODAY, TODAY + 6 * DAY, AwayReason.HOLIDAY, TZ, NOW)
    theirs = await availability.open_gaps(db, HOURS, TZ, NOW, berg.household.id)
    assert [offer.id for offer in theirs] == [offer.id for offer in offers[7:]]


async def test_the_first_press_books_the_whole_gap_and_the_next_finds_it_gone(
    db: Database, people: People
) -> None:
    offer = await tonight(db)
    await availability.remember_offer_message(db, [offer], 201, 55)
    taken = await availability.take(db, people.berg[1], offer.id, approve=False, now=NOW)
    assert isinstance(taken, Taken)
    assert taken.shift is not None
    assert (taken.shift.starts_at, taken.shift.ends_at) == (offer.starts_at, offer.ends_at)
    assert taken.shift.household_id == people.berg[0].household.id
    assert taken.taker_name == "Familjen Berg"
    assert [adult.id for adult in taken.taker_adults] == [adult.id for adult in people.berg]
    assert taken.messages == [(201, 55)]
    assert taken.offer.state is GapOfferState.TAKEN
    late = await availability.take(db, people.lind, offer.id, approve=False, now=NOW)
    assert late is TakeProblem.GONE
    # Tonight is covered now: it is no longer among the gaps offered.
    assert offer.id not in [o.id for o in await availability.open_gaps(db, HOURS, TZ, NOW)]


async def test_a_gap_filled_meanwhile_or_over_cannot_be_taken(db: Database, people: People) -> None:
    offer = await tonight(db)
    async with db.write() as session:  # a coordinator books 18:00-19:00 by command
        await shifts.add_shift(
            session, people.lind.household.id, span(18, 19).start, span(18, 19).end, None, NOW
        )
    assert await availability.take(db, people.berg[0], offer.id, approve=False, now=NOW) is (
        TakeProblem.GONE
    )
    async with db.read() as session:
        closed = await stored.offer_by_id(session, offer.id)
    assert closed is not None and closed.state is GapOfferState.CLOSED

    tomorrow = (await availability.open_gaps(db, HOURS, TZ, NOW))[0]
    over = tomorrow.ends_at + timedelta(minutes=1)
    assert await availability.take(db, people.berg[0], tomorrow.id, approve=False, now=over) is (
        TakeProblem.GONE
    )


async def test_forged_or_refused_takes_change_nothing(db: Database, people: People) -> None:
    offer = await tonight(db)
    for member in (people.family, people.karin):
        refused = await availability.take(db, member, offer.id, approve=False, now=NOW)
        assert refused is TakeProblem.NOT_MENTOR
    assert await availability.take(db, people.lind, 999, approve=False, now=NOW) is (
        TakeProblem.GONE
    )
    await availability.mark_away(db, people.lind, TODAY, TODAY, AwayReason.ILLNESS, TZ, NOW)
    assert await availability.take(db, people.lind, offer.id, approve=False, now=NOW) is (
        TakeProblem.AWAY
    )
    async with db.read() as session:
        assert await session.fetch_all("SELECT * FROM shifts") == []
        still = await stored.offer_by_id(session, offer.id)
    assert still is not None and still.state is GapOfferState.OPEN


async def test_only_one_of_two_simultaneous_takers_wins(
    db: Database, second_db: Database, people: People
) -> None:
    offer = await tonight(db)
    takers = (people.berg[0], people.lind)
    results = await asyncio.gather(
        availability.take(db, takers[0], offer.id, approve=False, now=NOW),
        availability.take(second_db, takers[1], offer.id, approve=False, now=NOW),
    )
    winners = [index for index, result in enumerate(results) if isinstance(result, Taken)]
    assert len(winners) == 1, results
    (winner,) = winners
    assert results[1 - winner] is TakeProblem.GONE
    async with db.read() as session:
        rows = await session.fetch_all("SELECT household_id FROM shifts")
    assert [row["household_id"] for row in rows] == [takers[winner].household.id]


async def test_with_approval_a_take_waits_for_the_first_coordinator_to_decide(
    db: Database, people: People
) -> None:
    offer = await tonight(db)
    asked = await availability.take(db, people.lind, offer.id, approve=True, now=NOW)
    assert isinstance(asked, Taken) and asked.shift is None
    assert asked.offer.state is GapOfferState.ASKED
    assert await availability.take(db, people.berg[0], offer.id, approve=True, now=NOW) is (
        TakeProblem.GONE
    )
    # A mentor cannot decide; the first coordinator's press does, the second finds it decided.
    assert await availability.decide(db, people.lind, offer.id, confirm=True, now=NOW) is (
        TakeProblem.NOT_MENTOR
    )
    for chat_id in (401, 402):  # each coordinator's copy of the request
        await availability.remember_request_message(db, asked.offer, chat_id, 70)
    confirmed = await availability.decide(db, people.karin, offer.id, confirm=True, now=NOW)
    assert isinstance(confirmed, Taken) and confirmed.shift is not None
    assert confirmed.shift.household_id == people.lind.household.id
    assert sorted(confirmed.request_messages) == [(401, 70), (402, 70)]
    assert await availability.decide(db, people.karin, offer.id, confirm=False, now=NOW) is (
        TakeProblem.DECIDED
    )


async def test_a_refused_take_opens_the_gap_again(db: Database, people: People) -> None:
    offer = await tonight(db)
    assert isinstance(
        await availability.take(db, people.lind, offer.id, approve=True, now=NOW), Taken
    )
    refused = await availability.decide(db, people.karin, offer.id, confirm=False, now=NOW)
    assert isinstance(refused, Taken) and refused.shift is None
    assert refused.offer.state is GapOfferState.OPEN
    assert [adult.id for adult in refused.taker_adults] == [people.lind.id]
    again = await availability.take(db, people.berg[0], offer.id, approve=False, now=NOW)
    assert isinstance(again, Taken) and again.shift is not None


async def test_a_household_removed_leaves_no_days_away_and_no_take_to_confirm(
    db: Database, people: People
) -> None:
    """Removal, not only erasure: illness is health data, and a Confirm pressed afterwards
    must not book a shift for a household with nobody in it."""
    later = TODAY + 2 * DAY  # tonight's gap is Lind's to ask for
    await availability.mark_away(db, people.lind, later, later, AwayReason.ILLNESS, TZ, NOW)
    offer = await tonight(db)
    assert isinstance(
        await availability.take(db, people.lind, offer.id, approve=True, now=NOW), Taken
    )
    removal = await members.remove(db, people.karin, people.lind.id, NOW)
    assert removal.departure is not None and removal.departure.last_of_household
    async with db.read() as session:
        assert await session.fetch_all("SELECT * FROM away_spans") == []
    late = await availability.decide(db, people.karin, offer.id, confirm=True, now=NOW)
    assert late is TakeProblem.DECIDED or late is TakeProblem.GONE, late
    again = await availability.take(db, people.berg[0], offer.id, approve=False, now=NOW)
    assert isinstance(again, Taken) and again.shift is not None  # open again for the others


async def test_a_confirm_that_finds_the_gap_filled_says_so_to_everyone(
    db: Database, people: People
) -> None:
    offer = await tonight(db)
    assert isinstance(
        await availability.take(db, people.lind, offer.id, approve=True, now=NOW), Taken
    )
    await availability.remember_request_message(db, offer, 401, 70)
    async with db.write() as session:  # another coordinator books Berg for tonight meanwhile
        await shifts.add_shift(
            session, people.berg[0].household.id, offer.starts_at, offer.ends_at, None, NOW
        )
    late = await availability.decide(db, people.karin, offer.id, confirm=True, now=NOW)
    assert isinstance(late, Taken) and late.filled and late.shift is None
    assert [adult.id for adult in late.taker_adults] == [people.lind.id]  # to be told
    assert late.request_messages == [(401, 70)]  # the copy to close
    assert late.offer.state is GapOfferState.CLOSED
    assert await availability.decide(db, people.karin, offer.id, confirm=True, now=NOW) is (
        TakeProblem.DECIDED
    )
