"""Who is writing, kept in memory between changes to members and households
(`Database.remembered`): read once, and never given after any change that could alter it."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot import members
from storage import db as storage_db
from storage import households, updates
from storage.db import Database, Session
from storage.models import Member, Role
from tests.support import make_household

NOW = datetime(2026, 12, 4, 21, 0, tzinfo=UTC)
EVA = 4242


async def eva(db: Database) -> Member:
    """Eva, of a foster family: the commit that makes her is the database's latest."""
    (member,) = await make_household(db, Role.FAMILY, "Familjen Ek", (EVA,), NOW)
    return member


async def identified(db: Database) -> Member:
    member = await members.identify(db, EVA)
    assert member is not None
    return member


async def test_who_is_writing_is_read_once_until_a_member_or_household_changes(
    db: Database, trips: list[Callable[..., Any]]
) -> None:
    member = await eva(db)
    trips.clear()
    assert await identified(db) == member
    assert await identified(db) == member
    assert len(trips) == 1

    await members.choose_language(db, member, "da")
    assert (await identified(db)).language == "da"
    async with db.write() as session:
        await households.set_display_name(session, member.household.id, "Familjen Asp")
    assert (await identified(db)).household.display_name == "Familjen Asp"
    async with db.write() as session:
        await households.delete_member(session, member.id)
    assert await members.identify(db, EVA) is None


async def test_a_stranger_is_nobody_until_they_join(db: Database) -> None:
    assert await members.identify(db, EVA) is None
    assert await members.identify(db, EVA) is None
    member = await eva(db)
    assert await identified(db) == member


async def test_a_change_rolled_back_leaves_what_was_read_before_it(db: Database) -> None:
    member = await eva(db)
    assert (await identified(db)).language is None
    with pytest.raises(RuntimeError):
        async with db.write() as session:
            await households.set_language(session, member.id, "da")
            raise RuntimeError("the handler failed after the change")
    assert (await identified(db)).language is None


async def test_a_change_made_while_a_read_was_on_its_way_is_not_kept(
    db: Database, trips: list[Callable[..., Any]]
) -> None:
    member = await eva(db)

    async def read_as_a_change_is_counted(session: Session) -> Member | None:
        found = await households.member_by_telegram_id(session, EVA)
        await session.fetch_one("SELECT mentorbot_people_changed()")  # as a trigger does
        return found

    key = ("member_by_telegram_id", EVA)
    assert await db.remembered(key, read_as_a_change_is_counted) == member
    trips.clear()
    assert await identified(db) == member
    assert len(trips) == 1  # read again: the first read may have missed the change


def change_language_elsewhere(path: Path, language: str) -> None:
    """What another process (a command beside the bot) commits."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("UPDATE members SET language = ? WHERE telegram_user_id = ?", (language, EVA))
    other.close()


async def test_another_processs_change_is_seen_after_the_next_commit(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.db")
    try:
        await eva(db)
        assert (await identified(db)).language is None
        change_language_elsewhere(db.path, "da")
        async with db.write() as session:  # the next update is kept before it is handled
            await updates.receive_updates(session, [(1, '{"update_id": 1}')], NOW)
        assert (await identified(db)).language == "da"
    finally:
        await db.close()


async def test_once_no_commit_has_looked_for_a_while_every_look_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage_db, "PEOPLE_FRESH_FOR", 0.05)
    db = await Database.open(tmp_path / "bot.db")
    try:
        await eva(db)
        assert (await identified(db)).language is None
        change_language_elsewhere(db.path, "da")
        await asyncio.sleep(0.1)  # a quiet bot: nothing of its own committed since
        assert (await identified(db)).language == "da"
    finally:
        await db.close()


async def test_a_database_opened_without_migrating_keeps_nothing(
    tmp_path: Path, trips: list[Callable[..., Any]]
) -> None:
    """It has no triggers to tell it of a change, so it reads every time."""
    path = tmp_path / "bot.db"
    migrated = await Database.open(path)
    await eva(migrated)
    await migrated.close()
    db = await Database.open(path, migrate=False)
    try:
        async with db.write() as session:
            await households.create_household(session, Role.FAMILY, NOW, "Familjen Asp")
        trips.clear()
        await identified(db)
        await identified(db)
        assert len(trips) == 2
    finally:
        await db.close()
