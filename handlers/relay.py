"""Carrying a message from one side of a conversation to the other, anonymously.

The bot copies messages (`copyMessage`), never forwards them, so neither side learns the
other's Telegram account. On the mentor's side every relayed message carries a short label,
"#12 Familjen Ek", because a mentor may hold several conversations at once; a reply to a
labelled message is how the mentor answers that one.
"""

from __future__ import annotations

import logging

from telegram import Message
from telegram.error import Forbidden, TelegramError

from bot import routing
from bot.i18n import Translator
from handlers.common import MentorContext
from storage.models import Request

logger = logging.getLogger(__name__)

CAPTION_LIMIT = 1024


def label(t: Translator, request: Request) -> str:
    return t("relay.label", number=request.id, family=request.family_name or t("members.unnamed"))


async def copy_to_mentor(
    context: MentorContext,
    request: Request,
    mentor_chat: int,
    t: Translator,
    from_chat: int,
    message_id: int,
    message: Message | None = None,
) -> bool:
    """Copy one family message to the mentor under the request's label; False if it failed.

    A text is sent as a new message starting with the label; anything else is copied with the
    label put before its caption. Given the message itself, its text is used as it is; given
    only where it is (a message that waited for a mentor), the copy comes from the family's
    chat, and a text then gets its label as a separate line above.
    """
    tag = label(t, request)
    try:
        if message is not None and message.text is not None:
            sent = await context.bot.send_message(mentor_chat, f"{tag}\n{message.text_html}")
            message_id_sent = sent.message_id
        else:
            caption = None
            if message is not None:
                caption = f"{tag}\n{message.caption_html or ''}".strip()[:CAPTION_LIMIT]
            elif from_chat != mentor_chat:
                await context.bot.send_message(mentor_chat, tag)
            copied = await context.bot.copy_message(
                mentor_chat, from_chat, message_id, caption=caption
            )
            message_id_sent = copied.message_id
    except Forbidden:
        logger.info("request %s: the mentor has blocked the bot", request.id)
        return False
    except TelegramError as error:
        logger.warning("request %s: relay to the mentor failed: %s", request.id, error)
        return False
    await routing.remember_relay(context.bot_data.db, mentor_chat, message_id_sent, request.id)
    return True


async def copy_to_family(
    context: MentorContext, request: Request, family_chats: list[int], message: Message
) -> int:
    """Copy a mentor's message to every adult of the family; returns how many got it."""
    delivered = 0
    for chat_id in family_chats:
        try:
            copied = await context.bot.copy_message(chat_id, message.chat_id, message.message_id)
        except TelegramError as error:
            logger.info("request %s: relay to a family adult failed: %s", request.id, error)
            continue
        await routing.remember_relay(context.bot_data.db, chat_id, copied.message_id, request.id)
        delivered += 1
    return delivered
