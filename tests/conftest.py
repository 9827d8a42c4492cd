"""Fixtures shared by unit and end-to-end tests."""

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from storage.db import Database, Session


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


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[Callable[..., Any]]:
    """Every trip to the database (a statement, with the writes that go along with it), on the
    loop's thread or aiosqlite's, as it is made."""
    made: list[Callable[..., Any]] = []
    original = Session._run

    async def counted(self: Session, work: Callable[..., Any]) -> Any:
        made.append(work)
        return await original(self, work)

    monkeypatch.setattr(Session, "_run", counted)
    return made
