"""Retention erases what old questions said, and keeps what the evaluation counts.

The database is seeded before the bot starts, through the same domain functions the handlers
call, with times in the past: a conversation that ended long ago, a question withdrawn just over
`MENTORBOT_RETENTION_DAYS` ago, one that ended just inside it, a conversation that has been open
for longer than the retention, and two registrations of interest. The retention job catches up
when the bot starts; then the people look at what is left.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import routing
from bot.routing import Topic
from bot.sandbox import BotApiDouble, SandboxUser
from storage import interest, shifts
from storage.db import Database
from storage.models import Kind, Member, RelayPurpose, Role, Side
from tests.e2e.chat_support import BotProcess, StartBot, answer
from tests.support import make_household

pytestmark = pytest.mark.chat_burst(30)

RETENTION_DAYS = 10  # not the default, so the test shows the setting is the one obeyed
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)

# What people wrote; none of it may survive the retention once its question is old.
OLD_QUESTION = "Vår son sover inte på nätterna"
OLD_COMMENT = "Kvällsrutinen hjälpte oss"
OLD_NOTE = "Föreslog en fast kvällsrutin"
WITHDRAWN_QUESTION = "Glöm det, vi löste det själva"
RECENT_QUESTION = "Skolan vill ha ett möte, vad tar vi upp?"
RECENT_COMMENT = "Bra att ha en lista"
RECENT_NOTE = "Gick igenom vad man tar upp på mötet"
OPEN_QUESTION = "Hur förbereder vi umgänget med mamman?"
OLD_WORDS = (OLD_QUESTION, OLD_COMMENT, OLD_NOTE, WITHDRAWN_QUESTION)


@dataclass(frozen=True)
class Seeded:
    old: int  # closed RETENTION_DAYS + 30 days ago: rated, filed, commented on, noted
    withdrawn: int  # cancelled RETENTION_DAYS + 1 days ago
    recent: int  # closed RETENTION_DAYS - 1 days ago
    still_open: int  # a conversation accepted RETENTION_DAYS + 20 days ago, never ended
    times: dict[int, dict[str, str]]  # request id -> the times the export must still show


class Seeder:
    """Writes a past the bot never saw, with the domain's own functions and past times."""

    def __init__(self, db: Database, mentor: Member) -> None:
        self.db = db
        self.mentor = mentor
        self._message_id = 1000

    def message_id(self) -> int:
        self._message_id += 1
        return self._message_id

    async def on_duty(self, at: datetime) -> None:
        async with self.db.write() as session:
            await shifts.add_shift(
                session,
                self.mentor.household.id,
                at - timedelta(hours=1),
                at + timedelta(hours=2),
                None,
                at - 3 * DAY,
            )

    async def ask(self, family: Member, words: str, at: datetime) -> int:
        await self.on_duty(at)
        taken = await routing.take_message(
            self.db,
            family,
            family.telegram_user_id,
            self.message_id(),
            kind=Kind.TEXT,
            preview=words,
            urgent=False,
            now=at,
        )
        assert taken.opened and taken.offer_to, "the seeded question was not offered"
        # The offer was shown: the bot has nothing left to send for it at start.
        shown = [(adult.id, self.message_id()) for adult in taken.offer_to]
        await routing.remember_offers(self.db, taken.request.id, shown)
        return taken.request.id

    async def converse(self, family: Member, words: str, at: datetime) -> int:
        """Asked, accepted after five minutes, and a message relayed each way."""
        request_id = await self.ask(family, words, at)
        accepted = await routing.accept(self.db, self.mentor, request_id, at + 5 * MINUTE)
        assert not isinstance(accepted, routing.RoutingProblem), accepted
        await routing.handed_over(self.db, accepted.request, accepted.pending)
        await routing.remember_relay(
            self.db, self.mentor.telegram_user_id, self.message_id(), request_id
        )
        await routing.remember_relay(
            self.db, family.telegram_user_id, self.message_id(), request_id
        )
        return request_id

    async def close(
        self,
        family: Member,
        request_id: int,
        at: datetime,
        rating: int,
        topic: Topic,
        comment: str,
        note: str,
    ) -> None:
        """Ended by the family, rated, filed under a topic, with a comment and a note."""
        assert await routing.end(self.db, request_id, Side.FAMILY, at) is not None
        assert await routing.rate(self.db, family, request_id, rating)
        assert await routing.file_topic(self.db, self.mentor, request_id, topic)
        # Where the thanks were, so that a reply to them is the comment or the note.
        await routing.remember_relay(
            self.db, family.telegram_user_id, self.message_id(), request_id, RelayPurpose.COMMENT
        )
        await routing.remember_relay(
            self.db, self.mentor.telegram_user_id, self.message_id(), request_id, RelayPurpose.NOTE
        )
        await routing.add_comment(self.db, request_id, RelayPurpose.COMMENT, comment)
        await routing.add_comment(self.db, request_id, RelayPurpose.NOTE, note)


async def seed(
    path: Path,
    karin: SandboxUser,
    berg: SandboxUser,
    ek: SandboxUser,
    ask: SandboxUser,
    now: datetime,
) -> Seeded:
    retention = RETENTION_DAYS * DAY
    db = await Database.open(path)
    try:
        since = now - 90 * DAY
        await make_household(db, Role.COORDINATOR, "Karin Holm", (karin.id,), since)
        (mentor,) = await make_household(db, Role.MENTOR, "Familjen Berg", (berg.id,), since)
        (family,) = await make_household(db, Role.FAMILY, "Familjen Ek", (ek.id,), since)
        (other,) = await make_household(db, Role.FAMILY, "Familjen Ask", (ask.id,), since)
        seeder = Seeder(db, mentor)

        asked = now - retention - 30 * DAY
        old = await seeder.converse(family, OLD_QUESTION, asked)
        await seeder.close(family, old, asked + 40 * MINUTE, 4, Topic.SLEEP, OLD_COMMENT, OLD_NOTE)
        withdrawn = await seeder.ask(family, WITHDRAWN_QUESTION, now - retention - DAY)
        assert await routing.cancel(db, family, now - retention - DAY + 3 * MINUTE)
        asked = now - retention + DAY
        recent = await seeder.converse(family, RECENT_QUESTION, asked)
        await seeder.close(
            family, recent, asked + 30 * MINUTE, 5, Topic.SCHOOL, RECENT_COMMENT, RECENT_NOTE
        )
        still_open = await seeder.converse(other, OPEN_QUESTION, now - retention - 20 * DAY)
        await seeder.on_duty(now)  # Berg is on duty when the bot starts

        async with db.write() as session:
            await interest.register(
                session,
                7001,
                name="Gammal Anmälan",
                phone="070-111 11 11",
                language="sv",
                now=now - retention - DAY,
            )
            await interest.register(
                session,
                7002,
                name="Ny Anmälan",
                phone="070-222 22 22",
                language="sv",
                now=now - retention + DAY,
            )
        columns = ("opened_at", "offered_at", "accepted_at", "ended_at")
        async with db.read() as session:
            rows = await session.fetch_all(f"SELECT id, {', '.join(columns)} FROM requests")
        times = {row["id"]: {column: row[column] for column in columns} for row in rows}
    finally:
        await db.close()
    return Seeded(old, withdrawn, recent, still_open, times)


async def questions_erased_at_start(bot: BotProcess) -> int:
    """How many questions the catch-up at start erased, from its log line, once it has run."""
    for _ in range(200):  # at once, unless the machine is very busy
        found = re.search(r"retention: erased the content of (\d+) ended question", bot.log)
        if found:
            return int(found[1])
        await asyncio.sleep(0.05)
    pytest.fail(f"the retention erased nothing within 10 s of the start:\n{bot.log}")


async def exported(user: SandboxUser, double: BotApiDouble) -> tuple[str, dict[str, Any]]:
    await user.send("/mydata")
    sent = await user.next_message()
    raw = double.file_bytes(sent["document"]["file_id"]).decode()
    return raw, json.loads(raw)


def database_rows(path: Path) -> dict[str, list[sqlite3.Row]]:
    """Every row of every table, read beside the running bot."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {table: connection.execute(f"SELECT * FROM {table}").fetchall() for table in tables}
    finally:
        connection.close()


async def test_retention_erases_old_words_and_keeps_what_the_evaluation_counts(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble, tmp_path: Path
) -> None:
    karin = coordinator
    berg = double.add_user(first_name="Maria", language_code="sv")
    ek = double.add_user(first_name="Dorte", language_code="sv")
    ask = double.add_user(first_name="Eva", language_code="sv")
    now = datetime.now(UTC).replace(microsecond=0)
    db_path = tmp_path / "mentorbot.db"
    seeded = await seed(db_path, karin, berg, ek, ask, now)

    bot = await start_bot(
        MENTORBOT_RETENTION_DAYS=str(RETENTION_DAYS),
        MENTORBOT_REMINDERS="off",
        # The seeded open conversation is days old; here it must stay open (the idle close has
        # its own test in test_nothing_lost.py).
        MENTORBOT_CONVERSATION_IDLE_HOURS="8000",
    )
    # The old conversation and the withdrawn question; not the recent one, not the open one.
    assert await questions_erased_at_start(bot) == 2

    # The family's own export: the old questions' words are gone, their metadata is not.
    raw, data = await exported(ek, double)
    for words in OLD_WORDS:
        assert words not in raw
    questions = {question["id"]: question for question in data["questions"]}
    assert set(questions) == {seeded.old, seeded.withdrawn, seeded.recent}
    old = questions[seeded.old]
    assert (old["preview"], old["rating_comment"]) == (None, None)
    assert (old["state"], old["rating"], old["topic"], old["ended_by"]) == (
        "closed",
        4,
        "sleep",
        "family",
    )
    withdrawn = questions[seeded.withdrawn]
    assert (withdrawn["state"], withdrawn["preview"]) == ("cancelled", None)
    for request_id in (seeded.old, seeded.withdrawn):
        for column, moment in seeded.times[request_id].items():
            assert questions[request_id][column] == moment, (request_id, column)
    assert questions[seeded.old]["ended_at"] is not None
    recent = questions[seeded.recent]
    assert (recent["preview"], recent["rating_comment"], recent["rating"], recent["topic"]) == (
        RECENT_QUESTION,
        RECENT_COMMENT,
        5,
        "school",
    )

    # The mentor's export: the topic they filed stays, the note they wrote goes.
    raw, data = await exported(berg, double)
    assert OLD_NOTE not in raw and OLD_QUESTION not in raw
    held = {conversation["id"]: conversation for conversation in data["conversations_held"]}
    assert (held[seeded.old]["topic"], held[seeded.old]["mentor_note"]) == ("sleep", None)
    assert held[seeded.recent]["mentor_note"] == RECENT_NOTE
    assert held[seeded.still_open]["state"] == "accepted"

    # A conversation still open keeps its words however old it is, and it still works.
    _, data = await exported(ask, double)
    (question,) = data["questions"]
    assert (question["id"], question["preview"]) == (seeded.still_open, OPEN_QUESTION)
    await ask.send("Hon vill träffa honom varje helg.")
    relayed = (await berg.next_message())["text"]
    assert relayed == f"💬 #{seeded.still_open} Familjen Ask\nHon vill träffa honom varje helg."
    await berg.send("Börja med varannan helg.")
    assert (await ask.next_message())["text"] == "Börja med varannan helg."
    requests = await answer(karin, "/requests")
    assert "Öppna frågor (1)" in requests
    assert re.search(rf"#{seeded.still_open} Familjen Ask: i samtal, .*med Familjen Berg", requests)

    # Registrations of interest follow the same retention.
    listing = await answer(karin, "/interest")
    assert "Intresseanmälningar (1)" in listing
    assert "Ny Anmälan, 070-222 22 22" in listing and "Gammal" not in listing

    # A family's first message is answered with a reminder to leave names and numbers out.
    await ek.send("Hur pratar vi med honom om flytten?")
    told = (await ek.next_message())["text"]
    assert told.startswith("Tack. Er fråga #")
    assert "Skriv inte ett barns namn eller personnummer." in told
    assert "Hur pratar vi med honom om flytten?" in (await berg.next_message())["text"]

    # In the database itself: no old words anywhere, no pointer into an old conversation, and
    # every row and figure that statistics are made of still there.
    rows = database_rows(db_path)
    for table, table_rows in rows.items():
        for row in table_rows:
            for value in tuple(row):
                assert not any(words in str(value) for words in OLD_WORDS), (table, tuple(row))
    stored = {row["id"]: row for row in rows["requests"]}
    assert len(stored) == 5  # the four seeded and the new one
    for request_id in (seeded.old, seeded.withdrawn):
        row = stored[request_id]
        assert (row["preview"], row["rating_comment"], row["mentor_note"]) == (None, None, None)
        assert row["family_household_id"] is not None
    old_row = stored[seeded.old]
    assert (old_row["state"], old_row["rating"], old_row["topic"], old_row["first_kind"]) == (
        "closed",
        4,
        "sleep",
        "text",
    )
    assert old_row["mentor_household_id"] is not None
    assert old_row["accepted_at"] == seeded.times[seeded.old]["accepted_at"]
    pointers = [
        row["request_id"] for table in ("relays", "request_messages") for row in rows[table]
    ]
    assert seeded.old not in pointers and seeded.withdrawn not in pointers
    assert pointers.count(seeded.recent) == 4  # two relayed messages, the two thanks
    assert pointers.count(seeded.still_open) >= 2
    offered = [row["request_id"] for row in rows["offers"]]
    assert seeded.old in offered and seeded.withdrawn in offered  # who was asked, and when
    assert (stored[seeded.recent]["preview"], stored[seeded.recent]["mentor_note"]) == (
        RECENT_QUESTION,
        RECENT_NOTE,
    )
    assert stored[seeded.still_open]["preview"] == OPEN_QUESTION

    # And the evaluation still counts every question, old or erased, with its rating.
    tz = ZoneInfo("Europe/Stockholm")
    first, last = (now - 60 * DAY).astimezone(tz).date(), now.astimezone(tz).date()
    await karin.send(f"/stats {first} {last}")
    report = (await karin.next_message())["text"].splitlines()
    assert "Förfrågningar: 5, varav brådskande: 0" in report
    assert any(line.startswith("Betyg: 2, medelvärde 4,5 ") for line in report), report
    assert not any(words in "\n".join(report) for words in OLD_WORDS)
