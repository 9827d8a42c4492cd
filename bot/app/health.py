"""The running bot's view of its own health: for /healthz, and for the heartbeat it writes.

Healthy means the three things a family's question needs: updates come in (the updater runs
and, when polling, the Bot API answers its polls), the database answers, and the scheduler runs
jobs (escalations, reminders and the outbox's timers are jobs too). Each check names what it
found wrong in one line, the line an operator's monitoring shows.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time

from bot import monitoring
from bot.app.bot_api_watch import BotApiWatch
from handlers.clock import now
from handlers.common import RUN_LATE, MentorApplication, MentorContext

logger = logging.getLogger(__name__)

# The library's long poll holds getUpdates 10 s when nothing happens: six answers missed.
POLL_SILENCE = 60.0
DATABASE_PATIENCE = 5.0


class Health:
    def __init__(self, bot_api: BotApiWatch) -> None:
        self._bot_api = bot_api
        self._started = time.monotonic()
        self._last_beat: float | None = None

    def start(self, application: MentorApplication) -> None:
        """The heartbeat job, from post_init on: at once, then every HEARTBEAT_EVERY."""
        queue = application.job_queue
        assert queue is not None
        every = monitoring.HEARTBEAT_EVERY
        # The first at once, however late the scheduler starts (it starts after post_init).
        queue.run_once(self._beat, when=0, name="heartbeat", job_kwargs=RUN_LATE)
        queue.run_repeating(self._beat, interval=every, first=every, name="heartbeat")

    async def stopped(self, application: MentorApplication) -> None:
        """At post_shutdown: a stopped bot says so at once, rather than look alive for a while."""
        try:
            await monitoring.beat(application.bot_data.db, now(), monitoring.STOPPED)
        except sqlite3.Error as error:
            logger.warning("could not record the stop in the heartbeat: %s", error)

    async def problem(self, application: MentorApplication) -> str | None:
        """What /healthz answers 503 with, or None: 200."""
        receiving = self._receiving_problem(application)
        if receiving is not None:
            return receiving
        try:
            await asyncio.wait_for(monitoring.ping(application.bot_data.db), DATABASE_PATIENCE)
        except TimeoutError:
            return f"the database did not answer within {DATABASE_PATIENCE:g} s"
        except sqlite3.Error as error:
            return f"the database failed: {error}"
        queue = application.job_queue
        if queue is None or not queue.scheduler.running:
            return "the scheduler is not running"
        silence = time.monotonic() - (self._last_beat or self._started)
        if silence > monitoring.STALE_AFTER.total_seconds():
            return f"the scheduler has not run the heartbeat for {silence:.0f} s"
        return None

    def _receiving_problem(self, application: MentorApplication) -> str | None:
        updater = application.updater
        if updater is None or not updater.running:
            return "not receiving updates: the updater is not running"
        polling_since = self._bot_api.polling_since
        if polling_since is not None:  # by webhook, Telegram's silence says nothing
            silence = time.monotonic() - (self._bot_api.last_poll_answered or polling_since)
            if silence > POLL_SILENCE:
                return f"the Bot API has not answered getUpdates for {silence:.0f} s"
        return None

    async def _beat(self, context: MentorContext) -> None:
        await monitoring.beat(context.db, now(), self._receiving_problem(context.application))
        self._last_beat = time.monotonic()
