import asyncio
import contextvars
import os
import sqlite3
import stat
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot import inbox
from storage import households, migrations, updates
from storage.db import Database
from storage.models import Role

NOW = datetime(2026, 11, 23, 21, 30, tzinfo=UTC)


async def test_a_new_database_is_migrated_to_the_latest_version(db: Database) -> None:
    health = await db.health()
    assert health.version == migrations.latest_version() >= 1
    assert health.integrity == "ok"


async def test_pragmas_hold_for_the_connection(db: Database) -> None:
    async with db.read() as session:
        assert (await session.fetch_one("PRAGMA journal_mode"))[0] == "wal"  # type: ignore[index]
        assert (await session.fetch_one("PRAGMA foreign_keys"))[0] == 1  # type: ignore[index]
        assert (await session.fetch_one("PRAGMA busy_timeout"))[0] >= 1000  # type: ignore[index]


async def test_the_database_and_its_wal_files_are_readable_by_their_owner_only(
    tmp_path: Path,
) -> None:
    """Even under a permissive umask, nobody but the bot's user may read what families wrote."""
    path = tmp_path / "private.db"
    old_umask = os.umask(0)
    try:
        database = await Database.open(path)
        async with database.write() as session:  # the first write creates the -wal and -shm
            await households.create_household(session, Role.FAMILY, NOW, "Familjen Ek")
        files = [path, path.with_name("private.db-wal"), path.with_name("private.db-shm")]
        modes = {file.name: stat.S_IMODE(os.stat(file).st_mode) for file in files}
        await database.close()
    finally:
        os.umask(old_umask)
    assert modes == {file.name: 0o600 for file in files}


async def test_migrating_twice_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "twice.db"
    first = await Database.open(path, migrate=False)
    assert (await first.migrate()).applied == tuple(range(1, migrations.latest_version() + 1))
    assert (await first.migrate()).applied == ()
    await first.close()


async def test_a_database_from_the_future_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA user_version = 999")
    with pytest.raises(RuntimeError, match="newer than this program"):
        await Database.open(path)


async def test_a_failed_transaction_leaves_nothing_behind(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with db.write() as session:
            household = await households.create_household(session, Role.FAMILY, NOW, "Familjen A")
            await households.add_member(session, household, 42, NOW)
            await households.add_member(session, household, 42, NOW)  # the same account twice
    async with db.read() as session:
        assert await households.member_by_telegram_id(session, 42) is None
        assert await session.fetch_all("SELECT * FROM households") == []


async def test_writes_are_serialised_between_coroutines(db: Database) -> None:
    async def join(user_id: int) -> None:
        async with db.write() as session:
            household = await households.create_household(session, Role.MENTOR, NOW)
            await asyncio.sleep(0)  # let the other coroutine try to interleave
            await households.add_member(session, household, user_id, NOW)

    await asyncio.gather(*(join(user_id) for user_id in range(1, 21)))
    async with db.read() as session:
        assert await households.count_by_role(session, Role.MENTOR) == 20


async def test_a_second_process_waits_for_the_writer(tmp_path: Path) -> None:
    """Two connections (the bot and a `mentorbot invite`) write without 'database is locked'."""
    path = tmp_path / "shared.db"
    first, second = await Database.open(path), await Database.open(path)

    async def add(database: Database, user_id: int) -> None:
        async with database.write() as session:
            household = await households.create_household(session, Role.FAMILY, NOW)
            await asyncio.sleep(0.05)
            await households.add_member(session, household, user_id, NOW)

    await asyncio.gather(add(first, 1), add(second, 2))
    async with first.read() as session:
        assert await households.count_by_role(session, Role.FAMILY) == 2
    await first.close()
    await second.close()


async def test_removing_the_last_member_keeps_the_household_row(db: Database) -> None:
    async with db.write() as session:
        household = await households.create_household(session, Role.FAMILY, NOW, "Familjen B")
        member = await households.add_member(session, household, 7, NOW)
        assert await households.delete_member(session, member)
        assert not await households.delete_member(session, member)
    async with db.read() as session:
        assert await households.member_by_telegram_id(session, 7) is None


async def test_an_update_is_received_once_and_kept_only_until_done(db: Database) -> None:
    async with db.write() as session:
        first = [(1000, '{"update_id": 1000}')]
        assert await updates.receive_updates(session, first, NOW) == {1000}
        assert await updates.receive_updates(session, first, NOW) == set()
        assert await updates.receive_updates(session, [(1001, '{"update_id": 1001}')], NOW) == {
            1001
        }
        await updates.finish_update(session, 1000, NOW)
    async with db.read() as session:
        assert await updates.unfinished_updates(session) == [(1001, '{"update_id": 1001}')]
        assert await updates.latest_update_id(session) == 1001
        row = await session.fetch_one(
            "SELECT payload FROM processed_updates WHERE update_id = 1000"
        )
    assert row is not None and row["payload"] is None  # what it said is gone once done
    async with db.write() as session:  # a redelivery of a done update is still recognised
        assert await updates.receive_updates(session, [(1000, '{"update_id": 1000}')], NOW) == set()


async def test_long_done_updates_are_forgotten_now_and_then_and_unfinished_ones_never(
    db: Database,
) -> None:
    oldest = 5 * updates.FORGET_EVERY
    async with db.write() as session:
        await updates.receive_updates(session, [(oldest, "{}"), (oldest + 1, "{}")], NOW)
        await updates.finish_update(session, oldest, NOW)  # oldest + 1 never finished
        later = oldest + updates.REMEMBERED_UPDATES + 1
        await updates.receive_updates(session, [(later, "{}")], NOW)
        kept = await session.fetch_all("SELECT update_id FROM processed_updates")
        assert len(kept) == 3  # not with every update
        turn = (later // updates.FORGET_EVERY + 1) * updates.FORGET_EVERY
        await updates.receive_updates(session, [(turn, "{}")], NOW)
        kept = await session.fetch_all("SELECT update_id FROM processed_updates ORDER BY 1")
    assert [row[0] for row in kept] == [oldest + 1, later, turn]


async def test_times_are_stored_in_utc(db: Database) -> None:
    from zoneinfo import ZoneInfo

    local = datetime(2026, 7, 1, 22, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
    async with db.write() as session:
        await households.create_household(session, Role.FAMILY, local)
        row = await session.fetch_one("SELECT created_at FROM households")
    assert row is not None and row[0] == "2026-07-01T20:00:00+00:00"


async def test_an_update_is_done_with_the_first_write_of_its_handlers_and_only_if_it_commits(
    db: Database,
) -> None:
    async with db.write() as session:
        await updates.receive_updates(session, [(7, '{"update_id": 7}')], NOW)
    inbox.handling(7, NOW)
    with pytest.raises(RuntimeError):
        async with db.write() as session:  # a handler's write that fails: rolled back, not done
            await households.create_household(session, Role.FAMILY, NOW, "Familjen A")
            raise RuntimeError("the handler failed")
    assert await inbox.unfinished(db) == [(7, '{"update_id": 7}')]
    async with db.write() as session:  # the first write that commits takes the update with it
        await households.create_household(session, Role.FAMILY, NOW, "Familjen B")
    assert await inbox.unfinished(db) == []
    async with db.read() as session:
        names = await session.fetch_all("SELECT display_name FROM households")
    assert [row[0] for row in names] == ["Familjen B"]
    await inbox.done(db, 7, NOW)  # after the handlers: changes nothing any more
    assert await inbox.unfinished(db) == []


async def test_a_write_along_goes_with_the_next_statement_or_the_commit(db: Database) -> None:
    async with db.write() as session:
        household = await households.create_household(session, Role.FAMILY, NOW, "Familjen A")
        session.write_along(
            "UPDATE households SET display_name = ? WHERE id = ?", ("Familjen B", household)
        )
        row = await session.fetch_one("SELECT display_name FROM households")
        assert row is not None and row[0] == "Familjen B"  # the next statement sees it
    async with db.write() as session:  # alone in its transaction: it goes with the COMMIT
        session.write_along("UPDATE households SET display_name = ?", ("Familjen C",))
    async with db.read() as session:
        row = await session.fetch_one("SELECT display_name FROM households")
    assert row is not None and row[0] == "Familjen C"


async def test_a_write_along_that_fails_rolls_its_whole_transaction_back(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with db.write() as session:
            await households.create_household(session, Role.FAMILY, NOW, "Familjen A")
            session.write_along("UPDATE households SET role = NULL")
    async with db.read() as session:
        assert await session.fetch_all("SELECT id FROM households") == []
        with pytest.raises(RuntimeError):
            session.write_along("DELETE FROM households")


async def committed_names(db: Database) -> list[str]:
    """What another connection sees: only what is committed."""
    return [row[0] for row in await committed(db, "display_name FROM households ORDER BY id")]


async def committed(db: Database, what: str) -> list[sqlite3.Row]:
    async def read() -> list[sqlite3.Row]:
        other = await Database.open(db.path)
        try:
            async with other.read() as session:
                return await session.fetch_all("SELECT " + what)
        finally:
            await other.close()

    # Not in this task's context: opening a database writes, and would carry the update's mark.
    return await asyncio.create_task(read(), context=contextvars.Context())


async def test_a_transactions_last_statement_commits_it_in_the_same_trip(db: Database) -> None:
    await updates_received(db, 7)
    inbox.handling(7, NOW)
    async with db.write() as session:
        await households.create_household(session, Role.FAMILY, NOW, "Familjen A")
        session.write_along("UPDATE households SET display_name = ?", ("Familjen B",))
        await session.ends_with_next()
        rows = await session.fetch_all(
            "INSERT INTO households (role, display_name, created_at) VALUES (?, ?, ?) "
            "RETURNING display_name",
            (Role.MENTOR.value, "Familjen C", NOW.isoformat()),
        )
        assert [row[0] for row in rows] == ["Familjen C"]
        # Committed before the block ends: the write along, the statement and the update.
        assert await committed_names(db) == ["Familjen B", "Familjen C"]
        assert await committed(db, "update_id FROM processed_updates WHERE done_at IS NULL") == []
        with pytest.raises(RuntimeError):
            await session.fetch_one("SELECT 1")
        with pytest.raises(RuntimeError):
            session.write_along("DELETE FROM households")
    async with db.write() as session:  # the update's mark went with that transaction only
        await households.create_household(session, Role.FAMILY, NOW, "Familjen D")
    assert await committed_names(db) == ["Familjen B", "Familjen C", "Familjen D"]


async def test_a_last_statement_that_fails_commits_nothing(db: Database) -> None:
    await updates_received(db, 7)
    inbox.handling(7, NOW)
    with pytest.raises(sqlite3.IntegrityError):
        async with db.write() as session:
            await households.create_household(session, Role.FAMILY, NOW, "Familjen A")
            await session.ends_with_next()
            await session.execute("UPDATE households SET role = NULL")
    assert await committed_names(db) == []
    assert [update_id for update_id, _ in await inbox.unfinished(db)] == [7]
    async with db.read() as session:
        with pytest.raises(RuntimeError):
            await session.ends_with_next()  # a read has nothing to commit
    inbox.handling(7, NOW)  # taken back by nothing: the next write that commits marks it
    async with db.write() as session:
        await households.create_household(session, Role.FAMILY, NOW, "Familjen B")
    assert await inbox.unfinished(db) == []


async def write_megabytes(db: Database, megabytes: int) -> None:
    """Updates of 100 kB each, a transaction each: SQLite's own checkpoint would copy the log
    into the database file every 4 MB (a thousand pages)."""
    for update_id in range(1, megabytes * 10 + 1):
        async with db.write() as session:
            await updates.receive_updates(session, [(update_id, "x" * 100_000)], NOW)


async def eventually(condition: Callable[[], bool]) -> bool:
    """Whether `condition` holds within ten seconds: the checkpoint comes in the background."""
    for _ in range(200):
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


async def test_in_the_background_a_commit_never_copies_the_log_into_the_database(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "bot.db")
    try:
        await db.checkpoint_in_background(after=3600)  # not in this test
        await write_megabytes(db, 10)
        # Everything is in the log, none of it copied yet, and all of it there to read.
        assert (tmp_path / "bot.db").stat().st_size < 1_000_000
        assert (tmp_path / "bot.db-wal").stat().st_size > 10_000_000
        async with db.read() as session:
            row = await session.fetch_one("SELECT COUNT(*) FROM processed_updates")
        assert row is not None and row[0] == 100
    finally:
        await db.close()
    # The last connection's close copied the rest.
    assert (tmp_path / "bot.db").stat().st_size > 10_000_000
    assert not (tmp_path / "bot.db-wal").exists()


async def test_in_the_background_the_log_is_copied_a_moment_after_the_writes(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "bot.db")
    try:
        await db.checkpoint_in_background(after=0.05)
        await write_megabytes(db, 10)
        assert await eventually(lambda: (tmp_path / "bot.db").stat().st_size > 10_000_000)
    finally:
        await db.close()


async def test_a_checkpoint_that_failed_is_tried_again_after_the_next_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    failures = [OSError("disk I/O error")]
    real = aiosqlite.Connection.execute_fetchall

    async def checkpoint(self: aiosqlite.Connection, sql: str, *args: Any) -> Any:
        if sql.startswith("PRAGMA wal_checkpoint") and failures:
            raise failures.pop()
        return await real(self, sql, *args)

    monkeypatch.setattr(aiosqlite.Connection, "execute_fetchall", checkpoint)
    db = await Database.open(tmp_path / "bot.db")
    try:
        await db.checkpoint_in_background(after=0.05)
        await write_megabytes(db, 5)
        assert await eventually(lambda: not failures)  # the first checkpoint failed
        assert "the database's checkpoint failed" in caplog.text
        await write_megabytes(db, 1)
        assert await eventually(lambda: (tmp_path / "bot.db").stat().st_size > 5_000_000)
    finally:
        await db.close()


async def updates_received(db: Database, *update_ids: int) -> None:
    async with db.write() as session:
        await updates.receive_updates(
            session, [(n, f'{{"update_id": {n}}}') for n in update_ids], NOW
        )


async def test_reads_together_give_each_query_its_own_rows_in_order(db: Database) -> None:
    async with db.write() as session:
        await households.create_household(session, Role.FAMILY, NOW, "Familjen A")
        await households.create_household(session, Role.MENTOR, NOW, "Familjen B")
    async with db.read() as session:
        families, nobody, everyone = await session.fetch_together(
            [
                ("SELECT display_name FROM households WHERE role = ?", (Role.FAMILY.value,)),
                ("SELECT display_name FROM households WHERE id IN ()", ()),
                ("SELECT display_name FROM households ORDER BY id", ()),
            ]
        )
    assert [row[0] for row in families] == ["Familjen A"]
    assert nobody == []
    assert [row[0] for row in everyone] == ["Familjen A", "Familjen B"]
