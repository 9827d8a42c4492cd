"""Invites: stored by the hash of their code, used at most once."""

from __future__ import annotations

from datetime import datetime

from storage.db import Session
from storage.models import Invite, OpenInvite, Role, from_db, to_db
from storage.numbers import next_number


async def create_invite(
    session: Session,
    code_hash: str,
    role: Role,
    *,
    now: datetime,
    expires_at: datetime,
    created_by: int | None,
    household_id: int | None = None,
) -> int:
    return await session.insert(
        "INSERT INTO invites (id, code_hash, role, household_id, created_by, created_at, "
        f"expires_at) VALUES ({next_number('invites')}, ?, ?, ?, ?, ?, ?)",
        (code_hash, role.value, household_id, created_by, to_db(now), to_db(expires_at)),
    )


async def invite_by_hash(session: Session, code_hash: str) -> Invite | None:
    row = await session.fetch_one(
        "SELECT id, role, household_id, created_at, expires_at, used_at, revoked_at, "
        "created_by FROM invites WHERE code_hash = ?",
        (code_hash,),
    )
    if row is None:
        return None
    return Invite(
        id=row["id"],
        role=Role(row["role"]),
        household_id=row["household_id"],
        created_at=from_db(row["created_at"]),
        expires_at=from_db(row["expires_at"]),
        used_at=from_db(row["used_at"]) if row["used_at"] else None,
        revoked_at=from_db(row["revoked_at"]) if row["revoked_at"] else None,
        created_by=row["created_by"],
    )


async def mark_used(session: Session, invite_id: int, member_id: int, now: datetime) -> bool:
    """Claim the invite; False if somebody else used it first (two presses, two people)."""
    changed = await session.execute(
        "UPDATE invites SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL",
        (to_db(now), member_id, invite_id),
    )
    return changed == 1


async def revoke_made_by(session: Session, member_id: int, now: datetime) -> int:
    """A departing member's unused invites end with them: nobody comes back through one."""
    return await session.execute(
        "UPDATE invites SET revoked_at = ? "
        "WHERE created_by = ? AND used_at IS NULL AND revoked_at IS NULL",
        (to_db(now), member_id),
    )


async def revoke(session: Session, invite_id: int, now: datetime) -> bool:
    """A coordinator withdraws one invite, once, while it is still open."""
    return await session.changed_one(
        "UPDATE invites SET revoked_at = ? "
        "WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
        (to_db(now), invite_id, to_db(now)),
    )


async def open_invites(session: Session, now: datetime) -> list[OpenInvite]:
    """Invites that can still be used, the oldest first, with who made them."""
    rows = await session.fetch_all(
        "SELECT i.id, i.role, i.household_id, i.created_by, i.created_at, i.expires_at, "
        "h.display_name AS household_name FROM invites i "
        "LEFT JOIN households h ON h.id = i.household_id "
        "WHERE i.used_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > ? ORDER BY i.id",
        (to_db(now),),
    )
    return [
        OpenInvite(
            id=row["id"],
            role=Role(row["role"]),
            household_id=row["household_id"],
            household_name=row["household_name"],
            created_by=row["created_by"],
            created_at=from_db(row["created_at"]),
            expires_at=from_db(row["expires_at"]),
        )
        for row in rows
    ]
