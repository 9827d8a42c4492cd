"""A send that meets a 502, a 429 or a dropped connection is tried again, not given up.

Telegram's edge fails now and then for a moment. What a person sent must still arrive; and when
Telegram stays out of reach for longer than the bot keeps trying (about a minute), the sender
hears that honestly, once, and the bot's log has one line for it, not a traceback.
"""

from __future__ import annotations

import re

import pytest

from bot.sandbox import BotApiDouble
from bot.sandbox.faults import FaultKind
from bot.sandbox.server import DROPPED
from tests.e2e.chat_support import BotProcess, Service, texts_until_quiet
from tests.e2e.scene_support import ON_DUTY, converse, on_duty

pytestmark = pytest.mark.chat_burst(40)

NOT_DELIVERED = "Ert meddelande kunde inte levereras just nu. Försök igen om en stund."
SOMETHING_WRONG = "något gick fel"


def failed_sends(double: BotApiDouble, chat_id: int) -> int:
    """Sends to the chat that the double answered with a 5xx or dropped."""
    return sum(
        1
        for call in double.requests
        if call.chat_id == chat_id and (call.status >= 500 or call.status == DROPPED)
    )


def no_traceback(bot: BotProcess) -> None:
    assert "Traceback" not in bot.log, bot.log


async def test_a_502_burst_on_the_offers_of_a_question_still_reaches_every_mentor(
    service: Service, double: BotApiDouble
) -> None:
    family, mentors = service.family, (service.berg, service.lind, service.holm)
    await on_duty(service, "Familjen Berg", "Familien Lind", "The Holms")
    double.faults.inject("sendMessage", FaultKind.BAD_GATEWAY, times=3, chat_id=service.berg.id)
    double.faults.inject("sendMessage", FaultKind.BAD_GATEWAY, times=2, chat_id=service.lind.id)
    double.faults.inject("sendMessage", FaultKind.DROP, times=2, chat_id=service.holm.id)
    await family.send("Hur pratar vi med skolan om hans diagnos?")
    told = (await family.next_message(timeout=30))["text"]
    assert ON_DUTY in told and "#1" in told, told
    for mentor in mentors:
        offer = await mentor.next_message(timeout=30)
        assert re.search(r"#1\b", offer["text"]), offer["text"]
        assert "Hur pratar vi med skolan om hans diagnos?" in offer["text"]
        await mentor.no_message(within=0.3)  # one offer each: nothing came twice
    assert await texts_until_quiet(family, 0.3) == []
    no_traceback(service.bot)


async def test_a_429_then_a_502_on_a_relayed_message_and_it_still_arrives(
    service: Service, double: BotApiDouble
) -> None:
    family, berg = service.family, service.berg
    await on_duty(service, "Familjen Berg")
    await converse(family, berg, "Hur gör vi med läggningen?")
    double.faults.inject(
        "sendMessage", FaultKind.TOO_MANY_REQUESTS, times=1, chat_id=berg.id, retry_after=1
    )
    double.faults.inject("sendMessage", FaultKind.BAD_GATEWAY, times=1, chat_id=berg.id)
    await family.send("Han somnade till slut")
    assert (await berg.next_message(timeout=30))["text"].endswith("Han somnade till slut")
    await berg.no_message(within=0.3)
    assert await texts_until_quiet(family, 0.3) == []  # not told it failed
    no_traceback(service.bot)


@pytest.mark.timeout(240)
async def test_a_fault_that_outlasts_the_retries_is_told_to_the_sender_once_and_honestly(
    service: Service, double: BotApiDouble
) -> None:
    family, berg = service.family, service.berg
    await on_duty(service, "Familjen Berg")
    await converse(family, berg, "Hur gör vi med läggningen?")
    double.faults.inject("sendMessage", FaultKind.BAD_GATEWAY, times=10_000, chat_id=berg.id)
    await family.send("Är du kvar?")
    told = await family.next_message(timeout=120)
    assert told["text"] == NOT_DELIVERED
    assert failed_sends(double, berg.id) > 1  # tried again before the family was told
    double.faults.clear()
    assert not any(SOMETHING_WRONG in text for text in await texts_until_quiet(family, 0.5))
    assert await texts_until_quiet(berg, 0.5) == []  # and it does not arrive after all

    await family.send("Nu då?")  # Telegram is back: the next message goes through
    assert (await berg.next_message())["text"].endswith("Nu då?")
    no_traceback(service.bot)


async def test_a_reply_that_meets_a_500_is_sent_again_rather_than_an_apology(
    service: Service, double: BotApiDouble
) -> None:
    family = service.family
    double.faults.inject("sendMessage", FaultKind.INTERNAL_SERVER_ERROR, chat_id=family.id)
    await family.send("/help")
    replies = await texts_until_quiet(family, 1.0)
    assert len(replies) == 1 and "/cancel" in replies[0], replies
    no_traceback(service.bot)
