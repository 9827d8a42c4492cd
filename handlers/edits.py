"""The one path an edited message takes: it is checked again, and never acts as a new message.

An edit never opens a question and never runs a command. Inside a conversation the copy the
other side has is not changed: the sender is told in one line that edits are not passed on,
so nobody believes a correction arrived when it did not. A message that has not been copied
yet is different, because it will be copied *as it is then*: a family's message waiting for a
mentor, and a mentor's message waiting for "which family?". It is checked again, and one that
now carries an identity number (or anything else that may not pass) is dropped, with the sender
told. Danger words in a family's edit raise the alarm whether or not the edit is passed on.
"""

from __future__ import annotations

from telegram import Update

from bot import routing
from bot.message_content import check
from handlers.common import MentorContext, identify
from handlers.content import read_content, refusal
from handlers.requests import raise_family_alarm
from storage.models import Role


async def take_edit(update: Update, context: MentorContext) -> None:
    message = update.edited_message
    if message is None or message.location is not None:
        return  # a live location moving: it was refused when it was shared, and said so then
    sender = await identify(update, context)
    member, db = sender.member, context.db
    if member is None:
        return
    checked = check(read_content(message), context.config.urgent_words)
    chat, message_id = message.chat_id, message.message_id
    if member.role is not Role.FAMILY:
        if not await routing.is_parked(db, member, chat, message_id):
            await message.reply_text(sender.t("edit.not_passed_on"))
        elif not checked.passes:  # still waiting for "which family?": it is sent as it is now
            await routing.unpark(db, member, chat, message_id)
            await message.reply_text(refusal(sender.t, checked.verdict))
        return
    waiting = await routing.waiting_request_of_message(db, member, chat, message_id)
    if waiting is None:
        await message.reply_text(sender.t("edit.not_passed_on"))
    elif not checked.passes:
        await routing.withdraw_waiting_message(db, waiting, chat, message_id)
        await message.reply_text(refusal(sender.t, checked.verdict))
    if checked.urgent:
        passed_on = waiting is not None and checked.passes
        await raise_family_alarm(context, sender, member, message, passed_on=passed_on)
