"""Everything stored about one member, gathered for a data subject access request (GDPR art. 15).

Each query reads rows that concern the member or their household, with the columns as stored,
so that the export is complete by construction rather than by a list kept in step by hand.
"""

from __future__ import annotations

from typing import Any

from storage.db import Session

# What a person who is not a member has given, by their Telegram user id (:telegram): their
# registration of interest, and their sign-ups for information meetings with each meeting as
# they would look it up (what, when, where) and, while they wait, their number in the line.
_PROSPECT_SECTIONS = (
    (
        "interest_registrations",
        "SELECT name, phone, language, consented_at FROM interest "
        "WHERE telegram_user_id = :telegram ORDER BY id",
    ),
    (
        "information_meetings",
        "SELECT s.id, s.event_id, e.title, e.starts_at, e.ends_at, e.place, e.state AS "
        "event_state, s.adults, s.state, CASE WHEN s.state = 'waiting' THEN (SELECT count(*) "
        "FROM event_signups w WHERE w.event_id = s.event_id AND w.state = 'waiting' AND "
        "(w.queued_at < s.queued_at OR (w.queued_at = s.queued_at AND w.id <= s.id))) END "
        "AS waiting_position, s.queued_at, s.created_at, s.cancelled_at, s.attended, "
        "s.moved_up_at FROM event_signups s JOIN events e ON e.id = s.event_id "
        "WHERE s.interest_id IN (SELECT id FROM interest WHERE telegram_user_id = :telegram) "
        "ORDER BY e.starts_at, s.id",
    ),
)

# (section, SQL with the member id, household id and Telegram user id as :member, :household
# and :telegram)
_SECTIONS = (
    (
        "member",
        "SELECT id, telegram_user_id, language, telegram_language, newsletter, joined_at, "
        "told_files_unchecked FROM members WHERE id = :member",
    ),
    (
        "household",
        "SELECT id, role, display_name, created_at FROM households WHERE id = :household",
    ),
    (
        "household_adults",
        "SELECT id, joined_at FROM members WHERE household_id = :household AND id != :member",
    ),
    (
        "questions",
        "SELECT id, state, opened_at, offered_at, escalated_at, accepted_at, ended_at, "
        "ended_by, urgent, first_kind, preview, rating, rating_comment, topic "
        "FROM requests WHERE family_household_id = :household ORDER BY id",
    ),
    (
        "conversations_held",
        "SELECT id, state, accepted_at, ended_at, topic, mentor_note "
        "FROM requests WHERE mentor_member_id = :member ORDER BY id",
    ),
    (
        "offers_received",
        "SELECT request_id, state, offered_at FROM offers "
        "WHERE member_id = :member ORDER BY offered_at",
    ),
    (
        "shifts",
        "SELECT id, starts_at, ends_at, created_at FROM shifts "
        "WHERE household_id = :household ORDER BY starts_at",
    ),
    (
        "broadcasts_received",
        "SELECT broadcast_id, state, updated_at FROM deliveries "
        "WHERE member_id = :member ORDER BY broadcast_id",
    ),
    (
        "invites_created",
        "SELECT role, created_at, expires_at, used_at FROM invites "
        "WHERE created_by = :member ORDER BY created_at",
    ),
    (
        "audit_entries",
        "SELECT at, action, subject FROM audit_log WHERE actor_id = :member ORDER BY id",
    ),
    ("invite_used", "SELECT role, created_at, used_at FROM invites WHERE used_by = :member"),
    (
        "shift_swaps",
        "SELECT id, shift_id, offered_at, state, taken_at, "
        "offered_by = :household AS offered_by_household FROM shift_swaps "
        "WHERE offered_by = :household OR taken_by = :household ORDER BY id",
    ),
    (
        "swap_offers_received",
        "SELECT swap_id, message_id FROM swap_messages WHERE chat_id = :telegram ORDER BY swap_id",
    ),
    # When the household said it cannot be on duty, and why (only the category pressed).
    (
        "away",
        "SELECT id, starts_at, ends_at, reason, created_by = :member AS set_by_me, created_at "
        "FROM away_spans WHERE household_id = :household ORDER BY starts_at",
    ),
    # The events the household signed up for, with how many came, also those given up; whether
    # they came, as a coordinator marked it, and when a wait for a place ended in one.
    (
        "event_signups",
        "SELECT id, event_id, adults, children, state, queued_at, created_at, cancelled_at, "
        "attended, moved_up_at FROM event_signups WHERE household_id = :household ORDER BY id",
    ),
    # The course days the household attended, a count per calendar year.
    (
        "course_days",
        "SELECT year, days FROM course_days WHERE household_id = :household ORDER BY year",
    ),
    # A family's own mentor household, and a mentor household's families (by number).
    (
        "own_mentor_family",
        "SELECT mentor_household_id, linked_at FROM mentor_links "
        "WHERE family_household_id = :household",
    ),
    (
        "mentor_families",
        "SELECT family_household_id, linked_at FROM mentor_links "
        "WHERE mentor_household_id = :household ORDER BY family_household_id",
    ),
    # The experience a coordinator set for the mentor household.
    (
        "experience",
        "SELECT tag FROM household_experience WHERE household_id = :household ORDER BY tag",
    ),
    # The mentor's requests to be called back after a conversation, and those a coordinator took.
    (
        "talk_it_through_asked",
        "SELECT id, request_id, asked_at, acknowledged_at FROM debriefs "
        "WHERE mentor_member_id = :member ORDER BY id",
    ),
    (
        "talk_it_through_taken",
        "SELECT id, request_id, acknowledged_at FROM debriefs "
        "WHERE acknowledged_by = :member ORDER BY id",
    ),
    (
        "talk_it_through_messages",
        "SELECT debrief_id, message_id FROM debrief_messages WHERE chat_id = :telegram",
    ),
    # Notes for the social worker the mentor wrote, and those about the family's questions.
    (
        "notes_written",
        "SELECT id, request_id, body, written_at, consent, decided_at, delivered_at "
        "FROM unit_notes WHERE mentor_member_id = :member ORDER BY id",
    ),
    (
        "notes_about_us",
        "SELECT id, request_id, body, written_at, consent, decided_at, delivered_at "
        "FROM unit_notes WHERE request_id IN "
        "(SELECT id FROM requests WHERE family_household_id = :household) ORDER BY id",
    ),
    (
        "note_prompts",
        "SELECT id, prompt_message_id FROM unit_notes WHERE prompt_chat_id = :telegram",
    ),
    # What the family said its questions were about.
    (
        "question_topics",
        "SELECT request_id, tag FROM request_topics WHERE request_id IN "
        "(SELECT id FROM requests WHERE family_household_id = :household) ORDER BY request_id",
    ),
    (
        "events_created",
        "SELECT id, kind, title, starts_at, created_at FROM events "
        "WHERE created_by = :member ORDER BY id",
    ),
    (
        "open_shifts_taken",
        "SELECT id, starts_at, ends_at, state, shift_id, taken_at FROM gap_offers "
        "WHERE taken_by = :household ORDER BY id",
    ),
    (
        "open_shifts_shown",
        "SELECT offer_id, message_id FROM gap_offer_messages WHERE chat_id = :telegram "
        "ORDER BY offer_id",
    ),
    (
        "open_shift_requests_shown",
        "SELECT offer_id, message_id FROM gap_request_messages WHERE chat_id = :telegram "
        "ORDER BY offer_id",
    ),
    (
        "broadcasts_written",
        "SELECT id, audience, kind, body, state, send_at, created_at "
        "FROM broadcasts WHERE created_by = :member ORDER BY id",
    ),
    (
        "shifts_booked",
        "SELECT id, household_id, starts_at, ends_at, created_at FROM shifts "
        "WHERE created_by = :member ORDER BY starts_at",
    ),
    # Pointers to messages in their own chat (no content): which message belongs to which
    # question, so that a reply reaches the right conversation.
    (
        "relayed_messages",
        "SELECT request_id, purpose, message_id FROM relays "
        "WHERE chat_id = :telegram ORDER BY request_id, message_id",
    ),
    (
        "waiting_messages",
        "SELECT request_id, message_id, received_at FROM request_messages "
        "WHERE chat_id = :telegram ORDER BY request_id, message_id",
    ),
    # A mentor's message waiting for them to say which family it is for.
    (
        "unaddressed_messages",
        "SELECT id, message_id, received_at FROM unaddressed_messages "
        "WHERE member_id = :member ORDER BY id",
    ),
    # A registration of interest made before they joined, from the same Telegram account, and
    # the places at information meetings it held.
    *_PROSPECT_SECTIONS,
    # That MENTORBOT_COORDINATORS named their account, and made it a coordinator once.
    (
        "made_coordinator_by_configuration",
        "SELECT added_at FROM configured_coordinators WHERE telegram_user_id = :telegram",
    ),
)


async def personal_data(
    session: Session, member_id: int, household_id: int, telegram_user_id: int
) -> dict[str, Any]:
    params = {"member": member_id, "household": household_id, "telegram": telegram_user_id}
    return await _export(session, _SECTIONS, params)


async def _export(
    session: Session, sections: tuple[tuple[str, str], ...], params: dict[str, int]
) -> dict[str, Any]:
    export: dict[str, Any] = {}
    for section, sql in sections:
        rows = await session.fetch_all(sql, params)
        export[section] = [dict(row) for row in rows]
    return export


async def prospect_data(session: Session, telegram_user_id: int) -> dict[str, Any]:
    """Everything stored about a person who is not a member, for their own /mydata."""
    return await _export(session, _PROSPECT_SECTIONS, {"telegram": telegram_user_id})


async def erase_member(session: Session, member_id: int, household_id: int) -> bool:
    """Erase one adult's personal data; their questions stay as anonymous metadata.

    Returns True when the household was left without adults and so was anonymised too: its
    name gone, its questions' words gone, any open question withdrawn.
    """
    telegram = await session.fetch_one(
        "SELECT telegram_user_id FROM members WHERE id = ?", (member_id,)
    )
    if telegram is None:
        return False
    chat_id = telegram["telegram_user_id"]
    # Where their chat appears outside their own rows: pointers, the audit log, a registration
    # of interest from before they joined (deliveries and status messages: bot/departures.py).
    await session.execute("DELETE FROM relays WHERE chat_id = ?", (chat_id,))
    await session.execute("DELETE FROM request_messages WHERE chat_id = ?", (chat_id,))
    await session.execute("DELETE FROM swap_messages WHERE chat_id = ?", (chat_id,))
    await session.execute("DELETE FROM gap_offer_messages WHERE chat_id = ?", (chat_id,))
    await session.execute("DELETE FROM gap_request_messages WHERE chat_id = ?", (chat_id,))
    await session.execute("DELETE FROM debrief_messages WHERE chat_id = ?", (chat_id,))
    await session.execute("DELETE FROM interest WHERE telegram_user_id = ?", (chat_id,))
    await session.execute("UPDATE audit_log SET actor = NULL WHERE actor_id = ?", (member_id,))
    await session.execute(
        "UPDATE requests SET mentor_note = NULL WHERE mentor_member_id = ?", (member_id,)
    )
    await session.execute("DELETE FROM members WHERE id = ?", (member_id,))
    remaining = await session.fetch_one(
        "SELECT COUNT(*) AS n FROM members WHERE household_id = ?", (household_id,)
    )
    if remaining is None or remaining["n"]:
        return False
    await session.execute("UPDATE households SET display_name = NULL WHERE id = ?", (household_id,))
    # Its sign-ups for events keep their counts, for the figures, and lose whose they were.
    await session.execute(
        "UPDATE event_signups SET household_id = NULL WHERE household_id = ?", (household_id,)
    )
    # Its open question was ended in this transaction already (routing.end_for_departure).
    await session.execute(
        "UPDATE requests SET preview = NULL, rating_comment = NULL, mentor_note = NULL "
        "WHERE family_household_id = ?",
        (household_id,),
    )
    await session.execute(
        "DELETE FROM relays WHERE request_id IN "
        "(SELECT id FROM requests WHERE family_household_id = ?)",
        (household_id,),
    )
    return True
