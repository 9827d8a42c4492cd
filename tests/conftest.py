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
