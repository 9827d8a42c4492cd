"""What unit and end-to-end tests share besides fixtures: households written straight to the
database, as a test's starting point."""

from __future__ import annotations

from datetime import datetime

from storage import households
from storage.db import Database
from storage.models import Member, Role


async def make_household(
    db: Database, role: Role, name: str | None, telegram_ids: tuple[int, ...], at: datetime
) -> list[Member]:
    """A household with one member per Telegram account, in member-number order."""
    async with db.write() as session:
        household_id = await households.create_household(session, role, at, name)
        for telegram_id in telegram_ids:
            await households.add_member(session, household_id, telegram_id, at)
        return await households.household_members(session, household_id)
