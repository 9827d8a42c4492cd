"""A stranger signs up for an information meeting from /start, with consent, and gets the
meeting's calendar file; a stranger who says no is stored nowhere; and withdrawing the
registration gives the place to the next in line, who is told at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from bot import events
from bot.sandbox import BotApiDouble, SandboxUser
from storage.db import Database
from storage.models import EventAudience, EventDetails, EventKind
from tests.e2e.chat_support import StartBot, answer, build_service, labels

pytestmark = pytest.mark.chat_burst(30)

# A minute's reminder (MENTORBOT_EVENT_REMINDERS=1) for a meeting a minute and LEAD away: it
# falls due while the scene runs, to whoever has the place by then.
REMINDER = {"MENTORBOT_EVENT_REMINDERS": "1"}
LEAD = timedelta(seconds=10)


async def a_meeting(tmp_path: Path, capacity: int, starts: datetime) -> int:
    """The meeting as the catalogue (or a coordinator) made it: set up beside the running bot,
    as a `mentorbot` command would."""
    db = await Database.open(tmp_path / "mentorbot.db")
    try:
        details = EventDetails(
            kind=EventKind.INFORMATION_MEETING,
            title="Vill du bli familjehem? <Kväll>",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            audience=EventAudience.PROSPECTIVE,
            place="Stadshuset",
            capacity=capacity,
        )
        event = await events.create(db, details, None, datetime.now(UTC))
        assert not isinstance(event, events.EventProblem)
        return event.id
    finally:
        await db.close()


async def sign_up(person: SandboxUser, name: str, adults: str, *, consent: str) -> str:
    """/start, the meeting's Sign up, how many, name, number, then the consent press; returns
    the text the consent message became."""
    await person.send("/start")
    await person.next_message()  # what the service is
    meetings = await person.next_message()
    await person.press(meetings, next(b for b in labels(meetings) if b.startswith("Anmäl mig")))
    asked = await person.next_message()
    assert "Hur många av er kommer till <b>" not in asked["text"]  # the title is text, not markup
    assert "Vill du bli familjehem? <Kväll>" in asked["text"]
    await person.press(asked, adults)
    assert "Vad heter du?" in (await person.wait_for_edit(asked))["text"]
    await answer(person, name)
    await answer(person, "070-123 45 67")
    question = await person.next_message()
    assert "för informationsmötet" in question["text"]
    await person.press(question, consent)
    return str((await person.wait_for_edit(question))["text"])


async def test_a_stranger_signs_up_for_an_information_meeting_with_consent(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble, tmp_path: Path
) -> None:
    service = await build_service(await start_bot(**REMINDER), coordinator, double)
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1) + LEAD
    await a_meeting(tmp_path, capacity=3, starts=starts)
    anna = double.add_user(first_name="Anna", language_code="sv")
    erik = double.add_user(first_name="Erik", language_code="sv")
    lisa = double.add_user(first_name="Lisa", language_code="sv")

    # Erik says no: he is in no list and holds no place.
    assert "Inget sparades" in await sign_up(erik, "Erik Ek", "3", consent="Nej")
    assert await answer(service.karin, "/interest") == "Inga intresseanmälningar."

    assert await sign_up(anna, "Anna Svensson", "2", consent="Ja, jag samtycker") == (
        "Tack! Ni är anmälda."
    )
    place = await anna.next_message()
    assert "Ni har plats på Vill du bli familjehem? &lt;Kväll&gt;" not in place["caption"]
    assert place["caption"].startswith("Ni har plats på Vill du bli familjehem? <Kväll>")
    [entry] = Calendar.from_ical(double.file_bytes(place["document"]["file_id"])).events
    assert entry["LOCATION"] == "Stadshuset"
    assert entry.start == starts

    # Lisa's two do not fit beside Anna's two: she waits, first in line.
    waiting = await sign_up(lisa, "Lisa Lund", "2", consent="Ja, jag samtycker")
    assert "väntelistan som nummer 1" in waiting
    listing = await answer(service.karin, "/interest")
    assert "Intresseanmälningar (2)" in listing and "Erik" not in listing

    # Anna withdraws everything: Lisa has the place, and is told at once with the file.
    await anna.send("/forget")
    confirm = await anna.next_message()
    await anna.press(confirm, "Radera")
    assert "Din intresseanmälan är raderad" in (await anna.wait_for_edit(confirm))["text"]
    moved = await lisa.next_message()
    assert moved["caption"].startswith("En plats blev ledig: ni har nu plats på")
    assert moved["document"]["file_name"].endswith(".ics")
    # The reminder reaches the one with the place now, and nobody else.
    reminder = await lisa.next_message(timeout=LEAD.total_seconds() + 20)
    assert "Vill du bli familjehem? <Kväll>" in reminder["text"]
    await anna.no_message(within=0.2)
    await erik.no_message(within=0.2)

    # A forged Sign up for an event that is not an information meeting changes nothing.
    await erik.press_data(erik.messages[-1], "interest:meeting:999")
    assert "finns inte" in (await erik.next_message())["text"]

    # A member is pointed to /events instead of registering as a stranger.
    await service.family.send("/start")
    assert "Anmäl mig" not in str(await service.family.next_message())
