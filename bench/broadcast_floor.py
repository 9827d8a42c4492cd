"""The broadcast floor: the same newsletter to the same chats as Mentorbot's outbox sends it, from
a bare python-telegram-bot application with no database and no logic.

A command gets one plain answer (the benchmark's "are you up?"); any other text is the
newsletter, which goes to every chat in a plain loop, one send after another as the outbox's
one worker sends, before the sender is told "done". Run by bench/broadcast.py as its own
process, as the bot is, against a fresh double with the bot's settings (bench/floor.py): limits
off, no rate limiter, the same connection pool. Usage: `python bench/broadcast_floor.py CHAT_ID
...`, with TELEGRAM_BOT_TOKEN and TELEGRAM_API_URL set.
"""

from __future__ import annotations

from floor import bare, run  # bench/ is the script's own folder
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


def build(token: str, api_url: str, chats: list[int]) -> Application:  # type: ignore[type-arg]
    async def newsletter(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or not message.text:
            return
        if message.text.startswith("/"):
            await message.reply_text("ok")
            return
        for chat in chats:
            await context.bot.send_message(chat, message.text, parse_mode="HTML")
        await message.reply_text("done")

    application = bare(token, api_url)
    application.add_handler(MessageHandler(filters.ALL, newsletter))
    return application


if __name__ == "__main__":
    run(build)
