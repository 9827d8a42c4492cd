"""Another process holding the write lock: waited out within a bound, never failed at once.

A `mentorbot invite`, a `rota import` or a backup beside the running bot holds SQLite's write
lock for a moment; a family's message arriving then must be answered (late), not met with
"something went wrong". The other process here is a plain sqlite3 connection in a thread.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage import households
from storage.db import Database
from storage.models import Role
from tests.unit.database_support import BUSY_MS, write_lock_held_elsewhere

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def names(db: Database) -> list[str]:
    async with db.read() as session:
        rows = await session.fetch_all("SELECT display_name FROM households ORDER BY id")
    return [row[0] for row in rows]


@pytest.mark.parametrize("slow", [False, True])
async def test_a_write_waits_out_a_lock_held_longer_than_the_busy_timeout(
    db: Database, slow: bool
) -> None:
    """On the loop's thread the first BEGIN gives up at once; on aiosqlite's (`slow`), after
    SQLite's busy timeout: either way the write waits on, with backoff."""
    bot = await Database.open(db.path, busy_timeout_ms=BUSY_MS, lock_wait=10)
    try:
        with write_lock_held_elsewhere(db.path) as release:
            asyncio.get_running_loop().call_later(0.5, release.set)  # ten busy timeouts
            async with bot.write(slow=slow) as session:
                await households.create_household(session, Role.MENTOR, NOW, "Familjen Berg")
        assert await names(bot) == ["Familjen Berg"]
    finally:
        await bot.close()


async def test_a_lock_held_beyond_the_bound_fails_the_write_and_leaves_nothing_open(
    db: Database,
) -> None:
    bot = await Database.open(db.path, busy_timeout_ms=BUSY_MS, lock_wait=0.3)
    try:
        with write_lock_held_elsewhere(db.path):
            with pytest.raises(sqlite3.OperationalError, match="locked") as raised:
                async with bot.write() as session:
                    await households.create_household(session, Role.MENTOR, NOW, "Familjen Berg")
            assert "stayed locked for 0.3 s" in "".join(raised.value.__notes__)
        async with bot.write() as session:  # the lock is free again: the next write works
            await households.create_household(session, Role.MENTOR, NOW, "Familjen Lund")
        assert await names(bot) == ["Familjen Lund"]
    finally:
        await bot.close()


async def test_a_write_that_runs_no_statement_waits_for_no_lock(db: Database) -> None:
    """It begins with its first statement: a handler that finds nothing to write is not held up
    by another process's transaction."""
    bot = await Database.open(db.path, busy_timeout_ms=BUSY_MS, lock_wait=0.3)
    try:
        with write_lock_held_elsewhere(db.path):
            async with bot.write():
                pass
    finally:
        await bot.close()


async def test_a_failed_first_statement_caught_inside_the_transaction_leaves_it_open(
    db: Database,
) -> None:
    async with db.write() as session:
        with pytest.raises(sqlite3.IntegrityError):
            await session.execute(
                "INSERT INTO households (id, role, created_at) VALUES (1, NULL, 0)"
            )
        await households.create_household(session, Role.MENTOR, NOW, "Familjen Berg")
    assert await names(db) == ["Familjen Berg"]


async def test_a_write_that_only_goes_along_with_the_commit_waits_out_the_lock_too(
    db: Database,
) -> None:
    async with db.write() as session:
        await households.create_household(session, Role.MENTOR, NOW, "Familjen Berg")
    bot = await Database.open(db.path, busy_timeout_ms=BUSY_MS, lock_wait=10)
    try:
        with write_lock_held_elsewhere(db.path) as release:
            asyncio.get_running_loop().call_later(0.5, release.set)  # ten busy timeouts
            async with bot.write() as session:  # BEGIN, the write and COMMIT in one trip
                session.write_along(
                    "UPDATE households SET display_name = ? WHERE display_name = ?",
                    ("Familjen Lund", "Familjen Berg"),
                )
    finally:
        await bot.close()
    assert await names(db) == ["Familjen Lund"]  # committed, as another connection sees it


async def test_a_write_along_that_fails_at_the_commit_leaves_no_transaction_open(
    db: Database,
) -> None:
    async with db.write() as session:
        await households.create_household(session, Role.MENTOR, NOW, "Familjen Berg")
    with pytest.raises(sqlite3.IntegrityError):
        async with db.write() as session:
            session.write_along("UPDATE households SET role = NULL")
    async with db.write() as session:  # no transaction was left open
        await households.create_household(session, Role.MENTOR, NOW, "Familjen Lund")
    assert await names(db) == ["Familjen Berg", "Familjen Lund"]


# A write on the loop's own thread (`Session`), as every one but a slow one is.

WRITTEN = "INSERT INTO households (role, created_at, display_name) VALUES ('mentor', ?, ?)"
# A read that keeps SQLite busy for a good while (three million rows counted), as a report's
# read of months of questions would.
LONG_READ = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) "
    "SELECT count(*) FROM n"
)


@pytest.mark.parametrize(("slow", "order"), [(False, ["read", "loop"]), (True, ["loop", "read"])])
async def test_a_read_runs_on_the_loops_thread_unless_it_is_slow(
    db: Database, slow: bool, order: list[str]
) -> None:
    """On the loop's thread the read runs whole before anything else there does; a slow one,
    on aiosqlite's thread, leaves the loop free to answer others meanwhile."""
    seen: list[str] = []

    async def read() -> None:
        async with db.read(slow=slow) as session:
            assert tuple(await session.fetch_one(LONG_READ) or ()) == (3_000_000,)
        seen.append("read")

    reading = asyncio.create_task(read())
    asyncio.get_running_loop().call_later(0.01, seen.append, "loop")
    await reading
    await asyncio.sleep(0.02)
    assert seen == order


async def test_a_write_on_the_loop_waits_for_another_process_without_holding_up_the_loop(
    db: Database,
) -> None:
    async with a_write_waiting_for_the_lock(db.path) as (bot, writing, release):
        release.set()
        await writing
        assert await names(bot) == ["Berg"]


async def test_a_write_cancelled_while_it_waits_for_the_lock_leaves_nothing_running_behind_it(
    db: Database,
) -> None:
    """Its BEGIN waits on aiosqlite's thread, and runs on there after the cancel: until it has
    ended (and been rolled back) the next write would wait for the connection on the loop's
    thread, and then find a transaction open that nobody ends."""
    async with a_write_waiting_for_the_lock(db.path) as (bot, writing, release):
        writing.cancel()
        asyncio.get_running_loop().call_later(0.05, release.set)
        with pytest.raises(asyncio.CancelledError):
            await writing
        await write_along(bot, WRITTEN, (NOW.isoformat(), "Lund"))
        assert await names(bot) == ["Lund"]


@asynccontextmanager
async def a_write_waiting_for_the_lock(
    path: Path,
) -> AsyncIterator[tuple[Database, asyncio.Task[None], threading.Event]]:
    """The bot's write of "Berg", waiting (off the loop) for another process's write lock, which
    is let go of when the event is set; only a loop left free meanwhile can set it in time, as
    is checked at the end. SQLite's busy timeout would sleep on the loop's thread for 10 s."""
    bot = await Database.open(path, busy_timeout_ms=10_000, lock_wait=30)
    try:
        with lock_only_a_free_loop_lets_go_of(path) as (release, released_by_the_loop):
            writing = asyncio.create_task(write_along(bot, WRITTEN, (NOW.isoformat(), "Berg")))
            await asyncio.sleep(0.05)  # the write has tried on the loop, and waits
            yield bot, writing, release
    finally:
        await bot.close()
    assert released_by_the_loop == [True]


async def test_a_slow_read_cancelled_midway_leaves_the_loop_free_while_it_ends(
    db: Database,
) -> None:
    """The cancelled read runs on in aiosqlite's thread: the next read waits for it off the
    loop, not for SQLite's connection mutex on the loop's thread."""
    seen: list[str] = []

    async def read() -> None:
        async with db.read(slow=True) as session:
            await session.fetch_one(LONG_READ)

    reading = asyncio.create_task(read())
    await asyncio.sleep(0.01)  # the read runs, on aiosqlite's thread
    reading.cancel()
    asyncio.get_running_loop().call_later(0.01, seen.append, "loop")
    with pytest.raises(asyncio.CancelledError):
        await reading
    assert await names(db) == []
    seen.append("next read")
    await asyncio.sleep(0.02)
    assert seen == ["loop", "next read"]


@contextmanager
def lock_only_a_free_loop_lets_go_of(path: Path) -> Iterator[tuple[threading.Event, list[bool]]]:
    """Another process's write lock, let go of when the loop sets the event or by itself after
    2 s; the list says, once it is over, whether the loop set it (only a loop left free can)."""
    locked, release = threading.Event(), threading.Event()
    released_by_the_loop: list[bool] = []

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        locked.set()
        released_by_the_loop.append(release.wait(timeout=2))
        other.execute("COMMIT")
        other.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(timeout=5)
    try:
        yield release, released_by_the_loop
    finally:
        release.set()
        holder.join()


async def write_along(db: Database, sql: str, params: tuple[object, ...]) -> None:
    async with db.write() as session:
        session.write_along(sql, params)
