"""Joining: /start with or without an invite code, naming the household, /partner."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import invites, members
from bot.i18n import N_
from bot.invites import JoinOutcome
from handlers.clock import now
from handlers.common import (
    HOUSEHOLD_ROLES,
    MentorApplication,
    MentorContext,
    Sender,
    household_name,
    identify,
    local_date,
    requires,
    role_label,
)
from handlers.help import help_text
from handlers.members import tell_coordinators_of_partner
from handlers.menu import publish_member_commands
from handlers.recruitment import interest_button, show_meetings
from storage.models import Member, Role

# Handlers in this group run before everything else a member sends (see `register`).
NAMING_GROUP = -1


async def start(update: Update, context: MentorContext) -> None:
    sender = await identify(update, context)
    message = update.effective_message
    if message is None:
        return
    t = sender.t
    code = context.args[0] if context.args else None
    if code is None:
        if sender.member is None:
            await message.reply_text(t("start.stranger"), reply_markup=interest_button(t))
            await show_meetings(update, context, sender)
        elif sender.member.household.display_name is None:
            await message.reply_text(
                t(_name_prompt(sender.member.role), role=role_label(t, sender.member.role))
            )
        else:
            await message.reply_text(t("start.welcome_back", name=household_name(t, sender.member)))
            await message.reply_text(help_text(t, sender.member.role))
            await publish_member_commands(context.bot, sender.member, t)
        return

    limit = context.config.household_adults
    result = await invites.redeem(
        context.db, code, sender.telegram_user_id, now(), household_limit=limit
    )
    if result.outcome is not JoinOutcome.JOINED or result.member is None:
        refusal = _REFUSALS[result.outcome]
        await message.reply_text(t(refusal, limit=limit, valid=invites.INVITE_LIFETIME))
        return
    member = result.member
    role = role_label(t, member.role)
    if result.joined_household:
        welcome = N_("start.joined_household") if member.approved else N_("start.joined_pending")
        await message.reply_text(t(welcome, name=household_name(t, member), role=role))
        await publish_member_commands(context.bot, member, t)
        await tell_coordinators_of_partner(context, member, result.added_by)
    else:
        await message.reply_text(t(_name_prompt(member.role), role=role))


_REFUSALS = {
    JoinOutcome.ALREADY_MEMBER: N_("start.already_member"),
    JoinOutcome.UNKNOWN: N_("start.code_unknown"),
    JoinOutcome.USED: N_("start.code_used"),
    JoinOutcome.EXPIRED: N_("start.code_expired"),
    JoinOutcome.REVOKED: N_("start.code_revoked"),
    JoinOutcome.HOUSEHOLD_FULL: N_("start.household_full"),
}


def _name_prompt(role: Role) -> str:
    """A coordinator is asked for their own name; a household for the name others will see."""
    if role is Role.COORDINATOR:
        return N_("start.joined_coordinator")
    return N_("start.joined_household_new")


async def capture_name(update: Update, context: MentorContext) -> None:
    """A member whose household has no name yet is asked for one; their next text is it."""
    sender = await identify(update, context)
    member, message = sender.member, update.effective_message
    if member is None or member.household.display_name is not None or message is None:
        return
    t = sender.t
    name = members.clean_display_name(message.text or "")
    if name is None:
        await message.reply_text(t("name.invalid"))
        raise ApplicationHandlerStop
    await members.name_household(context.db, member, name)
    await message.reply_text(t("name.saved", name=name))
    named = await members.identify(context.db, member.telegram_user_id)
    if named is not None:
        await message.reply_text(help_text(t, named.role))
        await publish_member_commands(context.bot, named, t)
    raise ApplicationHandlerStop


@requires(*HOUSEHOLD_ROLES)
async def partner(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    limit = context.config.household_adults
    issued = await invites.issue_partner_invite(context.db, member, now(), limit)
    if issued is None:
        await answer_with_link(update, sender.t("partner.household_full", limit=limit))
        return
    link = invites.deep_link(context.bot.username, issued.code)
    await answer_with_link(
        update,
        sender.t(
            "partner.link",
            name=household_name(sender.t, member),
            link=link,
            expires=local_date(context, issued.expires_at),
        ),
    )


async def answer_with_link(update: Update, text: str) -> None:
    """Links to t.me would unfurl into a large preview of the bot itself; keep replies small."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(text, disable_web_page_preview=True)


def register(application: MentorApplication) -> None:
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("partner", partner))
    application.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND, capture_name), group=NAMING_GROUP
    )
