"""Every statement on a question's hot path uses an index: none scans a table that grows.

The statements are those a question really makes, from the family's message to the end of its
conversation (each one the repositories ran, recorded), each asked `EXPLAIN QUERY PLAN`; a
`SCAN` of a growing table without an index fails, naming the statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot import routing
from storage import shifts
from storage.db import Database, Params, Session
from storage.models import Kind, Role, Side
from tests.support import make_household

NOW = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)
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
    yield seen


async def test_a_question_and_its_conversation_scan_no_growing_table(
    db: Database, statements: list[tuple[str, Params]]
) -> None:
    (berg,) = await make_household(db, Role.MENTOR, "Berg", (2,), NOW - timedelta(days=1))
    (ek,) = await make_household(db, Role.FAMILY, "Ek", (3,), NOW - timedelta(days=1))
    async with db.write() as session:
        await shifts.add_shift(session, berg.household.id, NOW, NOW + timedelta(hours=2), None, NOW)
    statements.clear()
    taken = await routing.take_message(
        db, ek, 3, 7, kind=Kind.TEXT, preview="?", urgent=False, now=NOW
    )
    await routing.remember_offers(db, taken.request.id, [(berg.id, 70)])
    accepted = await routing.accept(db, berg, taken.request.id, NOW)
    assert not isinstance(accepted, routing.RoutingProblem)
    await routing.remember_relay(db, 2, 71, taken.request.id)
    await routing.addressee(db, berg, 2, 71)
    await routing.replied_to(db, 2, 71)
    await routing.end(db, taken.request.id, Side.MENTOR, NOW)
    scans = []
    async with db.read() as session:
        for sql, params in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "INSERT")):
                continue
            for row in await session.fetch_all("EXPLAIN QUERY PLAN " + sql, params):
                detail = row["detail"]
                words = detail.split()
                if words[:1] == ["SCAN"] and words[1] in GROWING and "INDEX" not in detail:
                    scans.append(f"{detail}  <-  {' '.join(sql.split())[:120]}")
    assert scans == []
