"""Fixtures shared by unit and end-to-end tests."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database


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
