"""A transaction that fails at its end (COMMIT) or whose end SQLite has already taken.

The connection is shared by the whole bot: a failed transaction left open would make every
later `BEGIN IMMEDIATE` fail ("cannot start a transaction within a transaction"), and would
keep the database's write lock from every other process. SQLite itself makes COMMIT fail
here: a foreign key checked only at COMMIT (`PRAGMA defer_foreign_keys`), as a full disk or
an I/O error would at the same place.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from storage import households, shifts
from storage.db import Database, Session, with_next_write
from storage.models import Role, to_db

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
NO_SUCH_HOUSEHOLD = 424242
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


async def names(db: Database) -> list[str]:
    async with db.read() as session:
        rows = await session.fetch_all("SELECT display_name FROM households ORDER BY id")
    return [row[0] for row in rows]


async def shift_count(db: Database) -> int:
    async with db.read() as session:
        row = await session.fetch_one("SELECT COUNT(*) FROM shifts")
    assert row is not None
    return int(row[0])


async def a_shift_of_nobody(session: Session) -> None:
    """A row whose foreign key points nowhere; with the check deferred, only COMMIT sees it."""
    await session.execute("PRAGMA defer_foreign_keys = ON")
    await shifts.add_shift(session, NO_SUCH_HOUSEHOLD, NOW + DAY, NOW + DAY + 5 * HOUR, None, NOW)


async def another_process_writes_at_once(db: Database, name: str) -> None:
    """A `mentorbot invite` beside the bot: its BEGIN IMMEDIATE gets the lock at once, or fails."""
    other = await Database.open(db.path, busy_timeout_ms=0, lock_wait=0)
    try:
        async with other.write() as session:
            await households.create_household(session, Role.MENTOR, NOW, name)
    finally:
        await other.close()


async def test_a_failed_commit_is_rolled_back_and_the_next_write_works(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        async with db.write() as session:
            await households.create_household(session, Role.MENTOR, NOW, "Familjen Berg")
            await a_shift_of_nobody(session)

    # Nothing of the failed transaction is there, and the connection is not inside it.
    assert await names(db) == []
    assert await shift_count(db) == 0
    async with db.write() as session:
        await households.create_household(session, Role.MENTOR, NOW, "Familjen Lund")
    assert await names(db) == ["Familjen Lund"]


async def test_a_failed_commit_lets_go_of_the_write_lock_for_other_processes(
    db: Database,
) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with db.write() as session:
            await households.create_household(session, Role.MENTOR, NOW, "Familjen Berg")
            await a_shift_of_nobody(session)

    await another_process_writes_at_once(db, "Familjen Lund")
    assert await names(db) == ["Familjen Lund"]


async def test_a_failed_statement_lets_go_of_the_write_lock_for_other_processes(
    db: Database,
) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with db.write() as session:
            await session.execute(
                "INSERT INTO households (role, created_at) VALUES (NULL, ?)", (to_db(NOW),)
            )

    await another_process_writes_at_once(db, "Familjen Lund")
    async with db.write() as session:  # and the bot's own connection writes on
        await households.create_household(session, Role.MENTOR, NOW, "Familjen Berg")
    assert await names(db) == ["Familjen Lund", "Familjen Berg"]


async def test_an_error_after_sqlite_rolled_back_on_its_own_is_the_error_raised(
    db: Database,
) -> None:
    """`OR ROLLBACK` ends the transaction inside SQLite, as SQLITE_FULL may; a ROLLBACK of ours
    would then fail with "no transaction is active" and hide the real error."""
    async with db.write() as session:
        first = await households.create_household(session, Role.MENTOR, NOW, "Familjen Berg")

    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        async with db.write() as session:
            await households.create_household(session, Role.MENTOR, NOW, "Familjen Lund")
            await session.execute(
                "INSERT OR ROLLBACK INTO households (id, role, created_at) VALUES (?, ?, ?)",
                (first, Role.MENTOR.value, to_db(NOW)),
            )

    assert await names(db) == ["Familjen Berg"]
    async with db.write() as session:
        await households.create_household(session, Role.MENTOR, NOW, "Familjen Holm")
    assert await names(db) == ["Familjen Berg", "Familjen Holm"]


class _RollbackFailsOnce:
    """The aiosqlite connection, except that its first ROLLBACK fails (as an I/O error would).

    SQLite offers no way of its own to make ROLLBACK fail, so this one case wraps the library.
    """

    def __init__(self, connection: Any) -> None:
        self._connection = connection
        self.failed = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def execute(self, sql: str, *args: Any) -> Any:
        if sql == "ROLLBACK" and not self.failed:
            self.failed = True
            raise sqlite3.OperationalError("disk I/O error")
        return self._connection.execute(sql, *args)


async def test_a_failed_rollback_neither_hides_the_error_nor_blocks_the_next_write(
    db: Database,
) -> None:
    wrapped = _RollbackFailsOnce(db._connection)
    db._connection = wrapped  # type: ignore[assignment]

    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY") as raised:
        async with db.write() as session:
            await households.create_household(session, Role.MENTOR, NOW, "Familjen Berg")
            await a_shift_of_nobody(session)

    assert wrapped.failed
    assert any("disk I/O error" in note for note in getattr(raised.value, "__notes__", []))
    # The transaction the failed ROLLBACK left open is ended before the connection is used again.
    assert await names(db) == []
    async with db.write() as session:
        await households.create_household(session, Role.MENTOR, NOW, "Familjen Lund")
    assert await names(db) == ["Familjen Lund"]


async def test_work_for_the_next_write_waits_past_a_transaction_that_hands_it_on(
    db: Database,
) -> None:
    """How an update is marked done: with its handlers' first write, unless that write only
    found where a message goes (`handled_later`); then with the next one, which records it."""
    done: list[str] = []

    async def mark(session: Session) -> None:
        done.append("marked")

    with_next_write(mark)
    async with db.write() as session:
        session.handled_later()
        await households.create_household(session, Role.FAMILY, NOW, "Familjen Ek")
    assert done == []
    async with db.write() as session:
        await households.create_household(session, Role.MENTOR, NOW, "Familjen Berg")
    assert done == ["marked"]
    async with db.write() as session:
        await households.create_household(session, Role.MENTOR, NOW, "Familjen Lund")
    assert done == ["marked"]  # once
