"""Nothing a family sent is lost when the bot is killed at the worst moment.

The double holds the bot's send at the chosen moment, the test kills the bot (SIGKILL: no
shutdown code runs) while Telegram has already been told the update arrived, and the restarted
bot must finish the work.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.sandbox import BotApiDouble, SandboxUser
from bot.sandbox.faults import FaultKind
from tests.e2e.chat_support import Service, StartBot, build_service, texts_until_quiet
from tests.e2e.scene_support import accepted_with_hand_over_held, converse, held, on_duty

pytestmark = pytest.mark.chat_burst(40)


async def test_a_kill_while_a_question_is_being_handled_loses_nothing(
    service: Service, double: BotApiDouble, start_bot: StartBot
) -> None:
    family, berg = service.family, service.berg
    await on_duty(service, "Familjen Berg")
    offer = double.faults.inject("sendMessage", FaultKind.HOLD, chat_id=berg.id)
    answered_before = len(family.messages)
    await family.send("Han vill inte sova, vad gör vi?")
    await held(offer)  # the question is stored and its offer is on its way: now the crash
    await service.bot.kill()
    assert len(family.messages) == answered_before  # the family never heard back

    await start_bot()
    shown = await berg.next_message()
    assert "Han vill inte sova, vad gör vi?" in shown["text"]
    assert "Acceptera" in str(shown["reply_markup"])
    told = await texts_until_quiet(family, 1.0)
    assert any("fråga #1" in text for text in told), told  # the family hears back
    await berg.press(shown, "Acceptera")
    handed = await texts_until_quiet(berg, 0.6)
    assert handed.count("Han vill inte sova, vad gör vi?") == 1, handed


async def test_a_kill_right_after_an_accept_still_hands_over_every_waiting_message(
    service: Service, double: BotApiDouble, start_bot: StartBot
) -> None:
    family, berg = service.family, service.berg
    waiting = ["Första meddelandet", "Andra meddelandet", "Tredje meddelandet"]
    await accepted_with_hand_over_held(service, double, waiting)
    await service.bot.kill()

    await start_bot()
    handed = await texts_until_quiet(berg, 1.5)
    for text in waiting:
        assert handed.count(text) == 1, handed
    assert not any("gick fel" in text for text in handed), handed  # the press is not an error
    told = await texts_until_quiet(family, 0.5)
    assert any("har tagit er fråga" in text for text in told), told
    await family.send("Är du där?")
    assert (await berg.next_message())["text"].endswith("Är du där?")


IDLE_HOURS = "0.01"  # 36 seconds: the shortest a test can afford


@pytest.mark.timeout(180)
async def test_a_conversation_nobody_writes_in_closes_even_across_a_restart(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    service = await build_service(
        await start_bot(MENTORBOT_CONVERSATION_IDLE_HOURS=IDLE_HOURS), coordinator, double
    )
    family, berg = service.family, service.berg
    await on_duty(service, "Familjen Berg")
    await family.send("Hur gör vi med läggningen?")
    await family.next_message()
    offer = await berg.next_message()
    await berg.press(offer, "Acceptera")
    await texts_until_quiet(berg, 0.5)
    await texts_until_quiet(family, 0.5)
    await service.bot.kill()  # the bot is down while the conversation goes quiet
    await asyncio.sleep(40)

    await start_bot(MENTORBOT_CONVERSATION_IDLE_HOURS=IDLE_HOURS)
    told = await texts_until_quiet(family, 2.0)
    closed = "Samtal #1 är avslutat: ingen har skrivit i det på 36 sekunder"
    assert any(closed in text for text in told), told
    assert any("Hur mycket hjälpte det?" in text for text in told), told
    to_berg = await texts_until_quiet(berg, 0.5)
    assert any("Samtal #1 är avslutat" in text for text in to_berg), to_berg
    assert any("Vad handlade det mest om?" in text for text in to_berg), to_berg
    await family.send("En ny fråga")  # no longer held by Berg's old conversation
    assert "Er fråga #2" in (await family.next_message())["text"]


@pytest.mark.timeout(120)
async def test_a_family_message_whose_relay_is_retried_at_a_kill_reaches_the_mentor_after_it(
    service: Service, double: BotApiDouble, start_bot: StartBot
) -> None:
    """Found by the soak: the message was marked handled when the bot saw it belonged to the
    conversation, before it was relayed; a kill while Telegram made the relay wait lost it,
    and nobody was told."""
    family, berg = service.family, service.berg
    await on_duty(service, "Familjen Berg")
    await converse(family, berg, "Hur gör vi med läggningen?")
    double.faults.inject("sendMessage", FaultKind.BAD_GATEWAY, times=10_000, chat_id=berg.id)
    await family.send("Är du kvar?")
    await asyncio.sleep(3)  # the bot is trying the relay again and again
    await service.bot.kill()
    double.faults.clear()

    await start_bot()
    got = await texts_until_quiet(berg, 3.0)
    assert sum(text.endswith("Är du kvar?") for text in got) == 1, got
    await family.no_message(within=0.3)


async def test_an_accept_whose_button_answer_is_lost_still_hands_the_question_over(
    service: Service, double: BotApiDouble
) -> None:
    """Found by the soak: the answer to a press has no chat, so it is not retried, and when it
    failed the handler stopped after the claim: no hand-over, the family never told."""
    family, berg = service.family, service.berg
    await on_duty(service, "Familjen Berg")
    await family.send("Första frågan")
    await family.next_message()
    offer = await berg.next_message()
    double.faults.inject("answerCallbackQuery", FaultKind.DROP, times=1)
    await berg.press(offer, "Acceptera")
    got = await texts_until_quiet(berg, 2.0)
    assert any(text.endswith("Första frågan") for text in got), got
    assert "har tagit er fråga" in (await family.next_message())["text"]


async def test_after_a_kill_in_a_hand_over_the_waiting_messages_still_come_first(
    service: Service, double: BotApiDouble, start_bot: StartBot
) -> None:
    """Found by the soak: a family message written while the hand-over was held waited its
    turn, was handled again after the restart, and reached the mentor above the messages that
    had waited longer, whose hand-over was only redone later."""
    family, berg = service.family, service.berg
    waiting = ["Första meddelandet", "Andra meddelandet"]
    hand_over = await accepted_with_hand_over_held(service, double, waiting)
    await family.send("Är du där?")  # in the conversation now: it waits for the hand-over
    await asyncio.sleep(0.5)
    await service.bot.kill()
    hand_over.release()

    await start_bot()
    texts = await texts_until_quiet(berg, 2.0)
    shown = [text for text in texts if any(text.endswith(t) for t in [*waiting, "Är du där?"])]
    order = [next(t for t in [*waiting, "Är du där?"] if text.endswith(t)) for text in shown]
    assert order[-1] == "Är du där?" and order.count("Är du där?") == 1, texts
    assert all(order.count(text) >= 1 for text in waiting), texts
