"""Requests, the offers made for them, the messages waiting to be relayed, and relays."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from storage import households, matching
from storage.db import Params, Row, Session, many_values
from storage.matching import AdultFacts, QuestionFacts
from storage.models import (
    OPEN_REQUEST_STATES,
    Kind,
    Member,
    OfferMessage,
    RelayPurpose,
    Request,
    RequestState,
    Side,
    from_db,
    to_db,
)
from storage.numbers import next_number

_SELECT = """
    SELECT r.*, f.display_name AS family_name, m.display_name AS mentor_name
    FROM requests r
    LEFT JOIN households f ON f.id = r.family_household_id
    LEFT JOIN households m ON m.id = r.mentor_household_id
"""
_OPEN = ",".join(f"'{state.value}'" for state in OPEN_REQUEST_STATES)


def _moment(text: str | None) -> datetime | None:
    return from_db(text) if text else None


def _request(row: Row) -> Request:
    return Request(
        id=row["id"],
        family_household_id=row["family_household_id"],
        family_name=row["family_name"],
        state=RequestState(row["state"]),
        escalation=row["escalation"],
        urgent=bool(row["urgent"]),
        first_kind=Kind(row["first_kind"]),
        preview=row["preview"],
        opened_at=from_db(row["opened_at"]),
        offered_at=_moment(row["offered_at"]),
        escalated_at=_moment(row["escalated_at"]),
        accepted_at=_moment(row["accepted_at"]),
        mentor_member_id=row["mentor_member_id"],
        mentor_name=row["mentor_name"],
    )


async def open_request(
    session: Session,
    family_household_id: int,
    state: RequestState,
    *,
    first_kind: Kind,
    preview: str | None,
    urgent: bool,
    now: datetime,
) -> Request:
    """The new request, as `request_by_id` would read it, from the INSERT itself: a family's
    question reads it back in no trip of its own."""
    row = await session.fetch_one(
        "INSERT INTO requests (id, family_household_id, state, first_kind, preview, urgent, "
        f"opened_at, offered_at) VALUES ({next_number('requests')}, ?, ?, ?, ?, ?, ?, ?) "
        "RETURNING *, (SELECT f.display_name FROM households f "
        "WHERE f.id = requests.family_household_id) AS family_name, NULL AS mentor_name",
        (
            family_household_id,
            state.value,
            first_kind.value,
            preview,
            int(urgent),
            to_db(now),
            to_db(now) if state is RequestState.OFFERED else None,
        ),
    )
    if row is None:
        raise sqlite3.IntegrityError("INSERT INTO requests returned no row")
    return _request(row)


async def request_by_id(session: Session, request_id: int) -> Request | None:
    sql, params = _request_by_id(request_id)
    row = await session.fetch_one(sql, params)
    return _request(row) if row else None


def _request_by_id(request_id: int) -> tuple[str, Params]:
    return _SELECT + "WHERE r.id = ?", (request_id,)


async def open_request_of_family(session: Session, family_household_id: int) -> Request | None:
    sql, params = _open_request_of_family(family_household_id)
    row = await session.fetch_one(sql, params)
    return _request(row) if row else None


@dataclass(frozen=True, slots=True)
class FirstLook:
    """What a family's message needs to know first, read in one trip."""

    open_request: Request | None
    on_duty: list[Member]  # every adult on duty now (`households.members_on_duty`)
    # What routing weighs (`matching.routing_facts`), were the message to open a question.
    new_question: tuple[QuestionFacts, list[AdultFacts]]


async def first_look(session: Session, family_household_id: int, now: datetime) -> FirstLook:
    open_rows, on_duty, own, adults = await session.fetch_together(
        [
            _open_request_of_family(family_household_id),
            households.members_on_duty_query(now),
            *matching.new_question_facts_queries(family_household_id, now),
        ]
    )
    return FirstLook(
        _request(open_rows[0]) if open_rows else None,
        households.members_of(on_duty),
        matching.new_question_facts(own, adults),
    )


async def request_and_its_sides(
    session: Session, request_id: int
) -> tuple[Request | None, list[Member], Member | None]:
    """The request, its family's adults and the adult holding it, in one trip: what each
    message relayed in a conversation reads."""
    found, family, mentor = await session.fetch_together(
        [
            _request_by_id(request_id),
            households.members_where(
                "h.id = (SELECT family_household_id FROM requests WHERE id = ?) ORDER BY m.id",
                (request_id,),
            ),
            households.members_where(
                "m.id = (SELECT mentor_member_id FROM requests WHERE id = ?)", (request_id,)
            ),
        ]
    )
    return (
        _request(found[0]) if found else None,
        households.members_of(family),
        households.members_of(mentor)[0] if mentor else None,
    )


async def request_and_on_duty(
    session: Session, request_id: int, now: datetime
) -> tuple[Request | None, list[Member]]:
    """A request and every adult on duty now (`members_on_duty`), read in one trip."""
    found, on_duty = await session.fetch_together(
        [_request_by_id(request_id), households.members_on_duty_query(now)]
    )
    return (_request(found[0]) if found else None), households.members_of(on_duty)


def _open_request_of_family(family_household_id: int) -> tuple[str, Params]:
    return (
        _SELECT + f"WHERE r.family_household_id = ? AND r.state IN ({_OPEN})",
        (family_household_id,),
    )


async def requests_in_states(session: Session, states: Sequence[RequestState]) -> list[Request]:
    marks = ",".join("?" * len(states))
    rows = await session.fetch_all(
        _SELECT + f"WHERE r.state IN ({marks}) ORDER BY r.opened_at, r.id",
        tuple(state.value for state in states),
    )
    return [_request(row) for row in rows]


async def conversations_of_mentor(session: Session, mentor_member_id: int) -> list[Request]:
    """The mentor's open conversations, the most recently accepted first."""
    rows = await session.fetch_all(
        _SELECT + "WHERE r.mentor_member_id = ? AND r.state = 'accepted' "
        "ORDER BY r.accepted_at DESC, r.id DESC",
        (mentor_member_id,),
    )
    return [_request(row) for row in rows]


async def mark_offered(session: Session, request_id: int, now: datetime) -> bool:
    """A waiting request goes out at the next shift's start."""
    return (
        await session.execute(
            "UPDATE requests SET state = 'offered', offered_at = ? "
            "WHERE id = ? AND state = 'waiting'",
            (to_db(now), request_id),
        )
        == 1
    )


async def mark_urgent(session: Session, request_id: int) -> bool:
    """True when the request was not urgent before: the coordinators are told once."""
    return (
        await session.execute(
            "UPDATE requests SET urgent = 1 WHERE id = ? AND urgent = 0", (request_id,)
        )
        == 1
    )


async def send_to_coordinators(
    session: Session, request_id: int, level: int, now: datetime
) -> bool:
    """A waiting question that would wait too long goes to the coordinators' step at once."""
    return await session.changed_one(
        "UPDATE requests SET state = 'offered', offered_at = ?, escalation = ?, "
        "escalated_at = ? WHERE id = ? AND state = 'waiting'",
        (to_db(now), level, to_db(now), request_id),
    )


async def expire(session: Session, request_id: int, level: int, now: datetime) -> bool:
    """Nobody took the question at the coordinators' step in time: it ends, once."""
    return await session.changed_one(
        "UPDATE requests SET state = 'expired', ended_at = ? "
        "WHERE id = ? AND state = 'offered' AND escalation = ?",
        (to_db(now), request_id, level),
    )


async def escalate(session: Session, request_id: int, level: int, now: datetime) -> bool:
    """Move an offered request to `level`, once: a second timer for the same step does nothing."""
    return (
        await session.execute(
            "UPDATE requests SET escalation = ?, escalated_at = ? "
            "WHERE id = ? AND state = 'offered' AND escalation = ?",
            (level, to_db(now), request_id, level - 1),
        )
        == 1
    )


async def claim(
    session: Session, request_id: int, member_id: int, household_id: int, now: datetime
) -> bool:
    """The first Accept wins: one conditional update decides it."""
    return (
        await session.execute(
            "UPDATE requests SET state = 'accepted', accepted_at = ?, last_message_at = ?, "
            "mentor_member_id = ?, mentor_household_id = ? WHERE id = ? AND state = 'offered'",
            (to_db(now), to_db(now), member_id, household_id, request_id),
        )
        == 1
    )


async def finish(
    session: Session,
    request_id: int,
    from_states: Sequence[RequestState],
    to_state: RequestState,
    ended_by: Side | None,
    now: datetime,
) -> bool:
    marks = ",".join("?" * len(from_states))
    return (
        await session.execute(
            f"UPDATE requests SET state = ?, ended_at = ?, ended_by = ? "
            f"WHERE id = ? AND state IN ({marks})",
            (
                to_state.value,
                to_db(now),
                None if ended_by is None else ended_by.value,
                request_id,
                *(s.value for s in from_states),
            ),
        )
        == 1
    )


async def set_rating(session: Session, request_id: int, rating: int) -> bool:
    return (
        await session.execute(
            "UPDATE requests SET rating = ? WHERE id = ? AND state = 'closed'",
            (rating, request_id),
        )
        == 1
    )


async def set_topic(session: Session, request_id: int, topic: str) -> bool:
    return (
        await session.execute(
            "UPDATE requests SET topic = ? WHERE id = ? AND state = 'closed'", (topic, request_id)
        )
        == 1
    )


async def set_comment(session: Session, request_id: int, purpose: RelayPurpose, text: str) -> None:
    column = {RelayPurpose.COMMENT: "rating_comment", RelayPurpose.NOTE: "mentor_note"}[purpose]
    await session.execute(f"UPDATE requests SET {column} = ? WHERE id = ?", (text, request_id))


async def take_over(
    session: Session, request_id: int, member_id: int, household_id: int, holder_id: int
) -> bool:
    """A mentor on duty takes a conversation from one who is not: once, from them."""
    return (
        await session.execute(
            "UPDATE requests SET mentor_member_id = ?, mentor_household_id = ? "
            "WHERE id = ? AND state = 'accepted' AND mentor_member_id = ?",
            (member_id, household_id, request_id, holder_id),
        )
        == 1
    )


# Messages waiting for a mentor --------------------------------------------------------------


async def add_pending_message(
    session: Session, request_id: int, chat_id: int, message_id: int, now: datetime
) -> None:
    session.write_along(
        "INSERT OR IGNORE INTO request_messages (request_id, chat_id, message_id, received_at) "
        "VALUES (?, ?, ?, ?)",
        (request_id, chat_id, message_id, to_db(now)),
    )


async def pending_messages(session: Session, request_id: int) -> list[tuple[int, int]]:
    rows = await session.fetch_all(
        # rowid is arrival order; message ids are per chat and times only to the second.
        "SELECT chat_id, message_id FROM request_messages WHERE request_id = ? ORDER BY rowid",
        (request_id,),
    )
    return [(row["chat_id"], row["message_id"]) for row in rows]


async def drop_pending_messages(
    session: Session, request_id: int, sources: Sequence[tuple[int, int]]
) -> None:
    await session.execute_many(
        "DELETE FROM request_messages WHERE request_id = ? AND chat_id = ? AND message_id = ?",
        [(request_id, chat_id, message_id) for chat_id, message_id in sources],
    )


async def accepted_with_pending_messages(session: Session) -> list[int]:
    """Conversations whose waiting messages were never handed over (a stop came between)."""
    rows = await session.fetch_all(
        "SELECT DISTINCT m.request_id FROM request_messages m "
        "JOIN requests r ON r.id = m.request_id WHERE r.state = 'accepted' ORDER BY m.request_id"
    )
    return [row["request_id"] for row in rows]


async def unsent_offers(session: Session) -> list[tuple[int, int]]:
    """(request, member) of open offers recorded but never shown (a stop came between)."""
    rows = await session.fetch_all(
        "SELECT o.request_id, o.member_id FROM offers o JOIN requests r ON r.id = o.request_id "
        "WHERE o.state = 'open' AND o.message_id IS NULL AND r.state IN ('offered', 'accepted') "
        "ORDER BY o.request_id, o.member_id"
    )
    return [(row["request_id"], row["member_id"]) for row in rows]


async def forget_pending_messages(session: Session, request_id: int) -> None:
    await session.execute("DELETE FROM request_messages WHERE request_id = ?", (request_id,))


# Offers ---------------------------------------------------------------------------------------


async def add_offers(
    session: Session,
    request_id: int,
    offers: Sequence[tuple[int, int, str | None]],
    now: datetime,
) -> set[int]:
    """Offer the request to each (member id, chat id, reason) in one statement; returns the
    members newly offered it: one offered it before is skipped (an escalation asks only the new).
    `reason`: why routing chose them (bot/matching.Reason), for /requests."""
    if not offers:
        return set()
    values, params = many_values(
        [
            (request_id, member_id, chat_id, to_db(now), reason)
            for member_id, chat_id, reason in offers
        ],
        "(?, ?, ?, 'open', ?, ?)",
    )
    rows = await session.fetch_all(
        "INSERT OR IGNORE INTO offers "
        f"(request_id, member_id, chat_id, state, offered_at, reason) {values} "
        "RETURNING member_id",
        params,
    )
    return {row["member_id"] for row in rows}


async def offer_again(
    session: Session, request_id: int, member_id: int, chat_id: int, now: datetime
) -> bool:
    """Open an offer to this adult, whether or not they were asked before; False if it is open."""
    return (
        await session.execute(
            "INSERT INTO offers (request_id, member_id, chat_id, state, offered_at) "
            "VALUES (?, ?, ?, 'open', ?) ON CONFLICT (request_id, member_id) DO UPDATE "
            "SET state = 'open', offered_at = excluded.offered_at, message_id = NULL "
            "WHERE state != 'open'",
            (request_id, member_id, chat_id, to_db(now)),
        )
        == 1
    )


async def offer_take_over(
    session: Session, request_id: int, member_id: int, chat_id: int, now: datetime
) -> bool:
    """Offer a conversation to this adult unless it is open to them or they declined it."""
    return await session.changed_one(
        "INSERT INTO offers (request_id, member_id, chat_id, state, offered_at) "
        "VALUES (?, ?, ?, 'open', ?) ON CONFLICT (request_id, member_id) DO UPDATE "
        "SET state = 'open', offered_at = excluded.offered_at, message_id = NULL "
        "WHERE state = 'closed'",
        (request_id, member_id, chat_id, to_db(now)),
    )


async def set_offer_messages(
    session: Session, request_id: int, shown: Sequence[tuple[int, int]]
) -> None:
    """The message each (member id, message id) offer went out as: what Accept edits."""
    session.write_many_along(
        "UPDATE offers SET message_id = ? WHERE request_id = ? AND member_id = ?",
        [(message_id, request_id, member_id) for member_id, message_id in shown],
    )


async def open_offer(session: Session, request_id: int, member_id: int) -> bool:
    row = await session.fetch_one(
        "SELECT 1 FROM offers WHERE request_id = ? AND member_id = ? AND state = 'open'",
        (request_id, member_id),
    )
    return row is not None


async def decline_offer(session: Session, request_id: int, member_id: int) -> bool:
    return (
        await session.execute(
            "UPDATE offers SET state = 'declined' WHERE request_id = ? AND member_id = ? "
            "AND state = 'open'",
            (request_id, member_id),
        )
        == 1
    )


async def close_offers(session: Session, request_id: int) -> list[OfferMessage]:
    """Close every open offer of a request; returns where they were shown."""
    rows = await session.fetch_all(
        "SELECT member_id, chat_id, message_id FROM offers WHERE request_id = ? AND state = 'open'",
        (request_id,),
    )
    await session.execute(
        "UPDATE offers SET state = 'closed' WHERE request_id = ? AND state = 'open'",
        (request_id,),
    )
    return [OfferMessage(row["member_id"], row["chat_id"], row["message_id"]) for row in rows]


# Relays ---------------------------------------------------------------------------------------


async def add_relay(
    session: Session,
    chat_id: int,
    message_id: int,
    request_id: int,
    purpose: RelayPurpose,
    copied_at: datetime | None = None,
) -> None:
    """A message the bot put into a chat for a request; `copied_at` when it is a copy of a
    person's message (or its label), which an erasure deletes from Telegram while it may."""
    session.write_along(
        "INSERT OR REPLACE INTO relays (chat_id, message_id, request_id, purpose, copied_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (chat_id, message_id, request_id, purpose.value, to_db(copied_at) if copied_at else None),
    )


async def copies_of_departing(
    session: Session, member_id: int, household_id: int, last_adult: bool, since: datetime
) -> list[tuple[int, int]]:
    """(chat, message) of the copies made since `since` that an adult's erasure deletes: every
    copy in their own chat, and both sides' copies of the conversations that end with them,
    those they held as a mentor and, when they are its last adult, their family's."""
    telegram = "SELECT telegram_user_id FROM members WHERE id = :member"
    rows = await session.fetch_all(
        "SELECT chat_id, message_id FROM relays WHERE copied_at >= :since AND ("
        f"chat_id = ({telegram}) "
        "OR request_id IN (SELECT id FROM requests WHERE mentor_member_id = :member) "
        "OR (:last AND request_id IN "
        "(SELECT id FROM requests WHERE family_household_id = :household))"
        ") ORDER BY chat_id, message_id",
        {
            "member": member_id,
            "household": household_id,
            "last": int(last_adult),
            "since": to_db(since),
        },
    )
    return [(row["chat_id"], row["message_id"]) for row in rows]


async def note_activity(session: Session, request_id: int, now: datetime) -> None:
    """A message went across the conversation: its idle clock starts again."""
    session.write_along(
        "UPDATE requests SET last_message_at = ? WHERE id = ? AND state = 'accepted'",
        (to_db(now), request_id),
    )


async def idle_conversations(session: Session, since: datetime) -> list[int]:
    """Conversations in which nothing has been relayed since `since`."""
    rows = await session.fetch_all(
        "SELECT id FROM requests WHERE state = 'accepted' "
        "AND COALESCE(last_message_at, accepted_at) < ? ORDER BY id",
        (to_db(since),),
    )
    return [row["id"] for row in rows]


async def relay_of(
    session: Session, chat_id: int, message_id: int
) -> tuple[int, RelayPurpose] | None:
    row = await session.fetch_one(
        "SELECT request_id, purpose FROM relays WHERE chat_id = ? AND message_id = ?",
        (chat_id, message_id),
    )
    return (row["request_id"], RelayPurpose(row["purpose"])) if row else None


async def relays_in_chat(session: Session, request_id: int, chat_id: int) -> list[int]:
    """The messages the bot put into one chat for a request, oldest first."""
    rows = await session.fetch_all(
        "SELECT message_id FROM relays WHERE request_id = ? AND chat_id = ? AND purpose = 'relay' "
        "ORDER BY message_id",
        (request_id, chat_id),
    )
    return [row["message_id"] for row in rows]


async def declined_members(session: Session, request_id: int) -> set[int]:
    rows = await session.fetch_all(
        "SELECT member_id FROM offers WHERE request_id = ? AND state = 'declined'", (request_id,)
    )
    return {row["member_id"] for row in rows}


async def erase_content_ended_before(session: Session, cutoff: datetime) -> int:
    """Forget what ended questions said; their states, times, rating and topic remain."""
    ended = (
        "SELECT id FROM requests WHERE state IN ('closed', 'cancelled', 'expired') AND ended_at < ?"
    )
    erased = await session.execute(
        "UPDATE requests SET preview = NULL, rating_comment = NULL, mentor_note = NULL "
        f"WHERE id IN ({ended}) AND (preview IS NOT NULL OR rating_comment IS NOT NULL "
        "OR mentor_note IS NOT NULL)",
        (to_db(cutoff),),
    )
    await session.execute(
        f"DELETE FROM request_messages WHERE request_id IN ({ended})", (to_db(cutoff),)
    )
    await session.execute(f"DELETE FROM relays WHERE request_id IN ({ended})", (to_db(cutoff),))
    # A mentor's message never addressed to a family (the conversations ended first).
    await session.execute(
        "DELETE FROM unaddressed_messages WHERE received_at < ?", (to_db(cutoff),)
    )
    return erased


async def request_of_bot_message(session: Session, chat_id: int, message_id: int) -> int | None:
    """The request a message the bot put into this chat was about: a relayed copy, a label, an
    offer (which becomes the "you took it" notice), or the thanks for a rating or a topic."""
    row = await session.fetch_one(
        "SELECT request_id FROM relays WHERE chat_id = ? AND message_id = ? "
        "UNION ALL SELECT request_id FROM offers WHERE chat_id = ? AND message_id = ? LIMIT 1",
        (chat_id, message_id, chat_id, message_id),
    )
    return row["request_id"] if row else None


async def waiting_request_of_message(session: Session, chat_id: int, message_id: int) -> int | None:
    """The question this message waits in for a mentor, if it still waits."""
    row = await session.fetch_one(
        "SELECT m.request_id FROM request_messages m JOIN requests r ON r.id = m.request_id "
        "WHERE m.chat_id = ? AND m.message_id = ? AND r.state IN ('waiting', 'offered')",
        (chat_id, message_id),
    )
    return row["request_id"] if row else None


async def drop_pending_message(
    session: Session, request_id: int, chat_id: int, message_id: int
) -> bool:
    return (
        await session.execute(
            "DELETE FROM request_messages WHERE request_id = ? AND chat_id = ? AND message_id = ?",
            (request_id, chat_id, message_id),
        )
        == 1
    )


# Messages waiting for the mentor to say which conversation they are for -----------------------


async def park_messages(
    session: Session, member_id: int, chat_id: int, message_ids: Sequence[int], now: datetime
) -> int:
    """Park a message, or an album's items together; returns the number the buttons carry."""
    first = None
    for message_id in message_ids:
        parked = await session.insert(
            "INSERT INTO unaddressed_messages (id, member_id, chat_id, message_id, "
            f"received_at, album_of) VALUES ({next_number('unaddressed_messages')}, "
            "?, ?, ?, ?, ?)",
            (member_id, chat_id, message_id, to_db(now), first),
        )
        first = first or parked
    if first is None:
        raise ValueError("nothing to park")
    return first


async def take_parked_messages(
    session: Session, parked_id: int, member_id: int
) -> list[tuple[int, int]]:
    """(chat, message) of the member's parked message(s), in order, taken once: a second press
    finds none."""
    rows = await session.fetch_all(
        "SELECT chat_id, message_id FROM unaddressed_messages "
        "WHERE (id = ? OR album_of = ?) AND member_id = ? ORDER BY message_id",
        (parked_id, parked_id, member_id),
    )
    await session.execute(
        "DELETE FROM unaddressed_messages WHERE (id = ? OR album_of = ?) AND member_id = ?",
        (parked_id, parked_id, member_id),
    )
    return [(row["chat_id"], row["message_id"]) for row in rows]


async def parked_message(
    session: Session, member_id: int, chat_id: int, message_id: int
) -> int | None:
    row = await session.fetch_one(
        "SELECT id FROM unaddressed_messages WHERE member_id = ? AND chat_id = ? "
        "AND message_id = ?",
        (member_id, chat_id, message_id),
    )
    return row["id"] if row else None


async def drop_parked_message(
    session: Session, member_id: int, chat_id: int, message_id: int
) -> bool:
    """Drop a parked message and, when it is part of one, the whole album it waits with."""
    row = await session.fetch_one(
        "SELECT COALESCE(album_of, id) AS first FROM unaddressed_messages "
        "WHERE member_id = ? AND chat_id = ? AND message_id = ?",
        (member_id, chat_id, message_id),
    )
    return row is not None and bool(await take_parked_messages(session, row["first"], member_id))
