"""Newsletters and announcements: composing, scheduling, and the outbox they go out through.

A broadcast becomes one delivery row per recipient, all written in the transaction that starts
it, so "who should get this" is settled once and survives anything after. The worker claims a
few deliveries at a time, marking them all SENDING in one transaction before the first is
sent, and settles each as SENT, BLOCKED or FAILED in a transaction of its own after its send
and before the next; a restart puts the SENDING ones back in the queue. Of those, only the one
in flight at the instant of a crash can have arrived, so a recipient gets a broadcast once,
except that one message, which may arrive twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot import events, metrics
from storage import audit, broadcasts, households
from storage import events as event_storage
from storage.db import Database, Session
from storage.models import (
    Action,
    Audience,
    Broadcast,
    BroadcastState,
    Delivery,
    DeliveryState,
    EventButton,
    EventListing,
    Kind,
    Member,
    Role,
)

TEXT_LIMIT = 4096  # Telegram's, for a message
CAPTION_LIMIT = 1024  # Telegram's, for a photo's or a document's caption
MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(seconds=2)
LAST_RETRY = timedelta(seconds=30)
RECENT = 10

_ROLES = {
    Audience.FAMILIES: (Role.FAMILY,),
    Audience.MENTORS: (Role.MENTOR,),
    Audience.EVERYONE: (Role.FAMILY, Role.MENTOR),
}


class ContentProblem(StrEnum):
    EMPTY = "empty"
    TEXT_TOO_LONG = "text_too_long"
    CAPTION_TOO_LONG = "caption_too_long"
    UNSUPPORTED = "unsupported"
    IN_PAST = "in_past"


@dataclass(frozen=True, slots=True)
class Draft:
    """What a coordinator has composed so far; lives in the conversation until confirmed."""

    kind: Kind  # text, photo, document
    body: str | None  # HTML
    file_id: str | None = None
    events: tuple[EventButton, ...] = ()  # Sign up buttons under it, in this order


@dataclass(frozen=True, slots=True)
class StatusMessage:
    """The coordinator's message that becomes the broadcast's status, and whose chat gets the
    report: known at the press, so it is written with the broadcast itself, before the outbox
    can send (and finish) anything."""

    chat_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class Progress:
    broadcast: Broadcast
    counts: dict[DeliveryState, int] = field(default_factory=dict)
    failed: list[str | None] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def remaining(self) -> int:
        return self.counts.get(DeliveryState.PENDING, 0) + self.counts.get(DeliveryState.SENDING, 0)


def check_draft(draft: Draft, plain_length: int) -> ContentProblem | None:
    """Telegram's limits, checked before anything is stored or sent.

    `plain_length` is the text's length as Telegram counts it (without the HTML markup).
    """
    if draft.kind is Kind.TEXT:
        if not draft.body or not draft.body.strip():
            return ContentProblem.EMPTY
        return ContentProblem.TEXT_TOO_LONG if plain_length > TEXT_LIMIT else None
    if draft.file_id is None:
        return ContentProblem.UNSUPPORTED
    return ContentProblem.CAPTION_TOO_LONG if plain_length > CAPTION_LIMIT else None


async def _recipients(session: Session, audience: Audience) -> list[Member]:
    found: list[Member] = []
    for role in _ROLES[audience]:
        found.extend(await households.members_with_role(session, role))
    return [member for member in found if member.newsletter]


async def attachable_events(db: Database, audience: Audience, now: datetime) -> list[EventListing]:
    """The open events a newsletter to `audience` may carry a Sign up button for: those its
    recipients may join, soonest first."""
    joinable = {kind for role in _ROLES[audience] for kind in events.AUDIENCES[role]}
    async with db.read() as session:
        return await event_storage.listings(session, tuple(sorted(joinable)), now)


async def signup_buttons(db: Database, broadcast_id: int) -> list[EventButton]:
    async with db.read() as session:
        return await broadcasts.attached_events(session, broadcast_id)


def buttons_for(buttons: Sequence[EventButton], role: Role | None) -> list[EventButton]:
    """The Sign up buttons one recipient gets: a newsletter to all carries families' events
    too, and a mentor must not get a button that only refuses them (nor a removed member any)."""
    return [b for b in buttons if role is not None and events.may_join(b.audience, role)]


async def count_recipients(db: Database, audience: Audience) -> int:
    """`slow`: an audience may be every family of a region, tens of thousands of rows."""
    async with db.read(slow=True) as session:
        return len(await _recipients(session, audience))


async def _open_outbox(
    session: Session, broadcast_id: int, audience: Audience, now: datetime
) -> None:
    recipients = await _recipients(session, audience)
    await broadcasts.add_deliveries(
        session,
        broadcast_id,
        [(m.id, m.telegram_user_id, m.household.display_name) for m in recipients],
        now,
    )


async def submit(
    db: Database,
    coordinator: Member,
    draft: Draft,
    audience: Audience,
    *,
    send_at: datetime | None,
    now: datetime,
    status: StatusMessage | None = None,
) -> Broadcast | ContentProblem:
    """Confirmed: now (its outbox written at once), or at `send_at` (written then)."""
    if send_at is not None and send_at <= now:
        return ContentProblem.IN_PAST
    state = BroadcastState.SCHEDULED if send_at is not None else BroadcastState.SENDING
    async with db.write(slow=True) as session:  # a delivery for every family
        broadcast_id = await broadcasts.create_broadcast(
            session,
            coordinator.id,
            audience,
            kind=draft.kind,
            body=draft.body,
            file_id=draft.file_id,
            state=state,
            send_at=send_at or now,
            now=now,
            status_chat_id=status.chat_id if status else None,
            status_message_id=status.message_id if status else None,
        )
        await broadcasts.attach_events(session, broadcast_id, draft.events)
        if state is BroadcastState.SENDING:
            await _open_outbox(session, broadcast_id, audience, now)
        subject = f"broadcast #{broadcast_id} to {audience.value}"
        await audit.record(session, coordinator, Action.BROADCAST, subject, now)
        created = await broadcasts.broadcast_by_id(session, broadcast_id)
    assert created is not None
    return created


async def start_due(db: Database, now: datetime) -> list[Broadcast]:
    """Scheduled broadcasts whose time has come start sending; each exactly once."""
    started = []
    async with db.write(slow=True) as session:  # a delivery for every family
        for broadcast in await broadcasts.broadcasts_in_state(session, BroadcastState.SCHEDULED):
            if broadcast.send_at > now:
                continue
            if await broadcasts.move(
                session, broadcast.id, BroadcastState.SCHEDULED, BroadcastState.SENDING, now
            ):
                await _open_outbox(session, broadcast.id, broadcast.audience, now)
                started.append(broadcast)
    return started


async def next_due(db: Database) -> datetime | None:
    async with db.read() as session:
        return await broadcasts.next_due(session)


async def scheduled(db: Database) -> list[Broadcast]:
    async with db.read() as session:
        return await broadcasts.broadcasts_in_state(session, BroadcastState.SCHEDULED)


async def cancel(db: Database, broadcast_id: int, cancelled_by: Member, now: datetime) -> bool:
    """Only a broadcast that has not started can be cancelled."""
    async with db.write() as session:
        cancelled = await broadcasts.move(
            session, broadcast_id, BroadcastState.SCHEDULED, BroadcastState.CANCELLED, now
        )
        if cancelled:
            subject = f"broadcast #{broadcast_id}"
            await audit.record(session, cancelled_by, Action.BROADCAST_CANCEL, subject, now)
        return cancelled


async def recent(db: Database) -> list[Progress]:
    """`slow`: each broadcast's deliveries are counted, tens of thousands of rows."""
    async with db.read(slow=True) as session:
        found = await broadcasts.recent_broadcasts(session, RECENT)
        return [
            Progress(broadcast, await broadcasts.delivery_counts(session, broadcast.id))
            for broadcast in found
        ]


async def resume(db: Database, now: datetime) -> int:
    """At start: deliveries claimed when the process died go out again (the one in flight,
    and those claimed behind it, never sent)."""
    async with db.write() as session:
        return await broadcasts.requeue_in_flight(session, now)


async def claim_due(db: Database, now: datetime, limit: int) -> list[Delivery]:
    """Up to `limit` due deliveries, marked SENDING in one transaction rather than one each:
    settling each before the next send (`settle`, `retry_later`) keeps a crash's duplicates to
    the one message in flight."""
    async with db.write() as session:
        return await broadcasts.claim_due_deliveries(session, now, limit)


async def settle(
    db: Database,
    delivery: Delivery,
    state: DeliveryState,
    now: datetime,
    telegram_message_id: int | None = None,
) -> None:
    async with db.write() as session:  # the statement goes along with the COMMIT
        await broadcasts.settle_delivery(
            session,
            delivery.broadcast.id,
            delivery.chat_id,
            state,
            now,
            telegram_message_id=telegram_message_id,
        )
    metrics.DELIVERIES.labels(state.value).inc()


async def retry_later(
    db: Database, delivery: Delivery, wait: timedelta | None, now: datetime
) -> bool:
    """Back in the queue after `wait` (Telegram's retry_after) or a growing backoff.

    Returns False, and marks the delivery FAILED, once MAX_ATTEMPTS have been spent on errors;
    waiting out a 429 spends none.
    """
    if wait is None and delivery.attempts >= MAX_ATTEMPTS:
        await settle(db, delivery, DeliveryState.FAILED, now)
        return False
    backoff = min(FIRST_RETRY * 2 ** (delivery.attempts - 1), LAST_RETRY)
    async with db.write() as session:
        await broadcasts.settle_delivery(
            session,
            delivery.broadcast.id,
            delivery.chat_id,
            DeliveryState.PENDING,
            now,
            next_attempt_at=now + (wait if wait is not None else backoff),
            refund_attempt=wait is not None,  # a 429 is Telegram's pace, not a failure
        )
    return True


async def progress(db: Database, broadcast_id: int) -> Progress | None:
    async with db.read() as session:
        broadcast = await broadcasts.broadcast_by_id(session, broadcast_id)
        if broadcast is None:
            return None
        counts = await broadcasts.delivery_counts(session, broadcast_id)
        failed = await broadcasts.names_in_state(
            session, broadcast_id, [DeliveryState.FAILED, DeliveryState.BLOCKED]
        )
    return Progress(broadcast, counts, failed)


async def finish_if_complete(db: Database, broadcast_id: int, now: datetime) -> bool:
    """True once, for the caller that sees the last delivery settled: it sends the report."""
    async with db.write() as session:
        counts = await broadcasts.delivery_counts(session, broadcast_id)
        busy = counts.get(DeliveryState.PENDING, 0) + counts.get(DeliveryState.SENDING, 0)
        if busy:
            return False
        return await broadcasts.move(
            session, broadcast_id, BroadcastState.SENDING, BroadcastState.DONE, now
        )


async def sending(db: Database) -> list[Broadcast]:
    async with db.read() as session:
        return await broadcasts.broadcasts_in_state(session, BroadcastState.SENDING)


async def set_newsletter(db: Database, member: Member, wanted: bool) -> None:
    async with db.write() as session:
        await broadcasts.set_newsletter(session, member.id, wanted)
