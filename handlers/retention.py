"""The nightly erasure of old questions' and broadcasts' content, and a catch-up at every
start."""

from __future__ import annotations

import logging
from datetime import time

from telegram.ext import Application

from bot import retention
from handlers.common import BotData, MentorContext, now

logger = logging.getLogger(__name__)

NIGHTLY_AT = time(3, 0)  # local: when nobody is waiting for the bot
RETENTION_JOB = "retention"


async def _erase(context: MentorContext) -> None:
    config = context.bot_data.config
    db, moment = context.bot_data.db, now()
    erased = await retention.erase_expired_content(db, config.retention, moment)
    if erased:
        logger.info("retention: erased the content of %d ended question(s)", erased)
    newsletters = await retention.erase_expired_broadcasts(db, config.broadcast_retention, moment)
    if newsletters:
        logger.info("retention: erased the content of %d broadcast(s)", newsletters)


def start(application: Application) -> None:  # type: ignore[type-arg]
    bot_data: BotData = application.bot_data
    queue = application.job_queue
    assert queue is not None
    tz = bot_data.config.timezone
    queue.run_daily(_erase, time=NIGHTLY_AT.replace(tzinfo=tz), name=RETENTION_JOB)
    queue.run_once(_erase, when=0, name=RETENTION_JOB)  # a night missed while the bot was down
