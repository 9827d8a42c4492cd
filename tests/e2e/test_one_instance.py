"""One bot per database: a second `mentorbot run` (or a sandbox) on it is refused at once.

Both would poll Telegram, send every reminder twice and double the send rate; the second one
says so in one line and exits 2, and the first goes on as if nothing happened.
"""

from __future__ import annotations

from pathlib import Path

from bot.sandbox import SandboxUser
from storage.lease import lock_path
from tests.e2e.chat_support import BotProcess, StartBot, mentorbot


async def answers_help(bot: BotProcess, coordinator: SandboxUser) -> None:
    await coordinator.send("/help")
    assert "/invite" in (await coordinator.next_message())["text"], bot.log


async def test_a_second_bot_on_the_same_database_is_refused_and_the_first_goes_on(
    start_bot: StartBot, coordinator: SandboxUser, tmp_path: Path
) -> None:
    first = await start_bot()
    await answers_help(first, coordinator)
    database = Path(first.env["MENTORBOT_DB"])
    lock = lock_path(database)

    status, out, err = await mentorbot("run", env=first.env, cwd=tmp_path)

    assert status == 2
    assert out == ""
    assert err.splitlines() == [
        f"mentorbot: MENTORBOT_DB: another Mentorbot is already running on {database} (lock {lock})"
    ]
    assert first.process.returncode is None
    await answers_help(first, coordinator)
    await coordinator.no_message(within=0.5)  # one answer: nobody else polled the update

    # The sandbox pointed at the live file is refused too (as the live database, running or
    # not), and names its option.
    status, out, err = await mentorbot(
        "sandbox", "--port", "0", "--db", str(database), env=first.env, cwd=tmp_path
    )
    assert status == 2
    assert out == ""
    (line,) = err.splitlines()
    assert line == (
        f"mentorbot: --db {database}: is the live bot's database (MENTORBOT_DB); "
        "give the sandbox its own"
    )
    await answers_help(first, coordinator)


async def test_a_killed_bot_does_not_keep_its_restart_out(
    start_bot: StartBot, coordinator: SandboxUser
) -> None:
    first = await start_bot()
    await first.kill()  # kill -9: no shutdown code runs, the kernel lets go of the lock
    again = await start_bot()
    await answers_help(again, coordinator)
    assert await again.stop() == 0
