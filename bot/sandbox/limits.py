"""Telegram's flood limits as token buckets.

Telegram documents "about 30 messages per second" per bot, "about one message per second"
per private chat (short bursts tolerated) and 20 messages per minute per group. The double
enforces all three so that the bot's own rate limiter and 429 handling are exercised for real.
Time comes from an injectable clock so unit tests of the arithmetic need no sleeping.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]

# Float slack, so that a client waiting exactly the advertised interval is admitted.
_EPSILON = 1e-9


@dataclass(frozen=True)
class RateLimits:
    """Bucket parameters: ``rate`` tokens per second refill, ``burst`` tokens capacity."""

    global_rate: float = 30.0
    global_burst: int = 30
    chat_rate: float = 1.0
    chat_burst: int = 3
    group_rate: float = 20 / 60
    """Groups, supergroups and channels (negative chat ids)."""
    group_burst: int = 20


class TokenBucket:
    """A classic token bucket; starts full."""

    def __init__(self, rate: float, burst: int, now: float):
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs rate > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._updated = now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0.0 if one is available now)."""
        self._refill(now)
        missing = 1.0 - self._tokens
        return 0.0 if missing <= _EPSILON else missing / self.rate

    def take(self, now: float) -> None:
        """Consume one token; callers check :meth:`wait_time` first."""
        self._refill(now)
        self._tokens -= 1.0

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate)
        self._updated = now


class RateLimiter:
    """The global bucket plus one bucket per chat (a private chat's or a group's).

    A send is admitted only if *both* buckets have a token. Tokens are taken only for sends
    that succeeded (Telegram limits messages, not refused requests), so the server calls
    :meth:`check` before and :meth:`take` after a send.
    """

    def __init__(self, limits: RateLimits, clock: Clock):
        self._limits = limits
        self._clock = clock
        self._global = TokenBucket(limits.global_rate, limits.global_burst, clock())
        self._chats: dict[int, TokenBucket] = {}

    def check(self, chat_id: int | None) -> int:
        """0 if a send to ``chat_id`` is admitted now, else whole seconds (>= 1) to wait."""
        now = self._clock()
        wait = max(bucket.wait_time(now) for bucket in self._buckets(chat_id, now))
        return max(1, math.ceil(wait)) if wait > 0 else 0

    def take(self, chat_id: int | None) -> None:
        """Charge one send to ``chat_id``."""
        now = self._clock()
        for bucket in self._buckets(chat_id, now):
            bucket.take(now)

    def _buckets(self, chat_id: int | None, now: float) -> list[TokenBucket]:
        if chat_id is None:
            return [self._global]
        bucket = self._chats.get(chat_id)
        if bucket is None:
            limits = self._limits
            if chat_id < 0:
                bucket = TokenBucket(limits.group_rate, limits.group_burst, now)
            else:
                bucket = TokenBucket(limits.chat_rate, limits.chat_burst, now)
            self._chats[chat_id] = bucket
        return [self._global, bucket]
