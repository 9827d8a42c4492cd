"""The test-facing side of a chat: a user who writes to the bot and reads its answers.

Waiting methods re-check their condition on every state change and fail with an
:class:`AssertionError` that describes what the user did see, so a failing end-to-end test
explains itself. What a Telegram app would not let its user do is refused with
:class:`UserActionRefused`.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from .content import ALBUM_KINDS, CAPTIONED_KINDS, MAX_ALBUM_ITEMS, content_kind, unmixable
from .files import FileKind, MediaDetails
from .formatting import Entity, command_entities, sort_entities, utf16_len
from .state import Chat, Conversation, Message, SandboxState, StoredMessage, commands_key

if TYPE_CHECKING:
    from .double import BotApiDouble

DEFAULT_ANSWER_TIMEOUT = 3.0
MIN_POLL_OPTIONS, MAX_POLL_OPTIONS = 2, 12
MAX_POLL_QUESTION, MAX_POLL_OPTION = 300, 100
_ENTITY_TYPES = frozenset(
    {
        "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold",
        "italic", "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote",
        "code", "pre", "text_link", "text_mention", "custom_emoji",
    }
)  # fmt: skip
# The field an entity of these types cannot do without.
_ENTITY_NEEDS = {"text_link": "url", "text_mention": "user", "custom_emoji": "custom_emoji_id"}


class UserActionRefused(AssertionError, ValueError):
    """Something a Telegram app would not let its user do (edit the bot's message, send an
    album of one...). Both an AssertionError, as a test's expectation that cannot be met, and a
    ValueError, as an argument the app refuses: a test may expect either."""


def _message_id(message: Message | int) -> int:
    return message if isinstance(message, int) else int(message["message_id"])


def text_fields(text: str) -> Message:
    """A text message from a person: Telegram marks the commands in it."""
    fields: Message = {"text": text}
    entities = command_entities(text)
    if entities:
        fields["entities"] = entities
    return fields


def _summary(message: Message) -> str:
    """One line describing a message, for assertion texts."""
    if "text" in message:
        body = repr(message["text"])
    else:
        body = f"[{content_kind(message) or 'service message'}]"
        if "caption" in message:
            body += f" {message['caption']!r}"
    buttons = [
        button["text"]
        for row in message.get("reply_markup", {}).get("inline_keyboard", [])
        for button in row
    ]
    if buttons:
        body += f" buttons={buttons}"
    return f"#{message['message_id']} {body}"


def _checked_entities(text: str, entities: list[dict[str, Any]]) -> list[Entity]:
    """Entities as a Telegram app sends them: known types, inside the text, with what each
    type needs (a text_link its url...)."""
    length = utf16_len(text)
    checked = []
    for entity in entities:
        kind, offset, size = entity.get("type"), entity.get("offset"), entity.get("length")
        if kind not in _ENTITY_TYPES:
            raise UserActionRefused(f"no such entity type: {entity}")
        if not (isinstance(offset, int) and isinstance(size, int) and size > 0 and offset >= 0):
            raise UserActionRefused(f"an entity needs an offset and a positive length: {entity}")
        if offset + size > length:
            raise UserActionRefused(f"entity {entity} ends after the text ({length} UTF-16 units)")
        needed = _ENTITY_NEEDS.get(str(kind))
        if needed is not None and not entity.get(needed):
            raise UserActionRefused(f"a {kind} entity needs its {needed}: {entity}")
        checked.append(copy.deepcopy(entity))
    return checked


def _overlaps(a: Entity, b: Entity) -> bool:
    return bool(a["offset"] < b["offset"] + b["length"] and b["offset"] < a["offset"] + a["length"])


def _location(latitude: float, longitude: float) -> dict[str, float]:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise UserActionRefused(f"there is no place at latitude {latitude}, longitude {longitude}")
    return {"latitude": latitude, "longitude": longitude}


def _album_kind(kind: str) -> FileKind:
    if kind not in ALBUM_KINDS:
        raise UserActionRefused(f"an album holds photos, videos, documents or audio, not {kind!r}")
    return ALBUM_KINDS[kind]


class ChatView(ABC):
    """What the people of one chat see of the bot: its messages there, read in order."""

    def __init__(self, double: BotApiDouble, state: SandboxState, chat: Conversation):
        self.double = double
        """The double this chat lives in."""
        self._state = state
        self._conversation = chat
        self._cursor = 0
        self._seen_edits: dict[int, int] = {}

    @property
    @abstractmethod
    def _who(self) -> str:
        """Who reads the chat, for assertion texts ("Anna")."""

    @property
    def _where(self) -> str:
        """The chat, for assertion texts ("Anna's chat")."""
        return f"{self._who}'s chat"

    @property
    def messages(self) -> list[Message]:
        """The bot's messages in this chat as they are now (edits applied, deleted ones gone)."""
        return [
            copy.deepcopy(stored.data)
            for stored in self._conversation.messages.values()
            if stored.by_bot
        ]

    async def next_message(self, timeout: float = 10.0) -> Message:  # noqa: ASYNC109
        """The oldest bot message not yet returned here (current state), waiting for it."""
        sent = self._conversation.bot_messages
        if not await self._state.events.changed.wait_until(
            lambda: len(sent) > self._cursor, timeout
        ):
            raise AssertionError(
                f"{self._who} got no new message from the bot within {timeout}s. "
                + self._received()
            )
        stored = sent[self._cursor]
        self._cursor += 1
        return self._seen(stored)

    async def no_message(self, within: float = 0.5) -> None:
        """Assert that no new bot message arrives within ``within`` seconds."""
        sent = self._conversation.bot_messages
        if await self._state.events.changed.wait_until(lambda: len(sent) > self._cursor, within):
            unexpected = [_summary(stored.data) for stored in sent[self._cursor :]]
            raise AssertionError(f"{self._who} unexpectedly got {unexpected}")

    async def wait_for_edit(
        self,
        message: Message | int,
        timeout: float = 10.0,  # noqa: ASYNC109 - the test-facing API
    ) -> Message:
        """Wait until the message is edited beyond the version last returned here."""
        message_id = _message_id(message)
        stored = self._stored(message_id)
        seen = self._seen_edits.get(message_id, 0)
        messages = self._conversation.messages
        if not await self._state.events.changed.wait_until(
            lambda: stored.edits > seen or message_id not in messages, timeout
        ):
            raise AssertionError(
                f"message #{message_id} was not edited within {timeout}s; it is still "
                f"{_summary(stored.data)}"
            )
        if message_id not in messages:
            raise AssertionError(f"message #{message_id} was deleted instead of edited")
        return self._seen(stored)

    def _local(self, message: Message | int) -> StoredMessage:
        """A message of this chat, given as itself (which may tell it is another chat's) or by
        its id."""
        if not isinstance(message, int) and message["chat"]["id"] != self._conversation.id:
            raise UserActionRefused(
                f"message #{message['message_id']} is in chat {message['chat']['id']}, "
                f"not in {self._where}"
            )
        return self._stored(_message_id(message))

    def _stored(self, message_id: int) -> StoredMessage:
        stored = self._conversation.messages.get(message_id)
        if stored is None:
            raise AssertionError(f"message #{message_id} is not in {self._where}")
        return stored

    def _replied(self, message: Message | int) -> Message:
        """A message of this chat as a reply (or a pin) quotes it: without its own reply."""
        replied = copy.deepcopy(self._local(message).data)
        replied.pop("reply_to_message", None)
        return replied

    def _seen(self, stored: StoredMessage) -> Message:
        self._seen_edits[stored.data["message_id"]] = stored.edits
        return copy.deepcopy(stored.data)

    def _received(self) -> str:
        sent = self._conversation.bot_messages
        if not sent:
            return "The bot never wrote to them."
        lines = []
        for index, stored in enumerate(sent):
            returned = "(returned) " if index < self._cursor else ""
            gone = stored.data["message_id"] not in self._conversation.messages
            lines.append(f"  {returned}{_summary(stored.data)}{' (deleted)' if gone else ''}")
        return "Everything the bot sent them:\n" + "\n".join(lines)


class SandboxUser(ChatView):
    """A Telegram user chatting with the bot (their private chat id is their user id)."""

    def __init__(self, double: BotApiDouble, state: SandboxState, chat: Chat):
        super().__init__(double, state, chat)
        self._chat = chat

    def __repr__(self) -> str:
        return f"SandboxUser(id={self.id}, first_name={self.first_name!r})"

    @property
    def _who(self) -> str:
        return self.first_name

    @property
    def id(self) -> int:
        return self._chat.id

    @property
    def chat_id(self) -> int:
        return self._chat.id

    @property
    def first_name(self) -> str:
        return str(self._chat.user["first_name"])

    @property
    def language_code(self) -> str | None:
        code = self._chat.user.get("language_code")
        return str(code) if code is not None else None

    def as_dict(self) -> dict[str, Any]:
        """The Bot API User object."""
        return copy.deepcopy(self._chat.user)

    # --- writing to the bot -------------------------------------------------------------------

    # The sending methods return the message as stored, plus the ``update_id`` of the update
    # that carries it to the bot (not a Message field): what ``double.redeliver`` takes.

    async def send(self, text: str) -> Message:
        """Send a text message (commands get their ``bot_command`` entities)."""
        return self._deliver(text_fields(text))

    async def reply(self, to_message: Message | int, text: str) -> Message:
        """Send a text message replying to a message of this chat."""
        fields = text_fields(text)
        fields["reply_to_message"] = self._replied(to_message)
        return self._deliver(fields)

    async def send_photo(self, data: bytes, caption: str | None = None) -> Message:
        """Send a photo (any bytes are accepted as image data)."""
        return self._deliver(self._send_file("photo", data, caption))

    async def send_document(
        self,
        data: bytes,
        file_name: str = "document.bin",
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> Message:
        """Send a file as a document."""
        fields = self._send_file(
            "document", data, caption, file_name=file_name, mime_type=mime_type
        )
        return self._deliver(fields)

    async def send_voice(
        self, data: bytes, duration: int = 3, caption: str | None = None
    ) -> Message:
        """Send a voice note."""
        details = MediaDetails(duration=duration)
        return self._deliver(self._send_file("voice", data, caption, details=details))

    async def send_video(self, data: bytes, caption: str | None = None) -> Message:
        """Send a video (its width and height are unknown to the double: 0)."""
        return self._deliver(self._send_file("video", data, caption))

    async def send_audio(
        self, data: bytes, caption: str | None = None, file_name: str | None = None
    ) -> Message:
        """Send a music file (its type from ``file_name``, else audio/mpeg)."""
        return self._deliver(self._send_file("audio", data, caption, file_name=file_name))

    async def send_video_note(self, data: bytes) -> Message:
        """Send a round video message (it has no caption)."""
        return self._deliver(self._send_file("video_note", data))

    async def send_sticker(self, data: bytes, emoji: str = "🙂") -> Message:
        """Send a sticker (a 512x512 static one, as far as the bot can tell)."""
        details = MediaDetails(emoji=emoji)
        return self._deliver(self._send_file("sticker", data, details=details))

    async def send_contact(
        self,
        phone_number: str,
        first_name: str,
        last_name: str | None = None,
        *,
        user_id: int | None = None,
    ) -> Message:
        """Share a phone contact from the address book; ``user_id`` if that person is on
        Telegram (Telegram adds it to the contact)."""
        contact: dict[str, Any] = {"phone_number": phone_number, "first_name": first_name}
        if last_name:
            contact["last_name"] = last_name
        if user_id is not None:
            contact["user_id"] = user_id
        return self._deliver({"contact": contact})

    async def share_contact(self) -> Message:
        """Press the reply keyboard's request_contact button: the app asks nothing more and
        sends the user's own contact, with their ``user_id``. A one-time keyboard then hides."""
        keyboard = self._chat.reply_keyboard or {}
        buttons = [button for row in keyboard.get("keyboard", []) for button in row]
        if not any(isinstance(b, dict) and b.get("request_contact") for b in buttons):
            raise UserActionRefused(
                f"{self.first_name} is shown no button that shares their contact: "
                f"{keyboard or 'no reply keyboard'}"
            )
        if self._chat.phone_number is None:
            raise AssertionError(f"{self.first_name} was added without a phone_number to share")
        contact: dict[str, Any] = {
            "phone_number": self._chat.phone_number,
            "first_name": self.first_name,
            "user_id": self.id,
        }
        if "last_name" in self._chat.user:
            contact["last_name"] = self._chat.user["last_name"]
        if keyboard.get("one_time_keyboard"):
            self._chat.reply_keyboard = None
        return self._deliver({"contact": contact})

    async def send_location(self, latitude: float, longitude: float) -> Message:
        """Share a point on the map."""
        return self._deliver({"location": _location(latitude, longitude)})

    async def send_venue(
        self, latitude: float, longitude: float, title: str, address: str
    ) -> Message:
        """Share a place; like Telegram, the message has its ``location`` too."""
        location = _location(latitude, longitude)
        venue = {"location": location, "title": title, "address": address}
        return self._deliver({"venue": venue, "location": dict(location)})

    async def send_poll(self, question: str, options: list[str]) -> Message:
        """Send a regular anonymous poll, as Telegram's apps create one by default."""
        if not 1 <= len(question) <= MAX_POLL_QUESTION:
            raise UserActionRefused(f"a poll's question has 1-{MAX_POLL_QUESTION} characters")
        if not MIN_POLL_OPTIONS <= len(options) <= MAX_POLL_OPTIONS:
            raise UserActionRefused(f"a poll has {MIN_POLL_OPTIONS}-{MAX_POLL_OPTIONS} options")
        if not all(1 <= len(option) <= MAX_POLL_OPTION for option in options):
            raise UserActionRefused(f"a poll's options have 1-{MAX_POLL_OPTION} characters")
        poll = {
            "id": self._state.new_poll_id(),
            "question": question,
            "options": [
                {"persistent_id": str(number), "text": option, "voter_count": 0}
                for number, option in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "allows_multiple_answers": False,
            "allows_revoting": True,
            "members_only": False,
            "type": "regular",
        }
        return self._deliver({"poll": poll})

    async def send_text_with_entities(self, text: str, entities: list[dict[str, Any]]) -> Message:
        """Send text formatted in the app (bold, a ``text_link`` with its ``url``...).

        The entities are checked as a Telegram app makes them; Telegram adds ``bot_command``
        entities of its own where the given ones leave a command unmarked.
        """
        if not text.strip():
            raise UserActionRefused("a message needs text")
        given = _checked_entities(text, entities)
        found = [e for e in command_entities(text) if not any(_overlaps(e, g) for g in given)]
        return self._deliver({"text": text, "entities": sort_entities(given + found)})

    async def send_album(self, items: list[tuple[str, bytes, str | None]]) -> list[Message]:
        """Send 2-10 files as one album: ``(kind, data, caption)`` with kind ``"photo"``,
        ``"video"``, ``"document"`` or ``"audio"`` (photos and videos mix; documents and audio
        files only make albums of their own kind). Each message reaches the bot as an update of
        its own, with the album's ``media_group_id``, as Telegram delivers albums."""
        if not 2 <= len(items) <= MAX_ALBUM_ITEMS:
            raise UserActionRefused(f"an album has 2-{MAX_ALBUM_ITEMS} items, not {len(items)}")
        kinds = [_album_kind(kind) for kind, _, _ in items]
        lone = unmixable(kinds)
        if lone is not None:
            raise UserActionRefused(f"an album with a {lone} holds only {lone}s: {kinds}")
        group_id = self._state.new_media_group_id()
        return [
            self._deliver({**self._send_file(kind, data, caption), "media_group_id": group_id})
            for kind, (_, data, caption) in zip(kinds, items, strict=True)
        ]

    async def edit(
        self, message: Message | int, text: str | None = None, *, caption: str | None = None
    ) -> Message:
        """Edit one's own earlier message: a text message's ``text`` (its commands marked as
        in :meth:`send`), or a media message's ``caption`` (``""`` removes it).

        The bot gets the whole edited message, with ``edit_date``, as an ``edited_message``
        update; like the sending methods, this returns it with that update's ``update_id``.
        """
        stored = self._own(message)
        number, kind = stored.data["message_id"], content_kind(stored.data)
        if (text is None) == (caption is None):
            raise UserActionRefused("edit either the text or the caption of a message")
        editable = "text" if kind == "text" else "caption" if kind in CAPTIONED_KINDS else None
        if editable is None:
            raise UserActionRefused(f"message #{number} is a {kind}, which cannot be edited")
        if editable != ("text" if text is not None else "caption"):
            raise UserActionRefused(f"message #{number} is a {kind}: edit its {editable}")
        if text is not None:
            if not text.strip():
                raise UserActionRefused("an edited message needs text")
            changes: Message = {"entities": None, **text_fields(text)}
        else:
            changes = {"caption": caption or None, "caption_entities": None}
        if all(stored.data.get(key) == value for key, value in changes.items()):
            raise UserActionRefused(f"message #{number} would not change: Telegram sends no edit")
        edited = self._state.edit(self._chat, number, changes)
        update = self._state.updates.push({"edited_message": edited})
        return {**edited, "update_id": update["update_id"]}

    async def pin(self, message: Message | int) -> Message:
        """Pin a message of this chat: Telegram posts (and delivers) a service message saying
        so, carrying the pinned message without its own reply."""
        pinned = self._replied(message)
        if content_kind(pinned) is None:
            raise UserActionRefused("a service message cannot be pinned")
        self._chat.pinned_message_id = pinned["message_id"]
        return self._deliver({"pinned_message": pinned})

    async def set_auto_delete_timer(self, seconds: int) -> Message:
        """Set (0: turn off) the chat's auto-delete timer: a service message tells the bot."""
        if seconds < 0:
            raise UserActionRefused("an auto-delete timer is 0 (off) or a number of seconds")
        self._chat.message_auto_delete_time = seconds
        timer = {"message_auto_delete_time": seconds}
        return self._deliver({"message_auto_delete_timer_changed": timer})

    async def press(
        self,
        message: Message | int,
        button_text: str,
        *,
        timeout: float = DEFAULT_ANSWER_TIMEOUT,  # noqa: ASYNC109 - the test-facing API
    ) -> dict[str, Any] | None:
        """Press the inline button labelled ``button_text``; returns the bot's answer or None."""
        stored = self._stored(_message_id(message))
        buttons = [
            button
            for row in stored.data.get("reply_markup", {}).get("inline_keyboard", [])
            for button in row
        ]
        button = next((b for b in buttons if b.get("text") == button_text), None)
        if button is None:
            labels = [b.get("text") for b in buttons]
            raise AssertionError(
                f"{self.first_name}: message #{stored.data['message_id']} has no button "
                f"{button_text!r}; its buttons are {labels}"
            )
        if "callback_data" not in button:
            raise AssertionError(f"button {button_text!r} has no callback_data: {button}")
        return await self.press_data(
            stored.data["message_id"], button["callback_data"], timeout=timeout
        )

    async def press_data(
        self,
        message: Message | int,
        data: str,
        *,
        timeout: float = DEFAULT_ANSWER_TIMEOUT,  # noqa: ASYNC109 - the test-facing API
    ) -> dict[str, Any] | None:
        """Send a callback query with arbitrary data (a forged button), unchecked."""
        query = self._state.new_callback_query(self._chat, _message_id(message), data)
        self._state.updates.push({"callback_query": query})
        record = self._state.callback_queries[query["id"]]
        await self._state.events.changed.wait_until(lambda: record.answer is not None, timeout)
        return copy.deepcopy(record.answer)

    # --- reading what the bot sent ------------------------------------------------------------

    @property
    def reply_keyboard(self) -> dict[str, Any] | None:
        """The reply keyboard the bot currently shows this user, if any."""
        return copy.deepcopy(self._chat.reply_keyboard)

    @property
    def command_menu(self) -> list[dict[str, str]]:
        """The commands the app's menu shows this user: the first list set, from the narrowest
        scope and language to the widest, as Telegram chooses for a private chat."""
        language = self.language_code or ""
        scopes: list[dict[str, Any] | None] = [
            {"type": "chat", "chat_id": self.id},
            {"type": "all_private_chats"},
            None,
        ]
        for scope in scopes:
            for code in dict.fromkeys((language, "")):
                found = self._state.commands.get(commands_key(scope, code))
                if found:
                    return copy.deepcopy(found)
        return []

    # --- internals ----------------------------------------------------------------------------

    def _deliver(self, fields: Message) -> Message:
        message = self._state.post(self._chat, self._chat.user, fields)
        update = self._state.updates.push({"message": message})
        return {**message, "update_id": update["update_id"]}

    def _send_file(
        self,
        kind: FileKind,
        data: bytes,
        caption: str | None = None,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        details: MediaDetails | None = None,
    ) -> Message:
        """The fields of a message carrying a new file (and its caption)."""
        stored = self._state.files.add(
            kind, data, file_name=file_name, mime_type=mime_type, details=details
        )
        return {**stored.media(), **self._caption(caption)}

    def _caption(self, caption: str | None) -> Message:
        return {"caption": caption} if caption else {}

    def _own(self, message: Message | int) -> StoredMessage:
        """One of this user's own messages here, as only those can be edited."""
        stored = self._local(message)
        if stored.data.get("from", {}).get("id") != self.id:
            raise UserActionRefused(
                f"{self.first_name} can only edit their own messages, not {_summary(stored.data)}"
            )
        return stored
