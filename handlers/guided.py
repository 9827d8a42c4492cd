"""What the guided conversations share: /broadcast, and a stranger's registration of interest.

Both keep what was typed so far in PTB's per-user data until the last step, and store nothing
unless that step is confirmed; a restart drops an unfinished one, and nothing was sent or kept.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import BaseHandler, ConversationHandler
from telegram.warnings import PTBUserWarning

from handlers.common import MentorContext, identify


def conversation_data(context: MentorContext) -> dict[Any, Any]:
    """What was typed so far: PTB keeps one dict per user while the conversation lasts."""
    data = context.user_data
    if data is None:
        raise RuntimeError("a guided conversation without a user")
    return data


async def abandon(
    update: Update,
    context: MentorContext,
    msgid: str,
    reply_markup: ReplyKeyboardRemove | None = None,
) -> int:
    """/cancel: forget what was typed, and say so (taking away a reply keyboard it showed)."""
    conversation_data(context).clear()
    sender = await identify(update, context)
    if update.effective_message is not None:
        await update.effective_message.reply_text(sender.t(msgid), reply_markup=reply_markup)
    return ConversationHandler.END


def guided_conversation(
    entry_points: Sequence[BaseHandler[Update, MentorContext, Any]],
    states: dict[object, list[BaseHandler[Update, MentorContext, Any]]],
    fallbacks: Sequence[BaseHandler[Update, MentorContext, Any]],
    timeout_seconds: int,
    *,
    allow_reentry: bool = False,
) -> ConversationHandler[MentorContext]:
    with warnings.catch_warnings():
        # PTB warns that buttons are tracked per user and chat rather than per message: that is
        # the intent, one conversation of each kind per person at a time.
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return ConversationHandler(
            entry_points=list(entry_points),
            states=states,
            fallbacks=list(fallbacks),
            conversation_timeout=timeout_seconds,
            allow_reentry=allow_reentry,
        )
