"""Every statement on a hot path uses an index: none scans a table that grows.

The statements are those a question really makes, from the family's message to the end of its
conversation, and those of a coordinator's `/rota`, `/requests` and `/stats` (each one the
repositories ran, recorded), each asked `EXPLAIN QUERY PLAN`; a `SCAN` of a growing table fails,
naming the statement. A covering index read whole is a scan as well, and so is an index's range
open towards the past (`starts_at<?`): both grow with the table. A report over a period may
read every request of the period, through an index's range.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot import rota_planning, routing, stats
from bot.config import load_config
from storage import shifts
from storage.db import Database, Params, Session
from storage.models import Kind, Member, Role, Side
from tests.support import make_household

NOW = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)
CONFIG = load_config({}, env_file=None)
# Tables that grow with the service's use; a scan of a small one (households' experience) is
# not worth an index.
GROWING = {
    "requests",
    "offers",
    "members",
    "households",
    "shifts",
    "relays",
    "request_messages",
    "mentor_links",
}


# What may follow a table's name in FROM or JOIN where the statement gives it no alias.
_KEYWORDS = "ON|WHERE|LEFT|JOIN|INNER|CROSS|USING|GROUP|ORDER|LIMIT|INDEXED|NOT"
_ALIAS = re.compile(
    rf"\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(?!(?:{_KEYWORDS})\b)(\w+))?", re.IGNORECASE
)

# An index's range with only an upper bound reads all of the history before it.
_OPEN_TO_THE_PAST = re.compile(r"\(\w+<=?\?\)$")


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, Params]]]:
    seen: list[tuple[str, Params]] = []
    for name in ("execute", "fetch_one", "fetch_all", "insert", "changed_one"):
        original = getattr(Session, name)

        async def recorded(
            self: Session, sql: str, params: Params = (), *, _o: Any = original
        ) -> Any:
            seen.append((sql, params))
            return await _o(self, sql, params)

        monkeypatch.setattr(Session, name, recorded)

    original_together = Session.fetch_together

    async def together(self: Session, queries: Sequence[tuple[str, Params]]) -> Any:
        seen.extend(queries)
        return await original_together(self, queries)

    monkeypatch.setattr(Session, "fetch_together", together)
    original_along = Session.write_along

    def along(self: Session, sql: str, params: Params = ()) -> None:
        seen.append((sql, params))
        original_along(self, sql, params)

    monkeypatch.setattr(Session, "write_along", along)
    for name in ("execute_many", "write_many_along"):
        original = getattr(Session, name)

        def many(self: Session, sql: str, rows: Sequence[Params], *, _o: Any = original) -> Any:
            seen.extend((sql, row) for row in rows[:1])  # one plan stands for every row
            return _o(self, sql, rows)

        monkeypatch.setattr(Session, name, many)
    yield seen


async def scans(db: Database, statements: list[tuple[str, Params]]) -> list[str]:
    """Each recorded statement's scan of a growing table, beside the statement."""
    found = []
    async with db.read() as session:
        for sql, params in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "INSERT")):
                continue
            # A plan names a table by its alias, where the statement gives it one.
            tables = {alias: table for table, alias in _ALIAS.findall(sql) if alias}
            for row in await session.fetch_all("EXPLAIN QUERY PLAN " + sql, params):
                words = row["detail"].split()
                reads_all = words[:1] == ["SCAN"] or _OPEN_TO_THE_PAST.search(row["detail"])
                if reads_all and tables.get(words[1], words[1]) in GROWING:
                    found.append(f"{row['detail']}  <-  {' '.join(sql.split())[:120]}")
    return found


async def conversation(db: Database, mentor: Member, family: Member, at: datetime) -> int:
    """A family's question, offered to the mentor on duty, accepted, relayed; left open."""
    taken = await routing.take_message(
        db, family, family.telegram_user_id, 7, kind=Kind.TEXT, preview="?", urgent=False, now=at
    )
    await routing.remember_offers(db, taken.request.id, [(mentor.id, 70)])
    accepted = await routing.accept(db, mentor, taken.request.id, at)
    assert not isinstance(accepted, routing.RoutingProblem)
    await routing.remember_relay(db, mentor.telegram_user_id, 71, taken.request.id)
    return taken.request.id


async def test_a_question_and_its_conversation_scan_no_growing_table(
    db: Database, statements: list[tuple[str, Params]]
) -> None:
    (berg,) = await make_household(db, Role.MENTOR, "Berg", (2,), NOW - timedelta(days=1))
    (ek,) = await make_household(db, Role.FAMILY, "Ek", (3,), NOW - timedelta(days=1))
    async with db.write() as session:
        await shifts.add_shift(session, berg.household.id, NOW, NOW + timedelta(hours=2), None, NOW)
    statements.clear()
    number = await conversation(db, berg, ek, NOW)
    await routing.addressee(db, berg, 2, 71)
    await routing.replied_to(db, 2, 71)
    conversation_now = await routing.open_conversation(db, number)  # each message relayed
    assert conversation_now is not None
    await routing.counterpart(db, conversation_now.request)
    await routing.reach_on_duty(db, number, NOW)
    await routing.end(db, number, Side.MENTOR, NOW)
    recorded = " ".join(sql for sql, _ in statements)
    assert "INTO request_messages" in recorded and "SET message_id" in recorded  # writes along
    assert "household_experience" in recorded  # the reads together
    assert await scans(db, statements) == []


@pytest.fixture
async def a_season(db: Database) -> None:
    """Two mentor households taking turns on evenings a week back and a week ahead, a week of
    ended conversations, and one question offered now and one being talked through."""
    joined = NOW - timedelta(days=30)
    berg = (await make_household(db, Role.MENTOR, "Berg", (2,), joined))[0]
    lund = (await make_household(db, Role.MENTOR, "Lund", (4,), joined))[0]
    families = [
        (await make_household(db, Role.FAMILY, f"F{n}", (10 + n,), joined))[0] for n in range(9)
    ]
    async with db.write() as session:
        for day in range(-7, 8):
            start = NOW + timedelta(days=day)
            mentor = (berg, lund)[day % 2]
            await shifts.add_shift(
                session, mentor.household.id, start, start + timedelta(hours=2), None, joined
            )
    for day in range(1, 8):
        at = NOW - timedelta(days=day)
        number = await conversation(db, (berg, lund)[day % 2], families[day], at)
        await routing.end(db, number, Side.FAMILY, at + timedelta(minutes=30))
    await conversation(db, berg, families[0], NOW)
    taken = await routing.take_message(
        db, families[8], 18, 7, kind=Kind.TEXT, preview="?", urgent=False, now=NOW
    )
    await routing.remember_offers(db, taken.request.id, [(berg.id, 72)])


@pytest.mark.usefixtures("a_season")
async def test_the_coming_weeks_rota_scans_no_growing_table(
    db: Database, statements: list[tuple[str, Params]]
) -> None:
    today = NOW.astimezone(CONFIG.timezone).date()
    statements.clear()
    days = await rota_planning.coverage(db, today, 7, CONFIG.service_hours, CONFIG.timezone, NOW)
    await rota_planning.overbooked_weeks(db, today, 7, CONFIG.timezone, timedelta(hours=20))
    assert any(day.shifts for day in days)
    assert await scans(db, statements) == []


@pytest.mark.usefixtures("a_season")
async def test_the_open_requests_scan_no_growing_table(
    db: Database, statements: list[tuple[str, Params]]
) -> None:
    statements.clear()
    found = await routing.open_requests(db)
    await routing.offer_reasons(db, [request.id for request in found])
    assert len(found) == 2
    assert await scans(db, statements) == []


@pytest.mark.usefixtures("a_season")
async def test_the_evaluation_report_scans_no_growing_table(
    db: Database, statements: list[tuple[str, Params]]
) -> None:
    """Over the default period, which reads the period's requests through an index's range."""
    period = stats.parse_period([], NOW.astimezone(CONFIG.timezone).date())
    statements.clear()
    report = await stats.report(db, period, CONFIG.timezone, CONFIG.service_hours, NOW)
    assert report.mentors
    assert await scans(db, statements) == []
