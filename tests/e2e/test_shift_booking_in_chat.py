"""A coordinator on a phone books shifts by pressing buttons: from `/shift` alone, and from a
gap's Fill button under /rota and under the morning report."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import translator
from bot.sandbox import BotApiDouble, SandboxUser
from bot.service_hours import ServiceHours
from tests.e2e.chat_support import (
    Service,
    StartBot,
    answer,
    build_service,
    button_data,
    labels,
    texts_until_quiet,
)
from tests.e2e.scene_support import daytime_zone

pytestmark = pytest.mark.chat_burst(30)
TZ = ZoneInfo("Europe/Stockholm")
SV = translator("sv")
HOURS = ServiceHours.parse("17:00-22:00", "09:00-22:00", "SE")


def coming_weekend_day() -> date:
    """A Saturday or Sunday among the coming 14 days' buttons, not a public holiday, whose
    hours are the weekend's anyway, and two days off at least: today's hours may be over, and a
    shift booked on a Friday evening for Saturday's starts within a day, so its mentors get the
    day's reminder at once."""
    day = datetime.now(TZ).date() + timedelta(days=2)
    while day.weekday() < 5 or HOURS.is_holiday(day):
        day += timedelta(days=1)
    return day


async def step(karin: SandboxUser, message: dict[str, Any], button: str) -> dict[str, Any]:
    """Press a button of the booking and read the step it shows in the same message."""
    answered = await karin.press(message, button)
    assert answered is not None and "text" not in answered, answered
    return await karin.wait_for_edit(message)


async def test_a_coordinator_books_shifts_without_typing_a_command_argument(
    service: Service,
) -> None:
    karin, n = service.karin, service.numbers
    berg = f"Familjen Berg (#{n['Familjen Berg']})"
    holms = f"The Holms (#{n['The Holms']})"
    await karin.send("/shift")
    ask = await karin.next_message()
    assert ask["text"] == "Vilken mentorsfamilj gäller passet?"
    # Never booked yet: by name, and a cancel.
    assert labels(ask) == [f"Familien Lind (#{n['Familien Lind']})", berg, holms, "Avbryt"]

    days = await step(karin, ask, berg)
    assert days["text"] == f"Vilken dag för {berg}?"
    today = datetime.now(TZ).date()
    day_buttons = [SV.day(today + timedelta(days=k)) for k in range(14)]
    assert labels(days) == [*day_buttons, "En annan dag …", "Avbryt"]
    saturday = coming_weekend_day()
    slots = await step(karin, days, SV.day(saturday))
    assert slots["text"] == f"Vilka tider på {SV.day(saturday)} för {berg}?"
    assert labels(slots) == [
        "09:00–22:00",
        "09:00–17:00 dagtid",
        "17:00–22:00 kväll",
        "Andra tider …",
        "Avbryt",
    ]
    preview = await step(karin, slots, "17:00–22:00 kväll")
    assert preview["text"] == f"Boka {berg} för {SV.day(saturday)} 17:00–22:00?"
    booked = await step(karin, preview, "Boka")
    assert booked["text"].startswith("Passet är tillagt: #")
    assert f"{SV.day(saturday)} 17:00–22:00 – Familjen Berg" in booked["text"]
    assert labels(booked) == []
    assert "har gett er ett pass" in (await service.berg.next_message())["text"]

    # The old preview pressed again, as a double tap would: one shift, and one line why not.
    confirm = button_data(preview, "Boka")
    again = await karin.press_data(booked, confirm)
    assert again is not None and again["text"].startswith("Mentorsfamiljen har redan pass #")
    await service.berg.no_message()

    # Berg was booked last, so Berg comes first; another day and other times are typed.
    await karin.send("/shift")
    ask = await karin.next_message()
    assert labels(ask)[0] == berg
    days = await step(karin, ask, berg)
    typing = await step(karin, days, "En annan dag …")
    assert typing["text"].startswith("Skriv dagen, till exempel 2026-12-24 eller 24/12.")
    assert await answer(karin, "32/13") == (
        "Det kan jag inte läsa som en dag: skriv den som 2026-12-24 eller 24/12."
    )
    later = today + timedelta(days=30)
    await karin.send(f"{later.day}/{later.month}")
    slots = await karin.next_message()
    assert slots["text"] == f"Vilka tider på {SV.day(later)} för {berg}?"
    typing = await step(karin, slots, "Andra tider …")
    assert typing["text"].startswith(f"Skriv tiderna på {SV.day(later)}")
    assert (await answer(karin, "25-26")).startswith("Skriv tiderna som 17:00-22:00;")
    await karin.send("22-7.30")  # a night: the end is the next morning
    preview = await karin.next_message()
    assert preview["text"] == f"Boka {berg} för {SV.day(later)} 22:00–07:30?"
    booked = await step(karin, preview, "Boka")
    assert "22:00–07:30 – Familjen Berg" in booked["text"]

    # A preview of what cannot be booked says so at once, before anyone presses Book.
    await karin.send("/shift")
    ask = await karin.next_message()
    days = await step(karin, ask, berg)
    slots = await step(karin, days, SV.day(saturday))
    refused = await karin.press(slots, "09:00–22:00")
    assert refused is not None and refused["text"].startswith("Mentorsfamiljen har redan pass #")
    cancelled = await step(karin, slots, "Avbryt")
    assert cancelled["text"] == "Inget pass bokades."


async def test_forged_and_foreign_presses_book_nothing(service: Service) -> None:
    karin, n = service.karin, service.numbers
    await karin.send("/shift")
    ask = await karin.next_message()
    saturday = f"{coming_weekend_day():%Y%m%d}"
    family = n["Familjen Ek"]
    forged = {
        f"book:ok:{family}:{saturday}:17002200": "Den medlemmen är ingen mentorsfamilj;",
        f"book:d:{n['Familjen Berg']}:20261399": "Den här knappen gäller inte längre.",
        f"book:ok:{n['Familjen Berg']}:{saturday}:25002200": "Den här knappen gäller inte längre.",
        "book:h:999999": "Den här knappen gäller inte längre.",
        "book:ok:12:2026120:17002200": "Den här knappen gäller inte längre.",
        # The calendar's last night: its morning is no date at all.
        f"book:v:{n['Familjen Berg']}:99991231:22000800": "Den här knappen gäller inte längre.",
        f"book:d:{n['Familjen Berg']}:99991231": "Den här knappen gäller inte längre.",
        "book:f:99991231:22000800": "Den här knappen gäller inte längre.",
        "book:p:1:99991231:22000800": "Den här knappen gäller inte längre.",
    }
    for data, refusal in forged.items():
        said = await karin.press_data(ask, data)
        assert said is not None and said["text"].startswith(refusal), (data, said)
    # A family pressing a coordinator's button (its data copied) is told it is not theirs.
    said = await service.family.press_data(ask, f"book:ok:{n['Familjen Berg']}:{saturday}:17002200")
    assert said is not None and said["text"].startswith("Det kommandot finns inte för din roll.")
    assert (await answer(karin, "/shift list")).endswith("Inga pass.")
    await service.berg.no_message()


async def test_a_gap_is_filled_from_the_rota_and_from_the_morning_report(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    zone = daytime_zone()
    report_at = f"{datetime.now(zone) - timedelta(minutes=5):%H:%M}"
    bot = await start_bot(MENTORBOT_TIMEZONE=zone.key, MENTORBOT_GAP_REPORT=report_at)
    report = await coordinator.next_message()
    assert report["text"].startswith("Luckor i schemat de kommande 7 dagarna")
    tomorrow = datetime.now(zone).date() + timedelta(days=1)
    fill_tomorrow = next(label for label in labels(report) if SV.day(tomorrow) in label)
    assert fill_tomorrow.startswith("Boka ")
    service = await build_service(bot, coordinator, double)
    karin, holms = service.karin, f"The Holms (#{service.numbers['The Holms']})"

    await karin.press(report, fill_tomorrow)
    ask = await karin.next_message()  # a new message: the report stays as it was
    assert ask["text"] == f"Vem tar {fill_tomorrow.removeprefix('Boka ')}?"
    preview = await step(karin, ask, holms)
    assert preview["text"].startswith(f"Boka {holms} för {SV.day(tomorrow)} ")
    booked = await step(karin, preview, "Boka")
    assert booked["text"].startswith("Passet är tillagt: #")
    assert "The foster-care unit gave you a shift" in (await service.holm.next_message())["text"]

    # /rota has a Fill button under each gap it shows; tomorrow's is gone.
    await karin.send("/rota")
    shown = await karin.next_message()
    fills = labels(shown)
    assert fills and all(label.startswith("Boka ") for label in fills)
    assert not any(SV.day(tomorrow) in label for label in fills)
    after = tomorrow + timedelta(days=1)
    fill_after = next(label for label in fills if SV.day(after) in label)
    await karin.press(shown, fill_after)
    ask = await karin.next_message()
    preview = await step(karin, ask, holms)
    booked = await step(karin, preview, "Boka")
    assert SV.day(after) in booked["text"]
    await karin.send("/rota")
    assert not any(SV.day(after) in label for label in labels(await karin.next_message()))


async def test_a_coordinator_halfway_through_a_booking_still_reaches_the_family(
    service: Service,
) -> None:
    """Pressing "another day" waits for a date; words to a family in a conversation the
    coordinator holds are relayed, not answered with "that is not a day"."""
    karin, family = service.karin, service.family
    await family.send("Vem kan hjälpa oss i helgen?")  # no shift ahead: to the coordinators
    await texts_until_quiet(family, 0.5)
    offer = await karin.next_message()
    await karin.press(offer, "Acceptera")
    await texts_until_quiet(karin, 0.5)
    await texts_until_quiet(family, 0.5)
    await karin.send("/shift")
    ask = await karin.next_message()
    days = await step(karin, ask, f"Familjen Berg (#{service.numbers['Familjen Berg']})")
    await step(karin, days, "En annan dag …")
    # Another booking's "another day" starts afresh while the first one waits for its day.
    await karin.send("/shift")
    other = await karin.next_message()
    other_days = await step(karin, other, f"The Holms (#{service.numbers['The Holms']})")
    assert (await step(karin, other_days, "En annan dag …"))["text"].startswith("Skriv dagen")
    await karin.send("Hej! Jag ringer er i kväll.")
    assert (await family.next_message())["text"] == "Hej! Jag ringer er i kväll."
    await karin.send("24/12")  # the date still finds the booking
    said = (await karin.next_message())["text"]
    holms = f"The Holms (#{service.numbers['The Holms']})"
    assert said.startswith("Vilka tider på ") and said.endswith(f"för {holms}?"), said
