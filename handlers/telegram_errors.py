"""What a failed Bot API request was, as the handlers and the log need to know it.

The Bot API's error descriptions quote what it could not take (`Can't parse entities:
Unsupported start tag "…" at byte offset 12`), so a failed send of a family's words would put
those words in the log: a failure is named by its error's class and HTTP status (`failure`)
instead. Whether a request may pass if tried again (`is_transient`) decides both the retries of
every send (bot/app/rate_limiter.py) and what the error handler calls an outage.
"""

from __future__ import annotations

from datetime import timedelta

from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

# PTB raises one class per HTTP status Telegram answers with, and keeps no status of its own.
_STATUS: tuple[tuple[type[TelegramError], int], ...] = (
    (BadRequest, 400),
    (InvalidToken, 401),
    (Forbidden, 403),
    (Conflict, 409),
    (RetryAfter, 429),
)


def failure(error: TelegramError) -> str:
    """A failed send as the log shows it: `BadRequest (400)`, `TimedOut`; no description."""
    name = type(error).__name__
    status = next((code for kind, code in _STATUS if isinstance(error, kind)), None)
    return f"{name} ({status})" if status else name


def is_transient(error: object) -> bool:
    """A 5xx answer, a dropped connection, a timeout: the same request may pass in a moment.

    python-telegram-bot makes a 400 (`BadRequest`) a `NetworkError` too, but Telegram refused
    that request for what it is, and will again.
    """
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


def retry_after_seconds(error: RetryAfter) -> float:
    """How long Telegram asked to wait, in seconds, whichever type the library gives it in."""
    wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
