"""The right of access: every section, the member's own rows only, and audited for coordinators."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from enum import Enum

from bot import audit, personal_data, routing
from storage import shifts
from storage.db import Database
from storage.models import Kind, Member, RelayPurpose, Role
from tests.support import make_household

NOW = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
SECTIONS = {
    "exported_at",
    "member",
    "household",
    "household_adults",
    "questions",
    "conversations_held",
    "offers_received",
    "shifts",
    "broadcasts_received",
    "invites_created",
    "audit_entries",
    "invite_used",
    "shift_swaps",
    "swap_offers_received",
    "away",
    "event_signups",
    "course_days",
    "own_mentor_family",
    "mentor_families",
    "experience",
    "talk_it_through_asked",
    "talk_it_through_taken",
    "talk_it_through_messages",
    "notes_written",
    "notes_about_us",
    "note_prompts",
    "question_topics",
    "events_created",
    "open_shifts_taken",
    "open_shifts_shown",
    "open_shift_requests_shown",
    "broadcasts_written",
    "shifts_booked",
    "relayed_messages",
    "waiting_messages",
    "unaddressed_messages",
    "interest_registrations",
    "information_meetings",
    "made_coordinator_by_configuration",
}


async def test_a_family_gets_its_own_rows_and_nobody_elses(db: Database) -> None:
    ek = await make_household(db, Role.FAMILY, "Familjen Ek", (31, 32), NOW - timedelta(days=9))
    (ask,) = await make_household(db, Role.FAMILY, "Familjen Ask", (51,), NOW)
    await routing.take_message(
        db, ek[0], 31, 100, kind=Kind.TEXT, preview="Sömnen", urgent=False, now=NOW
    )
    await routing.take_message(
        db, ask, 51, 7, kind=Kind.TEXT, preview="Skolan", urgent=False, now=NOW
    )

    data = await personal_data.export(db, ek[0].id, ek[0], NOW)

    assert data is not None
    exported = json.loads(data)
    assert set(exported) == SECTIONS
    assert exported["member"][0]["telegram_user_id"] == 31
    assert [adult["id"] for adult in exported["household_adults"]] == [ek[1].id]
    assert [q["preview"] for q in exported["questions"]] == ["Sömnen"]
    assert await audit.latest(db, 5) == []  # a member's own export is not a coordinator action


async def test_a_coordinators_export_is_audited_and_an_unknown_member_is_none(
    db: Database,
) -> None:
    (karin,) = await make_household(db, Role.COORDINATOR, "Karin", (1,), NOW)
    (ek,) = await make_household(db, Role.FAMILY, "Familjen Ek", (31,), NOW)

    assert await personal_data.export(db, 999, karin, NOW) is None
    assert await personal_data.export(db, ek.id, karin, NOW) is not None

    (entry,) = await audit.latest(db, 5)
    assert (entry.actor, entry.action, entry.subject) == (
        "Karin",
        "data_export",
        f"member #{ek.id} (family)",
    )


async def test_erasure_leaves_metadata_without_a_person(db: Database) -> None:
    (karin,) = await make_household(db, Role.COORDINATOR, "Karin", (1,), NOW)
    ek = await make_household(db, Role.FAMILY, "Familjen Ek", (31, 32), NOW)
    opened = await routing.take_message(
        db, ek[0], 31, 100, kind=Kind.TEXT, preview="Sömnen", urgent=False, now=NOW
    )

    # One adult goes: the household and its open question stay, with the partner.
    assert await personal_data.erase(db, ek[0].id, karin, NOW) is not None
    async with db.read() as session:
        row = await session.fetch_one(
            "SELECT h.display_name, r.state, r.preview FROM requests r "
            "JOIN households h ON h.id = r.family_household_id WHERE r.id = ?",
            (opened.request.id,),
        )
    assert row is not None and tuple(row) == ("Familjen Ek", "waiting", "Sömnen")

    # The last adult goes: no name, no words, the question withdrawn; its times remain.
    assert await personal_data.erase(db, ek[1].id, ek[1], NOW) is not None
    async with db.read() as session:
        row = await session.fetch_one(
            "SELECT h.display_name, r.state, r.preview, r.opened_at, "
            "(SELECT COUNT(*) FROM members WHERE household_id = h.id) AS adults, "
            "(SELECT COUNT(*) FROM request_messages) AS pointers FROM requests r "
            "JOIN households h ON h.id = r.family_household_id WHERE r.id = ?",
            (opened.request.id,),
        )
    assert row is not None
    assert tuple(row) == (None, "cancelled", None, opened.request.opened_at.isoformat(), 0, 0)
    assert await personal_data.erase(db, ek[1].id, karin, NOW) is None
    entries = await audit.latest(db, 5)
    assert [(e.action, e.subject) for e in entries] == [("erasure", f"member #{ek[0].id} (family)")]


async def on_duty(db: Database, mentor: Member, start: datetime, end: datetime) -> None:
    async with db.write() as session:
        await shifts.add_shift(session, mentor.household.id, start, end, None, start)


async def test_erasure_lists_the_copies_the_bot_may_still_delete(db: Database) -> None:
    """The copies of a conversation that ends with the adult, in both chats, and those in their
    own chat; younger than 48 hours, and only copies, not the bot's own messages."""
    now = NOW
    ek, partner = await make_household(db, Role.FAMILY, "Familjen Ek", (31, 32), now - DAY)
    (berg,) = await make_household(db, Role.MENTOR, "Familjen Berg", (11,), now - DAY)
    (karin,) = await make_household(db, Role.COORDINATOR, "Karin", (1,), now - DAY)
    await on_duty(db, berg, now - 4 * DAY, now)
    taken = await routing.take_message(
        db, ek, 31, 100, kind=Kind.TEXT, preview="Hej", urgent=False, now=now - 3 * DAY
    )
    request = taken.request
    assert not isinstance(await routing.accept(db, berg, request.id, now - 3 * DAY), Enum)
    await routing.remember_relays(db, 11, [400], request, now - 3 * DAY)  # too old by now
    await routing.remember_relays(db, 11, [500, 501], request, now - HOUR)  # label and copy
    await routing.remember_relays(db, 31, [600], request, now - HOUR)  # Berg's reply
    await routing.remember_relays(db, 32, [601], request, now - HOUR)  # to the partner too
    # the bot's own question
    await routing.remember_relay(db, 11, 700, request.id, RelayPurpose.NOTE)

    first = await personal_data.erase(db, partner.id, karin, now)
    assert first is not None and first.copies == [(32, 601)]  # Ek carries the conversation on
    last = await personal_data.erase(db, ek.id, karin, now)
    assert last is not None and last.copies == [(11, 500), (11, 501), (31, 600)]


async def test_a_mentors_erasure_lists_both_sides_of_the_conversations_held(
    db: Database,
) -> None:
    now = NOW
    (ek,) = await make_household(db, Role.FAMILY, "Familjen Ek", (31,), now - DAY)
    (berg,) = await make_household(db, Role.MENTOR, "Familjen Berg", (11,), now - DAY)
    await on_duty(db, berg, now - DAY, now)
    taken = await routing.take_message(
        db, ek, 31, 100, kind=Kind.TEXT, preview="Hej", urgent=False, now=now - HOUR
    )
    assert not isinstance(await routing.accept(db, berg, taken.request.id, now - HOUR), Enum)
    await routing.remember_relays(db, 11, [500], taken.request, now - HOUR)
    await routing.remember_relays(db, 31, [600], taken.request, now - HOUR)
    erased = await personal_data.erase(db, berg.id, berg, now)
    assert erased is not None and erased.copies == [(11, 500), (31, 600)]
