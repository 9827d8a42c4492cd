"""Reading a Telegram message into what the content check needs: its kind and all its texts.

A message carries text in more places than `text` and `caption`: a document's file name, the
address behind a link, a contact card's fields, a poll's options, a venue's name and address.
An identity number in any of them would be passed on by a copy, so all of them are read.
"""

from __future__ import annotations

from telegram import Message, MessageEntity

from bot.i18n import N_, Translator
from bot.message_content import MessageContent, Verdict
from storage.models import Kind

_MEDIA_KINDS = (
    # Order matters: a GIF is sent as an animation *and* a document.
    ("animation", Kind.ANIMATION),
    ("photo", Kind.PHOTO),
    ("video", Kind.VIDEO),
    ("voice", Kind.VOICE),
    ("audio", Kind.AUDIO),
    ("video_note", Kind.VIDEO_NOTE),
    ("document", Kind.DOCUMENT),
    ("sticker", Kind.STICKER),
    ("venue", Kind.LOCATION),
    ("location", Kind.LOCATION),
    ("contact", Kind.CONTACT),
)


def kind_of(message: Message) -> Kind:
    if message.text is not None:
        return Kind.TEXT
    return next((kind for field, kind in _MEDIA_KINDS if getattr(message, field)), Kind.OTHER)


def _link_addresses(entities: tuple[MessageEntity, ...]) -> list[str]:
    return [entity.url for entity in entities if entity.url]


def _texts(message: Message) -> list[str | None]:
    texts: list[str | None] = [message.text, message.caption]
    texts += _link_addresses(message.entities) + _link_addresses(message.caption_entities)
    for named in (message.document, message.audio, message.video, message.animation):
        if named is not None:
            texts.append(named.file_name)
    if message.audio is not None:
        texts += [message.audio.title, message.audio.performer]
    if message.contact is not None:
        contact = message.contact
        texts += [contact.first_name, contact.last_name, contact.phone_number, contact.vcard]
    if message.venue is not None:
        texts += [message.venue.title, message.venue.address]
    if message.poll is not None:
        texts.append(message.poll.question)
        texts += [option.text for option in message.poll.options]
    return texts


def read_content(message: Message) -> MessageContent:
    texts = tuple(text for text in _texts(message) if text)
    return MessageContent(kind_of(message), texts, message.text or message.caption)


_REFUSALS = {
    Verdict.IDENTITY_NUMBER: N_("relay.identity_number"),
    Verdict.DISCLOSES: N_("relay.discloses"),
    Verdict.UNSUPPORTED: N_("relay.unsupported"),
}


def refusal(t: Translator, verdict: Verdict) -> str:
    """The one line a person gets when their message may not pass, saying why."""
    return t(_REFUSALS[verdict])
