"""Mentor households' away spans, and the rota's gaps offered to mentors with a Take button."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from storage.db import Row, Session
from storage.models import AwayReason, AwaySpan, GapOffer, GapOfferState, from_db, to_db
from storage.numbers import next_number

# Away spans -------------------------------------------------------------------------------


def _span(row: Row) -> AwaySpan:
    return AwaySpan(
        id=row["id"],
        household_id=row["household_id"],
        starts_at=from_db(row["starts_at"]),
        ends_at=from_db(row["ends_at"]),
        reason=AwayReason(row["reason"]),
    )


async def add_away(
    session: Session,
    household_id: int,
    starts_at: datetime,
    ends_at: datetime,
    reason: AwayReason,
    created_by: int,
    now: datetime,
) -> AwaySpan:
    span_id = await session.insert(
        "INSERT INTO away_spans (id, household_id, starts_at, ends_at, reason, created_by, "
        f"created_at) VALUES ({next_number('away_spans')}, ?, ?, ?, ?, ?, ?)",
        (household_id, to_db(starts_at), to_db(ends_at), reason.value, created_by, to_db(now)),
    )
    return AwaySpan(span_id, household_id, starts_at, ends_at, reason)


async def away_by_id(session: Session, span_id: int) -> AwaySpan | None:
    row = await session.fetch_one("SELECT * FROM away_spans WHERE id = ?", (span_id,))
    return _span(row) if row else None


async def delete_away(session: Session, span_id: int, household_id: int) -> bool:
    """Remove a span of this household; False if it has no such span (any longer)."""
    return await session.changed_one(
        "DELETE FROM away_spans WHERE id = ? AND household_id = ?", (span_id, household_id)
    )


async def away_overlapping(
    session: Session, start: datetime, end: datetime, household_id: int | None = None
) -> list[AwaySpan]:
    """Spans that share any time with [start, end), optionally of one household."""
    sql = "SELECT * FROM away_spans WHERE starts_at < ? AND ends_at > ?"
    params: tuple[object, ...] = (to_db(end), to_db(start))
    if household_id is not None:
        sql += " AND household_id = ?"
        params += (household_id,)
    rows = await session.fetch_all(sql + " ORDER BY starts_at, id", params)
    return [_span(row) for row in rows]


async def away_ending_after(
    session: Session, household_id: int, moment: datetime
) -> list[AwaySpan]:
    rows = await session.fetch_all(
        "SELECT * FROM away_spans WHERE household_id = ? AND ends_at > ? ORDER BY starts_at, id",
        (household_id, to_db(moment)),
    )
    return [_span(row) for row in rows]


async def delete_away_ended_before(session: Session, moment: datetime) -> int:
    """Spans that ended say nothing the rota needs, and may say someone was ill: they go."""
    return await session.execute("DELETE FROM away_spans WHERE ends_at <= ?", (to_db(moment),))


# Gap offers -------------------------------------------------------------------------------


def _offer(row: Row) -> GapOffer:
    return GapOffer(
        id=row["id"],
        starts_at=from_db(row["starts_at"]),
        ends_at=from_db(row["ends_at"]),
        state=GapOfferState(row["state"]),
        taken_by=row["taken_by"],
        shift_id=row["shift_id"],
    )


async def live_offer(
    session: Session, starts_at: datetime, ends_at: datetime, now: datetime
) -> GapOffer:
    """The gap's offer that is open or asked for, made if there is none (showing a gap twice
    is one offer, so every copy of its button is the same button)."""
    await session.execute(
        "INSERT INTO gap_offers (id, starts_at, ends_at, state, offered_at) "
        f"VALUES ({next_number('gap_offers')}, ?, ?, 'open', ?) ON CONFLICT DO NOTHING",
        (to_db(starts_at), to_db(ends_at), to_db(now)),
    )
    row = await session.fetch_one(
        "SELECT * FROM gap_offers WHERE starts_at = ? AND ends_at = ? "
        "AND state IN ('open', 'asked')",
        (to_db(starts_at), to_db(ends_at)),
    )
    assert row is not None  # just inserted, or already there, inside this transaction
    return _offer(row)


async def offer_by_id(session: Session, offer_id: int) -> GapOffer | None:
    row = await session.fetch_one("SELECT * FROM gap_offers WHERE id = ?", (offer_id,))
    return _offer(row) if row else None


async def move_offer(
    session: Session,
    offer_id: int,
    from_state: GapOfferState,
    to_state: GapOfferState,
    household_id: int | None,
    now: datetime,
) -> bool:
    """One conditional update: True for the one caller that found the offer in `from_state`."""
    return await session.changed_one(
        "UPDATE gap_offers SET state = ?, taken_by = ?, taken_at = ? WHERE id = ? AND state = ?",
        (to_state.value, household_id, to_db(now), offer_id, from_state.value),
    )


async def set_offer_shift(session: Session, offer_id: int, shift_id: int) -> None:
    await session.execute("UPDATE gap_offers SET shift_id = ? WHERE id = ?", (shift_id, offer_id))


async def add_offer_messages(
    session: Session, offer_ids: Iterable[int], chat_id: int, message_id: int
) -> None:
    await session.execute_many(
        "INSERT OR IGNORE INTO gap_offer_messages (offer_id, chat_id, message_id) VALUES (?, ?, ?)",
        [(offer_id, chat_id, message_id) for offer_id in offer_ids],
    )


async def messages_showing(session: Session, offer_id: int) -> list[tuple[int, int]]:
    """(chat, message) of every message with the offer's button."""
    rows = await session.fetch_all(
        "SELECT chat_id, message_id FROM gap_offer_messages WHERE offer_id = ?", (offer_id,)
    )
    return [(row["chat_id"], row["message_id"]) for row in rows]


async def offers_in_message(session: Session, chat_id: int, message_id: int) -> list[GapOffer]:
    """The offers whose buttons one message shows, in the order they are shown (by time)."""
    rows = await session.fetch_all(
        "SELECT o.* FROM gap_offers o JOIN gap_offer_messages m ON m.offer_id = o.id "
        "WHERE m.chat_id = ? AND m.message_id = ? ORDER BY o.starts_at, o.id",
        (chat_id, message_id),
    )
    return [_offer(row) for row in rows]


async def add_request_message(
    session: Session, offer_id: int, chat_id: int, message_id: int
) -> None:
    await session.execute(
        "INSERT OR IGNORE INTO gap_request_messages (offer_id, chat_id, message_id) "
        "VALUES (?, ?, ?)",
        (offer_id, chat_id, message_id),
    )


async def take_request_messages(session: Session, offer_id: int) -> list[tuple[int, int]]:
    """(chat, message) of the coordinators' copies of the offer's request, forgotten here:
    the caller decides it in this transaction and closes the copies."""
    rows = await session.fetch_all(
        "SELECT chat_id, message_id FROM gap_request_messages WHERE offer_id = ?", (offer_id,)
    )
    await session.execute("DELETE FROM gap_request_messages WHERE offer_id = ?", (offer_id,))
    return [(row["chat_id"], row["message_id"]) for row in rows]


async def forget_ended_offers(session: Session, moment: datetime) -> None:
    """Once a gap is over its buttons serve nothing: where they were shown goes, and so does an
    offer nobody took (a taken one stays, as a shift's metadata does). One still asked for stays
    until a coordinator's press finds it over."""
    ended = "SELECT id FROM gap_offers WHERE ends_at <= ?"
    for table in ("gap_offer_messages", "gap_request_messages"):
        await session.execute(f"DELETE FROM {table} WHERE offer_id IN ({ended})", (to_db(moment),))
    await session.execute(
        "DELETE FROM gap_offers WHERE ends_at <= ? AND state IN ('open', 'closed')",
        (to_db(moment),),
    )


async def forget_household(session: Session, household_id: int) -> None:
    """A mentor household nobody is left in: when it would have been away, and why (illness is
    health data), concerns nobody now, and an open gap it asked for is open again, so that a
    coordinator's Confirm cannot book it for a household with nobody in it."""
    await session.execute("DELETE FROM away_spans WHERE household_id = ?", (household_id,))
    await session.execute(
        "UPDATE gap_offers SET state = 'open', taken_by = NULL, taken_at = NULL "
        "WHERE taken_by = ? AND state = 'asked'",
        (household_id,),
    )
