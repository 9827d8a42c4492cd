"""`mentorbot sandbox`: the whole service in a browser, with no token and no network.

One process holds two things. The Bot API double (`bot/sandbox/`) runs on its own event loop in
a thread and serves both the Bot API and the web chat page on 127.0.0.1. The bot itself runs in
the main thread exactly as `mentorbot run` runs it, handlers and all; only the Bot API's address,
the token (the double's) and the database (a separate `sandbox.db`) differ.

The double keeps chats in memory, the bot keeps its database: a sandbox started again on the
same database brings every member back as a person on the page, with an empty chat. Like `run`,
the sandbox first takes the database's lease (`storage.lease`), so it refuses a database that a
bot (a sandbox, or the live one) is running on. It also refuses the live bot's database itself
(`MENTORBOT_DB`) while that bot is stopped: the sandbox's people and invites would be written
into the real service.

The page's address carries a key made anew at each start (`ChatPage.address`); it is printed
here, once, and nowhere else; the page and its API answer no request without it.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sqlite3
import threading
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from bot import inbox, invites, members
from bot.app import demo
from bot.config import Config, ConfigError
from bot.sandbox import BotApiDouble
from bot.sandbox.chat_page import Role as PageRole
from storage.db import Database
from storage.lease import Lease, LeaseHeld
from storage.models import Member, Role

SANDBOX_TOKEN = "123456:sandbox"
"""The double's token; it opens nothing anywhere else."""
DEFAULT_PORT = 8765
MAX_PORT = 65535
DEFAULT_DB = "sandbox.db"
VISITOR = "visitor"

_ROLE_LABELS = {
    Role.FAMILY: "Foster family",
    Role.MENTOR: "Mentor family",
    Role.COORDINATOR: "Coordinator",
}
_PAGE_ROLES = [
    PageRole(Role.FAMILY.value, "Foster family adult"),
    PageRole(Role.MENTOR.value, "Mentor family adult"),
    PageRole(Role.COORDINATOR.value, "Coordinator"),
    PageRole(VISITOR, "Visitor (considering fostering)"),
]

T = TypeVar("T")
RunBot = Callable[[Config, argparse.Namespace], int]


class _DoubleThread:
    """The double on an event loop of its own, so that the bot's run_polling owns the main one."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="bot-api-double", daemon=True
        )
        self._thread.start()

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the double's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def stop(self) -> None:
        self.call(_cancel_the_rest())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()


async def _cancel_the_rest() -> None:
    """Whatever still runs on the double's loop (a browser's request) ends before the loop."""
    others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)


def _port(text: str) -> int:
    """A TCP port, checked here: the socket would otherwise fail with an OverflowError."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= MAX_PORT:
        raise argparse.ArgumentTypeError(f"a port is 0 to {MAX_PORT} (0: any free one): {port}")
    return port


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--demo", action="store_true", help="seed a believable municipality into an empty database"
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"the page's port on 127.0.0.1 (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--db", default=DEFAULT_DB, help=f"the sandbox's database (default {DEFAULT_DB})"
    )


def run(config: Config, args: argparse.Namespace, run_bot: RunBot) -> int:
    """Start the double and its page, then the bot as `run` would; stop both on Ctrl+C."""
    _refuse_the_live_database(Path(args.db), config.db_path)
    with _take_lease(Path(args.db)):
        return _run_with_lease(config, args, run_bot)


def _refuse_the_live_database(path: Path, live: Path) -> None:
    """The same file under any name (relative, through a symlink, a hard link) is the same
    database; compared by name too, for a live database that is not created yet."""
    same_inode = path.exists() and live.exists() and path.samefile(live)
    if same_inode or path.resolve() == live.resolve():
        raise ConfigError(
            f"--db {path}", "is the live bot's database (MENTORBOT_DB); give the sandbox its own"
        )


def _take_lease(path: Path) -> Lease:
    """Named after the option that chose the file, as every --db problem is."""
    try:
        return Lease.take(path)
    except LeaseHeld as held:
        raise ConfigError(f"--db {path}", str(held)) from None
    except OSError as error:
        raise ConfigError(f"--db {path}", f"cannot use the database: {error}") from None


def _run_with_lease(config: Config, args: argparse.Namespace, run_bot: RunBot) -> int:
    thread = _DoubleThread()
    double: BotApiDouble | None = None
    database: Database | None = None
    try:
        double = thread.call(_start_double(args.port))
        config = dataclasses.replace(
            config, token=SANDBOX_TOKEN, api_url=double.api_url, db_path=Path(args.db)
        )
        database, seeded = thread.call(_populate(double, config, args.demo))
        print(f"Mentorbot sandbox: open {double.page.address} in a browser", flush=True)
        print(f"  database {args.db}{seeded}; Ctrl+C stops the sandbox", flush=True)
        return run_bot(config, argparse.Namespace(webhook_url=None))
    finally:
        if database is not None:
            thread.call(database.close())
        if double is not None:
            thread.call(double.stop())
        thread.stop()


async def _start_double(port: int) -> BotApiDouble:
    """The double on 127.0.0.1:port; a port it cannot have is the option's fault (exit 2)."""
    double = BotApiDouble(SANDBOX_TOKEN, port=port)
    try:
        await double.start()
    except OSError as error:
        raise ConfigError(
            f"--port {port}", f"cannot listen on 127.0.0.1: {error.strerror or error}"
        ) from None
    return double


async def _populate(double: BotApiDouble, config: Config, want_demo: bool) -> tuple[Database, str]:
    """Bring the database's members onto the page (seeding the demo first if asked and empty)."""
    try:
        database = await Database.open(config.db_path)
    except (sqlite3.Error, OSError) as error:
        # Named after the option that chose the file: MENTORBOT_DB is not the sandbox's.
        raise ConfigError(f"--db {config.db_path}", f"cannot use the database: {error}") from None
    try:
        seeded = await _bring_people(double, database, config, want_demo)
    except BaseException:
        await database.close()  # its thread would keep the process from ever exiting
        raise

    async def join(user_id: int, role: str) -> str:
        if role == VISITOR:
            return "/start"
        issued = await invites.issue(database, Role(role), datetime.now(UTC))
        return f"/start {issued.code}"

    double.page.show_times_in(config.timezone.key)
    double.page.allow_joining(_PAGE_ROLES, join)
    return database, seeded


async def _bring_people(
    double: BotApiDouble, database: Database, config: Config, want_demo: bool
) -> str:
    """Everyone the database knows becomes a person on the page; returns what to tell about it."""
    now = datetime.now(UTC)
    known = await members.list_members(database)
    double.number_updates_after(await inbox.latest_update_id(database))
    seeded = ""
    if want_demo and not known:
        ids = {
            adult: double.add_user(
                adult.first_name, last_name=adult.last_name, language_code=config.language
            ).id
            for _, adult in demo.adults()
        }
        await demo.seed(database, ids, config.language, config.timezone, now)
        for household, adult in demo.adults():
            name = household.display_name(config.language)
            double.page.describe(ids[adult], _description(household.role, name))
        seeded = ", seeded with the demo"
    else:
        for member in known:
            _bring_back(double, member, config.language)
        if want_demo:
            seeded = " (has members already, so the demo was not seeded again)"
    return seeded


def _bring_back(double: BotApiDouble, member: Member, language: str) -> None:
    """The database keeps no one's own name: a member comes back as their household and their
    number (as `/members` shows it), which also tells the two adults of one household apart."""
    name = member.household.display_name or "Member"
    user = double.add_user(
        name,
        last_name=f"#{member.id}",
        user_id=member.telegram_user_id,
        language_code=member.language or member.telegram_language or language,
    )
    double.page.describe(user.id, _description(member.role, member.household.display_name))


def _description(role: Role, household: str | None) -> str:
    label = _ROLE_LABELS[role]
    return f"{label} · {household}" if household and role is not Role.COORDINATOR else label
