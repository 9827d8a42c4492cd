"""The audit log: one row per coordinator action, written in the action's own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Session
from storage.models import Action, Member, from_db, to_db


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor: str | None
    action: Action
    subject: str


async def record(
    session: Session, actor: Member | None, action: Action, subject: str, now: datetime
) -> None:
    await session.execute(
        "INSERT INTO audit_log (at, actor_id, actor, action, subject) VALUES (?, ?, ?, ?, ?)",
        (
            to_db(now),
            actor.id if actor else None,
            actor.household.display_name if actor else None,
            action.value,
            subject,
        ),
    )


async def latest(session: Session, limit: int) -> list[AuditEntry]:
    rows = await session.fetch_all(
        "SELECT at, actor, action, subject FROM audit_log ORDER BY id DESC LIMIT ?", (limit,)
    )
    return [
        AuditEntry(from_db(r["at"]), r["actor"], Action(r["action"]), r["subject"]) for r in rows
    ]
