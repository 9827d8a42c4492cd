"""One-time invites: how a person becomes a member with a role.

A code is the only secret a newcomer holds, so it is long and random (`secrets`), travels only
in a deep link, and is stored as a SHA-256 hash: a leaked database cannot be used to join.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.config import DEFAULT_HOUSEHOLD_ADULTS
from storage import audit, households, invites
from storage.db import Database
from storage.models import Action, Member, OpenInvite, Role

INVITE_LIFETIME = timedelta(days=7)
# Deep-link payloads may hold up to 64 characters of [A-Za-z0-9_-]; ours are 32.
_CODE_BYTES = 24
_CODE_SHAPE = re.compile(r"^[A-Za-z0-9_-]{32}$")


class JoinOutcome(StrEnum):
    JOINED = "joined"
    ALREADY_MEMBER = "already_member"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"  # by a coordinator, or because the member who made it left
    HOUSEHOLD_FULL = "household_full"


@dataclass(frozen=True, slots=True)
class IssuedInvite:
    code: str
    role: Role
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class JoinResult:
    outcome: JoinOutcome
    member: Member | None = None
    # True when the newcomer joined an existing household (a partner invite).
    joined_household: bool = False
    # The adult who made the partner invite, for the coordinators to be told who added whom.
    added_by: Member | None = None


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


async def issue(
    db: Database,
    role: Role,
    now: datetime,
    created_by: Member | None = None,
    household_id: int | None = None,
) -> IssuedInvite:
    code = secrets.token_urlsafe(_CODE_BYTES)
    expires_at = now + INVITE_LIFETIME
    async with db.write() as session:
        await invites.create_invite(
            session,
            hash_code(code),
            role,
            now=now,
            expires_at=expires_at,
            created_by=created_by.id if created_by else None,
            household_id=household_id,
        )
        if created_by is not None and created_by.role is Role.COORDINATOR:
            await audit.record(session, created_by, Action.INVITE, role.value, now)
    return IssuedInvite(code=code, role=role, expires_at=expires_at)


async def issue_partner_invite(
    db: Database, member: Member, now: datetime, household_limit: int = DEFAULT_HOUSEHOLD_ADULTS
) -> IssuedInvite | None:
    """An invite into the member's own household, with the household's role; None when the
    household has `household_limit` adults already."""
    async with db.read() as session:
        adults = await households.household_members(session, member.household.id)
    if len(adults) >= household_limit:
        return None
    return await issue(db, member.role, now, created_by=member, household_id=member.household.id)


async def redeem(
    db: Database,
    code: str,
    telegram_user_id: int,
    now: datetime,
    household_limit: int = DEFAULT_HOUSEHOLD_ADULTS,
) -> JoinResult:
    """Join with a code. An existing member never consumes a code meant for somebody else.

    A partner invite adds an adult to a household of fewer than `household_limit`; in a mentor
    household the newcomer waits for a coordinator's approval before any question reaches them.
    Either way the audit log records who added whom.
    """
    if not _CODE_SHAPE.match(code):
        return JoinResult(JoinOutcome.UNKNOWN)
    async with db.write() as session:
        existing = await households.member_by_telegram_id(session, telegram_user_id)
        if existing is not None:
            return JoinResult(JoinOutcome.ALREADY_MEMBER, existing)
        invite = await invites.invite_by_hash(session, hash_code(code))
        if invite is None:
            return JoinResult(JoinOutcome.UNKNOWN)
        if invite.used_at is not None:
            return JoinResult(JoinOutcome.USED)
        if invite.revoked_at is not None:
            return JoinResult(JoinOutcome.REVOKED)
        if invite.expires_at <= now:
            return JoinResult(JoinOutcome.EXPIRED)
        if invite.household_id is None:
            household_id = await households.create_household(session, invite.role, now)
            member_id = await households.add_member(session, household_id, telegram_user_id, now)
            await invites.mark_used(session, invite.id, member_id, now)
            return JoinResult(JoinOutcome.JOINED, await households.member_by_id(session, member_id))
        adults = await households.household_members(session, invite.household_id)
        if len(adults) >= household_limit:
            return JoinResult(JoinOutcome.HOUSEHOLD_FULL)
        approved = invite.role is not Role.MENTOR
        member_id = await households.add_member(
            session, invite.household_id, telegram_user_id, now, approved=approved
        )
        await invites.mark_used(session, invite.id, member_id, now)
        maker = None
        if invite.created_by is not None:
            maker = await households.member_by_id(session, invite.created_by)
        subject = f"member #{member_id} ({invite.role.value})"
        await audit.record(session, maker, Action.PARTNER_JOIN, subject, now)
        member = await households.member_by_id(session, member_id)
    return JoinResult(JoinOutcome.JOINED, member, joined_household=True, added_by=maker)


async def open_invites(db: Database, now: datetime) -> list[OpenInvite]:
    """Every invite that could still be used: a way in, each one, until it is used or ends."""
    async with db.read() as session:
        return await invites.open_invites(session, now)


async def revoke(db: Database, coordinator: Member, invite_id: int, now: datetime) -> bool:
    """Withdraw an open invite, once; False if it was used, revoked or ended already."""
    async with db.write() as session:
        if not await invites.revoke(session, invite_id, now):
            return False
        await audit.record(session, coordinator, Action.INVITE_REVOKE, f"invite #{invite_id}", now)
    return True
