"""A stranger who wants to become a foster family leaves a name and a number, with consent."""

from __future__ import annotations

import pytest

from bot.sandbox import BotApiDouble
from tests.e2e.conftest import Service, answer

pytestmark = pytest.mark.chat_burst(30)


async def test_a_stranger_registers_interest_with_explicit_consent(
    service: Service, double: BotApiDouble
) -> None:
    karin = service.karin
    anna = double.add_user(first_name="Anna", language_code="sv")
    await anna.send("/start")
    welcome = await anna.next_message()
    assert "Vill du bli familjehem?" in welcome["text"]
    await anna.press(welcome, "Anmäl intresse för nästa informationsmöte")
    assert "Vad heter du?" in (await anna.next_message())["text"]
    assert "Vilket telefonnummer" in await answer(anna, "Anna Svensson")
    assert "ser inte ut som ett telefonnummer" in await answer(anna, "ring mig")
    ask = await answer(anna, "070-123 45 67")
    assert "De raderas efter 30 dagar" in ask
    await anna.press(anna.messages[-1], "Ja, jag samtycker")
    assert "Familjehemsenheten ringer dig" in (await anna.wait_for_edit(anna.messages[-1]))["text"]
    assert "En ny intresseanmälan om att bli familjehem" in (await karin.next_message())["text"]

    # Someone who says no leaves nothing behind.
    erik = double.add_user(first_name="Erik", language_code="sv")
    await erik.send("/start")
    await erik.press(await erik.next_message(), "Anmäl intresse för nästa informationsmöte")
    await erik.next_message()
    await answer(erik, "Erik Ek")
    await answer(erik, "+46 70 765 43 21")
    await erik.press(erik.messages[-1], "Nej")
    assert "Inget sparades" in (await erik.wait_for_edit(erik.messages[-1]))["text"]

    listing = await answer(karin, "/interest")
    assert "Intresseanmälningar (1)" in listing
    assert "Anna Svensson, 070-123 45 67" in listing and "Erik" not in listing
    assert "finns inte för din roll" in await answer(service.family, "/interest")
