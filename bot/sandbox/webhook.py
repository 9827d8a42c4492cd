"""Webhook delivery: POST each queued update, in order, to the bot's URL.

Like Telegram, the double sends one update at a time with the secret token header, and keeps
retrying a refused update (non-2xx or a network error) with growing pauses, recording the
last error for getWebhookInfo. Nothing later is sent before an update is accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import aiohttp

from .updates import UpdateQueue

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookDelivery:
    """The webhook setting and the task that pushes updates to it."""

    def __init__(self, updates: UpdateQueue, retry_delay: float, max_retry_delay: float):
        self._updates = updates
        self._retry_delay = retry_delay
        self._max_retry_delay = max_retry_delay
        self.url = ""
        self.secret_token: str | None = None
        self.max_connections = 40
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def active(self) -> bool:
        """Whether a webhook is set (getUpdates is refused meanwhile)."""
        return bool(self.url)

    def set(self, url: str, secret_token: str | None, max_connections: int) -> None:
        """Set (or change) the webhook and make sure delivery runs."""
        self.url = url
        self.secret_token = secret_token
        self.max_connections = max_connections
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._deliver())

    async def delete(self) -> None:
        """Remove the webhook and stop delivering."""
        self.url = ""
        self.secret_token = None
        self.last_error_date = self.last_error_message = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def info(self) -> dict[str, Any]:
        """The getWebhookInfo result."""
        info: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": self._updates.pending_count,
        }
        if self.url:
            info["max_connections"] = self.max_connections
            if self._updates.allowed_updates is not None:
                info["allowed_updates"] = self._updates.allowed_updates
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info

    async def _deliver(self) -> None:
        delay = self._retry_delay
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                pending = self._updates.peek()
                if pending is None:
                    await self._updates.signal.wait(None)
                    continue
                error = await self._post(session, pending.update)
                if error is None:
                    self._updates.acknowledge(pending)
                    delay = self._retry_delay
                    continue
                self.last_error_date = int(time.time())
                self.last_error_message = error
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._max_retry_delay)

    async def _post(self, session: aiohttp.ClientSession, update: dict[str, Any]) -> str | None:
        """POST one update; None on success, else the error getWebhookInfo reports."""
        headers = {SECRET_HEADER: self.secret_token} if self.secret_token else {}
        try:
            async with session.post(self.url, json=update, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as error:
            return f"Connection failed: {error or type(error).__name__}"
