"""The log shows neither the token nor what a person typed, tracebacks included."""

from __future__ import annotations

import logging
import sys

from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut

from bot.app.logs import WITHHELD, PrivateFormatter
from handlers.telegram_errors import failure

TOKEN = "424242:unit-test-token-value"
FORMAT = "%(levelname)s %(name)s: %(message)s"


def _record(message: str, exc_info: logging._SysExcInfoType | None = None) -> logging.LogRecord:
    return logging.LogRecord("telegram.ext", logging.ERROR, __file__, 1, message, (), exc_info)


def _raised(error: BaseException) -> logging._SysExcInfoType:
    try:
        raise error
    except BaseException:
        return sys.exc_info()


def test_the_token_is_redacted_from_a_traceback() -> None:
    """A library's exception that names the URL it called carries the token in its traceback,
    which the logging module formats after every filter has run."""
    url = f"https://api.telegram.org/bot{TOKEN}/getUpdates"
    formatter = PrivateFormatter(FORMAT, {"[token]": TOKEN})
    text = formatter.format(_record("polling failed", _raised(OSError(f"cannot reach {url}"))))
    assert "Traceback (most recent call last)" in text
    assert TOKEN not in text and TOKEN.split(":")[1] not in text
    assert "cannot reach https://api.telegram.org/bot[token]/getUpdates" in text


def test_a_telegram_errors_description_is_withheld_from_a_traceback() -> None:
    """Telegram quotes what it could not parse: a family's words in the log, unless withheld."""
    typed = 'Unsupported start tag "hemligt" at byte offset 4'
    error = BadRequest(f"Can't parse entities: {typed}")
    try:
        try:
            raise error
        except BadRequest as cause:
            raise RuntimeError("handling the update failed") from cause
    except RuntimeError:
        wrapped = sys.exc_info()
    text = PrivateFormatter(FORMAT, {}).format(_record("handling update 7 failed", wrapped))
    assert "hemligt" not in text
    assert f"telegram.error.BadRequest: {WITHHELD}" in text
    assert "RuntimeError: handling the update failed" in text


def test_a_failed_send_is_told_by_its_class_and_status() -> None:
    assert failure(BadRequest('Unsupported start tag "hemligt"')) == "BadRequest (400)"
    assert failure(Forbidden("Forbidden: bot was blocked by the user")) == "Forbidden (403)"
    assert failure(RetryAfter(3)) == "RetryAfter (429)"
    assert failure(TimedOut()) == "TimedOut"
