"""One chat never holds up another, and each chat's messages keep their order.

The double holds one send of one conversation (a slow Telegram, or a send waiting out a 429 or
retrying a 502), and what other people see must not wait for it.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.sandbox import BotApiDouble
from bot.sandbox.faults import FaultKind
from tests.e2e.chat_support import Service, texts_until_quiet
from tests.e2e.scene_support import (
    ON_DUTY,
    accepted_with_hand_over_held,
    converse,
    on_duty,
    second_family,
)

pytestmark = pytest.mark.chat_burst(40)


async def test_a_held_send_in_one_conversation_holds_up_no_other_family(
    service: Service, double: BotApiDouble
) -> None:
    family, berg = service.family, service.berg
    other = await second_family(service, double, "Familjen Ås")
    await on_duty(service, "Familjen Berg")
    await converse(family, berg, "Hur gör vi med läggningen?")

    held = double.faults.inject("sendMessage", FaultKind.HOLD, chat_id=berg.id)
    await family.send("Första")
    await asyncio.wait_for(held.holding.wait(), timeout=10)  # on its way to Berg, and held
    await other.send("Får vi ringa skolan själva?")
    told = (await other.next_message())["text"]
    assert ON_DUTY in told, told
    offer = await berg.next_message()  # while the conversation's send is still held
    assert "Får vi ringa skolan själva?" in offer["text"]
    await family.send("Andra")
    await family.send("Tredje")
    await berg.no_message(within=0.8)  # nothing overtakes the first
    held.release()

    relayed = await texts_until_quiet(berg, 1.0)
    assert [text.rsplit("\n", 1)[-1] for text in relayed] == ["Första", "Andra", "Tredje"]
    assert await texts_until_quiet(family, 0.3) == []  # no "could not be delivered"


async def test_a_mentor_telegram_asks_to_wait_for_holds_up_no_other_mentors_offer(
    service: Service, double: BotApiDouble
) -> None:
    family, berg, lind, holm = service.family, service.berg, service.lind, service.holm
    await on_duty(service, "Familjen Berg", "Familien Lind", "The Holms")
    double.faults.inject(
        "sendMessage", FaultKind.TOO_MANY_REQUESTS, chat_id=berg.id, retry_after=10
    )
    await family.send("Hur förbereder vi umgänget på lördag?")
    for mentor in (lind, holm):
        offer = await mentor.next_message(timeout=30)
        assert "Hur förbereder vi umgänget på lördag?" in offer["text"]
    assert not any("umgänget" in (shown.get("text") or "") for shown in berg.messages)
    offer = await berg.next_message(timeout=30)  # Berg's, once Telegram lets it through
    assert "Hur förbereder vi umgänget på lördag?" in offer["text"]


async def test_a_family_writing_during_the_hand_over_is_read_after_what_waited(
    service: Service, double: BotApiDouble
) -> None:
    family, berg = service.family, service.berg
    waiting = ["Första", "Andra"]
    hand_over = await accepted_with_hand_over_held(service, double, waiting)
    await family.send("Tredje")
    await berg.no_message(within=0.8)  # the family's new message does not go first
    hand_over.release()

    shown = [text.rsplit("\n", 1)[-1] for text in await texts_until_quiet(berg, 1.0)]
    assert [text for text in shown if text in ("Första", "Andra", "Tredje")] == [
        "Första",
        "Andra",
        "Tredje",
    ], shown
