"""No silent zombie: a bot that can no longer work says so and ends; a stop always ends it.

A token revoked in BotFather while the bot runs used to leave a process that looked healthy
and fetched nothing: the library's polling loop gave up on the 401, the only line about it
was hidden, and SIGTERM then hung on the database's thread until a second one. Now the bot
says so in one line and exits 2, after its shutdown closed the database; a SIGTERM ends the
process within seconds whatever it is in the middle of; and a TELEGRAM_API_URL that is no
Bot API (a 404) is named for what it is, not blamed on the token.
"""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path

from aiohttp import web

from bot.sandbox import BotApiDouble, Fault, FaultKind, SandboxUser
from tests.e2e.chat_support import BotProcess, StartBot, base_env, run_mentorbot
from tests.e2e.scene_support import start_webhook_bot

# Generous: the bot has to notice (its next call) and shut down; "seconds" is what a person
# would see, this only keeps a broken build from hanging the suite.
EXIT_TIMEOUT = 30.0
REVOKED_LINE = (
    "mentorbot: TELEGRAM_BOT_TOKEN: was rejected by the Bot API while the bot was running "
    "(revoked in BotFather?); stopped"
)


async def exit_status(bot: BotProcess) -> int:
    """The bot's exit status once it has ended by itself."""
    try:
        return await asyncio.wait_for(bot.process.wait(), timeout=EXIT_TIMEOUT)
    except TimeoutError:
        raise AssertionError(f"the bot is still running:\n{bot.log}") from None


def mentorbot_lines(log: str) -> list[str]:
    """The lines the program itself printed to stderr (the log's lines have a timestamp)."""
    return [line for line in log.splitlines() if line.startswith("mentorbot: ")]


async def answers_help(bot: BotProcess, coordinator: SandboxUser) -> None:
    await coordinator.send("/help")
    assert "/invite" in (await coordinator.next_message())["text"], bot.log


def assert_ended_on_the_revoked_token(bot: BotProcess) -> None:
    log = bot.log
    assert mentorbot_lines(log) == [REVOKED_LINE], log
    assert "Traceback" not in log, log
    assert "Mentorbot stopped" in log, log  # post_shutdown ran: the database was closed


async def test_a_token_revoked_while_polling_ends_the_bot_with_one_line_and_exit_2(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    bot = await start_bot()
    await answers_help(bot, coordinator)

    double.revoke_token()

    assert await exit_status(bot) == 2
    assert_ended_on_the_revoked_token(bot)


async def test_a_token_revoked_behind_a_webhook_ends_the_bot_at_its_next_call(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    """Behind a webhook the bot calls Telegram only to answer: the first answer tells it."""
    bot, _ = await start_webhook_bot(start_bot)
    await answers_help(bot, coordinator)

    double.revoke_token()
    await coordinator.send("/help")  # Telegram still posts it; the answer gets 401

    assert await exit_status(bot) == 2
    assert_ended_on_the_revoked_token(bot)
    assert double.calls("sendMessage", status=401)


def stopped_before_done(why: str) -> str:
    return (
        f"mentorbot: stopped before the work in hand was done ({why}); it is done at the next start"
    )


async def hold_an_answer(bot: BotProcess, coordinator: SandboxUser, double: BotApiDouble) -> Fault:
    """A slow Telegram: the answer to the coordinator's /help, and every send after it, hang."""
    await answers_help(bot, coordinator)
    held = double.faults.inject("sendMessage", FaultKind.HOLD, times=1000)
    await coordinator.send("/help")
    await asyncio.wait_for(held.holding.wait(), timeout=EXIT_TIMEOUT)
    return held


async def test_sigterm_ends_the_bot_while_telegram_holds_a_send(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    """The stop waits for the update being handled, but not for ever: the update was kept and
    is handled again at the next start."""
    bot = await start_bot()
    held = await hold_an_answer(bot, coordinator, double)

    bot.process.send_signal(signal.SIGTERM)

    assert await exit_status(bot) == 1
    assert mentorbot_lines(bot.log) == [stopped_before_done("it took over 5 s")], bot.log
    held.release()
    again = await start_bot()
    assert "handling 1 update(s) again" in again.log
    assert "/invite" in (await coordinator.next_message())["text"]


async def test_a_second_sigterm_while_the_bot_stops_ends_it_at_once(
    start_bot: StartBot, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    """Before, the second signal cut the library's stop short of closing the database, whose
    thread then kept the process alive for ever."""
    bot = await start_bot()
    held = await hold_an_answer(bot, coordinator, double)
    bot.process.send_signal(signal.SIGTERM)
    await asyncio.sleep(0.5)  # the stop has begun, and waits for the held send

    bot.process.send_signal(signal.SIGTERM)

    assert await exit_status(bot) == 1
    assert mentorbot_lines(bot.log) == [stopped_before_done("a second signal came")], bot.log
    held.release()


async def test_ctrl_c_stops_the_bot_as_cleanly_as_sigterm_and_exits_130(
    start_bot: StartBot, coordinator: SandboxUser
) -> None:
    """130, as a shell reports a command Ctrl-C ended, and as every other command exits on it;
    SIGTERM, systemd's and Docker's normal stop, stays 0."""
    bot = await start_bot()
    await answers_help(bot, coordinator)

    assert await bot.stop(signal.SIGINT) == 130
    assert mentorbot_lines(bot.log) == [], bot.log
    assert "Mentorbot stopped" in bot.log, bot.log  # the same stop: the database was closed
    assert "Traceback" not in bot.log, bot.log
    again = await start_bot()
    await answers_help(again, coordinator)
    assert await again.stop() == 0


async def exits_on_start(api_url: str, tmp_path: Path, double: BotApiDouble) -> tuple[int, str]:
    """`mentorbot run` against `api_url` to its end: the exit status and what it printed."""
    env = base_env(tmp_path)
    env.update({"TELEGRAM_BOT_TOKEN": double.token, "TELEGRAM_API_URL": api_url})
    log_path = tmp_path / "start.log"
    process = await run_mentorbot("run", env=env, cwd=tmp_path, log_path=log_path)
    status = await asyncio.wait_for(process.wait(), timeout=EXIT_TIMEOUT)
    return status, log_path.read_text()


async def test_a_bot_api_that_cannot_be_reached_is_one_line_and_no_traceback(
    tmp_path: Path, double: BotApiDouble
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nobody = f"http://127.0.0.1:{closed.getsockname()[1]}"
    status, output = await exits_on_start(nobody, tmp_path, double)
    assert status == 1
    assert "Traceback" not in output, output
    assert output.splitlines()[-1].startswith(
        f"mentorbot: TELEGRAM_API_URL: cannot reach the Bot API at {nobody}: "
    ), output


def not_a_bot_api(api_url: str) -> list[str]:
    return [
        f"mentorbot: TELEGRAM_API_URL: {api_url} is not a Bot API: it answered 404 Not Found "
        "(check the address and its path)"
    ]


async def test_a_bot_api_url_with_a_wrong_path_is_named_not_the_token(
    tmp_path: Path, double: BotApiDouble
) -> None:
    """`https://api.telegram.org/api` (a path too many): Telegram's own JSON 404."""
    wrong_root = f"{double.api_url}/api"
    status, output = await exits_on_start(wrong_root, tmp_path, double)
    assert status == 2
    assert output.splitlines() == not_a_bot_api(wrong_root)


async def test_a_bot_api_url_that_is_some_other_web_server_is_named_not_the_token(
    tmp_path: Path, double: BotApiDouble
) -> None:
    """A web server that is no Bot API answers its own 404 page, which is not JSON."""
    runner = web.AppRunner(web.Application())  # no routes: aiohttp's "404: Not Found" page
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        host, port = runner.addresses[0][:2]
        elsewhere = f"http://{host}:{port}"
        status, output = await exits_on_start(elsewhere, tmp_path, double)
    finally:
        await runner.cleanup()
    assert status == 2
    assert output.splitlines() == not_a_bot_api(elsewhere)
