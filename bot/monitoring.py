"""The bot's health as its operators see it: a heartbeat in the database, and how to judge it.

A container's health check and `mentorbot check --live` run in a process of their own, which
cannot look inside the bot. So the bot writes its own verdict into the database every
HEARTBEAT_EVERY: a fresh row proves that the process lives, that its scheduler runs jobs and
that its database takes writes, and the row names anything else the bot found wrong (the
Bot API not answering its polls). A stop writes "stopped", so that a stopped bot is not taken
for a live one for the next minute and a half.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import status
from storage.db import Database

HEARTBEAT_EVERY = timedelta(seconds=30)
# Three beats missed: one late beat (a slow disk, a busy loop) is not yet an outage.
STALE_AFTER = 3 * HEARTBEAT_EVERY
STOPPED = "the bot stopped"


@dataclass(frozen=True, slots=True)
class Heartbeat:
    beat_at: datetime
    problem: str | None


async def beat(db: Database, now: datetime, problem: str | None) -> None:
    async with db.write() as session:
        await status.write_heartbeat(session, now, problem)


async def last_heartbeat(db: Database) -> Heartbeat | None:
    async with db.read() as session:
        found = await status.heartbeat(session)
    return None if found is None else Heartbeat(*found)


def verdict(heartbeat: Heartbeat | None, now: datetime) -> str | None:
    """What is wrong with the running bot, in one line, or None when it is well."""
    if heartbeat is None:
        return "no heartbeat: the bot has not run on this database since it was made"
    age = now - heartbeat.beat_at
    if heartbeat.problem == STOPPED:
        return f"{STOPPED} {_ago(age)}"
    if age > STALE_AFTER:
        return (
            f"the last heartbeat is {_ago(age)}: the bot is not running, "
            "or its scheduler or its database is stuck"
        )
    return heartbeat.problem


async def ping(db: Database) -> None:
    async with db.read() as session:
        await status.ping(session)


@dataclass(frozen=True, slots=True)
class Figures:
    """What the metrics read from the database at each scrape: the truth, across restarts."""

    questions_by_state: dict[str, int]
    deliveries_queued: int


async def figures(db: Database) -> Figures:
    async with db.read() as session:
        return Figures(
            await status.questions_by_state(session), await status.deliveries_queued(session)
        )


def _ago(age: timedelta) -> str:
    seconds = max(0, int(age.total_seconds()))
    return f"{seconds} s ago" if seconds < 120 else f"{seconds // 60} min ago"
