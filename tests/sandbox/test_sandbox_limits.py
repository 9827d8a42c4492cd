"""Flood-control arithmetic and fault bookkeeping, on a fake clock."""

from __future__ import annotations

import pytest

from bot.sandbox import RateLimiter, RateLimits, TokenBucket
from bot.sandbox.faults import FaultInjector, FaultKind
from tests.sandbox.support import FakeClock


def send(limiter: RateLimiter, chat_id: int | None) -> int:
    """What the server does for a successful send: check, then charge if admitted."""
    wait = limiter.check(chat_id)
    if not wait:
        limiter.take(chat_id)
    return wait


def test_token_bucket_starts_full_and_refills() -> None:
    bucket = TokenBucket(rate=1.0, burst=3, now=0.0)
    for _ in range(3):
        assert bucket.wait_time(0.0) == 0.0
        bucket.take(0.0)
    assert bucket.wait_time(0.0) == pytest.approx(1.0)
    assert bucket.wait_time(0.4) == pytest.approx(0.6)
    assert bucket.wait_time(1.0) == 0.0
    bucket.take(1.0)
    assert bucket.wait_time(100.0) == 0.0  # refills up to the burst only
    for _ in range(3):
        bucket.take(100.0)
    assert bucket.wait_time(100.0) > 0


def test_per_chat_limit_is_one_per_second_with_burst_three(clock: FakeClock) -> None:
    limiter = RateLimiter(RateLimits(), clock)
    assert [send(limiter, 7) for _ in range(4)] == [0, 0, 0, 1]
    assert send(limiter, 8) == 0  # other chats are unaffected
    clock.advance(0.5)
    assert send(limiter, 7) == 1  # retry_after is whole seconds, at least 1
    clock.advance(0.5)
    assert send(limiter, 7) == 0
    assert send(limiter, 7) == 1


def test_global_limit_is_thirty_per_second(clock: FakeClock) -> None:
    limiter = RateLimiter(RateLimits(), clock)
    assert all(send(limiter, chat) == 0 for chat in range(30))
    assert send(limiter, 30) == 1
    clock.advance(1 / 30)
    assert send(limiter, 30) == 0
    assert send(limiter, None) == 1


def test_a_group_takes_twenty_messages_a_minute(clock: FakeClock) -> None:
    limiter = RateLimiter(RateLimits(), clock)
    assert [send(limiter, -4_000_000_001) for _ in range(21)] == [0] * 20 + [3]
    assert send(limiter, 1_000_001) == 0  # a private chat has a bucket of its own
    clock.advance(3)
    assert send(limiter, -4_000_000_001) == 0
    assert send(limiter, -4_000_000_001) == 3


def test_refused_request_takes_no_tokens(clock: FakeClock) -> None:
    limiter = RateLimiter(
        RateLimits(global_rate=1, global_burst=1, chat_rate=1, chat_burst=5), clock
    )
    assert send(limiter, 1) == 0
    assert send(limiter, 1) == 1  # refused globally: the chat bucket keeps its tokens
    clock.advance(1)
    assert send(limiter, 1) == 0


def test_long_waits_round_up(clock: FakeClock) -> None:
    limiter = RateLimiter(RateLimits(chat_rate=0.25, chat_burst=1), clock)
    assert send(limiter, 1) == 0
    assert send(limiter, 1) == 4
    clock.advance(1.5)
    assert send(limiter, 1) == 3


def test_faults_count_down_and_match() -> None:
    faults = FaultInjector()
    faults.inject("sendMessage", kind=429, times=2, chat_id=5, retry_after=7)
    faults.inject("*", kind="drop")
    assert faults.take("getMe", None) is not None  # the wildcard fault fires once
    assert faults.take("getMe", None) is None
    assert faults.take("sendmessage", 6) is None  # other chat
    first = faults.take("SendMessage", 5)
    assert first is not None and first.kind is FaultKind.TOO_MANY_REQUESTS
    assert first.retry_after == 7
    assert faults.take("sendMessage", 5) is not None
    assert faults.take("sendMessage", 5) is None
    assert faults.pending == []
