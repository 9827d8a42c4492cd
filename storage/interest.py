"""Registrations of interest in the next information meeting: one per person."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage.db import Row, Session
from storage.models import Interest, Prospect, from_db, to_db


def _interest(row: Row) -> Interest:
    return Interest(row["id"], row["name"], row["phone"], from_db(row["consented_at"]))


async def register(
    session: Session, telegram_user_id: int, *, name: str, phone: str, language: str, now: datetime
) -> tuple[int, bool]:
    """The person's registration, made or (a second time) updated, to be listed as new again;
    returns its number and whether it is new."""
    earlier = await of_person(session, telegram_user_id)
    row = await session.fetch_one(
        "INSERT INTO interest (telegram_user_id, name, phone, language, consented_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (telegram_user_id) DO UPDATE SET "
        "name = excluded.name, phone = excluded.phone, language = excluded.language, "
        "consented_at = excluded.consented_at, announced_at = NULL RETURNING id",
        (telegram_user_id, name, phone, language, to_db(now)),
    )
    assert row is not None  # an upsert always returns its row
    return row["id"], earlier is None


async def of_person(session: Session, telegram_user_id: int) -> Interest | None:
    row = await session.fetch_one(
        "SELECT id, name, phone, consented_at FROM interest WHERE telegram_user_id = ?",
        (telegram_user_id,),
    )
    return _interest(row) if row else None


async def withdraw(
    session: Session, telegram_user_id: int, interest_id: int, consented_at: datetime
) -> Interest | None:
    """Erase the person's registration, if it is still the one given at `consented_at`;
    returns what it said, or None if there is no such registration."""
    row = await session.fetch_one(
        "DELETE FROM interest WHERE telegram_user_id = ? AND id = ? AND consented_at = ? "
        "RETURNING id, name, phone, consented_at",
        (telegram_user_id, interest_id, to_db(consented_at)),
    )
    return _interest(row) if row else None


async def registered(session: Session) -> list[Interest]:
    rows = await session.fetch_all(
        "SELECT id, name, phone, consented_at FROM interest ORDER BY consented_at, id"
    )
    return [_interest(row) for row in rows]


async def claim_report(session: Session, local_day: str, now: datetime) -> bool:
    """True once per local day: that day's list of new registrations may be sent."""
    return (
        await session.execute(
            "INSERT OR IGNORE INTO interest_reports (local_day, sent_at) VALUES (?, ?)",
            (local_day, to_db(now)),
        )
        == 1
    )


async def unannounced(session: Session) -> list[Interest]:
    """Registrations no daily list has shown yet (new, or updated since)."""
    rows = await session.fetch_all(
        "SELECT id, name, phone, consented_at FROM interest WHERE announced_at IS NULL "
        "ORDER BY consented_at, id"
    )
    return [_interest(row) for row in rows]


async def mark_announced(session: Session, ids: Sequence[int], now: datetime) -> None:
    await session.execute_many(
        "UPDATE interest SET announced_at = ? WHERE id = ? AND announced_at IS NULL",
        [(to_db(now), interest_id) for interest_id in ids],
    )


async def erase_registered_before(session: Session, cutoff: datetime, now: datetime) -> int:
    """Erase the registrations given before `cutoff`, but not one with a place (or a place in
    line) at an information meeting still to come: it was given for that meeting, and erasing
    it would keep a place for nobody. It goes with the retention after the meeting."""
    return await session.execute(
        "DELETE FROM interest WHERE consented_at < ? AND id NOT IN (SELECT s.interest_id "
        "FROM event_signups s JOIN events e ON e.id = s.event_id WHERE s.interest_id IS NOT NULL "
        "AND s.state != 'cancelled' AND e.state != 'cancelled' AND e.ends_at > ?)",
        (to_db(cutoff), to_db(now)),
    )


async def prospect(session: Session, interest_id: int) -> Prospect | None:
    row = await session.fetch_one(
        "SELECT id, telegram_user_id, name, language FROM interest WHERE id = ?", (interest_id,)
    )
    if row is None:
        return None
    return Prospect(row["id"], row["telegram_user_id"], row["name"], row["language"])
