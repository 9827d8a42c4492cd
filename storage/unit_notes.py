"""Mentors' notes for the families' social workers, the families' yes or no, and delivery."""

from __future__ import annotations

from datetime import datetime

from storage.db import Row, Session
from storage.models import UnitNote, from_db, to_db

_SELECT = """
    SELECT n.id, n.request_id, n.mentor_member_id, n.body, n.consent, n.decided_at,
           r.family_household_id, f.display_name AS family_name, m.display_name AS mentor_name
    FROM unit_notes n
    JOIN requests r ON r.id = n.request_id
    LEFT JOIN households f ON f.id = r.family_household_id
    LEFT JOIN households m ON m.id = r.mentor_household_id
"""


def _note(row: Row) -> UnitNote:
    return UnitNote(
        id=row["id"],
        request_id=row["request_id"],
        mentor_member_id=row["mentor_member_id"],
        body=row["body"],
        consent=row["consent"],
        decided_at=from_db(row["decided_at"]) if row["decided_at"] else None,
        family_household_id=row["family_household_id"],
        family_name=row["family_name"],
        mentor_name=row["mentor_name"],
    )


async def begin(session: Session, request_id: int, mentor_member_id: int, chat_id: int) -> bool:
    """A note is asked for, once per mentor and question; False when asked before."""
    return await session.changed_one(
        "INSERT OR IGNORE INTO unit_notes (request_id, mentor_member_id, prompt_chat_id) "
        "VALUES (?, ?, ?)",
        (request_id, mentor_member_id, chat_id),
    )


async def set_prompt(
    session: Session, request_id: int, mentor_member_id: int, message_id: int
) -> None:
    await session.execute(
        "UPDATE unit_notes SET prompt_message_id = ? WHERE request_id = ? AND mentor_member_id = ?",
        (message_id, request_id, mentor_member_id),
    )


async def by_prompt(session: Session, chat_id: int, message_id: int) -> UnitNote | None:
    row = await session.fetch_one(
        _SELECT + "WHERE n.prompt_chat_id = ? AND n.prompt_message_id = ?", (chat_id, message_id)
    )
    return None if row is None else _note(row)


async def by_id(session: Session, note_id: int) -> UnitNote | None:
    row = await session.fetch_one(_SELECT + "WHERE n.id = ?", (note_id,))
    return None if row is None else _note(row)


async def write(session: Session, note_id: int, body: str, now: datetime) -> bool:
    """The mentor's words, once: a second reply to the prompt changes nothing."""
    return await session.changed_one(
        "UPDATE unit_notes SET body = ?, written_at = ? WHERE id = ? AND written_at IS NULL",
        (body, to_db(now), note_id),
    )


async def decide(session: Session, note_id: int, consent: bool, now: datetime) -> bool:
    """The family's answer, once; a no erases the words at once: nothing goes without a yes."""
    return await session.changed_one(
        "UPDATE unit_notes SET consent = ?, decided_at = ?, "
        "body = CASE WHEN ? THEN body END "
        "WHERE id = ? AND consent IS NULL AND written_at IS NOT NULL",
        ("yes" if consent else "no", to_db(now), int(consent), note_id),
    )


async def to_deliver(session: Session, decided_before: datetime) -> list[UnitNote]:
    """Notes the families said yes to before the moment, not delivered yet, oldest first."""
    rows = await session.fetch_all(
        _SELECT + "WHERE n.consent = 'yes' AND n.delivered_at IS NULL AND n.decided_at <= ? "
        "ORDER BY n.decided_at, n.id",
        (to_db(decided_before),),
    )
    return [_note(row) for row in rows]


async def first_undelivered(session: Session) -> datetime | None:
    """When the earliest yes not delivered yet was given."""
    row = await session.fetch_one(
        "SELECT MIN(decided_at) AS first FROM unit_notes "
        "WHERE consent = 'yes' AND delivered_at IS NULL"
    )
    return from_db(row["first"]) if row is not None and row["first"] else None


async def mark_delivered(session: Session, note_ids: list[int], now: datetime) -> None:
    await session.execute_many(
        "UPDATE unit_notes SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL",
        [(to_db(now), note_id) for note_id in note_ids],
    )


async def erase_before(session: Session, before: datetime) -> int:
    """The words of notes delivered before `before`, and of notes the family never answered
    written before it; a yes waiting for its working day keeps them."""
    return await session.execute(
        "UPDATE unit_notes SET body = NULL WHERE body IS NOT NULL AND (delivered_at < :before "
        "OR (consent IS NULL AND written_at < :before))",
        {"before": to_db(before)},
    )


async def forget_family(session: Session, household_id: int) -> None:
    """The family's last adult left: notes about it go, delivered or not."""
    await session.execute(
        "DELETE FROM unit_notes WHERE request_id IN "
        "(SELECT id FROM requests WHERE family_household_id = ?)",
        (household_id,),
    )
