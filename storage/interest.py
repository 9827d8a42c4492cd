"""Registrations of interest in the next information meeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Session
from storage.models import from_db, to_db


@dataclass(frozen=True, slots=True)
class Interest:
    id: int
    name: str
    phone: str
    consented_at: datetime


async def register(
    session: Session, telegram_user_id: int, name: str, phone: str, language: str, now: datetime
) -> int:
    return await session.insert(
        "INSERT INTO interest (telegram_user_id, name, phone, language, consented_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (telegram_user_id, name, phone, language, to_db(now)),
    )


async def registered(session: Session) -> list[Interest]:
    rows = await session.fetch_all(
        "SELECT id, name, phone, consented_at FROM interest ORDER BY consented_at, id"
    )
    return [Interest(r["id"], r["name"], r["phone"], from_db(r["consented_at"])) for r in rows]


async def erase_registered_before(session: Session, cutoff: datetime) -> int:
    return await session.execute(
        "DELETE FROM interest WHERE consented_at < ?", (to_db(cutoff),)
    )
