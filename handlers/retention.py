"""The nightly erasure of old questions' and broadcasts' content, and a catch-up at every
start."""

from __future__ import annotations

import logging
from datetime import time

from bot import retention
from handlers.clock import now
from handlers.common import MentorApplication, MentorContext

logger = logging.getLogger(__name__)

NIGHTLY_AT = time(3, 0)  # local: when nobody is waiting for the bot
RETENTION_JOB = "retention"


async def _erase(context: MentorContext) -> None:
    config = context.config
    db, moment = context.db, now()
    erased = await retention.erase_expired_content(db, config.retention, moment)
    if erased:
        logger.info("retention: erased the content of %d ended question(s)", erased)
    newsletters = await retention.erase_expired_broadcasts(db, config.broadcast_retention, moment)
    if newsletters:
        logger.info("retention: erased the content of %d broadcast(s)", newsletters)


def start(application: MentorApplication) -> None:
    bot_data = application.bot_data
    queue = application.job_queue
    assert queue is not None
    tz = bot_data.config.timezone
    queue.run_daily(_erase, time=NIGHTLY_AT.replace(tzinfo=tz), name=RETENTION_JOB)
    queue.run_once(_erase, when=0, name=RETENTION_JOB)  # a night missed while the bot was down
