"""Reminders against a real SQLite file: bot.reminders.schedule, claim and finish, and the
reminder jobs a plan makes (handlers.rota_jobs.reminder_jobs)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot import reminders, rota_planning, swaps
from bot.reminders import Delivery, Reminder, ReminderPlan
from bot.rota import Interval
from bot.swaps import Offer, Taken
from handlers import rota_jobs
from handlers.rota_jobs import ReminderJob
from storage.db import Database
from storage.models import Member, Role, Shift
from tests.support import make_household

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday, 13:00 in Stockholm
DAY, HOUR, MINUTE = timedelta(hours=24), timedelta(hours=1), timedelta(minutes=1)
OFFSETS = (DAY, HOUR)


async def household(db: Database, role: Role, name: str | None, *telegram_ids: int) -> list[Member]:
    return await make_household(db, role, name, telegram_ids, at=NOW)


@dataclass(frozen=True, slots=True)
class People:
    berg: list[Member]  # a mentor household of two adults
    lund: list[Member]  # another mentor household of two adults
    coordinator: Member


@pytest.fixture
async def people(db: Database) -> People:
    (coordinator,) = await household(db, Role.COORDINATOR, None, 1)
    berg = await household(db, Role.MENTOR, "Familjen Berg", 11, 12)
    lund = await household(db, Role.MENTOR, "Familjen Lund", 21, 22)
    return People(berg, lund, coordinator)


async def book(db: Database, people: People, member: Member, starts_in: timedelta) -> Shift:
    """A five-hour shift starting `starts_in` after NOW, planned by the coordinator at NOW."""
    start = NOW + starts_in
    result = await rota_planning.add(
        db, member.id, Interval(start, start + 5 * HOUR), people.coordinator, NOW
    )
    assert isinstance(result, Shift), result
    return result


@pytest.fixture
async def soon(db: Database, people: People) -> Shift:
    """The Bergs' shift starting in 40 minutes: too late for the one-day reminder."""
    return await book(db, people, people.berg[0], 40 * MINUTE)


@pytest.fixture
async def later(db: Database, people: People) -> Shift:
    """The Bergs' shift three days ahead: both reminders still to come."""
    return await book(db, people, people.berg[0], 3 * DAY)


def keys(listed: list[Reminder]) -> list[tuple[int, int]]:
    return [(reminder.subject.id, reminder.minutes_before) for reminder in listed]


def everything(result: ReminderPlan) -> list[tuple[int, int]]:
    return keys([*result.later, *result.now, *result.skip])


async def schedule(db: Database, now: datetime, *, after_restart: bool = False) -> ReminderPlan:
    return await reminders.schedule(db, OFFSETS, now, after_restart=after_restart)


async def stored(db: Database) -> dict[tuple[int, int], str]:
    async with db.read() as session:
        rows = await session.fetch_all(
            "SELECT shift_id, minutes_before, state FROM shift_reminders"
        )
    return {(row["shift_id"], row["minutes_before"]): row["state"] for row in rows}


async def delivered(db: Database, shift: Shift, minutes_before: int, now: datetime) -> Delivery:
    delivery = await reminders.claim(db, shift.id, minutes_before, now)
    assert delivery is not None
    return delivery


def ids(members: list[Member]) -> list[int]:
    return [member.id for member in members]


# --- schedule -----------------------------------------------------------------------------------


async def test_a_shift_days_ahead_gets_both_reminders_later_in_due_order(
    db: Database, later: Shift
) -> None:
    result = await schedule(db, NOW)

    assert keys(result.later) == [(later.id, 1440), (later.id, 60)]
    assert [reminder.due_at for reminder in result.later] == [
        later.starts_at - DAY,
        later.starts_at - HOUR,
    ]
    assert result.now == [] and result.skip == []
    assert await stored(db) == {}


async def test_reminders_of_several_shifts_are_ordered_by_due_time(
    db: Database, people: People, later: Shift
) -> None:
    sooner = await book(db, people, people.lund[0], 2 * DAY + 2 * HOUR)

    result = await schedule(db, NOW)

    # Interleaved across the two shifts, not grouped per shift.
    assert keys(result.later) == [
        (sooner.id, 1440),
        (later.id, 1440),
        (sooner.id, 60),
        (later.id, 60),
    ]
    due = [reminder.due_at for reminder in result.later]
    assert due == sorted(due)


async def test_a_shift_40_minutes_ahead_gets_the_hour_reminder_now_and_skips_the_day_one(
    db: Database, soon: Shift
) -> None:
    first = await schedule(db, NOW)

    assert keys(first.now) == [(soon.id, 60)]
    assert keys(first.skip) == [(soon.id, 1440)]
    assert first.later == []
    assert await stored(db) == {(soon.id, 1440): "skipped"}

    # Planned again (another change to the rota): the skipped one is gone for good.
    again = await schedule(db, NOW + MINUTE)
    assert everything(again) == [(soon.id, 60)]
    assert keys(again.now) == [(soon.id, 60)]


@pytest.mark.parametrize("after_restart", [True, False])
async def test_a_reminder_being_sent_is_resent_only_after_a_restart(
    db: Database, later: Shift, after_restart: bool
) -> None:
    due = later.starts_at - DAY
    await delivered(db, later, 1440, due)

    result = await schedule(db, due + MINUTE, after_restart=after_restart)

    # Left in SENDING: a crash in mid-send after a restart, in flight in this process otherwise.
    assert keys(result.now) == ([(later.id, 1440)] if after_restart else [])
    assert keys(result.later) == [(later.id, 60)]
    assert result.skip == []

    assert await reminders.finish(db, later.id, 1440, due + MINUTE, held_since=due)

    assert await stored(db) == {(later.id, 1440): "sent"}
    finished = await schedule(db, due + 2 * MINUTE, after_restart=after_restart)
    assert everything(finished) == [(later.id, 60)]


async def test_the_take_over_after_a_restart_is_queued_where_a_replan_leaves_it(
    db: Database, people: People, later: Shift
) -> None:
    """The start queues the take-over of a reminder the last bot died sending. A change to
    the rota right after replans: it removes the jobs named REMINDER_JOB and, the bot running,
    plans a 'sending' reminder no more; so the take-over must not be one of those jobs."""
    due = later.starts_at - DAY
    await delivered(db, later, 1440, due)  # then the bot died
    sooner = await book(db, people, people.lund[0], 2 * DAY + 2 * HOUR)
    started = due + MINUTE

    at_start = rota_jobs.reminder_jobs(await schedule(db, started, after_restart=True), started)

    by_job = {queued.job: queued for queued in at_start}
    take_over = by_job[ReminderJob(later.id, 1440, held_since=due)]
    assert take_over.due_at is None  # at once
    # The Lunds' reminders, planned from scratch, are what a replan queues again.
    assert by_job[ReminderJob(sooner.id, 1440)].due_at is None
    assert by_job[ReminderJob(sooner.id, 60)].due_at == sooner.starts_at - HOUR
    assert len(at_start) == 3

    kept = [queued for queued in at_start if queued.name != rota_jobs.REMINDER_JOB]
    replan = rota_jobs.reminder_jobs(await schedule(db, started), started)
    assert [queued.job for queued in replan] == [
        ReminderJob(sooner.id, 1440),
        ReminderJob(sooner.id, 60),
    ]
    assert kept == [take_over]


# --- claim and finish ---------------------------------------------------------------------------


async def test_a_claim_names_every_adult_of_the_household_and_marks_it_sending(
    db: Database, people: People, later: Shift
) -> None:
    due = later.starts_at - HOUR
    delivery = await delivered(db, later, 60, due)

    assert (delivery.listing.shift, delivery.listing.mentor_name) == (later, "Familjen Berg")
    assert ids(delivery.recipients) == ids(people.berg)
    assert len(delivery.recipients) == 2
    assert await stored(db) == {(later.id, 60): "sending"}


async def test_after_a_restart_the_reminder_a_bot_died_sending_is_taken_over_once(
    db: Database, people: People, later: Shift
) -> None:
    """A bot claimed the day-before reminder and died sending it; the next one, just started,
    plans it as interrupted and renews the claim left behind."""
    due = later.starts_at - DAY
    await delivered(db, later, 1440, due)  # then the bot died

    started = due + MINUTE
    (interrupted,) = (await schedule(db, started, after_restart=True)).now
    assert (interrupted.interrupted, interrupted.held_since) == (True, due)
    again = await reminders.claim(db, later.id, 1440, started, held_since=due)

    assert again is not None
    assert ids(again.recipients) == ids(people.berg)
    assert await stored(db) == {(later.id, 1440): "sending"}
    # Taken over once: the claim left behind is gone, and a fresh claim finds it taken.
    assert await reminders.claim(db, later.id, 1440, started + MINUTE, held_since=due) is None
    assert await reminders.claim(db, later.id, 1440, started + MINUTE) is None
    assert await reminders.finish(db, later.id, 1440, started + MINUTE, held_since=started)
    assert await stored(db) == {(later.id, 1440): "sent"}


async def test_a_claim_is_refused_for_a_deleted_shift(
    db: Database, people: People, later: Shift
) -> None:
    assert await rota_planning.delete(db, later.id, people.coordinator, NOW) is not None
    assert await reminders.claim(db, later.id, 60, NOW) is None
    assert await reminders.claim(db, later.id + 1000, 60, NOW) is None
    assert await stored(db) == {}


@pytest.mark.parametrize("after_start", [timedelta(0), MINUTE, 2 * HOUR])
async def test_a_claim_is_refused_for_a_shift_that_has_started(
    db: Database, later: Shift, after_start: timedelta
) -> None:
    assert await reminders.claim(db, later.id, 60, later.starts_at + after_start) is None
    assert await stored(db) == {}


async def test_a_claim_is_refused_for_a_reminder_already_sent(db: Database, later: Shift) -> None:
    due = later.starts_at - DAY
    await delivered(db, later, 1440, due)
    assert await reminders.finish(db, later.id, 1440, due + MINUTE, held_since=due)

    assert await reminders.claim(db, later.id, 1440, due + 2 * MINUTE) is None
    assert await reminders.claim(db, later.id, 1440, due + 2 * MINUTE, held_since=due) is None
    assert await stored(db) == {(later.id, 1440): "sent"}


async def test_a_claim_is_refused_for_a_skipped_reminder(db: Database, soon: Shift) -> None:
    await schedule(db, NOW)
    assert await reminders.claim(db, soon.id, 1440, NOW + MINUTE) is None
    assert await stored(db) == {(soon.id, 1440): "skipped"}
    # The hour reminder of the same shift still goes out.
    assert await reminders.claim(db, soon.id, 60, NOW + MINUTE) is not None


# --- after a swap -------------------------------------------------------------------------------


async def test_after_a_swap_the_takers_reminders_start_afresh(
    db: Database, people: People, later: Shift
) -> None:
    day_before = later.starts_at - DAY
    # The Bergs got their one-day reminder, then gave the shift away an hour later.
    await delivered(db, later, 1440, day_before)
    assert await reminders.finish(db, later.id, 1440, day_before + MINUTE, held_since=day_before)
    swapped_at = day_before + HOUR
    offer = await swaps.offer(db, people.berg[0], later.id, swapped_at)
    assert isinstance(offer, Offer), offer
    taken = await swaps.take(db, people.lund[1], offer.swap.id, swapped_at)
    assert isinstance(taken, Taken), taken

    assert await stored(db) == {}
    result = await schedule(db, swapped_at + MINUTE)
    # The one-day reminder the giver already had is due (overdue) for the taker.
    assert keys(result.now) == [(later.id, 1440)]
    assert keys(result.later) == [(later.id, 60)]

    delivery = await delivered(db, later, 1440, swapped_at + MINUTE)
    assert delivery.listing.shift.household_id == people.lund[0].household.id
    assert delivery.listing.mentor_name == "Familjen Lund"
    assert ids(delivery.recipients) == ids(people.lund)
    assert await stored(db) == {(later.id, 1440): "sending"}
