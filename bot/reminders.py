"""When to remind people of what they are to be at, decided from the database alone: a mentor
household of its shift, a household of an event it has a place at.

Both kinds are planned by the same rules (`plan`), from what is coming and the record of each
reminder (storage/reminders.py, a table per kind); a `Kind` says where each kind's come from.
The plan is recomputed at every start and after every change that affects it, so a restart
neither loses a reminder nor sends one twice:

- a reminder already sent (or skipped) is left alone;
- a reminder still due later is scheduled;
- of the reminders that fell due while the bot was down (or before the shift was even
  planned), only the latest is sent now, because "your shift starts in 50 minutes" makes the
  one-day reminder pointless; the earlier ones are skipped;
- a reminder that was being sent when the process died is sent again: a mentor reading one
  reminder twice is better than a mentor missing the evening's shift.

Whoever sends a reminder claims it first, with one conditional statement (`claim`): of two
parties claiming the same reminder at once, one gets it and the other nothing. Each further
attempt renews that claim, by its moment, and only the claim's holder marks the reminder sent
(`finish`), so a sender whose shift was swapped meanwhile neither sends to the old household
again nor takes the new household's reminder from them. Only a bot that has just started takes
over a reminder that is 'sending', by renewing the claim its predecessor left; that one is
gone, since one bot at a time runs on a database (`storage.lease`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from storage import households, shifts
from storage import reminders as ledgers
from storage.db import Database, Session
from storage.models import Member, ReminderState, ShiftListing


class Timed(Protocol):
    """What a reminder is of: a shift, or an event's place (bot/events.py), by its number."""

    @property
    def id(self) -> int: ...

    @property
    def starts_at(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of reminder: what is coming that is reminded of (`upcoming`: not started at
    the moment given), and where what went out is recorded."""

    ledger: ledgers.Ledger
    upcoming: Callable[[Session, datetime], Awaitable[Sequence[Timed]]]


SHIFTS = Kind(ledgers.SHIFTS, shifts.shifts_starting_after)


@dataclass(frozen=True, slots=True)
class Reminder:
    subject: Timed
    before: timedelta
    interrupted: bool = False
    """Left 'sending': by a bot that died sending it, if this bot has just started."""
    held_since: datetime | None = None
    """Of an interrupted reminder, from `schedule`: the moment of the claim left behind, which
    the take-over renews (`claim(..., held_since=...)`)."""

    @property
    def due_at(self) -> datetime:
        """`before` the start in elapsed time: reckoned in UTC, since Python subtracts from a
        local time by the clock, which would make "a day before" 23 or 25 hours across a
        change to or from summer time."""
        return self.subject.starts_at.astimezone(UTC) - self.before

    @property
    def minutes_before(self) -> int:
        return int(self.before.total_seconds() // 60)


@dataclass(frozen=True, slots=True)
class ReminderPlan:
    later: list[Reminder] = field(default_factory=list)
    now: list[Reminder] = field(default_factory=list)
    skip: list[Reminder] = field(default_factory=list)


def plan(
    subjects: Iterable[Timed],
    offsets: Iterable[timedelta],
    states: Mapping[tuple[int, int], ReminderState],
    now: datetime,
) -> ReminderPlan:
    """Sort every reminder of everything that has not started into later, now, or skip."""
    result = ReminderPlan()
    offsets = sorted(offsets)  # shortest first: the latest reminder of a shift comes first
    for subject in subjects:
        if subject.starts_at <= now:
            continue
        overdue: list[Reminder] = []
        # Once a later reminder has gone out (or is going), an earlier one would arrive after it.
        later_one_handled = False
        for before in offsets:
            reminder = Reminder(subject, before)
            state = states.get((subject.id, reminder.minutes_before))
            if state is ReminderState.SENDING:
                result.now.append(Reminder(subject, before, interrupted=True))
            elif state is not None:
                pass
            elif reminder.due_at > now:
                result.later.append(reminder)
            elif later_one_handled:
                result.skip.append(reminder)
            else:
                overdue.append(reminder)
            later_one_handled = later_one_handled or state is not None
        if overdue:
            result.now.append(overdue[0])
            result.skip.extend(overdue[1:])
    result.later.sort(key=lambda reminder: reminder.due_at)
    return result


@dataclass(frozen=True, slots=True)
class Delivery:
    """A reminder about to go out: the shift as it is now, and every adult of its household."""

    listing: ShiftListing
    recipients: list[Member]


async def schedule(
    db: Database,
    offsets: Iterable[timedelta],
    now: datetime,
    *,
    after_restart: bool,
    kind: Kind = SHIFTS,
) -> ReminderPlan:
    """The plan for everything of `kind` that is coming; reminders it skips are marked so at
    once.

    Only after a restart does a reminder left in SENDING mean a crash in mid-send; while the
    bot runs, it is one being sent right now, and planning it again would send it twice. An
    interrupted reminder comes with the moment of the claim left behind (`held_since`).
    """
    async with db.write() as session:
        upcoming = await kind.upcoming(session, now)
        ids = [subject.id for subject in upcoming]
        states = await ledgers.states(session, kind.ledger, ids)
        result = plan(upcoming, offsets, states, now)
        if after_restart:
            claims = await ledgers.claims(session, kind.ledger, ids)
            result.now[:] = [
                replace(reminder, held_since=claims[reminder.subject.id, reminder.minutes_before])
                if reminder.interrupted
                else reminder
                for reminder in result.now
            ]
        else:
            result.now[:] = [reminder for reminder in result.now if not reminder.interrupted]
        for reminder in result.skip:
            await ledgers.set_state(
                session,
                kind.ledger,
                reminder.subject.id,
                reminder.minutes_before,
                ReminderState.SKIPPED,
                now,
            )
    return result


async def claim(
    db: Database,
    shift_id: int,
    minutes_before: int,
    now: datetime,
    *,
    held_since: datetime | None = None,
) -> Delivery | None:
    """Claim a reminder to send it and say whom to tell; None if someone else has it or it is
    no longer wanted. `held_since` is the moment of a claim already made, renewed for another
    try: the caller's own, or right after a start the one a bot that died left (a reminder
    `schedule` planned as interrupted).

    The shift may have been removed, swapped to another household (whose own reminders start
    afresh) or already started since the job was planned; the database says which.
    """
    async with db.write() as session:
        listing = await shifts.listing_by_id(session, shift_id)
        if listing is None or listing.shift.starts_at <= now:
            return None
        if not await ledgers.claim(
            session, ledgers.SHIFTS, shift_id, minutes_before, now, held_since=held_since
        ):
            return None
        recipients = await households.household_members(session, listing.shift.household_id)
    return Delivery(listing, recipients)


async def finish(
    db: Database,
    subject_id: int,
    minutes_before: int,
    now: datetime,
    *,
    held_since: datetime,
    kind: Kind = SHIFTS,
) -> bool:
    """The reminder was sent, says the holder of the claim made (or last renewed) at
    `held_since`; False, and nothing marked, if the shift was swapped meanwhile: the reminder
    is then the new household's, still to be sent to them or being sent."""
    async with db.write() as session:
        return await ledgers.finish(
            session, kind.ledger, subject_id, minutes_before, now, held_since=held_since
        )
