"""The lifecycle of a conversation: one nobody writes in is closed, once, by the service."""

from __future__ import annotations

from datetime import timedelta

from bot import routing
from storage.db import Database
from storage.models import Member, RequestState
from tests.unit import routing_support
from tests.unit.routing_support import HOUR, MINUTE, NOW, People, conversation

people = routing_support.people
on_duty = routing_support.on_duty
IDLE = timedelta(hours=12)


async def test_a_conversation_nobody_writes_in_is_closed_once_and_activity_keeps_it_open(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    berg = people.berg[0]
    quiet = await conversation(db, berg, people.family[0])  # accepted at NOW + 1 minute
    busy = await conversation(db, people.lund, people.other_family)
    await routing.remember_relays(db, 21, [900], busy, NOW + 2 * HOUR)

    assert await routing.close_idle(db, IDLE, NOW + 12 * HOUR) == []  # not quite 12 hours
    closed = await routing.close_idle(db, IDLE, NOW + 12 * HOUR + 2 * MINUTE)
    assert [ended.request.id for ended in closed] == [quiet.id]
    assert closed[0].mentor == berg and [a.id for a in closed[0].family] == [
        adult.id for adult in people.family
    ]
    assert closed[0].request.state is RequestState.CLOSED
    assert await routing.close_idle(db, IDLE, NOW + 13 * HOUR) == []  # closed once
    assert [ended.request.id for ended in await routing.close_idle(db, IDLE, NOW + 15 * HOUR)] == [
        busy.id
    ]
    # An idle close is the service's: neither side ended it, and the family may still rate it.
    assert await routing.rate(db, people.family[0], quiet.id, 4)
    async with db.read() as session:
        row = await session.fetch_one("SELECT ended_by FROM requests WHERE id = ?", (quiet.id,))
    assert row is not None and row["ended_by"] is None
