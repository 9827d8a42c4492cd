"""Application assembly: the one place where the bot is built, started and shut down."""

from __future__ import annotations

import gc
import logging

from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, Defaults, JobQueue

import handlers
from bot import members
from bot.app.bot_api_watch import BotApiWatch
from bot.app.chat_order import ChatOrder
from bot.app.durable_updates import DurableApplication, DurableUpdateQueue
from bot.app.health import Health
from bot.app.rate_limiter import SharedRateLimiter
from bot.app.web import StatusPages, WebhookUpdater, WebServer
from bot.config import Config
from bot.keyed_locks import KeyedLocks
from handlers import (
    debriefs,
    event_notices,
    event_reminders,
    lifecycle,
    offers,
    recruitment,
    retention,
    rota_jobs,
    unit_notes,
)
from handlers.clock import now
from handlers.common import CONTEXT_TYPES, MentorApplication, MentorContext
from handlers.menu import publish_default_commands
from handlers.outbox import Outbox
from handlers.profile import publish_profile
from storage.db import Database

logger = logging.getLogger(__name__)


def build_application(config: Config, bot_api: BotApiWatch) -> MentorApplication:
    lifecycle = _Lifecycle(config, Health(bot_api))
    updates = DurableUpdateQueue()
    bot_api.before_each_poll(updates.keep_before_poll)
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
        .update_queue(updates)
        .post_init(lifecycle.post_init)
        .post_shutdown(lifecycle.post_shutdown)
        .build()
    )
    # The builder's updater, with the webhook served beside the status pages (bot/app/web.py).
    pages = StatusPages(application, lifecycle.health)
    application.updater = WebhookUpdater(application.bot, application.update_queue, pages)
    bot_data = application.bot_data
    bot_data.config = config
    bot_data.albums = {}
    bot_data.acknowledged_albums = {}
    bot_data.conversation_turns = KeyedLocks()
    handlers.register(application)
    return application


class _Lifecycle:
    """What starts after the library's initialisation and stops before its shutdown: the
    handlers' services, and the shell's health and metrics around them."""

    def __init__(self, config: Config, health: Health) -> None:
        self.health = health
        self._config = config
        self._status_server: WebServer | None = None

    async def post_init(self, application: MentorApplication) -> None:
        bot_data = application.bot_data
        config = bot_data.config
        bot_data.db = await Database.open(config.db_path)
        await bot_data.db.checkpoint_in_background()
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
        await event_reminders.start(application)
        event_notices.start(application)
        await offers.start(application)
        await debriefs.start(application)
        await unit_notes.plan_delivery(application)
        retention.start(application)
        lifecycle.start(application)
        recruitment.start(application)
        bot_data.outbox = Outbox(application.bot, bot_data.db, config)
        bot_data.outbox.start()
        self.health.start(application)
        if config.metrics_port is not None:
            self._status_server = WebServer.status_only(StatusPages(application, self.health))
            self._status_server.listen(config.metrics_listen, config.metrics_port)
        await publish_default_commands(application.bot, config.language)
        await publish_profile(application.bot, config.language, config.terms)
        # What start-up made (modules, the library's classes, the catalogues) lives as long as
        # the process: kept out of the collector, a full collection stops the loop for a few
        # milliseconds instead of tens, and a question never waits for it.
        gc.freeze()
        logger.info("Mentorbot is running as @%s", application.bot.username)

    async def post_shutdown(self, application: MentorApplication) -> None:
        bot_data = application.bot_data
        if self._status_server is not None:
            await self._status_server.stop()
        if hasattr(bot_data, "outbox"):
            await bot_data.outbox.stop()
        if hasattr(bot_data, "db"):  # post_init may have failed before opening it
            await self.health.stopped(application)
            await bot_data.db.close()
            logger.info("Mentorbot stopped")
