"""One path for a broadcast's content: the coordinator's preview of a draft and a recipient's
delivery of the broadcast made from it arrive alike, for a text, a photo and a document."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from telegram.ext import ExtBot

from bot import broadcasts
from bot.broadcasts import Draft
from bot.sandbox import BotApiDouble, SandboxUser
from handlers.outbox import send_content
from storage import households
from storage.db import Database
from storage.models import Audience, Broadcast, Kind, Role
from tests.unit.telegram_support import bot_against

TOKEN = "123456:content"
NOW = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
CAPTION = "<b>Julfest</b> den 13 december!"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(30)
# What a recipient sees of a message; its id, chat and date are its own.
SEEN = ("text", "entities", "caption", "caption_entities", "photo", "document")


@pytest.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble(TOKEN, limits=None) as running:
        yield running


@pytest.fixture
async def bot(double: BotApiDouble) -> AsyncIterator[ExtBot[int]]:
    async with bot_against(double) as ptb:
        yield ptb


async def draft_of(kind: str, karin: SandboxUser) -> Draft:
    """A draft as /broadcast keeps it: a file Karin sent is its file id."""
    if kind == "photo":
        sent = await karin.send_photo(PNG)
        return Draft(Kind.PHOTO, CAPTION, sent["photo"][-1]["file_id"])
    if kind == "document":
        sent = await karin.send_document(b"%PDF-1.4", "program.pdf", "application/pdf")
        return Draft(Kind.DOCUMENT, CAPTION, sent["document"]["file_id"])
    return Draft(Kind.TEXT, CAPTION)


async def submitted(db: Database, draft: Draft) -> Broadcast:
    async with db.write() as session:
        household_id = await households.create_household(session, Role.COORDINATOR, NOW, None)
        await households.add_member(session, household_id, 1, NOW)
        (coordinator,) = await households.household_members(session, household_id)
    broadcast = await broadcasts.submit(
        db, coordinator, draft, Audience.FAMILIES, send_at=None, now=NOW
    )
    assert isinstance(broadcast, Broadcast), broadcast
    return broadcast


def seen(message: dict[str, Any]) -> dict[str, Any]:
    return {key: message[key] for key in SEEN if key in message}


@pytest.mark.parametrize("kind", ["text", "photo", "document"])
async def test_the_preview_is_what_a_recipient_gets(
    kind: str, double: BotApiDouble, bot: ExtBot[int], db: Database
) -> None:
    karin, lina = double.add_user("Karin"), double.add_user("Lina")
    draft = await draft_of(kind, karin)
    previewed = await send_content(bot, karin.id, draft, None)
    sent = await send_content(bot, lina.id, await submitted(db, draft), None, rate_limit_args=0)
    preview, delivered = karin.messages[-1], lina.messages[-1]
    assert (previewed, sent) == (preview["message_id"], delivered["message_id"])
    assert seen(preview) == seen(delivered)
    assert preview.get("text", preview.get("caption")) == "Julfest den 13 december!"
    assert kind == "text" or kind in delivered
