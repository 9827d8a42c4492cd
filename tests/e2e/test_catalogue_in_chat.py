"""The shared course catalogue as a coordinator hands it on: a CSV of the year's events sent in,
previewed and imported, sent again with two rows changed (the one signed up for a meeting that
moved is told), refused whole for one bad row, and exported by /catalogue as two files that read
back unchanged."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.event_catalogue import parse_catalogue
from bot.sandbox import BotApiDouble, SandboxUser
from tests.e2e.chat_support import Service, answer, button_data, labels, texts_until_quiet

pytestmark = pytest.mark.chat_burst(30)
TZ = ZoneInfo("Europe/Stockholm")
HEADER = (
    "id;typ;titel;beskrivning;börjar;slutar;plats;antal platser;målgrupp;barn med;sista anmälan"
)


def first_day() -> date:
    return datetime.now(TZ).date() + timedelta(days=30)


def row(n: int, title: str | None = None, start: str = "09:00") -> str:
    day = first_day() + timedelta(days=n)
    kind = ("course", "theme_morning", "outing", "information_meeting")[n % 4]
    return ";".join(
        (
            f"kk-2027-{n:02d}",
            kind,
            title or f"Kursdag {n} <del {n % 3}> & samtal",
            "Fika finns",
            f"{day} {start}",
            f"{day} 12:00",
            "Kulturhuset",
            "" if n % 5 == 0 else str(10 + n),
            "prospective" if kind == "information_meeting" else "families",
            "ja" if kind == "outing" else "nej",
            f"{day - timedelta(days=7)} 23:59",
        )
    )


def catalogue(rows: list[str]) -> bytes:
    return ("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n").encode()


async def send(user: SandboxUser, data: bytes, name: str = "kurskatalog.csv") -> dict[str, Any]:
    await user.send_document(data, file_name=name, mime_type="text/csv")
    return await user.next_message()


async def test_a_catalogue_imported_twice_updates_two_rows_and_hands_on_unchanged(
    service: Service, double: BotApiDouble
) -> None:
    karin = service.karin
    rows = [row(n) for n in range(40)]
    preview = await send(karin, catalogue(rows))
    assert preview["text"] == (
        "Kurskatalogen i filen har 40 nya händelser, 0 ändrade och 0 oförändrade. Importera den?"
    )
    assert labels(preview) == ["Importera", "Avbryt"]
    await karin.press(preview, "Importera")
    assert (await karin.wait_for_edit(preview))["text"] == (
        "Kurskatalogen är importerad. Nya händelser: 40, ändrade: 0, oförändrade: 0."
    )

    # Someone considering becoming a foster family signs up for the first information meeting.
    anna = double.add_user(first_name="Anna", language_code="sv")
    await anna.send("/start")
    await anna.next_message()
    meetings = await anna.next_message()
    await anna.press(meetings, next(b for b in labels(meetings) if b.startswith("Anmäl mig")))
    asked = await anna.next_message()
    assert "Kursdag 3 <del 0> & samtal" in asked["text"]
    await anna.press(asked, "2")
    await anna.wait_for_edit(asked)
    await answer(anna, "Anna Svensson")
    await answer(anna, "070-123 45 67")
    consent = await anna.next_message()
    await anna.press(consent, "Ja, jag samtycker")
    assert (await anna.wait_for_edit(consent))["text"] == "Tack! Ni är anmälda."
    await texts_until_quiet(anna, 0.3)

    # Next year's file: the meeting starts an hour later and a course has a new title. Cancel
    # first changes nothing.
    rows[3] = row(3, start="10:00")
    rows[17] = row(17, title="Trygg anknytning")
    preview = await send(karin, catalogue(rows))
    assert preview["text"].splitlines() == [
        "Kurskatalogen i filen har 0 nya händelser, 2 ändrade och 38 oförändrade. Importera den?",
        "Ändrad: Kursdag 3 <del 0> & samtal",
        "Ändrad: Trygg anknytning",
    ]
    await karin.press(preview, "Avbryt")
    assert (await karin.wait_for_edit(preview))["text"] == (
        "Avbrutet. Ingenting i kurskatalogen ändrades."
    )
    preview = await send(karin, catalogue(rows))
    confirm = button_data(preview, "Importera")
    await karin.press(preview, "Importera")
    assert (await karin.wait_for_edit(preview))["text"].splitlines() == [
        "Kurskatalogen är importerad. Nya händelser: 0, ändrade: 2, oförändrade: 38.",
        "De som är anmälda till den ändrade händelsen har fått besked.",
    ]
    # Anna hears of the new time with the meeting's new calendar file.
    notice = await anna.next_message()
    assert notice["caption"].startswith("Ändrat evenemang (tidigare ")
    assert "10:00" in notice["caption"] and notice["document"]["file_name"].endswith(".ics")
    # The same press again (a double tap): the catalogue is no longer what the preview showed.
    await karin.press_data(preview, confirm)
    assert "ändrats sedan filen lästes" in (await karin.wait_for_edit(preview))["text"]

    # One bad row and nothing is imported; the line is named (the header is line 1).
    broken = [*rows[:6], rows[6].replace("Kulturhuset;16", "Kulturhuset;sexton"), *rows[7:]]
    broken[0] = row(0, title="Ny titel som inte ska in")
    refused = await send(karin, catalogue(broken))
    assert refused["text"] == (
        "Inget importerades; rätta det här felet och skicka filen igen:\n"
        "Rad 8: ”sexton” är inget antal platser: skriv ett heltal, eller lämna cellen tom för "
        "obegränsat."
    )
    assert labels(refused) == []
    broken_calendar = await send(karin, b"BEGIN:VEVENT\r\n", "kurskatalog.ics")
    assert broken_calendar["text"].startswith(
        "Den här .ics-filen går inte att läsa som en kalender"
    )

    # /catalogue hands both files on; each reads back with nothing changed.
    await karin.send("/catalogue")
    spreadsheet, calendar = await karin.next_message(), await karin.next_message()
    assert spreadsheet["caption"].startswith("Kurskatalogen: 40 kommande händelser")
    assert spreadsheet["document"]["file_name"] == f"kurskatalog-{datetime.now(TZ).date()}.csv"
    assert calendar["document"]["file_name"].endswith(".ics")
    exported = double.file_bytes(spreadsheet["document"]["file_id"])
    parsed, problems = parse_catalogue(exported, TZ)
    assert problems == [] and len(parsed) == 40
    assert parsed[17].details.title == "Trygg anknytning"
    for file, name in ((exported, "kurskatalog.csv"), (calendar, "kurskatalog.ics")):
        data = file if isinstance(file, bytes) else double.file_bytes(file["document"]["file_id"])
        again = await send(karin, data, name)
        assert again["text"] == (
            "Kurskatalogen är aktuell: alla 40 händelser i filen finns här som de är. "
            "Inget att importera."
        )
        assert labels(again) == []

    # A family sending the same file gets one line, and nothing goes to a mentor.
    await service.family.send_document(exported, file_name="kurskatalog.csv")
    assert await texts_until_quiet(service.family) == [
        "Bara en familjehemssekreterare kan importera en kurskatalog; ingenting skickades vidare."
    ]
    assert await texts_until_quiet(service.berg, 0.3) == []
    # Nor does a forged Import press do anything for them.
    forged = await service.family.press_data(service.family.messages[-1], confirm)
    assert forged is not None and "finns inte för din roll" in forged.get("text", "")


async def test_a_title_too_long_for_a_message_is_refused_by_its_line(service: Service) -> None:
    karin = service.karin
    refused = await send(karin, catalogue([row(1), row(2, title="Anknytning " * 12)]))
    assert refused["text"] == (
        "Inget importerades; rätta det här felet och skicka filen igen:\n"
        "Rad 3: Texten i ”titel” är för lång: högst 120 tecken får plats."
    )
    assert labels(refused) == []
    # Nothing of the file was imported: its good row is still new.
    again = await send(karin, catalogue([row(1)]))
    assert again["text"] == (
        "Kurskatalogen i filen har 1 nya händelser, 0 ändrade och 0 oförändrade. Importera den?"
    )


async def test_who_may_sign_up_stays_while_a_family_is_signed_up(service: Service) -> None:
    karin, family = service.karin, service.family
    preview = await send(karin, catalogue([row(0), row(1)]))
    await karin.press(preview, "Importera")
    await karin.wait_for_edit(preview)
    await family.send("/events")
    shown = await family.next_message()
    await family.press(shown, "Anmäl: Kursdag 0 <del 0> & samtal")
    question = await family.next_message()
    await family.press(question, "2")
    await family.wait_for_edit(question)
    assert "ni har plats på" in (await family.next_message())["caption"]

    # The course the family is signed up for would be for mentors only: refused by its line.
    mentors_only = row(0).replace(";families;", ";mentors;")
    refused = await send(karin, catalogue([row(1, title="Ny titel"), mentors_only]))
    assert refused["text"] == (
        "Inget importerades; rätta det här felet och skicka filen igen:\n"
        "Rad 3: Det finns redan anmälda, så målgruppen kan bara vidgas till alla, inte ändras "
        "så att de inte längre får komma."
    )
    assert labels(refused) == []
    again = await send(karin, catalogue([row(0), row(1)]))
    assert again["text"].startswith("Kurskatalogen är aktuell: alla 2 händelser")
