"""/help: what this person can do, by role."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.i18n import Translator
from handlers.common import MentorApplication, MentorContext, identify
from storage.models import Role


def help_text(t: Translator, role: Role | None) -> str:
    if role is Role.FAMILY:
        return t("help.family")
    if role is Role.MENTOR:
        return t("help.mentor")
    if role is Role.COORDINATOR:
        return t("help.coordinator")
    return t("help.stranger")


async def show_help(update: Update, context: MentorContext) -> None:
    sender = await identify(update, context)
    if update.effective_message is not None:
        role = sender.member.role if sender.member else None
        await update.effective_message.reply_text(help_text(sender.t, role))


def register(application: MentorApplication) -> None:
    application.add_handler(CommandHandler("help", show_help))
