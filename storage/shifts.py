"""Shifts, swaps and the daily gap report (the record of their reminders is
storage/reminders.py)."""

from __future__ import annotations

from datetime import datetime

from storage.db import Row, Session
from storage.models import (
    BookableHousehold,
    Role,
    Shift,
    ShiftListing,
    Swap,
    SwapState,
    from_db,
    to_db,
)
from storage.numbers import next_number

_SHIFT_COLUMNS = "s.id, s.household_id, s.starts_at, s.ends_at"


def _shift(row: Row) -> Shift:
    return Shift(
        id=row["id"],
        household_id=row["household_id"],
        starts_at=from_db(row["starts_at"]),
        ends_at=from_db(row["ends_at"]),
    )


async def add_shift(
    session: Session,
    household_id: int,
    starts_at: datetime,
    ends_at: datetime,
    created_by: int | None,
    now: datetime,
) -> Shift:
    shift_id = await session.insert(
        "INSERT INTO shifts (id, household_id, starts_at, ends_at, created_by, created_at) "
        f"VALUES ({next_number('shifts')}, ?, ?, ?, ?, ?)",
        (household_id, to_db(starts_at), to_db(ends_at), created_by, to_db(now)),
    )
    return Shift(shift_id, household_id, starts_at, ends_at)


async def bookable_households(session: Session) -> list[BookableHousehold]:
    """Every mentor household with the number that stands for it and its latest booking."""
    rows = await session.fetch_all(
        "SELECT MIN(m.id) AS member_id, h.id AS household_id, h.display_name, "
        "(SELECT MAX(s.created_at) FROM shifts s WHERE s.household_id = h.id) AS last_booked "
        "FROM households h JOIN members m ON m.household_id = h.id "
        "WHERE h.role = ? GROUP BY h.id",
        (Role.MENTOR.value,),
    )
    return [
        BookableHousehold(
            row["member_id"],
            row["display_name"],
            from_db(row["last_booked"]) if row["last_booked"] else None,
            row["household_id"],
        )
        for row in rows
    ]


async def delete_shift(session: Session, shift_id: int) -> bool:
    return await session.execute("DELETE FROM shifts WHERE id = ?", (shift_id,)) == 1


async def delete_shifts_ending_after(session: Session, household_id: int, moment: datetime) -> int:
    return await session.execute(
        "DELETE FROM shifts WHERE household_id = ? AND ends_at > ?", (household_id, to_db(moment))
    )


async def shift_by_id(session: Session, shift_id: int) -> Shift | None:
    row = await session.fetch_one(
        f"SELECT {_SHIFT_COLUMNS} FROM shifts s WHERE s.id = ?", (shift_id,)
    )
    return _shift(row) if row else None


async def listing_by_id(session: Session, shift_id: int) -> ShiftListing | None:
    row = await session.fetch_one(
        f"SELECT {_SHIFT_COLUMNS}, h.display_name FROM shifts s "
        "JOIN households h ON h.id = s.household_id WHERE s.id = ?",
        (shift_id,),
    )
    return ShiftListing(_shift(row), row["display_name"]) if row else None


async def shifts_ending_after(session: Session, moment: datetime) -> list[Shift]:
    rows = await session.fetch_all(
        f"SELECT {_SHIFT_COLUMNS} FROM shifts s WHERE s.ends_at > ? ORDER BY s.starts_at, s.id",
        (to_db(moment),),
    )
    return [_shift(row) for row in rows]


async def shifts_starting_after(session: Session, moment: datetime) -> list[Shift]:
    rows = await session.fetch_all(
        f"SELECT {_SHIFT_COLUMNS} FROM shifts s WHERE s.starts_at > ? ORDER BY s.starts_at, s.id",
        (to_db(moment),),
    )
    return [_shift(row) for row in rows]


def _overlapping(
    start: datetime, end: datetime, household_id: int | None
) -> tuple[str, str, tuple[object, ...]]:
    """The index, condition and parameters that find the shifts sharing time with [start, end).

    By their end: by their start, every shift before the period would be read as well, a year
    of history for the coming week's rota. One household's shifts by its own index.
    """
    if household_id is None:
        return (
            "INDEXED BY shifts_by_end",
            "s.starts_at < ? AND s.ends_at > ?",
            (to_db(end), to_db(start)),
        )
    return (
        "",
        "s.household_id = ? AND s.starts_at < ? AND s.ends_at > ?",
        (household_id, to_db(end), to_db(start)),
    )


async def shifts_overlapping(
    session: Session, start: datetime, end: datetime, household_id: int | None = None
) -> list[Shift]:
    """Shifts that share any time with [start, end), optionally of one household."""
    index, where, params = _overlapping(start, end, household_id)
    rows = await session.fetch_all(
        f"SELECT {_SHIFT_COLUMNS} FROM shifts s {index} WHERE {where} ORDER BY s.starts_at, s.id",
        params,
    )
    return [_shift(row) for row in rows]


async def _listings(
    session: Session, where: str, params: tuple[object, ...], index: str = ""
) -> list[ShiftListing]:
    rows = await session.fetch_all(
        f"SELECT {_SHIFT_COLUMNS}, h.display_name FROM shifts s {index} "
        f"JOIN households h ON h.id = s.household_id WHERE {where} ORDER BY s.starts_at, s.id",
        params,
    )
    return [ShiftListing(_shift(row), row["display_name"]) for row in rows]


async def listings_overlapping(
    session: Session, start: datetime, end: datetime, household_id: int | None = None
) -> list[ShiftListing]:
    index, where, params = _overlapping(start, end, household_id)
    return await _listings(session, where, params, index)


async def listings_ending_after(session: Session, moment: datetime) -> list[ShiftListing]:
    return await _listings(session, "s.ends_at > ?", (to_db(moment),))


async def listings_starting_after(session: Session, moment: datetime) -> list[ShiftListing]:
    return await _listings(session, "s.starts_at > ?", (to_db(moment),))


async def next_start_after(session: Session, moment: datetime) -> datetime | None:
    row = await session.fetch_one(
        "SELECT MIN(starts_at) FROM shifts WHERE starts_at > ?", (to_db(moment),)
    )
    return from_db(row[0]) if row and row[0] else None


# Swaps ------------------------------------------------------------------------------------


def _swap(row: Row) -> Swap:
    return Swap(
        id=row["id"],
        shift_id=row["shift_id"],
        offered_by=row["offered_by"],
        state=SwapState(row["state"]),
        taken_by=row["taken_by"],
    )


async def open_swap(
    session: Session, shift_id: int, offered_by: int, now: datetime
) -> tuple[Swap, bool]:
    """The shift's open swap, created if there is none yet (offering twice is one offer), and
    whether this call created it."""
    created = await session.execute(
        "INSERT INTO shift_swaps (id, shift_id, offered_by, offered_at, state) "
        f"VALUES ({next_number('shift_swaps')}, ?, ?, ?, 'open') ON CONFLICT DO NOTHING",
        (shift_id, offered_by, to_db(now)),
    )
    row = await session.fetch_one(
        "SELECT * FROM shift_swaps WHERE shift_id = ? AND state = 'open'", (shift_id,)
    )
    assert row is not None  # just inserted, or already there, inside this transaction
    return _swap(row), created == 1


async def swap_by_id(session: Session, swap_id: int) -> Swap | None:
    row = await session.fetch_one("SELECT * FROM shift_swaps WHERE id = ?", (swap_id,))
    return _swap(row) if row else None


async def take_swap(session: Session, swap: Swap, taker: int, now: datetime) -> bool:
    """Hand the shift over; one conditional update decides who was first.

    The caller has checked, in the same transaction, that the shift is still the offerer's.
    """
    taken = await session.execute(
        "UPDATE shift_swaps SET state = 'taken', taken_by = ?, taken_at = ? "
        "WHERE id = ? AND state = 'open'",
        (taker, to_db(now), swap.id),
    )
    if taken != 1:
        return False
    await session.execute("UPDATE shifts SET household_id = ? WHERE id = ?", (taker, swap.shift_id))
    # The reminders the giver had are not the taker's: theirs are planned afresh.
    await session.execute("DELETE FROM shift_reminders WHERE shift_id = ?", (swap.shift_id,))
    return True


async def add_swap_message(session: Session, swap_id: int, chat_id: int, message_id: int) -> None:
    await session.execute(
        "INSERT OR REPLACE INTO swap_messages (swap_id, chat_id, message_id) VALUES (?, ?, ?)",
        (swap_id, chat_id, message_id),
    )


async def swap_messages(session: Session, swap_id: int) -> list[tuple[int, int]]:
    rows = await session.fetch_all(
        "SELECT chat_id, message_id FROM swap_messages WHERE swap_id = ?", (swap_id,)
    )
    return [(row["chat_id"], row["message_id"]) for row in rows]


# The daily gap report ---------------------------------------------------------------------


async def claim_gap_report(session: Session, local_day: str, now: datetime) -> bool:
    """True once per local day: the report for that morning may be sent."""
    return (
        await session.execute(
            "INSERT OR IGNORE INTO gap_reports (local_day, sent_at) VALUES (?, ?)",
            (local_day, to_db(now)),
        )
        == 1
    )
