"""A stranger who wants to become a foster family leaves a name and a number, with consent."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.sandbox import BotApiDouble, SandboxUser
from tests.e2e.chat_support import Service, StartBot, answer, texts_until_quiet
from tests.e2e.scene_support import daytime_zone

pytestmark = pytest.mark.chat_burst(30)


async def test_a_stranger_registers_interest_with_explicit_consent(
    service: Service, double: BotApiDouble
) -> None:
    """The number is one tap on the keyboard's button (Telegram's apps send it without its +),
    or typed as people write it; either way it is kept in one form, E.164."""
    karin = service.karin
    anna = double.add_user(first_name="Anna", language_code="sv", phone_number="46701234567")
    await anna.send("/start")
    welcome = await anna.next_message()
    assert "Vill du bli familjehem?" in welcome["text"]
    await anna.press(welcome, "Anmäl intresse för nästa informationsmöte")
    assert "Vad heter du?" in (await anna.next_message())["text"]
    assert "Vilket telefonnummer" in await answer(anna, "Anna Svensson")
    assert anna.reply_keyboard == {
        "keyboard": [[{"text": "Dela mitt telefonnummer", "request_contact": True}]],
        "resize_keyboard": True,
        "one_time_keyboard": True,
        "input_field_placeholder": "Eller skriv numret här",
    }
    assert "ser inte ut som ett telefonnummer" in await answer(anna, "ring mig")
    # A card from the address book is someone else's number, given without their consent.
    await anna.send_contact("+46707654321", "Mamma", user_id=anna.id + 1000)
    assert "någon annans kontakt" in (await anna.next_message())["text"]
    await anna.send_contact("+46707654321", "Mamma")
    assert "någon annans kontakt" in (await anna.next_message())["text"]
    await anna.share_contact()
    assert (await anna.next_message())["text"] == "Ditt nummer: +46701234567"
    assert anna.reply_keyboard is None
    assert "De raderas efter 30 dagar" in (await anna.next_message())["text"]
    await anna.press(anna.messages[-1], "Ja, jag samtycker")
    assert "Familjehemsenheten ringer dig" in (await anna.wait_for_edit(anna.messages[-1]))["text"]

    # Someone who types the number and says no leaves nothing behind, nor a keyboard.
    erik = double.add_user(first_name="Erik", language_code="sv")
    await erik.send("/start")
    await erik.press(await erik.next_message(), "Anmäl intresse för nästa informationsmöte")
    await erik.next_message()
    await answer(erik, "Erik Ek")
    assert await answer(erik, "0046 70 765 43 21") == "Ditt nummer: +46707654321"
    assert erik.reply_keyboard is None
    await erik.next_message()
    await erik.press(erik.messages[-1], "Nej")
    assert "Inget sparades" in (await erik.wait_for_edit(erik.messages[-1]))["text"]
    # /cancel at the number takes the keyboard away too.
    await erik.send("/start")
    await erik.press(await erik.next_message(), "Anmäl intresse för nästa informationsmöte")
    await erik.next_message()
    await answer(erik, "Erik Ek")
    assert erik.reply_keyboard is not None
    assert "Inget sparades" in await answer(erik, "/cancel")
    assert erik.reply_keyboard is None

    listing = await answer(karin, "/interest")
    assert "Intresseanmälningar (1)" in listing
    assert "Anna Svensson, +46701234567" in listing and "Erik" not in listing
    assert "finns inte för din roll" in await answer(service.family, "/interest")


async def register(person: SandboxUser, name: str, phone: str) -> str:
    """The whole registration, consent given; returns the thanks."""
    await person.send("/start")
    await person.press(await person.next_message(), "Anmäl intresse för nästa informationsmöte")
    await person.next_message()
    await answer(person, name)
    await answer(person, phone)
    await person.next_message()
    await person.press(person.messages[-1], "Ja, jag samtycker")
    return str((await person.wait_for_edit(person.messages[-1]))["text"])


async def test_a_stranger_updates_then_withdraws_the_registration_and_is_told_what_went(
    service: Service, double: BotApiDouble
) -> None:
    """Before, a second registration was a second row, and /forget told a stranger they were
    not a member, so their name and number stayed until the retention erased them."""
    karin = service.karin
    anna = double.add_user(first_name="Anna", language_code="sv")
    assert await answer(anna, "/forget") == "Mentorbot sparar inget om dig."
    assert "Familjehemsenheten ringer dig" in await register(anna, "Anna Svensson", "070-123 45 67")
    assert "Din anmälan är uppdaterad" in await register(anna, "Anna Svensson", "070-765 43 21")
    listing = await answer(karin, "/interest")
    assert "Intresseanmälningar (1)" in listing and "+46707654321" in listing

    ask = await answer(anna, "/forget")
    assert "raderar din intresseanmälan (Anna Svensson, +46707654321)" in ask
    await anna.press(anna.messages[-1], "Behåll")
    assert (await anna.wait_for_edit(anna.messages[-1]))["text"] == "Inget raderades."
    await anna.send("/forget")
    confirm = await anna.next_message()
    await anna.press(confirm, "Radera")
    done = (await anna.wait_for_edit(confirm))["text"]
    assert done == (
        "Din intresseanmälan är raderad: Anna Svensson, +46707654321. "
        "Mentorbot sparar inget annat om dig."
    )
    assert await answer(karin, "/interest") == "Inga intresseanmälningar."


async def test_the_coordinators_get_one_list_of_new_registrations_a_day(
    service: Service, double: BotApiDouble, start_bot: StartBot
) -> None:
    """Before, every registration was a message of its own to every coordinator."""
    karin = service.karin
    for first_name, name, phone in (
        ("Anna", "Anna Svensson", "070-123 45 67"),
        ("Erik", "Erik Ek", "+46 70 765 43 21"),
    ):
        await register(double.add_user(first_name=first_name, language_code="sv"), name, phone)
    assert await texts_until_quiet(karin, 1.0) == []

    # The morning's list, rebuilt from the database by a start after its time, goes once.
    assert await service.bot.stop() == 0
    zone = daytime_zone()
    report_at = f"{datetime.now(zone) - timedelta(minutes=5):%H:%M}"
    env = {"MENTORBOT_TIMEZONE": zone.key, "MENTORBOT_GAP_REPORT": report_at}
    again = await start_bot(**env)
    lists = [text for text in await texts_until_quiet(karin, 2.0) if "intresseanmälningar" in text]
    assert len(lists) == 1, lists
    lines = lists[0].splitlines()
    assert lines[0] == "Nya intresseanmälningar (2); /interest visar alla."
    assert "Anna Svensson, +46701234567" in lines[1] and "Erik Ek" in lines[2]
    assert await again.stop() == 0
    await start_bot(**env)
    await karin.no_message(within=3)
