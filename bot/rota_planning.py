"""Planning the rota: adding, removing, listing and importing shifts, and coverage per day.

Every check that protects the rota (a mentor household, not in the past, no double booking of
one household) runs inside the same IMMEDIATE transaction as the write, so two coordinators
planning at once cannot both book the same household for the same evening.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import Enum, StrEnum
from zoneinfo import ZoneInfo

from bot.rota import Interval, covered, gaps, local_moment, overlaps
from bot.rota_csv import ExportRow, PlannedShift
from bot.service_hours import ServiceHours
from storage import audit, households, shifts
from storage.db import Database, Session
from storage.models import Action, Member, Role, Shift, ShiftListing

DIGEST_LENGTH = 16  # hex digits naming a file's change in a button: 64 bits, well inside 64 bytes


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
    # For OVERLAP with a row of the same file: that row's line. `conflict` is then the booked
    # shift that row names, or None for a new row.
    conflict_line: int | None = None


@dataclass(frozen=True, slots=True)
class DayCoverage:
    """One local day of the promised service hours: who covers them, and what nobody does."""

    day: date
    window: Interval
    holiday: str | None
    shifts: list[ShiftListing]
    gaps: list[Interval]


@dataclass(frozen=True, slots=True)
class Overbooked:
    """A mentor household booked for more hours in one local week than the service allows
    itself to ask of a family (MENTORBOT_MAX_HOURS_PER_WEEK)."""

    household_id: int
    name: str | None
    week: date  # its Monday
    booked: timedelta


def overbooked(
    listings: Sequence[ShiftListing], tz: ZoneInfo, limit: timedelta
) -> list[Overbooked]:
    """The households booked beyond `limit` in a local week, week by week. A shift counts in
    the week it starts in (a night over Sunday counts for the week it began), whether or not
    it lies in the service hours."""
    booked: dict[tuple[date, int], timedelta] = {}
    names: dict[int, str | None] = {}
    for listing in listings:
        shift = listing.shift
        start = shift.starts_at.astimezone(tz).date()
        week = start - timedelta(days=start.weekday())
        key = (week, shift.household_id)
        booked[key] = booked.get(key, timedelta()) + (shift.ends_at - shift.starts_at)
        names[shift.household_id] = listing.mentor_name
    return [
        Overbooked(household, names[household], week, hours)
        for (week, household), hours in sorted(booked.items())
        if hours > limit
    ]


async def _check(session: Session, member_id: int, span: Interval, now: datetime) -> Refusal | int:
    """The household id the shift may be booked for, or why not."""
    household_id = await _household(session, member_id)
    if isinstance(household_id, Refusal):
        return household_id
    # A shift that has begun is fine: "Berg covers the rest of tonight" is how a gap is
    # closed at 18:30. Only one that is over already makes no sense.
    if span.end <= now:
        return Refusal(ShiftProblem.IN_PAST)
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


async def _household(session: Session, member_id: int) -> Refusal | int:
    """The mentor household a member number stands for, or why it stands for none."""
    member = await households.member_by_id(session, member_id)
    if member is None:
        return Refusal(ShiftProblem.UNKNOWN_MEMBER)
    if member.role is not Role.MENTOR:
        return Refusal(ShiftProblem.NOT_MENTOR)
    return member.household.id


@dataclass(frozen=True, slots=True)
class NewShift:
    row: PlannedShift
    household_id: int


@dataclass(frozen=True, slots=True)
class FileDiff:
    """What a rota file would change, as of one moment.

    `removed` are the booked shifts that have not begun and that no row of the file names: an
    export's rows the coordinator deleted (or, for a file typed from scratch, every shift
    booked). `digest` names the whole change, so that a confirmation can tell that the rota is
    still what the coordinator was shown.
    """

    added: list[NewShift]
    unchanged: list[Shift]
    removed: list[ShiftListing]
    refusals: list[Refusal]
    digest: str
    # The digest of the same file applied with the missing shifts kept ("add only"), or None
    # when that would be refused: a new row overlapping a shift the file leaves out.
    add_only_digest: str | None = None


class FileChanged(Enum):
    """The rota is no longer what the confirmation showed: nothing was changed."""

    FILE_CHANGED = "file_changed"


FILE_CHANGED = FileChanged.FILE_CHANGED


@dataclass(frozen=True, slots=True)
class FileApplied:
    added: list[Shift]
    unchanged: int
    removed: list[ShiftListing]  # empty unless the removal was asked for
    kept: int  # shifts the file does not name that stayed booked (an add-only import)


def _digest(added: list[NewShift], unchanged: list[Shift], removed: list[ShiftListing]) -> str:
    parts = sorted(
        f"{new.household_id}@{new.row.span.start.isoformat()}/{new.row.span.end.isoformat()}"
        for new in added
    )
    parts += sorted(f"={shift.id}" for shift in unchanged)
    parts += sorted(f"-{listing.shift.id}" for listing in removed)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:DIGEST_LENGTH]


async def _diff(
    session: Session, planned: Sequence[PlannedShift], now: datetime, *, keep_missing: bool
) -> FileDiff:
    """The file against the rota, inside the caller's transaction.

    A row is matched to a booked shift by what the coordinator sees and edits: the household
    (any of its adults' numbers stands for it), and the local date, start and end, which
    `local_span` turns into one span in real time. No shift number is written or read: a row
    copied in the spreadsheet to make a new one would carry its original's number, a changed
    time under an old number would be a guess between "moved" and "mistyped", and a file typed
    from scratch has none. So a row whose household and span are booked is unchanged (even one
    that is over by now, as in a file exported yesterday); any other row is new; and a changed
    time is read as the old shift removed and a new one added, both of which the coordinator
    sees before confirming. One booked shift is matched by one row only: the same row twice is
    an overlap. Shifts that have begun are never removed: they are history, or on duty now.

    New rows are checked against what stays booked (every shift if `keep_missing`) and against
    the file's earlier new rows, so a file that moves a shift by an hour is no overlap.
    """
    removable = {
        listing.shift.id: listing for listing in await shifts.listings_starting_after(session, now)
    }
    # Every booked shift the file's rows could touch, read at once: a season is 2000 rows.
    booked: dict[int, list[Shift]] = {}
    if planned:
        start = min(row.span.start for row in planned)
        end = max(row.span.end for row in planned)
        for shift in await shifts.shifts_overlapping(session, start, end):
            booked.setdefault(shift.household_id, []).append(shift)
    household_of: dict[int, Refusal | int] = {}
    matched: dict[int, int] = {}  # booked shift id -> the line naming it
    unchanged: list[Shift] = []
    refusals: list[Refusal] = []
    candidates: list[tuple[NewShift, list[Shift]]] = []
    for row in planned:
        if row.member_id not in household_of:
            household_of[row.member_id] = await _household(session, row.member_id)
        household = household_of[row.member_id]
        if isinstance(household, Refusal):
            refusals.append(Refusal(household.problem, line=row.line))
            continue
        touching = [
            shift
            for shift in booked.get(household, [])
            if shift.starts_at < row.span.end and row.span.start < shift.ends_at
        ]
        same = next(
            (
                shift
                for shift in touching
                if Interval(shift.starts_at, shift.ends_at) == row.span and shift.id not in matched
            ),
            None,
        )
        if same is not None:
            matched[same.id] = row.line
            unchanged.append(same)
        else:
            candidates.append((NewShift(row, household), touching))
    added: list[NewShift] = []
    added_of: dict[int, list[NewShift]] = {}  # household id -> its new rows so far
    for new, touching in candidates:
        row = new.row
        if row.span.end <= now:  # over already, as for `_check`
            refusals.append(Refusal(ShiftProblem.IN_PAST, line=row.line))
            continue
        staying = [
            shift
            for shift in touching
            if keep_missing or shift.id not in removable or shift.id in matched
        ]
        clash = overlaps(staying, new.household_id, row.span)
        earlier = next(
            (
                other.row.line
                for other in added_of.get(new.household_id, [])
                if other.row.span.start < row.span.end and row.span.start < other.row.span.end
            ),
            None,
        )
        if clash:
            refusals.append(
                Refusal(ShiftProblem.OVERLAP, clash[0], row.line, matched.get(clash[0].id))
            )
        elif earlier is not None:
            refusals.append(Refusal(ShiftProblem.OVERLAP, line=row.line, conflict_line=earlier))
        else:
            added.append(new)
            added_of.setdefault(new.household_id, []).append(new)
    removed = [listing for number, listing in removable.items() if number not in matched]
    return FileDiff(
        added,
        unchanged,
        removed,
        sorted(refusals, key=lambda refused: refused.line or 0),
        _digest(added, unchanged, removed),
    )


async def import_file(
    db: Database, planned: Sequence[PlannedShift], created_by: Member, now: datetime
) -> FileApplied | list[Refusal] | FileDiff:
    """A file sent in a chat: applied at once if it removes nothing, else the diff to ask about.

    A file of new rows, or an export with rows added, goes in without a question; one that
    leaves out booked shifts changes nothing yet, and its diff (with the digest a confirmation
    carries) comes back so the coordinator can be shown what would go.
    """
    async with db.write(slow=True) as session:  # a season of shifts
        diff = await _diff(session, planned, now, keep_missing=False)
        if diff.refusals:
            return diff.refusals
        if diff.removed:
            # "Add only" keeps the missing shifts, so new rows are checked against them too:
            # its change, and so its digest, is its own.
            kept = await _diff(session, planned, now, keep_missing=True)
            return replace(diff, add_only_digest=None if kept.refusals else kept.digest)
        return await _apply(session, diff, created_by, now, remove_missing=False)


async def apply_file(
    db: Database,
    planned: Sequence[PlannedShift],
    created_by: Member | None,
    now: datetime,
    *,
    remove_missing: bool,
    expected: str | None,
) -> FileApplied | list[Refusal] | FileChanged:
    """Import a rota file whole, or nothing and the reason for each refused row.

    The diff is worked out again inside the writing transaction, so what is written is what
    is booked at that moment. With `expected` (the digest of the diff the coordinator was
    shown), a rota that has changed since, in any way the file touches, changes nothing:
    a confirmation is never applied to a rota the coordinator did not see. Without
    `remove_missing` the shifts the file does not name stay booked, and new rows are checked
    against them too.
    """
    async with db.write(slow=True) as session:  # a season of shifts
        diff = await _diff(session, planned, now, keep_missing=not remove_missing)
        if expected is not None and diff.digest != expected:
            return FILE_CHANGED
        if diff.refusals:
            return diff.refusals
        return await _apply(session, diff, created_by, now, remove_missing=remove_missing)


async def _apply(
    session: Session,
    diff: FileDiff,
    created_by: Member | None,
    now: datetime,
    *,
    remove_missing: bool,
) -> FileApplied:
    removed = diff.removed if remove_missing else []
    by = created_by.id if created_by else None
    for listing in removed:
        await shifts.delete_shift(session, listing.shift.id)
        subject = f"shift #{listing.shift.id}"
        await audit.record(session, created_by, Action.SHIFT_DELETE, subject, now)
    added = [
        await shifts.add_shift(
            session, new.household_id, new.row.span.start, new.row.span.end, by, now
        )
        for new in diff.added
    ]
    subject = f"{len(added)} shifts added, {len(removed)} removed"
    await audit.record(session, created_by, Action.SHIFT_IMPORT, subject, now)
    return FileApplied(added, len(diff.unchanged), removed, len(diff.removed) - len(removed))


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


async def overbooked_weeks(
    db: Database, first_day: date, days: int, tz: ZoneInfo, limit: timedelta
) -> list[Overbooked]:
    """The weeks these days touch, whole (from the first one's Monday), checked for
    households booked beyond `limit`."""
    monday = first_day - timedelta(days=first_day.weekday())
    last = first_day + timedelta(days=days - 1)
    end = last + timedelta(days=7 - last.weekday())
    start_at = local_moment(monday, time(0), tz)
    booked = await listings(db, start_at, local_moment(end, time(0), tz))
    return [over for over in overbooked(booked, tz, limit) if over.week <= last]


async def export_rows(db: Database, since: datetime) -> list[ExportRow]:
    """Every shift ending after `since`, named as the CSV writes it (`slow`: a year of them)."""
    async with db.read(slow=True) as session:
        upcoming = await shifts.listings_ending_after(session, since)
        numbers = await households.first_member_numbers(
            session, {listing.shift.household_id for listing in upcoming}
        )
    return [
        ExportRow(numbers[listing.shift.household_id], listing.mentor_name, listing.shift)
        for listing in upcoming
        if listing.shift.household_id in numbers
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
