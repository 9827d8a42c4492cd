"""A place given up after the sign-up deadline, by presses, against the real application and
the Bot API double in this process: Cancel asks first, Keep keeps the place, Give up cancels
it, the first in line moves up and is told, and the coordinators hear of it; the question's
button, pressed again or forged, changes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot import events
from bot.events import Confirmed, Waiting
from bot.sandbox import BotApiDouble, SandboxUser
from storage.db import Database
from storage.models import Event, EventAudience, EventDetails, EventKind, Role
from tests.support import make_household
from tests.unit.telegram_support import against, handle_updates

TITLE = "Utflykt till <Knuthenborg>"
STALE = (
    "Den här bekräftelsen är för gammal, så ingenting ändrades. "
    "Skriv kommandot igen om du fortfarande vill."
)


@pytest.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble(token="424242:unit-event-presses", limits=None) as running:
        yield running


async def press(user: SandboxUser, app: Any, message: dict[str, Any], label: str) -> Any:
    answered, _ = await asyncio.gather(user.press(message, label), handle_updates(app))
    return answered


async def test_a_late_cancellation_asks_first_then_moves_the_list_up_and_tells_the_unit(
    db: Database, double: BotApiDouble
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    karin, ek, lund = (double.add_user(first_name=n, language_code="sv") for n in "KEL")
    (coordinator,) = await make_household(db, Role.COORDINATOR, "Karin", (karin.id,), now)
    (ek_member,) = await make_household(db, Role.FAMILY, "Familjen Ek", (ek.id,), now)
    (lund_member,) = await make_household(db, Role.FAMILY, "Familjen Lund", (lund.id,), now)
    made = now - timedelta(hours=3)
    starts = now + timedelta(days=2)
    details = EventDetails(
        EventKind.OUTING,
        TITLE,
        starts,
        starts + timedelta(hours=6),
        EventAudience.FAMILIES,
        capacity=4,
        children_along=True,
        signup_deadline=now - timedelta(hours=1),
    )
    event = await events.create(db, details, coordinator, made)
    assert isinstance(event, Event)
    assert isinstance(await events.sign_up(db, event.id, ek_member, 2, 2, made), Confirmed)
    assert isinstance(await events.sign_up(db, event.id, lund_member, 1, 2, made), Waiting)

    async with against(double, db) as app:
        await ek.send("/events")
        await handle_updates(app)
        assert (await ek.next_message())["text"].startswith("Just nu finns inget att")
        own = await ek.next_message()
        assert "plats för 2 vuxna och 2 barn" in own["text"]

        await press(ek, app, own, f"Avanmäl: {TITLE}")
        asked = await ek.next_message()
        assert asked["text"].startswith("Sista anmälningsdag har passerat")
        await press(ek, app, asked, "Behåll")
        assert (await ek.wait_for_edit(asked))["text"] == "Ni behåller er plats."

        await press(ek, app, own, f"Avanmäl: {TITLE}")
        asked = await ek.next_message()
        give_up = next(
            b["callback_data"]
            for row in asked["reply_markup"]["inline_keyboard"]
            for b in row
            if b["text"] == "Lämna platsen"
        )
        forged = give_up.rsplit(":", 1)[0] + ":1"  # the number, with another second
        answered, _ = await asyncio.gather(ek.press_data(asked, forged), handle_updates(app))
        assert answered["text"] == STALE
        assert (await ek.wait_for_edit(asked))["text"] == STALE
        assert [s.signup.state.value for s in await events.own_signups(db, ek_member, now)] == [
            "confirmed"
        ]

        await press(ek, app, own, f"Avanmäl: {TITLE}")
        asked = await ek.next_message()
        await press(ek, app, asked, "Lämna platsen")
        given_up = await ek.wait_for_edit(asked)
        assert given_up["text"] == f"Ni har lämnat er plats på {TITLE}."
        moved = await lund.next_message()
        assert moved["caption"].startswith(f"En plats blev ledig: ni har nu plats på {TITLE}")
        late = (await karin.next_message())["text"]
        assert late.startswith(f"Familjen Ek lämnade sin plats på {TITLE}")
        # The same press again finds the place gone.
        answered, _ = await asyncio.gather(ek.press_data(asked, give_up), handle_updates(app))
        assert answered["text"] == STALE
    assert await events.own_signups(db, ek_member, now) == []
