"""A stranger signs up for an information meeting from /start, with consent, and gets the
meeting's calendar file; a stranger who says no is stored nowhere; and withdrawing the
registration gives the place to the next in line, who is told at once. /start shows the five
soonest meetings and how many more; a stranger gives up one place under /start and keeps the
rest; a second Sign up says where one stands; /mydata and /forget show the meeting places."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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


async def a_meeting(
    tmp_path: Path,
    capacity: int,
    starts: datetime,
    title: str = "Vill du bli familjehem? <Kväll>",
    description: str = "",
) -> int:
    """The meeting as the catalogue (or a coordinator) made it: set up beside the running bot,
    as a `mentorbot` command would."""
    db = await Database.open(tmp_path / "mentorbot.db")
    try:
        details = EventDetails(
            kind=EventKind.INFORMATION_MEETING,
            title=title,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            audience=EventAudience.PROSPECTIVE,
            description=description,
            place="Stadshuset",
            capacity=capacity,
        )
        event = await events.create(db, details, None, datetime.now(UTC))
        assert not isinstance(event, events.EventProblem)
        return event.id
    finally:
        await db.close()


async def after_start(person: SandboxUser) -> list[dict[str, Any]]:
    """Every message /start brings after the first (what the service is): the meetings, then
    one's own places, if any."""
    await person.send("/start")
    await person.next_message()
    found: list[dict[str, Any]] = []
    while True:
        try:
            found.append(await person.next_message(timeout=0.8))
        except AssertionError:
            return found


async def sign_up(
    person: SandboxUser, name: str, adults: str, *, consent: str, meeting: int = 0
) -> str:
    """/start, the `meeting`th's Sign up, how many, name, number, then the consent press;
    returns the text the consent message became."""
    meetings, *_ = await after_start(person)
    signups = [b for b in labels(meetings) if b.startswith("Anmäl mig")]
    await person.press(meetings, signups[meeting])
    asked = await person.next_message()
    assert "Hur många av er kommer till <b>" not in asked["text"]  # the title is text, not markup
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


async def test_a_strangers_start_shows_the_next_five_meetings_and_says_how_many_more(
    start_bot: StartBot, double: BotApiDouble, tmp_path: Path
) -> None:
    """A year's twelve information meetings, each with a long description: /start shows the
    five soonest, each with its Sign up, in messages Telegram takes, and how many come later."""
    await start_bot()
    first = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    long_description = "Om att bli familjehem, placerade barn och stödet från enheten. " * 23
    for month in range(12):
        await a_meeting(
            tmp_path,
            capacity=40,
            starts=first + timedelta(days=30 * month),
            title=f"Informationskväll {month + 1}",
            description=long_description,
        )
    anna = double.add_user(first_name="Anna", language_code="sv")

    screens = await after_start(anna)

    assert screens, "the meetings did not reach Anna"
    assert all(len(screen["text"]) <= 4096 for screen in screens)
    text = "\n".join(screen["text"] for screen in screens)
    assert [f"Informationskväll {n}" in text for n in range(1, 13)] == [True] * 5 + [False] * 7
    assert text.count(long_description.strip()) == 5
    signups = [label for screen in screens for label in labels(screen)]
    assert len(signups) == 5 and all(label.startswith("Anmäl mig") for label in signups)
    assert screens[-1]["text"].endswith(
        "7 informationsmöten till kommer senare; de visas här när mötena ovan har varit."
    )


async def test_a_stranger_gives_up_one_place_and_keeps_the_registration_and_the_other(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble, tmp_path: Path
) -> None:
    service = await build_service(await start_bot(), coordinator, double)
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    await a_meeting(tmp_path, capacity=2, starts=soon, title="Informationskväll mars")
    await a_meeting(tmp_path, capacity=10, starts=soon + timedelta(days=30), title="Kväll april")
    anna = double.add_user(first_name="Anna", language_code="sv")
    lisa = double.add_user(first_name="Lisa", language_code="sv")
    assert await sign_up(anna, "Anna Svensson", "2", consent="Ja, jag samtycker") == (
        "Tack! Ni är anmälda."
    )
    place = await anna.next_message()
    assert "Skicka /start för att se era platser eller lämna en." in place["caption"]
    await sign_up(anna, "Anna Svensson", "1", consent="Ja, jag samtycker", meeting=1)
    await anna.next_message()  # the April place, with its calendar file
    assert "väntelistan som nummer 1" in await sign_up(
        lisa, "Lisa Lund", "2", consent="Ja, jag samtycker"
    )

    *_, places = await after_start(anna)
    assert places["text"].startswith("Era anmälningar:")
    assert labels(places) == ["Avanmäl: Informationskväll mars", "Avanmäl: Kväll april"]
    await anna.press(places, "Avanmäl: Informationskväll mars")

    told = (await anna.next_message())["text"]
    assert told.startswith("Ni har lämnat er plats på Informationskväll mars.")
    assert "Din intresseanmälan och era andra platser finns kvar" in told
    assert labels(await anna.wait_for_edit(places)) == ["Avanmäl: Kväll april"]
    moved = await lisa.next_message()
    assert moved["caption"].startswith("En plats blev ledig: ni har nu plats på")
    # Anna is still registered, with her April place, and may sign up for March again.
    assert "Anna Svensson" in await answer(service.karin, "/interest")
    *_, places = await after_start(anna)
    assert labels(places) == ["Avanmäl: Kväll april"]
    assert "Kväll april" in places["text"] and "mars" not in places["text"]


async def test_a_second_sign_up_says_where_one_stands_and_changes_nothing(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble, tmp_path: Path
) -> None:
    service = await build_service(await start_bot(), coordinator, double)
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    await a_meeting(tmp_path, capacity=2, starts=soon)
    anna = double.add_user(first_name="Anna", language_code="sv")
    lisa = double.add_user(first_name="Lisa", language_code="sv")
    await sign_up(anna, "Anna Svensson", "2", consent="Ja, jag samtycker")
    await anna.next_message()  # the place, with its calendar file
    await sign_up(lisa, "Lisa Lund", "1", consent="Ja, jag samtycker")

    for person, line in (
        (anna, "Ni har redan plats på Vill du bli familjehem? <Kväll>, "),
        (lisa, "Ni står redan som nummer 1 på väntelistan till Vill du bli familjehem? <Kväll>, "),
    ):
        meetings, *_ = await after_start(person)
        await person.press(meetings, labels(meetings)[0])
        said = (await person.next_message())["text"]
        assert said.startswith(line) and said.endswith(". Inget har ändrats.")
        await person.no_message(within=0.5)  # no question of how many come

    roster = await answer(service.karin, "/interest")
    assert "Intresseanmälningar (2)" in roster


async def test_a_stranger_sees_their_meeting_places_in_mydata_and_what_forget_erases(
    start_bot: StartBot, double: BotApiDouble, tmp_path: Path
) -> None:
    await start_bot()
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    await a_meeting(tmp_path, capacity=2, starts=soon, title="Informationskväll mars")
    anna = double.add_user(first_name="Anna", language_code="sv")
    lisa = double.add_user(first_name="Lisa", language_code="sv")
    assert await answer(lisa, "/mydata") == "Mentorbot sparar inget om dig."
    await sign_up(anna, "Anna Svensson", "2", consent="Ja, jag samtycker")
    await anna.next_message()
    await sign_up(lisa, "Lisa Lund", "1", consent="Ja, jag samtycker")

    for person, state, position in ((anna, "confirmed", None), (lisa, "waiting", 1)):
        await person.send("/mydata")
        sent = await person.next_message()
        assert sent["caption"].startswith("Allt Mentorbot sparar om dig")
        data = json.loads(double.file_bytes(sent["document"]["file_id"]))
        [meeting] = data["information_meetings"]
        assert (meeting["title"], meeting["place"]) == ("Informationskväll mars", "Stadshuset")
        assert datetime.fromisoformat(meeting["starts_at"]) == soon
        assert (meeting["state"], meeting["waiting_position"]) == (state, position)
        assert [entry["phone"] for entry in data["interest_registrations"]] == ["+46701234567"]

    await lisa.send("/forget")
    asked = (await lisa.next_message())["text"]
    assert asked.startswith("Det här raderar din intresseanmälan (Lisa Lund, +46701234567)")
    assert "Informationskväll mars" in asked and "nummer 1 på väntelistan" in asked
