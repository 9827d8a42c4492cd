"""`mentorbot backup` and `mentorbot restore`, against real SQLite files: a copy taken while
another process writes holds what was committed, and a restore never lands under a running
bot nor replaces the database with something that is not one."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import members
from storage import households
from storage.db import Database
from storage.lease import Lease
from storage.models import Role
from tests.unit.cli_support import isolate_with_database, run


async def _seed(path: Path) -> None:
    database = await Database.open(path)
    now = datetime.now(UTC)
    try:
        async with database.write() as session:
            mentors = await households.create_household(session, Role.MENTOR, now, "Berg")
            await households.add_member(session, mentors, 1001, now)
            family = await households.create_household(session, Role.FAMILY, now, "Ek")
            await households.add_member(session, family, 2002, now)
    finally:
        await database.close()


async def _telegram_ids(path: Path) -> list[int]:
    database = await Database.open(path, migrate=False)
    try:
        return sorted(m.telegram_user_id for m in await members.list_members(database))
    finally:
        await database.close()


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = isolate_with_database(monkeypatch, tmp_path)
    asyncio.run(_seed(path))
    return path


def test_a_backup_taken_during_a_write_restores_into_a_new_place_with_every_member(
    live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = sqlite3.connect(live, isolation_level=None)  # another process, mid-transaction
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO households (role, display_name, created_at) VALUES ('family', 'Lund', ?)",
        (datetime.now(UTC).isoformat(),),
    )
    try:
        backup = run(capsys, "backup", "copy.db")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert backup.code == 0, backup.err
    assert (tmp_path / "copy.db").stat().st_mode & 0o077 == 0  # as private as the database

    fresh = tmp_path / "elsewhere" / "mentorbot.db"
    fresh.parent.mkdir()
    monkeypatch.setenv("MENTORBOT_DB", str(fresh))
    restored = run(capsys, "restore", "copy.db")

    assert restored.code == 0, restored.err
    assert asyncio.run(_telegram_ids(fresh)) == [1001, 2002]
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "424242:backup-test-token")
    checked = run(capsys, "check")
    assert checked.code == 0 and "integrity ok" in checked.out, checked


def test_a_restore_is_refused_while_the_bot_runs_and_changes_nothing(
    live: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "backup", "copy.db").code == 0
    with Lease.take(live):
        refused = run(capsys, "restore", "copy.db")
    assert refused.code == 2
    assert refused.err_lines[0].startswith("mentorbot: MENTORBOT_DB: ")
    assert asyncio.run(_telegram_ids(live)) == [1001, 2002]


def test_a_backup_never_overwrites_and_a_restore_takes_only_a_mentorbot_database(
    live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("not a database")
    sqlite3.connect(tmp_path / "empty.db").close()

    overwrite = run(capsys, "backup", "notes.txt")
    assert (overwrite.code, overwrite.err) == (
        1,
        "mentorbot: notes.txt: exists already; a backup never overwrites a file\n",
    )
    assert (tmp_path / "notes.txt").read_text() == "not a database"
    for name in ("notes.txt", "empty.db"):
        wrong = run(capsys, "restore", name)
        assert (wrong.code, wrong.err) == (1, f"mentorbot: {name}: not a Mentorbot database\n")
    missing = run(capsys, "restore", "nowhere.db")
    assert (missing.code, missing.err) == (1, "mentorbot: nowhere.db: no such file\n")
    assert asyncio.run(_telegram_ids(live)) == [1001, 2002]
