"""Own mentor households and experience: what coordinators set for routing to weigh.

A foster family is linked to at most one mentor household, and a mentor household holds at most
MENTORBOT_FAMILIES_PER_MENTOR families; the cap is decided in the link's own statement, so two
coordinators linking at once cannot both take the last place. Every change is in the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from storage import audit, households
from storage import matching as matching_store
from storage.db import Database
from storage.models import Action, Household, Member, Role


class LinkProblem(StrEnum):
    UNKNOWN_MEMBER = "unknown_member"
    NOT_FAMILY = "not_family"
    NOT_MENTOR = "not_mentor"
    FULL = "full"  # the mentor household holds its most families already


@dataclass(frozen=True, slots=True)
class Linked:
    family: Household
    mentor: Household
    families_held: int  # the mentor household's families, this one included


async def link(
    db: Database,
    coordinator: Member,
    family_number: int,
    mentor_number: int,
    limit: int,
    now: datetime,
) -> Linked | LinkProblem:
    """Make the household of adult `mentor_number` the own mentor household of the family of
    adult `family_number` (a family linked before moves)."""
    async with db.write() as session:
        family = await households.member_by_id(session, family_number)
        mentor = await households.member_by_id(session, mentor_number)
        if family is None or mentor is None:
            return LinkProblem.UNKNOWN_MEMBER
        if family.role is not Role.FAMILY:
            return LinkProblem.NOT_FAMILY
        if mentor.role is not Role.MENTOR:
            return LinkProblem.NOT_MENTOR
        if not await matching_store.link(
            session, family.household.id, mentor.household.id, limit, now
        ):
            return LinkProblem.FULL
        held = await matching_store.families_of(session, mentor.household.id)
        subject = f"family {family.household.id} to mentor household {mentor.household.id}"
        await audit.record(session, coordinator, Action.MENTOR_LINK, subject, now)
    return Linked(family.household, mentor.household, len(held))


async def unlink(
    db: Database, coordinator: Member, family_number: int, now: datetime
) -> Household | LinkProblem | None:
    """The family's link ends; None: it had none. Returns the mentor household it had."""
    async with db.write() as session:
        family = await households.member_by_id(session, family_number)
        if family is None:
            return LinkProblem.UNKNOWN_MEMBER
        if family.role is not Role.FAMILY:
            return LinkProblem.NOT_FAMILY
        mentor = await matching_store.own_mentor_household(session, family.household.id)
        if mentor is None:
            return None
        await matching_store.unlink(session, family.household.id)
        subject = f"family {family.household.id} from mentor household {mentor.id}"
        await audit.record(session, coordinator, Action.MENTOR_UNLINK, subject, now)
    return mentor


def one_adult_each(adults: Sequence[Member]) -> list[Member]:
    """The lowest-numbered adult of each household, in number order: the number that stands for
    the household where a coordinator picks one (/link takes any adult's)."""
    seen: set[int] = set()
    first = []
    for adult in sorted(adults, key=lambda adult: adult.id):
        if adult.household.id not in seen:
            seen.add(adult.household.id)
            first.append(adult)
    return first


async def mentor_households(db: Database) -> list[Member]:
    """Every mentor household, by its lowest-numbered adult, as /members lists them."""
    async with db.read() as session:
        mentors = await households.members_with_role(session, Role.MENTOR)
    return one_adult_each(mentors)


async def own_mentor_of(db: Database, family: Member) -> Household | None:
    async with db.read() as session:
        return await matching_store.own_mentor_household(session, family.household.id)


async def families_of(db: Database, mentor: Member) -> list[Household]:
    async with db.read() as session:
        return await matching_store.families_of(session, mentor.household.id)


async def experience_of(db: Database, mentor: Member) -> frozenset[str]:
    async with db.read() as session:
        found = await matching_store.experience_of(session, [mentor.household.id])
    return found.get(mentor.household.id, frozenset())


async def set_experience(
    db: Database, coordinator: Member, mentor: Member, tag: str, present: bool, now: datetime
) -> frozenset[str]:
    """Give the household the tag, or take it away, as the press said; returns the tags now.
    The same press twice (or two coordinators' at once) leaves it as asked, never flipped."""
    household = mentor.household.id
    async with db.write() as session:
        known = await matching_store.experience_of(session, [household])
        found = known.get(household, frozenset())
        tags = found | {tag} if present else found - {tag}
        await matching_store.set_experience(session, household, tags)
        subject = f"mentor household {household}: {', '.join(sorted(tags)) or '-'}"
        await audit.record(session, coordinator, Action.EXPERIENCE, subject, now)
    return tags
