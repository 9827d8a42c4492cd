"""/language: a member overrides the language their Telegram app suggests."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import members
from bot.config import LANGUAGES
from bot.i18n import LANGUAGE_NAMES, translator
from handlers import buttons
from handlers.buttons import Match
from handlers.common import ANY_MEMBER, MentorApplication, MentorContext, Sender, requires
from handlers.menu import publish_member_commands
from storage.models import Member


@requires(*ANY_MEMBER)
async def ask_language(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(LANGUAGE_NAMES[code], callback_data=buttons.language(code))]
            for code in LANGUAGES
        ]
    )
    if update.effective_message is not None:
        await update.effective_message.reply_text(sender.t("language.ask"), reply_markup=keyboard)


@buttons.press(*ANY_MEMBER)
async def choose_language(
    query: CallbackQuery, match: Match, context: MentorContext, sender: Sender, member: Member
) -> None:
    language = buttons.language_of(match)
    await members.choose_language(context.db, member, language)
    t = translator(language, context.config.terms)
    await query.answer()
    await query.edit_message_text(t("language.chosen", language=LANGUAGE_NAMES[language]))
    await publish_member_commands(context.bot, member, t)


# Data with this module's button prefixes that none of its patterns takes (handlers/buttons.py).
refuse_other_data = buttons.refuse_rest(*ANY_MEMBER)


def register(application: MentorApplication) -> None:
    application.add_handler(CommandHandler("language", ask_language))
    application.add_handler(CallbackQueryHandler(choose_language, pattern=buttons.LANGUAGE))
    rest = buttons.rest(buttons.LANGUAGE)
    application.add_handler(CallbackQueryHandler(refuse_other_data, pattern=rest))
