"""Membership: who someone is, their household's name, their language, removal."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.departures import Departure, depart
from storage import audit, households
from storage.db import Database
from storage.models import Action, Member, Role

DISPLAY_NAME_MIN = 2
DISPLAY_NAME_MAX = 60


class RemoveOutcome(StrEnum):
    REMOVED = "removed"
    NOT_FOUND = "not_found"
    SELF = "self"


async def identify(db: Database, telegram_user_id: int) -> Member | None:
    """Who this Telegram account is, if anyone: asked with every update, so kept in memory
    until members or households change (`Database.remembered`)."""
    return await db.remembered(
        ("member_by_telegram_id", telegram_user_id),
        functools.partial(households.member_by_telegram_id, telegram_user_id=telegram_user_id),
    )


async def by_number(db: Database, number: int) -> Member | None:
    async with db.read() as session:
        return await households.member_by_id(session, number)


async def list_members(db: Database) -> list[Member]:
    """`slow`: a municipality's every adult, thousands of rows."""
    async with db.read(slow=True) as session:
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
    """Make each configured id a coordinator, once; returns how many were new.

    Once: a coordinator the configuration made and who was removed or erased since stays gone
    at the next start (an invite brings them back, on purpose). An id that already belongs to
    another household keeps it: the configuration seeds coordinators, it does not silently
    move a foster family into the office's role.
    """
    added = 0
    async with db.write() as session:
        for user_id in sorted(telegram_user_ids):
            if not await households.configured_first_time(session, user_id, now):
                continue
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
    departure: Departure | None = None


async def remove(db: Database, remover: Member, member_id: int, now: datetime) -> Removal:
    """Remove one adult; their access, and all they leave behind, ends with this transaction
    (`slow`: it goes through every table where they may have left a row)."""
    if member_id == remover.id:
        return Removal(RemoveOutcome.SELF)
    async with db.write(slow=True) as session:
        member = await households.member_by_id(session, member_id)
        if member is None:
            return Removal(RemoveOutcome.NOT_FOUND)
        departure = await depart(session, member, now)
        await households.delete_member(session, member_id)
        subject = f"member #{member_id} ({member.role.value})"
        await audit.record(session, remover, Action.REMOVE, subject, now)
    return Removal(RemoveOutcome.REMOVED, departure)


class ApprovalOutcome(StrEnum):
    APPROVED = "approved"
    ALREADY = "already"  # by another coordinator, or a second press
    GONE = "gone"  # left since, or the button names someone else (an old or forged one)


async def approve(
    db: Database, coordinator: Member, member_id: int, joined_at: datetime, now: datetime
) -> tuple[ApprovalOutcome, Member | None]:
    """A coordinator lets a new adult of a mentor household read families' questions.

    The button names the adult and when they joined, so that it can never approve somebody
    else who was later given the same number.
    """
    async with db.write() as session:
        member = await households.member_by_id(session, member_id)
        if member is None or member.joined_at != joined_at:
            return ApprovalOutcome.GONE, None
        if not await households.approve_member(session, member_id, now):
            return ApprovalOutcome.ALREADY, member
        subject = f"member #{member_id} ({member.role.value})"
        await audit.record(session, coordinator, Action.APPROVE, subject, now)
        approved = await households.member_by_id(session, member_id)
    return ApprovalOutcome.APPROVED, approved


async def first_unchecked_file(db: Database, member: Member) -> bool:
    """True the first time this adult sends a picture or a file, and never again."""
    async with db.write() as session:
        return await households.mark_told_files_unchecked(session, member.id)
