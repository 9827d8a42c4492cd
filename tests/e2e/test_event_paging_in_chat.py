"""A large service's events in chat, over the double, which refuses a message over 4096
characters or a keyboard over 100 buttons as Telegram does: a catalogue of 60 events under
/event, more events than a keyboard holds to attach to a newsletter, and an outing of 120
households, its roster and its attendance, each shown a page or a message at a time."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import events
from bot.sandbox import SandboxUser
from storage import households
from storage.db import Database
from storage.models import Event, EventAudience, EventDetails, EventKind, Member, Role
from tests.e2e.chat_support import StartBot, labels, messages_until_quiet, texts_until_quiet

pytestmark = pytest.mark.chat_burst(30)
TZ = ZoneInfo("Europe/Stockholm")
NEXT, BACK = "Fler ›", "‹ Tillbaka"


async def _coordinator(database: Database, karin: SandboxUser, joined: datetime) -> Member:
    async with database.write() as session:
        household = await households.create_household(
            session, Role.COORDINATOR, joined, "Karin Holm"
        )
        number = await households.add_member(session, household, karin.id, joined)
        await households.set_language(session, number, "sv")
    async with database.read() as session:
        member = await households.member_by_telegram_id(session, karin.id)
    assert member is not None
    return member


async def seed_events(path: Path, karin: SandboxUser, count: int) -> list[str]:
    """Karin, and `count` courses on the coming days; their titles, soonest first."""
    database = await Database.open(path)
    moment = datetime.now(TZ)
    titles = [f"Kurs {n:03}" for n in range(1, count + 1)]
    try:
        member = await _coordinator(database, karin, moment - timedelta(days=30))
        for n, title in enumerate(titles, start=1):
            starts = (moment + timedelta(days=n)).replace(hour=9, minute=0, second=0)
            details = EventDetails(
                kind=EventKind.COURSE,
                title=title,
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                audience=EventAudience.FAMILIES,
                capacity=20,
            )
            assert isinstance(await events.create(database, details, member, moment), Event)
    finally:
        await database.close()
    return titles


async def seed_outing(path: Path, karin: SandboxUser, count: int) -> list[str]:
    """Karin, and an outing yesterday that `count` foster families had signed up for, two
    adults and a child each; their names, in the order they signed up."""
    database = await Database.open(path)
    moment = datetime.now(TZ)
    before = moment - timedelta(days=3)
    names = [f"Familjen Nr {n:03}" for n in range(1, count + 1)]
    try:
        karin_member = await _coordinator(database, karin, moment - timedelta(days=30))
        outing = await events.create(
            database,
            EventDetails(
                kind=EventKind.OUTING,
                title="Till Knuthenborg",
                starts_at=moment - timedelta(hours=30),
                ends_at=moment - timedelta(hours=22),
                audience=EventAudience.FAMILIES,
                children_along=True,
            ),
            karin_member,
            before,
        )
        assert isinstance(outing, Event)
        for n, name in enumerate(names, start=1):
            async with database.write() as session:
                household = await households.create_household(session, Role.FAMILY, before, name)
                await households.add_member(session, household, 900_000 + n, before)
            async with database.read() as session:
                family = await households.member_by_telegram_id(session, 900_000 + n)
            assert family is not None
            signed = await events.sign_up(
                database, outing.id, family, 2, 1, before + timedelta(seconds=n)
            )
            assert not isinstance(signed, events.SignUpProblem)
    finally:
        await database.close()
    return names


def within_limits(message: dict[str, Any]) -> dict[str, Any]:
    """A message as the double took it, which Telegram would have taken too."""
    assert len(message.get("text", "")) <= 4096 and len(labels(message)) <= 100
    return message


async def test_a_coordinator_turns_the_pages_of_sixty_events(
    start_bot: StartBot, coordinator: SandboxUser, tmp_path: Path
) -> None:
    karin = coordinator
    titles = await seed_events(tmp_path / "mentorbot.db", karin, 60)
    await start_bot()

    await karin.send("/event")
    listed = within_limits(await karin.next_message())
    first = labels(listed)
    assert "Sida 1 av" in listed["text"] and NEXT in first and BACK not in first
    seen = [label for label in first if label not in (NEXT, BACK)]
    while NEXT in labels(listed):
        await karin.press(listed, NEXT)
        listed = within_limits(await karin.wait_for_edit(listed))
        assert BACK in labels(listed)
        seen += [label for label in labels(listed) if label not in (NEXT, BACK)]
    assert [label.split(" · ")[1] for label in seen] == titles  # each once, soonest first
    await karin.press(listed, seen[-1])  # a button on the last page opens its event
    assert titles[-1] in (await karin.wait_for_edit(listed))["text"]
    await texts_until_quiet(karin, 0.3)


async def test_a_newsletter_offers_more_events_than_a_keyboard_holds_a_page_at_a_time(
    start_bot: StartBot, coordinator: SandboxUser, tmp_path: Path
) -> None:
    karin = coordinator
    titles = await seed_events(tmp_path / "mentorbot.db", karin, 120)
    await start_bot()

    await karin.send("/broadcast")
    await karin.next_message()
    await karin.send("Vårens kurser är här.")
    step = await karin.next_message()
    await karin.press(step, "Familjehem")
    step = within_limits(await karin.wait_for_edit(step))
    assert "Sida 1 av" in step["text"] and NEXT in labels(step)
    assert titles[0] in labels(step)[0] and not any(titles[-1] in label for label in labels(step))
    await karin.press(step, NEXT)
    step = within_limits(await karin.wait_for_edit(step))
    assert "Sida 2 av" in step["text"] and BACK in labels(step)
    # Ticked on the second page, the event stays ticked there, and the page stays.
    (later,) = [label for label in labels(step) if titles[30] in label]
    await karin.press(step, later)
    step = within_limits(await karin.wait_for_edit(step))
    assert f"\u2705 {later}" in labels(step) and "Sida 2 av" in step["text"]
    await karin.press(step, "Fortsätt")
    await karin.press(await karin.wait_for_edit(step), "Nu")
    await karin.next_message()  # the preview follows
    assert labels(await karin.next_message()) == [f"Anmäl er: {later}"]
    await texts_until_quiet(karin, 0.3)


async def test_an_outing_of_120_households_is_read_and_marked_across_messages_and_pages(
    start_bot: StartBot, coordinator: SandboxUser, tmp_path: Path
) -> None:
    karin = coordinator
    names = await seed_outing(tmp_path / "mentorbot.db", karin, 120)
    await start_bot()

    await karin.send("/event")
    listed = await karin.next_message()
    await karin.press(listed, next(label for label in labels(listed) if "Knuthenborg" in label))
    card = within_limits(await karin.wait_for_edit(listed))
    rest = [within_limits(await karin.next_message())]
    rest += [within_limits(message) for message in await messages_until_quiet(karin)]
    roster = "\n".join(message["text"] for message in [card, *rest])
    for position, name in enumerate(names, start=1):
        assert f"{position}. {name}: 2 vuxna, 1 barn" in roster
    assert "Närvaro" in labels(card) and all(not labels(message) for message in rest)

    await karin.press(card, "Närvaro")
    marking = within_limits(await karin.wait_for_edit(card))
    assert "Sida 1 av" in marking["text"] and names[0] in labels(marking)[0]
    await karin.press(marking, NEXT)
    marking = within_limits(await karin.wait_for_edit(marking))
    assert "Sida 2 av" in marking["text"]
    (household,) = [label for label in labels(marking) if names[25] in label]
    await karin.press(marking, household)
    marking = within_limits(await karin.wait_for_edit(marking))
    assert "Sida 2 av" in marking["text"]  # the page of the household marked stays in view
    assert any(label.startswith(f"\u2705 {names[25]}") for label in labels(marking))
    assert "3 av 360 personer" in marking["text"]
