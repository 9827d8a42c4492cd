"""Numbers that people see, type and press are never handed out twice.

A member's, a shift's, a question's and a broadcast's number is its row's id; buttons carry the
ids of swaps and parked messages, and invites are numbered too. Before, SQLite gave the next row
max(id) + 1, so the newest row's number came back after it was deleted and `/remove 6` from an
old list meant the next person who joined.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import broadcasts, events, households, invites, migrations, requests, shifts
from storage.db import Database, Session
from storage.models import (
    Audience,
    BroadcastState,
    EventAudience,
    EventDetails,
    EventKind,
    Kind,
    RequestState,
    Role,
)

NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


async def a_member(session: Session) -> int:
    household = await households.create_household(session, Role.FAMILY, NOW, "Familjen Ek")
    return await households.add_member(session, household, 1000 + household, NOW)


async def a_shift(session: Session) -> int:
    household = await households.create_household(session, Role.MENTOR, NOW, "Familjen Berg")
    return (await shifts.add_shift(session, household, NOW, NOW + HOUR, None, NOW)).id


async def a_question(session: Session, household: int | None = None) -> int:
    """A waiting question's number; of a new family's, unless `household` is given."""
    if household is None:
        household = await households.create_household(session, Role.FAMILY, NOW, "Familjen Ek")
    return (
        await requests.open_request(
            session,
            household,
            RequestState.WAITING,
            first_kind=Kind.TEXT,
            preview=None,
            urgent=False,
            now=NOW,
        )
    ).id


async def a_broadcast(session: Session) -> int:
    author = await a_member(session)
    return await broadcasts.create_broadcast(
        session,
        author,
        Audience.FAMILIES,
        kind=Kind.TEXT,
        body="Hej",
        file_id=None,
        state=BroadcastState.SCHEDULED,
        send_at=NOW + HOUR,
        now=NOW,
    )


async def a_swap(session: Session) -> int:
    shift = await a_shift(session)
    household = await households.create_household(session, Role.MENTOR, NOW, "Familjen Lind")
    return (await shifts.open_swap(session, shift, household, NOW))[0].id


async def an_invite(session: Session) -> int:
    code = f"code-{await a_member(session)}"
    return await invites.create_invite(
        session, code, Role.FAMILY, now=NOW, expires_at=NOW + HOUR, created_by=None
    )


async def a_parked_message(session: Session) -> int:
    return await requests.park_messages(session, await a_member(session), 1, [7], NOW)


async def an_event(session: Session) -> int:
    details = EventDetails(
        EventKind.COURSE, "Kurs", NOW + HOUR, NOW + 2 * HOUR, EventAudience.FAMILIES
    )
    return (await events.add_event(session, details, None, NOW)).id


async def a_signup(session: Session) -> int:
    household = await households.create_household(session, Role.FAMILY, NOW, "Familjen Ek")
    signup = await events.add_signup(
        session, await an_event(session), ("household", household), 2, 0, NOW
    )
    assert signup is not None
    return signup.id


MAKERS: dict[str, Callable[[Session], Awaitable[int]]] = {
    "members": a_member,
    "shifts": a_shift,
    "requests": a_question,
    "broadcasts": a_broadcast,
    "shift_swaps": a_swap,
    "invites": an_invite,
    "unaddressed_messages": a_parked_message,
    "events": an_event,
    "event_signups": a_signup,
}


@pytest.mark.parametrize("table", MAKERS)
async def test_the_newest_number_is_not_handed_out_again_after_its_row_is_deleted(
    db: Database, table: str
) -> None:
    make = MAKERS[table]
    async with db.write() as session:
        first = await make(session)
        newest = await make(session)
    async with db.write() as session:
        # However it goes (/remove, /forget, /shift del, retention), the row is gone.
        assert await session.execute(f"DELETE FROM {table} WHERE id = ?", (newest,)) == 1
    async with db.write() as session:
        after = await make(session)
    assert first < newest < after


async def test_an_insert_that_does_not_take_a_new_number_is_refused(db: Database) -> None:
    async with db.write() as session:
        household = await households.create_household(session, Role.FAMILY, NOW, "Familjen Ek")
        member = await households.add_member(session, household, 42, NOW)
        await households.delete_member(session, member)
    for sql, params in [
        (
            "INSERT INTO members (household_id, telegram_user_id, joined_at) VALUES (?, ?, ?)",
            (household, 43, NOW.isoformat()),
        ),
        (
            "INSERT INTO members (id, household_id, telegram_user_id, joined_at) "
            "VALUES (?, ?, ?, ?)",
            (member, household, 43, NOW.isoformat()),
        ),
    ]:
        with pytest.raises(sqlite3.IntegrityError, match="never handed out twice"):
            async with db.write() as session:
                await session.execute(sql, params)


# An older deployment's database, one row (or two) in every table: what the upgrade must keep.
# Member #9, shift #7 and broadcast #4 were deleted before it; only the audit log names them.
OLD_ROWS = """
INSERT INTO households VALUES (1, 'coordinator', 'Karin Holm', '2026-01-01T08:00:00+00:00');
INSERT INTO households VALUES (2, 'mentor', 'Familjen Berg', '2026-01-02T08:00:00+00:00');
INSERT INTO households VALUES (3, 'family', 'Familjen Ek', '2026-01-03T08:00:00+00:00');
INSERT INTO members (id, household_id, telegram_user_id, joined_at)
    VALUES (1, 1, 101, '2026-01-01T08:00:00+00:00');
INSERT INTO members (id, household_id, telegram_user_id, joined_at)
    VALUES (2, 2, 102, '2026-01-02T08:00:00+00:00');
INSERT INTO members (id, household_id, telegram_user_id, joined_at)
    VALUES (3, 3, 103, '2026-01-03T08:00:00+00:00');
INSERT INTO invites (id, code_hash, role, household_id, created_by, created_at, expires_at,
    used_at, used_by) VALUES (1, 'hash-1', 'mentor', NULL, 1, '2026-01-02T07:00:00+00:00',
    '2026-01-09T07:00:00+00:00', '2026-01-02T08:00:00+00:00', 2);
INSERT INTO invites (id, code_hash, role, household_id, created_by, created_at, expires_at)
    VALUES (2, 'hash-2', 'family', 3, 3, '2026-01-04T07:00:00+00:00',
    '2026-01-11T07:00:00+00:00');
INSERT INTO configured_coordinators VALUES (101, '2026-01-01T08:00:00+00:00');
INSERT INTO processed_updates VALUES (500, '2026-01-05T08:00:00+00:00', NULL,
    '2026-01-05T08:00:01+00:00');
INSERT INTO shifts VALUES (1, 2, '2026-01-05T17:00:00+00:00', '2026-01-05T22:00:00+00:00', 1,
    '2026-01-04T08:00:00+00:00');
INSERT INTO shifts VALUES (2, 2, '2026-01-06T17:00:00+00:00', '2026-01-06T22:00:00+00:00', 1,
    '2026-01-04T08:00:00+00:00');
INSERT INTO shift_reminders VALUES (1, 60, 'sent', '2026-01-05T16:00:00+00:00');
INSERT INTO shift_swaps VALUES (1, 2, 2, '2026-01-05T09:00:00+00:00', 'open', NULL, NULL);
INSERT INTO swap_messages VALUES (1, 102, 40);
INSERT INTO gap_reports VALUES ('2026-01-05', '2026-01-05T08:00:00+00:00');
INSERT INTO requests (id, family_household_id, state, first_kind, preview, opened_at,
    accepted_at, mentor_member_id, mentor_household_id, last_message_at)
    VALUES (1, 3, 'accepted', 'text', 'Hur gör vi?', '2026-01-05T18:00:00+00:00',
    '2026-01-05T18:01:00+00:00', 2, 2, '2026-01-05T18:05:00+00:00');
INSERT INTO request_messages VALUES (1, 103, 11, '2026-01-05T18:00:00+00:00');
INSERT INTO offers VALUES (1, 2, 102, 41, 'closed', '2026-01-05T18:00:00+00:00');
INSERT INTO relays VALUES (102, 42, 1, 'relay');
INSERT INTO broadcasts (id, created_by, audience, kind, body, state, send_at, created_at)
    VALUES (1, 1, 'families', 'text', 'Hej', 'done', '2026-01-05T10:00:00+00:00',
    '2026-01-05T09:00:00+00:00');
INSERT INTO deliveries VALUES (1, 3, 103, 'Familjen Ek', 'sent', 1,
    '2026-01-05T10:00:00+00:00', 12, '2026-01-05T10:00:01+00:00');
INSERT INTO audit_log VALUES (1, '2026-01-04T08:00:00+00:00', 1, 'Karin Holm', 'remove',
    'member #9 (family)');
INSERT INTO audit_log VALUES (2, '2026-01-04T08:01:00+00:00', 1, 'Karin Holm', 'shift_delete',
    'shift #7');
INSERT INTO audit_log VALUES (3, '2026-01-04T08:02:00+00:00', 1, 'Karin Holm', 'broadcast',
    'broadcast #4 to everyone');
INSERT INTO interest VALUES (1, 104, 'Eva', '070-123', 'sv', '2026-01-05T08:00:00+00:00');
INSERT INTO unaddressed_messages VALUES (1, 2, 102, 43, '2026-01-05T18:06:00+00:00', NULL);
INSERT INTO unaddressed_messages VALUES (2, 2, 102, 44, '2026-01-05T18:06:00+00:00', 1);
"""


def _numbers_version() -> int:
    """The migration that brought the numbers in; the test starts from the one before it."""
    found = [v for v, sql in migrations.available() if "CREATE TABLE numbers" in sql]
    assert found, "no migration creates the numbers table"
    return found[0]


def _old_database(path: Path) -> None:
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA foreign_keys = ON")
        for version, sql in migrations.available()[: _numbers_version() - 1]:
            raw.executescript(sql)
            raw.execute(f"PRAGMA user_version = {version}")
        raw.executescript(OLD_ROWS)
    raw.close()


async def _columns(db: Database) -> dict[str, list[str]]:
    """Every table, with its columns."""
    async with db.read() as session:
        names = await session.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        return {
            row["name"]: [
                column["name"]
                for column in await session.fetch_all(f"PRAGMA table_info({row['name']})")
            ]
            for row in names
        }


async def _contents(
    db: Database, columns: dict[str, list[str]]
) -> dict[str, list[tuple[object, ...]]]:
    """The rows of these tables in these columns: a later migration may add a column, which
    the old rows did not have."""
    async with db.read() as session:
        return {
            table: [
                tuple(r)
                for r in await session.fetch_all(
                    f"SELECT {', '.join(names)} FROM {table} ORDER BY 1"
                )
            ]
            for table, names in columns.items()
        }


async def test_the_upgrade_keeps_every_row_and_never_hands_out_a_number_the_old_rows_had(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    _old_database(path)
    old = await Database.open(path, migrate=False)
    old_columns = await _columns(old)
    before = await _contents(old, old_columns)
    await old.close()
    assert all(before.values()), "every table of the old schema has rows to lose"

    db = await Database.open(path)
    try:
        assert await _contents(db, old_columns) == before
        async with db.read() as session:
            assert await session.fetch_all("PRAGMA foreign_key_check") == []
        async with db.write() as session:
            household = await households.create_household(session, Role.FAMILY, NOW, "Nya")
            member = await households.add_member(session, household, 105, NOW)
            shift = await shifts.add_shift(session, 2, NOW, NOW + HOUR, None, NOW)
            broadcast = await broadcasts.create_broadcast(
                session,
                1,
                Audience.FAMILIES,
                kind=Kind.TEXT,
                body="Hej",
                file_id=None,
                state=BroadcastState.SCHEDULED,
                send_at=NOW + HOUR,
                now=NOW,
            )
            question = await a_question(session, household)
            parked = await requests.park_messages(session, 2, 102, [45], NOW)
        # Above every row there is, and above the numbers the audit log says were removed.
        assert (member, shift.id, broadcast, question, parked) == (10, 8, 5, 2, 3)
    finally:
        await db.close()
