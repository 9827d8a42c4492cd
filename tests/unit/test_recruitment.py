"""Registrations of interest: telephone numbers as people type them, and nothing else."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Update
from telegram.ext import ConversationHandler

from bot import recruitment, retention
from bot.sandbox import BotApiDouble
from handlers import recruitment as handlers_recruitment
from handlers.common import MentorContext
from storage.db import Database
from tests.unit.telegram_support import against, handle_updates

NOW = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("typed", "country", "kept"),
    [
        ("070-123 45 67", "SE", "+46701234567"),
        ("+46 70 123 45 67", "SE", "+46701234567"),
        ("0046 70 123 45 67", "SE", "+46701234567"),
        ("0701234567", "SE", "+46701234567"),
        ("(019) 21 10 00", "SE", "+4619211000"),
        ("20 12 34 56", "DK", "+4520123456"),
        ("+45 20 12 34 56", "SE", "+4520123456"),  # a Danish number given in Sweden
        ("+46 70 123 45 67", "DK", "+46701234567"),
    ],
)
def test_telephone_numbers_as_people_type_them_are_kept_in_one_form(
    typed: str, country: str, kept: str
) -> None:
    assert recruitment.clean_phone(f"  {typed} ", country) == kept


@pytest.mark.parametrize(
    ("typed", "country"),
    [
        ("ring mig", "SE"),
        ("112", "SE"),
        ("12345", "SE"),
        ("070-123 45 67 89 01 23", "SE"),
        ("+-+", "SE"),
        ("070-123 45 67", "DK"),  # a Swedish number without +46 is no Danish one
    ],
)
def test_anything_else_is_not_a_number(typed: str, country: str) -> None:
    assert recruitment.clean_phone(typed, country) is None


@pytest.mark.parametrize("shared", ["46701234567", "+46701234567", " 46701234567"])
def test_a_number_telegram_shares_is_international_with_or_without_its_plus(shared: str) -> None:
    assert recruitment.shared_phone(shared, "DK") == "+46701234567"
    assert recruitment.shared_phone("4520123456", "SE") == "+4520123456"
    assert recruitment.shared_phone("123", "SE") is None


async def test_registrations_are_erased_with_the_other_content(db: Database) -> None:
    month = timedelta(days=30)
    await recruitment.register(
        db, 501, name="Anna Svensson", phone="070-123 45 67", language="sv", now=NOW - month - DAY
    )
    await recruitment.register(
        db, 502, name="Erik Ek", phone="0701234567", language="sv", now=NOW - month + DAY
    )
    await retention.erase_expired_content(db, month, NOW)
    assert [entry.name for entry in await recruitment.registered(db)] == ["Erik Ek"]


async def test_a_person_has_one_registration_which_a_second_one_updates(db: Database) -> None:
    first, new = await recruitment.register(
        db, 501, name="Anna Svensson", phone="070-123 45 67", language="sv", now=NOW
    )
    assert new
    again, new = await recruitment.register(
        db, 501, name="Anna Svensson", phone="070-765 43 21", language="sv", now=NOW
    )
    assert (again, new) == (first, False)
    (only,) = await recruitment.registered(db)
    assert (only.id, only.phone) == (first, "070-765 43 21")


async def test_a_person_withdraws_their_registration_and_is_told_what_it_was(
    db: Database,
) -> None:
    anna, _ = await recruitment.register(
        db, 501, name="Anna Svensson", phone="070-123", language="sv", now=NOW - DAY
    )
    await recruitment.register(db, 502, name="Erik Ek", phone="0701234567", language="sv", now=NOW)
    assert (
        await recruitment.withdraw(db, 502, anna, NOW - DAY, NOW) is None
    )  # not Erik's to withdraw
    # A question about the registration as it was before an update names nothing any more.
    await recruitment.register(
        db, 501, name="Anna Svensson", phone="070-123 45 67", language="sv", now=NOW
    )
    assert await recruitment.withdraw(db, 501, anna, NOW - DAY, NOW) is None
    withdrawn = await recruitment.withdraw(db, 501, anna, NOW, NOW)
    assert withdrawn is not None and (
        withdrawn.registration.name,
        withdrawn.registration.phone,
    ) == (
        "Anna Svensson",
        "070-123 45 67",
    )
    assert await recruitment.withdraw(db, 501, anna, NOW, NOW) is None
    assert [entry.name for entry in await recruitment.registered(db)] == ["Erik Ek"]


async def test_the_daily_list_shows_each_new_registration_once_and_goes_once_a_day(
    db: Database,
) -> None:
    today = NOW.date()
    await recruitment.register(
        db, 501, name="Anna Svensson", phone="070-123 45 67", language="sv", now=NOW - DAY
    )
    await recruitment.register(db, 502, name="Erik Ek", phone="0701234567", language="sv", now=NOW)
    listed = await recruitment.claim_daily_report(db, today, NOW)
    assert [entry.name for entry in listed] == ["Anna Svensson", "Erik Ek"]
    assert await recruitment.claim_daily_report(db, today, NOW) == []  # a restart, same day
    await recruitment.register(
        db, 503, name="Dorte Lind", phone="20 12 34 56", language="da", now=NOW
    )

    # A stop before the list was marked sent: what it showed is new again the next day.
    tomorrow = await recruitment.claim_daily_report(db, today + DAY, NOW + DAY)
    assert [entry.name for entry in tomorrow] == ["Anna Svensson", "Erik Ek", "Dorte Lind"]
    await recruitment.reported(db, tomorrow, NOW + DAY)
    await recruitment.register(
        db, 502, name="Erik Ek", phone="0707654321", language="sv", now=NOW + DAY
    )  # updated
    later = await recruitment.claim_daily_report(db, today + 2 * DAY, NOW + 2 * DAY)
    assert [(entry.name, entry.phone) for entry in later] == [("Erik Ek", "0707654321")]


@pytest.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble(token="424242:unit-interest", limits=None) as running:
        yield running


@pytest.mark.filterwarnings("ignore:Ignoring `conversation_timeout`")  # no job queue: called here
async def test_a_registration_left_to_time_out_forgets_the_name_and_takes_the_button_away(
    db: Database, double: BotApiDouble
) -> None:
    """Fifteen minutes of silence at the number: the person is told, and the keyboard goes."""
    anna = double.add_user(first_name="Anna", language_code="sv")
    async with against(double, db) as app:
        await anna.send("/start")
        await handle_updates(app)
        welcome = await anna.next_message()
        await asyncio.gather(
            anna.press(welcome, "Anmäl intresse för nästa informationsmöte"), handle_updates(app)
        )
        await anna.next_message()
        sent = await anna.send("Anna Svensson")
        await handle_updates(app)
        await anna.next_message()
        assert anna.reply_keyboard is not None
        (registering,) = [
            handler
            for group in app.handlers.values()
            for handler in group
            if isinstance(handler, ConversationHandler)
            and any(h.callback is handlers_recruitment.begin for h in handler.entry_points)
        ]
        (on_timeout,) = registering.states[ConversationHandler.TIMEOUT]
        fields = {key: value for key, value in sent.items() if key != "update_id"}
        last = Update.de_json({"update_id": sent["update_id"], "message": fields}, app.bot)
        context = MentorContext.from_update(last, app)
        assert context.user_data == {"name": "Anna Svensson"}
        await on_timeout.handle_update(last, app, True, context)
    assert (await anna.next_message())["text"] == (
        "Din anmälan blev inte klar, så inget sparades. Tryck på /start om du vill börja om."
    )
    assert anna.reply_keyboard is None
    assert context.user_data == {}
    assert await recruitment.registered(db) == []
