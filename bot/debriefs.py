"""Care for the mentors: "Talk it through" after a conversation.

A mentor who held a conversation may ask, with one press after it ended, to be called back by
the coordinators; the request carries who asks and the question's number, never what was said.
The first coordinator to acknowledge it takes it (one conditional update), and the mentor is
told who will call. A request is written before anyone is told of it, and one no coordinator
was shown (a stop came in between) is sent at the next start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from storage import debriefs, households, requests
from storage.db import Database, Session
from storage.models import Member, RequestState, Role


class DebriefProblem(StrEnum):
    NOT_YOURS = "not_yours"  # not a conversation this adult held, or not over yet
    ASKED = "asked"  # asked about this conversation already
    TAKEN = "taken"  # another coordinator acknowledged it first
    GONE = "gone"  # no such request (or its mentor left)


@dataclass(frozen=True, slots=True)
class Asked:
    debrief_id: int
    mentor: Member
    coordinators: list[Member]


@dataclass(frozen=True, slots=True)
class Acknowledged:
    mentor: Member
    coordinator: Member
    # The other coordinators' copies, to edit to "taken by".
    copies: list[tuple[int, int]]


async def ask(
    db: Database, mentor: Member, request_id: int, now: datetime
) -> Asked | DebriefProblem:
    async with db.write() as session:
        request = await requests.request_by_id(session, request_id)
        ended = request is not None and request.state is RequestState.CLOSED
        if not ended or request is None or request.mentor_member_id != mentor.id:
            return DebriefProblem.NOT_YOURS
        debrief_id = await debriefs.ask(session, request_id, mentor.id, now)
        if debrief_id is None:
            return DebriefProblem.ASKED
        coordinators = await households.members_with_role(session, Role.COORDINATOR)
    return Asked(debrief_id, mentor, coordinators)


async def remember_copies(db: Database, debrief_id: int, shown: list[tuple[int, int]]) -> None:
    async with db.write() as session:
        await debriefs.remember_messages(session, debrief_id, shown)


async def acknowledge(
    db: Database, coordinator: Member, debrief_id: int, now: datetime
) -> Acknowledged | DebriefProblem:
    async with db.write() as session:
        mentor = await _mentor(session, debrief_id)
        if mentor is None:
            return DebriefProblem.GONE
        if not await debriefs.acknowledge(session, debrief_id, coordinator.id, now):
            return DebriefProblem.TAKEN
        copies = await debriefs.take_messages(session, debrief_id)
    return Acknowledged(mentor, coordinator, copies)


async def _mentor(session: Session, debrief_id: int) -> Member | None:
    mentor_id = await debriefs.mentor_of(session, debrief_id)
    return None if mentor_id is None else await households.member_by_id(session, mentor_id)


async def taken_by(db: Database, debrief_id: int) -> Member | None:
    async with db.read() as session:
        holder = await debriefs.acknowledged_by(session, debrief_id)
        return None if holder is None else await households.member_by_id(session, holder)


async def unsent(db: Database) -> list[Asked]:
    """Requests no coordinator was shown, to send at start."""
    found = []
    async with db.read() as session:
        coordinators = await households.members_with_role(session, Role.COORDINATOR)
        for debrief_id in await debriefs.unsent(session):
            mentor = await _mentor(session, debrief_id)
            if mentor is not None:
                found.append(Asked(debrief_id, mentor, coordinators))
    return found
