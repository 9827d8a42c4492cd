"""Every table is accounted for: the member's export shows it, or it holds nothing about anyone.

The export (`/mydata`: storage/personal_data.py, wrapped by bot/personal_data.py) is a list of
queries, one per section. A migration that adds a table fails these tests until whoever writes it
decides: a section of the export that reads it, or an entry below that says why it needs none.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot import broadcasts, invites, members, personal_data, recruitment, routing, swaps
from bot.audit import Action
from bot.routing import Topic
from storage import audit, shifts
from storage import personal_data as stored_personal_data
from storage.db import Database, Session
from storage.models import Audience, Broadcast, Role
from tests.conftest import make_household

NOW = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

# Tables without personal data: no member, household, Telegram account or anybody's words.
WITHOUT_PERSONAL_DATA = {
    # Telegram's update numbers and when they arrived, to process an update once. An update's
    # content (with its sender) is kept only until its handlers ran, for at-least-once handling.
    "processed_updates",
    # The local days whose morning gap report went out.
    "gap_reports",
    # The local days whose list of new registrations of interest went out.
    "interest_reports",
    # Which reminder of a shift went out and when: bookkeeping on a shift, which the mentor
    # household's export shows under "shifts"; nothing here about anyone beyond that.
    "shift_reminders",
    # The highest number of each kind ever handed out, so that none is handed out again.
    "numbers",
}

# Columns that tie a row to a member or a household which no section of the export selects by:
# the rows exist, but the member's export does not find them through this column.
NOT_YET_FOLLOWED = {
    # The partner invites issued for one's household (the adult who made one finds it under
    # "invites_created"; the invite's code is only a hash).
    ("invites", "household_id"),
    # Conversations held by the other adult of one's mentor household: theirs, with their note.
    ("requests", "mentor_household_id"),
}


async def tables(session: Session) -> set[str]:
    rows = await session.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return {row["name"] for row in rows}


def export_sections() -> dict[str, tuple[str, set[str]]]:
    """Each section of the export: the table it reads, and the columns it selects rows by."""
    found = {}
    for section, sql in stored_personal_data._SECTIONS:
        table = re.search(r"\bFROM (\w+)", sql)
        assert table, f"section {section!r} reads no table: {sql}"
        keys = set(re.findall(r"\b(\w+) = :(?:member|household|telegram)\b", sql))
        assert keys, f"section {section!r} does not select by the member or household: {sql}"
        found[section] = (table[1], keys)
    return found


async def test_every_table_is_exported_or_declared_without_personal_data(db: Database) -> None:
    async with db.read() as session:
        present = await tables(session)
    exported = {table for table, _ in export_sections().values()}

    undecided = present - exported - WITHOUT_PERSONAL_DATA
    assert not undecided, (
        f"table(s) {sorted(undecided)}: add a section that reads them to the export "
        "(storage/personal_data.py), or say in this file why they hold no personal data"
    )
    assert not WITHOUT_PERSONAL_DATA - present, "a listed table is gone"
    assert not exported - present
    assert not exported & WITHOUT_PERSONAL_DATA, "an exported table said to hold no one's data"


async def test_a_table_without_personal_data_points_at_nobody(db: Database) -> None:
    """The short list is checked, not trusted: no link to a person, no column for one."""
    personal = re.compile(r"member|household|telegram|chat|user|name|phone|by$|body|text|note")
    async with db.read() as session:
        for table in WITHOUT_PERSONAL_DATA:
            links = await session.fetch_all(f"PRAGMA foreign_key_list({table})")
            assert not {link["table"] for link in links} & {"members", "households"}, table
            columns = await session.fetch_all(f"PRAGMA table_info({table})")
            named = [column["name"] for column in columns if personal.search(column["name"])]
            assert not named, f"{table}.{named} look like personal data"


async def test_every_link_to_a_member_is_followed_by_the_export(db: Database) -> None:
    """A row that points at a member or household is found by a section through that column,
    or it is a known gap; the row itself (members.id, households.id) is found by its id."""
    followed = {
        (table, key) for table, keys in export_sections().values() for key in keys
    }
    async with db.read() as session:
        links = set()
        for table in await tables(session):
            for link in await session.fetch_all(f"PRAGMA foreign_key_list({table})"):
                if link["table"] in ("members", "households"):
                    links.add((table, link["from"]))
    links |= {("members", "id"), ("households", "id")}

    missed = links - followed - NOT_YET_FOLLOWED
    assert not missed, f"no section of the export selects rows by {sorted(missed)}"
    assert not NOT_YET_FOLLOWED & followed, "a gap was closed: take it off NOT_YET_FOLLOWED"
    assert not NOT_YET_FOLLOWED - links, "NOT_YET_FOLLOWED names a link that no longer exists"


# Erasure ------------------------------------------------------------------------------------

# (table, column) where an adult's Telegram id, name or words are still found after /forget.
LEFT_AFTER_FORGET: set[tuple[str, str]] = set()


async def traces(session: Session, needles: tuple[int | str, ...]) -> set[tuple[str, str]]:
    """Every (table, column) that holds one of the Telegram ids, or a text containing one of
    the names or words."""
    found = set()
    for table in await tables(session):
        for column in await session.fetch_all(f"PRAGMA table_info({table})"):
            name = column["name"]
            for needle in needles:
                condition = f"{name} = ?" if isinstance(needle, int) else f"instr({name}, ?) > 0"
                if await session.fetch_one(
                    f"SELECT 1 FROM {table} WHERE {condition} LIMIT 1", (needle,)
                ):
                    found.add((table, name))
    return found


async def test_forget_leaves_no_trace_of_the_adults_it_erases(db: Database) -> None:
    """A family, a mentor and a coordinator who did a bit of everything, each erased in turn:
    where are their Telegram ids, names and words still to be found?"""
    ek_id, berg_id, lind_id, karin_id = 7_000_401, 7_000_201, 7_000_301, 7_000_101
    long_ago = NOW - 90 * DAY
    (karin,) = await make_household(db, Role.COORDINATOR, "Karin Holm", (karin_id,), long_ago)
    (berg,) = await make_household(db, Role.MENTOR, "Familjen Berg", (berg_id,), long_ago)
    (lind,) = await make_household(db, Role.MENTOR, "Familien Lind", (lind_id,), long_ago)
    # Before it became a foster family, the Ek family registered interest, then was invited.
    await recruitment.register(db, ek_id, "Dorte Ek", "070-123 45 67", "sv", NOW - 60 * DAY)
    invite = await invites.issue(db, Role.FAMILY, NOW - 50 * DAY, created_by=karin)
    ek = (await invites.redeem(db, invite.code, ek_id, NOW - 50 * DAY)).member
    assert ek is not None
    await members.name_household(db, ek, "Familjen Ek")
    ek = await members.identify(db, ek_id)
    assert ek is not None
    async with db.write() as session:
        await audit.record(session, karin, Action.REMOVE, "member #99 (family)", NOW - HOUR)
        for mentor in (berg, lind):
            await shifts.add_shift(
                session, mentor.household.id, NOW - HOUR, NOW + HOUR, karin.id, NOW - DAY
            )
        later = await shifts.add_shift(
            session, lind.household.id, NOW + 2 * DAY, NOW + 2 * DAY + HOUR, karin.id, NOW
        )

    # A question and its conversation, ended, rated, filed, commented on and noted.
    asked = await routing.take_message(db, ek, ek_id, 7, "text", "Sonen sover dåligt", False, NOW)
    request_id = asked.request.id
    assert not isinstance(await routing.accept(db, berg, request_id, NOW), routing.RoutingProblem)
    await routing.remember_relay(db, berg_id, 50, request_id)
    await routing.remember_relay(db, ek_id, 51, request_id)
    assert await routing.end(db, request_id, "family", NOW + HOUR)
    assert await routing.rate(db, ek, request_id, 4)
    assert await routing.file_topic(db, berg, request_id, Topic.SLEEP)
    await routing.remember_relay(db, ek_id, 52, request_id, "comment")
    await routing.add_comment(db, request_id, "comment", "Tack för rådet")
    await routing.remember_relay(db, berg_id, 53, request_id, "note")
    await routing.add_comment(db, request_id, "note", "Kvällsrutin föreslagen")
    # A second question, waiting for a mentor when the family goes.
    await routing.take_message(db, ek, ek_id, 9, "text", "Och skolan?", False, NOW + 2 * HOUR)
    # Lind's shift offered to Berg; a newsletter to everyone, with Karin's progress message.
    offer = await swaps.offer(db, lind, later.id, NOW)
    assert not isinstance(offer, swaps.SwapProblem)
    await swaps.remember_offer_message(db, offer.swap, berg_id, 60)
    sent = await broadcasts.submit(
        db, karin, broadcasts.Draft("text", "Kurs i mars"), Audience.EVERYONE, None, NOW
    )
    assert isinstance(sent, Broadcast)
    await broadcasts.remember_status_message(db, sent.id, karin_id, 70)

    traces_of = {
        ek: (ek_id, "Familjen Ek", "Dorte Ek", "070-123 45 67", "Sonen sover dåligt",
             "Och skolan?", "Tack för rådet", "Kvällsrutin föreslagen"),
        berg: (berg_id, "Familjen Berg"),
        karin: (karin_id, "Karin Holm"),
    }
    left = set()
    for member, needles in traces_of.items():
        async with db.read() as session:
            before = await traces(session, needles)
        assert await personal_data.erase(db, member.id, karin, NOW + 3 * HOUR) is not None
        async with db.read() as session:
            after = await traces(session, needles)
        assert after < before, (member, before)  # the needles were really there to find
        left |= after

    assert left == LEFT_AFTER_FORGET
