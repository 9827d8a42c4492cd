"""/audit [N]: the latest coordinator actions, for the coordinators and the DPO behind them."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import audit
from bot.i18n import N_
from handlers.common import (
    MentorApplication,
    MentorContext,
    Sender,
    number_argument,
    reply_lines,
    requires,
)
from storage.models import Action, Member, Role

_ACTIONS = {
    Action.INVITE: N_("audit.invite"),
    Action.REMOVE: N_("audit.remove"),
    Action.SHIFT_ADD: N_("audit.shift_add"),
    Action.SHIFT_DELETE: N_("audit.shift_delete"),
    Action.SHIFT_IMPORT: N_("audit.shift_import"),
    Action.BROADCAST: N_("audit.broadcast"),
    Action.BROADCAST_CANCEL: N_("audit.broadcast_cancel"),
    Action.DATA_EXPORT: N_("audit.data_export"),
    Action.ERASURE: N_("audit.erasure"),
    Action.INVITE_REVOKE: N_("audit.invite_revoke"),
    Action.PARTNER_JOIN: N_("audit.partner_join"),
    Action.APPROVE: N_("audit.approve"),
    Action.EVENT_ADD: N_("audit.event_add"),
    Action.EVENT_CHANGE: N_("audit.event_change"),
    Action.EVENT_CANCEL: N_("audit.event_cancel"),
    Action.EVENT_ATTENDANCE: N_("audit.event_attendance"),
    Action.MENTOR_LINK: N_("audit.mentor_link"),
    Action.MENTOR_UNLINK: N_("audit.mentor_unlink"),
    Action.EXPERIENCE: N_("audit.experience"),
}


@requires(Role.COORDINATOR)
async def show_audit(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    t, tz = sender.t, context.config.timezone
    wanted = number_argument(context.args) if context.args else audit.DEFAULT_ENTRIES
    if wanted is None or not 1 <= wanted <= audit.MAX_ENTRIES:
        await reply_lines(update, [t("audit.usage", max=audit.MAX_ENTRIES)])
        return
    entries = await audit.latest(context.db, wanted)
    if not entries:
        await reply_lines(update, [t("audit.none")])
        return
    lines = [t("audit.header", count=len(entries))]
    for entry in entries:
        lines.append(
            t(
                "audit.line",
                when=t.moment(entry.at, tz),
                actor=entry.actor or t("audit.command_line"),
                action=t(_ACTIONS[entry.action]),
                subject=entry.subject,
            )
        )
    await reply_lines(update, lines)


def register(application: MentorApplication) -> None:
    application.add_handler(CommandHandler("audit", show_audit))
