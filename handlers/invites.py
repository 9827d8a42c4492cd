"""/invite: a coordinator's one-time link for a new family, mentor or coordinator."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot import invites
from handlers.common import MentorContext, Sender, answer, local_date, now, requires, role_label
from handlers.onboarding import answer_with_link
from storage.models import Member, Role


@requires(Role.COORDINATOR)
async def invite(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    t = sender.t
    wanted = (context.args or [""])[0].lower()
    if len(context.args or []) != 1 or wanted not in {role.value for role in Role}:
        await answer(update, t("invite.usage"))
        return
    issued = await invites.issue(context.bot_data.db, Role(wanted), now(), created_by=member)
    await answer_with_link(
        update,
        t(
            "invite.created",
            role=role_label(t, issued.role),
            link=invites.deep_link(context.bot.username, issued.code),
            expires=local_date(context, issued.expires_at),
        ),
    )


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("invite", invite))
