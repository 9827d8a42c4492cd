"""What the Bot API refused, seen at the request, where the HTTP status is still known.

python-telegram-bot raises the same InvalidToken for a 401 Unauthorized (a wrong or revoked
token) and for a 404 Not Found (a TELEGRAM_API_URL that is no Bot API), so only the request
can tell the command line which of the two to name. And a 401 while the bot runs does not stop
the library's application: the polling loop logs it and ends, its error callback is not
called, and the process goes on fetching nothing; a send that gets it fails alone. The watch
calls the bot back at the first 401 so that it can stop.

The poll's request is also where the bot learns that the updates of the last getUpdates are
about to be confirmed: work to do first (keeping them, bot/app/durable_updates.py) runs there.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from bot import metrics

# The pools python-telegram-bot's ApplicationBuilder gives its two requests: one long poll at a
# time, and room for the handlers' and the outbox's calls side by side.
_GET_UPDATES_CONNECTIONS = 1
_CONNECTIONS = 256


class BotApiWatch:
    """The refusals the Bot API answered, shared by both of the bot's requests."""

    def __init__(self) -> None:
        self.refusal: HTTPStatus | None = None
        """The status of the last 401 or 404 the Bot API answered, if any."""
        self.polling_since: float | None = None
        """When (time.monotonic) the first getUpdates went out; None: by webhook, or not yet."""
        self.last_poll_answered: float | None = None
        """When a getUpdates last succeeded: long polling's sign of life."""
        self._on_unauthorized: Callable[[], None] = lambda: None
        self._before_poll: Callable[[], Awaitable[None]] | None = None

    def request(self) -> HTTPXRequest:
        """For every call but getUpdates."""
        return _WatchedRequest(self, connection_pool_size=_CONNECTIONS, polls=False)

    def get_updates_request(self) -> HTTPXRequest:
        return _WatchedRequest(self, connection_pool_size=_GET_UPDATES_CONNECTIONS, polls=True)

    def before_each_poll(self, work: Callable[[], Awaitable[None]]) -> None:
        """Have `work` done before every getUpdates goes out: the request that confirms to
        Telegram the updates of the one before (bot/app/durable_updates.py)."""
        self._before_poll = work

    async def poll_going_out(self) -> None:
        if self.polling_since is None:
            self.polling_since = time.monotonic()
        if self._before_poll is not None:
            await self._before_poll()

    def on_unauthorized(self, react: Callable[[], None]) -> None:
        """Have `react` called (inside the event loop) at every 401 from now on."""
        self._on_unauthorized = react

    def answered(self, status: int, *, to_poll: bool) -> None:
        """Called by the requests with the status of every answer."""
        if to_poll and status == HTTPStatus.OK:
            self.last_poll_answered = time.monotonic()
        if status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND):
            self.refusal = HTTPStatus(status)
        if status == HTTPStatus.UNAUTHORIZED:
            self._on_unauthorized()
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            metrics.TOO_MANY_REQUESTS.inc()


class _WatchedRequest(HTTPXRequest):
    def __init__(self, watch: BotApiWatch, *, connection_pool_size: int, polls: bool) -> None:
        super().__init__(connection_pool_size=connection_pool_size)
        self._watch = watch
        self._polls = polls

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        if self._polls:
            await self._watch.poll_going_out()
        status, payload = await super().do_request(*args, **kwargs)
        self._watch.answered(status, to_poll=self._polls)
        return status, payload

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        """As the library's, without its traceback of the body: what answers other than JSON
        is not a Bot API (a web server at a wrong TELEGRAM_API_URL), and the status says so."""
        try:
            parsed: dict[str, Any] = json.loads(payload.decode("utf-8", "replace"))
        except ValueError:
            raise TelegramError("Invalid server response: not JSON") from None
        return parsed
