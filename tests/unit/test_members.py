from datetime import UTC, datetime

import pytest

from bot import invites, members
from bot.invites import JoinOutcome
from bot.members import RemoveOutcome
from storage.db import Database
from storage.models import Role

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def test_configured_coordinators_are_added_once(db: Database) -> None:
    assert await members.ensure_coordinators(db, {11, 12}, NOW) == 2
    assert await members.ensure_coordinators(db, {11, 12}, NOW) == 0
    coordinator = await members.identify(db, 11)
    assert coordinator is not None and coordinator.role is Role.COORDINATOR


async def test_configuration_does_not_move_an_existing_family(db: Database) -> None:
    issued = await invites.issue(db, Role.FAMILY, NOW)
    await invites.redeem(db, issued.code, 11, NOW)
    assert await members.ensure_coordinators(db, {11}, NOW) == 0
    member = await members.identify(db, 11)
    assert member is not None and member.role is Role.FAMILY


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Familjen Andersson", "Familjen Andersson"),
        ("  Familien   Østergaard ", "Familien Østergaard"),
        ("A", None),
        ("x" * 61, None),
        ("/start", None),
        ("Evil\u202eName", None),
        ("Tab\tName", "Tab Name"),
        ("Zero\u200bwidth", None),
    ],
)
def test_display_names_are_cleaned_or_refused(raw: str, expected: str | None) -> None:
    assert members.clean_display_name(raw) == expected


async def test_remove_ends_access_and_refuses_self_and_unknown(db: Database) -> None:
    await members.ensure_coordinators(db, {11}, NOW)
    coordinator = await members.identify(db, 11)
    assert coordinator is not None
    issued = await invites.issue(db, Role.FAMILY, NOW)
    family = (await invites.redeem(db, issued.code, 501, NOW)).member
    assert family is not None
    now = datetime.now(UTC)
    own = await members.remove(db, coordinator, coordinator.id, now)
    assert own.outcome is RemoveOutcome.SELF
    assert (await members.remove(db, coordinator, 9999, now)).outcome is RemoveOutcome.NOT_FOUND
    removal = await members.remove(db, coordinator, family.id, now)
    assert removal.outcome is RemoveOutcome.REMOVED
    assert removal.departure is not None and removal.departure.member.id == family.id
    assert removal.departure.cancelled_shifts == 0
    assert await members.identify(db, 501) is None


async def test_members_are_listed_coordinators_first(db: Database) -> None:
    for role, user_id in ((Role.FAMILY, 1), (Role.MENTOR, 2)):
        issued = await invites.issue(db, role, NOW)
        await invites.redeem(db, issued.code, user_id, NOW)
    await members.ensure_coordinators(db, {3}, NOW)
    assert [m.role for m in await members.list_members(db)] == [
        Role.COORDINATOR,
        Role.MENTOR,
        Role.FAMILY,
    ]


async def test_language_choice_is_stored(db: Database) -> None:
    await members.ensure_coordinators(db, {3}, NOW)
    member = await members.identify(db, 3)
    assert member is not None and member.language is None
    await members.choose_language(db, member, "da")
    chosen = await members.identify(db, 3)
    assert chosen is not None and chosen.language == "da"


async def test_the_configuration_makes_a_coordinator_once_and_never_undoes_a_removal(
    db: Database,
) -> None:
    assert await members.ensure_coordinators(db, {11, 12}, NOW) == 2
    first = await members.identify(db, 11)
    second = await members.identify(db, 12)
    assert first is not None and second is not None
    await members.remove(db, first, second.id, NOW)
    assert await members.ensure_coordinators(db, {11, 12}, NOW) == 0  # the next start
    assert await members.identify(db, 12) is None
    assert await members.ensure_coordinators(db, {11, 12, 13}, NOW) == 1  # a new id still works
    # An invite brings the removed one back, on purpose.
    issued = await invites.issue(db, Role.COORDINATOR, NOW, created_by=first)
    assert (await invites.redeem(db, issued.code, 12, NOW)).outcome is JoinOutcome.JOINED
