"""The coordinators' events in chat, over the double: Karin creates a theme morning for 10
people with /event new by presses and typed answers (a family may not); three households are
signed up (the members' own buttons are tested elsewhere); the roster and its CSV show them; a
new time reaches everyone signed up, those with a place with a new .ics; the cancellation
reaches everyone signed up and waiting; after a course, attendance marked by presses shows in
/stats; a forged press changes nothing."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot import events
from bot.sandbox import BotApiDouble, SandboxUser
from storage import households
from storage.db import Database
from storage.models import Event, EventAudience, EventDetails, EventKind, Member, Role
from tests.e2e.chat_support import StartBot, answer, button_data, labels, texts_until_quiet

pytestmark = pytest.mark.chat_burst(30)
TZ = ZoneInfo("Europe/Stockholm")
TITLE = "Placerade barns <hälsa>"  # a "<" typed in a title stays text


async def seed(path: Path, people: dict[str, SandboxUser]) -> None:
    """Karin, and three foster families: Ek (sv), Lind (da) and the Holms (en)."""
    database = await Database.open(path)
    joined = datetime.now(TZ) - timedelta(days=30)
    try:
        async with database.write() as session:
            for name, role in [
                ("Karin Holm", Role.COORDINATOR),
                ("Familjen Ek", Role.FAMILY),
                ("Familien Lind", Role.FAMILY),
                ("The Holms", Role.FAMILY),
            ]:
                household = await households.create_household(session, role, joined, name)
                user = people[name]
                member = await households.add_member(session, household, user.id, joined)
                # As if each had written already, from an app in their language.
                await households.set_language(session, member, user.language_code or "sv")
    finally:
        await database.close()


async def members(database: Database, *users: SandboxUser) -> list[Member]:
    async with database.read() as session:
        found = [await households.member_by_telegram_id(session, user.id) for user in users]
    assert all(found)
    return [member for member in found if member is not None]


def rows_of(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # Nordic Excel's CSV (bot/spreadsheet.py)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


async def test_a_coordinator_runs_an_event_from_creation_to_attendance(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble, tmp_path: Path
) -> None:
    karin = coordinator
    ek = double.add_user(first_name="Dorte", language_code="sv")
    lind = double.add_user(first_name="Lars", language_code="da")
    holm = double.add_user(first_name="Hanna", language_code="en")
    people = {"Karin Holm": karin, "Familjen Ek": ek, "Familien Lind": lind, "The Holms": holm}
    path = tmp_path / "mentorbot.db"
    await seed(path, people)
    await start_bot(MENTORBOT_COURSE_DAYS_EXPECTED="4")

    # A family may not create one.
    assert "finns inte för din roll" in await answer(ek, "/event new")

    # /event new, by presses and typed answers; a bad time is one line and asked again.
    day = datetime.now(TZ).date() + timedelta(days=5)
    await karin.send("/event new")
    step = await karin.next_message()
    await karin.press(step, "Temaförmiddag")
    assert "skriv rubriken" in (await karin.wait_for_edit(step))["text"]
    await karin.send(TITLE)
    step = await karin.next_message()
    await karin.press(step, "Hoppa över")  # no description
    assert labels(await karin.wait_for_edit(step))[0]  # the coming days as buttons
    assert "till när" in await answer(karin, f"{day.day}/{day.month}")
    assert "Skriv tiderna" in await answer(karin, "nio till elva")
    assert "Var hålls det?" in await answer(karin, "9-11.30")
    await karin.send("Familjens hus")
    step = await karin.next_message()
    await karin.press(step, "10 personer")
    await karin.wait_for_edit(step)
    await karin.press(step, "Familjehem")
    await karin.wait_for_edit(step)  # no children asked: not an outing
    await karin.press(step, "Dagen före")
    preview = (await karin.wait_for_edit(step))["text"]
    assert TITLE in preview and "Familjens hus" in preview and "09:00–11:30" in preview
    await karin.press(step, "Skapa")
    created = (await karin.wait_for_edit(step))["text"]
    assert "är skapat och öppet för anmälan" in created

    # A newsletter carries the morning: a family's Sign up under it leads straight in.
    await karin.send("/broadcast")
    await karin.next_message()
    await karin.send("Höstens temaförmiddag är här.")
    step = await karin.next_message()
    await karin.press(step, "Familjehem")
    step = await karin.wait_for_edit(step)
    (morning_label,) = [label for label in labels(step) if TITLE in label]
    await karin.press(step, morning_label)
    step = await karin.wait_for_edit(step)
    assert labels(step) == [f"\u2705 {morning_label}", "Fortsätt"]
    await karin.press(step, "Fortsätt")
    await karin.press(await karin.wait_for_edit(step), "Nu")
    await karin.next_message()  # the preview follows
    sign_up = f"Anmäl er: {morning_label}"
    assert labels(await karin.next_message()) == [sign_up]  # as the families will see it
    confirm = await karin.next_message()
    await karin.press(confirm, "Skicka")
    newsletters = [await family.next_message() for family in (ek, lind, holm)]
    assert [(n["text"], labels(n)) for n in newsletters] == [
        ("Höstens temaförmiddag är här.", [sign_up])
    ] * 3
    await ek.press(newsletters[0], sign_up)
    question = await ek.next_message()
    await ek.press(question, "4")
    await ek.wait_for_edit(question)
    assert f"ni har plats på {TITLE}" in (await ek.next_message())["caption"]
    assert "är klart" in "\n".join(await texts_until_quiet(karin, 0.3))  # the delivery report

    # Sign-ups, as the members' buttons make them: Ek's 4 and 4 fit, the Holms' 3 wait.
    database = await Database.open(path)
    try:
        ek_member, lind_member, holm_member, karin_member = await members(
            database, ek, lind, holm, karin
        )
        (listing,) = await events.for_coordinators(database, datetime.now(TZ))
        morning = listing.event
        for member, adults in ((lind_member, 4), (holm_member, 3)):
            await events.sign_up(database, morning.id, member, adults, 0, datetime.now(TZ))
        # A course yesterday morning, that Ek and Lind had signed up for before it.
        before = datetime.now(TZ) - timedelta(days=3)
        course = await events.create(
            database,
            EventDetails(
                kind=EventKind.COURSE,
                title="Anknytning",
                starts_at=datetime.now(TZ) - timedelta(hours=26),
                ends_at=datetime.now(TZ) - timedelta(hours=20),
                audience=EventAudience.FAMILIES,
                capacity=10,
            ),
            karin_member,
            before,
        )
        assert isinstance(course, Event)
        for member in (ek_member, lind_member):
            await events.sign_up(database, course.id, member, 2, 0, before)
    finally:
        await database.close()

    # /event: the roster, the waiting list in order, and its CSV.
    await karin.send("/event")
    listed = await karin.next_message()
    assert len(labels(listed)) == 2
    await karin.press(listed, next(label for label in labels(listed) if TITLE in label))
    card = await karin.wait_for_edit(listed)
    assert "1. Familjen Ek: 4 vuxna, 0 barn" in card["text"]
    assert "Väntelista" in card["text"] and "1. The Holms: 3 vuxna" in card["text"]
    await karin.press(card, "CSV")
    rows = rows_of(double.file_bytes((await karin.next_message())["document"]["file_id"]))
    assert [row[1] for row in rows[2:]] == ["Familjen Ek", "Familien Lind", "The Holms"]
    assert rows[0][0] == TITLE and rows[4][4] == "väntelista"

    # A new time reaches all three; those with a place get the new .ics.
    await karin.press(card, "Ändra")
    await karin.wait_for_edit(card)
    await karin.press(card, "Tid")
    await karin.wait_for_edit(card)
    await karin.send(f"{day.day}/{day.month} 10-12")
    card = await karin.next_message()  # what was done, over the card as it is now
    assert card["text"].startswith("Ändrat; 3 hushåll fick besked.")
    notice = await ek.next_message()
    assert "Ändrat evenemang" in notice["caption"]
    (entry,) = Calendar.from_ical(double.file_bytes(notice["document"]["file_id"])).walk("VEVENT")
    assert entry.decoded("DTSTART").astimezone(TZ).hour == 10
    assert "Ændret arrangement" in (await lind.next_message())["caption"]
    waiting = await holm.next_message()
    assert "document" not in waiting and "waiting list" in waiting["text"]

    # Cancelled, after a question: everyone signed up and waiting is told.
    await karin.press(card, "Ställ in")
    question = await karin.next_message()
    await karin.press(question, "Ställ in")
    assert "Inställt; 3 hushåll fick besked." in (await karin.wait_for_edit(question))["text"]
    assert "blir inte av" in (await ek.next_message())["caption"]
    assert "aflyst" in (await lind.next_message())["caption"].lower()
    assert "will not take place" in (await holm.next_message())["text"]

    # Attendance after the course, by presses; a forged press changes nothing.
    await karin.send("/event")
    listed = await karin.next_message()
    await karin.press(listed, next(label for label in labels(listed) if "Anknytning" in label))
    card = await karin.wait_for_edit(listed)
    assert "Ändra" not in labels(card)  # begun: no change, no cancellation
    await karin.press(card, "Närvaro")
    marking = await karin.wait_for_edit(card)
    await karin.press(marking, next(label for label in labels(marking) if "Familjen Ek" in label))
    marking = await karin.wait_for_edit(marking)
    assert any(label.startswith("\u2705 Familjen Ek") for label in labels(marking))
    data = button_data(marking, next(label for label in labels(marking) if "Lind" in label))
    forged = await karin.press_data(marking, data.rsplit(":", 2)[0] + ":999999:yes")
    assert forged is not None and "ingen plats" in forged["text"]
    stranger = await karin.press_data(marking, "event-admin:open:999999")
    assert stranger is not None and "finns inte" in stranger["text"]

    await karin.send("/stats")
    report = (await karin.next_message())["text"]
    assert "Kurs: 1 hölls, 10 platser, 4 anmälda, 2 kom, 0 kom inte" in report
    assert "Temaförmiddag" not in report  # cancelled: not held
    # The family sees its own course days under /events, against the unit's expectation.
    await ek.send("/events")
    assert re.search(r"Era kursdagar i år: [12] av 4\.", "\n".join(await texts_until_quiet(ek)))
    await texts_until_quiet(karin, 0.5)
