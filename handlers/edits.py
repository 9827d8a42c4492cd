"""The one path an edited message takes: it is checked again, and never acts as a new message.

An edit never opens a question and never runs a command. Inside a conversation the copy the
other side has is not changed: the sender is told in one line that edits are not passed on,
so nobody believes a correction arrived when it did not. A message still waiting for a mentor
is different, because it is copied *as it is then* when a mentor accepts: it is checked again,
and one that now carries an identity number (or anything else that may not pass) leaves the
hand-over, with the family told; one that now speaks of danger makes the question urgent.
"""

from __future__ import annotations

from telegram import Update

from bot import routing
from bot.message_content import check
from handlers.common import MentorContext, identify
from handlers.content import read_content, refusal
from handlers.requests import sound_alarm
from storage.models import Role


async def take_edit(update: Update, context: MentorContext) -> None:
    message = update.edited_message
    if message is None:
        return
    sender = await identify(update, context)
    member, db = sender.member, context.bot_data.db
    if member is None:
        return
    checked = check(read_content(message), context.bot_data.config.urgent_words)
    waiting = (
        await routing.waiting_request_of_message(db, member, message.chat_id, message.message_id)
        if member.role is Role.FAMILY
        else None
    )
    if waiting is None:
        await message.reply_text(sender.t("edit.not_passed_on"))
        return
    if not checked.passes:
        await routing.withdraw_waiting_message(db, waiting, message.chat_id, message.message_id)
        await message.reply_text(refusal(sender.t, checked.verdict))
    if checked.urgent:
        became_urgent = await routing.mark_urgent(db, waiting)
        await sound_alarm(context, sender, message, waiting, became_urgent)
