"""/invite and /invites: a coordinator's one-time links, and every way in that is still open.

An unused invite is a way into the service; the coordinators see each one (who made it, for
which role or household, until when) and can withdraw it with its button, which is checked
against the database at the press.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import invites
from bot.i18n import N_, Translator, plain
from handlers import buttons
from handlers.arguments import Word, parse_word
from handlers.clock import now
from handlers.common import (
    MentorApplication,
    MentorContext,
    Sender,
    answer,
    local_date,
    requires,
    role_label,
)
from handlers.onboarding import answer_with_link
from storage.models import Member, OpenInvite, Role

_ROLES = (Word.FAMILY, Word.MENTOR, Word.COORDINATOR)
# At most this many invites get a button (Telegram allows 100 per message); the rest are counted.
INVITES_SHOWN = 40


@requires(Role.COORDINATOR)
async def invite(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    t = sender.t
    # The whole argument: a title the municipality gave may be two words.
    titles = dict.fromkeys(context.config.terms.coordinator.values(), Word.COORDINATOR)
    wanted = parse_word(" ".join(context.args or []), _ROLES, more=titles)
    if wanted is None:
        await answer(update, t("invite.usage"))
        return
    issued = await invites.issue(context.db, Role(wanted.value), now(), created_by=member)
    await answer_with_link(
        update,
        t(
            "invite.created",
            role=role_label(t, issued.role),
            link=invites.deep_link(context.bot.username, issued.code),
            expires=local_date(context, issued.expires_at),
        ),
    )


def invite_line(t: Translator, context: MentorContext, found: OpenInvite) -> str:
    if found.created_by is None:
        made_by = t("invites.by_command_line")
    else:
        made_by = t("invites.by_member", number=found.created_by)
    params = {"number": found.id, "by": made_by, "until": local_date(context, found.expires_at)}
    if found.household_id is not None:
        household = found.household_name or t("members.unnamed")
        return t("invites.partner_line", household=household, **params)
    return t("invites.line", role=role_label(t, found.role), **params)


def invites_listing(
    t: Translator, context: MentorContext, found: list[OpenInvite]
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The open invites with a Revoke button each (the oldest first)."""
    if not found:
        return t("invites.none"), None
    shown = found[:INVITES_SHOWN]
    lines = [t("invites.header", count=len(found))]
    lines.extend(invite_line(t, context, each) for each in shown)
    if len(found) > len(shown):
        lines.append(t("invites.more", count=len(found) - len(shown)))
    buttons = [[_revoke_button(t, each)] for each in shown]
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


def _revoke_button(t: Translator, found: OpenInvite) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        t("invites.revoke", number=found.id), callback_data=buttons.revoke_invite(found.id)
    )


@requires(Role.COORDINATOR)
async def list_invites(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    message = update.effective_message
    if message is None:
        return
    found = await invites.open_invites(context.db, now())
    text, keyboard = invites_listing(sender.t, context, found)
    await message.reply_text(text, reply_markup=keyboard)


@requires(Role.COORDINATOR)
async def revoke(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    query, match, t = update.callback_query, buttons.matched(context), sender.t
    if query is None or match is None:
        return
    number = buttons.invite_of(match)
    db, moment = context.db, now()
    revoked = await invites.revoke(db, member, number, moment)
    said = N_("invites.revoked") if revoked else N_("invites.not_open")
    await query.answer(plain(t(said, number=number)))
    text, keyboard = invites_listing(t, context, await invites.open_invites(db, moment))
    await query.edit_message_text(text, reply_markup=keyboard)


# Data with this module's button prefixes that none of its patterns takes (handlers/buttons.py).
refuse_other_data = buttons.refuse_rest(Role.COORDINATOR)


def register(application: MentorApplication) -> None:
    application.add_handler(CommandHandler("invite", invite))
    application.add_handler(CommandHandler("invites", list_invites))
    application.add_handler(CallbackQueryHandler(revoke, pattern=buttons.REVOKE_INVITE))
    rest = buttons.rest(buttons.REVOKE_INVITE)
    application.add_handler(CallbackQueryHandler(refuse_other_data, pattern=rest))
