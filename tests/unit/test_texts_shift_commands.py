"""What a coordinator and a mentor household read when a shift is added or removed by command,
through the real handlers in this process (tests/unit/telegram_support.py), in Swedish, Danish
and English: the shift's number, its local time in the service's zone, and the household.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from bot import members
from bot.i18n import translator
from bot.sandbox import BotApiDouble, SandboxUser
from storage.db import Database
from storage.models import Member, Role
from tests.support import make_household
from tests.unit.telegram_support import LANGUAGES, against, handle_updates, shown

MENTORS = "Berg & <Ek>"  # the household's name, as the mentor typed it
WORDS = {
    "sv": ("Passet är tillagt: ", "Passet är borttaget: "),
    "da": ("Vagten er tilføjet: ", "Vagten er slettet: "),
    "en": ("Shift added: ", "Shift removed: "),
}
# What each coordinator types after /shift: the words of the help in their language.
TYPED = {"sv": ("ny", "stryk"), "da": ("Tilføj", "slet"), "en": ("add", "del")}


@pytest.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble(token="424242:unit-shift-commands", limits=None) as running:
        yield running


async def people(
    db: Database, double: BotApiDouble, language: str
) -> tuple[SandboxUser, SandboxUser, Member]:
    """A coordinator who reads `language`, and a mentor household of one adult who reads it."""
    joined = datetime.now(UTC) - timedelta(days=1)
    karin = double.add_user(first_name="Karin", language_code=language)
    berg = double.add_user(first_name="Maria", language_code=language)
    (coordinator,) = await make_household(db, Role.COORDINATOR, "Karin", (karin.id,), joined)
    (mentor,) = await make_household(db, Role.MENTOR, MENTORS, (berg.id,), joined)
    for member in (coordinator, mentor):
        await members.choose_language(db, member, language)
    return karin, berg, mentor


def next_week() -> date:
    return (datetime.now(UTC) + timedelta(days=7)).date()


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_shift_added_and_removed_is_confirmed_in_local_time_and_its_household_told(
    db: Database, double: BotApiDouble, language: str
) -> None:
    t = translator(language)
    karin, berg, mentor = await people(db, double, language)
    day = next_week()
    span = f"{t.day(day)} 17:00–22:00"  # as typed: the service's local time, New York's
    async with against(double, db, MENTORBOT_TIMEZONE="America/New_York") as app:
        add, delete = TYPED[language]
        await karin.send(f"/shift {add} {mentor.id} {day} 17:00-22:00")
        await handle_updates(app)
        added = (await karin.next_message())["text"]
        assert added.startswith(f"{WORDS[language][0]}#1 {span} – ")
        assert (await berg.next_message())["text"] == shown(
            t("shift.added_notice", line=f"#1 {span}")
        )
        await karin.send(f"/shift {delete} 1")
        await handle_updates(app)
        removed = (await karin.next_message())["text"]
        assert removed.startswith(f"{WORDS[language][1]}#1 {span} – ")
        assert (await berg.next_message())["text"] == shown(
            t("shift.deleted_notice", line=f"#1 {span}")
        )


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_coordinator_reads_the_households_name_as_it_was_typed(
    db: Database, double: BotApiDouble, language: str
) -> None:
    karin, _, mentor = await people(db, double, language)
    async with against(double, db) as app:
        await karin.send(f"/shift add {mentor.id} {next_week()} 17:00-22:00")
        await karin.send("/shift del 1")
        await handle_updates(app)
        added, removed = await karin.next_message(), await karin.next_message()
    assert added["text"].endswith(f" – {MENTORS}")
    assert removed["text"].endswith(f" – {MENTORS}")
