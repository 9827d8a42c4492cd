"""A member's own data, as one JSON document: the right of access, without asking anyone."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.departures import Departure, depart
from storage import audit, households, personal_data, requests
from storage.db import Database
from storage.models import Action, Member, Role


async def export(db: Database, member_id: int, asked_by: Member, now: datetime) -> bytes | None:
    """Everything stored about `member_id` as UTF-8 JSON, or None if there is no such member.

    A coordinator's export is itself an action the audit log records. `slow`: it reads
    every table where the member may have left a row.
    """
    async with db.write(slow=True) as session:
        member = await households.member_by_id(session, member_id)
        if member is None:
            return None
        data = await personal_data.personal_data(
            session, member.id, member.household.id, member.telegram_user_id
        )
        if asked_by.role is Role.COORDINATOR:
            subject = f"member #{member.id} ({member.role.value})"
            await audit.record(session, asked_by, Action.DATA_EXPORT, subject, now)
    return _document(data, now)


async def export_prospect(db: Database, telegram_user_id: int, now: datetime) -> bytes | None:
    """What a person who is not a member gave (their registration of interest and their
    places at information meetings) as UTF-8 JSON, or None if nothing is stored about them."""
    async with db.read() as session:
        data = await personal_data.prospect_data(session, telegram_user_id)
    if not data["interest_registrations"]:  # their sign-ups are found through it
        return None
    return _document(data, now)


def _document(data: dict[str, Any], now: datetime) -> bytes:
    document = {"exported_at": now.isoformat(timespec="seconds"), **data}
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


# Telegram lets a bot delete a message it sent for 48 hours; an hour less leaves room for clocks
# that differ and for the time the deletions take.
DELETABLE_FOR = timedelta(hours=47)


@dataclass(frozen=True, slots=True)
class Erasure:
    departure: Departure
    # (chat, message) of the copies the bot made that it is still allowed to delete from the
    # chats: the pointers to them are erased with the rest, so this is the only list left.
    copies: list[tuple[int, int]] = field(default_factory=list)


async def erase(
    db: Database,
    member_id: int,
    asked_by: Member,
    now: datetime,
    joined_at: datetime | None = None,
) -> Erasure | None:
    """Erase a member's personal data (GDPR art. 17); returns what their departure ended, or
    None if there is no such member or, given `joined_at` (what a confirmation button carries),
    the member with this number is not the one who joined then: checked in this transaction.

    What remains is metadata without a person: a question's times, rating and topic, a shift's
    times, a delivery's state. A coordinator's erasure is recorded in the audit log. The copies
    of messages the bot made are in Telegram's chats, not here: those still young enough for a
    bot to delete are returned, for the caller to delete once this has committed. `slow`: it
    goes through every table where the member may have left a row.
    """
    async with db.write(slow=True) as session:
        member = await households.member_by_id(session, member_id)
        if member is None or joined_at not in (None, member.joined_at):
            return None
        departure = await depart(session, member, now)
        household = member.household.id
        copies = await requests.copies_of_departing(
            session, member.id, household, departure.last_of_household, now - DELETABLE_FOR
        )
        await personal_data.erase_member(session, member.id, household)
        if asked_by.role is Role.COORDINATOR and asked_by.id != member.id:
            subject = f"member #{member.id} ({member.role.value})"
            await audit.record(session, asked_by, Action.ERASURE, subject, now)
    return Erasure(departure, copies)
