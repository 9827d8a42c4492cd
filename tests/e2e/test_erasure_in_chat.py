"""Erasure leaves nothing behind, and the log keeps none of what people wrote."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.sandbox import BotApiDouble, FaultKind
from tests.e2e.conftest import Service, answer, texts_until_quiet

pytestmark = pytest.mark.chat_burst(30)
TZ = ZoneInfo("Europe/Stockholm")


async def _conversation(service: Service) -> None:
    """Berg on duty now has accepted the Ek family's question."""
    family, berg, karin = service.family, service.berg, service.karin
    start = datetime.now(TZ).replace(second=0, microsecond=0) - timedelta(hours=1)
    end = start + timedelta(hours=3)
    booking = f"{start.date()} {start:%H:%M}-{end:%H:%M}"
    await answer(karin, f"/shift add {service.numbers['Familjen Berg']} {booking}")
    await texts_until_quiet(berg, 0.3)
    await family.send("Hur gör vi med läxorna?")
    await family.next_message()
    offer = await berg.next_message()
    await berg.press(offer, "Acceptera")
    await texts_until_quiet(berg, 0.3)
    await texts_until_quiet(family, 0.3)


async def test_a_refused_relay_is_logged_without_the_words_telegram_quoted(
    service: Service, double: BotApiDouble
) -> None:
    """Telegram's description of a refused send quotes what it could not take; the log says
    which kind of error it was, never that."""
    await _conversation(service)
    quoted = 'can\'t parse entities: Unsupported start tag "vardnadstvist" at byte offset 9'
    double.faults.inject(
        "sendMessage", FaultKind.BAD_REQUEST, chat_id=service.berg.id, description=quoted
    )
    await service.family.send("Det gäller <vardnadstvist> med pappan")
    await texts_until_quiet(service.family, 0.5)
    assert 400 in [call.status for call in double.calls("sendMessage")]
    log = service.bot.log
    assert "relay to the mentor failed: BadRequest (400)" in log
    assert "vardnadstvist" not in log and "pappan" not in log
