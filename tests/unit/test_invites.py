from datetime import UTC, datetime, timedelta

from bot import invites, members
from bot.invites import JoinOutcome
from storage.db import Database
from storage.models import Role

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def test_an_invite_joins_once_with_its_role(db: Database) -> None:
    issued = await invites.issue(db, Role.MENTOR, NOW)
    joined = await invites.redeem(db, issued.code, 501, NOW)
    assert joined.outcome is JoinOutcome.JOINED
    assert joined.member is not None and joined.member.role is Role.MENTOR
    assert not joined.joined_household
    again = await invites.redeem(db, issued.code, 502, NOW)
    assert again.outcome is JoinOutcome.USED
    assert await members.identify(db, 502) is None


async def test_only_the_hash_of_a_code_is_stored(db: Database) -> None:
    issued = await invites.issue(db, Role.FAMILY, NOW)
    async with db.read() as session:
        rows = await session.fetch_all("SELECT * FROM invites")
    stored = " ".join(str(value) for row in rows for value in tuple(row))
    assert issued.code not in stored
    assert invites.hash_code(issued.code) in stored


async def test_codes_are_long_random_and_unique(db: Database) -> None:
    codes = {(await invites.issue(db, Role.FAMILY, NOW)).code for _ in range(50)}
    assert len(codes) == 50
    assert all(len(code) == 32 for code in codes)


async def test_an_invite_expires_after_seven_days(db: Database) -> None:
    issued = await invites.issue(db, Role.FAMILY, NOW)
    assert issued.expires_at == NOW + timedelta(days=7)
    late = await invites.redeem(db, issued.code, 501, NOW + timedelta(days=7))
    assert late.outcome is JoinOutcome.EXPIRED
    in_time = await invites.redeem(db, issued.code, 501, NOW + timedelta(days=6, hours=23))
    assert in_time.outcome is JoinOutcome.JOINED


async def test_unknown_and_malformed_codes_change_nothing(db: Database) -> None:
    for code in ("", "x" * 32, "../../etc", "a" * 200, "ä" * 32):
        assert (await invites.redeem(db, code, 501, NOW)).outcome is JoinOutcome.UNKNOWN
    assert await members.identify(db, 501) is None


async def test_a_member_never_uses_up_an_invite(db: Database) -> None:
    first = await invites.issue(db, Role.FAMILY, NOW)
    await invites.redeem(db, first.code, 501, NOW)
    second = await invites.issue(db, Role.COORDINATOR, NOW)
    result = await invites.redeem(db, second.code, 501, NOW)
    assert result.outcome is JoinOutcome.ALREADY_MEMBER
    assert result.member is not None and result.member.role is Role.FAMILY
    # The code still works for the person it was meant for.
    assert (await invites.redeem(db, second.code, 777, NOW)).outcome is JoinOutcome.JOINED


async def test_a_partner_joins_the_same_household(db: Database) -> None:
    issued = await invites.issue(db, Role.FAMILY, NOW)
    first = (await invites.redeem(db, issued.code, 501, NOW)).member
    assert first is not None
    await members.name_household(db, first, "Familjen Andersson")
    named = await members.identify(db, 501)
    assert named is not None
    partner_invite = await invites.issue_partner_invite(db, named, NOW)
    assert partner_invite is not None
    partner = await invites.redeem(db, partner_invite.code, 502, NOW)
    assert partner.joined_household
    assert partner.member is not None
    assert partner.member.household.id == named.household.id
    assert partner.member.household.display_name == "Familjen Andersson"
    assert partner.member.role is Role.FAMILY
    assert [m.telegram_user_id for m in await members.household_of(db, named)] == [501, 502]
