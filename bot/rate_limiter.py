"""One budget of Telegram's overall limit for every request, and 429s that stop only their own.

python-telegram-bot's `AIORateLimiter` answers a 429 by pausing every request of the bot until
the wait is over, and retries with one policy for all. Here a 429 delays only the request that
got it (retried up to `retries` times), and a caller may ask for none (`rate_limit_args=0`):
the broadcast outbox does, because it keeps its own queue, backoff and record of each delivery,
and must not hold up a mentor's reply while it waits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

# A little more than Telegram asks for, so the retry does not arrive a moment too early.
_MARGIN = 0.1


def retry_after_seconds(error: RetryAfter) -> float:
    wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


class SharedRateLimiter(BaseRateLimiter[int]):
    def __init__(self, overall_rate: float, retries: int) -> None:
        self._overall = AsyncLimiter(overall_rate, 1)
        self._retries = retries

    async def initialize(self) -> None:
        """Nothing to set up: the limiter is ready when made."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        retries = self._retries if rate_limit_args is None else rate_limit_args
        attempt = 0
        while True:
            try:
                if data.get("chat_id") is None:  # getUpdates, getMe: not what Telegram limits
                    return await callback(*args, **kwargs)
                async with self._overall:
                    return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt >= retries:
                    raise
                attempt += 1
                await asyncio.sleep(retry_after_seconds(error) + _MARGIN)
