"""Planning the rota: adding, removing, listing and importing shifts, and coverage per day.

Every check that protects the rota (a mentor household, not in the past, no double booking of
one household) runs inside the same IMMEDIATE transaction as the write, so two coordinators
planning at once cannot both book the same household for the same evening.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.rota import Interval, covered, gaps, overlaps
from bot.rota_csv import PlannedShift
from bot.service_hours import ServiceHours
from storage import audit, households, shifts
from storage.db import Database, Session
from storage.models import Action, Member, Role, Shift, ShiftListing


class ShiftProblem(StrEnum):
    UNKNOWN_MEMBER = "unknown_member"
    NOT_MENTOR = "not_mentor"
    IN_PAST = "in_past"  # over already
    OVERLAP = "overlap"


@dataclass(frozen=True, slots=True)
class Refusal:
    problem: ShiftProblem
    # The household's shift the new one collides with, for OVERLAP.
    conflict: Shift | None = None
    # The CSV line, for an import.
    line: int | None = None
    # For OVERLAP with an earlier row of the same file: that row's line. `conflict` is then a
    # shift the refused import rolled back, whose id means nothing.
    conflict_line: int | None = None


@dataclass(frozen=True, slots=True)
class DayCoverage:
    """One local day of the promised service hours: who covers them, and what nobody does."""

    day: date
    window: Interval
    holiday: str | None
    shifts: list[ShiftListing]
    gaps: list[Interval]


class _ImportRefused(Exception):
    """Rolls the import's transaction back: a CSV goes in whole or not at all."""

    def __init__(self, refusals: list[Refusal]) -> None:
        super().__init__(f"{len(refusals)} row(s) refused")
        self.refusals = refusals


async def _check(session: Session, member_id: int, span: Interval, now: datetime) -> Refusal | int:
    """The household id the shift may be booked for, or why not.

    Shifts written earlier in the same transaction (an import's earlier rows) count as booked.
    """
    member = await households.member_by_id(session, member_id)
    if member is None:
        return Refusal(ShiftProblem.UNKNOWN_MEMBER)
    if member.role is not Role.MENTOR:
        return Refusal(ShiftProblem.NOT_MENTOR)
    # A shift that has begun is fine: "Berg covers the rest of tonight" is how a gap is
    # closed at 18:30. Only one that is over already makes no sense.
    if span.end <= now:
        return Refusal(ShiftProblem.IN_PAST)
    household_id = member.household.id
    booked = await shifts.shifts_overlapping(session, span.start, span.end, household_id)
    clash = overlaps(booked, household_id, span)
    if clash:
        return Refusal(ShiftProblem.OVERLAP, clash[0])
    return household_id


async def add(
    db: Database, member_id: int, span: Interval, created_by: Member, now: datetime
) -> Shift | Refusal:
    async with db.write() as session:
        checked = await _check(session, member_id, span, now)
        if isinstance(checked, Refusal):
            return checked
        added = await shifts.add_shift(session, checked, span.start, span.end, created_by.id, now)
        subject = f"shift #{added.id} (member #{member_id})"
        await audit.record(session, created_by, Action.SHIFT_ADD, subject, now)
        return added


async def check(db: Database, member_id: int, span: Interval, now: datetime) -> Refusal | None:
    """Why `add` would refuse the shift now, if it would: for a preview, before the booking."""
    async with db.read() as session:
        checked = await _check(session, member_id, span, now)
    return checked if isinstance(checked, Refusal) else None


async def import_planned(
    db: Database, planned: Sequence[PlannedShift], created_by: Member | None, now: datetime
) -> list[Shift] | list[Refusal]:
    """Every row, or (with the reason for each refused row) none."""
    try:
        async with db.write() as session:
            added: list[Shift] = []
            line_of: dict[int, int] = {}  # shift id -> the row that added it
            refusals: list[Refusal] = []
            for row in planned:
                checked = await _check(session, row.member_id, row.span, now)
                if isinstance(checked, Refusal):
                    conflict_line = line_of.get(checked.conflict.id) if checked.conflict else None
                    refusals.append(
                        Refusal(checked.problem, checked.conflict, row.line, conflict_line)
                    )
                    continue
                shift = await shifts.add_shift(
                    session,
                    checked,
                    row.span.start,
                    row.span.end,
                    created_by.id if created_by else None,
                    now,
                )
                added.append(shift)
                line_of[shift.id] = row.line
            if refusals:
                raise _ImportRefused(refusals)
            subject = f"{len(added)} shifts"
            await audit.record(session, created_by, Action.SHIFT_IMPORT, subject, now)
    except _ImportRefused as refused:
        return refused.refusals
    return added


async def delete(
    db: Database, shift_id: int, deleted_by: Member, now: datetime
) -> ShiftListing | None:
    """Remove a shift; returns it as it was, to tell the household and the coordinator."""
    async with db.write() as session:
        listing = await shifts.listing_by_id(session, shift_id)
        if listing is not None:
            await shifts.delete_shift(session, shift_id)
            await audit.record(session, deleted_by, Action.SHIFT_DELETE, f"shift #{shift_id}", now)
    return listing


async def listings(
    db: Database, start: datetime, end: datetime, household_id: int | None = None
) -> list[ShiftListing]:
    async with db.read() as session:
        return await shifts.listings_overlapping(session, start, end, household_id)


async def export_rows(db: Database, since: datetime) -> list[tuple[int, Shift]]:
    """(member number, shift) for every shift ending after `since`, as the CSV writes them."""
    async with db.read() as session:
        numbers = await households.first_member_numbers(session)
        upcoming = await shifts.shifts_ending_after(session, since)
    return [
        (numbers[shift.household_id], shift) for shift in upcoming if shift.household_id in numbers
    ]


async def next_start(db: Database, after: datetime) -> datetime | None:
    async with db.read() as session:
        return await shifts.next_start_after(session, after)


async def coverage(
    db: Database,
    first_day: date,
    days: int,
    hours: ServiceHours,
    tz: ZoneInfo,
    since: datetime | None = None,
) -> list[DayCoverage]:
    """The service hours of `days` local days from `first_day`, with their shifts and gaps.

    Gaps before `since` are over and not worth planning for, so they are left out.
    """
    windows = hours.windows(first_day, first_day + timedelta(days=days - 1), tz)
    if not windows:
        return []
    async with db.read() as session:
        booked = await shifts.listings_overlapping(session, windows[0].start, windows[-1].end)
    result = []
    for offset, window in enumerate(windows):
        day = first_day + timedelta(days=offset)
        inside = [listing for listing in booked if covered([listing.shift], window)]
        result.append(
            DayCoverage(
                day=day,
                window=window,
                holiday=hours.holiday_name(day),
                shifts=inside,
                gaps=_future_gaps([listing.shift for listing in inside], window, since),
            )
        )
    return result


def _future_gaps(booked: list[Shift], window: Interval, since: datetime | None) -> list[Interval]:
    if since is not None and window.end <= since:
        return []
    if since is not None and window.start < since:
        window = Interval(since, window.end)
    return gaps(booked, [window])


async def claim_gap_report(db: Database, local_day: date, now: datetime) -> bool:
    """True for the first caller on each local day: that morning's report may go out."""
    async with db.write() as session:
        return await shifts.claim_gap_report(session, local_day.isoformat(), now)
