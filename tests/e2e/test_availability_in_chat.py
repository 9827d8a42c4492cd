"""Availability from the mentors' side, as people use it: a mentor marks a week away and the
coordinator booking them is warned; open gaps go to the mentors with a Take button, and of two
mentors pressing at once one gets the shift; with approval, a coordinator confirms the take."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.i18n import translator
from bot.sandbox import BotApiDouble, SandboxUser
from tests.e2e.chat_support import (
    Service,
    StartBot,
    answer,
    build_service,
    join,
    texts_until_quiet,
)
from tests.e2e.scene_support import daytime_zone

pytestmark = pytest.mark.chat_burst(30)
SV = translator("sv")


def buttons_of(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]


async def test_a_mentor_marks_next_week_away_and_the_coordinator_is_warned(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    # A zone where it is day, so that this morning's report (at the end) is due today.
    zone = daytime_zone()
    service = await build_service(await start_bot(MENTORBOT_TIMEZONE=zone.key), coordinator, double)
    berg, karin = service.berg, service.karin
    assert "finns inte för din roll" in await answer(service.family, "/away")
    # From /shifts, under the open gaps, one press shows /away.
    await berg.send("/shifts")
    own = await berg.next_message()
    assert buttons_of(own)[-1] == "Frånvarodagar…"
    await berg.press(own, "Frånvarodagar…")
    shown = await berg.next_message()
    assert "Ni har inga frånvarodagar markerade." in shown["text"]
    await berg.press(shown, "Nästa vecka")
    today = datetime.now(zone).date()
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
    sunday = monday + timedelta(days=6)
    why = await berg.wait_for_edit(shown)
    assert why["text"].startswith(f"Borta {SV.day(monday)}–{SV.day(sunday)}. Varför?")
    assert buttons_of(why) == ["Semester", "Sjukdom", "Annat"]
    assert (await berg.press(why, "Semester") or {}).get("text") is None
    marked = await berg.wait_for_edit(shown)
    assert marked["text"].startswith(f"Ni är markerade som borta {SV.day(monday)}–")
    assert "(Semester)" in marked["text"]

    # Karin's booking by buttons lists Berg last and marked, marks the days away, and warns.
    wednesday = monday + timedelta(days=2)
    berg_button = f"Familjen Berg (#{service.numbers['Familjen Berg']})"
    await karin.send("/shift")
    ask = await karin.next_message()
    assert buttons_of(ask)[:3] == [
        f"Familien Lind (#{service.numbers['Familien Lind']})",
        f"The Holms (#{service.numbers['The Holms']})",
        f"⚠️ {berg_button}",
    ]
    assert "borta någon gång den kommande veckan" in ask["text"]
    await karin.press(ask, f"⚠️ {berg_button}")
    days = await karin.wait_for_edit(ask)
    assert f"⚠️ {SV.day(wednesday)}" in buttons_of(days)
    await karin.press(days, f"⚠️ {SV.day(wednesday)}")
    slots = await karin.wait_for_edit(days)
    await karin.press(slots, buttons_of(slots)[0])
    preview = await karin.wait_for_edit(slots)
    assert preview["text"].endswith(
        "⚠️ Familjen Berg har meddelat att de är borta då; passet går att boka ändå."
    )
    await karin.press(preview, "Avbryt")
    await karin.wait_for_edit(preview)

    # Karin books Berg on that Wednesday by command: it goes in, with one line of warning.
    number = service.numbers["Familjen Berg"]
    reply = await answer(karin, f"/shift add {number} {wednesday} 17:00-22:00")
    lines = reply.splitlines()
    assert lines[0].startswith("Passet är tillagt: #")
    assert lines[1].startswith("⚠️ Familjen Berg har meddelat att de är borta då.")
    # Lind, not away, gets no warning.
    lind = service.numbers["Familien Lind"]
    assert (
        len((await answer(karin, f"/shift add {lind} {wednesday} 17:00-22:00")).splitlines()) == 1
    )

    assert "har gett er ett pass" in (await berg.next_message())["text"]

    # Bad input is one line and marks nothing; the same week again overlaps.
    for typed, expected in [
        ("/away 2026-13-01 2026-12-24", "”2026-13-01” är inget datum"),
        ("/away 2026-12-01", "Skriv /away FRÅN TILL"),
        (f"/away {sunday} {monday}", "Den sista dagen kommer före den första."),
        ("/away 2020-01-01 2020-01-02", "De dagarna har redan varit."),
        (f"/away {monday} {monday + timedelta(days=200)}", "Högst 92 dagar åt gången"),
    ]:
        assert expected in await answer(berg, typed), typed
    await berg.send(f"/away {sunday} {sunday + timedelta(days=1)}")
    again = await berg.next_message()
    overlap = await berg.press(again, "Sjukdom")
    assert overlap is not None and "redan markerade som borta" in overlap["text"]

    # /away lists the week with a button that removes it.
    await berg.send("/away")
    listed = await berg.next_message()
    assert f"  {SV.day(monday)}–{SV.day(sunday)} (Semester)" in listed["text"]
    removed = await berg.press(listed, f"Ta bort {SV.day(monday)}–{SV.day(sunday)}")
    assert removed is not None and removed["text"].startswith("Inte längre borta")
    assert "Ni har inga frånvarodagar markerade." in (await berg.wait_for_edit(listed))["text"]
    forged = await berg.press_data(listed, "away:del:99999")
    assert forged is not None and forged["text"] == "De dagarna är inte längre markerade."

    # Berg falls ill today. The next morning's report names, under tonight's gap, the
    # households not away: Berg is not among them; tomorrow they are again.
    await berg.send(f"/away {today} {today}")
    ill = await berg.next_message()
    await berg.press(ill, "Sjukdom")
    assert "(Sjukdom)" in (await berg.wait_for_edit(ill))["text"]
    assert await service.bot.stop() == 0
    report_at = f"{datetime.now(zone) - timedelta(minutes=5):%H:%M}"
    await start_bot(MENTORBOT_TIMEZONE=zone.key, MENTORBOT_GAP_REPORT=report_at)
    report = (await karin.next_message())["text"].splitlines()
    free = [line for line in report if line.startswith("    inte borta: ")]
    assert free[0] == "    inte borta: Familien Lind, The Holms"
    assert free[1] == "    inte borta: Familien Lind, Familjen Berg, The Holms"


async def press_at_once(
    people: list[tuple[SandboxUser, dict[str, Any]]], label_of: dict[int, str]
) -> list[dict[str, Any] | None]:
    return list(
        await asyncio.gather(*(user.press(message, label_of[user.id]) for user, message in people))
    )


async def test_open_shifts_go_to_the_mentors_and_the_first_press_takes_one(
    service: Service,
) -> None:
    karin, berg, lind, holm = service.karin, service.berg, service.lind, service.holm
    sent = await answer(karin, "/rota open")
    shown = re.match(r"De lediga passen \((\d+)\) skickades till 3 mentorer", sent)
    assert shown is not None, sent
    # A gap a day for 14 days; tonight's is no longer open once its evening is over.
    count = int(shown[1])
    assert count in (13, 14)
    offers = {user.id: await user.next_message() for user in (berg, lind, holm)}
    # A Take button per gap, then the days-away button.
    assert [len(buttons_of(offer)) for offer in offers.values()] == [count + 1] * 3
    assert offers[berg.id]["text"].startswith("Lediga pass de kommande 14 dagarna")
    assert offers[lind.id]["text"].startswith("Ledige vagter de kommende 14 dage")
    first = {user: buttons_of(offers[user])[0] for user in offers}
    assert first[berg.id].startswith("Ta ") and first[lind.id].startswith("Tag ")

    # Someone who is no mentor, and a forged or unknown button, are refused in one line.
    data = offers[holm.id]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    family = await service.family.press_data(service.family.messages[-1], data)
    assert family is not None and "finns inte för din roll" in family["text"]
    forged = await holm.press_data(offers[holm.id], "gap:x")
    assert forged is not None and forged["text"] == "This button is no longer valid."
    unknown = await holm.press_data(offers[holm.id], "gap:99999")
    assert unknown is not None and unknown["text"] == "This shift is no longer open."

    answers = await press_at_once([(berg, offers[berg.id]), (lind, offers[lind.id])], first)
    texts = [(found or {}).get("text") for found in answers]
    assert texts.count(None) == 1, texts  # the winner's press is answered without a text
    assert set(texts) - {None} <= {
        "Det här passet är inte längre ledigt.",
        "Denne vagt er ikke længere ledig.",
    }
    winner, name = (berg, "Familjen Berg") if texts[0] is None else (lind, "Familien Lind")
    told = (await winner.next_message())["text"]
    assert "är ert nu (#" in told or "er jeres nu (#" in told
    await texts_until_quiet(winner, 0.5)  # a reminder, when the shift is tonight
    notice = (await karin.next_message())["text"]
    assert notice.startswith(f"Ledigt pass taget: {name} har ")

    # Every copy of the button now says it is taken; pressing it says why.
    for user in (berg, lind, holm):
        edited = await user.wait_for_edit(offers[user.id])
        assert buttons_of(edited)[0].startswith(("Taget: ", "Taken: ")), buttons_of(edited)
    late = await holm.press(offers[holm.id], buttons_of(holm.messages[-1])[0])
    assert late is not None and late["text"] == "This shift is no longer open."
    # The gap is filled: /shifts no longer offers it, and the winner has the shift.
    own = await answer(winner, "/shifts")
    assert "(1)" in own.splitlines()[0]
    await holm.send("/shifts")
    listing = await holm.next_message()
    assert listing["text"].startswith("You have no shifts")
    assert "Open shifts in the coming 14 days" in listing["text"]
    assert first[holm.id].removeprefix("Take ") not in [
        label.removeprefix("Take ") for label in buttons_of(listing)
    ]


async def test_with_approval_a_coordinator_confirms_the_take(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    bot = await start_bot(MENTORBOT_SHIFT_PICKUP="approve")
    service = await build_service(bot, coordinator, double)
    karin, lind = service.karin, service.lind
    anna = double.add_user(first_name="Anna", language_code="sv")
    await join(anna, karin, "coordinator", "Anna Lund")
    await lind.send("/shifts")
    listing = await lind.next_message()
    label = buttons_of(listing)[0]
    when = label.removeprefix("Tag ")
    assert (await lind.press(listing, label) or {}).get("text") is None
    assert (await lind.next_message())["text"].startswith(f"I har bedt om vagten {when}.")
    assert buttons_of(await lind.wait_for_edit(listing))[0] == f"Efterspurgt: {when}"
    request, annas = await karin.next_message(), await anna.next_message()
    assert request["text"].startswith("Familien Lind vill ta det lediga passet ")
    assert buttons_of(request) == buttons_of(annas) == ["Bekräfta", "Avböj"]
    assert (await karin.press(request, "Bekräfta") or {}).get("text") is None
    assert (await karin.wait_for_edit(request))["text"].startswith("Bekräftat: Familien Lind har")
    # Anna's copy says it was decided; her press on the Refuse she still had changes nothing.
    assert (await anna.wait_for_edit(annas))["text"].startswith("Bekräftat: Familien Lind har")
    texts = await texts_until_quiet(lind)
    assert any(text.startswith(f"Bekræftet: vagten {when} er jeres (#") for text in texts)
    refuse = annas["reply_markup"]["inline_keyboard"][0][1]["callback_data"]
    again = await anna.press_data(annas, refuse)
    assert again is not None and again["text"] == "Det här är redan avgjort."
