"""Which file a press under a rota file's question may act on (handlers/rota_planning.py).

The question replies to the file, and the press reads the file again from that reply; these are
the presses that must find none: too old, about someone else's file, or about no file at all.
The change itself is checked against the database as it is written (test_rota_planning.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from telegram import CallbackQuery, Chat, Document, Message, User

from bot.i18n import translator
from handlers.common import Sender
from handlers.confirmation import LIFETIME
from handlers.rota_planning import questioned_file

ASKED = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
KARIN = User(id=1, first_name="Karin", is_bot=False)
OTHER = User(id=2, first_name="Anna", is_bot=False)
BOT = User(id=99, first_name="Mentorbot", is_bot=True)
CHAT = Chat(id=1, type=Chat.PRIVATE)
FILE = Document(file_id="f", file_unique_id="u", file_name="rota.csv")


def question(replied: Message | None) -> CallbackQuery:
    message = Message(1, ASKED, CHAT, from_user=BOT, text="…", reply_to_message=replied)
    return CallbackQuery("q", KARIN, "ci", message=message, data="rota-file:cancel")


def upload(sender: User, document: Document | None = FILE) -> Message:
    return Message(0, ASKED, CHAT, from_user=sender, document=document)


KARIN_SENDS = Sender(KARIN.id, None, translator("sv"))


def test_a_fresh_question_about_the_pressers_own_file_finds_it() -> None:
    found = questioned_file(question(upload(KARIN)), KARIN_SENDS, ASKED + LIFETIME)
    assert found == FILE


@pytest.mark.parametrize(
    ("replied", "pressed_at"),
    [
        (upload(KARIN), ASKED + LIFETIME + timedelta(seconds=1)),  # too old
        (upload(OTHER), ASKED),  # someone else's file
        (upload(KARIN, None), ASKED),  # a message without a file
        (None, ASKED),  # no reply at all (the file was deleted, or forged data)
    ],
    ids=["expired", "foreign", "no-document", "no-reply"],
)
def test_a_press_that_may_not_act_finds_no_file(
    replied: Message | None, pressed_at: datetime
) -> None:
    assert questioned_file(question(replied), KARIN_SENDS, pressed_at) is None
