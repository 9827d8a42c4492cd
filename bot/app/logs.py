"""What the log may say: never a secret, never what a person typed.

The Bot API's error descriptions quote what it could not take (`Can't parse entities:
Unsupported start tag "…" at byte offset 12`), so a failed send of a family's words would put
those words in the log. A send that fails is logged by its error's class and HTTP status
(handlers/telegram_errors.py), and every formatted record, its traceback included, goes through
`PrivateFormatter`: the token and the webhook's secret are replaced, and a Telegram error's
description in a traceback is withheld. `JsonFormatter`, for log collectors
(MENTORBOT_LOG_FORMAT=json), is one of them.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from telegram.error import TelegramError

WITHHELD = "[Telegram's description withheld]"


class PrivateFormatter(logging.Formatter):
    """Formats a record, then takes out of the whole text (message, traceback, stack) the
    secrets it was given and the descriptions of the Telegram errors in its traceback.

    Working on the formatted text rather than on `record.msg` and `record.args` is what covers
    a traceback, which the logging module formats from `exc_info` after any filter has run.
    """

    def __init__(self, fmt: str | None, secrets: dict[str, str | None]) -> None:
        """`secrets`: the mark to show (`[token]`) for each secret's value, if it has one."""
        super().__init__(fmt)
        self._secrets = [(value, mark) for mark, value in secrets.items() if value]

    def format(self, record: logging.LogRecord) -> str:
        return self.private(super().format(record), record)

    def private(self, text: str, record: logging.LogRecord) -> str:
        """`text`, from `record`, with its secrets and Telegram's descriptions taken out."""
        for description in _telegram_descriptions(record.exc_info[1] if record.exc_info else None):
            text = text.replace(description, WITHHELD)
        for value, mark in self._secrets:
            text = text.replace(value, mark)
        return text


class JsonFormatter(PrivateFormatter):
    """One JSON object a line (time in UTC, level, logger, message, and the exception's text
    if there is one), for a log collector that would otherwise split a traceback into lines.

    Each value is made private before it is encoded: JSON escapes a quote or a line break
    inside a Telegram error's description, which the encoded text would no longer contain.
    """

    def __init__(self, secrets: dict[str, str | None]) -> None:
        super().__init__(None, secrets)

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        fields = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            fields["stack"] = self.formatStack(record.stack_info)
        private = {name: self.private(value, record) for name, value in fields.items()}
        return json.dumps(private, ensure_ascii=False)


def _telegram_descriptions(error: BaseException | None) -> list[str]:
    """The descriptions of the Telegram errors in an exception's chain, longest first."""
    found: set[str] = set()
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, TelegramError) and str(error):
            found.add(str(error))
        error = error.__cause__ or error.__context__
    return sorted(found, key=len, reverse=True)
