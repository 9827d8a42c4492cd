"""What unit and end-to-end tests share besides fixtures: households written straight to the
database, and a family's question as the texts that show it receive it."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage import households
from storage.db import Database
from storage.models import Kind, Member, Request, RequestState, Role


async def make_household(
    db: Database, role: Role, name: str | None, telegram_ids: tuple[int, ...], at: datetime
) -> list[Member]:
    """A household with one member per Telegram account, in member-number order."""
    async with db.write() as session:
        household_id = await households.create_household(session, role, at, name)
        for telegram_id in telegram_ids:
            await households.add_member(session, household_id, telegram_id, at)
        return await households.household_members(session, household_id)


FAMILY_AS_TYPED = "Ek & <Söner>"  # a household's name, as a family typed it
WORDS_AS_TYPED = "Han är <3 år & sover <b>inte</b>"  # a family's first words


def offered_request(now: datetime) -> Request:
    """Question 12, offered four minutes before `now`, its name and words full of markup."""
    asked = now - timedelta(minutes=4)
    return Request(
        id=12,
        family_household_id=3,
        family_name=FAMILY_AS_TYPED,
        state=RequestState.OFFERED,
        escalation=0,
        urgent=False,
        first_kind=Kind.TEXT,
        preview=WORDS_AS_TYPED,
        opened_at=asked,
        offered_at=asked,
        escalated_at=None,
        accepted_at=None,
        mentor_member_id=None,
        mentor_name=None,
    )
