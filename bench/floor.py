"""The floor: the same Bot API traffic as Mentorbot's routing, made by a bare
python-telegram-bot application with no database and no logic.

For every message a family sends it offers the question to each mentor (the same text shape and
the same inline keyboard, side by side as Mentorbot sends them) and answers the family once; a
command gets one plain answer (the benchmark's "are you up?"). Run by bench/routing.py as its
own process, as the bot is, against the same double with the same settings: limits off, no rate
limiter, the same connection pool. Usage: `python bench/floor.py MENTOR_CHAT_ID ...`, with
TELEGRAM_BOT_TOKEN and TELEGRAM_API_URL set.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters
from telegram.request import HTTPXRequest

CONNECTIONS = 256  # as the bot's own requests (bot/app/bot_api_watch.py)


def build(token: str, api_url: str, mentors: list[int]) -> Application:  # type: ignore[type-arg]
    numbers = itertools.count(1)

    async def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        if message.text and message.text.startswith("/"):
            await message.reply_text("ok")
            return
        number = next(numbers)
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("Accept", callback_data=f"accept:{number}"),
                    InlineKeyboardButton("Decline", callback_data=f"decline:{number}"),
                ]
            ]
        )
        text = f"<b>Question #{number}</b> from a family, waiting 0 seconds:\n{message.text}"
        await asyncio.gather(
            *(
                context.bot.send_message(chat, text, reply_markup=keyboard, parse_mode="HTML")
                for chat in mentors
            )
        )
        await message.reply_text(f"Thank you. Your question #{number} has gone to the mentors.")

    application = bare(token, api_url)
    application.add_handler(MessageHandler(filters.ALL, question))
    return application


def bare(token: str, api_url: str) -> Application:  # type: ignore[type-arg]
    """The library's application with the bot's Bot API settings and nothing of the bot's."""
    return (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api_url}/bot")
        .request(HTTPXRequest(connection_pool_size=CONNECTIONS))
        .get_updates_request(HTTPXRequest(connection_pool_size=1))
        .concurrent_updates(True)
        .build()
    )


def run(build_floor: Callable[[str, str, list[int]], Application]) -> None:  # type: ignore[type-arg]
    """A floor built for the chats named on the command line, polling until it is stopped."""
    chats = [int(chat) for chat in sys.argv[1:]]
    token, api_url = os.environ["TELEGRAM_BOT_TOKEN"], os.environ["TELEGRAM_API_URL"]
    build_floor(token, api_url, chats).run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    run(build)
