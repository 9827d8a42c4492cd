"""Invites: stored by the hash of their code, used at most once."""

from __future__ import annotations

from datetime import datetime

from storage.db import Session
from storage.models import Invite, Role, from_db, to_db


async def create_invite(
    session: Session,
    code_hash: str,
    role: Role,
    now: datetime,
    expires_at: datetime,
    created_by: int | None,
    household_id: int | None = None,
) -> int:
    return await session.insert(
        "INSERT INTO invites (code_hash, role, household_id, created_by, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (code_hash, role.value, household_id, created_by, to_db(now), to_db(expires_at)),
    )


async def invite_by_hash(session: Session, code_hash: str) -> Invite | None:
    row = await session.fetch_one(
        "SELECT id, role, household_id, created_at, expires_at, used_at FROM invites "
        "WHERE code_hash = ?",
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
    )


async def mark_used(session: Session, invite_id: int, member_id: int, now: datetime) -> bool:
    """Claim the invite; False if somebody else used it first (two presses, two people)."""
    changed = await session.execute(
        "UPDATE invites SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL",
        (to_db(now), member_id, invite_id),
    )
    return changed == 1
