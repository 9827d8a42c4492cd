"""Membership: who someone is, their household's name, their language, removal."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot import routing
from bot.audit import Action
from bot.routing import Ended
from storage import audit, households, shifts
from storage.db import Database
from storage.models import Member, Role

DISPLAY_NAME_MIN = 2
DISPLAY_NAME_MAX = 60


class RemoveOutcome(StrEnum):
    REMOVED = "removed"
    NOT_FOUND = "not_found"
    SELF = "self"


async def identify(db: Database, telegram_user_id: int) -> Member | None:
    async with db.read() as session:
        return await households.member_by_telegram_id(session, telegram_user_id)


async def list_members(db: Database) -> list[Member]:
    async with db.read() as session:
        return await households.all_members(session)


async def with_role(db: Database, role: Role) -> list[Member]:
    """Every adult of every household with `role`: whom to tell about the rota, say."""
    async with db.read() as session:
        return await households.members_with_role(session, role)


async def household_of(db: Database, member: Member) -> list[Member]:
    return await household_members(db, member.household.id)


async def household_members(db: Database, household_id: int) -> list[Member]:
    async with db.read() as session:
        return await households.household_members(session, household_id)


async def ensure_coordinators(db: Database, telegram_user_ids: Iterable[int], now: datetime) -> int:
    """Make the configured ids coordinators from the first start; returns how many were new.

    An id that already belongs to another household keeps it: the configuration seeds
    coordinators, it does not silently move a foster family into the office's role.
    """
    added = 0
    async with db.write() as session:
        for user_id in sorted(telegram_user_ids):
            if await households.member_by_telegram_id(session, user_id) is None:
                household_id = await households.create_household(session, Role.COORDINATOR, now)
                await households.add_member(session, household_id, user_id, now)
                added += 1
    return added


def clean_display_name(raw: str) -> str | None:
    """The name as others will see it, or None if it cannot be one.

    Control and formatting characters are refused rather than stripped, so that what the
    member typed is what everybody sees.
    """
    name = " ".join(raw.split())
    if not DISPLAY_NAME_MIN <= len(name) <= DISPLAY_NAME_MAX:
        return None
    if name.startswith("/") or any(unicodedata.category(c)[0] == "C" for c in name):
        return None
    return name


async def name_household(db: Database, member: Member, display_name: str) -> None:
    async with db.write() as session:
        await households.set_display_name(session, member.household.id, display_name)


async def note_telegram_language(
    db: Database, member: Member, telegram_language: str | None
) -> None:
    """Remember the app's language, to write in it when the bot speaks first (reminders)."""
    async with db.write() as session:
        await households.note_telegram_language(session, member.id, telegram_language)


async def choose_language(db: Database, member: Member, language: str) -> None:
    async with db.write() as session:
        await households.set_language(session, member.id, language)


@dataclass(frozen=True, slots=True)
class Removal:
    outcome: RemoveOutcome
    member: Member | None = None
    # The shifts of a mentor household whose last adult left: nobody would turn up for them,
    # so they go, and the rota shows the gaps instead of a cover that does not exist.
    cancelled_shifts: int = 0
    # What ended with them: conversations they held, their family's open question (routing).
    ended: list[Ended] = field(default_factory=list)


async def remove(db: Database, remover: Member, member_id: int, now: datetime) -> Removal:
    """Remove one adult; their access ends with this transaction."""
    if member_id == remover.id:
        return Removal(RemoveOutcome.SELF)
    async with db.write() as session:
        member = await households.member_by_id(session, member_id)
        if member is None:
            return Removal(RemoveOutcome.NOT_FOUND)
        ended = await routing.end_for_departure(session, member, now)
        await households.delete_member(session, member_id)
        subject = f"member #{member_id} ({member.role.value})"
        await audit.record(session, remover, Action.REMOVE, subject, now)
        cancelled = 0
        if not await households.household_members(session, member.household.id):
            cancelled = await shifts.delete_shifts_ending_after(session, member.household.id, now)
    return Removal(RemoveOutcome.REMOVED, member, cancelled, ended)


async def first_unchecked_file(db: Database, member: Member) -> bool:
    """True the first time this adult sends a picture or a file, and never again."""
    async with db.write() as session:
        return await households.mark_told_files_unchecked(session, member.id)
