"""Numbered SQL migrations, tracked by `PRAGMA user_version`.

`0001_foundation.sql` brings a database to version 1, `0002_*.sql` to version 2, and so on.
A migration is never edited after it has landed: a change to the schema is a new file.
"""

from __future__ import annotations

import re
import sqlite3
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.db import Session

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def available() -> list[tuple[int, str]]:
    """(version, SQL) of every migration shipped with the package, in order."""
    found = []
    for entry in resources.files(__package__).iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [version for version, _ in found]
    if versions != list(range(1, len(versions) + 1)):
        raise RuntimeError(f"migrations are not numbered 1..n: {versions}")
    return found


def latest_version() -> int:
    return len(available())


async def schema_version(session: Session) -> int:
    row = await session.fetch_one("PRAGMA user_version")
    return int(row[0]) if row else 0


async def migrate(session: Session) -> list[int]:
    """Apply what is missing inside the caller's transaction; return the versions applied."""
    current = await schema_version(session)
    if current > latest_version():
        raise RuntimeError(
            f"the database is at schema version {current}, newer than this program "
            f"({latest_version()}); upgrade Mentorbot"
        )
    applied = []
    for version, sql in available()[current:]:
        for statement in _statements(sql):
            await session.execute(statement)
        await session.execute(f"PRAGMA user_version = {version}")
        applied.append(version)
    return applied


def _statements(sql: str) -> list[str]:
    """Split a migration into statements. A trigger's body holds statements of its own, each
    ending in a semicolon, so a piece is a statement only once SQLite says it is complete."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    statements: list[str] = []
    pending = ""
    for piece in "\n".join(lines).split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            statement = pending.strip().removesuffix(";").strip()
            if statement:
                statements.append(statement)
            pending = ""
    if pending.strip():
        raise RuntimeError(f"a migration ends inside a statement: {pending.strip()!r}")
    return statements
