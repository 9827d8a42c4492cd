"""Read-only queries for the evaluation report: metadata only, never what anybody wrote.

The columns are named one by one so that no content (a question's first words, a comment, a
note, a newsletter's body) ever leaves the database through the report, not even by accident
in a later refactoring of a `SELECT *`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Row, Session
from storage.models import Audience, EventKind, RequestState, Role, from_db, to_db


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What the evaluation may know about one question: its times, steps and outcome."""

    id: int
    state: RequestState
    opened_at: datetime
    offered_at: datetime | None  # the first offer; later than opened_at if it waited for a shift
    accepted_at: datetime | None
    ended_at: datetime | None
    escalation: int
    urgent: bool
    rating: int | None
    topic: str | None
    mentor_member_id: int | None
    mentor_household_id: int | None
    # The role of the household that accepted; None when nobody did or it has been erased.
    accepted_by: Role | None


@dataclass(frozen=True, slots=True)
class BroadcastReach:
    """One broadcast that went out, counted by its deliveries' states."""

    id: int
    audience: Audience
    started_at: datetime
    recipients: int
    delivered: int
    blocked: int
    failed: int

    @property
    def unfinished(self) -> int:
        """Deliveries still queued or being sent when the report was made."""
        return self.recipients - self.delivered - self.blocked - self.failed


@dataclass(frozen=True, slots=True)
class EventFacts:
    """One event held: its kind and capacity, and its sign-ups counted in people."""

    kind: EventKind
    capacity: int | None  # None: no limit
    signed_up: int  # people with a place
    attended: int  # people of the households marked as having come
    no_shows: int  # people of the households marked as not having come
    moves: int  # sign-ups moved up from the waiting list


def _moment(text: str | None) -> datetime | None:
    return from_db(text) if text else None


def _request(row: Row) -> RequestFacts:
    return RequestFacts(
        id=row["id"],
        state=RequestState(row["state"]),
        opened_at=from_db(row["opened_at"]),
        offered_at=_moment(row["offered_at"]),
        accepted_at=_moment(row["accepted_at"]),
        ended_at=_moment(row["ended_at"]),
        escalation=row["escalation"],
        urgent=bool(row["urgent"]),
        rating=row["rating"],
        topic=row["topic"],
        mentor_member_id=row["mentor_member_id"],
        mentor_household_id=row["mentor_household_id"],
        accepted_by=Role(row["mentor_role"]) if row["mentor_role"] else None,
    )


async def requests_opened(session: Session, start: datetime, end: datetime) -> list[RequestFacts]:
    """Questions asked in [start, end), in the order they were asked."""
    rows = await session.fetch_all(
        "SELECT r.id, r.state, r.opened_at, r.offered_at, r.accepted_at, r.ended_at, "
        "r.escalation, r.urgent, r.rating, r.topic, r.mentor_member_id, "
        "r.mentor_household_id, h.role AS mentor_role "
        "FROM requests r LEFT JOIN households h ON h.id = r.mentor_household_id "
        "WHERE r.opened_at >= ? AND r.opened_at < ? ORDER BY r.opened_at, r.id",
        (to_db(start), to_db(end)),
    )
    return [_request(row) for row in rows]


async def broadcasts_started(
    session: Session, start: datetime, end: datetime
) -> list[BroadcastReach]:
    """Broadcasts that began going out in [start, end); scheduled and cancelled ones reached
    nobody and are left out."""
    rows = await session.fetch_all(
        "SELECT b.id, b.audience, COALESCE(b.started_at, b.send_at) AS started_at, "
        "COUNT(d.broadcast_id) AS recipients, "
        "COALESCE(SUM(d.state = 'sent'), 0) AS delivered, "
        "COALESCE(SUM(d.state = 'blocked'), 0) AS blocked, "
        "COALESCE(SUM(d.state = 'failed'), 0) AS failed "
        "FROM broadcasts b LEFT JOIN deliveries d ON d.broadcast_id = b.id "
        "WHERE b.state IN ('sending', 'done') "
        "AND COALESCE(b.started_at, b.send_at) >= ? AND COALESCE(b.started_at, b.send_at) < ? "
        "GROUP BY b.id ORDER BY started_at, b.id",
        (to_db(start), to_db(end)),
    )
    return [
        BroadcastReach(
            id=row["id"],
            audience=Audience(row["audience"]),
            started_at=from_db(row["started_at"]),
            recipients=row["recipients"],
            delivered=row["delivered"],
            blocked=row["blocked"],
            failed=row["failed"],
        )
        for row in rows
    ]


async def events_held(session: Session, start: datetime, end: datetime) -> list[EventFacts]:
    """Events not cancelled that started in [start, end), counted from their sign-ups; a
    sign-up counts the same once it no longer says whose it was."""
    rows = await session.fetch_all(
        "SELECT e.kind, e.capacity, "
        "COALESCE(SUM(CASE WHEN s.state = 'confirmed' THEN s.adults + s.children END), 0) "
        "AS signed_up, "
        "COALESCE(SUM(CASE WHEN s.state = 'confirmed' AND s.attended = 1 "
        "THEN s.adults + s.children END), 0) AS attended, "
        "COALESCE(SUM(CASE WHEN s.state = 'confirmed' AND s.attended = 0 "
        "THEN s.adults + s.children END), 0) AS no_shows, "
        "COUNT(s.moved_up_at) AS moves "
        "FROM events e LEFT JOIN event_signups s ON s.event_id = e.id "
        "WHERE e.state != 'cancelled' AND e.starts_at >= ? AND e.starts_at < ? "
        "GROUP BY e.id ORDER BY e.starts_at, e.id",
        (to_db(start), to_db(end)),
    )
    return [
        EventFacts(
            kind=EventKind(row["kind"]),
            capacity=row["capacity"],
            signed_up=row["signed_up"],
            attended=row["attended"],
            no_shows=row["no_shows"],
            moves=row["moves"],
        )
        for row in rows
    ]
