"""The double's world: users, their private chats with the bot, messages and callback queries.

Every change to a chat goes through :class:`SandboxState` (``post``/``edit``/``delete``/...),
which publishes the matching :class:`~.events.Event`; this is what lets tests wait on changes
and what a live chat page can stream.
"""

from __future__ import annotations

import copy
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from .errors import QUERY_TOO_OLD, bad_request, forbidden
from .events import Event, EventBus, EventKind
from .files import FileStore
from .updates import UpdateQueue

Message = dict[str, Any]


def _now() -> int:
    return int(time.time())


def commands_key(scope: dict[str, Any] | None, language_code: str) -> tuple[str, str]:
    """Where setMyCommands stores a list: the scope (canonical JSON) and the language."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code


@dataclass
class StoredMessage:
    """A message and how many times it was edited (the Bot API dict has only edit_date)."""

    data: Message
    edits: int = 0


@dataclass
class Chat:
    """A private chat between one user and the bot; the chat id is the user id."""

    user: dict[str, Any]
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    bot_messages: list[StoredMessage] = field(default_factory=list)
    """Everything the bot sent here, in order (deleted ones included)."""
    reply_keyboard: dict[str, Any] | None = None
    """The reply keyboard the user's client shows (set by a message's reply_markup)."""
    next_message_id: int = 1

    @property
    def id(self) -> int:
        return int(self.user["id"])

    def info(self) -> dict[str, Any]:
        """The Bot API Chat object."""
        chat = {"id": self.id, "type": "private", "first_name": self.user["first_name"]}
        for key in ("last_name", "username"):
            if key in self.user:
                chat[key] = self.user[key]
        return chat


@dataclass
class CallbackQuery:
    """A button press and, once the bot answers it, the answer."""

    chat_id: int
    query: dict[str, Any]
    answer: dict[str, Any] | None = None


class SandboxState:
    """All chats, files, commands and the update queue of one double."""

    def __init__(self, bot_user: dict[str, Any]):
        self.bot_user = bot_user
        self.events = EventBus()
        self.updates = UpdateQueue()
        self.files = FileStore()
        self.chats: dict[int, Chat] = {}
        self.blocked: set[int] = set()
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self._query_ids = itertools.count(1)

    @property
    def bot_sender(self) -> dict[str, Any]:
        """The bot as the ``from`` of its messages."""
        return {key: self.bot_user[key] for key in ("id", "is_bot", "first_name", "username")}

    def add_chat(self, user: dict[str, Any]) -> Chat:
        """Open the private chat of a new user."""
        chat = Chat(user=user)
        self.chats[chat.id] = chat
        self.events.publish(Event(EventKind.USER_ADDED, chat.id))
        return chat

    def chat(self, chat_id: int | None) -> Chat:
        """The chat, or Telegram's "chat not found"."""
        chat = self.chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def writable_chat(self, chat_id: int | None) -> Chat:
        """A chat the bot may write to: found, and its user has not blocked the bot."""
        chat = self.chat(chat_id)
        if chat.id in self.blocked:
            raise forbidden("bot was blocked by the user")
        return chat

    def post(self, chat: Chat, sender: dict[str, Any], content: Message) -> Message:
        """Add a message to ``chat``; returns a snapshot of it."""
        message: Message = {
            "message_id": chat.next_message_id,
            "from": sender,
            "chat": chat.info(),
            "date": _now(),
            **content,
        }
        chat.next_message_id += 1
        stored = StoredMessage(message)
        chat.messages[message["message_id"]] = stored
        if sender.get("id") == self.bot_user["id"]:
            chat.bot_messages.append(stored)
        snapshot = copy.deepcopy(message)
        self.events.publish(Event(EventKind.MESSAGE, chat.id, message["message_id"], snapshot))
        return copy.deepcopy(snapshot)

    def edit(self, chat: Chat, message_id: int, changes: dict[str, Any]) -> Message:
        """Apply ``changes`` (a None value removes the field) and stamp ``edit_date``."""
        stored = chat.messages[message_id]
        for key, value in changes.items():
            if value is None:
                stored.data.pop(key, None)
            else:
                stored.data[key] = copy.deepcopy(value)
        stored.data["edit_date"] = _now()
        stored.edits += 1
        snapshot = copy.deepcopy(stored.data)
        self.events.publish(Event(EventKind.EDITED, chat.id, message_id, snapshot))
        return copy.deepcopy(snapshot)

    def delete(self, chat: Chat, message_id: int) -> None:
        """Remove a message from the chat."""
        del chat.messages[message_id]
        self.events.publish(Event(EventKind.DELETED, chat.id, message_id))

    def chat_action(self, chat: Chat, action: str) -> None:
        """The bot shows "typing..." or similar in the chat."""
        self.events.publish(Event(EventKind.CHAT_ACTION, chat.id, data={"action": action}))

    def set_reply_keyboard(self, chat: Chat, keyboard: dict[str, Any]) -> None:
        """Show (or, with ``remove_keyboard``, hide) a reply keyboard in the user's client."""
        chat.reply_keyboard = None if keyboard.get("remove_keyboard") else keyboard

    def new_callback_query(self, chat: Chat, message_id: int, data: str) -> dict[str, Any]:
        """Record a button press by the chat's user; returns the CallbackQuery object."""
        stored = chat.messages.get(message_id)
        message = (
            copy.deepcopy(stored.data)
            if stored is not None
            else {"chat": chat.info(), "message_id": message_id, "date": 0}
        )
        query: dict[str, Any] = {
            "id": f"{chat.id}{next(self._query_ids):08d}",
            "from": chat.user,
            "message": message,
            "chat_instance": str(chat.id * 7919 % 10**12),
            "data": data,
        }
        self.callback_queries[query["id"]] = CallbackQuery(chat.id, query)
        return copy.deepcopy(query)

    def answer_callback_query(self, query_id: str, answer: dict[str, Any]) -> None:
        """Record the bot's (single) answer to a callback query."""
        query = self.callback_queries.get(query_id)
        if query is None or query.answer is not None:
            raise bad_request(QUERY_TOO_OLD)
        query.answer = answer
        self.events.publish(
            Event(EventKind.CALLBACK_ANSWERED, query.chat_id, data={"id": query_id, **answer})
        )
