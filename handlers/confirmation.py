"""Buttons that confirm an action on a number: they carry what they confirm, and expire.

`/forget 6` asks before it erases, and the answer may come much later, from an old message
scrolled back to. A button that carried only "6" would act on whoever is number 6 at the time
of the press. So the button carries the number and the time its row was made (when the member
joined), which together name one row for good, and it works only for `LIFETIME` after the
question was sent: the age is measured from the message's date, which Telegram sets, not from
anything in the button. A press that is out of date, or whose data is not ours, gets one line
and changes nothing.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from telegram import CallbackQuery, Message
from telegram.error import TelegramError

from bot.i18n import Translator

LIFETIME = timedelta(minutes=10)
_DATA = re.compile(r"([0-9]{1,9}):([0-9]{1,12})")


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What a button confirms: the row with this number that was made at this second."""

    number: int
    made_at: datetime  # to the second, as the database keeps it

    def data(self, prefix: str) -> str:
        """The button's callback data: well inside Telegram's 64 bytes."""
        return f"{prefix}{self.number}:{int(self.made_at.timestamp())}"


def read(prefix: str, data: str | None, asked_at: datetime, now: datetime) -> Confirmation | None:
    """What a press confirms, or None if the data is not a confirmation or it has expired."""
    match = _DATA.fullmatch((data or "").removeprefix(prefix))
    if match is None or now - asked_at > LIFETIME:
        return None
    return Confirmation(int(match.group(1)), datetime.fromtimestamp(int(match.group(2)), UTC))


def pressed(query: CallbackQuery, prefix: str, now: datetime) -> Confirmation | None:
    """`read` for a button press: a message Telegram no longer shows (or none) is expired."""
    message = query.message
    if not isinstance(message, Message):
        return None
    return read(prefix, query.data, message.date.astimezone(UTC), now)


async def refuse(query: CallbackQuery, t: Translator) -> None:
    """The one line for a stale or forged press; the question's buttons go with it."""
    line = t("button.stale")
    await query.answer(line)
    with contextlib.suppress(TelegramError):
        await query.edit_message_text(line)
