"""/language: a member overrides the language their Telegram app suggests."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import members
from bot.config import LANGUAGES
from bot.i18n import LANGUAGE_NAMES, translator
from handlers.common import ANY_MEMBER, MentorApplication, MentorContext, Sender, requires
from handlers.menu import publish_member_commands
from storage.models import Member

CALLBACK_PREFIX = "language:"


@requires(*ANY_MEMBER)
async def ask_language(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(LANGUAGE_NAMES[code], callback_data=CALLBACK_PREFIX + code)]
            for code in LANGUAGES
        ]
    )
    if update.effective_message is not None:
        await update.effective_message.reply_text(sender.t("language.ask"), reply_markup=keyboard)


@requires(*ANY_MEMBER)
async def choose_language(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    language = query.data.removeprefix(CALLBACK_PREFIX)
    if language not in LANGUAGES:
        await query.answer(sender.t("button.invalid"))
        return
    await members.choose_language(context.db, member, language)
    t = translator(language)
    await query.answer()
    await query.edit_message_text(t("language.chosen", language=LANGUAGE_NAMES[language]))
    await publish_member_commands(context.bot, member, t)


def register(application: MentorApplication) -> None:
    application.add_handler(CommandHandler("language", ask_language))
    application.add_handler(CallbackQueryHandler(choose_language, pattern=f"^{CALLBACK_PREFIX}"))
