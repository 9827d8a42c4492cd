"""A confirmation button carries the number and the joining time it was made for, and expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import personal_data
from handlers import buttons
from handlers.confirmation import LIFETIME, Confirmation, read
from storage.db import Database
from storage.models import Role
from tests.support import make_household

ASKED = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
JOINED = datetime(2026, 11, 2, 9, 30, 15, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def pressed(data: str | None, asked: datetime, now: datetime) -> Confirmation | None:
    """What a press of /forget's button with `data` confirms, read as the handler reads it."""
    match = buttons.FORGET.match(data) if data is not None else None
    return None if match is None else read(buttons.confirmation_of(match), asked, now)


def test_a_press_within_the_lifetime_confirms_what_the_button_was_made_for() -> None:
    made = Confirmation(6, JOINED)
    assert pressed(buttons.forget(made), ASKED, ASKED + LIFETIME) == made


def test_a_press_after_the_lifetime_confirms_nothing() -> None:
    data = buttons.forget(Confirmation(6, JOINED))
    assert pressed(data, ASKED, ASKED + LIFETIME + SECOND) is None


@pytest.mark.parametrize(
    "data", ["forget:6", "forget:6:", "forget:six:1795000000", "forget:6:1795000000:1", None]
)
def test_data_that_is_not_a_confirmation_confirms_nothing(data: str | None) -> None:
    """Among them the button of an older version, which carried only the number."""
    assert pressed(data, ASKED, ASKED) is None


def test_the_data_fits_in_telegrams_64_bytes() -> None:
    largest = Confirmation(999_999_999, datetime(5000, 12, 31, tzinfo=UTC))
    data = buttons.forget(largest)
    assert len(data.encode()) <= 64
    assert pressed(data, ASKED, ASKED) == largest


async def test_an_erasure_confirmed_for_someone_who_joined_at_another_time_erases_nothing(
    db: Database,
) -> None:
    (karin,) = await make_household(db, Role.COORDINATOR, "Karin", (1,), JOINED)
    (ek,) = await make_household(db, Role.FAMILY, "Familjen Ek", (2,), JOINED + SECOND)
    assert await personal_data.erase(db, ek.id, karin, ASKED, JOINED) is None
    assert await personal_data.erase(db, ek.id, karin, ASKED, ek.joined_at) is not None
