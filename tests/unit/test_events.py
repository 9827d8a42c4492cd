"""Events: capacity in people, a waiting list in strict order that moves up on cancellation,
the deadline, the audience, a cancelled or changed event, and all of it under races."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from bot import events, personal_data, reminders, retention
from bot.events import (
    CancelProblem,
    Changed,
    Confirmed,
    EventCancelled,
    EventProblem,
    SignupCancelled,
    SignUpProblem,
    Waiting,
)
from storage import events as storage_events
from storage.db import Database
from storage.models import (
    Event,
    EventAudience,
    EventDetails,
    EventKind,
    EventState,
    Member,
    Role,
    Signup,
    SignupState,
)
from tests.support import make_household

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
DEADLINE = NOW + 5 * DAY

MORNING = EventDetails(
    kind=EventKind.THEME_MORNING,
    title="Placerade barns hälsa",
    starts_at=NOW + 7 * DAY,
    ends_at=NOW + 7 * DAY + 3 * HOUR,
    audience=EventAudience.FAMILIES,
    place="Familjens hus",
    capacity=10,
    signup_deadline=DEADLINE,
)


@dataclass(frozen=True)
class People:
    families: list[Member]  # one adult of each of eight family households
    mentor: Member
    coordinator: Member


@pytest.fixture
async def people(db: Database) -> People:
    families = [
        (await make_household(db, Role.FAMILY, f"Familjen {n}", (9_000 + n,), NOW - DAY))[0]
        for n in range(8)
    ]
    (mentor,) = await make_household(db, Role.MENTOR, "Familjen Berg", (8_001,), NOW - DAY)
    (karin,) = await make_household(db, Role.COORDINATOR, "Karin", (8_002,), NOW - DAY)
    return People(families, mentor, karin)


async def an_event(db: Database, people: People, details: EventDetails = MORNING) -> Event:
    event = await events.create(db, details, people.coordinator, NOW)
    assert isinstance(event, Event)
    return event


async def signed_up(
    db: Database, event: Event, member: Member, adults: int, children: int = 0
) -> Signup:
    result = await events.sign_up(db, event.id, member, adults, children, NOW)
    assert isinstance(result, Confirmed | Waiting), result
    return result.signup


async def states(db: Database, event: Event) -> list[tuple[int | None, SignupState, int]]:
    """(household, state, people) of the event's live sign-ups, in the order they came."""
    roster = await events.roster(db, event.id)
    assert roster is not None
    lines = sorted(roster.confirmed + roster.waiting, key=lambda line: line.signup.id)
    return [(line.signup.household_id, line.signup.state, line.signup.people) for line in lines]


def household(member: Member) -> int:
    return member.household.id


# --- capacity and the waiting list ---------------------------------------------------------


async def test_a_party_that_does_not_fit_waits_and_so_does_everyone_after_it(
    db: Database, people: People
) -> None:
    event = await an_event(db, people)
    a, b, c, d = people.families[:4]

    first = await events.sign_up(db, event.id, a, 2, 0, NOW)
    second = await events.sign_up(db, event.id, b, 4, 0, NOW)
    third = await events.sign_up(db, event.id, c, 5, 0, NOW)
    # Two more would fit (6 of 10), but the waiting list is served in strict order.
    fourth = await events.sign_up(db, event.id, d, 2, 0, NOW)

    assert isinstance(first, Confirmed) and isinstance(second, Confirmed)
    assert isinstance(third, Waiting) and third.position == 1
    assert isinstance(fourth, Waiting) and fourth.position == 2
    roster = await events.roster(db, event.id)
    assert roster is not None
    assert (roster.listing.confirmed_people, roster.listing.waiting) == (6, 2)
    assert roster.listing.places_left == 4
    assert [line.household_name for line in roster.waiting] == ["Familjen 2", "Familjen 3"]


async def test_a_cancellation_moves_up_the_waiting_list_as_far_as_the_places_allow(
    db: Database, people: People
) -> None:
    event = await an_event(db, people)
    a, b, c, d, e = people.families[:5]
    cancelled = await signed_up(db, event, a, 4)
    await signed_up(db, event, b, 4)
    for member, adults in ((c, 3), (d, 2), (e, 2)):
        await signed_up(db, event, member, adults)

    result = await events.cancel_signup(db, a, cancelled.id, NOW)

    assert isinstance(result, SignupCancelled) and not result.late
    assert result.signup.state is SignupState.CONFIRMED  # as it was
    # 4 + 3 + 2 = 9: the third waiting party (2) would make 11 and stays first in line.
    assert [household(party.members[0]) for party in result.moved_up] == [
        household(c),
        household(d),
    ]
    # Told as what they are now: they have places, and get the calendar file with the news.
    assert {party.signup.state for party in result.moved_up} == {SignupState.CONFIRMED}
    assert await states(db, event) == [
        (household(b), SignupState.CONFIRMED, 4),
        (household(c), SignupState.CONFIRMED, 3),
        (household(d), SignupState.CONFIRMED, 2),
        (household(e), SignupState.WAITING, 2),
    ]
    (mine,) = await events.own_signups(db, e, NOW)
    assert isinstance(mine, Waiting) and mine.position == 1


async def test_a_head_of_the_list_that_does_not_fit_holds_the_others_until_it_goes(
    db: Database, people: People
) -> None:
    event = await an_event(db, people)
    a, b, c, d = people.families[:4]
    await signed_up(db, event, a, 4)
    await signed_up(db, event, b, 4)
    head = await signed_up(db, event, c, 5)
    await signed_up(db, event, d, 1)
    assert (await states(db, event))[3] == (household(d), SignupState.WAITING, 1)

    result = await events.cancel_signup(db, c, head.id, NOW)

    assert isinstance(result, SignupCancelled)
    assert [party.signup.household_id for party in result.moved_up] == [household(d)]


async def test_a_household_signs_up_once_and_again_after_it_gave_up(
    db: Database, people: People
) -> None:
    event = await an_event(db, people)
    a = people.families[0]
    signup = await signed_up(db, event, a, 2)

    assert await events.sign_up(db, event.id, a, 1, 0, NOW) is SignUpProblem.ALREADY
    assert isinstance(await events.cancel_signup(db, a, signup.id, NOW), SignupCancelled)
    assert await events.cancel_signup(db, a, signup.id, NOW) is CancelProblem.NOT_FOUND
    assert isinstance(await events.sign_up(db, event.id, a, 1, 0, NOW), Confirmed)


async def test_only_the_household_itself_cancels_its_signup(db: Database, people: People) -> None:
    event = await an_event(db, people)
    a, b = people.families[:2]
    signup = await signed_up(db, event, a, 2)

    assert await events.cancel_signup(db, b, signup.id, NOW) is CancelProblem.NOT_FOUND
    assert await events.cancel_signup(db, b, 999, NOW) is CancelProblem.NOT_FOUND
    assert (await states(db, event))[0][1] is SignupState.CONFIRMED


@pytest.mark.parametrize(
    ("adults", "children", "problem"),
    [
        (0, 0, SignUpProblem.BAD_COUNTS),
        (events.MAX_ADULTS + 1, 0, SignUpProblem.BAD_COUNTS),
        (1, -1, SignUpProblem.BAD_COUNTS),
        (2, 1, SignUpProblem.NO_CHILDREN),  # a theme morning is for the adults
    ],
)
async def test_bad_counts_sign_nobody_up(
    db: Database, people: People, adults: int, children: int, problem: SignUpProblem
) -> None:
    event = await an_event(db, people)

    assert await events.sign_up(db, event.id, people.families[0], adults, children, NOW) is problem
    assert await states(db, event) == []


async def test_children_count_on_an_outing_and_a_party_larger_than_it_all_is_refused(
    db: Database, people: People
) -> None:
    outing = replace(MORNING, kind=EventKind.OUTING, children_along=True, capacity=6)
    event = await an_event(db, people, outing)
    a, b = people.families[:2]

    assert await events.sign_up(db, event.id, a, 2, 5, NOW) is SignUpProblem.TOO_MANY
    await signed_up(db, event, a, 2, 3)
    result = await events.sign_up(db, event.id, b, 1, 1, NOW)
    assert isinstance(result, Waiting)  # 5 + 2 > 6


async def test_without_a_capacity_everyone_gets_a_place(db: Database, people: People) -> None:
    event = await an_event(db, people, replace(MORNING, capacity=None))
    for member in people.families:
        assert isinstance(await events.sign_up(db, event.id, member, 6, 0, NOW), Confirmed)


# --- deadline, audience, state -------------------------------------------------------------


async def test_after_the_deadline_nobody_signs_up_and_a_place_is_given_back_only_late(
    db: Database, people: People
) -> None:
    event = await an_event(db, people, replace(MORNING, capacity=4))
    a, b, c = people.families[:3]
    place = await signed_up(db, event, a, 4)
    waiting = await signed_up(db, event, b, 2)
    after = DEADLINE + HOUR

    assert await events.sign_up(db, event.id, c, 1, 0, after) is SignUpProblem.DEADLINE
    assert await events.cancel_signup(db, a, place.id, after) is CancelProblem.LATE
    assert (await states(db, event))[0][1] is SignupState.CONFIRMED
    late = await events.cancel_signup(db, a, place.id, after, late=True)
    assert isinstance(late, SignupCancelled) and late.late
    assert [party.signup.id for party in late.moved_up] == [waiting.id]


async def test_a_place_in_line_is_given_up_after_the_deadline_without_asking(
    db: Database, people: People
) -> None:
    event = await an_event(db, people, replace(MORNING, capacity=4))
    a, b = people.families[:2]
    await signed_up(db, event, a, 4)
    waiting = await signed_up(db, event, b, 2)

    result = await events.cancel_signup(db, b, waiting.id, NOW + 6 * DAY)

    assert isinstance(result, SignupCancelled) and not result.late


async def test_nothing_is_given_up_once_the_event_has_started(db: Database, people: People) -> None:
    event = await an_event(db, people)
    a = people.families[0]
    place = await signed_up(db, event, a, 2)

    started = MORNING.starts_at + HOUR
    assert await events.cancel_signup(db, a, place.id, started, late=True) is CancelProblem.STARTED


@pytest.mark.parametrize(
    ("audience", "who", "allowed"),
    [
        (EventAudience.FAMILIES, "family", True),
        (EventAudience.FAMILIES, "mentor", False),
        (EventAudience.MENTORS, "family", False),
        (EventAudience.MENTORS, "mentor", True),
        (EventAudience.EVERYONE, "family", True),
        (EventAudience.EVERYONE, "mentor", True),
        (EventAudience.PROSPECTIVE, "family", False),
        (EventAudience.PROSPECTIVE, "mentor", False),
    ],
)
async def test_who_may_sign_up_and_sees_the_event(
    db: Database, people: People, audience: EventAudience, who: str, allowed: bool
) -> None:
    event = await an_event(db, people, replace(MORNING, audience=audience))
    member = people.families[0] if who == "family" else people.mentor

    result = await events.sign_up(db, event.id, member, 1, 0, NOW)

    assert isinstance(result, Confirmed) if allowed else result is SignUpProblem.AUDIENCE
    listed = [listing.event.id for listing in await events.open_to(db, member, NOW)]
    assert listed == ([event.id] if allowed else [])


async def test_the_list_shows_what_may_still_be_joined_soonest_first(
    db: Database, people: People
) -> None:
    later = await an_event(
        db, people, replace(MORNING, starts_at=NOW + 9 * DAY, ends_at=NOW + 10 * DAY)
    )
    sooner = await an_event(db, people)
    closed = await an_event(db, people, replace(MORNING, signup_deadline=NOW + HOUR))
    gone = await an_event(db, people)
    assert isinstance(await events.cancel(db, people.coordinator, gone.id, NOW), EventCancelled)

    listed = await events.open_to(db, people.families[0], NOW + 2 * HOUR)

    assert [listing.event.id for listing in listed] == [sooner.id, later.id]
    assert closed.id not in [listing.event.id for listing in listed]


async def test_a_cancelled_event_tells_everyone_signed_up_and_waiting(
    db: Database, people: People
) -> None:
    event = await an_event(db, people, replace(MORNING, capacity=4))
    a, b, c = people.families[:3]
    place = await signed_up(db, event, a, 4)
    await signed_up(db, event, b, 2)

    result = await events.cancel(db, people.coordinator, event.id, NOW)

    assert isinstance(result, EventCancelled) and result.event.state is EventState.CANCELLED
    assert [party.members for party in result.to_tell] == [[a], [b]]
    assert await events.cancel(db, people.coordinator, event.id, NOW) is EventProblem.CANCELLED
    assert await events.sign_up(db, event.id, c, 1, 0, NOW) is SignUpProblem.NOT_OPEN
    assert await events.cancel_signup(db, a, place.id, NOW) is CancelProblem.EVENT_CANCELLED
    assert (
        await events.update(db, people.coordinator, event.id, MORNING, NOW)
        is EventProblem.CANCELLED
    )


# --- changes -------------------------------------------------------------------------------


async def test_a_new_time_or_place_is_told_to_all_and_a_new_title_to_none(
    db: Database, people: People
) -> None:
    event = await an_event(db, people, replace(MORNING, capacity=4))
    a, b = people.families[:2]
    await signed_up(db, event, a, 4)
    await signed_up(db, event, b, 2)

    retitled = await events.update(
        db, people.coordinator, event.id, replace(MORNING, capacity=4, title="Ny"), NOW
    )
    moved = await events.update(
        db, people.coordinator, event.id, replace(MORNING, capacity=4, place="Rådhuset"), NOW
    )

    assert isinstance(retitled, Changed) and retitled.to_tell == []
    assert not (retitled.time_changed or retitled.place_changed)
    assert isinstance(moved, Changed) and moved.place_changed and not moved.time_changed
    assert [party.members for party in moved.to_tell] == [[a], [b]]


async def test_a_larger_capacity_moves_the_list_up_and_a_smaller_one_is_refused(
    db: Database, people: People
) -> None:
    event = await an_event(db, people, replace(MORNING, capacity=4))
    a, b = people.families[:2]
    await signed_up(db, event, a, 3)
    await signed_up(db, event, b, 2)

    too_small = await events.update(
        db, people.coordinator, event.id, replace(MORNING, capacity=2), NOW
    )
    larger = await events.update(
        db, people.coordinator, event.id, replace(MORNING, capacity=5), NOW
    )

    assert too_small is EventProblem.CAPACITY_TOO_SMALL
    assert isinstance(larger, Changed) and larger.to_tell == []
    assert [party.members for party in larger.moved_up] == [[b]]


async def test_children_cannot_be_left_out_of_an_outing_they_are_signed_up_for(
    db: Database, people: People
) -> None:
    outing = replace(MORNING, kind=EventKind.OUTING, children_along=True)
    event = await an_event(db, people, outing)
    await signed_up(db, event, people.families[0], 2, 2)

    result = await events.update(
        db, people.coordinator, event.id, replace(outing, children_along=False), NOW
    )

    assert result is EventProblem.CHILDREN_SIGNED_UP
    assert await states(db, event) == [(household(people.families[0]), SignupState.CONFIRMED, 4)]


@pytest.mark.parametrize(
    ("details", "problem"),
    [
        (replace(MORNING, title="  "), EventProblem.NO_TITLE),
        (replace(MORNING, ends_at=MORNING.starts_at), EventProblem.BACKWARDS),
        (replace(MORNING, starts_at=NOW - HOUR), EventProblem.PAST),
        (replace(MORNING, signup_deadline=MORNING.ends_at), EventProblem.DEADLINE_AFTER_START),
        (replace(MORNING, capacity=0), EventProblem.BAD_CAPACITY),
    ],
)
async def test_an_event_described_wrong_is_not_made(
    db: Database, people: People, details: EventDetails, problem: EventProblem
) -> None:
    assert await events.create(db, details, people.coordinator, NOW) is problem
    assert await events.open_to(db, people.families[0], NOW) == []


# --- races ---------------------------------------------------------------------------------


def in_order(lines: list[tuple[int | None, SignupState, int]]) -> bool:
    """Strict order kept: in the order they came, every place comes before every wait."""
    kinds = [state for _, state, _ in lines]
    return kinds == sorted(kinds, key=lambda state: state is SignupState.WAITING)


async def test_two_cancellations_and_a_signup_at_once_keep_capacity_and_order(
    db: Database, second_db: Database, people: People
) -> None:
    event = await an_event(db, people)
    a, b, c, d, e = people.families[:5]
    first = await signed_up(db, event, a, 4)
    second = await signed_up(db, event, b, 4)
    await signed_up(db, event, c, 3)
    await signed_up(db, event, d, 2)

    results = await asyncio.gather(
        events.cancel_signup(db, a, first.id, NOW),
        events.cancel_signup(second_db, b, second.id, NOW),
        events.sign_up(db, event.id, e, 5, 0, NOW),
    )

    assert isinstance(results[0], SignupCancelled) and isinstance(results[1], SignupCancelled)
    lines = await states(db, event)
    assert sum(people for _, state, people in lines if state is SignupState.CONFIRMED) <= 10
    assert in_order(lines)
    # C and D were first in line; E fits behind them (3 + 2 + 5) whenever it came.
    assert lines == [
        (household(c), SignupState.CONFIRMED, 3),
        (household(d), SignupState.CONFIRMED, 2),
        (household(e), SignupState.CONFIRMED, 5),
    ]


async def test_many_at_once_never_exceed_capacity_and_wait_in_the_order_they_came(
    db: Database, second_db: Database, people: People
) -> None:
    event = await an_event(db, people, replace(MORNING, capacity=7))
    a, b = people.families[:2]
    first = await signed_up(db, event, a, 3)
    second = await signed_up(db, event, b, 3)
    others = people.families[2:]

    await asyncio.gather(
        *(
            events.sign_up(db if n % 2 else second_db, event.id, member, 1 + n % 3, 0, NOW)
            for n, member in enumerate(others)
        ),
        events.cancel_signup(second_db, a, first.id, NOW),
        events.cancel_signup(db, b, second.id, NOW),
    )

    lines = await states(db, event)
    assert len(lines) == len(others)
    assert sum(people for _, state, people in lines if state is SignupState.CONFIRMED) <= 7
    assert in_order(lines)
    waiting = await events.roster(db, event.id)
    assert waiting is not None
    positions = [
        result.position
        for member in others
        for result in await events.own_signups(db, member, NOW)
        if isinstance(result, Waiting)
    ]
    # Arrival order, not the order they were started in: each place is held once, 1 to n.
    assert sorted(positions) == list(range(1, len(waiting.waiting) + 1))


# --- personal data -------------------------------------------------------------------------


async def test_a_signup_is_the_households_in_mydata_and_keeps_only_its_counts_after(
    db: Database, people: People
) -> None:
    event = await an_event(db, people)
    a, b = people.families[:2]
    await signed_up(db, event, a, 2)
    await signed_up(db, event, b, 3)

    data = await personal_data.export(db, a.id, a, NOW)
    assert data is not None
    exported = json.loads(data)["event_signups"]
    assert [(row["event_id"], row["adults"], row["state"]) for row in exported] == [
        (event.id, 2, "confirmed")
    ]

    # Erased after the event: the place was used, and its counts stay for the figures.
    assert await personal_data.erase(db, a.id, a, MORNING.ends_at) is not None
    assert [line[0] for line in await states(db, event)] == [None, household(b)]

    await retention.erase_expired_content(db, 30 * DAY, MORNING.ends_at + 29 * DAY)
    assert [line[0] for line in await states(db, event)] == [None, household(b)]
    await retention.erase_expired_content(db, 30 * DAY, MORNING.ends_at + 30 * DAY)
    assert await states(db, event) == [
        (None, SignupState.CONFIRMED, 2),
        (None, SignupState.CONFIRMED, 3),
    ]


# --- reminders ---------------------------------------------------------------------------


async def planned(db: Database, now: datetime, *, after_restart: bool = False) -> list[int]:
    """The sign-ups whose one-day reminder a plan at `now` would send, now or later."""
    result = await reminders.schedule(
        db, [DAY], now, after_restart=after_restart, kind=events.REMINDERS
    )
    return sorted(reminder.subject.id for reminder in [*result.now, *result.later])


async def test_only_households_with_a_place_are_reminded_and_those_moved_up_from_then_on(
    db: Database, people: People
) -> None:
    event = await an_event(db, people, replace(MORNING, signup_deadline=None))
    first = await signed_up(db, event, people.families[0], 6)
    second = await signed_up(db, event, people.families[1], 4)
    waiting = await signed_up(db, event, people.families[2], 3)
    assert waiting.state is SignupState.WAITING
    assert await planned(db, NOW) == [first.id, second.id]

    given_up = await events.cancel_signup(db, people.families[0], first.id, NOW)
    assert isinstance(given_up, SignupCancelled)
    assert await planned(db, NOW) == [second.id, waiting.id]  # the Lunds moved up

    assert isinstance(await events.cancel(db, people.coordinator, event.id, NOW), EventCancelled)
    assert await planned(db, NOW) == []
    assert await events.claim_reminder(db, second.id, 1440, event.details.starts_at - DAY) is None


async def test_an_event_reminder_is_claimed_once_when_due_and_not_planned_again(
    db: Database, people: People
) -> None:
    event = await an_event(db, people)
    place = await signed_up(db, event, people.families[0], 2)
    due = event.details.starts_at - DAY
    assert await events.claim_reminder(db, place.id, 1440, due - HOUR) is None  # not due yet
    assert await events.claim_reminder(db, 9999, 1440, due) is None  # forged or gone

    delivery = await events.claim_reminder(db, place.id, 1440, due)
    assert delivery is not None and delivery.listing.event.id == event.id
    assert [member.id for member in delivery.party.members] == [people.families[0].id]
    assert await events.claim_reminder(db, place.id, 1440, due) is None  # claimed already
    # A bot that died sending it takes it over at its next start, and only then.
    assert await planned(db, due + HOUR) == []
    assert await planned(db, due + HOUR, after_restart=True) == [place.id]
    assert await reminders.finish(
        db, place.id, 1440, due + HOUR, held_since=due, kind=events.REMINDERS
    )
    assert await planned(db, due + 2 * HOUR, after_restart=True) == []


# --- moves up still to tell ------------------------------------------------------------------


async def untold(db: Database, before: datetime, now: datetime = NOW) -> list[int]:
    """The sign-ups moved up before `before` whose households were not told yet."""
    async with db.read() as session:
        return [signup.id for _, signup in await storage_events.untold_moves(session, before, now)]


async def test_a_move_up_is_to_tell_from_the_move_on_until_it_is_marked_told(
    db: Database, people: People
) -> None:
    event = await an_event(db, people)
    first = await signed_up(db, event, people.families[0], 6)
    second = await signed_up(db, event, people.families[1], 4)
    waiting = await signed_up(db, event, people.families[2], 3)
    later = await signed_up(db, event, people.families[3], 4)
    assert await untold(db, NOW + HOUR) == []  # nobody moved up: nothing to tell

    # The move and "to tell" are one write: a stop right after it leaves it to tell.
    assert isinstance(
        await events.cancel_signup(db, people.families[0], first.id, NOW), SignupCancelled
    )
    assert await untold(db, NOW + HOUR) == [waiting.id]
    assert await untold(db, NOW) == []  # a move made at `before` may be being told right now
    assert await untold(db, NOW + HOUR, now=event.details.starts_at) == []  # begun: too late

    async with db.write() as session:
        await storage_events.mark_moves_told(session, [waiting.id, second.id], NOW + HOUR)
    assert await untold(db, NOW + 2 * HOUR) == []

    # Another move is to tell on its own; one whose event is cancelled is not.
    assert isinstance(
        await events.cancel_signup(db, people.families[1], second.id, NOW), SignupCancelled
    )
    assert await untold(db, NOW + HOUR) == [later.id]
    assert isinstance(await events.cancel(db, people.coordinator, event.id, NOW), EventCancelled)
    assert await untold(db, NOW + HOUR) == []


async def test_a_reminder_sent_is_planned_again_for_a_new_start_and_not_for_a_new_title(
    db: Database, people: People
) -> None:
    event = await an_event(db, people, replace(MORNING, signup_deadline=None))
    place = await signed_up(db, event, people.families[0], 2)
    due = event.details.starts_at - DAY
    assert await events.claim_reminder(db, place.id, 1440, due) is not None
    assert await reminders.finish(db, place.id, 1440, due, held_since=due, kind=events.REMINDERS)
    assert await planned(db, due) == []

    retitled = replace(event.details, title="Placerade barns hälsa och sömn")
    assert isinstance(await events.update(db, people.coordinator, event.id, retitled, due), Changed)
    assert await planned(db, due) == []  # the start stands: sent is sent
    later = replace(
        retitled, starts_at=event.details.starts_at + DAY, ends_at=event.details.ends_at + DAY
    )
    assert isinstance(await events.update(db, people.coordinator, event.id, later, due), Changed)
    assert await planned(db, due) == [place.id]  # a day before the new start
