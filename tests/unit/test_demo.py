"""The sandbox's demo, seeded into an empty database through the bot's own services.

What a visitor relies on: a coordinator, three mentor and five foster family households named
in the service's language, two mentor households on duty the moment the demo starts (so a
question is accepted within a minute), the coming weekend partly covered, and a newsletter on
its way to the families. The demo may start at any moment, including the nights the clocks
change, and must never refuse its own rota.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

import pytest

from bot import audit, broadcasts, members
from bot.app import demo
from bot.rota import local_span, on_duty
from storage import shifts as shift_store
from storage.db import Database
from storage.models import Action, Audience, BroadcastState, DeliveryState, Member, Role, Shift

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MONDAY_AFTERNOON = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)  # 14:00 in Stockholm
FIRST_TELEGRAM_ID = 5001


def telegram_ids() -> dict[demo.DemoAdult, int]:
    return {adult: FIRST_TELEGRAM_ID + n for n, (_, adult) in enumerate(demo.adults())}


async def seed(db: Database, now: datetime, language: str = "en") -> dict[demo.DemoAdult, int]:
    ids = telegram_ids()
    await demo.seed(db, ids, language, STOCKHOLM, now)
    return ids


async def all_shifts(db: Database, around: datetime) -> list[Shift]:
    async with db.read() as session:
        return await shift_store.shifts_overlapping(
            session, around - timedelta(days=2), around + timedelta(days=14)
        )


def households_by_name(everyone: list[Member]) -> dict[str, list[Member]]:
    named: dict[str, list[Member]] = {}
    for member in everyone:
        named.setdefault(member.household.display_name or "", []).append(member)
    return named


def household_id(everyone: list[Member], name: str) -> int:
    return households_by_name(everyone)[name][0].household.id


async def test_the_demo_has_a_coordinator_three_mentor_and_five_family_households(
    db: Database,
) -> None:
    ids = await seed(db, MONDAY_AFTERNOON)
    everyone = await members.list_members(db)

    households = {
        (member.household.id, member.role, member.household.display_name) for member in everyone
    }
    assert Counter(role for _, role, _ in households) == {
        Role.COORDINATOR: 1,
        Role.MENTOR: 3,
        Role.FAMILY: 5,
    }
    named = households_by_name(everyone)
    assert sorted(named) == sorted(
        [
            "Foster care team",
            "The Bergs",
            "The Holms",
            "The Nilssons",
            "The Eks",
            "The Sjöbergs",
            "The Dahls",
            "The Lindqvists",
            "The Anderssons",
        ]
    )
    # Eva and Johan Berg are two adults of one household; so are Lina and Omar Ek.
    assert len(named["The Bergs"]) == 2
    assert len(named["The Eks"]) == 2
    assert all(len(named[name]) == 1 for name in named if name not in ("The Bergs", "The Eks"))
    # Each adult is the Telegram account the sandbox gave them.
    by_telegram_id = {member.telegram_user_id: member for member in everyone}
    assert sorted(by_telegram_id) == sorted(ids.values())
    for household, adult in demo.adults():
        member = by_telegram_id[ids[adult]]
        assert member.role is household.role
        assert member.household.display_name == household.display_name("en")


@pytest.mark.parametrize(
    ("language", "coordinator", "mentors", "newsletter"),
    [
        ("sv", "Familjehemsenheten", "Familjen Berg", "Nyhetsbrev"),
        ("da", "Plejefamilieteamet", "Familien Berg", "Nyhedsbrev"),
        ("en", "Foster care team", "The Bergs", "Autumn newsletter"),
    ],
)
async def test_households_and_the_newsletter_are_in_the_chosen_language(
    db: Database, language: str, coordinator: str, mentors: str, newsletter: str
) -> None:
    await seed(db, MONDAY_AFTERNOON, language)
    everyone = await members.list_members(db)
    names = {member.household.display_name for member in everyone}
    assert coordinator in names
    assert mentors in names
    assert len(names) == 9
    (sent,) = await broadcasts.recent(db)
    assert sent.broadcast.body is not None
    assert newsletter in sent.broadcast.body


async def test_two_mentor_households_are_on_duty_when_the_demo_starts(db: Database) -> None:
    await seed(db, MONDAY_AFTERNOON)
    everyone = await members.list_members(db)
    running = on_duty(await all_shifts(db, MONDAY_AFTERNOON), MONDAY_AFTERNOON)
    assert sorted(shift.household_id for shift in running) == sorted(
        [household_id(everyone, "The Bergs"), household_id(everyone, "The Holms")]
    )
    # From the start of this hour (14:00 in Stockholm) to the evening's end at 22:00.
    for shift in running:
        assert shift.starts_at == datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
        assert shift.ends_at == datetime(2026, 11, 23, 21, 0, tzinfo=UTC)


async def test_the_coming_weekend_is_partly_covered(db: Database) -> None:
    await seed(db, MONDAY_AFTERNOON)
    everyone = await members.list_members(db)
    saturday, sunday = date(2026, 11, 28), date(2026, 11, 29)
    weekend = [
        shift
        for shift in await all_shifts(db, MONDAY_AFTERNOON)
        if shift.starts_at.astimezone(STOCKHOLM).date() in (saturday, sunday)
    ]
    plan = [
        ("The Nilssons", local_span(saturday, time(9), time(15), STOCKHOLM)),
        ("The Bergs", local_span(saturday, time(15), time(22), STOCKHOLM)),
        ("The Holms", local_span(sunday, time(9), time(15), STOCKHOLM)),
    ]
    assert [(s.household_id, s.starts_at, s.ends_at) for s in weekend] == [
        (household_id(everyone, name), span.start, span.end) for name, span in plan
    ]


async def test_the_newsletter_goes_to_every_family_adult_and_waits_for_the_bot(
    db: Database,
) -> None:
    ids = await seed(db, MONDAY_AFTERNOON)
    everyone = await members.list_members(db)
    coordinator = households_by_name(everyone)["Foster care team"][0]

    (sent,) = await broadcasts.recent(db)
    assert sent.broadcast.audience is Audience.FAMILIES
    assert sent.broadcast.state is BroadcastState.SENDING
    assert sent.broadcast.created_by == coordinator.id
    assert sent.broadcast.kind == "text"
    family_adults = [a for h, a in demo.adults() if h.role is Role.FAMILY]
    assert len(family_adults) == 6
    assert sent.counts == {DeliveryState.PENDING: 6}
    # The outbox hands the deliveries to the bot, to the family adults and nobody else.
    claimed = [d.chat_id for d in await broadcasts.claim_due(db, MONDAY_AFTERNOON, 100)]
    assert sorted(claimed) == sorted(ids[adult] for adult in family_adults)


async def test_the_audit_log_shows_the_coordinator_inviting_and_booking_the_rota(
    db: Database,
) -> None:
    await seed(db, MONDAY_AFTERNOON, "sv")
    logged = list(reversed(await audit.latest(db, 50)))
    partners = [entry for entry in logged if entry.action in {Action.PARTNER_JOIN, Action.APPROVE}]
    # The Bergs' second adult is added, and approved before any question reaches them; so is
    # the Eks' second adult, whom nobody need approve.
    assert [(entry.actor, entry.action, entry.subject) for entry in partners] == [
        ("Familjen Berg", Action.PARTNER_JOIN, "member #3 (mentor)"),
        ("Familjehemsenheten", Action.APPROVE, "member #3 (mentor)"),
        ("Familjen Ek", Action.PARTNER_JOIN, "member #7 (family)"),
    ]
    entries = [entry for entry in logged if entry not in partners]
    assert [(entry.actor, entry.action, entry.subject) for entry in entries[:8]] == [
        ("Familjehemsenheten", Action.INVITE, "mentor"),
    ] * 3 + [("Familjehemsenheten", Action.INVITE, "family")] * 5
    bookings = entries[8:13]
    assert [(entry.actor, entry.action) for entry in bookings] == [
        ("Familjehemsenheten", Action.SHIFT_ADD),
    ] * 5
    named = households_by_name(await members.list_members(db))
    first = {name: adults[0].id for name, adults in named.items()}
    booked = [
        "Familjen Berg",
        "Familjen Holm",
        "Familjen Nilsson",
        "Familjen Berg",
        "Familjen Holm",
    ]
    assert [entry.subject for entry in bookings] == [
        f"shift #{number} (member #{first[name]})" for number, name in enumerate(booked, start=1)
    ]
    (newsletter,) = entries[13:]
    assert (newsletter.actor, newsletter.action) == ("Familjehemsenheten", Action.BROADCAST)
    assert newsletter.subject.endswith("to families")
    assert all(entry.at == MONDAY_AFTERNOON for entry in entries)


def stockholm(
    year: int, month: int, day: int, hour: int, minute: int = 0, fold: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, fold=fold, tzinfo=STOCKHOLM).astimezone(UTC)


AWKWARD_MOMENTS = [
    pytest.param(stockholm(2026, 11, 27, 23, 30), id="friday-23:30"),
    pytest.param(stockholm(2026, 11, 28, 10, 0), id="saturday-10:00"),
    pytest.param(stockholm(2026, 11, 28, 16, 0), id="saturday-16:00"),
    pytest.param(stockholm(2026, 11, 29, 23, 0), id="sunday-23:00"),
    pytest.param(stockholm(2026, 11, 23, 0, 0), id="monday-midnight"),
    # Spring forward, Sunday 2026-03-29: 02:00-03:00 does not exist.
    pytest.param(stockholm(2026, 3, 28, 20, 30), id="spring-eve-20:30"),
    pytest.param(stockholm(2026, 3, 28, 23, 0), id="spring-eve-23:00"),
    pytest.param(stockholm(2026, 3, 29, 1, 30), id="spring-01:30"),
    pytest.param(stockholm(2026, 3, 29, 3, 30), id="spring-03:30"),
    # Fall back, Sunday 2026-10-25: 02:00-03:00 happens twice.
    pytest.param(stockholm(2026, 10, 24, 21, 30), id="autumn-eve-21:30"),
    pytest.param(stockholm(2026, 10, 25, 2, 30, fold=0), id="autumn-first-02:30"),
    pytest.param(stockholm(2026, 10, 25, 2, 30, fold=1), id="autumn-second-02:30"),
    pytest.param(stockholm(2026, 10, 25, 23, 0), id="autumn-sunday-23:00"),
]


@pytest.mark.parametrize("now", AWKWARD_MOMENTS)
async def test_the_demo_can_start_at_any_moment(db: Database, now: datetime) -> None:
    await seed(db, now)  # a refused shift would raise
    everyone = await members.list_members(db)
    booked = await all_shifts(db, now)
    assert len(booked) == 5

    # No household is booked twice at once.
    for first, second in combinations(booked, 2):
        if first.household_id == second.household_id:
            assert first.ends_at <= second.starts_at or second.ends_at <= first.starts_at

    # Berg and Holm are on duty right now, from the start of this hour, for six real hours or
    # to the evening's end at 22:00, whichever is later.
    running = on_duty(booked, now)
    assert sorted(shift.household_id for shift in running) == sorted(
        [household_id(everyone, "The Bergs"), household_id(everyone, "The Holms")]
    )
    this_hour = now.astimezone(STOCKHOLM).replace(minute=0)
    for shift in running:
        assert shift.starts_at == this_hour.astimezone(UTC)
        assert shift.ends_at - shift.starts_at >= timedelta(hours=demo.ON_DUTY_HOURS)
        evening_ends = datetime.combine(this_hour.date(), demo.EVENING_ENDS, tzinfo=STOCKHOLM)
        assert shift.ends_at == max(
            this_hour.astimezone(UTC) + timedelta(hours=demo.ON_DUTY_HOURS),
            evening_ends.astimezone(UTC),
        )

    # The weekend's three shifts fall on the first Saturday and Sunday after today.
    today = now.astimezone(STOCKHOLM).date()
    weekend_days = {
        shift.starts_at.astimezone(STOCKHOLM).date() for shift in booked if shift not in running
    }
    saturday = min(weekend_days)
    assert saturday.weekday() == 5
    assert today < saturday <= today + timedelta(days=7)
    assert weekend_days == {saturday, saturday + timedelta(days=1)}
    assert all(shift.starts_at > now for shift in booked if shift not in running)
