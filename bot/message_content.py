"""What a message carries, and whether it may pass from one side of a conversation to the other.

Every message a person sends is judged here once, the same way for a family's first question,
a message inside a conversation, a mentor's answer and an edit: the handlers read a Telegram
message into a `MessageContent` (its kind and every text field it carries, a file's name and a
link's address included) and `check` says what becomes of it.

- Text, photos, videos, GIFs, voice and audio, video notes, documents and stickers pass.
- A location, a venue or a contact card never passes: it discloses an address or a telephone
  number, which is exactly what the service keeps the two families from learning about each
  other. The sender is told why.
- Anything else (a poll, a dice, a game, a story...) cannot be carried over faithfully by a
  copy and gets one line.
- Any text field holding an identity number stops the message, whatever its kind.
- Urgent words are looked for in every text field too, and reported beside the verdict: a
  family writing about a knife gets the emergency numbers even when its message is refused.

Pictures and files are passed on without their contents being read: nothing here can see a
personnummer in a photographed letter. The family is told so the first time it sends one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.identity_numbers import find_identity_number_in
from bot.urgent import find_urgent_word
from storage.models import Kind

RELAYED_KINDS = frozenset(
    {
        Kind.TEXT,
        Kind.PHOTO,
        Kind.VIDEO,
        Kind.ANIMATION,
        Kind.VOICE,
        Kind.AUDIO,
        Kind.VIDEO_NOTE,
        Kind.DOCUMENT,
        Kind.STICKER,
    }
)
DISCLOSING_KINDS = frozenset({Kind.LOCATION, Kind.CONTACT})
# Kinds whose content no check can read: a picture or a file may show an identity number.
UNCHECKED_KINDS = frozenset({Kind.PHOTO, Kind.VIDEO, Kind.ANIMATION, Kind.DOCUMENT})


class Verdict(StrEnum):
    PASSES = "passes"
    IDENTITY_NUMBER = "identity_number"
    DISCLOSES = "discloses"  # a location or a contact card
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True, slots=True)
class MessageContent:
    """A message as far as the checks are concerned: its kind and every text it carries."""

    kind: Kind
    texts: tuple[str, ...]
    # What a person wrote (a text, or a caption): what an offer may show as the first words.
    words: str | None = None


@dataclass(frozen=True, slots=True)
class Checked:
    verdict: Verdict
    urgent: bool

    @property
    def passes(self) -> bool:
        return self.verdict is Verdict.PASSES


def check(content: MessageContent, urgent_words: Sequence[str]) -> Checked:
    """The one content check: may the message pass, and does it speak of danger?"""
    urgent = any(find_urgent_word(text, urgent_words) is not None for text in content.texts)
    if find_identity_number_in(content.texts) is not None:
        return Checked(Verdict.IDENTITY_NUMBER, urgent)
    if content.kind in DISCLOSING_KINDS:
        return Checked(Verdict.DISCLOSES, urgent)
    if content.kind not in RELAYED_KINDS:
        return Checked(Verdict.UNSUPPORTED, urgent)
    return Checked(Verdict.PASSES, urgent)
