"""/help: what this person can do, by role."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import mentor_links
from bot.i18n import Translator
from handlers.common import MentorApplication, MentorContext, identify
from handlers.matching_text import household_names
from storage.models import Member, Role


def help_text(t: Translator, role: Role | None) -> str:
    if role is Role.FAMILY:
        return t("help.family")
    if role is Role.MENTOR:
        return t("help.mentor")
    if role is Role.COORDINATOR:
        return t("help.coordinator")
    return t("help.stranger")


async def _own_mentor_line(context: MentorContext, t: Translator, member: Member) -> str | None:
    """A family's own mentor household, a mentor household's families: whom they work with."""
    if member.role is Role.FAMILY:
        mentor = await mentor_links.own_mentor_of(context.db, member)
        if mentor is None:
            return None
        return t("help.own_mentor", mentor=mentor.display_name or t("members.unnamed"))
    if member.role is Role.MENTOR:
        families = await mentor_links.families_of(context.db, member)
        if not families:
            return None
        names = household_names(t, [family.display_name for family in families])
        return t("help.own_families", families=names, count=len(families))
    return None


async def show_help(update: Update, context: MentorContext) -> None:
    sender = await identify(update, context)
    if update.effective_message is None:
        return
    member, t = sender.member, sender.t
    text = help_text(t, member.role if member else None)
    own = None if member is None else await _own_mentor_line(context, t, member)
    await update.effective_message.reply_text(text if own is None else f"{text}\n\n{own}")


def register(application: MentorApplication) -> None:
    application.add_handler(CommandHandler("help", show_help))
