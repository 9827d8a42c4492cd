"""The bot behind a webhook: Telegram's posts are answered, nobody else's are.

The double stands in for Telegram and for the TLS-terminating proxy in front of the bot: it
posts each update, with the secret the bot gave setWebhook, to a plain http:// URL on loopback
(Telegram itself requires https). The bot listens on a free port of 127.0.0.1 at the URL's path.
Anyone else who can reach that port may post an update claiming to come from a coordinator;
without the secret it gets 403 and changes nothing, and even with it, an update whose private
chat is not its sender's is dropped at the gate.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

import httpx

from bot.sandbox import BotApiDouble, SandboxUser
from handlers.gate import ALLOWED_UPDATES
from tests.e2e.chat_support import BotProcess, StartBot, join
from tests.e2e.scene_support import HOOK_PATH, start_webhook_bot

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Methods by which the bot would tell anyone anything.
SPEAKING = ("send", "copy", "forward", "edit", "answer")


def spoken(double: BotApiDouble, since: int) -> list[str]:
    """What the bot said to anyone (by method) after the first `since` calls."""
    return [
        call.method for call in double.requests[since:] if call.method.lower().startswith(SPEAKING)
    ]


def received(bot: BotProcess, update_id: int) -> bool:
    """Whether the bot kept the update in its inbox (every update it accepts, it keeps)."""
    with sqlite3.connect(bot.env["MENTORBOT_DB"]) as database:
        row = database.execute(
            "SELECT 1 FROM processed_updates WHERE update_id = ?", (update_id,)
        ).fetchone()
    return row is not None


def message_update(
    update_id: int, sender: SandboxUser, chat: SandboxUser, text: str
) -> dict[str, Any]:
    """A private message from `sender`, claiming to be in `chat`'s chat with the bot."""
    command = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {
        "update_id": update_id,
        "message": {
            "message_id": 7000 + update_id % 1000,
            "date": int(time.time()),
            "chat": {"id": chat.id, "type": "private", "first_name": chat.first_name},
            "from": sender.as_dict(),
            "text": text,
            "entities": command if text.startswith("/") else [],
        },
    }


async def test_the_bot_takes_updates_by_webhook_and_a_redelivery_is_processed_once(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    bot, url = await start_webhook_bot(start_bot)

    async with httpx.AsyncClient(base_url=f"{double.api_url}/bot{double.token}/") as api:
        info = (await api.post("getWebhookInfo")).json()["result"]
    assert info["url"] == url
    assert set(info["allowed_updates"]) == set(ALLOWED_UPDATES)
    assert [call.status for call in double.calls("setWebhook")] == [200]
    await coordinator.send("/start")
    await coordinator.next_message()
    await coordinator.send("Karin Holm")
    await coordinator.next_message()
    await coordinator.next_message()
    family = double.add_user(first_name="Dorte", language_code="sv")
    await join(family, coordinator, "family", "Familjen Ek")

    asked = await family.send("/help")
    first = (await family.next_message())["text"]
    assert "/cancel" in first, first  # a family's help
    double.redeliver(asked["update_id"])
    await family.send("/language")
    assert "Svenska" in str(await family.next_message())  # not a second help before it
    await family.no_message(within=0.3)
    assert double.calls("getUpdates") == []  # never polled: every update came by webhook
    assert "dropped" not in bot.log


async def test_a_post_without_the_secret_is_refused_and_answered_to_nobody(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    bot, url = await start_webhook_bot(start_bot)
    mallory = double.add_user(first_name="Mallory", language_code="en")
    before = len(double.requests)

    forgeries = [
        # Karin's /members, answered into Mallory's chat; then the same, said to be in Karin's.
        message_update(900_001, coordinator, mallory, "/members"),
        message_update(900_002, coordinator, coordinator, "/mydata 1"),
    ]
    async with httpx.AsyncClient() as client:
        for forged in forgeries:
            for headers in ({}, {SECRET_HEADER: "guessed-secret"}, {SECRET_HEADER: ""}):
                response = await client.post(url, json=forged, headers=headers)
                assert response.status_code in (401, 403), (headers, response.status_code)
        # Nor does another path on the same port take updates.
        other = await client.post(url.replace(HOOK_PATH, "/"), json=forgeries[0])
        assert other.status_code == 404

    await coordinator.send("/help")  # the bot goes on, and had nothing queued before this
    assert "/invite" in (await coordinator.next_message())["text"]
    assert spoken(double, before) == ["sendMessage"]  # the answer to Karin's /help, only
    await mallory.no_message(within=0.3)
    assert not any(received(bot, forged["update_id"]) for forged in forgeries)
    # What the double posts is taken at once: it carries the secret the bot gave setWebhook.
    async with httpx.AsyncClient(base_url=f"{double.api_url}/bot{double.token}/") as api:
        info = (await api.post("getWebhookInfo")).json()["result"]
    assert "last_error_message" not in info, info


async def test_with_the_secret_an_update_whose_chat_is_not_its_sender_is_dropped(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    """Only Telegram knows the secret; a broken or leaked one still cannot answer a
    coordinator's command into another person's chat."""
    secret = "e2e-webhook-secret_0123456789abcdef"
    bot, url = await start_webhook_bot(start_bot, MENTORBOT_WEBHOOK_SECRET=secret)
    mallory = double.add_user(first_name="Mallory", language_code="en")
    await coordinator.send("/help")
    await coordinator.next_message()
    before = len(double.requests)

    members = message_update(900_011, coordinator, mallory, "/members")
    edited = message_update(900_012, coordinator, mallory, "/mydata 1")
    edited["edited_message"] = edited.pop("message")
    edited["edited_message"]["edit_date"] = int(time.time())
    pressed = {
        "update_id": 900_013,
        "callback_query": {
            "id": "4242",
            "from": coordinator.as_dict(),
            "chat_instance": "1",
            "data": "forget:yes",
            "message": message_update(0, mallory, mallory, "text")["message"],
        },
    }
    async with httpx.AsyncClient() as client:
        for forged in (members, edited, pressed):
            response = await client.post(url, json=forged, headers={SECRET_HEADER: secret})
            assert response.status_code == 200

    await coordinator.send("/help")
    assert "/invite" in (await coordinator.next_message())["text"]
    assert spoken(double, before) == ["sendMessage"]  # the answer to Karin's /help, only
    await mallory.no_message(within=0.3)
    for forged in (members, edited, pressed):
        line = f"update {forged['update_id']} dropped: its private chat is not its sender's"
        assert line in bot.log
    log_lines = [line for line in bot.log.splitlines() if "dropped" in line]
    assert len(log_lines) == 3
    assert not any(str(coordinator.id) in line or "/members" in line for line in log_lines)
    assert secret not in bot.log
