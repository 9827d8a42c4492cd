"""The one path of every Bot API request: Telegram's overall limit, and retries of what passes.

Every send the bot makes on a person's behalf (an offer, a relayed message, a hand-over copy,
an acknowledgement) is a request addressed to a chat, and Telegram's edge sometimes answers one
with a 429, a 5xx, or a connection dropped or timed out. Such a send is tried again here, with
backoff, for `RETRY_SECONDS` in all; only then does its failure reach the caller, who tells the
sender honestly (handlers/relay.py, handlers/offers.py). The retry happens inside the handler,
under its chat's turn (bot/app/chat_order.py), so a chat's order is kept and no other chat waits.

A 429 delays only the request that got it (python-telegram-bot's `AIORateLimiter` pauses every
request of the bot). Requests addressed to no chat (getUpdates, getMe, setWebhook, a button's
answer) are not sends: a network error is not retried for them here (the updater has its own
retries; a button's answer is useful only at once). A button's answer that Telegram did not
take is also no reason to stop: it only ends the spinner on the person's button, and the press
(an Accept already claimed, say) must go on to its hand-over, so it is tolerated with one line.
A caller may ask for one try only
(`rate_limit_args=0`): the broadcast outbox does, because it keeps its own queue, backoff and
record of each delivery, and must not hold up a mentor's reply while it waits. A stop does not
wait a minute for a send being retried: it is cut short after a few seconds (bot/app/cli.py), and
an update not done is handled again at the next start.

A retry after a connection dropped or timed out may repeat a message Telegram had delivered
before the answer was lost: the Bot API has no idempotency key, so one duplicate is the floor.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

from handlers.telegram_errors import failure, is_transient, retry_after_seconds

logger = logging.getLogger(__name__)

# How long one send is tried, in all, before it has failed: Telegram's 5xx bursts and dropped
# connections usually pass within seconds, and a person waits about a minute for "sent".
RETRY_SECONDS = 60.0
# The first pause after a failure, doubled after each further one up to the longest.
FIRST_BACKOFF_SECONDS = 0.5
LONGEST_BACKOFF_SECONDS = 8.0
# A little more than Telegram asks for, so the retry does not arrive a moment too early.
_MARGIN = 0.1
# The answer to a button press: cosmetic (it ends the spinner), so never fatal to the press.
_BUTTON_ANSWER = "answerCallbackQuery"

Result = bool | dict[str, Any] | list[dict[str, Any]]


class SharedRateLimiter(BaseRateLimiter[int]):
    """Telegram's overall limit for every send, and each send retried for `retry_seconds`."""

    def __init__(self, overall_rate: float, retry_seconds: float = RETRY_SECONDS) -> None:
        self._overall = AsyncLimiter(overall_rate, 1)
        self._retry_seconds = retry_seconds

    async def initialize(self) -> None:
        """Nothing to set up: the limiter is ready when made."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        is_send = data.get("chat_id") is not None  # getUpdates, getMe: not what Telegram limits
        deadline = asyncio.get_running_loop().time() + self._retry_seconds
        backoff = FIRST_BACKOFF_SECONDS
        while True:
            try:
                if not is_send:
                    return await callback(*args, **kwargs)
                async with self._overall:
                    return await callback(*args, **kwargs)
            except RetryAfter as error:
                wait = retry_after_seconds(error) + _MARGIN
                if rate_limit_args == 0 or not await self._waited(wait, deadline):
                    raise
            except NetworkError as error:
                if endpoint == _BUTTON_ANSWER and is_transient(error):
                    lost = type(error).__name__
                    logger.info("a button's answer did not reach Telegram (%s)", lost)
                    return True
                if not (is_send and rate_limit_args != 0 and is_transient(error)):
                    raise
                logger.debug(
                    "%s failed (%s); trying again in %.1f s", endpoint, failure(error), backoff
                )
                if not await self._waited(backoff, deadline):
                    raise
                backoff = min(2 * backoff, LONGEST_BACKOFF_SECONDS)

    @staticmethod
    async def _waited(seconds: float, deadline: float) -> bool:
        """Wait before the next try; False, at once, when it would come after the deadline."""
        if asyncio.get_running_loop().time() + seconds > deadline:
            return False
        await asyncio.sleep(seconds)
        return True
