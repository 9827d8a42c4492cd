"""End-to-end harness: the real bot, as a separate process, against the Bot API double.

The bot is started exactly as an operator starts it (`python -m bot run`), with its
configuration in the environment and its working directory in a temporary folder, and it
talks to the double over loopback HTTP. Tests act as people: they send messages and press
buttons through the double and read what arrives in their chats. The fixtures that start it
are in conftest.py; what the tests call is here.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest

from bot.sandbox import BotApiDouble, SandboxUser

TOKEN = "424242:e2e-secret-token-value"
BOT_USERNAME = "mentorbot_test_bot"
READY_TIMEOUT = 20.0
COMMAND_TIMEOUT = 30.0
INVITE_LINK = re.compile(rf"https://t\.me/{BOT_USERNAME}\?start=([A-Za-z0-9_-]+)")


@dataclass
class BotProcess:
    """One running `mentorbot run`; its log is kept for assertions about what it wrote."""

    process: asyncio.subprocess.Process
    log_path: Path
    env: dict[str, str] = field(repr=False)

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def stop(self, how: signal.Signals = signal.SIGTERM) -> int:
        """SIGTERM, as systemd or Docker would send it (SIGINT: Ctrl-C); the exit status."""
        if self.process.returncode is None:
            self.process.send_signal(how)
        return await asyncio.wait_for(self.process.wait(), timeout=15)

    async def kill(self) -> None:
        """A crash: no shutdown code runs."""
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()


StartBot = Callable[..., Awaitable[BotProcess]]
"""The `start_bot` fixture: start the bot (again) with extra arguments and variables."""


async def _spawn(
    args: tuple[str, ...],
    env: dict[str, str],
    cwd: Path,
    stdout: IO[bytes] | int,
    stderr: IO[bytes] | int,
) -> asyncio.subprocess.Process:
    """`python -m bot ARGS`, as an operator starts it, with nothing on its standard input."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
    )


async def run_mentorbot(
    *args: str, env: dict[str, str], cwd: Path, log_path: Path
) -> asyncio.subprocess.Process:
    with log_path.open("ab") as log:
        return await _spawn(args, env, cwd, log, log)


async def mentorbot(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    """`python -m bot ARGS` (a command that ends) to its end: exit status, standard output,
    standard error."""
    pipe = asyncio.subprocess.PIPE
    process = await _spawn(args, env, cwd, pipe, pipe)
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=COMMAND_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"`mentorbot {' '.join(args)}` is still running") from None
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def base_env(tmp_path: Path) -> dict[str, str]:
    """The parent's environment minus anything Mentorbot reads, so tests never see a real bot."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MENTORBOT_", "TELEGRAM_"))}
    env["MENTORBOT_DB"] = str(tmp_path / "mentorbot.db")
    env["PYTHONUNBUFFERED"] = "1"
    # The morning report catches up when the bot starts after its time; only the tests about
    # it want that message in the coordinator's chat.
    env["MENTORBOT_GAP_REPORT"] = "off"
    return env


async def wait_until_ready(bot: BotProcess) -> None:
    """Ready means polling, or the webhook set: updates sent now will be answered.

    PTB logs "Application started" once polling (or the webhook server) has begun; an update
    sent before the first getUpdates waits in the double's queue, as it would at Telegram.
    """
    deadline = asyncio.get_running_loop().time() + READY_TIMEOUT
    while asyncio.get_running_loop().time() < deadline:
        if bot.process.returncode is not None:
            pytest.fail(f"the bot exited with {bot.process.returncode}:\n{bot.log}")
        if "Application started" in bot.log:
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"the bot did not start within {READY_TIMEOUT}s:\n{bot.log}")


def invite_code(text: str) -> str:
    match = INVITE_LINK.search(text)
    assert match, f"no invite link in {text!r}"
    return match.group(1)


async def join(
    user: SandboxUser, inviter: SandboxUser, role: str, household_name: str | None
) -> None:
    """The whole onboarding as people do it: an invite, the link, and a name."""
    await inviter.send(f"/invite {role}")
    link = await inviter.next_message()
    await user.send(f"/start {invite_code(link['text'])}")
    await user.next_message()
    if household_name is not None:
        await user.send(household_name)
        await user.next_message()  # thanks
        await user.next_message()  # help for the role


@dataclass
class Service:
    """A running bot with a named coordinator, three mentor households and a family."""

    bot: BotProcess
    karin: SandboxUser
    berg: SandboxUser
    lind: SandboxUser
    holm: SandboxUser
    family: SandboxUser
    numbers: dict[str, int]


async def messages_until_quiet(user: SandboxUser, within: float = 0.8) -> list[dict[str, Any]]:
    """Every message the bot sends a user until it has been quiet for `within` seconds."""
    messages: list[dict[str, Any]] = []
    while True:
        try:
            messages.append(await user.next_message(timeout=within))
        except AssertionError:
            return messages


async def texts_until_quiet(user: SandboxUser, within: float = 0.8) -> list[str]:
    """The texts (or captions) of everything the bot sends a user until it is quiet."""
    return [
        message.get("text") or message.get("caption") or ""
        for message in await messages_until_quiet(user, within)
    ]


async def member_numbers(karin: SandboxUser) -> dict[str, int]:
    await karin.send("/members")
    listing = (await karin.next_message())["text"]
    return {name: int(number) for number, name in re.findall(r"#(\d+) (.+?) – ", listing)}


STRANGERS_MENU = ["start", "help"]


def menu(user: SandboxUser) -> list[str]:
    """The commands the user's app shows in its menu."""
    return [command["command"] for command in user.command_menu]


async def answer(user: SandboxUser, text: str) -> str:
    await user.send(text)
    return str((await user.next_message())["text"])


def labels(message: dict[str, Any]) -> list[str]:
    """The texts of a message's inline buttons, row by row, as a person reads them."""
    return [button["text"] for button in _inline_buttons(message)]


def button_data(message: dict[str, Any], label: str) -> str:
    """The data of a button as the message was when read: to press it again once it is gone,
    as a double tap or an old message scrolled back to does."""
    return str(next(b["callback_data"] for b in _inline_buttons(message) if b["text"] == label))


def _inline_buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button for row in rows for button in row]


async def remove_member(karin: SandboxUser, number: int | str) -> str:
    """/remove asks first, as /forget does: Karin confirms, and reads what the removal did."""
    await karin.send(f"/remove {number}")
    question = await karin.next_message()
    assert question["text"].startswith(f"Ta bort #{number} "), question["text"]
    await karin.press(question, "Ta bort")
    return str((await karin.wait_for_edit(question))["text"])


async def build_service(bot: BotProcess, karin: SandboxUser, double: BotApiDouble) -> Service:
    """Karin names herself and invites Berg (sv), Lind (da), the Holms (en) and Ek (family)."""
    await karin.send("/start")
    await karin.next_message()
    await karin.send("Karin Holm")
    await texts_until_quiet(karin, 0.5)
    berg = double.add_user(first_name="Maria", language_code="sv")
    lind = double.add_user(first_name="Lars", language_code="da")
    holm = double.add_user(first_name="Hanna", language_code="en")
    family = double.add_user(first_name="Dorte", language_code="sv")
    await join(berg, karin, "mentor", "Familjen Berg")
    await join(lind, karin, "mentor", "Familien Lind")
    await join(holm, karin, "mentor", "The Holms")
    await join(family, karin, "family", "Familjen Ek")
    return Service(bot, karin, berg, lind, holm, family, await member_numbers(karin))
