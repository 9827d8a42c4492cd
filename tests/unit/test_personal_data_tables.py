"""Every table is accounted for: the member's export shows it, or it holds nothing about anyone;
and each of its personal columns says how it goes, on erasure and by retention.

The export (`/mydata`: storage/personal_data.py, wrapped by bot/personal_data.py) is a list of
queries, one per section. A migration that adds a table fails these tests until whoever writes it
decides: a section of the export that reads it, or an entry below that says why it needs none;
and, for a column that holds a person's id, name or words, an entry in GOES, which the tests
check against the schema and against where a season of use really left such data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot import (
    availability,
    broadcasts,
    invites,
    members,
    personal_data,
    recruitment,
    retention,
    routing,
    swaps,
)
from bot.routing import Topic
from storage import audit, shifts
from storage import availability as stored_availability
from storage import personal_data as stored_personal_data
from storage.db import Database, Session
from storage.models import (
    Action,
    Audience,
    AwayReason,
    Broadcast,
    DeliveryState,
    Kind,
    Member,
    RelayPurpose,
    Role,
    Side,
)
from tests.support import make_household

NOW = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")
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
    # The running bot's sign of life: a time and a line about the bot itself.
    "heartbeat",
    # Which reminder of a shift went out and when: bookkeeping on a shift, which the mentor
    # household's export shows under "shifts"; nothing here about anyone beyond that.
    "shift_reminders",
    # The same of an event sign-up: bookkeeping on the sign-up (whose it is, the sign-up says,
    # and it goes with it).
    "event_reminders",
    # The highest number of each kind ever handed out, so that none is handed out again.
    "numbers",
    # The Sign up buttons under a newsletter: an event's number and the button's words (its
    # day and title, the coordinator's); whom the newsletter went to is in "deliveries".
    "broadcast_events",
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
    followed = {(table, key) for table, keys in export_sections().values() for key in keys}
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


@dataclass(frozen=True)
class Season:
    karin: Member
    ek: Member
    newsletter: int
    # Whose Telegram id, names and words, to look for.
    traces_of: dict[Member, tuple[int | str, ...]]


async def a_season(db: Database) -> Season:
    """A family, two mentors and a coordinator who did a bit of everything."""
    ek_id, berg_id, lind_id, karin_id = 7_000_401, 7_000_201, 7_000_301, 7_000_101
    long_ago = NOW - 90 * DAY
    (karin,) = await make_household(db, Role.COORDINATOR, "Karin Holm", (karin_id,), long_ago)
    (berg,) = await make_household(db, Role.MENTOR, "Familjen Berg", (berg_id,), long_ago)
    (lind,) = await make_household(db, Role.MENTOR, "Familien Lind", (lind_id,), long_ago)
    # Before it became a foster family, the Ek family registered interest, then was invited.
    await recruitment.register(
        db, ek_id, name="Dorte Ek", phone="070-123 45 67", language="sv", now=NOW - 60 * DAY
    )
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
    asked = await routing.take_message(
        db, ek, ek_id, 7, kind=Kind.TEXT, preview="Sonen sover dåligt", urgent=False, now=NOW
    )
    request_id = asked.request.id
    assert not isinstance(await routing.accept(db, berg, request_id, NOW), routing.RoutingProblem)
    await routing.remember_relay(db, berg_id, 50, request_id)
    await routing.remember_relay(db, ek_id, 51, request_id)
    assert await routing.end(db, request_id, Side.FAMILY, NOW + HOUR)
    assert await routing.rate(db, ek, request_id, 4)
    assert await routing.file_topic(db, berg, request_id, Topic.SLEEP)
    await routing.remember_relay(db, ek_id, 52, request_id, RelayPurpose.COMMENT)
    await routing.add_comment(db, request_id, RelayPurpose.COMMENT, "Tack för rådet")
    await routing.remember_relay(db, berg_id, 53, request_id, RelayPurpose.NOTE)
    await routing.add_comment(db, request_id, RelayPurpose.NOTE, "Kvällsrutin föreslagen")
    # A second question, waiting for a mentor when the family goes.
    await routing.take_message(
        db, ek, ek_id, 9, kind=Kind.TEXT, preview="Och skolan?", urgent=False, now=NOW + 2 * HOUR
    )
    # Berg away for a week of illness; an open gap's button shown to Berg.
    ill = await availability.mark_away(
        db, berg, NOW.date() + 3 * DAY, NOW.date() + 9 * DAY, AwayReason.ILLNESS, UTC_ZONE, NOW
    )
    assert not isinstance(ill, availability.AwayProblem)
    async with db.write() as session:
        gap = await stored_availability.live_offer(session, NOW + 5 * DAY, NOW + 6 * DAY, NOW)
    await availability.remember_offer_message(db, [gap], berg_id, 61)
    # Lind's shift offered to Berg; a newsletter to everyone, with Karin's progress message.
    offer = await swaps.offer(db, lind, later.id, NOW)
    assert not isinstance(offer, swaps.SwapProblem)
    await swaps.remember_offer_message(db, offer.swap, berg_id, 60)
    sent = await broadcasts.submit(
        db,
        karin,
        broadcasts.Draft(Kind.TEXT, "Kurs i mars"),
        Audience.EVERYONE,
        send_at=None,
        now=NOW,
        status=broadcasts.StatusMessage(karin_id, 70),
    )
    assert isinstance(sent, Broadcast)

    traces_of = {
        ek: (
            ek_id,
            "Familjen Ek",
            "Dorte Ek",
            "070-123 45 67",
            "Sonen sover dåligt",
            "Och skolan?",
            "Tack för rådet",
            "Kvällsrutin föreslagen",
        ),
        berg: (berg_id, "Familjen Berg"),
        karin: (karin_id, "Karin Holm"),
    }
    return Season(karin, ek, sent.id, traces_of)


async def test_forget_leaves_no_trace_of_the_adults_it_erases(db: Database) -> None:
    """Each of them erased in turn: where are their Telegram ids, names and words still to be
    found? And was each place they were found in declared, with how it goes?"""
    season = await a_season(db)
    left = set()
    for member, needles in season.traces_of.items():
        async with db.read() as session:
            before = await traces(session, needles)
        assert before <= set(GOES), f"undeclared: {sorted(before - set(GOES))}"
        erased = await personal_data.erase(db, member.id, season.karin, NOW + 3 * HOUR)
        assert erased is not None
        async with db.read() as session:
            after = await traces(session, needles)
        assert after < before, (member, before)  # the needles were really there to find
        left |= after

    assert left == LEFT_AFTER_FORGET


# Erasure and retention --------------------------------------------------------------------


class Erased(StrEnum):
    """How `/forget` of the adult it concerns takes a column (storage/personal_data.py)."""

    ROW = "the row is deleted"
    CLEARED = "the value is cleared (NULL, or a chat id made the row's own negative number)"
    LAST_ADULT = "cleared when the household's last adult goes"
    LINK = "the link is cut or its row deleted when the member's row goes (ON DELETE)"
    KEPT = "kept: erasing it would undo the erasure (the configuration would bring them back)"


class Kept(StrEnum):
    """How long it is kept otherwise (bot/retention.py, nightly and at every start)."""

    RETENTION = "MENTORBOT_RETENTION_DAYS after what it belongs to ended (or was registered)"
    BROADCAST_RETENTION = "MENTORBOT_BROADCAST_RETENTION_DAYS after the broadcast finished"
    MEMBERSHIP = "while the member is in the service: it goes with /remove or /forget"
    METADATA = "for the evaluation: it identifies nobody once the member and the name are gone"
    ACCOUNTABILITY = "in the audit log for the life of the service (the name goes with /forget)"
    CONFIGURATION = "for the life of the database: only ids the operator's configuration names"
    UNTIL_ENDED = "until it (a span away, a gap) has ended: the nightly retention run deletes it"


# Every column that holds a person's Telegram id, a name, what they wrote, or a link to a member
# or a household: how it goes.
GOES: dict[tuple[str, str], tuple[Erased, Kept]] = {
    ("members", "telegram_user_id"): (Erased.ROW, Kept.MEMBERSHIP),
    ("members", "household_id"): (Erased.ROW, Kept.MEMBERSHIP),
    ("households", "display_name"): (Erased.LAST_ADULT, Kept.MEMBERSHIP),
    ("invites", "household_id"): (Erased.LINK, Kept.MEMBERSHIP),
    ("invites", "created_by"): (Erased.LINK, Kept.METADATA),
    ("invites", "used_by"): (Erased.LINK, Kept.METADATA),
    ("shifts", "household_id"): (Erased.LINK, Kept.METADATA),
    ("shifts", "created_by"): (Erased.LINK, Kept.METADATA),
    ("shift_swaps", "offered_by"): (Erased.LINK, Kept.METADATA),
    ("shift_swaps", "taken_by"): (Erased.LINK, Kept.METADATA),
    ("swap_messages", "chat_id"): (Erased.ROW, Kept.MEMBERSHIP),
    ("requests", "family_household_id"): (Erased.LINK, Kept.METADATA),
    ("requests", "mentor_member_id"): (Erased.LINK, Kept.METADATA),
    ("requests", "mentor_household_id"): (Erased.LINK, Kept.METADATA),
    ("requests", "preview"): (Erased.LAST_ADULT, Kept.RETENTION),
    ("requests", "rating_comment"): (Erased.LAST_ADULT, Kept.RETENTION),
    ("requests", "mentor_note"): (Erased.CLEARED, Kept.RETENTION),
    ("request_messages", "chat_id"): (Erased.ROW, Kept.RETENTION),
    ("offers", "member_id"): (Erased.LINK, Kept.MEMBERSHIP),
    ("offers", "chat_id"): (Erased.LINK, Kept.MEMBERSHIP),
    ("relays", "chat_id"): (Erased.ROW, Kept.RETENTION),
    ("broadcasts", "created_by"): (Erased.LINK, Kept.METADATA),
    ("broadcasts", "body"): (Erased.ROW, Kept.BROADCAST_RETENTION),  # the office's, not theirs
    ("broadcasts", "file_id"): (Erased.ROW, Kept.BROADCAST_RETENTION),
    ("broadcasts", "status_chat_id"): (Erased.CLEARED, Kept.RETENTION),
    ("deliveries", "member_id"): (Erased.LINK, Kept.METADATA),
    ("deliveries", "chat_id"): (Erased.CLEARED, Kept.RETENTION),
    ("deliveries", "display_name"): (Erased.CLEARED, Kept.RETENTION),
    ("audit_log", "actor_id"): (Erased.LINK, Kept.ACCOUNTABILITY),
    ("audit_log", "actor"): (Erased.CLEARED, Kept.ACCOUNTABILITY),
    ("interest", "telegram_user_id"): (Erased.ROW, Kept.RETENTION),
    ("interest", "name"): (Erased.ROW, Kept.RETENTION),
    ("interest", "phone"): (Erased.ROW, Kept.RETENTION),
    ("unaddressed_messages", "member_id"): (Erased.LINK, Kept.RETENTION),
    ("unaddressed_messages", "chat_id"): (Erased.LINK, Kept.RETENTION),
    ("configured_coordinators", "telegram_user_id"): (Erased.KEPT, Kept.CONFIGURATION),
    ("away_spans", "household_id"): (Erased.LAST_ADULT, Kept.UNTIL_ENDED),
    ("away_spans", "reason"): (Erased.LAST_ADULT, Kept.UNTIL_ENDED),  # may be health data
    ("away_spans", "created_by"): (Erased.LINK, Kept.UNTIL_ENDED),
    ("gap_offers", "taken_by"): (Erased.LINK, Kept.METADATA),
    ("gap_offer_messages", "chat_id"): (Erased.ROW, Kept.UNTIL_ENDED),
    ("gap_request_messages", "chat_id"): (Erased.ROW, Kept.UNTIL_ENDED),
    ("events", "created_by"): (Erased.LINK, Kept.METADATA),
    # Whose a sign-up was; its counts and state stay for the evaluation's figures.
    ("event_signups", "household_id"): (Erased.LAST_ADULT, Kept.RETENTION),
    ("event_signups", "interest_id"): (Erased.LINK, Kept.RETENTION),
    # A household's course days per year: outlive the sign-ups, for the yearly follow-up, and
    # go MENTORBOT_RETENTION_DAYS after the year ended.
    ("course_days", "household_id"): (Erased.LAST_ADULT, Kept.RETENTION),
    # A family's own mentor household, either way: goes when either household has no adult.
    ("mentor_links", "family_household_id"): (Erased.LAST_ADULT, Kept.MEMBERSHIP),
    ("mentor_links", "mentor_household_id"): (Erased.LAST_ADULT, Kept.MEMBERSHIP),
    ("household_experience", "household_id"): (Erased.LAST_ADULT, Kept.MEMBERSHIP),
    # What a question was about, as the family chose: metadata of the question, as its topic.
    ("request_topics", "request_id"): (Erased.LINK, Kept.METADATA),
    # Who asked to be called back, and who took it; the count stays for the evaluation.
    ("debriefs", "mentor_member_id"): (Erased.LINK, Kept.RETENTION),
    ("debriefs", "acknowledged_by"): (Erased.LINK, Kept.RETENTION),
    ("debrief_messages", "chat_id"): (Erased.ROW, Kept.UNTIL_ENDED),
    # A note for the social worker: the mentor's words, about the family; erased on a no.
    ("unit_notes", "mentor_member_id"): (Erased.LINK, Kept.RETENTION),
    ("unit_notes", "prompt_chat_id"): (Erased.LINK, Kept.RETENTION),
    ("unit_notes", "body"): (Erased.LAST_ADULT, Kept.RETENTION),
}
# Column names that say a person is in them; a column so named that is not in GOES fails.
PERSONAL_COLUMN = re.compile(
    r"member|household|telegram_user|chat_id|user|name|phone|_by$|actor|body|file_id|note"
    r"|preview|comment"
)
# Named like it, but nobody is in it.
NAMED_LIKE_IT = {
    ("requests", "ended_by"),  # which side ended it: 'family', 'mentor' or 'coordinator'
}


async def test_every_personal_column_says_how_it_goes(db: Database) -> None:
    """Checked against the schema: each table's personal columns are declared, each
    declaration names a column that exists, and a link said to go with the member's row has
    an ON DELETE that does it."""
    declared_tables = {table for table, _ in GOES}
    async with db.read() as session:
        present = await tables(session)
        for table in present - WITHOUT_PERSONAL_DATA:
            columns = {c["name"] for c in await session.fetch_all(f"PRAGMA table_info({table})")}
            named = {column for column in columns if PERSONAL_COLUMN.search(column)}
            undeclared = {(table, column) for column in named} - set(GOES) - NAMED_LIKE_IT
            assert not undeclared, f"say in GOES how {sorted(undeclared)} go"
            assert table in declared_tables, f"{table}: which of its columns concern someone?"
            links = {
                link["from"]: link["on_delete"]
                for link in await session.fetch_all(f"PRAGMA foreign_key_list({table})")
            }
            for (owner, column), (erased, _) in GOES.items():
                if owner != table:
                    continue
                assert column in columns, f"GOES names {table}.{column}, which is not there"
                if erased is Erased.LINK and column in links:
                    assert links[column] in ("SET NULL", "CASCADE"), (table, column)
    assert declared_tables <= present, "GOES names a table that is gone"
    assert not declared_tables & WITHOUT_PERSONAL_DATA


async def test_retention_leaves_only_what_membership_and_metadata_keep(db: Database) -> None:
    """The same season, everything in it ended, and then the nights after both retention
    periods: every place a Telegram id, a name or someone's words is still found is one GOES
    says is kept while the member is, as metadata or for accountability."""
    season = await a_season(db)
    assert await routing.cancel(db, season.ek, NOW + 3 * HOUR) is not None  # the waiting one
    for delivery in await broadcasts.claim_due(db, NOW, 100):
        await broadcasts.settle(db, delivery, DeliveryState.SENT, NOW, 900)
    assert await broadcasts.finish_if_complete(db, season.newsletter, NOW)
    needles = tuple(needle for found in season.traces_of.values() for needle in found)
    async with db.read() as session:
        before = await traces(session, needles)
    assert before <= set(GOES), f"undeclared: {sorted(before - set(GOES))}"

    later = NOW + 400 * DAY
    await retention.erase_expired_content(db, 30 * DAY, later)
    await retention.erase_expired_broadcasts(db, 365 * DAY, later)
    async with db.read() as session:
        after = await traces(session, needles)
    kept = {Kept.MEMBERSHIP, Kept.METADATA, Kept.ACCOUNTABILITY, Kept.CONFIGURATION}
    expired = {place for place in after if GOES[place][1] not in kept}
    assert not expired, f"retention left {sorted(expired)}"
    erased_by_retention = {place for place in before if GOES[place][1] not in kept}
    assert erased_by_retention, "the season really had content for retention to erase"
