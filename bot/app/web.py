"""The bot's own web server: Telegram's webhook posts, and the operators' /healthz and /metrics.

python-telegram-bot's webhook server answers one path, so a health check could not reach the
port the bot already listens on. `WebhookUpdater` therefore serves the webhook itself, as the
library's server does (the secret checked, the update handed to the durable queue, which keeps
it in the database before the 200 that tells Telegram it arrived), with the two pages beside
it. MENTORBOT_METRICS_PORT serves the two pages alone, in either mode, for a monitoring that
should not reach the webhook's port. A proxy in front forwards only the webhook's path.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import sqlite3
from collections.abc import Sequence
from typing import Any

import tornado.web
from prometheus_client import CONTENT_TYPE_LATEST
from telegram import Bot, Update
from telegram.ext import Updater
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from bot import metrics, monitoring
from bot.app.health import Health
from handlers.common import MentorApplication

logger = logging.getLogger(__name__)

_Route = tuple[str, type[tornado.web.RequestHandler], dict[str, Any]]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# An update is a few kilobytes (files come by reference); a larger post is not Telegram's.
MAX_POST_BYTES = 1024 * 1024


class StatusPages:
    """What /healthz and /metrics answer, read from the running application at each request."""

    def __init__(self, application: MentorApplication, health: Health) -> None:
        self._application = application
        self._health = health

    async def problem(self) -> str | None:
        return await self._health.problem(self._application)

    async def metrics(self) -> bytes:
        return metrics.exposition(await monitoring.figures(self._application.bot_data.db))


def _plain(handler: tornado.web.RequestHandler, status: int, line: str) -> None:
    handler.set_status(status)
    handler.set_header("Content-Type", "text/plain; charset=utf-8")
    handler.set_header("Cache-Control", "no-store")
    handler.finish(line + "\n")


class _HealthPage(tornado.web.RequestHandler):
    def initialize(self, pages: StatusPages) -> None:
        self._pages = pages

    async def get(self) -> None:
        problem = await self._pages.problem()
        _plain(self, 503 if problem else 200, problem or "ok")


class _MetricsPage(tornado.web.RequestHandler):
    def initialize(self, pages: StatusPages) -> None:
        self._pages = pages

    async def get(self) -> None:
        try:
            page = await self._pages.metrics()
        except sqlite3.Error as error:
            _plain(self, 503, f"the database failed: {error}")
            return
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(page)


class _WebhookPost(tornado.web.RequestHandler):
    """A post from Telegram: refused (403) without the secret, which is compared in constant
    time; answered 200 only once the update is kept, so that Telegram sends it again if not."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, bot: Bot, update_queue: asyncio.Queue[object], secret: str) -> None:
        self._bot = bot
        self._update_queue = update_queue
        self._secret = secret.encode()

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            _plain(self, 403, "forbidden")
            return
        try:
            update = Update.de_json(json.loads(self.request.body), self._bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            _plain(self, 400, "not an update")
            return
        try:
            await self._update_queue.put(update)
        except sqlite3.Error as error:
            # Not kept, so not confirmed: Telegram posts it again.
            logger.warning("an update by webhook could not be kept, Telegram will retry: %s", error)
            _plain(self, 503, "try again")
            return
        self.finish()


def _quiet(handler: tornado.web.RequestHandler) -> None:
    """Tornado logs every request; a request's path and status are all it would say, and a
    health check every few seconds would drown the log. Errors of our own are logged above."""


class WebServer:
    """One tornado server on sockets bound beforehand (bot/app/cli.py names a port in use)."""

    def __init__(self, rules: list[_Route]) -> None:
        application = tornado.web.Application(rules, log_function=_quiet)
        self._server = HTTPServer(application, max_body_size=MAX_POST_BYTES)

    @classmethod
    def status_only(cls, pages: StatusPages) -> WebServer:
        return cls(_status_rules(pages))

    def listen(self, host: str, port: int) -> None:
        self._server.add_sockets(bind_sockets(port, address=host))

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()


def _status_rules(pages: StatusPages) -> list[_Route]:
    return [
        (r"/healthz", _HealthPage, {"pages": pages}),
        (r"/metrics", _MetricsPage, {"pages": pages}),
    ]


class WebhookUpdater(Updater):
    """The library's updater, its webhook served by `WebServer` with the status pages beside
    it; long polling is the library's own, unchanged."""

    def __init__(self, bot: Bot, update_queue: asyncio.Queue[object], pages: StatusPages) -> None:
        super().__init__(bot, update_queue)
        self._pages = pages
        self._server: WebServer | None = None

    @property
    def running(self) -> bool:
        return self._server is not None or super().running

    async def start_webhook(  # the library's signature; what it is not given here is unused
        self,
        listen: object = "127.0.0.1",
        port: object = 80,
        url_path: str = "",
        cert: object = None,
        key: object = None,
        bootstrap_retries: int = 0,
        webhook_url: str | None = None,
        allowed_updates: Sequence[str] | None = None,
        drop_pending_updates: bool | None = None,
        ip_address: str | None = None,
        max_connections: int = 40,
        secret_token: str | None = None,
        unix: object = None,
    ) -> asyncio.Queue[object]:
        if webhook_url is None or secret_token is None:
            raise ValueError("the webhook needs its URL and its secret")
        if not (isinstance(listen, str) and isinstance(port, int)):
            raise TypeError("the webhook is served on an address and a port given")
        shared = {"bot": self.bot, "update_queue": self.update_queue, "secret": secret_token}
        server = WebServer([(rf"{url_path}/?", _WebhookPost, shared), *_status_rules(self._pages)])
        server.listen(listen, port)
        self._server = server
        try:
            await self.bot.set_webhook(
                url=webhook_url,
                allowed_updates=allowed_updates,
                drop_pending_updates=drop_pending_updates,
                max_connections=max_connections,
                secret_token=secret_token,
            )
        except BaseException:
            await self.stop()
            raise
        return self.update_queue

    async def stop(self) -> None:
        if self._server is None:
            await super().stop()
            return
        server, self._server = self._server, None
        await server.stop()
