"""Every action the bot suggests with a number is a button: Telegram sends `/end` when a person
taps `/end 12` in a text, so a number in a suggestion cannot be tapped."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from bot.sandbox import BotApiDouble
from tests.e2e.chat_support import Service, answer, button_data, labels, texts_until_quiet
from tests.e2e.scene_support import TZ, compose, converse, on_duty, second_family

pytestmark = pytest.mark.chat_burst(30)


async def test_a_mentor_offers_a_shift_from_its_reminder(service: Service) -> None:
    karin, berg, lind = service.karin, service.berg, service.lind
    start = datetime.now(TZ).replace(second=0, microsecond=0) + timedelta(hours=3)
    end = start + timedelta(hours=2)
    number = service.numbers["Familjen Berg"]
    assert "tillagt" in await answer(
        karin, f"/shift add {number} {start.date()} {start:%H:%M}-{end:%H:%M}"
    )
    # Booked within a day of its start: the day-before reminder is due at once.
    received = [await berg.next_message(), await berg.next_message()]
    reminder = next(m for m in received if m["text"].startswith("Påminnelse: ert pass #"))
    assert reminder["text"].endswith("erbjud det till de andra med knappen.")
    assert labels(reminder) == ["Erbjud passet"]
    said = await berg.press(reminder, "Erbjud passet")
    assert said is not None and said["text"].startswith("Pass #"), said
    assert "är erbjudet till 2 andra mentorer" in said["text"], said
    offer = await lind.next_message()
    assert labels(offer) == ["Tag vagten"]
    # Pressed again, as a double tap would: no second round of offers.
    again = await berg.press(reminder, "Erbjud passet")
    assert again is not None and again["text"] == (
        f"Pass #{reminder['text'].split('#')[1].split()[0]} är redan erbjudet till de andra "
        "mentorsfamiljerna."
    )
    await lind.no_message()
    await lind.press(offer, "Tag vagten")
    assert "er jeres nu. Tak!" in (await lind.wait_for_edit(offer))["text"]


async def test_a_mentor_with_two_conversations_ends_one_by_its_button(
    service: Service, double: BotApiDouble
) -> None:
    berg = service.berg
    await on_duty(service, "Familjen Berg")
    first = await converse(service.family, berg, "Fråga från Ek")
    ask_family = await second_family(service, double, "Familjen Ask")
    second = await converse(ask_family, berg, "Fråga från Ask")
    await berg.send("/end")
    which = await berg.next_message()
    assert which["text"] == "Ni har flera samtal; vilket vill ni avsluta?"
    assert sorted(labels(which)) == sorted(
        [f"💬 #{first} Familjen Ek", f"💬 #{second} Familjen Ask"]
    )
    await berg.press(which, f"💬 #{first} Familjen Ek")
    assert (await berg.wait_for_edit(which))["text"] == (
        f"Samtalet med 💬 #{first} Familjen Ek är avslutat."
    )
    rating = await service.family.next_message()
    assert rating["text"].startswith(f"Samtalet (#{first}) är avslutat.")
    await ask_family.no_message()
    # The same button again, or a forged one for the conversation still open elsewhere: nothing.
    said = await berg.press_data(which, f"end:{first}")
    assert said is not None and said["text"] == "Ni har inget pågående samtal att avsluta."
    said = await service.lind.press_data(which, f"end:{second}")
    assert said is not None and said["text"] == "I har ingen igangværende samtale at afslutte."
    await ask_family.no_message()
    await berg.send("En sak till")
    assert (await ask_family.next_message())["text"] == "En sak till"  # one left: no question


async def test_a_scheduled_broadcast_is_cancelled_by_its_button(service: Service) -> None:
    karin = service.karin
    later = (datetime.now(TZ) + timedelta(days=2)).replace(hour=9, minute=0)
    confirm = await compose(
        karin, "Nyhetsbrev om hösten", "Familjehem", later=f"{later:%Y-%m-%d %H:%M}"
    )
    await karin.press(confirm, "Skicka")
    status = await karin.wait_for_edit(confirm)
    number = status["text"].split("#")[1].split()[0]
    assert status["text"].endswith("knappen avbryter det innan dess.")
    assert labels(status) == [f"Avbryt #{number}"]
    await karin.send("/broadcasts")
    listing = await karin.next_message()
    assert labels(listing) == [f"Avbryt #{number}"]
    said = await karin.press(listing, f"Avbryt #{number}")
    assert said is not None and said["text"] == f"Utskick #{number} är avbrutet."
    assert labels(await karin.wait_for_edit(listing)) == []
    said = await karin.press(status, f"Avbryt #{number}")  # too late: it is cancelled already
    assert said is not None and said["text"].startswith(f"Utskick #{number} kan inte avbrytas")
    said = await service.family.press_data(status, f"cancel-broadcast:{number}")
    assert said is not None and said["text"].startswith("Det kommandot finns inte för din roll.")
    await service.family.no_message(within=0.3)


async def test_a_members_card_offers_export_erasure_and_removal(
    service: Service, double: BotApiDouble
) -> None:
    karin, n = service.karin, service.numbers
    ek, lind = n["Familjen Ek"], n["Familien Lind"]
    await karin.send("/members")
    listing = await karin.next_message()
    assert f"#{ek} Familjen Ek" in labels(listing)
    await karin.press(listing, f"#{ek} Familjen Ek")
    card = await karin.next_message()
    assert card["text"] == f"#{ek} Familjen Ek – familjehem"
    assert labels(card) == ["Ta bort", "Exportera data", "Radera", "Egen mentorsfamilj"]

    await karin.press(card, "Exportera data")
    export = await karin.next_message()
    assert export["document"]["file_name"] == f"mentorbot-member-{ek}.json"
    exported = double.file_bytes(export["document"]["file_id"]).decode()
    assert "exported_at" in json.loads(exported) and "Familjen Ek" in exported

    await karin.press(card, "Radera")
    erase = await karin.next_message()
    assert erase["text"].startswith(f"Det här raderar allt Mentorbot lagrar om medlem #{ek} ")
    await karin.press(erase, "Behåll")
    await karin.wait_for_edit(erase)

    await karin.press(card, "Ta bort")
    question = await karin.next_message()
    assert question["text"].startswith(f"Ta bort #{ek} Familjen Ek (familjehem)? ")
    await karin.press(question, "Ta bort")
    done = await karin.wait_for_edit(question)
    assert done["text"] == f"#{ek} Familjen Ek (familjehem) är borttagen. Åtkomsten har upphört."
    assert "avslutat din åtkomst" in (await service.family.next_message())["text"]
    # The card and the confirmation name Ek for good: pressed again, they act on nobody.
    said = await karin.press(card, "Ta bort")
    assert said is not None and said["text"] == "Den här knappen gäller inte längre."
    confirm = button_data(question, "Ta bort")
    said = await karin.press_data(question, confirm)
    assert said is not None and said["text"].startswith("Den här bekräftelsen är för gammal")
    assert f"#{lind} Familien Lind" in await answer(karin, "/members")
    await texts_until_quiet(karin, 0.3)
