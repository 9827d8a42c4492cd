"""Application assembly: the one place where the bot is built, started and shut down."""

from __future__ import annotations

import logging

from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, Defaults, JobQueue

import handlers
from bot import members
from bot.app.bot_api_watch import BotApiWatch
from bot.app.chat_order import ChatOrder
from bot.app.durable_updates import DurableApplication, DurableUpdateQueue
from bot.app.rate_limiter import SharedRateLimiter
from bot.config import Config
from bot.keyed_locks import KeyedLocks
from handlers import lifecycle, offers, recruitment, retention, rota_jobs
from handlers.clock import now
from handlers.common import CONTEXT_TYPES, MentorApplication, MentorContext
from handlers.menu import publish_default_commands
from handlers.outbox import Outbox
from storage.db import Database

logger = logging.getLogger(__name__)


def build_application(config: Config, bot_api: BotApiWatch) -> MentorApplication:
    application = (
        ApplicationBuilder()
        .token(config.require_token())
        .request(bot_api.request())
        .get_updates_request(bot_api.get_updates_request())
        .base_url(f"{config.api_url}/bot")
        .base_file_url(f"{config.api_url}/file/bot")
        .rate_limiter(SharedRateLimiter(config.api_rate))
        .concurrent_updates(ChatOrder())
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=config.timezone))
        .context_types(CONTEXT_TYPES)
        .job_queue(JobQueue[MentorContext]())
        .application_class(DurableApplication)
        .update_queue(DurableUpdateQueue())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    bot_data = application.bot_data
    bot_data.config = config
    bot_data.albums = {}
    bot_data.acknowledged_albums = {}
    bot_data.conversation_turns = KeyedLocks()
    handlers.register(application)
    return application


async def post_init(application: MentorApplication) -> None:
    bot_data = application.bot_data
    config = bot_data.config
    bot_data.db = await Database.open(config.db_path)
    queue = application.update_queue
    if isinstance(queue, DurableUpdateQueue):
        queue.attach(bot_data.db)
        replayed = await queue.replay(application.bot)
        if replayed:
            logger.info("handling %d update(s) again that a stop interrupted", replayed)
    added = await members.ensure_coordinators(bot_data.db, config.coordinators, now())
    if added:
        logger.info("added %d coordinator(s) from MENTORBOT_COORDINATORS", added)
    await rota_jobs.start(application)
    await offers.start(application)
    retention.start(application)
    lifecycle.start(application)
    recruitment.start(application)
    bot_data.outbox = Outbox(application.bot, bot_data.db, config)
    bot_data.outbox.start()
    await publish_default_commands(application.bot, config.language)
    logger.info("Mentorbot is running as @%s", application.bot.username)


async def post_shutdown(application: MentorApplication) -> None:
    bot_data = application.bot_data
    if hasattr(bot_data, "outbox"):
        await bot_data.outbox.stop()
    if hasattr(bot_data, "db"):  # post_init may have failed before opening it
        await bot_data.db.close()
        logger.info("Mentorbot stopped")
