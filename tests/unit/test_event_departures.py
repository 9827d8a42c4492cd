"""Places at events that people leave behind, and the prospective families' sign-ups.

A household that leaves (its last adult removed or erased) and a registration of interest that
is withdrawn give back their places at the events to come, so that the waiting list moves up
into them instead of a place being kept for nobody; an information meeting takes people who
are not members, by the registration of interest they consented to, and a refused sign-up
keeps nothing of them."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot import events, members, personal_data, recruitment, reminders, retention
from bot.events import Confirmed, SignUpProblem, Waiting
from storage.db import Database
from storage.models import (
    Event,
    EventAudience,
    EventDetails,
    EventKind,
    Member,
    Role,
    SignupState,
)
from tests.support import make_household

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)
MEETING = EventDetails(
    kind=EventKind.INFORMATION_MEETING,
    title="Vill du bli familjehem?",
    starts_at=NOW + 60 * DAY,  # two months out: beyond the 30 days' retention
    ends_at=NOW + 60 * DAY + timedelta(hours=2),
    audience=EventAudience.PROSPECTIVE,
    capacity=4,
)
OUTING = replace(
    MEETING,
    kind=EventKind.OUTING,
    title="Till Skansen",
    audience=EventAudience.FAMILIES,
    children_along=True,
)


async def household_of(db: Database, name: str, user: int, role: Role = Role.FAMILY) -> Member:
    (member,) = await make_household(db, role, name, (user,), NOW - DAY)
    return member


async def an_event(db: Database, details: EventDetails) -> Event:
    event = await events.create(db, details, None, NOW)  # from the catalogue, say
    assert isinstance(event, Event)
    return event


async def prospect(
    db: Database, event: Event, user: int, adults: int, name: str = "Anna Svensson"
) -> Confirmed | Waiting | SignUpProblem:
    return await events.sign_up_prospect(
        db, event.id, user, name=name, phone="+46701234567", language="sv", adults=adults, now=NOW
    )


async def lines(db: Database, event: Event) -> list[tuple[str | None, SignupState, int]]:
    roster = await events.roster(db, event.id)
    assert roster is not None
    return [
        (line.household_name, line.signup.state, line.signup.people)
        for line in roster.confirmed + roster.waiting
    ]


async def test_a_household_that_leaves_gives_its_places_to_the_waiting_list(db: Database) -> None:
    outing = await an_event(db, replace(OUTING, capacity=5))
    leaving = await household_of(db, "Familjen Ek", 1)
    waiting = await household_of(db, "Familjen Al", 2)
    coordinator = await household_of(db, "Lena", 101, Role.COORDINATOR)
    assert isinstance(await events.sign_up(db, outing.id, leaving, 2, 2, NOW), Confirmed)
    assert isinstance(await events.sign_up(db, outing.id, waiting, 2, 1, NOW), Waiting)

    removal = await members.remove(db, coordinator, leaving.id, NOW)

    assert removal.departure is not None
    [released] = removal.departure.released
    assert released.event.id == outing.id
    assert [party.members for party in released.moved_up] == [[waiting]]
    assert await lines(db, outing) == [("Familjen Al", SignupState.CONFIRMED, 3)]


async def test_an_erased_household_frees_its_place_but_one_adult_leaving_does_not(
    db: Database,
) -> None:
    outing = await an_event(db, replace(OUTING, capacity=2))
    first, second = await make_household(db, Role.FAMILY, "Familjen Ek", (1, 11), NOW - DAY)
    waiting = await household_of(db, "Familjen Al", 2)
    await events.sign_up(db, outing.id, first, 2, 0, NOW)
    await events.sign_up(db, outing.id, waiting, 2, 0, NOW)

    erasure = await personal_data.erase(db, first.id, first, NOW)
    assert erasure is not None and erasure.departure.released == []  # the other adult comes
    erasure = await personal_data.erase(db, second.id, second, NOW)
    assert erasure is not None
    assert [p.members for r in erasure.departure.released for p in r.moved_up] == [[waiting]]
    assert await lines(db, outing) == [("Familjen Al", SignupState.CONFIRMED, 2)]


async def test_a_prospective_family_signs_up_by_its_registration_of_interest(
    db: Database,
) -> None:
    meeting = await an_event(db, MEETING)

    first = await prospect(db, meeting, 501, adults=2)
    second = await prospect(db, meeting, 502, adults=3, name="Erik Ek")

    assert isinstance(first, Confirmed) and isinstance(second, Waiting)
    assert second.position == 1
    assert await lines(db, meeting) == [
        ("Anna Svensson", SignupState.CONFIRMED, 2),
        ("Erik Ek", SignupState.WAITING, 3),
    ]
    # They are registrations of interest like any other: the coordinators' list counts them.
    assert [entry.name for entry in await recruitment.registered(db)] == [
        "Anna Svensson",
        "Erik Ek",
    ]
    assert await prospect(db, meeting, 501, adults=1) is SignUpProblem.ALREADY


async def test_a_refused_prospective_sign_up_keeps_nothing_of_the_person(db: Database) -> None:
    outing = await an_event(db, OUTING)
    full_meeting = await an_event(db, replace(MEETING, capacity=2))

    assert await prospect(db, outing, 501, adults=1) is SignUpProblem.AUDIENCE
    assert await prospect(db, full_meeting, 501, adults=3) is SignUpProblem.TOO_MANY
    assert (
        await events.sign_up_prospect(
            db, 999, 501, name="A", phone="+46701234567", language="sv", adults=1, now=NOW
        )
        is SignUpProblem.NOT_FOUND
    )
    assert await recruitment.registered(db) == []


async def test_a_family_cannot_take_a_prospective_familys_meeting(db: Database) -> None:
    meeting = await an_event(db, MEETING)
    family = await household_of(db, "Familjen Ek", 1)
    assert await events.sign_up(db, meeting.id, family, 1, 0, NOW) is SignUpProblem.AUDIENCE


async def test_withdrawing_the_registration_gives_the_place_to_the_next_in_line(
    db: Database,
) -> None:
    meeting = await an_event(db, MEETING)
    await prospect(db, meeting, 501, adults=4)
    await prospect(db, meeting, 502, adults=2, name="Erik Ek")
    anna = await recruitment.registration_of(db, 501)
    assert anna is not None

    withdrawn = await recruitment.withdraw(db, 501, anna.id, anna.consented_at, NOW)

    assert withdrawn is not None and withdrawn.registration.name == "Anna Svensson"
    [released] = withdrawn.released
    [moved] = released.moved_up
    assert moved.prospect is not None and moved.prospect.telegram_user_id == 502
    assert moved.prospect.language == "sv"
    assert await lines(db, meeting) == [("Erik Ek", SignupState.CONFIRMED, 2)]


async def test_a_registration_for_a_meeting_to_come_outlives_the_retention_until_it_is_held(
    db: Database,
) -> None:
    meeting = await an_event(db, MEETING)
    await prospect(db, meeting, 501, adults=1)
    retention_days = timedelta(days=30)

    # 31 days on, the meeting still a month away: the place and the registration stay.
    await retention.erase_expired_content(db, retention_days, NOW + 31 * DAY)
    assert await lines(db, meeting) == [("Anna Svensson", SignupState.CONFIRMED, 1)]

    # Once it has been held, the registration goes with the retention; the count stays.
    await retention.erase_expired_content(db, retention_days, MEETING.ends_at + DAY)
    assert await recruitment.registered(db) == []
    assert await lines(db, meeting) == [(None, SignupState.CONFIRMED, 1)]


async def test_a_prospective_family_with_a_place_is_reminded_like_a_household(
    db: Database,
) -> None:
    meeting = await an_event(db, replace(MEETING, capacity=2))
    placed = await prospect(db, meeting, 501, adults=2)
    waiting = await prospect(db, meeting, 502, adults=1, name="Erik Ek")
    assert isinstance(placed, Confirmed) and isinstance(waiting, Waiting)
    due = MEETING.starts_at - DAY

    plan = await reminders.schedule(db, [DAY], NOW, after_restart=False, kind=events.REMINDERS)
    assert [reminder.subject.id for reminder in plan.later] == [placed.signup.id]
    delivery = await events.claim_reminder(db, placed.signup.id, 1440, due)
    assert delivery is not None and delivery.party.members == []
    assert delivery.party.prospect is not None
    assert (delivery.party.prospect.telegram_user_id, delivery.party.prospect.language) == (
        501,
        "sv",
    )
    assert await events.claim_reminder(db, waiting.signup.id, 1440, due) is None


async def test_a_stranger_cancels_one_place_and_keeps_the_registration_and_the_others(
    db: Database,
) -> None:
    meeting = await an_event(db, MEETING)
    later = await an_event(
        db,
        replace(
            MEETING, starts_at=MEETING.starts_at + 30 * DAY, ends_at=MEETING.ends_at + 30 * DAY
        ),
    )
    mine = await prospect(db, meeting, 501, adults=3)
    await prospect(db, later, 501, adults=1)
    await prospect(db, meeting, 502, adults=2, name="Erik Ek")  # waits behind the three
    assert isinstance(mine, Confirmed)

    # Someone else's sign-up, by its number, is not theirs to give up.
    assert await events.cancel_prospect_signup(db, 502, mine.signup.id, NOW) is (
        events.CancelProblem.NOT_FOUND
    )
    cancelled = await events.cancel_prospect_signup(db, 501, mine.signup.id, NOW)

    assert isinstance(cancelled, events.SignupCancelled)
    assert [party.prospect is not None for party in cancelled.moved_up] == [True]
    assert await lines(db, meeting) == [("Erik Ek", SignupState.CONFIRMED, 2)]
    assert [own.event.id for own in await events.prospect_signups(db, 501, NOW)] == [later.id]
    assert await recruitment.registration_of(db, 501) is not None
    again = await events.cancel_prospect_signup(db, 501, mine.signup.id, NOW)
    assert again is events.CancelProblem.NOT_FOUND


async def test_a_strangers_export_shows_each_meeting_and_where_they_wait(db: Database) -> None:
    meeting = await an_event(db, replace(MEETING, place="Stadshuset"))
    await prospect(db, meeting, 501, adults=4)
    await prospect(db, meeting, 502, adults=1, name="Erik Ek")

    assert await personal_data.export_prospect(db, 503, NOW) is None  # nothing stored
    exported = await personal_data.export_prospect(db, 502, NOW)
    assert exported is not None
    data = json.loads(exported)
    [registration] = data["interest_registrations"]
    assert (registration["name"], registration["phone"]) == ("Erik Ek", "+46701234567")
    [place] = data["information_meetings"]
    assert (place["title"], place["place"], place["adults"]) == (
        meeting.details.title,
        "Stadshuset",
        1,
    )
    assert datetime.fromisoformat(place["starts_at"]) == MEETING.starts_at
    assert (place["state"], place["waiting_position"]) == ("waiting", 1)
    # Once a member, the same account's export still shows the meeting it signed up for.
    (member,) = await make_household(db, Role.FAMILY, "Familjen Ek", (502,), NOW)
    exported = await personal_data.export(db, member.id, member, NOW)
    assert exported is not None
    assert [m["event_id"] for m in json.loads(exported)["information_meetings"]] == [meeting.id]
