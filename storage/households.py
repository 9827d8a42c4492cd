"""Households and their members."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from storage.db import Params, Row, Session
from storage.models import Household, Member, Role, from_db, to_db
from storage.numbers import next_number

_SELECT_MEMBERS = """
    SELECT m.id, m.telegram_user_id, m.language, m.telegram_language, m.newsletter, m.joined_at,
           m.approved_at, h.id AS household_id, h.role, h.display_name,
           h.created_at AS household_created_at
    FROM members m JOIN households h ON h.id = m.household_id
"""


def _member(row: Row) -> Member:
    household = Household(
        id=row["household_id"],
        role=Role(row["role"]),
        display_name=row["display_name"],
        created_at=from_db(row["household_created_at"]),
    )
    return Member(
        id=row["id"],
        telegram_user_id=row["telegram_user_id"],
        household=household,
        language=row["language"],
        telegram_language=row["telegram_language"],
        newsletter=bool(row["newsletter"]),
        joined_at=from_db(row["joined_at"]),
        approved=row["approved_at"] is not None,
    )


async def create_household(
    session: Session, role: Role, now: datetime, display_name: str | None = None
) -> int:
    return await session.insert(
        "INSERT INTO households (role, display_name, created_at) VALUES (?, ?, ?)",
        (role.value, display_name, to_db(now)),
    )


async def add_member(
    session: Session,
    household_id: int,
    telegram_user_id: int,
    now: datetime,
    *,
    approved: bool = True,
) -> int:
    return await session.insert(
        "INSERT INTO members (id, household_id, telegram_user_id, joined_at, approved_at) "
        f"VALUES ({next_number('members')}, ?, ?, ?, ?)",
        (household_id, telegram_user_id, to_db(now), to_db(now) if approved else None),
    )


async def approve_member(session: Session, member_id: int, now: datetime) -> bool:
    """Once: a second press, or another coordinator's, finds them approved already."""
    return await session.changed_one(
        "UPDATE members SET approved_at = ? WHERE id = ? AND approved_at IS NULL",
        (to_db(now), member_id),
    )


async def forget_household_name(session: Session, household_id: int) -> None:
    """The name goes with the household's last adult."""
    await session.execute("UPDATE households SET display_name = NULL WHERE id = ?", (household_id,))


async def configured_first_time(session: Session, telegram_user_id: int, now: datetime) -> bool:
    """Note that MENTORBOT_COORDINATORS names this id; False if it did so at an earlier start."""
    return await session.changed_one(
        "INSERT OR IGNORE INTO configured_coordinators (telegram_user_id, added_at) VALUES (?, ?)",
        (telegram_user_id, to_db(now)),
    )


async def member_by_telegram_id(session: Session, telegram_user_id: int) -> Member | None:
    row = await session.fetch_one(
        _SELECT_MEMBERS + "WHERE m.telegram_user_id = ?",
        (telegram_user_id,),
    )
    return _member(row) if row else None


async def member_by_id(session: Session, member_id: int) -> Member | None:
    row = await session.fetch_one(
        _SELECT_MEMBERS + "WHERE m.id = ?",
        (member_id,),
    )
    return _member(row) if row else None


async def all_members(session: Session) -> list[Member]:
    rows = await session.fetch_all(
        _SELECT_MEMBERS
        + "ORDER BY CASE h.role WHEN 'coordinator' THEN 0 WHEN 'mentor' THEN 1 ELSE 2 END, "
        "h.display_name COLLATE NOCASE, m.id"
    )
    return [_member(row) for row in rows]


async def household_members(session: Session, household_id: int) -> list[Member]:
    rows = await session.fetch_all(
        _SELECT_MEMBERS + "WHERE h.id = ? ORDER BY m.id",
        (household_id,),
    )
    return [_member(row) for row in rows]


async def set_display_name(session: Session, household_id: int, display_name: str) -> None:
    await session.execute(
        "UPDATE households SET display_name = ? WHERE id = ?", (display_name, household_id)
    )


async def set_language(session: Session, member_id: int, language: str) -> None:
    await session.execute("UPDATE members SET language = ? WHERE id = ?", (language, member_id))


async def note_telegram_language(
    session: Session, member_id: int, telegram_language: str | None
) -> None:
    await session.execute(
        "UPDATE members SET telegram_language = ? WHERE id = ?", (telegram_language, member_id)
    )


async def delete_member(session: Session, member_id: int) -> bool:
    return await session.execute("DELETE FROM members WHERE id = ?", (member_id,)) == 1


async def count_by_role(session: Session, role: Role) -> int:
    row = await session.fetch_one(
        "SELECT COUNT(*) FROM members m JOIN households h ON h.id = m.household_id "
        "WHERE h.role = ?",
        (role.value,),
    )
    return int(row[0]) if row else 0


async def members_with_role(session: Session, role: Role) -> list[Member]:
    rows = await session.fetch_all(
        _SELECT_MEMBERS + "WHERE h.role = ? ORDER BY m.id",
        (role.value,),
    )
    return [_member(row) for row in rows]


async def first_member_numbers(session: Session, household_ids: Collection[int]) -> dict[int, int]:
    """Household id -> its lowest member number: the number that stands for the household.

    Only for the households asked about: a report names a few of the thousands registered.
    """
    if not household_ids:
        return {}
    marks = ",".join("?" * len(household_ids))
    rows = await session.fetch_all(
        "SELECT household_id, MIN(id) AS member_id FROM members "
        f"WHERE household_id IN ({marks}) GROUP BY household_id",
        tuple(household_ids),
    )
    return {row["household_id"]: row["member_id"] for row in rows}


async def members_on_duty(session: Session, now: datetime) -> list[Member]:
    """Every approved adult of every household with a shift covering `now`, in member order."""
    sql, params = members_on_duty_query(now)
    return members_of(await session.fetch_all(sql, params))


def members_on_duty_query(now: datetime) -> tuple[str, Params]:
    """`members_on_duty`'s query, for a repository that reads it together with its own."""
    condition, params = on_duty(now)
    return members_where(condition + " ORDER BY m.id", params)


def on_duty(now: datetime) -> tuple[str, Params]:
    """The condition on `m`, a member, of being an approved adult of a household with a shift
    covering `now`: for every query of who is on duty."""
    return (
        "m.approved_at IS NOT NULL AND m.household_id IN (SELECT household_id "
        "FROM shifts WHERE starts_at <= ? AND ends_at > ?)",
        (to_db(now), to_db(now)),
    )


def members_where(condition: str, params: Params) -> tuple[str, Params]:
    """The query of the members `condition` names (`m` the member, `h` its household), for a
    repository that reads it in the same trip as its own; `members_of` reads its rows."""
    return _SELECT_MEMBERS + "WHERE " + condition, params


async def family_and_mentor(
    session: Session, family_household_id: int | None, mentor_member_id: int | None
) -> tuple[list[Member], Member | None]:
    """A family's adults, in member order, and an adult of a mentor household, in one trip:
    the two sides of a conversation."""
    family, mentor = await session.fetch_together(
        [
            members_where("h.id = ? ORDER BY m.id", (family_household_id,)),
            members_where("m.id = ?", (mentor_member_id,)),
        ]
    )
    return members_of(family), (_member(mentor[0]) if mentor else None)


def members_of(rows: Sequence[Row]) -> list[Member]:
    return [_member(row) for row in rows]


async def mark_told_files_unchecked(session: Session, member_id: int) -> bool:
    """True only the first time: the notice about unchecked files is given once."""
    return (
        await session.execute(
            "UPDATE members SET told_files_unchecked = 1 WHERE id = ? AND told_files_unchecked = 0",
            (member_id,),
        )
        == 1
    )
