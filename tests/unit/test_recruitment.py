"""Registrations of interest: telephone numbers as people type them, and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import recruitment, retention
from storage.db import Database

NOW = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    "typed", ["070-123 45 67", "+46 70 123 45 67", "0701234567", "20 12 34 56", "(019) 21 10 00"]
)
def test_telephone_numbers_as_people_type_them(typed: str) -> None:
    assert recruitment.clean_phone(f"  {typed} ") == typed


@pytest.mark.parametrize("typed", ["ring mig", "112", "12345", "070-123 45 67 89 01 23", "+-+"])
def test_anything_else_is_not_a_number(typed: str) -> None:
    assert recruitment.clean_phone(typed) is None


async def test_registrations_are_erased_with_the_other_content(db: Database) -> None:
    month = timedelta(days=30)
    await recruitment.register(db, 501, "Anna Svensson", "070-123 45 67", "sv", NOW - month - DAY)
    await recruitment.register(db, 502, "Erik Ek", "0701234567", "sv", NOW - month + DAY)
    await retention.erase_expired_content(db, month, NOW)
    assert [entry.name for entry in await recruitment.registered(db)] == ["Erik Ek"]
