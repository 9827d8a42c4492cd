"""What routing weighs besides the rota: own mentor households, experience, what a question is
about, the load each mentor adult carries, and why each offer went where it did."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from storage import households
from storage.db import Params, Row, Session
from storage.models import Household, Role, from_db, to_db


async def link(
    session: Session, family_household_id: int, mentor_household_id: int, limit: int, now: datetime
) -> bool:
    """Link (or move) a family to a mentor household; False when that household already holds
    `limit` other families. One statement, so two coordinators linking at once cannot both
    take its last place."""
    return await session.changed_one(
        "INSERT INTO mentor_links (family_household_id, mentor_household_id, linked_at) "
        "SELECT :family, :mentor, :now WHERE (SELECT COUNT(*) FROM mentor_links "
        "WHERE mentor_household_id = :mentor AND family_household_id != :family) < :limit "
        "ON CONFLICT (family_household_id) DO UPDATE SET "
        "mentor_household_id = excluded.mentor_household_id, linked_at = excluded.linked_at",
        {
            "family": family_household_id,
            "mentor": mentor_household_id,
            "now": to_db(now),
            "limit": limit,
        },
    )


async def unlink(session: Session, family_household_id: int) -> bool:
    return await session.changed_one(
        "DELETE FROM mentor_links WHERE family_household_id = ?", (family_household_id,)
    )


async def own_mentor_household(session: Session, family_household_id: int) -> Household | None:
    row = await session.fetch_one(
        "SELECT h.id, h.role, h.display_name, h.created_at FROM mentor_links l "
        "JOIN households h ON h.id = l.mentor_household_id WHERE l.family_household_id = ?",
        (family_household_id,),
    )
    return None if row is None else _household(row)


async def families_of(session: Session, mentor_household_id: int) -> list[Household]:
    rows = await session.fetch_all(
        "SELECT h.id, h.role, h.display_name, h.created_at FROM mentor_links l "
        "JOIN households h ON h.id = l.family_household_id WHERE l.mentor_household_id = ? "
        "ORDER BY h.id",
        (mentor_household_id,),
    )
    return [_household(row) for row in rows]


def _household(row: Row) -> Household:
    return Household(
        id=row["id"],
        role=Role(row["role"]),
        display_name=row["display_name"],
        created_at=from_db(row["created_at"]),
    )


async def set_experience(session: Session, household_id: int, tags: Iterable[str]) -> None:
    await session.execute(
        "DELETE FROM household_experience WHERE household_id = ?", (household_id,)
    )
    await session.execute_many(
        "INSERT INTO household_experience (household_id, tag) VALUES (?, ?)",
        [(household_id, tag) for tag in sorted(set(tags))],
    )


async def experience_of(
    session: Session, household_ids: Sequence[int]
) -> dict[int, frozenset[str]]:
    """Each household's tags; a household without any is absent."""
    if not household_ids:
        return {}
    marks = ",".join("?" * len(household_ids))
    rows = await session.fetch_all(
        f"SELECT household_id, tag FROM household_experience WHERE household_id IN ({marks})",
        tuple(household_ids),
    )
    found: dict[int, set[str]] = {}
    for row in rows:
        found.setdefault(row["household_id"], set()).add(row["tag"])
    return {household: frozenset(tags) for household, tags in found.items()}


@dataclass(frozen=True, slots=True)
class QuestionFacts:
    """What routing weighs of the question itself, read in one query."""

    own_mentor_household_id: int | None
    topics: frozenset[str] | None  # None: not chosen yet


@dataclass(frozen=True, slots=True)
class AdultFacts:
    """What routing weighs of one adult on duty for one question, read with the others."""

    member_id: int
    household_id: int
    open_conversations: int
    experience: frozenset[str]
    declined: bool


# What routing weighs of each adult: their open conversations and their household's experience.
_ADULT_FACTS = (
    "SELECT m.id, m.household_id, "
    "(SELECT COUNT(*) FROM requests r WHERE r.mentor_member_id = m.id "
    "AND r.state = 'accepted') AS held, "
    "(SELECT group_concat(e.tag, ',') FROM household_experience e "
    "WHERE e.household_id = m.household_id) AS tags, "
)


async def routing_facts(
    session: Session, request_id: int, member_ids: Sequence[int]
) -> tuple[QuestionFacts, list[AdultFacts]]:
    """What routing weighs of a question, and of each adult on duty for it (their open
    conversations, their household's experience, whether they declined it): on the hot path of
    every question, so both are read in one trip."""
    marks = ",".join("?" * len(member_ids))
    question, adults = await session.fetch_together(
        [
            (
                "SELECT l.mentor_household_id AS own, r.topics_chosen_at AS chosen, "
                "(SELECT group_concat(t.tag, ',') FROM request_topics t "
                "WHERE t.request_id = r.id) AS topics FROM requests r "
                "LEFT JOIN mentor_links l ON l.family_household_id = r.family_household_id "
                "WHERE r.id = ?",
                (request_id,),
            ),
            (
                _ADULT_FACTS + "EXISTS (SELECT 1 FROM offers o WHERE o.request_id = ? "
                "AND o.member_id = m.id AND o.state = 'declined') AS declined "
                f"FROM members m WHERE m.id IN ({marks})",
                (request_id, *member_ids),
            ),
        ]
    )
    return _question_facts(question[0] if question else None), _adult_facts(adults)


def new_question_facts_queries(family_household_id: int, now: datetime) -> list[tuple[str, Params]]:
    """`routing_facts` of a question the family's message would open, before it exists: its
    own mentor household by the family's link, no topic chosen, and every adult on duty now,
    none of whom declined it. For the trip that reads what a family's message needs first."""
    on_duty, params = households.on_duty(now)
    return [
        (
            "SELECT mentor_household_id AS own, NULL AS chosen, NULL AS topics "
            "FROM mentor_links WHERE family_household_id = ?",
            (family_household_id,),
        ),
        (_ADULT_FACTS + f"0 AS declined FROM members m WHERE {on_duty} ORDER BY m.id", params),
    ]


def new_question_facts(
    question: Sequence[Row], adults: Sequence[Row]
) -> tuple[QuestionFacts, list[AdultFacts]]:
    """The rows of `new_question_facts_queries`, read."""
    return QuestionFacts(question[0]["own"] if question else None, None), _adult_facts(adults)


def _adult_facts(rows: Sequence[Row]) -> list[AdultFacts]:
    return [
        AdultFacts(
            row["id"],
            row["household_id"],
            row["held"],
            frozenset(row["tags"].split(",")) if row["tags"] else frozenset(),
            bool(row["declined"]),
        )
        for row in rows
    ]


def _question_facts(row: Row | None) -> QuestionFacts:
    if row is None or row["chosen"] is None:
        return QuestionFacts(None if row is None else row["own"], None)
    chosen = frozenset(row["topics"].split(",")) if row["topics"] else frozenset()
    return QuestionFacts(row["own"], chosen)


async def choose_topics(
    session: Session, request_id: int, tags: Iterable[str], now: datetime
) -> bool:
    """The family's choice, once, while the question is still offered; no tags: skipped."""
    if not await session.changed_one(
        "UPDATE requests SET topics_chosen_at = ? "
        "WHERE id = ? AND state = 'offered' AND topics_chosen_at IS NULL",
        (to_db(now), request_id),
    ):
        return False
    await session.execute_many(
        "INSERT INTO request_topics (request_id, tag) VALUES (?, ?)",
        [(request_id, tag) for tag in sorted(set(tags))],
    )
    return True


async def offer_reasons(
    session: Session, request_ids: Sequence[int]
) -> dict[int, dict[str, list[str | None]]]:
    """For each request and each reason, the households its offers went to, in the order
    they were asked (a household once, however many of its adults)."""
    if not request_ids:
        return {}
    marks = ",".join("?" * len(request_ids))
    rows = await session.fetch_all(
        "SELECT o.request_id, o.reason, m.household_id, h.display_name FROM offers o "
        "JOIN members m ON m.id = o.member_id JOIN households h ON h.id = m.household_id "
        f"WHERE o.reason IS NOT NULL AND o.request_id IN ({marks}) "
        "ORDER BY o.request_id, o.offered_at, m.household_id",
        tuple(request_ids),
    )
    found: dict[int, dict[str, list[str | None]]] = {}
    seen: set[tuple[int, str, int]] = set()
    for row in rows:
        key = (row["request_id"], row["reason"], row["household_id"])
        if key not in seen:
            seen.add(key)
            reasons = found.setdefault(row["request_id"], {})
            reasons.setdefault(row["reason"], []).append(row["display_name"])
    return found


async def forget_household(session: Session, household_id: int) -> None:
    """A household left without adults: its links either way and its experience go."""
    await session.execute(
        "DELETE FROM mentor_links WHERE family_household_id = ? OR mentor_household_id = ?",
        (household_id, household_id),
    )
    await session.execute(
        "DELETE FROM household_experience WHERE household_id = ?", (household_id,)
    )
