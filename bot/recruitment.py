"""Recruiting foster families: a name and a telephone number, given with explicit consent.

Nothing is stored until the person presses the consent button; the registration is erased with
the service's other content after `MENTORBOT_RETENTION_DAYS`.
"""

from __future__ import annotations

import re
from datetime import datetime

from storage import interest
from storage.db import Database
from storage.interest import Interest

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
    db: Database, telegram_user_id: int, name: str, phone: str, language: str, now: datetime
) -> int:
    async with db.write() as session:
        return await interest.register(session, telegram_user_id, name, phone, language, now)


async def registered(db: Database) -> list[Interest]:
    async with db.read() as session:
        return await interest.registered(session)
