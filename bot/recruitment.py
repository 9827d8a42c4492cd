"""Recruiting foster families: a name and a telephone number, given with explicit consent.

Nothing is stored until the person presses the consent button; the registration is erased with
the service's other content after `MENTORBOT_RETENTION_DAYS`, or at once when the person
withdraws it with /forget. A person has one registration: registering again updates it. The
coordinators hear of new (and updated) registrations once a day, in one message.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from storage import interest
from storage.db import Database
from storage.models import Interest

# Digits with the spaces, dashes, parentheses and leading + people type: 7 to 15 digits.
_PHONE = re.compile(r"\+?\(?[0-9][0-9 ()\-]{5,22}[0-9]")
_MIN_DIGITS, _MAX_DIGITS = 7, 15


def clean_phone(raw: str) -> str | None:
    """The number as typed, if it is one; None for anything else."""
    text = raw.strip()
    digits = sum(character.isdigit() for character in text)
    if not _PHONE.fullmatch(text) or not _MIN_DIGITS <= digits <= _MAX_DIGITS:
        return None
    return text


async def register(
    db: Database, telegram_user_id: int, *, name: str, phone: str, language: str, now: datetime
) -> tuple[int, bool]:
    """The registration's number, and whether it is new (False: an earlier one was updated)."""
    async with db.write() as session:
        return await interest.register(
            session, telegram_user_id, name=name, phone=phone, language=language, now=now
        )


async def registration_of(db: Database, telegram_user_id: int) -> Interest | None:
    async with db.read() as session:
        return await interest.of_person(session, telegram_user_id)


async def withdraw(
    db: Database, telegram_user_id: int, interest_id: int, consented_at: datetime
) -> Interest | None:
    """The person's registration erased (GDPR art. 17), and what it said; None if there is
    none, or it was updated since the question named it."""
    async with db.write() as session:
        return await interest.withdraw(session, telegram_user_id, interest_id, consented_at)


async def claim_daily_report(db: Database, local_day: date, now: datetime) -> list[Interest]:
    """The registrations that day's list is to show; empty if there are none, or if that day's
    list was claimed already (by the daily job or a catch-up at a start)."""
    async with db.write() as session:
        if not await interest.claim_report(session, local_day.isoformat(), now):
            return []
        return await interest.unannounced(session)


async def reported(db: Database, listed: list[Interest], now: datetime) -> None:
    """The list went out: those it showed are not new any more. Until this runs (a stop in
    between), they stay new and are listed again the next day rather than never."""
    async with db.write() as session:
        await interest.mark_announced(session, [entry.id for entry in listed], now)


async def registered(db: Database) -> list[Interest]:
    async with db.read() as session:
        return await interest.registered(session)
