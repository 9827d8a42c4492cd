"""Handlers that guard every update: duplicate deliveries, errors, and what nobody else took."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.i18n import pick_language, translator
from handlers.common import MentorContext, identify, now
from storage import updates

logger = logging.getLogger(__name__)

DEDUPLICATION_GROUP = -100


async def drop_duplicates(update: Update, context: MentorContext) -> None:
    """Telegram may deliver an update twice (webhook retries, a restart mid-batch)."""
    async with context.bot_data.db.write() as session:
        first = await updates.claim_update(session, update.update_id, now())
    if not first:
        logger.info("update %s was delivered again; ignored", update.update_id)
        raise ApplicationHandlerStop


async def unknown_command(update: Update, context: MentorContext) -> None:
    sender = await identify(update, context)
    if update.effective_message is not None:
        await update.effective_message.reply_text(sender.t("fallback.unknown_command"))


async def unknown_button(update: Update, context: MentorContext) -> None:
    """A button no feature knows (an old keyboard, a forged press) changes nothing."""
    sender = await identify(update, context)
    if update.callback_query is not None:
        await update.callback_query.answer(sender.t("button.invalid"))


async def on_error(update: object, context: MentorContext) -> None:
    """Log first (never the message content), then tell the person something went wrong."""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("handling update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    user = update.effective_user
    language = pick_language(
        None, user.language_code if user else None, context.bot_data.config.language
    )
    t = translator(language)
    try:
        await context.bot.send_message(update.effective_chat.id, t("error.unexpected"))
    except TelegramError:
        logger.warning("could not tell chat about the failed update %s", update_id)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(TypeHandler(Update, drop_duplicates), group=DEDUPLICATION_GROUP)
    application.add_error_handler(on_error)


def register_fallbacks(application: Application) -> None:  # type: ignore[type-arg]
    """Registered last in the default group, so they only see what no feature matched."""
    application.add_handler(
        MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, unknown_command)
    )
    application.add_handler(CallbackQueryHandler(unknown_button))
