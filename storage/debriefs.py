"""Mentors' requests to be called back after a conversation, and the coordinators' copies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage.db import Session
from storage.models import to_db


async def ask(
    session: Session, request_id: int, mentor_member_id: int, now: datetime
) -> int | None:
    """The new request's number; None when this mentor asked about this question before."""
    if not await session.changed_one(
        "INSERT OR IGNORE INTO debriefs (request_id, mentor_member_id, asked_at) VALUES (?, ?, ?)",
        (request_id, mentor_member_id, to_db(now)),
    ):
        return None
    row = await session.fetch_one(
        "SELECT id FROM debriefs WHERE request_id = ? AND mentor_member_id = ?",
        (request_id, mentor_member_id),
    )
    assert row is not None
    return int(row["id"])


async def acknowledge(
    session: Session, debrief_id: int, coordinator_id: int, now: datetime
) -> bool:
    """The first coordinator to take it; False when it was taken (or is gone)."""
    return await session.changed_one(
        "UPDATE debriefs SET acknowledged_by = ?, acknowledged_at = ? "
        "WHERE id = ? AND acknowledged_at IS NULL",
        (coordinator_id, to_db(now), debrief_id),
    )


async def mentor_of(session: Session, debrief_id: int) -> int | None:
    """The mentor who asked; None for no such request, or one whose mentor is gone."""
    row = await session.fetch_one(
        "SELECT mentor_member_id FROM debriefs WHERE id = ?", (debrief_id,)
    )
    return None if row is None else row["mentor_member_id"]


async def acknowledged_by(session: Session, debrief_id: int) -> int | None:
    row = await session.fetch_one(
        "SELECT acknowledged_by FROM debriefs WHERE id = ?", (debrief_id,)
    )
    return None if row is None else row["acknowledged_by"]


async def remember_messages(
    session: Session, debrief_id: int, shown: Sequence[tuple[int, int]]
) -> None:
    await session.execute_many(
        "INSERT OR REPLACE INTO debrief_messages (debrief_id, chat_id, message_id) "
        "VALUES (?, ?, ?)",
        [(debrief_id, chat, message) for chat, message in shown],
    )


async def take_messages(session: Session, debrief_id: int) -> list[tuple[int, int]]:
    """The coordinators' copies, to edit: read and forgotten in one go."""
    rows = await session.fetch_all(
        "SELECT chat_id, message_id FROM debrief_messages WHERE debrief_id = ?", (debrief_id,)
    )
    await session.execute("DELETE FROM debrief_messages WHERE debrief_id = ?", (debrief_id,))
    return [(row["chat_id"], row["message_id"]) for row in rows]


async def unsent(session: Session) -> list[int]:
    """Requests asked but never shown to a coordinator (a stop came in between)."""
    rows = await session.fetch_all(
        "SELECT id FROM debriefs d WHERE acknowledged_at IS NULL AND NOT EXISTS "
        "(SELECT 1 FROM debrief_messages m WHERE m.debrief_id = d.id) ORDER BY id"
    )
    return [row["id"] for row in rows]


async def forget_chat(session: Session, chat_id: int) -> None:
    await session.execute("DELETE FROM debrief_messages WHERE chat_id = ?", (chat_id,))


async def forget_asked_before(session: Session, before: datetime) -> int:
    """Who asked to be called back, and who took it, stop being said after the retention:
    that a mentor needed support is about them; how many asked is the figure."""
    return await session.execute(
        "UPDATE debriefs SET mentor_member_id = NULL, acknowledged_by = NULL "
        "WHERE asked_at < ? AND (mentor_member_id IS NOT NULL OR acknowledged_by IS NOT NULL)",
        (to_db(before),),
    )
