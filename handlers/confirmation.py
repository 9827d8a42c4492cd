"""Buttons that act on a number name what they act on, and confirmations expire.

`/forget 6` asks before it erases, and the answer may come much later, from an old message
scrolled back to. A button that carried only "6" would act on whoever is number 6 at the time
of the press. So a button carries the number and the second its row was made (when the member
joined), which together name one row for good; the Approve button for a new partner does too.
A confirmation of one's own command works only for `LIFETIME` after the question was sent: the
age is measured from the message's date, which Telegram sets, not from anything in the button.
A press that is out of date, or whose data is not ours, gets one line and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from telegram import CallbackQuery, Message

from bot import members
from bot.i18n import Translator, plain
from handlers.common import MentorContext
from handlers.telegram_errors import best_effort
from storage.models import Member

LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What a button confirms: the row with this number that was made at this second.

    Its data is made and read in handlers/buttons.py, well inside Telegram's 64 bytes.
    """

    number: int
    made_at: datetime  # to the second, as the database keeps it


async def named_member(context: MentorContext, named: Confirmation) -> Member | None:
    """The member a button names, if it is still the one it was made for."""
    whom = await members.by_number(context.db, named.number)
    if whom is None or int(whom.joined_at.timestamp()) != int(named.made_at.timestamp()):
        return None
    return whom


def fresh(asked_at: datetime, now: datetime) -> bool:
    """Whether a question asked at `asked_at` may still be answered."""
    return now - asked_at <= LIFETIME


def read(confirmed: Confirmation, asked_at: datetime, now: datetime) -> Confirmation | None:
    """What a press confirms, or None if it has expired."""
    return confirmed if fresh(asked_at, now) else None


def pressed(query: CallbackQuery, confirmed: Confirmation, now: datetime) -> Confirmation | None:
    """`read` for a button press: a message Telegram no longer shows (or none) is expired."""
    message = query.message
    if not isinstance(message, Message):
        return None
    return read(confirmed, message.date.astimezone(UTC), now)


async def refuse(query: CallbackQuery, t: Translator) -> None:
    """The one line for a stale or forged press; the question's buttons go with it."""
    line = t("button.stale")
    await query.answer(plain(line))
    await best_effort(query.edit_message_text(line), "stale button edit")


async def close(query: CallbackQuery, line: str, what: str) -> None:
    """A press that only ends a question (Cancel, Keep): its buttons go, one line stays."""
    await query.answer()
    await best_effort(query.edit_message_text(line), what)
