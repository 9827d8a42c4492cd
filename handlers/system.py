"""Handlers that guard every update: errors, and what nobody else took.

A second delivery of an update never gets this far: the update queue recognises it
(bot/app/durable_updates.py).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from bot import metrics
from bot.i18n import pick_language, plain, translator
from handlers.common import MentorApplication, MentorContext, identify
from handlers.telegram_errors import failure, is_transient

logger = logging.getLogger(__name__)

_QUERY_TOO_OLD = "query is too old"


async def unknown_command(update: Update, context: MentorContext) -> None:
    sender = await identify(update, context)
    if update.effective_message is not None:
        await update.effective_message.reply_text(sender.t("fallback.unknown_command"))


async def unknown_button(update: Update, context: MentorContext) -> None:
    """A button no feature knows (an old keyboard, a forged press) changes nothing."""
    sender = await identify(update, context)
    if update.callback_query is not None:
        await update.callback_query.answer(plain(sender.t("button.invalid")))


async def on_error(update: object, context: MentorContext) -> None:
    """Log first (never the message content), then tell the person something went wrong.

    Telegram out of reach for longer than a send is retried (bot/app/rate_limiter.py) is expected,
    not a fault of ours: one line, no traceback, and no apology, which would go the same way as
    the answer that could not.
    """
    update_id = update.update_id if isinstance(update, Update) else None
    error = context.error
    if isinstance(error, BadRequest) and _QUERY_TOO_OLD in error.message.lower():
        # A press handled again after a stop: Telegram takes one answer per press, and the
        # first was given before the stop. Nothing went wrong for the person.
        logger.info("update %s: the button press was answered before", update_id)
        return
    if is_transient(error):
        logger.warning(
            "update %s: a send failed, Telegram was out of reach: %s", update_id, failure(error)
        )
        return
    logger.error("handling update %s failed", update_id, exc_info=error)
    metrics.ERRORS.inc()
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    user = update.effective_user
    language = pick_language(None, user.language_code if user else None, context.config.language)
    t = translator(language, context.config.terms)
    try:
        await context.bot.send_message(update.effective_chat.id, t("error.unexpected"))
    except TelegramError:
        logger.warning("could not tell chat about the failed update %s", update_id)


def register(application: MentorApplication) -> None:
    application.add_error_handler(on_error)


def register_fallbacks(application: MentorApplication) -> None:
    """Registered last in the default group, so they only see what no feature matched."""
    application.add_handler(
        MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, unknown_command)
    )
    application.add_handler(CallbackQueryHandler(unknown_button))
