"""Broadcasts and their outbox of deliveries, one row per recipient."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage.db import Row, Session
from storage.models import (
    Audience,
    Broadcast,
    BroadcastState,
    Delivery,
    DeliveryState,
    EventAudience,
    EventButton,
    Kind,
    Role,
    from_db,
    to_db,
)
from storage.numbers import next_number


def _broadcast(row: Row) -> Broadcast:
    return Broadcast(
        id=row["id"],
        created_by=row["created_by"],
        audience=Audience(row["audience"]),
        kind=Kind(row["kind"]),
        body=row["body"],
        file_id=row["file_id"],
        state=BroadcastState(row["state"]),
        send_at=from_db(row["send_at"]),
        created_at=from_db(row["created_at"]),
        status_chat_id=row["status_chat_id"],
        status_message_id=row["status_message_id"],
    )


async def create_broadcast(
    session: Session,
    created_by: int,
    audience: Audience,
    *,
    kind: Kind,
    body: str | None,
    file_id: str | None,
    state: BroadcastState,
    send_at: datetime,
    now: datetime,
    status_chat_id: int | None = None,
    status_message_id: int | None = None,
) -> int:
    return await session.insert(
        "INSERT INTO broadcasts (id, created_by, audience, kind, body, file_id, state, "
        "send_at, created_at, started_at, status_chat_id, status_message_id) "
        f"VALUES ({next_number('broadcasts')}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            created_by,
            audience.value,
            kind.value,
            body,
            file_id,
            state.value,
            to_db(send_at),
            to_db(now),
            to_db(now) if state is BroadcastState.SENDING else None,
            status_chat_id,
            status_message_id,
        ),
    )


async def attach_events(
    session: Session, broadcast_id: int, buttons: Sequence[EventButton]
) -> None:
    """The newsletter's Sign up buttons, in the order given."""
    await session.execute_many(
        "INSERT INTO broadcast_events (broadcast_id, event_id, position, label, data) "
        "VALUES (?, ?, ?, ?, ?)",
        [
            (broadcast_id, button.event_id, position, button.label, button.data)
            for position, button in enumerate(buttons)
        ],
    )


async def attached_events(session: Session, broadcast_id: int) -> list[EventButton]:
    """The newsletter's Sign up buttons, each with its event's audience as it is now."""
    rows = await session.fetch_all(
        "SELECT b.event_id, b.label, b.data, e.audience FROM broadcast_events b "
        "JOIN events e ON e.id = b.event_id WHERE b.broadcast_id = ? ORDER BY b.position",
        (broadcast_id,),
    )
    return [
        EventButton(row["event_id"], row["label"], row["data"], EventAudience(row["audience"]))
        for row in rows
    ]


async def broadcast_by_id(session: Session, broadcast_id: int) -> Broadcast | None:
    row = await session.fetch_one("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
    return _broadcast(row) if row else None


async def recent_broadcasts(session: Session, limit: int) -> list[Broadcast]:
    rows = await session.fetch_all(
        "SELECT * FROM broadcasts ORDER BY send_at DESC, id DESC LIMIT ?", (limit,)
    )
    return [_broadcast(row) for row in rows]


async def broadcasts_in_state(session: Session, state: BroadcastState) -> list[Broadcast]:
    rows = await session.fetch_all(
        "SELECT * FROM broadcasts WHERE state = ? ORDER BY send_at, id", (state.value,)
    )
    return [_broadcast(row) for row in rows]


async def next_due(session: Session) -> datetime | None:
    """The first moment the outbox has something to do: a scheduled broadcast's time, or a
    delivery's next try (after a 5xx or a 429) of a broadcast sending. None: nothing waits."""
    row = await session.fetch_one(
        "SELECT MIN(due) FROM ("
        "SELECT MIN(send_at) AS due FROM broadcasts WHERE state = 'scheduled' UNION ALL "
        "SELECT (SELECT MIN(d.next_attempt_at) FROM deliveries d "
        "WHERE d.broadcast_id = b.id AND d.state = 'pending') FROM broadcasts b "
        "WHERE b.state = 'sending')"
    )
    return from_db(row[0]) if row is not None and row[0] is not None else None


async def move(
    session: Session,
    broadcast_id: int,
    from_state: BroadcastState,
    to_state: BroadcastState,
    now: datetime,
) -> bool:
    """One state change, once: a second caller (a restart, a double press) changes nothing."""
    column = {
        BroadcastState.SENDING: "started_at",
        BroadcastState.DONE: "finished_at",
        BroadcastState.CANCELLED: "finished_at",
    }[to_state]
    return (
        await session.execute(
            f"UPDATE broadcasts SET state = ?, {column} = ? WHERE id = ? AND state = ?",
            (to_state.value, to_db(now), broadcast_id, from_state.value),
        )
        == 1
    )


async def add_deliveries(
    session: Session,
    broadcast_id: int,
    recipients: Sequence[tuple[int, int, str | None]],
    now: datetime,
) -> None:
    """(member id, chat id, display name) of every recipient, all pending."""
    await session.execute_many(
        "INSERT OR IGNORE INTO deliveries (broadcast_id, member_id, chat_id, display_name, "
        "state, next_attempt_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)",
        [
            (broadcast_id, member_id, chat_id, name, to_db(now), to_db(now))
            for member_id, chat_id, name in recipients
        ],
    )


async def claim_due_deliveries(session: Session, now: datetime, limit: int) -> list[Delivery]:
    """The oldest sending broadcast's next `limit` due deliveries, in the order they are to go
    out, each marked SENDING in this transaction, before any of them is sent.

    Looked up broadcast by broadcast (there are few at a time) so that each lookup is one
    index probe, however long the queue: sorting 10,000 pending rows a message was the cost.
    """
    for broadcast in await broadcasts_in_state(session, BroadcastState.SENDING):
        rows = await session.fetch_all(
            "SELECT d.chat_id, d.attempts, h.role FROM deliveries d "
            "LEFT JOIN members m ON m.id = d.member_id "
            "LEFT JOIN households h ON h.id = m.household_id "
            "WHERE d.broadcast_id = ? AND d.state = 'pending' AND d.next_attempt_at <= ? "
            "ORDER BY d.next_attempt_at, d.rowid LIMIT ?",
            (broadcast.id, to_db(now), limit),
        )
        if not rows:
            continue
        await session.execute_many(
            "UPDATE deliveries SET state = 'sending', attempts = attempts + 1, updated_at = ? "
            "WHERE broadcast_id = ? AND chat_id = ?",
            [(to_db(now), broadcast.id, row["chat_id"]) for row in rows],
        )
        return [
            Delivery(
                broadcast,
                row["chat_id"],
                row["attempts"] + 1,
                None if row["role"] is None else Role(row["role"]),
            )
            for row in rows
        ]
    return []


async def settle_delivery(
    session: Session,
    broadcast_id: int,
    chat_id: int,
    state: DeliveryState,
    now: datetime,
    *,
    telegram_message_id: int | None = None,
    next_attempt_at: datetime | None = None,
    refund_attempt: bool = False,
) -> None:
    """Record a send's outcome; a refunded attempt (Telegram said "later") does not count.
    Nothing reads what it changed, so it goes along with the transaction's next statement or
    its COMMIT."""
    session.write_along(
        "UPDATE deliveries SET state = ?, telegram_message_id = ?, updated_at = ?, "
        "next_attempt_at = COALESCE(?, next_attempt_at), attempts = attempts - ? "
        "WHERE broadcast_id = ? AND chat_id = ?",
        (
            state.value,
            telegram_message_id,
            to_db(now),
            to_db(next_attempt_at) if next_attempt_at else None,
            int(refund_attempt),
            broadcast_id,
            chat_id,
        ),
    )


async def requeue_in_flight(session: Session, now: datetime) -> int:
    """After a crash: deliveries marked SENDING may or may not have arrived; send them again."""
    return await session.execute(
        "UPDATE deliveries SET state = 'pending', updated_at = ? WHERE state = 'sending'",
        (to_db(now),),
    )


async def delivery_counts(session: Session, broadcast_id: int) -> dict[DeliveryState, int]:
    rows = await session.fetch_all(
        "SELECT state, COUNT(*) AS n FROM deliveries WHERE broadcast_id = ? GROUP BY state",
        (broadcast_id,),
    )
    return {DeliveryState(row["state"]): row["n"] for row in rows}


async def names_in_state(
    session: Session, broadcast_id: int, states: Sequence[DeliveryState]
) -> list[str | None]:
    marks = ",".join("?" * len(states))
    rows = await session.fetch_all(
        f"SELECT display_name FROM deliveries WHERE broadcast_id = ? AND state IN ({marks}) "
        "ORDER BY display_name COLLATE NOCASE",
        (broadcast_id, *(state.value for state in states)),
    )
    return [row["display_name"] for row in rows]


async def set_newsletter(session: Session, member_id: int, wanted: bool) -> None:
    await session.execute(
        "UPDATE members SET newsletter = ? WHERE id = ?", (int(wanted), member_id)
    )


async def drop_undelivered_to(session: Session, member_id: int) -> int:
    """A member who leaves is no longer a recipient: what had not reached them will not, and
    a delivery caught in flight does not keep its broadcast from finishing."""
    return await session.execute(
        "DELETE FROM deliveries WHERE member_id = ? AND state IN ('pending', 'sending')",
        (member_id,),
    )


# Erasure and retention: a delivery row keeps its state for the broadcast's counts, never for
# long whom it went to. `chat_id` is part of the key, so it becomes the row's own negative
# number, which no person's chat has.
_FORGET_RECIPIENT = "chat_id = -rowid, display_name = NULL, telegram_message_id = NULL"
_FINISHED_BEFORE = (
    "SELECT id FROM broadcasts WHERE state IN ('done', 'cancelled') AND finished_at < ?"
)


async def forget_member(session: Session, member_id: int, chat_id: int) -> None:
    """An adult leaves (after `drop_undelivered_to`): the deliveries that reached them no
    longer name their chat or name, and no broadcast points at a progress message in their
    chat."""
    await session.execute(
        "UPDATE broadcasts SET status_chat_id = NULL, status_message_id = NULL "
        "WHERE status_chat_id = ?",
        (chat_id,),
    )
    await session.execute(
        f"UPDATE deliveries SET {_FORGET_RECIPIENT} WHERE member_id = ?", (member_id,)
    )


async def forget_recipients_finished_before(session: Session, cutoff: datetime) -> int:
    """Broadcasts finished before `cutoff` no longer say who received them, nor where the
    coordinator's progress message is; returns how many deliveries were cleared."""
    cleared = await session.execute(
        f"UPDATE deliveries SET {_FORGET_RECIPIENT} WHERE chat_id > 0 "
        f"AND broadcast_id IN ({_FINISHED_BEFORE})",
        (to_db(cutoff),),
    )
    await session.execute(
        "UPDATE broadcasts SET status_chat_id = NULL, status_message_id = NULL "
        f"WHERE status_chat_id IS NOT NULL AND id IN ({_FINISHED_BEFORE})",
        (to_db(cutoff),),
    )
    return cleared


async def erase_content_finished_before(session: Session, cutoff: datetime) -> int:
    """The text and file of broadcasts finished before `cutoff` go; what they were (kind,
    audience, times) and their delivery counts stay. Returns how many were erased."""
    return await session.execute(
        "UPDATE broadcasts SET body = NULL, file_id = NULL "
        f"WHERE (body IS NOT NULL OR file_id IS NOT NULL) AND id IN ({_FINISHED_BEFORE})",
        (to_db(cutoff),),
    )
