"""One way out: a member removed by a coordinator, or erased at their own or a coordinator's
request, leaves the same nothing behind.

Before, removal and erasure each did part of it: an erased mentor's coming shifts stayed on the
rota, covered by nobody, and an unused invite outlived its maker, who could come back through
it. Everything a departure ends happens here, inside the caller's transaction, so that it ends
with the member's access or not at all. What the other people must be told is returned for the
handlers to say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot import events, routing
from bot.events import Released
from bot.routing import Ended
from storage import (
    availability,
    broadcasts,
    households,
    interest,
    invites,
    matching,
    shifts,
    unit_notes,
)
from storage import events as stored_events
from storage.db import Session
from storage.models import Member


@dataclass(frozen=True, slots=True)
class Departure:
    member: Member
    # What ended with them: conversations they held, their family's open question.
    ended: list[Ended] = field(default_factory=list)
    # The coming shifts of a mentor household whose last adult left: nobody would turn up, so
    # the rota shows the gaps instead of a cover that does not exist.
    cancelled_shifts: int = 0
    last_of_household: bool = False
    # Places at events to come given back (the household's with its last adult, the member's
    # own from an information meeting before they joined), and who moved up into them.
    released: list[Released] = field(default_factory=list)


async def depart(session: Session, member: Member, now: datetime) -> Departure:
    """End what the member leaves behind; the caller then deletes or erases them."""
    household = member.household.id
    last = await households.household_members(session, household) == [member]
    ended = await routing.end_for_departure(session, member, now, last_of_household=last)
    await invites.revoke_made_by(session, member.id, now)
    await broadcasts.drop_undelivered_to(session, member.id)
    await broadcasts.forget_member(session, member.id, member.telegram_user_id)
    released: list[Released] = []
    if registration := await interest.of_person(session, member.telegram_user_id):
        released += await events.release(session, ("interest", registration.id), now)
    cancelled = 0
    if last:
        cancelled = await shifts.delete_shifts_ending_after(session, household, now)
        released += await events.release(session, ("household", household), now)
        await households.forget_household_name(session, household)
        await availability.forget_household(session, household)
        await stored_events.forget_course_days(session, household)
        await matching.forget_household(session, household)
        await unit_notes.forget_family(session, household)
    return Departure(member, ended, cancelled, last, released)
