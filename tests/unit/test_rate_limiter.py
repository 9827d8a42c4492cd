"""The one path of every request: which failures are tried again, and for how long."""

from __future__ import annotations

from typing import Any

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.app.rate_limiter import SharedRateLimiter

SEND = {"chat_id": 5, "text": "hej"}


class Telegram:
    """Answers with the given failures, in turn, then succeeds; counts the calls."""

    def __init__(self, *failures: Exception) -> None:
        self._failures = list(failures)
        self.calls = 0

    async def __call__(self) -> dict[str, Any]:
        self.calls += 1
        if self._failures:
            raise self._failures.pop(0)
        return {"ok": True}


async def send(
    limiter: SharedRateLimiter,
    telegram: Telegram,
    data: dict[str, Any] = SEND,
    rate_limit_args: int | None = None,
) -> object:
    return await limiter.process_request(telegram, (), {}, "sendMessage", data, rate_limit_args)


async def test_a_send_is_tried_again_after_5xx_dropped_connections_timeouts_and_429s() -> None:
    telegram = Telegram(NetworkError("Bad Gateway"), TimedOut(), RetryAfter(0), NetworkError("x"))
    assert await send(SharedRateLimiter(1000), telegram) == {"ok": True}
    assert telegram.calls == 5


@pytest.mark.parametrize("refusal", [BadRequest("chat not found"), Forbidden("blocked")])
async def test_a_refusal_is_not_tried_again(refusal: Exception) -> None:
    telegram = Telegram(refusal)
    with pytest.raises(type(refusal)):
        await send(SharedRateLimiter(1000), telegram)
    assert telegram.calls == 1


async def test_retries_end_when_the_time_for_them_is_over() -> None:
    telegram = Telegram(*[NetworkError("Bad Gateway")] * 100)
    with pytest.raises(NetworkError):
        await send(SharedRateLimiter(1000, retry_seconds=1.0), telegram)
    assert 1 < telegram.calls < 100


async def test_what_asks_for_one_try_and_what_is_no_send_are_not_retried() -> None:
    telegram = Telegram(NetworkError("Bad Gateway"))
    with pytest.raises(NetworkError):
        await send(SharedRateLimiter(1000), telegram, rate_limit_args=0)  # the outbox
    telegram = Telegram(NetworkError("Bad Gateway"))
    with pytest.raises(NetworkError):
        await send(SharedRateLimiter(1000), telegram, data={"offset": 3})  # getUpdates
    assert telegram.calls == 1
