"""No conversation stays open for ever: one nobody wrote in for a while is closed.

An accepted conversation nobody ends would otherwise take every later message of that family,
weeks later and at any hour, to that one mentor, whatever the rota says. The check runs at start
(a conversation may have gone idle while the bot was down) and then often enough that none
stays open much longer than `MENTORBOT_CONVERSATION_IDLE_HOURS`; the database says which are
idle, so nothing about it is lost with the process.
"""

from __future__ import annotations

from datetime import timedelta

from bot import routing
from bot.i18n import N_
from handlers.clock import now
from handlers.common import RUN_LATE, MentorApplication, MentorContext
from handlers.conversations import after_end
from handlers.notices import tell

IDLE_JOB = "idle-conversations"
# How often the check runs: a quarter of the idle time, at most every ten minutes.
_CHECK_AT_MOST_EVERY = timedelta(minutes=10)


async def _close_idle(context: MentorContext) -> None:
    config = context.config
    for ended in await routing.close_idle(context.db, config.conversation_idle, now()):
        number = ended.request.id
        family_msgid, mentor_msgid = N_("conversation.idle_family"), N_("conversation.idle_mentor")
        idle = config.conversation_idle
        await tell(context, ended.family, family_msgid, number=number, idle=idle)
        if ended.mentor is not None:
            await tell(context, [ended.mentor], mentor_msgid, number=number, idle=idle)
        await after_end(context, ended)


def start(application: MentorApplication) -> None:
    idle = application.bot_data.config.conversation_idle
    queue = application.job_queue
    assert queue is not None
    every = min(idle / 4, _CHECK_AT_MOST_EVERY)
    queue.run_once(_close_idle, when=0, name=IDLE_JOB, job_kwargs=RUN_LATE)  # the catch-up
    queue.run_repeating(_close_idle, interval=every, first=every, name=IDLE_JOB)
