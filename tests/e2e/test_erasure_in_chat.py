"""Erasure leaves nothing behind, and the log keeps none of what people wrote."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.sandbox import BotApiDouble, FaultKind
from tests.e2e.chat_support import Service, answer, texts_until_quiet
from tests.e2e.scene_support import converse, on_duty

pytestmark = pytest.mark.chat_burst(30)


async def _conversation(service: Service) -> None:
    """Berg on duty now has accepted the Ek family's question."""
    await on_duty(service, "Familjen Berg")
    await converse(service.family, service.berg, "Hur gör vi med läxorna?")


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


def _texts(messages: list[dict[str, object]]) -> str:
    """What the bot's messages in a chat say now, as one text."""
    return "\n".join(str(each.get("text") or each.get("caption") or "") for each in messages)


async def test_forget_deletes_the_copies_the_bot_made_in_both_chats_while_telegram_allows(
    service: Service, double: BotApiDouble
) -> None:
    """Before, the family's words stayed in the mentor's chat, and the mentor's in the
    family's, after /forget. A copy older than 48 hours (aged here in the double) Telegram
    does not let the bot delete: it stays, and holds back none of the others."""
    family, berg = service.family, service.berg
    await _conversation(service)
    await family.send("Han vägrar gå till skolan")
    refused = await berg.next_message()
    await family.send("Och han sover dåligt")
    await berg.next_message()
    await berg.send("Prova en lista för morgonen")
    await family.next_message()
    double.age_message(berg.id, refused["message_id"], 49 * 3600)
    assert "läxorna" in _texts(berg.messages) and "lista" in _texts(family.messages)

    await family.send("/forget")
    confirm = await family.next_message()
    await family.press(confirm, "Radera")
    await family.wait_for_edit(confirm)
    await texts_until_quiet(berg, 0.5)

    in_berg = _texts(berg.messages)
    assert "läxorna" not in in_berg and "sover dåligt" not in in_berg
    assert "Han vägrar gå till skolan" in in_berg  # too old for Telegram to let it go
    assert "Prova en lista" not in _texts(family.messages)


async def test_the_database_the_bot_creates_is_readable_by_its_owner_only(
    service: Service, tmp_path: Path
) -> None:
    """Before, SQLite created it (and its -wal and -shm) readable by everyone (0644)."""
    await answer(service.family, "/help")  # a write: the -wal and -shm are in use
    database = Path(service.bot.env["MENTORBOT_DB"])
    files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
    modes = {file.name: stat.S_IMODE(os.stat(file).st_mode) for file in files}
    assert modes == {file.name: 0o600 for file in files}
