"""The log shows neither the token nor what a person typed, tracebacks included."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timedelta

from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut

from bot.app import cli
from bot.app.logs import WITHHELD, PrivateFormatter
from bot.config import load_config
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


def test_a_json_line_parses_and_carries_neither_a_secret_nor_telegrams_description() -> None:
    """A description with a quote and a line break is encoded as `\\"` and `\\n` in JSON:
    withheld before it is encoded, or it would be missed."""
    secret = "webhook-secret_0123456789"
    config = load_config(
        {
            "MENTORBOT_LOG_FORMAT": "JSON",
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "MENTORBOT_WEBHOOK_SECRET": secret,
        },
        None,
    )
    typed = 'Unsupported start tag "hemligt"\nat byte offset 4'
    try:
        try:
            raise OSError(f"the hook with {secret} refused")
        except OSError as cause:
            raise BadRequest(f"Can't parse entities: {typed}") from cause
    except BadRequest:
        raised = sys.exc_info()
    url = f"https://api.telegram.org/bot{TOKEN}/sendMessage"
    record = logging.LogRecord(
        "telegram.ext", logging.ERROR, __file__, 1, "%s failed", (url,), raised
    )

    line = cli._log_formatter(config).format(record)

    assert "\n" not in line
    fields = json.loads(line)
    assert set(fields) == {"time", "level", "logger", "message", "exception"}
    moment = datetime.fromisoformat(fields["time"])
    assert fields["time"].endswith("Z") and moment.utcoffset() == timedelta(0)
    assert abs(moment.timestamp() - record.created) < 0.001
    assert (fields["level"], fields["logger"]) == ("ERROR", "telegram.ext")
    assert fields["message"] == "https://api.telegram.org/bot[token]/sendMessage failed"
    assert f"telegram.error.BadRequest: {WITHHELD}" in fields["exception"]
    assert "OSError: the hook with [webhook secret] refused" in fields["exception"]
    for kept_out in (TOKEN.split(":")[1], secret, "hemligt"):
        assert kept_out not in line


def test_an_unreachable_bot_api_is_one_line_but_a_bad_request_keeps_its_withheld_traceback() -> (
    None
):
    """The library logs both as network errors: only the first is shortened to a line, since
    a BadRequest's description may quote what a person wrote."""
    formatter = PrivateFormatter(FORMAT, {})
    unreachable = _record("Network Retry Loop: Aborting.", _raised(TimedOut("Timed out")))
    assert cli._network_failure_in_one_line(unreachable)
    assert formatter.format(unreachable) == (
        "ERROR telegram.ext: Network Retry Loop: Aborting. (TimedOut: Timed out)"
    )
    quoting = BadRequest('Can\'t parse entities: "anna.berg@example.se"')
    refused = _record("Network Retry Loop: Aborting.", _raised(quoting))
    assert cli._network_failure_in_one_line(refused)
    text = formatter.format(refused)
    assert "anna.berg" not in text and WITHHELD in text
