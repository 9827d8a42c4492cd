"""The routing tests' world, shared by test_routing, test_addressing and test_lifecycle: NOW is
a Friday evening, the mentor households and the families (`people`), the Bergs and the Lunds on
duty (`on_duty`), and the steps of a question (asked, opened, accepted, a conversation).

A test module takes the fixtures by name: `people = routing_support.people`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot import routing
from bot.routing import Accepted, Intake
from storage import requests, shifts
from storage.db import Database
from storage.models import Kind, Member, Request, Role, Shift
from tests.support import make_household

NOW = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)  # a Friday, 19:00 in Stockholm
SECOND, MINUTE, HOUR, DAY = (
    timedelta(seconds=1),
    timedelta(minutes=1),
    timedelta(hours=1),
    timedelta(days=1),
)
QUESTION = "Vår fosterson vill inte sova, vad gör vi?"


async def household(db: Database, role: Role, name: str | None, *telegram_ids: int) -> list[Member]:
    return await make_household(db, role, name, telegram_ids, at=NOW - DAY)


@dataclass(frozen=True, slots=True)
class People:
    berg: list[Member]  # a mentor household of two adults
    lund: Member  # a mentor household of one
    holm: Member  # a third mentor household, on duty only when a test books it
    family: list[Member]  # the foster family Ek: two adults
    other_family: Member  # the foster family Ask
    coordinators: list[Member]  # two coordinator households of one adult each


@pytest.fixture
async def people(db: Database) -> People:
    (first_coordinator,) = await household(db, Role.COORDINATOR, None, 1)
    berg = await household(db, Role.MENTOR, "Familjen Berg", 11, 12)
    (lund,) = await household(db, Role.MENTOR, "Familjen Lund", 21)
    family = await household(db, Role.FAMILY, "Familjen Ek", 31, 32)
    (holm,) = await household(db, Role.MENTOR, "Familjen Holm", 41)
    (other_family,) = await household(db, Role.FAMILY, "Familjen Ask", 51)
    (second_coordinator,) = await household(db, Role.COORDINATOR, None, 2)
    return People(berg, lund, holm, family, other_family, [first_coordinator, second_coordinator])


async def book(db: Database, member: Member, start: datetime, end: datetime) -> Shift:
    """A shift of the member's household over [start, end), planned the day before."""
    async with db.write() as session:
        return await shifts.add_shift(session, member.household.id, start, end, None, NOW - DAY)


@pytest.fixture
async def on_duty(db: Database, people: People) -> list[Member]:
    """The Bergs (from 17:00 UTC) and the Lunds (from 17:30 UTC) on duty at NOW: three adults."""
    await book(db, people.berg[0], NOW - HOUR, NOW + 4 * HOUR)
    await book(db, people.lund, NOW - 30 * MINUTE, NOW + 2 * HOUR)
    return [*people.berg, people.lund]


async def ask(
    db: Database,
    adult: Member,
    message_id: int = 100,
    *,
    at: datetime = NOW,
    urgent: bool = False,
    preview: str | None = QUESTION,
    kind: Kind = Kind.TEXT,
) -> Intake:
    """A family adult writes to the bot outside a conversation, from their own chat."""
    return await routing.take_message(
        db,
        adult,
        adult.telegram_user_id,
        message_id,
        kind=kind,
        preview=preview,
        urgent=urgent,
        now=at,
    )


async def opened(db: Database, adult: Member, *, at: datetime = NOW) -> Request:
    intake = await ask(db, adult, at=at)
    assert intake.opened, intake
    return intake.request


async def accepted(db: Database, member: Member, request_id: int, at: datetime = NOW) -> Accepted:
    result = await routing.accept(db, member, request_id, at)
    assert isinstance(result, Accepted), result
    return result


async def conversation(db: Database, mentor: Member, family: Member) -> Request:
    """A request of `family` taken by `mentor` at NOW + 1 minute (the Bergs and Lunds on duty)."""
    request = await opened(db, family)
    return (await accepted(db, mentor, request.id, NOW + MINUTE)).request


async def stored(db: Database, request_id: int) -> Request:
    async with db.read() as session:
        request = await requests.request_by_id(session, request_id)
    assert request is not None
    return request
