"""The Telegram layer in this process: the real application, built as `mentorbot run` builds it,
and what a person would read of a text the handlers build.

Building the application sends nothing: python-telegram-bot calls the Bot API only once the
bot is initialised, which the tests of the registration never do. The tests of what arrives in
a chat initialise it against the Bot API double (bot/sandbox/), on loopback, in this process,
and hand it the updates people send there (`against`, `handle_updates`).

A text is read as Telegram reads it: parsed as the HTML the bot sends (`parse_mode=HTML`), by
the double's parser, which refuses what Telegram refuses; so markup typed by a person shows up
as the characters they typed, and an unknown tag fails the test as it would fail the send.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot

from bot.app.application import build_application
from bot.app.bot_api_watch import BotApiWatch
from bot.app.durable_updates import DurableUpdateQueue
from bot.app.rate_limiter import RETRY_SECONDS, SharedRateLimiter
from bot.config import Config, load_config
from bot.sandbox import BotApiDouble
from bot.sandbox.formatting import parse_html
from handlers.common import MentorApplication, MentorContext
from storage.db import Database

TOKEN = "424242:unit-test-token"
LANGUAGES = ("sv", "da", "en")
CATALOGUES = Path(__file__).resolve().parents[2] / "bot" / "locales"
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def config(**variables: str) -> Config:
    """The configuration from these variables alone (no `.env`, no shell), with a token."""
    return load_config({"TELEGRAM_BOT_TOKEN": TOKEN, **variables}, env_file=None)


def application(settings: Config) -> MentorApplication:
    """The real application, handlers and all; nothing is sent until it is initialised."""
    return build_application(settings, BotApiWatch())


def context(app: MentorApplication) -> MentorContext:
    """A handler's context outside an update, as the job queue makes one."""
    return MentorContext(app)


@asynccontextmanager
async def against(
    double: BotApiDouble, db: Database, **variables: str
) -> AsyncIterator[MentorApplication]:
    """The real application talking to the double, on `db`, initialised (it has asked getMe).

    What `post_init` starts is not: no timers run, and the outbox is not there. Updates people
    send through the double are handled when the test calls `handle_updates`.
    """
    app = application(
        config(TELEGRAM_BOT_TOKEN=double.token, TELEGRAM_API_URL=double.api_url, **variables)
    )
    app.bot_data.db = db
    queue = app.update_queue
    assert isinstance(queue, DurableUpdateQueue)
    queue.attach(db)
    async with app:
        yield app


@asynccontextmanager
async def bot_against(
    double: BotApiDouble, *, retry_seconds: float = RETRY_SECONDS
) -> AsyncIterator[ExtBot[int]]:
    """A bare bot, without the application, that calls the double as the application's does
    (HTML by default, the shared limiter): for what uses only the bot (the outbox)."""
    async with ExtBot(
        double.token,
        base_url=f"{double.api_url}/bot",
        defaults=Defaults(parse_mode=ParseMode.HTML),
        rate_limiter=SharedRateLimiter(1000, retry_seconds),
    ) as ptb:
        yield ptb


async def handle_updates(app: MentorApplication) -> int:
    """Every update waiting at the double, handled as the updater hands them over: put into the
    update queue, kept in the database as the next poll goes out, then handled one after
    another; returns how many."""
    handled, offset = 0, None
    while True:
        updates = await app.bot.get_updates(offset=offset, timeout=0)  # keeps the last poll's
        while not app.update_queue.empty():
            await app.process_update(await app.update_queue.get())
        if not updates:
            return handled
        for update in updates:
            await app.update_queue.put(update)
        handled += len(updates)
        offset = updates[-1].update_id + 1


@cache
def message_ids() -> frozenset[str]:
    """Every key of the English catalogue (the others have the same, tests/unit/test_i18n.py)."""
    with (CATALOGUES / "en.po").open("rb") as po_file:
        ids: set[str] = set()
        for message in read_po(po_file):
            ids.update([message.id] if isinstance(message.id, str) else message.id)
    ids.discard("")
    return frozenset(ids)


def shown(html_text: str) -> str:
    """What a person reads of a text the bot sends: Telegram's parse of its HTML.

    Fails the test when Telegram would refuse the text, or when a key went out untranslated
    (gettext gives the key back when a catalogue lacks it) or a placeholder unfilled.
    """
    text, _ = parse_html(html_text)
    untranslated = sorted(key for key in message_ids() if _names(key, text))
    assert untranslated == [], f"untranslated keys {untranslated} in {text!r}"
    assert _PLACEHOLDER.search(text) is None, f"a placeholder is left in {text!r}"
    return text


def formatted(html_text: str) -> list[tuple[str, str]]:
    """The formatting Telegram shows in a text: (kind, the characters it covers), in order."""
    text, entities = parse_html(html_text)
    units = text.encode("utf-16-le")
    return [
        (
            entity["type"],
            units[2 * entity["offset"] : 2 * (entity["offset"] + entity["length"])].decode(
                "utf-16-le"
            ),
        )
        for entity in entities
    ]


def _names(key: str, text: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(key)}(?![\w.])", text) is not None
