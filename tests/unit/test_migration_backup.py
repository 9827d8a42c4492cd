"""A schema migration copies the database first: an upgrade that goes wrong can be undone with
`mentorbot restore`, and a copy that cannot be written keeps the migration from running."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import migrations
from storage.db import Database
from tests.unit.cli_support import isolate, run

OLD_VERSION = 2  # the foundation and the rota: households, their members, their shifts
OLD_ROWS = """
INSERT INTO households VALUES (1, 'coordinator', 'Karin Holm', '2026-01-02T08:00:00+00:00');
INSERT INTO households VALUES (2, 'mentor', 'Familjen Berg', '2026-01-02T08:05:00+00:00');
INSERT INTO households VALUES (3, 'family', 'Familjen Ek', '2026-01-02T08:10:00+00:00');
INSERT INTO members VALUES (1, 1, 101, 'sv', 'sv', 1, '2026-01-02T08:00:00+00:00');
INSERT INTO members VALUES (2, 2, 102, NULL, 'da', 1, '2026-01-02T08:05:00+00:00');
INSERT INTO members VALUES (3, 3, 103, NULL, 'sv', 0, '2026-01-02T08:10:00+00:00');
INSERT INTO shifts VALUES (1, 2, '2026-01-05T16:00:00+00:00', '2026-01-05T21:00:00+00:00', 1,
    '2026-01-02T08:20:00+00:00');
"""
TABLES = ("households", "members", "shifts")


def _old_database(path: Path) -> None:
    """A database as an earlier release left it: only the first migrations, and its rows."""
    raw = sqlite3.connect(path)
    try:
        raw.execute("PRAGMA journal_mode = WAL")
        for version, sql in migrations.available()[:OLD_VERSION]:
            raw.executescript(sql)
            raw.execute(f"PRAGMA user_version = {version}")
        raw.executescript(OLD_ROWS)
    finally:
        raw.close()


def _version_and_rows(path: Path) -> tuple[int, dict[str, list[tuple[object, ...]]]]:
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        version = int(raw.execute("PRAGMA user_version").fetchone()[0])
        rows = {t: raw.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in TABLES}
        return version, rows
    finally:
        raw.close()


def _copies(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.bak"))


async def test_an_older_database_is_copied_as_it_was_before_its_schema_changes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "mentorbot.db"
    _old_database(path)
    before = _version_and_rows(path)

    with caplog.at_level(logging.INFO, logger="storage.db"):
        database = await Database.open(path)  # as `mentorbot run` and the sandbox open it
    await database.close()

    (copy,) = _copies(tmp_path)
    latest = migrations.latest_version()
    assert copy.name.startswith(f"mentorbot.db.before-v{latest}-20")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert _version_and_rows(copy) == before
    assert before[0] == OLD_VERSION
    assert _version_and_rows(path)[0] == latest
    lines = [record.getMessage() for record in caplog.records if record.name == "storage.db"]
    assert lines == [
        f"copied the database at schema version {OLD_VERSION} to {copy} "
        f"before migrating it to {latest}"
    ]


def test_only_a_database_with_an_older_schema_is_copied_and_migrate_names_the_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate(monkeypatch, tmp_path)
    new, old = tmp_path / "new" / "mentorbot.db", tmp_path / "old" / "mentorbot.db"
    new.parent.mkdir()
    old.parent.mkdir()
    _old_database(old)

    monkeypatch.setenv("MENTORBOT_DB", str(new))
    assert "applied migration(s) 1, 2" in run(capsys, "migrate").out  # nothing yet to copy
    monkeypatch.setenv("MENTORBOT_DB", str(old))
    migrated = run(capsys, "migrate")
    again = run(capsys, "migrate")

    assert _copies(new.parent) == []
    (copy,) = _copies(old.parent)  # one: the second `migrate` found nothing to do
    assert migrated.out.splitlines()[0] == f"database: {old}: copied as it was to {copy}"
    assert again.out == f"database: {old}: already up to date\n"


@pytest.fixture
def unwritable(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody may create a file in, holding an older database that is open (so that
    its `-wal` and `-shm` files exist, and SQLite can still write to it there)."""
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "mentorbot.db"
    _old_database(path)
    holder = sqlite3.connect(path)
    holder.execute("SELECT COUNT(*) FROM households").fetchone()
    folder.chmod(0o500)
    try:
        yield path
    finally:
        folder.chmod(0o700)
        holder.close()


def _without_roots_override() -> list[str]:
    """As root, a folder's mode binds only a process without root's capabilities."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "as root, this test needs setpriv (util-linux) to drop root's capabilities"
    return [setpriv, "--bounding-set=-all", "--inh-caps=-all"]


def test_a_copy_that_cannot_be_written_keeps_the_migration_from_running(
    unwritable: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate(monkeypatch, tmp_path)
    monkeypatch.setenv("MENTORBOT_DB", str(unwritable))
    before = _version_and_rows(unwritable)

    done = subprocess.run(
        [*_without_roots_override(), sys.executable, "-m", "bot", "migrate"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2, done
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith(
        f"mentorbot: MENTORBOT_DB: cannot use the database: cannot write {unwritable}.before-v"
    )
    assert line.endswith(
        f".bak, the copy taken before migrating the schema: Permission denied; nothing was "
        f"migrated (schema version {OLD_VERSION} of {migrations.latest_version()})"
    )
    assert _version_and_rows(unwritable) == before
    assert _copies(unwritable.parent) == []
