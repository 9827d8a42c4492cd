"""The test-facing side of a chat: a user who writes to the bot and reads its answers.

Waiting methods re-check their condition on every state change and fail with an
:class:`AssertionError` that describes what the user did see, so a failing end-to-end test
explains itself.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from .formatting import command_entities
from .state import Chat, Message, SandboxState, StoredMessage

if TYPE_CHECKING:
    from .double import BotApiDouble

DEFAULT_ANSWER_TIMEOUT = 3.0


def _message_id(message: Message | int) -> int:
    return message if isinstance(message, int) else int(message["message_id"])


def _summary(message: Message) -> str:
    """One line describing a message, for assertion texts."""
    if "text" in message:
        body = repr(message["text"])
    else:
        kinds = [k for k in ("photo", "document", "voice", "audio", "video") if k in message]
        body = f"[{', '.join(kinds) or 'message'}]"
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


class SandboxUser:
    """A Telegram user chatting with the bot (their private chat id is their user id)."""

    def __init__(self, double: BotApiDouble, state: SandboxState, chat: Chat):
        self.double = double
        """The double this user lives in."""
        self._state = state
        self._chat = chat
        self._cursor = 0
        self._seen_edits: dict[int, int] = {}

    def __repr__(self) -> str:
        return f"SandboxUser(id={self.id}, first_name={self.first_name!r})"

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
        return self._deliver(self._text(text))

    async def reply(self, to_message: Message | int, text: str) -> Message:
        """Send a text message replying to a message of this chat."""
        fields = self._text(text)
        fields["reply_to_message"] = self._replied(_message_id(to_message))
        return self._deliver(fields)

    async def send_photo(self, data: bytes, caption: str | None = None) -> Message:
        """Send a photo (any bytes are accepted as image data)."""
        stored = self._state.files.add("photo", data)
        return self._deliver({**stored.media(), **self._caption(caption)})

    async def send_document(
        self,
        data: bytes,
        file_name: str = "document.bin",
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> Message:
        """Send a file as a document."""
        stored = self._state.files.add("document", data, file_name=file_name, mime_type=mime_type)
        return self._deliver({**stored.media(), **self._caption(caption)})

    async def send_voice(
        self, data: bytes, duration: int = 3, caption: str | None = None
    ) -> Message:
        """Send a voice note."""
        stored = self._state.files.add("voice", data, mime_type="audio/ogg", duration=duration)
        return self._deliver({**stored.media(), **self._caption(caption)})

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
    def messages(self) -> list[Message]:
        """The bot's messages in this chat as they are now (edits applied, deleted ones gone)."""
        bot_id = self._state.bot_user["id"]
        return [
            copy.deepcopy(stored.data)
            for stored in self._chat.messages.values()
            if stored.data["from"]["id"] == bot_id
        ]

    @property
    def reply_keyboard(self) -> dict[str, Any] | None:
        """The reply keyboard the bot currently shows this user, if any."""
        return copy.deepcopy(self._chat.reply_keyboard)

    async def next_message(self, timeout: float = 10.0) -> Message:  # noqa: ASYNC109
        """The oldest bot message not yet returned to this user (current state), waiting for it."""
        sent = self._chat.bot_messages
        if not await self._state.events.changed.wait_until(
            lambda: len(sent) > self._cursor, timeout
        ):
            raise AssertionError(
                f"{self.first_name} got no new message from the bot within {timeout}s. "
                + self._received()
            )
        stored = sent[self._cursor]
        self._cursor += 1
        return self._seen(stored)

    async def no_message(self, within: float = 0.5) -> None:
        """Assert that no new bot message arrives within ``within`` seconds."""
        sent = self._chat.bot_messages
        if await self._state.events.changed.wait_until(lambda: len(sent) > self._cursor, within):
            unexpected = [_summary(stored.data) for stored in sent[self._cursor :]]
            raise AssertionError(f"{self.first_name} unexpectedly got {unexpected}")

    async def wait_for_edit(
        self,
        message: Message | int,
        timeout: float = 10.0,  # noqa: ASYNC109 - the test-facing API
    ) -> Message:
        """Wait until the message is edited beyond the version last returned to this user."""
        message_id = _message_id(message)
        stored = self._stored(message_id)
        seen = self._seen_edits.get(message_id, 0)
        if not await self._state.events.changed.wait_until(
            lambda: stored.edits > seen or message_id not in self._chat.messages, timeout
        ):
            raise AssertionError(
                f"message #{message_id} was not edited within {timeout}s; it is still "
                f"{_summary(stored.data)}"
            )
        if message_id not in self._chat.messages:
            raise AssertionError(f"message #{message_id} was deleted instead of edited")
        return self._seen(stored)

    # --- internals ----------------------------------------------------------------------------

    def _deliver(self, fields: Message) -> Message:
        message = self._state.post(self._chat, self._chat.user, fields)
        update = self._state.updates.push({"message": message})
        return {**message, "update_id": update["update_id"]}

    def _text(self, text: str) -> Message:
        fields: Message = {"text": text}
        entities = command_entities(text)
        if entities:
            fields["entities"] = entities
        return fields

    def _caption(self, caption: str | None) -> Message:
        return {"caption": caption} if caption else {}

    def _stored(self, message_id: int) -> StoredMessage:
        stored = self._chat.messages.get(message_id)
        if stored is None:
            raise AssertionError(f"message #{message_id} is not in {self.first_name}'s chat")
        return stored

    def _replied(self, message_id: int) -> Message:
        replied = copy.deepcopy(self._stored(message_id).data)
        replied.pop("reply_to_message", None)
        return replied

    def _seen(self, stored: StoredMessage) -> Message:
        self._seen_edits[stored.data["message_id"]] = stored.edits
        return copy.deepcopy(stored.data)

    def _received(self) -> str:
        sent = self._chat.bot_messages
        if not sent:
            return "The bot never wrote to them."
        lines = []
        for index, stored in enumerate(sent):
            returned = "(returned) " if index < self._cursor else ""
            deleted = "" if stored.data["message_id"] in self._chat.messages else " (deleted)"
            lines.append(f"  {returned}{_summary(stored.data)}{deleted}")
        return "Everything the bot sent them:\n" + "\n".join(lines)
