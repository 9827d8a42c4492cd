"""MENTORBOT_LOG_FORMAT=json: the real bot's log, from its start to its stop, is one JSON object
a line, which a log collector takes as it is, and it is as private as the text format."""

from __future__ import annotations

import json

from bot.sandbox import BotApiDouble, SandboxUser
from tests.e2e.chat_support import BOT_USERNAME, StartBot
from tests.e2e.scene_support import start_webhook_bot

SECRET = "e2e-webhook-secret_json_0123456789"


async def test_the_log_is_one_private_json_object_a_line_from_start_to_stop(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    bot, _ = await start_webhook_bot(
        start_bot, MENTORBOT_LOG_FORMAT="json", MENTORBOT_WEBHOOK_SECRET=SECRET
    )
    await coordinator.send("/help")
    assert "/invite" in (await coordinator.next_message())["text"]
    assert await bot.stop() == 0

    lines = bot.log.splitlines()
    records = [json.loads(line) for line in lines]  # every line, or this raises
    assert all(isinstance(record, dict) for record in records), lines
    assert all({"time", "level", "logger", "message"} <= set(record) for record in records)
    said = [(record["logger"], record["message"]) for record in records]
    assert ("bot.app.application", f"Mentorbot is running as @{BOT_USERNAME}") in said, said
    assert ("bot.app.application", "Mentorbot stopped") in said, said
    assert SECRET not in bot.log
    assert double.token.split(":")[1] not in bot.log
