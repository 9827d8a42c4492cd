"""The gate every update passes before any feature sees it: private chats, new messages only.

Mentorbot talks with one person at a time. A command typed in a team's group would post
members' names and telephone numbers to everyone in it, so nothing outside a private chat is
ever answered, and the bot leaves any group or channel it is added to. An edit is not a new
message: python-telegram-bot would hand it to the same handlers (a second copy relayed, an old
message opening a question, an edited `/shift add` booking again), so edits take their own
path here and go no further. Service messages (a pin, an auto-delete timer) carry nothing a
person said and are dropped. In a private chat the person is the chat: a message, an edit or a
button press whose chat is not its sender's is forged (or broken) and is dropped too, since the
handlers behind decide by the sender and answer into the chat. Deciding all of this in one place
keeps every handler behind it free of the question.
"""

from __future__ import annotations

import logging

from telegram import Chat, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler, filters

from handlers.common import MentorApplication, MentorContext
from handlers.edits import take_edit
from handlers.telegram_errors import failure

logger = logging.getLogger(__name__)

GATE_GROUP = -90  # before every feature (0)
# The only updates the bot asks Telegram for (`allowed_updates`): what it handles, nothing else.
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
]
_SERVICE_MESSAGE = filters.StatusUpdate.ALL


async def _leave(context: MentorContext, chat: Chat) -> None:
    try:
        await context.bot.leave_chat(chat.id)
    except TelegramError as error:  # removed already, or the chat is gone
        logger.info("could not leave a %s: %s", chat.type, failure(error))
    else:
        logger.info("left a %s: the bot answers in private chats only", chat.type)


def _not_from_the_chats_person(update: Update) -> bool:
    """In a private chat, whether a message, an edit or a button press names a chat that is not
    its sender's own (one of another person, or none at all)."""
    message = update.message or update.edited_message
    if message is not None:
        return message.from_user is None or message.from_user.id != message.chat.id
    query = update.callback_query
    if query is not None and query.message is not None:
        return query.from_user.id != query.message.chat.id
    return False


async def admit(update: Update, context: MentorContext) -> None:
    chat = update.effective_chat
    if chat is None:  # nothing the bot asks for comes without a chat
        raise ApplicationHandlerStop
    if chat.type != ChatType.PRIVATE:
        if update.my_chat_member is None or update.my_chat_member.new_chat_member.status in (
            "member",
            "administrator",
        ):
            await _leave(context, chat)
        raise ApplicationHandlerStop
    if _not_from_the_chats_person(update):
        logger.warning("update %s dropped: its private chat is not its sender's", update.update_id)
        raise ApplicationHandlerStop
    if update.my_chat_member is not None:  # the person blocked or unblocked the bot
        raise ApplicationHandlerStop
    if update.edited_message is not None:
        await take_edit(update, context)
        raise ApplicationHandlerStop
    if update.message is not None and _SERVICE_MESSAGE.check_update(update):
        raise ApplicationHandlerStop


def register(application: MentorApplication) -> None:
    application.add_handler(TypeHandler(Update, admit), group=GATE_GROUP)
