"""Fixtures shared by unit and end-to-end tests."""

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from storage import households
from storage.db import Database
from storage.models import Member, Role


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "mentorbot.db")
    yield database
    await database.close()


@pytest.fixture(params=["one connection", "two connections"])
async def second_db(db: Database, request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    """Where a second, simultaneous press goes through: the bot's own connection, or another
    process's on the same file (a `mentorbot` command beside the running bot)."""
    if request.param == "one connection":
        yield db
        return
    other = await Database.open(db.path)
    yield other
    await other.close()


async def make_household(
    db: Database, role: Role, name: str | None, telegram_ids: tuple[int, ...], at: datetime
) -> list[Member]:
    """A household with one member per Telegram account, in member-number order."""
    async with db.write() as session:
        household_id = await households.create_household(session, role, at, name)
        for telegram_id in telegram_ids:
            await households.add_member(session, household_id, telegram_id, at)
        return await households.household_members(session, household_id)
