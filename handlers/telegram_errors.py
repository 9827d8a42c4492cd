"""What a failed Bot API request was, as the handlers and the log need to know it.

The Bot API's error descriptions quote what it could not take (`Can't parse entities:
Unsupported start tag "…" at byte offset 12`), so a failed send of a family's words would put
those words in the log: a failure is named by its error's class and HTTP status (`failure`)
instead. Whether a request may pass if tried again (`is_transient`) decides both the retries of
every send (bot/app/rate_limiter.py) and what the error handler calls an outage.

Many requests are worth making but change nothing when they fail: a notice to somebody who may
have blocked the bot, an offer's copy edited to say it was taken. `best_effort` makes such a
request and never raises. The refusals expected of it pass in silence: the person blocked the
bot or left Telegram (403), the edit would change nothing, the message is gone or was never the
bot's to edit or delete. Anything else is one warning naming what was attempted and the error's
`failure`, so that a fault of ours, or an outage the retries outlived, is seen.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from datetime import timedelta
from typing import LiteralString, TypeGuard, TypeVar

from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

# PTB raises one class per HTTP status Telegram answers with, and keeps no status of its own.
_STATUS: tuple[tuple[type[TelegramError], int], ...] = (
    (BadRequest, 400),
    (InvalidToken, 401),
    (Forbidden, 403),
    (Conflict, 409),
    (RetryAfter, 429),
)

# Telegram's own words (PTB drops the "Bad Request: " before them and capitalises the rest), as
# the Bot API double answers them too (bot/sandbox/methods.py, bot/sandbox/errors.py): the edit
# would change nothing, the message to edit or delete is gone, or it may not be edited or
# deleted (not the bot's own, or, for a deletion, older than Telegram's 48 hours).
_NOT_MODIFIED = "message is not modified"
_EXPECTED_REFUSALS = (
    _NOT_MODIFIED,
    "message to edit not found",
    "message to delete not found",
    "message can't be edited",
    "message can't be deleted",
)


def failure(error: TelegramError) -> str:
    """A failed send as the log shows it: `BadRequest (400)`, `TimedOut`; no description."""
    name = type(error).__name__
    status = next((code for kind, code in _STATUS if isinstance(error, kind)), None)
    return f"{name} ({status})" if status else name


def is_transient(error: object) -> TypeGuard[NetworkError]:
    """A 5xx answer, a dropped connection, a timeout: the same request may pass in a moment.

    python-telegram-bot makes a 400 (`BadRequest`) a `NetworkError` too, but Telegram refused
    that request for what it is, and will again.
    """
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


def retry_after_seconds(error: RetryAfter) -> float:
    """How long Telegram asked to wait, in seconds, whichever type the library gives it in."""
    wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


def _is_expected(error: TelegramError) -> bool:
    """A refusal that says the request had nothing left to do: the bot blocked, or the user
    deactivated (any 403), or a message not modified, not found, or not the bot's to change."""
    if isinstance(error, Forbidden):
        return True
    described = error.message.lower()
    return isinstance(error, BadRequest) and any(
        refusal in described for refusal in _EXPECTED_REFUSALS
    )


async def best_effort(request: Awaitable[T], attempt: LiteralString) -> T | None:
    """The request's result, or None when it failed; it never raises a Telegram error.

    `attempt` names what was tried for the log, in a few fixed words (`"offer edit"`), never
    anything of the person's. An expected refusal (`_is_expected`) is not logged; any other
    failure, a transient one that outlived the retries included, is one warning line.
    """
    try:
        return await request
    except TelegramError as error:
        if not _is_expected(error):
            logger.warning("%s failed: %s", attempt, failure(error))
        return None


async def unless_unchanged(request: Awaitable[T]) -> T | None:
    """An edit's result, or None when Telegram answered that it would change nothing (a press
    that leaves a keyboard as it was); any other refusal raises, as a keyboard Telegram will
    not take must not look like a press that did nothing."""
    try:
        return await request
    except BadRequest as error:
        if _NOT_MODIFIED not in error.message.lower():
            raise
        return None
