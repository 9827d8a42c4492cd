"""The sessions that go through a table's every row, or every table of a person, run off the
event loop's thread (`Database.read(slow=True)`): at a region's scale each takes hundreds of
milliseconds, which on the loop's thread no other family's message could be answered in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from bot import broadcasts, members, personal_data, rota_planning
from storage.db import Database, Session
from storage.models import Audience, Member, Role
from tests.support import make_household

NOW = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)


@pytest.fixture
def on_the_loop(monkeypatch: pytest.MonkeyPatch) -> list[Session]:
    """The sessions that ran a statement on the loop's thread, one entry a statement."""
    seen: list[Session] = []
    original = Session._on_the_loop

    async def recorded(self: Session, *arguments: Any) -> Any:
        seen.append(self)
        return await original(self, *arguments)

    monkeypatch.setattr(Session, "_on_the_loop", recorded)
    return seen


LONG_SESSIONS: dict[str, Callable[[Database, Member, Member], Awaitable[object]]] = {
    "export": lambda db, coordinator, family: personal_data.export(db, family.id, coordinator, NOW),
    "erase": lambda db, coordinator, family: personal_data.erase(db, family.id, coordinator, NOW),
    "remove": lambda db, coordinator, family: members.remove(db, coordinator, family.id, NOW),
    "members": lambda db, coordinator, family: members.list_members(db),
    "recipients": lambda db, coordinator, family: broadcasts.count_recipients(
        db, Audience.EVERYONE
    ),
    "broadcasts": lambda db, coordinator, family: broadcasts.recent(db),
    "rota export": lambda db, coordinator, family: rota_planning.export_rows(db, NOW),
}


@pytest.mark.parametrize("name", LONG_SESSIONS)
async def test_a_session_that_may_read_thousands_of_rows_leaves_the_loop_free(
    db: Database, on_the_loop: list[Session], name: str
) -> None:
    (coordinator,) = await make_household(db, Role.COORDINATOR, None, (1,), NOW)
    (family,) = await make_household(db, Role.FAMILY, "Ek", (2,), NOW)
    on_the_loop.clear()
    await LONG_SESSIONS[name](db, coordinator, family)
    assert on_the_loop == []
