"""Message content rules shared by the sending and editing methods.

Text and captions are parsed according to ``parse_mode`` (or taken with explicit entities) and
their limits are checked on the parsed text in UTF-16 units, as Telegram does; reply markup is
validated the way Telegram validates inline and reply keyboards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .errors import bad_request
from .files import FileKind
from .formatting import (
    Entity,
    EntityParseError,
    parse_html,
    parse_markdown_v2,
    sort_entities,
    utf16_len,
)
from .params import Params

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100  # under one message, all rows together

CONTENT_KINDS = (
    "text", "photo", "video", "document", "audio", "voice", "animation", "video_note",
    "sticker", "contact", "venue", "location", "poll", "dice",
)  # fmt: skip
"""What a message with content is; one without any (a pinned message, someone joining) is a
service message. A venue comes before location: a venue message has both, as Telegram sends."""
CONTENT_FIELDS = (
    *CONTENT_KINDS, "entities", "link_preview_options", "caption", "caption_entities",
    "has_media_spoiler", "show_caption_above_media",
)  # fmt: skip
"""Message fields that make up a message's content, as copyMessage and forwardMessage copy it."""
CAPTIONED_KINDS = frozenset({"photo", "video", "document", "audio", "voice", "animation"})
"""Kinds of content that carry a caption (a sticker or a poll does not)."""
MAX_ALBUM_ITEMS = 10
ALBUM_KINDS: dict[str, FileKind] = {kind: kind for kind in ("photo", "video", "document", "audio")}
"""What an album holds; documents and audio files only make albums of their own kind."""
_ALBUM_OF_ONE_KIND = frozenset({"document", "audio"})

_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def content_kind(message: dict[str, Any]) -> str | None:
    """The message's kind of content (``"photo"``, ``"text"``...), None for a service message."""
    return next((kind for kind in CONTENT_KINDS if kind in message), None)


def unmixable(kinds: Sequence[str]) -> str | None:
    """The kind an album of these may not mix with the others (None: a valid mix)."""
    if len(set(kinds)) > 1:
        return next((kind for kind in kinds if kind in _ALBUM_OF_ONE_KIND), None)
    return None


def album_of_one_kind(kinds: set[str | None]) -> bool:
    """Whether these are all documents, or all audio files (copies of those make an album)."""
    return len(kinds) == 1 and kinds <= _ALBUM_OF_ONE_KIND


def formatted(text: str, parse_mode: str | None, entities: Any) -> tuple[str, list[Entity]]:
    """Apply explicit ``entities`` (which win over ``parse_mode``) or parse ``text``."""
    if entities:
        if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
            raise bad_request("can't parse entities JSON object")
        return text, sort_entities(entities)
    mode = (parse_mode or "").lower()
    try:
        if mode == "html":
            return parse_html(text)
        if mode == "markdownv2":
            return parse_markdown_v2(text)
    except EntityParseError as error:
        raise bad_request(f"can't parse entities: {error}") from None
    if mode:
        raise bad_request("unsupported parse_mode")
    return text, []


def message_text(params: Params) -> tuple[str, list[Entity]]:
    """``text`` + ``parse_mode``/``entities`` of sendMessage and editMessageText, checked."""
    text, entities = formatted(
        params.text("text") or "", params.text("parse_mode"), params.json("entities")
    )
    if not text.strip():
        raise bad_request("message text is empty")
    if utf16_len(text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return text, entities


def caption(params: Params) -> dict[str, Any]:
    """``caption`` + ``parse_mode``/``caption_entities`` as message fields ({} if none)."""
    text, entities = formatted(
        params.text("caption") or "", params.text("parse_mode"), params.json("caption_entities")
    )
    if utf16_len(text) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    if not text:
        return {}
    return {"caption": text, "caption_entities": entities} if entities else {"caption": text}


@dataclass(frozen=True)
class Markup:
    """A validated ``reply_markup``: an inline keyboard for the message, or a chat keyboard.

    Only inline keyboards belong to a message; reply keyboards (and their removal or
    force_reply) change what the user's client shows under the input field.
    """

    inline: dict[str, Any] | None = None
    keyboard: dict[str, Any] | None = None


def reply_markup(params: Params) -> Markup:
    """Validate ``reply_markup`` (absent means no markup)."""
    markup = params.json("reply_markup")
    if markup is None:
        return Markup()
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return Markup(inline=_inline_keyboard(markup))
    if "keyboard" in markup:
        return Markup(keyboard=_reply_keyboard(markup))
    if any(key in markup for key in ("remove_keyboard", "force_reply")):
        return Markup(keyboard=markup)
    raise bad_request("can't parse reply keyboard markup JSON object")


def _reply_keyboard(markup: dict[str, Any]) -> dict[str, Any]:
    """A ReplyKeyboardMarkup: rows of buttons, each a label or a KeyboardButton with one."""
    rows = markup["keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
    for row in rows:
        for button in row:
            label = button.get("text") if isinstance(button, dict) else button
            if not isinstance(label, str) or not label:
                raise bad_request('can\'t parse keyboard button: Field "text" must be a String')
    return markup


def requests_personal_data(keyboard: dict[str, Any]) -> bool:
    """A reply keyboard with a button that shares the user's phone number or location, which
    Telegram offers in private chats only."""
    return any(
        isinstance(button, dict)
        and any(button.get(kind) for kind in ("request_contact", "request_location"))
        for row in keyboard.get("keyboard", [])
        for button in row
    )


def _inline_keyboard(markup: dict[str, Any]) -> dict[str, Any] | None:
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    for row in rows:
        for button in row:
            _check_button(button)
    if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS:
        raise bad_request("reply markup is too long")
    if not any(rows):
        return None  # an empty keyboard removes the keyboard
    return {"inline_keyboard": [row for row in rows if row]}


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not any(key in button for key in _BUTTON_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if data is not None and (
        not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
    ):
        raise bad_request("BUTTON_DATA_INVALID")
