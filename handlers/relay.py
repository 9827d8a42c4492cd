"""Carrying messages from one side of a conversation to the other, anonymously and whole.

The bot copies messages (`copyMessage`, `copyMessages`), never forwards them, so neither side
learns the other's Telegram account. On the mentor's side every relayed message carries a short
label, "💬 #12 Familjen Ek" (⚠️ first when the family wrote words that may mean danger),
because a mentor may hold several conversations at once; a reply to any message the bot sent
about a conversation is how the mentor answers that one, so every message sent is recorded.

Whatever Telegram accepted from a person reaches the other side whole: a label that would make
a text longer than Telegram's 4096 characters, or a caption longer than 1024, goes in a message
of its own above the copy, so nothing is ever cut (least of all in the middle of a tag). An
album is copied as one album (`copyMessages` keeps the grouping): its items arrive as separate
updates, so they are gathered for a moment first.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from itertools import groupby

from telegram import Message
from telegram.error import Forbidden, TelegramError

from bot import routing
from bot.i18n import N_, Translator
from handlers.clock import now
from handlers.common import MentorContext
from handlers.telegram_errors import failure
from storage.models import Request, Side

logger = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
# Telegram delivers an album's items within a moment of each other, as separate updates.
ALBUM_GATHERING_SECONDS = 1.0
ALBUM_JOB = "album"
# Kinds a copy can carry a caption on; a sticker or a video note gets its label above it.
_CAPTIONED = ("photo", "video", "animation", "audio", "document", "voice")
_TAG = re.compile(r"<[^>]*>")


def utf16_length(text: str) -> int:
    """Telegram's limits count UTF-16 code units: an emoji outside the BMP counts twice."""
    return len(text.encode("utf-16-le")) // 2


def visible_length(html_text: str) -> int:
    """How long an HTML text is once Telegram has parsed it."""
    return utf16_length(html.unescape(_TAG.sub("", html_text)))


def label(t: Translator, request: Request, urgent: bool = False) -> str:
    msgid = N_("relay.label_urgent") if urgent else N_("relay.label")
    return t(msgid, number=request.id, family=request.family_name or t("members.unnamed"))


def _fits(tag: str, words: str | None, limit: int) -> bool:
    return visible_length(tag) + 1 + utf16_length(words or "") <= limit


async def _remember(
    context: MentorContext, chat: int, sent: Sequence[int], request: Request
) -> None:
    await routing.remember_relays(context.db, chat, sent, request, now())


async def _send_to_mentor(
    context: MentorContext, mentor_chat: int, tag: str, message: Message
) -> list[int]:
    bot = context.bot
    if message.text is not None:
        if _fits(tag, message.text, MESSAGE_LIMIT):
            sent = await bot.send_message(mentor_chat, f"{tag}\n{message.text_html}")
            return [sent.message_id]
        above = await bot.send_message(mentor_chat, tag)
        whole = await bot.send_message(mentor_chat, message.text_html)
        return [above.message_id, whole.message_id]
    if any(getattr(message, kind) for kind in _CAPTIONED) and _fits(
        tag, message.caption, CAPTION_LIMIT
    ):
        caption = f"{tag}\n{message.caption_html}" if message.caption else tag
        copied = await bot.copy_message(
            mentor_chat, message.chat_id, message.message_id, caption=caption
        )
        return [copied.message_id]
    above = await bot.send_message(mentor_chat, tag)
    copied = await bot.copy_message(mentor_chat, message.chat_id, message.message_id)
    return [above.message_id, copied.message_id]


async def _copy_all(
    context: MentorContext, to_chat: int, sources: Sequence[tuple[int, int]]
) -> list[int]:
    """Copies in order, one call per run of messages from the same chat (albums stay albums)."""
    sent: list[int] = []
    for from_chat, run in groupby(sources, key=lambda source: source[0]):
        ids = [message_id for _, message_id in run]
        if len(ids) == 1:
            sent.append((await context.bot.copy_message(to_chat, from_chat, ids[0])).message_id)
        else:
            copied = await context.bot.copy_messages(to_chat, from_chat, ids)
            sent.extend(copy.message_id for copy in copied)
    return sent


async def _guarded(
    context: MentorContext, request: Request, chat: int, side: Side, send: Awaitable[list[int]]
) -> bool:
    """Send, record what arrived; a blocked bot, a refusal, or Telegram out of reach for as
    long as a send is retried (bot/app/rate_limiter.py) is logged in one line and reported as
    False, for the caller to tell the sender."""
    try:
        sent = await send
    except Forbidden:
        logger.info("request %s: the %s has blocked the bot", request.id, side)
        return False
    except TelegramError as error:
        logger.warning("request %s: relay to the %s failed: %s", request.id, side, failure(error))
        return False
    await _remember(context, chat, sent, request)
    return True


async def message_to_mentor(
    context: MentorContext,
    request: Request,
    mentor_chat: int,
    t: Translator,
    message: Message,
    urgent: bool = False,
) -> bool:
    """One family message, as it is now, to the mentor under the request's label."""
    tag = label(t, request, urgent)
    send = _send_to_mentor(context, mentor_chat, tag, message)
    return await _guarded(context, request, mentor_chat, Side.MENTOR, send)


async def messages_to_mentor(
    context: MentorContext,
    request: Request,
    mentor_chat: int,
    t: Translator,
    sources: Sequence[tuple[int, int]],
    urgent: bool = False,
) -> bool:
    """Messages that waited (or an album), by where they are: one label above them all."""

    async def send() -> list[int]:
        above = await context.bot.send_message(mentor_chat, label(t, request, urgent))
        return [above.message_id, *await _copy_all(context, mentor_chat, sources)]

    return await _guarded(context, request, mentor_chat, Side.MENTOR, send())


async def to_family(
    context: MentorContext,
    request: Request,
    family_chats: list[int],
    sources: Sequence[tuple[int, int]],
) -> int:
    """A mentor's message(s) to every adult of the family; returns how many got them."""
    delivered = 0
    for chat_id in family_chats:
        send = _copy_all(context, chat_id, sources)
        delivered += await _guarded(context, request, chat_id, Side.FAMILY, send)
    return delivered


Deliver = Callable[[list[tuple[int, int]]], Awaitable[None]]


async def gather_album(context: MentorContext, message: Message, deliver: Deliver) -> None:
    """Hold an album's item; a moment after the first, `deliver` gets them all, in order."""
    albums = context.bot_data.albums
    key = (message.chat_id, message.media_group_id or "")
    if key in albums:
        albums[key].append(message.message_id)
        return
    albums[key] = [message.message_id]

    async def flush(_: MentorContext) -> None:
        gathered = albums.pop(key)
        await deliver([(key[0], message_id) for message_id in sorted(gathered)])

    queue = context.job_queue
    assert queue is not None
    queue.run_once(flush, ALBUM_GATHERING_SECONDS, name=f"{ALBUM_JOB}:{key[0]}:{key[1]}")
