"""The words after a command's name, in Swedish, Danish and English: one table, each spelling
one meaning, every word a help text shows one the table knows; and through the real handlers,
a Swede's `/newsletter av` and a municipality's own title after `/invite`."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot import members
from bot.config import DEFAULT_TERMS, LANGUAGES
from bot.sandbox import BotApiDouble
from handlers.arguments import SPELLINGS, Word, parse_word
from storage.db import Database
from storage.models import Role
from tests.support import LOCALES, forms, make_household
from tests.unit.telegram_support import against, handle_updates

# The commands that take a word, and the words each takes.
TAKES = {
    "invite": (Word.FAMILY, Word.MENTOR, Word.COORDINATOR),
    "shift": (Word.ADD, Word.DELETE, Word.LIST),
    "rota": (Word.CSV, Word.OPEN),
    "broadcasts": (Word.CANCEL,),
    "newsletter": (Word.ON, Word.OFF),
}
SHOWN = re.compile(rf"/({'|'.join(TAKES)}) ([^\s,.;:)]+)")
# The texts that tell a person what to type: the help, the usage lines, and those that say
# what to type next.
TELLING = re.compile(r"help\..*|.*\.usage|newsletter\.off|broadcast\.scheduled|shift\.not_found")


def test_each_spelling_means_one_word() -> None:
    meanings: defaultdict[str, set[Word]] = defaultdict(set)
    for word, languages in SPELLINGS.items():
        for spellings in languages.values():
            for spelling in spellings:
                meanings[spelling.casefold()].add(word)
    assert [spelling for spelling, words in meanings.items() if len(words) > 1] == []
    assert set(SPELLINGS) == set(Word)


@pytest.mark.parametrize(
    ("typed", "allowed", "meant"),
    [
        ("av", [Word.ON, Word.OFF], Word.OFF),
        ("PÅ", [Word.ON, Word.OFF], Word.ON),
        (unicodedata.normalize("NFD", "på"), [Word.ON, Word.OFF], Word.ON),  # å as a + ring
        ("Fra", [Word.ON, Word.OFF], Word.OFF),
        ("familj", [Word.FAMILY, Word.MENTOR], Word.FAMILY),
        ("annullér", [Word.CANCEL], Word.CANCEL),
        ("off", [Word.ADD, Word.DELETE], None),  # a word of another command
        ("nej", [Word.ON, Word.OFF], None),
        ("", [Word.ON, Word.OFF], None),
    ],
)
def test_a_word_is_read_in_any_of_the_languages_and_any_case(
    typed: str, allowed: list[Word], meant: Word | None
) -> None:
    assert parse_word(typed, allowed) is meant


def test_the_services_own_title_is_a_word_too() -> None:
    own = {"Familjehemmens samordnare": Word.COORDINATOR}
    assert parse_word("familjehemmens SAMORDNARE", [Word.COORDINATOR], own) is Word.COORDINATOR
    assert parse_word("familjehemmens samordnare", [Word.COORDINATOR]) is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_word_a_text_shows_after_a_command_is_one_it_takes(language: str) -> None:
    title = DEFAULT_TERMS.coordinator[language]
    shown: list[tuple[str, str]] = []
    for msgid, texts in forms(LOCALES, language).items():
        if TELLING.fullmatch(msgid):
            for text in texts:
                shown += SHOWN.findall(text.replace("{coordinator}", title))
    # Capitals, brackets and braces are what to fill in (MEDLEM, [VECKOR], {number}).
    words = [(command, word) for command, word in shown if word.islower()]
    # /broadcasts cancel NUMBER still works typed, but a Cancel button is what the texts offer.
    assert {command for command, _ in words} == set(TAKES) - {"broadcasts"}
    more = {title: Word.COORDINATOR}
    assert [(c, w) for c, w in words if parse_word(w, TAKES[c], more) is None] == []


@pytest.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble(token="424242:unit-arguments", limits=None) as running:
        yield running


async def test_a_swede_turns_the_newsletter_off_and_on_in_swedish(
    db: Database, double: BotApiDouble
) -> None:
    anna = double.add_user(first_name="Anna", language_code="sv")
    joined = datetime.now(UTC) - timedelta(days=1)
    await make_household(db, Role.FAMILY, "Familjen Ek", (anna.id,), joined)
    async with against(double, db) as app:
        await anna.send("/newsletter av")
        await handle_updates(app)
        assert (await anna.next_message())["text"].startswith("Du får inte längre nyhetsbrev.")
        assert not await newsletter_wanted(db, anna.id)
        await anna.send("/newsletter ja")
        await handle_updates(app)
        assert (await anna.next_message())["text"] == ("Skriv /newsletter av eller /newsletter på.")
        await anna.send("/newsletter på")
        await handle_updates(app)
        assert (await anna.next_message())["text"] == "Du får nyhetsbreven."
        assert await newsletter_wanted(db, anna.id)


async def newsletter_wanted(db: Database, telegram_user_id: int) -> bool:
    member = await members.identify(db, telegram_user_id)
    assert member is not None
    return member.newsletter


async def test_an_invite_for_the_title_the_municipality_gave(
    db: Database, double: BotApiDouble
) -> None:
    karin = double.add_user(first_name="Karin", language_code="sv")
    joined = datetime.now(UTC) - timedelta(days=1)
    await make_household(db, Role.COORDINATOR, "Karin", (karin.id,), joined)
    title = "sv:familjehemmens samordnare, da:familieplejekonsulent"
    async with against(double, db, MENTORBOT_COORDINATOR_TITLE=title) as app:
        await karin.send("/invite Familjehemmens samordnare")
        await handle_updates(app)
        created = (await karin.next_message())["text"]
        assert created.startswith("Inbjudan (roll: familjehemmens samordnare).")
        await karin.send("/invite sekreterare")  # a Swedish word the table knows
        await handle_updates(app)
        assert (await karin.next_message())["text"].startswith(
            "Inbjudan (roll: familjehemmens samordnare)."
        )
        await karin.send("/invite barn")
        await handle_updates(app)
        assert (await karin.next_message())["text"] == (
            "Skriv /invite familjehem, /invite mentor eller /invite familjehemmens samordnare."
        )
