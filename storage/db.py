"""One SQLite connection per process, with serialised, explicit transactions.

SQLite allows one writer at a time. Sharing a single connection between coroutines is only
safe if a transaction is never interleaved with another coroutine's statements, so every use
of the connection goes through `read()` or `write()`, which hold one lock. Writes begin
IMMEDIATE so that a second process (a `mentorbot invite` beside a running bot) waits for the
lock at the start of its transaction instead of failing halfway through it.

The statements run on the event loop's own thread, all but those of a session that may take
long (a report, a season's import), which run on aiosqlite's; `Session` says why, and how the
loop never waits for another process there.

A transaction that fails, at any statement or at COMMIT itself (a full disk, an I/O error, a
deferred constraint), is rolled back before the error goes on, so the shared connection is
never left inside it; were the ROLLBACK to fail too, the connection is rolled back before its
next use, and the original error is the one raised.

Only one bot uses a database at a time: `run` and `sandbox` take its lease (`storage.lease`),
but a command beside it (`mentorbot invite`, `rota import`, a backup) may hold the write lock
for a while. SQLite's busy timeout waits for it a few seconds; a longer hold is waited out
with backoff up to `LOCK_WAIT` in all, so that a family's message is answered late rather than
with "something went wrong".

The database holds what families wrote and who they are, so its file is readable and writable
by the bot's own user only (0600) from the moment it exists; SQLite gives its `-wal` and `-shm`
files the database file's mode when it creates them. So are its copies: a backup, and the copy
a migration takes of a database before it changes its schema (`Database.migrate`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import aiosqlite

from storage import migrations

BUSY_TIMEOUT_MS = 5000
LOCK_WAIT = 30.0  # seconds a write waits in all for another process's transaction to end
_FIRST_PAUSE, _LONGEST_PAUSE = 0.05, 1.0
OWNER_ONLY = 0o600
CHECKPOINT_AFTER = 1.0  # seconds from a write to the background checkpoint that copies it
# The tables that say who someone is, whose reads `Database.remembered` keeps between changes;
# how long another process's commit may go unseen by them; and how many it keeps at most.
PEOPLE_TABLES = ("members", "households")
PEOPLE_FRESH_FOR = 1.0
PEOPLE_REMEMBERED = 100_000
_PEOPLE_CHANGED = "mentorbot_people_changed"
Row = sqlite3.Row
Params = tuple[Any, ...] | dict[str, Any]
_T = TypeVar("_T")

logger = logging.getLogger(__name__)


class Session:
    """The statements of one read or one transaction; repository functions take one.

    Each statement runs whole at once, its cursor opened, read and closed: on the event loop's
    own thread (`on_loop`), or in one trip to aiosqlite's thread for a session that may take
    long (`Database.read(slow=True)`). A transaction's BEGIN IMMEDIATE goes with its first
    statement, and a write whose outcome nobody reads (`write_along`) goes with the next
    statement or the COMMIT.

    Why on the loop: a statement of a family's message reads a few rows by an index, a tenth of
    a millisecond of SQLite's work, and a COMMIT of the running bot neither syncs nor
    checkpoints (`Database.checkpoint_in_background`); the trip to aiosqlite's thread and back,
    two thread wake-ups, cost 0.2 to 0.4 ms each on a busy 2-core machine, more than the work.
    What could hold the loop up for long is never waited for on it: another process's write
    lock (`begin_at_once` gives up at once, and `begin` waits for it off the loop), nor a read
    of months of rows (a report is `slow`). A read of the log of writes never waits for a lock.
    """

    def __init__(
        self,
        connection: aiosqlite.Connection,
        begin: Callable[[], Awaitable[None]] | None = None,
        committed: Callable[[sqlite3.Connection], None] | None = None,
        *,
        on_loop: bool = False,
        begin_at_once: Callable[[sqlite3.Connection], bool] | None = None,
    ) -> None:
        self._connection = connection
        self._begin = begin  # a transaction's own waiting BEGIN; None for a read
        self._committed = committed  # run with the COMMIT, right after it
        self._on_loop = on_loop
        self._begin_at_once = begin_at_once  # on the loop: BEGIN, or False if locked elsewhere
        self._along: list[Callable[[sqlite3.Connection], object]] = []
        self._commits_with_next = False
        self.begun = False
        self.ended = False  # committed by its last statement's trip (`ends_with_next`)
        self.carried_next_write = False  # ran the work of `with_next_write`
        self.update_handled_later = False

    def handled_later(self) -> None:
        """This transaction is not where its update is handled (it found where a message is to
        go, or raised an alarm on its way): the update is marked done with the next write
        instead (see `with_next_write`), the one that records the message's copy, so that a
        stop before the copy handles the update again."""
        self.update_handled_later = True

    async def _run(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """`work` on the connection, at once; a transaction's first begins it as well."""
        if self.ended:
            raise RuntimeError("a statement after the one that committed its transaction")
        begin = None if self.begun else self._begin
        along, self._along = self._along, []
        commits, self._commits_with_next = self._commits_with_next, False

        def after_the_writes_along(sqlite: sqlite3.Connection) -> _T:
            for write in along:
                write(sqlite)
            result = work(sqlite)
            if commits:
                self._commit_here(sqlite)
            return result

        if self._on_loop:
            result = await self._on_the_loop(begin, after_the_writes_along)
        else:
            result = await self._in_thread(begin, after_the_writes_along)
        if commits:
            self.begun, self.ended = False, True
        return result

    async def _on_the_loop(
        self,
        begin: Callable[[], Awaitable[None]] | None,
        work: Callable[[sqlite3.Connection], _T],
    ) -> _T:
        """`work` on the loop's thread; a BEGIN another process's write lock stands in the way
        of is waited for with backoff off the loop (`Database._begin`)."""
        sqlite = self._connection._conn
        if begin is not None:
            if self._begin_at_once is None or not self._begin_at_once(sqlite):
                await begin()
            self.begun = True
        return work(sqlite)

    async def _in_thread(
        self,
        begin: Callable[[], Awaitable[None]] | None,
        work: Callable[[sqlite3.Connection], _T],
    ) -> _T:
        """`work` in one trip to aiosqlite's thread, with the BEGIN if one is due. A BEGIN that
        SQLite's busy timeout gave up on (another process holds the write lock longer) is
        waited for with backoff (`Database._begin`) before the work is run."""
        connection = self._connection

        def run() -> _T:
            if begin is not None:
                connection._conn.execute("BEGIN IMMEDIATE")
                self.begun = True  # even if `work` fails: the transaction is open
            return work(connection._conn)

        try:
            result: _T = await connection._execute(run)  # type: ignore[no-untyped-call]
        except sqlite3.OperationalError as error:
            busy = error.sqlite_errorcode == sqlite3.SQLITE_BUSY
            if begin is None or not busy or connection.in_transaction:
                raise
            await begin()
            self.begun = True
            result = await connection._execute(work, connection._conn)  # type: ignore[no-untyped-call]
        return result

    async def ends_with_next(self) -> None:
        """The next statement is this transaction's last: its trip COMMITs as well, which saves
        the COMMIT's own trip where the last statement's outcome is still to be read (a write
        whose outcome nobody reads goes along with the COMMIT anyway).

        The work every commit of the transaction carries (`with_next_write`) is queued first.
        Nothing may run in the transaction after that statement, which is checked; and as it
        is committed, the block should end with it: an exception raised after it rolls nothing
        back."""
        if self._begin is None:
            raise RuntimeError("a read has nothing to commit")
        await self._ready_to_commit()
        self._commits_with_next = True

    async def _ready_to_commit(self) -> None:
        """Run the work this task's next write transaction is to carry (bot/inbox.py marks its
        update done with it), unless the transaction handles its update later."""
        also = None if self.update_handled_later else _with_next_write.get()
        if also is not None and not self.carried_next_write:
            await also(self)
            self.carried_next_write = True

    def write_along(self, sql: str, params: Params = ()) -> None:
        """A write whose outcome nobody reads (no row count, no new id), run with this
        transaction's next statement, or with its COMMIT, in the same trip. Should it fail,
        that statement or the COMMIT raises, and the transaction is rolled back as a whole: so
        a database error is never caught inside a transaction to carry on with it, for it may be
        another statement's."""
        self._write_along(lambda sqlite: sqlite.execute(sql, params).close())

    def write_many_along(self, sql: str, rows: Sequence[Params]) -> None:
        """`write_along` of one statement for each of `rows`."""
        self._write_along(lambda sqlite: sqlite.executemany(sql, rows).close())

    def _write_along(self, write: Callable[[sqlite3.Connection], object]) -> None:
        if self._begin is None:
            raise RuntimeError("a read cannot write")
        if self.ended:
            raise RuntimeError("a write after the statement that committed its transaction")
        self._along.append(write)

    async def commit(self) -> None:
        """End the transaction, with the work every commit carries and any write still to go
        along: nothing if it never began or its last statement committed it."""
        if self.ended:
            return
        await self._ready_to_commit()
        self._commits_with_next = False  # `ends_with_next` with no statement after: this is it
        if self.begun or self._along:
            await self._run(self._commit_here)

    def _commit_here(self, sqlite: sqlite3.Connection) -> None:
        """COMMIT, and what is to run right after it (`committed`)."""
        sqlite.execute("COMMIT").close()
        if self._committed is not None:
            self._committed(sqlite)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement and return the number of rows it changed."""
        return await self._run(_on_cursor(sql, params, _rows_changed))

    async def changed_one(self, sql: str, params: Params = ()) -> bool:
        """Run one conditional UPDATE (or INSERT) and say whether it changed its row: how
        everything two parties may race for is decided once."""
        return await self.execute(sql, params) == 1

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run one INSERT and return the new row's id."""
        row_id = await self._run(_on_cursor(sql, params, _new_row_id))
        if row_id is None:
            raise sqlite3.IntegrityError("INSERT produced no row id")
        return row_id

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        def run(connection: sqlite3.Connection) -> None:
            connection.executemany(sql, rows).close()

        await self._run(run)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        return await self._run(_on_cursor(sql, params, _first_row))

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return await self._run(_on_cursor(sql, params, _all_rows))

    async def fetch_together(self, queries: Sequence[tuple[str, Params]]) -> list[list[Row]]:
        """The rows of each (sql, params) query, all read in one trip."""
        reads = [_on_cursor(sql, params, _all_rows) for sql, params in queries]

        def run(connection: sqlite3.Connection) -> list[list[Row]]:
            return [read(connection) for read in reads]

        return await self._run(run)


def many_values(rows: Sequence[Sequence[object]], one_row: str) -> tuple[str, tuple[object, ...]]:
    """`VALUES` of several rows for one statement, each written as `one_row` (e.g.
    "(?, ?, 'open')"), and the rows' parameters in their order: one trip for all of them."""
    return "VALUES " + ", ".join(one_row for _ in rows), tuple(v for row in rows for v in row)


def _on_cursor(
    sql: str, params: Params, read: Callable[[sqlite3.Cursor], _T]
) -> Callable[[sqlite3.Connection], _T]:
    """Run `sql`, take what `read` takes from its cursor, and close the cursor."""

    def run(connection: sqlite3.Connection) -> _T:
        cursor = connection.execute(sql, params)
        try:
            return read(cursor)
        finally:
            cursor.close()

    return run


def _rows_changed(cursor: sqlite3.Cursor) -> int:
    return cursor.rowcount


def _new_row_id(cursor: sqlite3.Cursor) -> int | None:
    return cursor.lastrowid


def _first_row(cursor: sqlite3.Cursor) -> Row | None:
    row: Row | None = cursor.fetchone()
    return row


def _all_rows(cursor: sqlite3.Cursor) -> list[Row]:
    return list(cursor.fetchall())


@dataclass(frozen=True, slots=True)
class Health:
    version: int
    latest: int
    integrity: str


@dataclass(frozen=True, slots=True)
class Migration:
    """What `Database.migrate` did: the versions it applied, and where it copied the database
    to before the first of them (None: nothing to migrate, or nothing yet to copy)."""

    applied: tuple[int, ...]
    backup: Path | None


class MigrationBackupFailed(OSError):
    """The copy a migration takes first could not be written, so nothing was migrated.

    An OSError, whatever failed underneath (the folder, the disk, SQLite writing the copy):
    the database cannot be used as it is, which is how a command line reports an OSError."""


# Work for this task's next write transaction to do as well, inside it (see `with_next_write`).
_with_next_write: ContextVar[Callable[[Session], Awaitable[None]] | None] = ContextVar(
    "with_next_write", default=None
)


def with_next_write(work: Callable[[Session], Awaitable[None]] | None) -> None:
    """Have the next write transaction of this task (and of tasks it starts) also run `work`,
    once, so that both commit together or not at all; None takes it back.

    This is how an update is marked done in the same transaction as the first thing its
    handlers decide (bot/inbox.py): whatever is written, the update's being handled is too.
    """
    _with_next_write.set(work)


def next_write_pending() -> bool:
    """Whether this task's next write transaction still has work of `with_next_write` to do."""
    return _with_next_write.get() is not None


def _create_owner_only(path: Path) -> None:
    """Create the database file as 0600 before SQLite opens it (SQLite would use 0644, less
    the umask); an existing file is left as its operator set it."""
    with contextlib.suppress(FileExistsError):
        _create_new_owner_only(path)


def _create_new_owner_only(path: Path) -> None:
    """Create `path` as 0600; FileExistsError if anything has that name already."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY))


async def _back_up(source: aiosqlite.Connection, target: Path) -> None:
    """SQLite's online backup of `source` into the database file `target`."""
    copy = await aiosqlite.connect(target)
    try:
        await source.backup(copy)
    finally:
        await copy.close()


def _backup_name(database: Path, version: int, moment: datetime) -> Path:
    """Where a migration to schema `version` at `moment` copies the database first: beside
    the file the path really names (through symbolic links), e.g.
    `mentorbot.db.before-v12-2026-12-02T081500Z.bak`, so that copies sort by their time."""
    real = database.resolve()
    stamp = moment.astimezone(UTC).strftime("%Y-%m-%dT%H%M%SZ")
    return real.with_name(f"{real.name}.before-v{version}-{stamp}.bak")


class Database:
    def __init__(
        self,
        connection: aiosqlite.Connection,
        path: Path,
        lock_wait: float = LOCK_WAIT,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    ) -> None:
        self._connection = connection
        self._lock = asyncio.Lock()
        self._lock_wait = lock_wait
        self._busy_timeout_ms = busy_timeout_ms
        self.path = path
        self._checkpoints: _Checkpoints | None = None
        self._people = _PeopleWatch()

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        migrate: bool = True,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        lock_wait: float = LOCK_WAIT,
    ) -> Database:
        """Open (creating if needed) and, unless told not to, bring the schema up to date."""
        _create_owner_only(path)
        # Used from the event loop's thread too (`Session`), but only ever under the lock.
        connection = await aiosqlite.connect(path, isolation_level=None, check_same_thread=False)
        try:
            connection.row_factory = sqlite3.Row
            await connection.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
            await connection.execute("PRAGMA journal_mode = WAL")
            await connection.execute("PRAGMA foreign_keys = ON")
            await connection.execute("PRAGMA synchronous = NORMAL")
            database = cls(connection, path, lock_wait, busy_timeout_ms)
            if migrate:
                await database.migrate()
        except BaseException:
            await connection.close()
            raise
        return database

    async def migrate(self) -> Migration:
        """Apply missing migrations in one transaction: all of them or, on failure, none.

        A database that has a schema already is copied first, inside that transaction, so that
        a migration that goes wrong, or a release that turns out wrong, can be undone with
        `mentorbot restore`: the transaction's write lock keeps every other process from
        committing between the copy and the migration, and a copy that cannot be written
        (`MigrationBackupFailed`) ends the transaction before anything was changed.
        """
        async with self.write(slow=True) as session:
            current = await migrations.schema_version(session)
            latest = migrations.latest_version()
            backup = None
            if 0 < current < latest:
                backup = await self._copy_before_migration(current, latest)
            applied = await migrations.migrate(session)
        await self._people.watch(self._connection)  # a migration may have rebuilt the tables
        return Migration(tuple(applied), backup)

    async def _copy_before_migration(self, current: int, latest: int) -> Path:
        """Copy the database, still at schema `current`, to a new file beside it.

        The copy is read through a second connection: this one holds the write lock, and
        SQLite's backup from a connection inside its own write transaction never ends. In WAL
        mode the second connection reads past that lock, and sees what was last committed,
        which nothing can change before this transaction does.
        """
        target = _backup_name(self.path, latest, datetime.now(UTC))
        cannot = f"cannot write {target}, the copy taken before migrating the schema"
        unchanged = f"nothing was migrated (schema version {current} of {latest})"
        try:
            _create_new_owner_only(target)
        except OSError as error:
            reason = error.strerror or error
            raise MigrationBackupFailed(f"{cannot}: {reason}; {unchanged}") from None
        try:
            reader = await aiosqlite.connect(self.path)
            try:
                await _back_up(reader, target)
            finally:
                await reader.close()
        except (sqlite3.Error, OSError) as error:
            target.unlink(missing_ok=True)  # half a copy restores nothing
            raise MigrationBackupFailed(f"{cannot}: {error}; {unchanged}") from None
        logger.info(
            "copied the database at schema version %d to %s before migrating it to %d",
            current,
            target,
            latest,
        )
        return target

    async def health(self) -> Health:
        async with self.read() as session:
            version = await migrations.schema_version(session)
            row = await session.fetch_one("PRAGMA quick_check")
        return Health(version, migrations.latest_version(), str(row[0]) if row else "unknown")

    async def copy_to(self, target: Path) -> None:
        """The whole database, as it is at one moment, into `target` (made owner-only), with
        SQLite's online backup: the copy is consistent while another process writes, and a
        `target` that holds a database already is replaced whole, its journal included."""
        _create_owner_only(target)
        async with self._lock:
            await self._end_leftover_transaction()
            await _back_up(self._connection, target)

    async def checkpoint_in_background(self, after: float = CHECKPOINT_AFTER) -> None:
        """From now on the log of writes (the WAL) is copied into the database file `after`
        seconds after a write, by a connection and a thread of their own, and never by a COMMIT.

        SQLite's own checkpoint is done by the COMMIT that takes the log past a thousand pages,
        inside it: on the path of a family's question that COMMIT took milliseconds (the
        copy, and the fsync of the database file) where one takes a tenth of one, and one
        question in forty waited for it. For the bot's long run; a short command keeps SQLite's
        way. The last connection to close checkpoints what is left, so `close` loses nothing.
        """
        if self._checkpoints is None:
            self._checkpoints = await _Checkpoints.start(self.path, after)
            async with self._lock:  # every use of the connection is under it (`Session`)
                await self._connection.execute("PRAGMA wal_autocheckpoint = 0")

    async def close(self) -> None:
        try:
            if self._checkpoints is not None:
                await self._checkpoints.stop()
        finally:  # the main connection closes last, whatever happened: its close checkpoints
            async with self._lock:
                await self._connection.close()

    @asynccontextmanager
    async def read(self, *, slow: bool = False) -> AsyncIterator[Session]:
        """A read, on the loop's thread; `slow` for one that may read months of rows (a
        report), which runs on aiosqlite's thread so that the bot answers others meanwhile."""
        async with self._lock:
            await self._end_leftover_transaction()
            try:
                yield Session(self._connection, on_loop=not slow)
            except BaseException:
                await self._let_the_thread_finish()
                raise

    @asynccontextmanager
    async def write(self, *, slow: bool = False) -> AsyncIterator[Session]:
        """A transaction: committed when the block ends, rolled back if it or COMMIT raises.

        It begins (IMMEDIATE) with its first statement, so one that finds nothing to write costs
        nothing. On the loop's thread unless `slow` (as for `read`): one that writes many rows."""
        async with self._lock:
            await self._end_leftover_transaction()
            try:
                session = Session(
                    self._connection,
                    self._begin,
                    self._people.after_commit,
                    on_loop=not slow,
                    begin_at_once=self._begin_unless_locked,
                )
                yield session
                await session.commit()
            except BaseException as error:
                await self._let_the_thread_finish()
                await self._roll_back(error)
                raise
            if session.carried_next_write:
                _with_next_write.set(None)
            if self._checkpoints is not None:  # the background checkpoint is due
                self._checkpoints.written()

    def _begin_unless_locked(self, sqlite: sqlite3.Connection) -> bool:
        """BEGIN IMMEDIATE at once, or False if another process holds the write lock: SQLite's
        busy timeout, which would sleep on the loop's thread, is off for this one try."""
        sqlite.execute("PRAGMA busy_timeout = 0").close()
        try:
            sqlite.execute("BEGIN IMMEDIATE").close()
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                raise
            return False
        finally:
            sqlite.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}").close()
        return True

    async def remembered(self, key: Hashable, read: Callable[[Session], Awaitable[_T]]) -> _T:
        """What `read` finds of the people tables (`PEOPLE_TABLES`), from memory while none of
        their rows changed: who is writing is looked up for every update, and changes once in a
        long while.

        Any change made through this connection forgets everything kept (SQLite triggers tell
        of it as it is made, and a change rolled back after all is only forgotten for
        nothing); so does another process's commit, seen at this connection's next COMMIT,
        which for an update is the one that keeps it, before its handlers look. Until a COMMIT
        has looked in the last `PEOPLE_FRESH_FOR` seconds (a quiet bot, or a database opened
        without migrating, which has no triggers), every call reads. `key` names the read and
        its arguments, e.g. `("member_by_telegram_id", 42)`.
        """
        version = self._people.version()
        if version is not None:
            found = self._people.find(key, version)
            if found is not _NOT_KEPT:
                return cast(_T, found)
        async with self.read() as session:
            value = await read(session)
        if version is not None:
            self._people.keep(key, value, version)
        return value

    async def _begin(self) -> None:
        """BEGIN IMMEDIATE, waiting out another process's write lock for at most `lock_wait`."""
        deadline = time.monotonic() + self._lock_wait
        pause = _FIRST_PAUSE
        while True:
            try:
                await self._connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                    raise
                if time.monotonic() + pause > deadline:
                    error.add_note(f"the database stayed locked for {self._lock_wait:g} s")
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE)

    async def _let_the_thread_finish(self) -> None:
        """Wait until aiosqlite's thread has ended what it was running on the connection.

        A statement sent there runs on when the task waiting for it is cancelled: a slow read,
        or a BEGIN waiting out another process's lock, which opens a transaction when it ends.
        Until then a statement on the loop's thread would wait for SQLite's connection mutex,
        holding the loop up, and a BEGIN after it would find itself inside a transaction nobody
        ends. aiosqlite runs its calls in order, so an empty call returns once the thread is
        free; it is shielded because the task that waits for it is the one being cancelled (a
        second cancel meanwhile is not lost: the caller raises the first again)."""

        def nothing() -> None:
            pass

        free = asyncio.ensure_future(self._connection._execute(nothing))  # type: ignore[no-untyped-call]
        while not free.done():
            with contextlib.suppress(asyncio.CancelledError, ValueError):  # ValueError: closed
                await asyncio.shield(free)

    async def _roll_back(self, error: BaseException) -> None:
        """End a failed transaction without hiding why it failed."""
        if not self._connection.in_transaction:
            return  # SQLite ended it itself (it does on some errors: SQLITE_FULL, OR ROLLBACK)
        try:
            await self._connection.execute("ROLLBACK")
        except sqlite3.Error as rollback_error:
            error.add_note(f"ROLLBACK failed too: {rollback_error}")

    async def _end_leftover_transaction(self) -> None:
        """Every transaction ends inside `write()`, so one open here is a failed one whose
        ROLLBACK failed: nothing may read its rows or begin inside it."""
        if self._connection.in_transaction:
            await self._connection.execute("ROLLBACK")


_NOT_KEPT = object()


class _PeopleWatch:
    """`Database.remembered`'s memory, and how it learns that the people tables changed.

    SQLite tells of a change in the connection's thread, while the event loop may be between
    a look at the memory and its answer; so each read is kept with the count of changes it
    was read after, and is only answered while that count stands."""

    def __init__(self) -> None:
        self._kept: dict[Hashable, tuple[int, object]] = {}
        self._kept_since = 0  # the count of changes the reads in `_kept` were read after
        self._changes = 0  # changes made through the connection, or seen of other processes
        self._watching = False
        self._data_version: int | None = None  # SQLite's count of other connections' commits
        self._looked_at: float | None = None  # when a COMMIT last compared it (monotonic)

    async def watch(self, connection: aiosqlite.Connection) -> None:
        """Triggers on the people tables, for as long as the connection is open, that count
        every row inserted, updated or deleted (TEMP: nothing of them is in the file)."""
        await connection.create_function(_PEOPLE_CHANGED, 0, self._changed)
        for table in PEOPLE_TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                await connection.execute(
                    f"CREATE TEMP TRIGGER IF NOT EXISTS {table}_{event.lower()}_counted "
                    f"AFTER {event} ON main.{table} BEGIN SELECT {_PEOPLE_CHANGED}(); END"
                )
        self._changed()
        self._watching = True

    def version(self) -> int | None:
        """The count of changes so far; None while what is kept may not be trusted."""
        looked_at = self._looked_at
        if not self._watching or looked_at is None:
            return None
        if time.monotonic() - looked_at > PEOPLE_FRESH_FOR:
            return None
        return self._changes

    def find(self, key: Hashable, version: int) -> object:
        """The read kept for `key` if nothing changed since it was read, else `_NOT_KEPT`."""
        read_after, value = self._kept.get(key, (None, _NOT_KEPT))
        return value if read_after == version else _NOT_KEPT

    def keep(self, key: Hashable, value: object, version: int) -> None:
        """Keep a read begun when the count of changes stood at `version`."""
        if version != self._kept_since or len(self._kept) >= PEOPLE_REMEMBERED:
            self._kept.clear()
            self._kept_since = version
        self._kept[key] = (version, value)

    def after_commit(self, sqlite: sqlite3.Connection) -> None:
        """In a COMMIT's trip: has another process committed since the last look? Nothing to
        look for where nothing is kept (a database opened without migrating)."""
        if not self._watching:
            return
        row = _on_cursor("PRAGMA data_version", (), _first_row)(sqlite)
        data_version = row[0] if row is not None else None
        if data_version != self._data_version:
            self._data_version = data_version
            self._changed()
        self._looked_at = time.monotonic()

    def _changed(self) -> None:
        """Called by SQLite for every row changed, and for other processes' commits."""
        self._changes += 1


class _Checkpoints:
    """`Database.checkpoint_in_background`'s worker: a PASSIVE checkpoint a moment after each
    burst of writes, on its own connection, so that it waits for no transaction and no
    transaction waits for it. Idle, it does nothing."""

    def __init__(self, connection: aiosqlite.Connection, after: float) -> None:
        self._connection = connection
        self._after = after
        self._written = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="checkpoints")

    @classmethod
    async def start(cls, path: Path, after: float) -> _Checkpoints:
        return cls(await aiosqlite.connect(path), after)

    def written(self) -> None:
        self._written.set()

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        await self._connection.close()

    async def _run(self) -> None:
        while True:
            await self._written.wait()
            await asyncio.sleep(self._after)  # the writes of a burst are copied together
            self._written.clear()
            try:
                await self._connection.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
            except Exception as error:  # nothing else checkpoints: the worker must outlive it
                logger.warning(
                    "the database's checkpoint failed (the next write tries again): %s", error
                )
