"""One bot per database: the lease `run` and `sandbox` take, and reminders claimed once.

Two bots on one database would both poll, send every reminder twice and double the send rate.
The lease (storage/lease.py) keeps a second one out; the claim of a reminder (one conditional
statement) keeps two senders apart within one bot, and on two connections to the file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import reminders, rota_planning, swaps
from bot.app import cli, sandbox_command
from bot.config import Config, ConfigError, load_config
from bot.rota import Interval
from bot.swaps import Offer, Taken
from storage.db import Database
from storage.lease import Lease, LeaseHeld, lock_path
from storage.models import Member, Role, Shift
from tests.support import make_household
from tests.unit.cli_support import isolate, run

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "mentorbot.db"


@pytest.fixture
def held(database: Path) -> Iterator[Lease]:
    """A bot running on the database, as far as the lease is concerned."""
    with Lease.take(database) as lease:
        yield lease


# --- the lease ------------------------------------------------------------------------------


def test_the_lock_file_is_beside_the_database(database: Path, held: Lease) -> None:
    assert held.path == database.parent.resolve() / "mentorbot.db.lock"
    assert held.path.read_text() == f"{os.getpid()}\n"


def test_a_second_lease_is_refused_while_the_first_is_held(database: Path, held: Lease) -> None:
    with pytest.raises(LeaseHeld) as refused:
        Lease.take(database)
    assert str(refused.value) == (
        f"another Mentorbot is already running on {database} (lock {held.path})"
    )
    # The refused one did not overwrite who holds it.
    assert held.path.read_text() == f"{os.getpid()}\n"


def test_a_lease_given_back_can_be_taken_again(database: Path) -> None:
    first = Lease.take(database)
    first.release()
    first.release()  # twice is once
    with Lease.take(database):
        pass
    with Lease.take(database):  # and the lock file that stays behind is no obstacle
        pass


def test_another_path_to_the_same_file_is_the_same_lease(
    tmp_path: Path, database: Path, held: Lease
) -> None:
    link = tmp_path / "elsewhere" / "live.db"
    link.parent.mkdir()
    database.touch()
    link.symlink_to(database)
    with pytest.raises(LeaseHeld):
        Lease.take(link)
    with pytest.raises(LeaseHeld):
        Lease.take(tmp_path / "elsewhere" / ".." / "mentorbot.db")


def test_a_folder_that_does_not_exist_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        Lease.take(tmp_path / "no such folder" / "mentorbot.db")


HOLDER = """
import sys, time
from pathlib import Path
from storage.lease import Lease
lease = Lease.take(Path(sys.argv[1]))
print("held", flush=True)
time.sleep(120)
"""


def test_the_lease_of_a_killed_process_is_free_at_once(database: Path) -> None:
    """kill -9: no code of the holder runs, and the next bot still starts."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(database)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        assert lock_path(database).read_text() == f"{holder.pid}\n"
        with pytest.raises(LeaseHeld):
            Lease.take(database)

        holder.kill()  # SIGKILL
        assert holder.wait(timeout=10) == -9
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()

    with Lease.take(database) as lease:
        assert lease.path.read_text() == f"{os.getpid()}\n"


# --- the command line -----------------------------------------------------------------------


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: Path) -> Path:
    isolate(monkeypatch, tmp_path)
    monkeypatch.setenv("MENTORBOT_DB", str(database))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "424242:unit-test-token")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9")  # nothing is ever sent there
    return tmp_path


def test_run_beside_a_running_bot_is_one_line_and_exit_2(
    clean_env: Path, database: Path, held: Lease, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = run(capsys, "run")
    assert outcome.code == 2
    assert outcome.err_lines == [
        f"mentorbot: MENTORBOT_DB: another Mentorbot is already running on {database} "
        f"(lock {held.path})"
    ]
    assert outcome.out == ""
    assert not database.exists()  # refused before the bot opened (or created) anything


def test_the_commands_beside_a_live_bot_need_no_lease(
    clean_env: Path, database: Path, held: Lease, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "migrate").code == 0
    assert run(capsys, "check").code == 0
    invite = run(capsys, "invite", "mentor")
    assert invite.code == 0 and invite.out.startswith("/start ")
    assert run(capsys, "stats", "--out", str(clean_env / "report")).code == 0
    assert run(capsys, "rota", "export").code == 0


def double_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "bot-api-double"]


def never_the_bot(config: Config, args: argparse.Namespace) -> int:
    raise AssertionError("the bot ran beside another one")


def test_a_sandbox_on_a_database_a_bot_runs_on_is_refused(
    clean_env: Path,
    database: Path,
    held: Lease,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`mentorbot sandbox --db` pointed at a file another sandbox runs on (the live file itself
    is refused before its lease is looked at: tests/unit/test_cli_sandbox.py)."""
    monkeypatch.setenv("MENTORBOT_DB", str(database.with_name("live.db")))
    args = cli._parser().parse_args(["sandbox", "--port", "0", "--db", str(database)])
    with pytest.raises(ConfigError) as refused:
        sandbox_command.run(load_config(), args, never_the_bot)
    assert str(refused.value) == (
        f"--db {database}: another Mentorbot is already running on {database} (lock {held.path})"
    )
    assert double_threads() == []  # refused before the double started

    outcome = run(capsys, "sandbox", "--port", "0", "--db", str(database))
    assert outcome.code == 2
    (line,) = outcome.err_lines
    assert line.startswith(f"mentorbot: --db {database}: another Mentorbot is already running")
    assert outcome.out == ""


def test_the_sandbox_holds_the_lease_while_the_bot_runs(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[type[BaseException]] = []

    def the_bot(config: Config, args: argparse.Namespace) -> int:
        try:
            Lease.take(config.db_path)
        except LeaseHeld as held:
            seen.append(type(held))
        return 0

    args = cli._parser().parse_args(["sandbox", "--port", "0", "--db", "sandbox.db"])
    assert sandbox_command.run(load_config(), args, the_bot) == 0
    assert seen == [LeaseHeld]
    with Lease.take(clean_env / "sandbox.db"):  # given back when the sandbox ends
        pass


# --- claiming a reminder --------------------------------------------------------------------

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
HOUR, MINUTE = timedelta(hours=1), timedelta(minutes=1)


async def a_shift(db: Database) -> tuple[Shift, list[Member], list[Member]]:
    """The Bergs' shift three days ahead, planned by a coordinator; and the Lunds."""
    (coordinator,) = await make_household(db, Role.COORDINATOR, None, (1,), NOW)
    berg = await make_household(db, Role.MENTOR, "Familjen Berg", (11, 12), NOW)
    lund = await make_household(db, Role.MENTOR, "Familjen Lund", (21,), NOW)
    start = NOW + 72 * HOUR
    shift = await rota_planning.add(
        db, berg[0].id, Interval(start, start + 5 * HOUR), coordinator, NOW
    )
    assert isinstance(shift, Shift), shift
    return shift, berg, lund


async def states(db: Database) -> dict[tuple[int, int], str]:
    async with db.read() as session:
        rows = await session.fetch_all(
            "SELECT shift_id, minutes_before, state FROM shift_reminders"
        )
    return {(row[0], row[1]): row[2] for row in rows}


async def test_of_two_claims_at_once_exactly_one_gets_the_reminder(
    db: Database, second_db: Database
) -> None:
    """Two jobs of one bot (one connection), or a bot and another process (two)."""
    shift, berg, _ = await a_shift(db)
    due = shift.starts_at - HOUR

    got = await asyncio.gather(
        reminders.claim(db, shift.id, 60, due),
        reminders.claim(second_db, shift.id, 60, due),
    )

    deliveries = [delivery for delivery in got if delivery is not None]
    assert len(deliveries) == 1
    assert [member.id for member in deliveries[0].recipients] == [member.id for member in berg]
    assert await states(db) == {(shift.id, 60): "sending"}


async def test_many_claims_at_once_still_give_one_sender(db: Database, second_db: Database) -> None:
    shift, _, _ = await a_shift(db)
    due = shift.starts_at - HOUR
    got = await asyncio.gather(
        *(reminders.claim((db, second_db)[i % 2], shift.id, 60, due) for i in range(8))
    )
    assert sum(delivery is not None for delivery in got) == 1


async def test_the_holders_next_attempt_renews_its_claim_and_no_one_elses(
    db: Database, second_db: Database
) -> None:
    shift, _, _ = await a_shift(db)
    due = shift.starts_at - HOUR
    assert await reminders.claim(db, shift.id, 60, due) is not None

    retry = due + MINUTE
    got = await asyncio.gather(
        reminders.claim(db, shift.id, 60, retry, held_since=due),  # the holder, trying again
        reminders.claim(second_db, shift.id, 60, retry),  # a second job, fresh
        reminders.claim(second_db, shift.id, 60, retry, held_since=due - MINUTE),  # never made
    )
    assert [delivery is not None for delivery in got] == [True, False, False]

    # Two tries on one renewed claim at once: one of them.
    again = retry + MINUTE
    both = await asyncio.gather(
        reminders.claim(db, shift.id, 60, again, held_since=retry),
        reminders.claim(second_db, shift.id, 60, again, held_since=retry),
    )
    assert sum(delivery is not None for delivery in both) == 1
    # The old moment is no claim any more.
    assert await reminders.claim(db, shift.id, 60, again, held_since=due) is None


async def test_a_claim_ends_with_the_reminder_sent_skipped_or_swapped(
    db: Database, second_db: Database
) -> None:
    shift, berg, lund = await a_shift(db)
    due = shift.starts_at - HOUR
    assert await reminders.claim(db, shift.id, 60, due) is not None
    assert await reminders.finish(db, shift.id, 60, due, held_since=due)
    assert await reminders.claim(second_db, shift.id, 60, due + MINUTE, held_since=due) is None
    assert await reminders.claim(second_db, shift.id, 60, due + MINUTE) is None
    assert not await reminders.finish(second_db, shift.id, 60, due + MINUTE, held_since=due)

    # The day-before reminder is being sent when the Bergs give the shift to the Lunds.
    day_before = shift.starts_at - 24 * HOUR
    assert await reminders.claim(db, shift.id, 1440, day_before) is not None
    offer = await swaps.offer(db, berg[0], shift.id, day_before)
    assert isinstance(offer, Offer), offer
    taken = await swaps.take(db, lund[0], offer.swap.id, day_before)
    assert isinstance(taken, Taken), taken
    # The Bergs' sender, trying again, has nothing to send; the Lunds' reminders start afresh.
    later = day_before + MINUTE
    assert await reminders.claim(db, shift.id, 1440, later, held_since=day_before) is None
    fresh = await reminders.claim(second_db, shift.id, 1440, later)
    assert fresh is not None
    assert [member.id for member in fresh.recipients] == [member.id for member in lund]


async def swap_to_the_lunds(
    db: Database, shift: Shift, berg: list[Member], lund: list[Member], at: datetime
) -> None:
    offer = await swaps.offer(db, berg[0], shift.id, at)
    assert isinstance(offer, Offer), offer
    taken = await swaps.take(db, lund[0], offer.swap.id, at)
    assert isinstance(taken, Taken), taken


async def test_the_old_households_sender_finishing_after_a_swap_leaves_the_new_one_theirs(
    db: Database, second_db: Database
) -> None:
    """The Bergs' day-before reminder is going out when they give the shift to the Lunds; it
    is done before the Lunds' reminder is planned."""
    shift, berg, lund = await a_shift(db)
    day_before = shift.starts_at - 24 * HOUR
    assert await reminders.claim(db, shift.id, 1440, day_before) is not None
    await swap_to_the_lunds(second_db, shift, berg, lund, day_before)

    sent = day_before + MINUTE
    assert not await reminders.finish(db, shift.id, 1440, sent, held_since=day_before)

    assert await states(db) == {}
    plan = await reminders.schedule(second_db, [24 * HOUR, HOUR], sent, after_restart=False)
    assert [(reminder.subject.id, reminder.minutes_before) for reminder in plan.now] == [
        (shift.id, 1440)
    ]
    fresh = await reminders.claim(second_db, shift.id, 1440, sent)
    assert fresh is not None
    assert [member.id for member in fresh.recipients] == [member.id for member in lund]


async def test_the_old_households_sender_finishing_leaves_the_new_households_claim_alone(
    db: Database, second_db: Database
) -> None:
    """As above, but the Lunds' reminder is being sent already, and needs another try."""
    shift, berg, lund = await a_shift(db)
    day_before = shift.starts_at - 24 * HOUR
    assert await reminders.claim(db, shift.id, 1440, day_before) is not None
    await swap_to_the_lunds(second_db, shift, berg, lund, day_before)
    theirs = day_before + MINUTE
    assert await reminders.claim(second_db, shift.id, 1440, theirs) is not None

    assert not await reminders.finish(db, shift.id, 1440, theirs, held_since=day_before)

    assert await states(db) == {(shift.id, 1440): "sending"}
    retry = theirs + MINUTE
    again = await reminders.claim(second_db, shift.id, 1440, retry, held_since=theirs)
    assert again is not None
    assert [member.id for member in again.recipients] == [member.id for member in lund]
    assert await reminders.finish(second_db, shift.id, 1440, retry, held_since=retry)
    assert await states(db) == {(shift.id, 1440): "sent"}


async def test_a_bot_just_started_takes_over_what_its_predecessor_was_sending(
    db: Database, second_db: Database
) -> None:
    shift, _, _ = await a_shift(db)
    due = shift.starts_at - HOUR
    assert await reminders.claim(db, shift.id, 60, due) is not None  # then the bot died

    started = due + MINUTE
    plan = await reminders.schedule(second_db, [HOUR], started, after_restart=True)
    (interrupted,) = plan.now
    assert (interrupted.interrupted, interrupted.held_since) == (True, due)
    assert await reminders.claim(second_db, shift.id, 60, started) is None
    got = await asyncio.gather(
        reminders.claim(db, shift.id, 60, started, held_since=due),
        reminders.claim(second_db, shift.id, 60, started, held_since=due),
    )
    assert sum(delivery is not None for delivery in got) == 1
    # Its own claim from the take-over is what its next attempt renews.
    retry = due + 2 * MINUTE
    assert await reminders.claim(db, shift.id, 60, retry, held_since=started) is not None

    # While a bot runs, a reminder being sent is never planned again.
    running = await reminders.schedule(db, [HOUR], retry, after_restart=False)
    assert running.now == []


async def test_a_take_over_finds_nothing_once_the_shift_was_swapped(
    db: Database, second_db: Database
) -> None:
    """The take-over job outlives replans; a swap right after the start ends it."""
    shift, berg, lund = await a_shift(db)
    day_before = shift.starts_at - 24 * HOUR
    assert await reminders.claim(db, shift.id, 1440, day_before) is not None  # then it died
    started = day_before + MINUTE
    plan = await reminders.schedule(second_db, [24 * HOUR], started, after_restart=True)
    (interrupted,) = plan.now
    assert interrupted.held_since == day_before

    await swap_to_the_lunds(second_db, shift, berg, lund, started)
    fresh = await reminders.claim(second_db, shift.id, 1440, started)  # the Lunds' own
    assert fresh is not None

    take_over = reminders.claim(db, shift.id, 1440, started, held_since=day_before)
    assert await take_over is None
    assert await states(db) == {(shift.id, 1440): "sending"}
