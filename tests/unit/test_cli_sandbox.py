"""`mentorbot sandbox`, run in-process: its options, its refusals, and what it puts on the page.

The bot itself is replaced by a stand-in that looks at the running sandbox through the page's
HTTP API, as a browser would; the real bot against the page is the browser test's job
(tests/e2e/test_sandbox_in_browser.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot import invites, members
from bot.app import cli, sandbox_command
from bot.config import Config, load_config
from bot.invites import JoinOutcome
from storage.db import Database
from storage.models import Role
from tests.unit.cli_support import Outcome, isolate, run


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No `.env`, no variables from the shell; the working directory is an empty folder."""
    isolate(monkeypatch, tmp_path)
    monkeypatch.setenv("MENTORBOT_LANGUAGE", "en")
    return tmp_path


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port somebody else is listening on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield int(other.getsockname()[1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def double_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "bot-api-double"]


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def post(url: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


# --- options and refusals ------------------------------------------------------------------


def test_help_lists_the_options(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["sandbox", "--help"])
    assert exit_.value.code == 0
    usage = capsys.readouterr().out
    for option in ("--demo", "--port", "--db"):
        assert option in usage
    assert "8765" in usage and "sandbox.db" in usage


def test_a_port_in_use_is_one_line_and_exit_2(
    clean_env: Path, held_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = run(capsys, "sandbox", "--demo", "--port", str(held_port))
    assert outcome.code == 2
    (line,) = outcome.err_lines
    assert line.startswith(f"mentorbot: --port {held_port}: cannot listen on 127.0.0.1: ")
    assert "in use" in line
    assert "Traceback" not in outcome.err and "MENTORBOT_DB" not in outcome.err
    assert outcome.out == ""  # no address printed for a page that is not there
    assert not (clean_env / "sandbox.db").exists()
    assert double_threads() == []


def test_a_port_in_use_as_a_separate_process_sees_it(clean_env: Path, held_port: int) -> None:
    """What an operator sees: the real program, its real streams, its exit status."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    finished = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", "--port", str(held_port)],
        capture_output=True,
        text=True,
        env=env,
        cwd=clean_env,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 2
    assert finished.stdout == ""
    (line,) = finished.stderr.splitlines()
    assert line.startswith(f"mentorbot: --port {held_port}: ")


@pytest.mark.parametrize("port", ["65536", "-1", "eighty"])
def test_a_port_that_cannot_be_is_a_usage_error(
    clean_env: Path, capsys: pytest.CaptureFixture[str], port: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["sandbox", f"--port={port}"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "argument --port" in err
    assert "Traceback" not in err
    assert double_threads() == []


def test_a_database_that_cannot_be_opened_names_the_option_and_frees_the_port(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    missing = clean_env / "no such folder" / "sandbox.db"
    outcome = run(capsys, "sandbox", "--port", str(port), "--db", str(missing))
    assert outcome.code == 2
    (line,) = outcome.err_lines
    assert line.startswith(f"mentorbot: --db {missing}: cannot use the database: ")
    assert outcome.out == ""
    assert double_threads() == []
    with socket.socket() as again:  # the double stopped and let go of its port
        again.bind(("127.0.0.1", port))


def test_a_file_that_is_not_a_database_is_refused_in_one_line(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (clean_env / "notes.db").write_text("not a database, just notes\n" * 200)
    outcome = run(capsys, "sandbox", "--port", str(free_port()), "--db", "notes.db")
    assert outcome.code == 2
    (line,) = outcome.err_lines
    assert line.startswith("mentorbot: --db notes.db: cannot use the database: ")
    assert double_threads() == []


@pytest.mark.parametrize(
    ("live", "db"),
    [
        pytest.param("mentorbot.db", "mentorbot.db", id="the-default"),
        pytest.param("live/mentorbot.db", "live/../live/mentorbot.db", id="another-spelling"),
        pytest.param("{root}/live/mentorbot.db", "live/mentorbot.db", id="absolute-and-relative"),
        pytest.param("live/mentorbot.db", "link.db", id="through-a-symlink"),
        pytest.param("live/mentorbot.db", "linked/mentorbot.db", id="through-a-linked-folder"),
        pytest.param("live/mentorbot.db", "hard-link.db", id="a-hard-link"),
        pytest.param("live/not-yet.db", "live/not-yet.db", id="not-created-yet"),
    ],
)
def test_the_live_database_is_refused_in_one_line_and_left_alone(
    clean_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    live: str,
    db: str,
) -> None:
    """Even with the live bot stopped (its lease free): the page's people and invites, and the
    demo, would be written into the real service."""
    (clean_env / "live").mkdir()
    live_db = clean_env / "live" / "mentorbot.db"
    with sqlite3.connect(live_db) as connection:
        connection.execute("CREATE TABLE kept (x)")
    before = live_db.read_bytes()
    (clean_env / "link.db").symlink_to(live_db)
    (clean_env / "hard-link.db").hardlink_to(live_db)
    (clean_env / "linked").symlink_to(clean_env / "live", target_is_directory=True)
    if live != "mentorbot.db":
        monkeypatch.setenv("MENTORBOT_DB", live.format(root=clean_env))
    else:
        monkeypatch.chdir(clean_env / "live")
    started: list[Config] = []

    def the_bot(config: Config, args: argparse.Namespace) -> int:
        started.append(config)
        return 0

    monkeypatch.setattr(cli, "_run", the_bot)
    port = free_port()
    outcome = run(capsys, "sandbox", "--demo", "--port", str(port), "--db", db)
    assert started == []  # the bot never started on it
    assert outcome.code == 2
    (line,) = outcome.err_lines
    assert line.startswith(f"mentorbot: --db {db}: ")
    assert "MENTORBOT_DB" in line
    assert "Traceback" not in outcome.err
    assert outcome.out == ""
    assert live_db.read_bytes() == before
    assert sorted(path.name for path in live_db.parent.iterdir()) == ["mentorbot.db"]
    assert double_threads() == []
    with socket.socket() as again:  # the page never started
        again.bind(("127.0.0.1", port))


def test_a_database_next_to_the_live_one_is_the_sandboxs_own(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MENTORBOT_DB", str(clean_env / "mentorbot.db"))
    outcome, _ = sandbox(
        clean_env, "--port", "0", "--db", "mentorbot-try.db", look=lambda page: None, capsys=capsys
    )
    assert outcome.code == 0
    assert (clean_env / "mentorbot-try.db").exists()
    assert not (clean_env / "mentorbot.db").exists()


# --- what the sandbox puts on the page ----------------------------------------------------


class Page:
    """The page at the address the sandbox printed, as its JavaScript calls it."""

    def __init__(self, address: str) -> None:
        self.address = address
        parts = re.fullmatch(r"(http://[^/]+)/\?key=([\w-]+)", address)
        assert parts is not None, address
        self.root, self.key = parts.groups()

    def url(self, path: str) -> str:
        """A route of the page's API, with the key every one of them wants."""
        return f"{self.root}{path}?key={self.key}"


Look = Callable[[Page], None]
PRINTED_ADDRESS = re.compile(r"Mentorbot sandbox: open (\S+) in a browser")


def sandbox(
    clean_env: Path, *argv: str, look: Look, capsys: pytest.CaptureFixture[str]
) -> tuple[Outcome, Config]:
    """Run `mentorbot sandbox ARGV` with ``look(page)`` in place of the bot; the page is found
    as an operator finds it, at the address the sandbox printed."""
    seen: list[Config] = []
    printed: list[str] = []

    def instead_of_the_bot(config: Config, args: argparse.Namespace) -> int:
        assert args.webhook_url is None  # long polling, as `run` without options
        seen.append(config)
        printed.append(capsys.readouterr().out)
        address = PRINTED_ADDRESS.match(printed[0])
        assert address is not None, printed[0]
        look(Page(address.group(1)))
        return 0

    code = sandbox_command.run(
        load_config(), cli._parser().parse_args(["sandbox", *argv]), instead_of_the_bot
    )
    captured = capsys.readouterr()
    (config,) = seen
    return Outcome(code, "".join(printed) + captured.out, captured.err), config


def test_the_demo_is_on_the_page_and_the_bot_is_pointed_at_the_double(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    page: dict[str, Any] = {}

    def look(opened: Page) -> None:
        with urllib.request.urlopen(opened.address, timeout=5) as index:
            page["index"] = index.read()
        page["people"] = get(opened.url("/sandbox/people"))
        page["key"] = opened.key

    outcome, config = sandbox(clean_env, "--demo", "--port", str(port), look=look, capsys=capsys)

    assert outcome.code == 0
    assert outcome.out.splitlines()[0] == (
        f"Mentorbot sandbox: open http://127.0.0.1:{port}/?key={page['key']} in a browser"
    )
    assert outcome.out.count(page["key"]) == 1 and page["key"] not in outcome.err
    assert "seeded with the demo" in outcome.out
    assert config.token == sandbox_command.SANDBOX_TOKEN
    assert config.api_url == f"http://127.0.0.1:{port}"
    assert config.db_path == Path("sandbox.db")
    assert (clean_env / "sandbox.db").exists()
    assert b"Mentorbot sandbox" in page["index"]

    listing = page["people"]
    assert listing["time_zone"] == "Europe/Stockholm"
    assert [role["key"] for role in listing["roles"]] == [
        "family",
        "mentor",
        "coordinator",
        "visitor",
    ]
    people = {person["name"]: person["description"] for person in listing["people"]}
    assert len(people) == 11
    assert people["Karin Lund"] == "Coordinator"
    assert people["Eva Berg"] == "Mentor family · The Bergs"
    assert people["Johan Berg"] == "Mentor family · The Bergs"
    assert people["Lina Ek"] == "Foster family · The Eks"
    assert double_threads() == []


def test_started_again_everyone_comes_back_and_the_demo_is_not_seeded_twice(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys: list[str] = []
    sandbox(clean_env, "--demo", "--port", "0", look=lambda pg: keys.append(pg.key), capsys=capsys)
    listings: list[Any] = []

    def look(page: Page) -> None:
        keys.append(page.key)
        listings.append(get(page.url("/sandbox/people")))

    outcome, _ = sandbox(clean_env, "--demo", "--port", "0", look=look, capsys=capsys)
    assert "not seeded again" in outcome.out
    assert keys[0] != keys[1]  # made anew at each start: an old address opens nothing
    people = {person["name"]: person["description"] for person in listings[0]["people"]}
    assert len(people) == 11
    everyone = asyncio.run(_members(clean_env / "sandbox.db"))
    bergs = [f"The Bergs #{m.id}" for m in everyone if m.household.display_name == "The Bergs"]
    assert len(bergs) == 2  # two adults of one household, told apart by their numbers
    for name in bergs:
        assert people[name] == "Mentor family · The Bergs"
    assert people[f"Foster care team #{everyone[0].id}"] == "Coordinator"


def test_started_again_updates_are_numbered_after_those_the_bot_has_processed(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The bot ignores an update id it has processed; a new double numbering from 1 again
    would have the first messages after a restart ignored."""
    sandbox(clean_env, "--demo", "--port", "0", look=lambda page: None, capsys=capsys)
    with sqlite3.connect(clean_env / "sandbox.db") as connection:
        connection.execute(
            "INSERT INTO processed_updates (update_id, received_at) VALUES (41, '2026-11-23')"
        )
    updates: list[Any] = []

    def write_and_poll(page: Page) -> None:
        person = get(page.url("/sandbox/people"))["people"][0]["id"]
        post(page.url(f"/sandbox/chats/{person}/messages"), {"text": "/help"})
        bot_api = f"{page.root}/bot{sandbox_command.SANDBOX_TOKEN}/getUpdates"
        updates.extend(get(bot_api)["result"])

    sandbox(clean_env, "--port", "0", look=write_and_poll, capsys=capsys)
    assert [update["update_id"] for update in updates] == [42]


async def _members(path: Path) -> list[Any]:
    database = await Database.open(path)
    try:
        return await members.list_members(database)
    finally:
        await database.close()


def test_a_person_made_on_the_page_joins_with_a_real_invite(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made: dict[str, Any] = {}

    def look(page: Page) -> None:
        people = page.url("/sandbox/people")
        made["id"] = post(people, {"name": "Nora Lindgren", "role": "mentor"})["id"]
        made["chat"] = get(page.url(f"/sandbox/chats/{made['id']}"))
        visitor = post(people, {"name": "Ali", "role": "visitor"})["id"]
        made["visitor"] = get(page.url(f"/sandbox/chats/{visitor}"))

    sandbox(clean_env, "--port", "0", "--db", "other.db", look=look, capsys=capsys)
    (first,) = made["chat"]["messages"]
    assert first["outgoing"] is True
    command, code = first["text"].split(" ")
    assert command == "/start"
    assert [m["text"] for m in made["visitor"]["messages"]] == ["/start"]

    async def redeem() -> invites.JoinResult:
        database = await Database.open(clean_env / "other.db")
        try:
            return await invites.redeem(database, code, made["id"], datetime.now(UTC))
        finally:
            await database.close()

    joined = asyncio.run(redeem())
    assert joined.outcome is JoinOutcome.JOINED
    assert joined.member is not None and joined.member.role is Role.MENTOR
