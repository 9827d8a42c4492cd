"""Recruiting foster families: a name and a telephone number, given with explicit consent.

Nothing is stored until the person presses the consent button; the registration is erased with
the service's other content after `MENTORBOT_RETENTION_DAYS`, or at once when the person
withdraws it with /forget. A person has one registration: registering again updates it. The
coordinators hear of new (and updated) registrations once a day, in one message.

The number is kept in E.164 (+46701234567), however it came: typed the way people write numbers
at home (070-123 45 67, 0046 70..., a Danish 20 12 34 56) or shared from Telegram, whose apps
send the account's number in international form, with or without its +. One form that any
phone can dial, from the service's country or from abroad, whoever reads the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import phonenumbers

from bot import events
from bot.events import Released
from storage import interest
from storage.db import Database
from storage.models import Interest


def clean_phone(raw: str, country: str) -> str | None:
    """A typed telephone number in E.164, read as a number of `country` (the service's, an ISO
    3166 code) unless it says otherwise; None if it is not a number anyone can be called on."""
    try:
        number = phonenumbers.parse(raw, country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def shared_phone(phone_number: str, country: str) -> str | None:
    """The number in a contact Telegram sent: always international, its + sometimes left out."""
    return clean_phone("+" + phone_number.strip().lstrip("+"), country)


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


@dataclass(frozen=True, slots=True)
class Withdrawn:
    registration: Interest  # what it said, to show the person what went
    released: list[Released]  # places at information meetings given back, and who moved up


async def withdraw(
    db: Database, telegram_user_id: int, interest_id: int, consented_at: datetime, now: datetime
) -> Withdrawn | None:
    """The person's registration erased (GDPR art. 17) with their places at information
    meetings to come; None if there is none, or it was updated since the question named it."""
    async with db.write() as session:
        current = await interest.of_person(session, telegram_user_id)
        if current is None or (current.id, current.consented_at) != (interest_id, consented_at):
            return None
        released = await events.release(session, ("interest", interest_id), now)
        erased = await interest.withdraw(session, telegram_user_id, interest_id, consented_at)
        assert erased is not None  # read as it was in this transaction
    return Withdrawn(erased, released)


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
