"""Scenes several end-to-end files play: households on duty, a question asked and accepted, a
hand-over the double holds, a broadcast composed, a bot behind a webhook.

They act through the harness (tests/e2e/chat_support.py) as the people of a `Service` would,
in Swedish unless a mentor's language says otherwise.
"""

from __future__ import annotations

import asyncio
import re
import socket
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.sandbox import BotApiDouble, SandboxUser
from bot.sandbox.faults import Fault, FaultKind
from bot.sandbox.state import Message
from tests.e2e.chat_support import BotProcess, Service, StartBot, answer, join, texts_until_quiet

TZ = ZoneInfo("Europe/Stockholm")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x02" + bytes(40)
ON_DUTY = "mentorsfamiljen i tjänst"
HOOK_PATH = "/mentorbot/hook"
# MENTORBOT_ESCALATE_AFTER for a test that waits for escalations: 0.3 minutes, 18 seconds, long
# enough for a kill and a restart in between, and still the shortest a test can afford.
ESCALATE_AFTER = "0.3"


async def on_duty(service: Service, *households: str) -> None:
    """Karin books these households from an hour ago until two hours from now."""
    start = datetime.now(TZ).replace(second=0, microsecond=0) - timedelta(hours=1)
    end = start + timedelta(hours=3)
    for name in households:
        number = service.numbers[name]
        reply = await answer(
            service.karin, f"/shift add {number} {start.date()} {start:%H:%M}-{end:%H:%M}"
        )
        assert "tillagt" in reply, reply
    for person in (service.berg, service.lind, service.holm):
        await texts_until_quiet(person, 0.3)  # the notices of the new shifts


async def on_duty_later(service: Service, household: str, hours: int = 3) -> datetime:
    """Karin books the household for two hours from `hours` from now: a question asked before
    waits for that shift (within the day a question may wait before the coordinators get it)."""
    start = datetime.now(TZ).replace(second=0, microsecond=0) + timedelta(hours=hours)
    end = start + timedelta(hours=2)
    number = service.numbers[household]
    add = f"/shift add {number} {start.date()} {start:%H:%M}-{end:%H:%M}"
    assert "tillagt" in await answer(service.karin, add)
    return start


async def ask(family: SandboxUser, mentor: SandboxUser, question: str) -> tuple[int, Message]:
    """The family asks; returns the question's number and the mentor's offer."""
    await family.send(question)
    told = (await family.next_message())["text"]
    assert ON_DUTY in told, told
    number = re.search(r"#(\d+)", told)
    assert number, told
    return int(number[1]), await mentor.next_message()


async def converse(
    family: SandboxUser, mentor: SandboxUser, question: str, accept: str = "Acceptera"
) -> int:
    """A question the mentor accepts; both sides are past the hand-over when it returns."""
    number, offer = await ask(family, mentor, question)
    await mentor.press(offer, accept)
    await mentor.wait_for_edit(offer)
    await texts_until_quiet(mentor, 0.4)
    await texts_until_quiet(family, 0.4)
    return number


async def second_family(service: Service, double: BotApiDouble, name: str) -> SandboxUser:
    family = double.add_user(first_name="Anders", language_code="sv")
    await join(family, service.karin, "family", name)
    return family


async def held(fault: Fault) -> None:
    await asyncio.wait_for(fault.holding.wait(), timeout=10)


async def accepted_with_hand_over_held(
    service: Service, double: BotApiDouble, waiting: list[str]
) -> Fault:
    """The family's messages wait, Berg accepts, and the double holds the hand-over's first
    send (its label): the question is Berg's, and what waited is on its way."""
    family, berg = service.family, service.berg
    await on_duty(service, "Familjen Berg")
    for text in waiting:
        await family.send(text)
        await family.next_message()
    offer = await berg.next_message()
    hand_over = double.faults.inject("sendMessage", FaultKind.HOLD, chat_id=berg.id)
    await berg.press(offer, "Acceptera")
    await held(hand_over)
    return hand_over


def daytime_zone() -> ZoneInfo:
    """A zone where it is neither just after midnight nor late: the report time is today."""
    for key in ("Europe/Stockholm", "Asia/Tokyo", "America/New_York", "Pacific/Auckland"):
        zone = ZoneInfo(key)
        if 1 <= datetime.now(zone).hour <= 21:
            return zone
    raise AssertionError("four zones cannot all be at night")


async def compose(
    karin: SandboxUser, content: str, audience: str, *, later: str | None = None
) -> dict[str, Any]:
    """Karin goes through /broadcast up to the confirmation; returns the confirm message."""
    await karin.send("/broadcast")
    assert "Skicka det du vill sända ut" in (await karin.next_message())["text"]
    await karin.send(content)
    ask = await karin.next_message()
    await karin.press(ask, audience)
    await karin.wait_for_edit(ask)
    await karin.press(ask, "Senare" if later else "Nu")
    if later:
        await karin.wait_for_edit(ask)
        await karin.send(later)
    assert (await karin.next_message())["text"] == "Så här kommer det att se ut:"
    assert (await karin.next_message())["text"] == content  # exactly as recipients see it
    return await karin.next_message()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def start_webhook_bot(start_bot: StartBot, **env: str) -> tuple[BotProcess, str]:
    """`mentorbot run` with its webhook settings from the environment; returns the hook's URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}{HOOK_PATH}"
    bot = await start_bot(MENTORBOT_WEBHOOK_URL=url, MENTORBOT_WEBHOOK_PORT=str(port), **env)
    return bot, url
