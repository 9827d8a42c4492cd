"""Which reminders went out: one row per thing reminded of and offset (minutes before its
start), written once the reminder is being sent.

Shifts (`shift_reminders`) and event sign-ups (`event_reminders`) keep their rows in tables of
one shape, so one set of statements serves both and a reminder of either kind is claimed,
renewed and finished the same way: whoever sends a reminder claims it with one conditional
statement, so of two parties claiming it at once exactly one gets it, and only the holder of
the claim marks it sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from storage.db import Session
from storage.models import ReminderState, from_db, to_db


@dataclass(frozen=True, slots=True)
class Ledger:
    """Where one kind of reminder is recorded: the table, and its column naming what is
    reminded of. Both are ours, never a caller's text."""

    table: str
    key: str


SHIFTS = Ledger("shift_reminders", "shift_id")
SIGNUPS = Ledger("event_reminders", "signup_id")


def _marks(ids: list[int]) -> str:
    return ",".join("?" * len(ids))


async def states(
    session: Session, ledger: Ledger, ids: Iterable[int]
) -> dict[tuple[int, int], ReminderState]:
    """(id, minutes before) -> state, for the ids asked about."""
    wanted = list(ids)
    if not wanted:
        return {}
    rows = await session.fetch_all(
        f"SELECT {ledger.key} AS id, minutes_before, state FROM {ledger.table} "
        f"WHERE {ledger.key} IN ({_marks(wanted)})",
        tuple(wanted),
    )
    return {(row["id"], row["minutes_before"]): ReminderState(row["state"]) for row in rows}


async def set_state(
    session: Session,
    ledger: Ledger,
    subject_id: int,
    minutes_before: int,
    state: ReminderState,
    now: datetime,
) -> None:
    await session.execute(
        f"INSERT INTO {ledger.table} ({ledger.key}, minutes_before, state, updated_at) "
        f"VALUES (?, ?, ?, ?) ON CONFLICT ({ledger.key}, minutes_before) "
        "DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        (subject_id, minutes_before, state.value, to_db(now)),
    )


async def claim(
    session: Session,
    ledger: Ledger,
    subject_id: int,
    minutes_before: int,
    now: datetime,
    *,
    held_since: datetime | None = None,
) -> bool:
    """Mark a reminder 'sending' for the caller; True if the caller now holds it.

    One conditional statement, so of two parties claiming it at once (two jobs of one bot, or
    two processes) exactly one gets True. Without `held_since`: a reminder nobody has claimed
    yet (it has no row). With it: the claim of that moment, renewed for another attempt (the
    caller's own; or, right after a start, the one a bot that died sending it left); False
    once it was finished, skipped or planned afresh (a swap) since. Times are stored to the
    second, so attempts must be further apart than that (they are a minute).
    """
    if held_since is None:
        sql = (
            f"INSERT INTO {ledger.table} ({ledger.key}, minutes_before, state, updated_at) "
            f"VALUES (?, ?, 'sending', ?) ON CONFLICT ({ledger.key}, minutes_before) DO NOTHING"
        )
        params: tuple[object, ...] = (subject_id, minutes_before, to_db(now))
    else:
        sql = (
            f"UPDATE {ledger.table} SET updated_at = ? WHERE {ledger.key} = ? "
            "AND minutes_before = ? AND state = 'sending' AND updated_at = ?"
        )
        params = (to_db(now), subject_id, minutes_before, to_db(held_since))
    return await session.execute(sql, params) == 1


async def claims(
    session: Session, ledger: Ledger, ids: Iterable[int]
) -> dict[tuple[int, int], datetime]:
    """(id, minutes before) -> the moment of its claim, for the reminders 'sending'."""
    wanted = list(ids)
    if not wanted:
        return {}
    rows = await session.fetch_all(
        f"SELECT {ledger.key} AS id, minutes_before, updated_at FROM {ledger.table} "
        f"WHERE state = 'sending' AND {ledger.key} IN ({_marks(wanted)})",
        tuple(wanted),
    )
    return {(row["id"], row["minutes_before"]): from_db(row["updated_at"]) for row in rows}


async def finish(
    session: Session,
    ledger: Ledger,
    subject_id: int,
    minutes_before: int,
    now: datetime,
    *,
    held_since: datetime,
) -> bool:
    """Mark a reminder 'sent' by the holder of the claim made (or last renewed) at `held_since`;
    False if that claim is gone (a shift swapped meanwhile: the reminder is the new
    household's, planned afresh or being sent to them), so it is left as it is."""
    return (
        await session.execute(
            f"UPDATE {ledger.table} SET state = 'sent', updated_at = ? WHERE {ledger.key} = ? "
            "AND minutes_before = ? AND state = 'sending' AND updated_at = ?",
            (to_db(now), subject_id, minutes_before, to_db(held_since)),
        )
        == 1
    )


async def forget_event(session: Session, event_id: int) -> None:
    """Forget what went out for the sign-ups of an event whose start moved: each reminder was
    for the old start, and is due afresh before the new one."""
    await session.execute(
        "DELETE FROM event_reminders "
        "WHERE signup_id IN (SELECT id FROM event_signups WHERE event_id = ?)",
        (event_id,),
    )
