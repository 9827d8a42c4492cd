"""What must hold when Telegram misbehaves, the process dies, or the configuration is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sandbox import BotApiDouble, SandboxUser
from tests.e2e.chat_support import BotProcess, StartBot, base_env, join, run_mentorbot


async def test_the_same_update_delivered_twice_is_processed_once(
    bot: BotProcess, coordinator: SandboxUser
) -> None:
    sent = await coordinator.send("/invite family")
    first = await coordinator.next_message()
    assert "start=" in first["text"]
    bot_double: BotApiDouble = coordinator.double
    bot_double.redeliver(sent["update_id"])
    await coordinator.send("/help")
    assert "/invite" in (await coordinator.next_message())["text"]  # no second invite before it
    await coordinator.no_message(within=0.3)


async def test_a_429_is_waited_out(bot: BotProcess, double: BotApiDouble) -> None:
    person = double.add_user(first_name="Emma", language_code="en")
    double.faults.inject(method="sendMessage", kind=429, retry_after=1, times=1, chat_id=person.id)
    await person.send("/help")
    assert "Send /start" in (await person.next_message(timeout=15))["text"]
    statuses = [c.status for c in double.requests if c.method == "sendMessage"]
    assert statuses.count(429) == 1


async def test_members_survive_a_crash_and_sigterm_stops_cleanly(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    first = await start_bot()
    family = double.add_user(first_name="Anna", language_code="sv")
    await coordinator.send("/start")
    await coordinator.next_message()
    await coordinator.send("Karin")
    await coordinator.next_message()
    await coordinator.next_message()
    await join(family, coordinator, "family", "Familjen Lind")
    await first.kill()

    second = await start_bot()
    await family.send("/start")
    assert "Välkommen tillbaka, Familjen Lind" in (await family.next_message())["text"]
    assert await second.stop() == 0
    assert "Mentorbot stopped" in second.log


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MENTORBOT_TIMEZONE", "Mars/Olympus_Mons"),
        ("MENTORBOT_COORDINATORS", "12,karin"),
        ("MENTORBOT_LANGUAGE", "no"),
        ("TELEGRAM_BOT_TOKEN", ""),
    ],
)
async def test_a_bad_configuration_exits_2_with_one_line(
    tmp_path: Path, double: BotApiDouble, variable: str, value: str
) -> None:
    env = base_env(tmp_path)
    env.update({"TELEGRAM_BOT_TOKEN": double.token, "TELEGRAM_API_URL": double.api_url})
    env[variable] = value
    log_path = tmp_path / "bad.log"
    process = await run_mentorbot("run", env=env, cwd=tmp_path, log_path=log_path)
    assert await process.wait() == 2
    output = log_path.read_text().strip()
    assert len(output.splitlines()) == 1, output
    assert output.startswith(f"mentorbot: {variable}: ")
    assert "Traceback" not in output


async def test_a_token_the_api_rejects_exits_2(tmp_path: Path, double: BotApiDouble) -> None:
    env = base_env(tmp_path)
    env.update({"TELEGRAM_BOT_TOKEN": "999:wrong", "TELEGRAM_API_URL": double.api_url})
    log_path = tmp_path / "wrong.log"
    process = await run_mentorbot("run", env=env, cwd=tmp_path, log_path=log_path)
    assert await process.wait() == 2
    assert log_path.read_text().strip() == (
        "mentorbot: TELEGRAM_BOT_TOKEN: was rejected by the Bot API"
    )


async def test_check_migrate_and_invite_from_the_command_line(
    tmp_path: Path, double: BotApiDouble, start_bot: StartBot
) -> None:
    env = base_env(tmp_path)
    env.update({"TELEGRAM_BOT_TOKEN": double.token, "TELEGRAM_API_URL": double.api_url})

    async def mentorbot(*args: str) -> tuple[int, str]:
        log_path = tmp_path / f"{args[0]}.log"
        log_path.unlink(missing_ok=True)
        process = await run_mentorbot(*args, env=env, cwd=tmp_path, log_path=log_path)
        return await process.wait(), log_path.read_text()

    status, output = await mentorbot("check")
    assert status == 0 and "does not exist yet" in output
    status, output = await mentorbot("migrate")
    assert status == 0 and "applied migration(s) 1" in output
    status, output = await mentorbot("migrate")
    assert status == 0 and "already up to date" in output
    status, output = await mentorbot("check")
    assert status == 0 and "integrity ok" in output
    status, output = await mentorbot("invite", "mentor")
    assert status == 0
    link = output.splitlines()[0]
    assert link.startswith("https://t.me/mentorbot_test_bot?start=")

    await start_bot()
    mentor = double.add_user(first_name="Maria", language_code="en")
    await mentor.send("/start " + link.rsplit("=", 1)[1])
    assert "Your role: mentor family" in (await mentor.next_message())["text"]
