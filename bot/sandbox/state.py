"""The double's world: users, their private chats with the bot, the groups and channels the bot
is in, messages and callback queries.

Every change to a chat goes through :class:`SandboxState` (``post``/``edit``/``delete``/...),
which publishes the matching :class:`~.events.Event`; this is what lets tests wait on changes
and what a live chat page can stream.
"""

from __future__ import annotations

import copy
import itertools
import json
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import QUERY_TOO_OLD, ApiError, bad_request, forbidden
from .events import Event, EventBus, EventKind
from .files import FileStore
from .updates import UpdateQueue

Message = dict[str, Any]

# The rights of a bot made administrator of a channel by its owner (Telegram's defaults).
_CHANNEL_ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": True,
    "can_edit_stories": True,
    "can_delete_stories": True,
    "can_post_messages": True,
    "can_edit_messages": True,
}


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
    by_bot: bool = False
    """Sent by the bot through the Bot API: a channel post of the bot has no ``from``, and a
    service message about the bot ("the bot left the group") is not something it sent."""


@dataclass(kw_only=True)
class Conversation(ABC):
    """What every chat with the bot has: its messages, numbered per chat as Telegram does."""

    messages: dict[int, StoredMessage] = field(default_factory=dict)
    bot_messages: list[StoredMessage] = field(default_factory=list)
    """Everything the bot sent here, in order (deleted ones included)."""
    reply_keyboard: dict[str, Any] | None = None
    """The reply keyboard the users' clients show (set by a message's reply_markup)."""
    next_message_id: int = 1

    @property
    @abstractmethod
    def id(self) -> int: ...

    @abstractmethod
    def info(self) -> dict[str, Any]:
        """The Bot API Chat object."""

    def author(self, sender: dict[str, Any]) -> dict[str, Any]:
        """The fields that say who wrote a message here."""
        return {"from": sender}


@dataclass(kw_only=True)
class Chat(Conversation):
    """A private chat between one user and the bot; the chat id is the user id."""

    user: dict[str, Any]
    phone_number: str | None = None
    """The account's telephone number: not in the User object, only in a contact the user
    shares by a request_contact button."""
    pinned_message_id: int | None = None
    message_auto_delete_time: int = 0

    @property
    def id(self) -> int:
        return int(self.user["id"])

    def info(self) -> dict[str, Any]:
        chat = {"id": self.id, "type": "private", "first_name": self.user["first_name"]}
        for key in ("last_name", "username"):
            if key in self.user:
                chat[key] = self.user[key]
        return chat


GroupType = Literal["group", "supergroup", "channel"]
BotStatus = Literal["member", "administrator", "left"]


@dataclass(kw_only=True)
class GroupChat(Conversation):
    """A group, supergroup or channel with the bot in it (or, once it left, without)."""

    chat_id: int
    type: GroupType
    title: str
    members: list[dict[str, Any]]
    """The users in it (the Bot API User objects); the first one added the bot."""
    bot_status: BotStatus = "member"

    @property
    def id(self) -> int:
        return self.chat_id

    @property
    def bot_is_member(self) -> bool:
        return self.bot_status != "left"

    def info(self) -> dict[str, Any]:
        return {"id": self.chat_id, "title": self.title, "type": self.type}

    def author(self, sender: dict[str, Any]) -> dict[str, Any]:
        # Channel posts are signed by the channel, never by a person.
        return {"sender_chat": self.info()} if self.type == "channel" else {"from": sender}

    def refusal_to_outsiders(self) -> ApiError:
        """What Telegram answers the bot for a chat it is not in."""
        return forbidden(f"bot is not a member of the {self.type} chat")


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
        """The private chats, by user id."""
        self.groups: dict[int, GroupChat] = {}
        """Groups, supergroups and channels, by (negative) chat id."""
        self.blocked: set[int] = set()
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.profile: dict[tuple[str, str], str] = {}
        """setMyDescription's and setMyShortDescription's texts, by the method's field
        ("description", "short_description") and language ("" for the default)."""
        self._query_ids = itertools.count(1)
        self._poll_ids = itertools.count(1)
        self._media_group_ids = itertools.count(1)

    @property
    def bot_sender(self) -> dict[str, Any]:
        """The bot as the ``from`` of its messages."""
        return {key: self.bot_user[key] for key in ("id", "is_bot", "first_name", "username")}

    def add_chat(self, user: dict[str, Any], phone_number: str | None = None) -> Chat:
        """Open the private chat of a new user."""
        chat = Chat(user=user, phone_number=phone_number)
        self.chats[chat.id] = chat
        self.events.publish(Event(EventKind.USER_ADDED, chat.id))
        return chat

    def add_group(self, group: GroupChat) -> GroupChat:
        """Create a group or channel (the caller tells the bot it was added)."""
        if group.id in self.groups or group.id in self.chats:
            raise ValueError(f"chat {group.id} exists already")
        self.groups[group.id] = group
        return group

    def bot_joined(self, group: GroupChat, by: dict[str, Any]) -> None:
        """``by`` added the bot to ``group`` (a channel's owner made it an administrator).

        Telegram tells the bot with my_chat_member; a group also shows who joined, and that
        service message reaches the bot too (bots receive every service message).
        """
        group.bot_status = "administrator" if group.type == "channel" else "member"
        self._my_chat_member(group, by, old_status="left")
        if group.type != "channel":
            message = self.post(group, by, {"new_chat_members": [self.bot_sender]}, service=True)
            self.updates.push({"message": message})

    def bot_left(self, group: GroupChat) -> None:
        """The bot left ``group`` (leaveChat): members see it go, the bot gets my_chat_member."""
        old_status = group.bot_status
        group.bot_status = "left"
        if group.type != "channel":
            self.post(group, self.bot_sender, {"left_chat_member": self.bot_sender}, service=True)
        self._my_chat_member(group, self.bot_sender, old_status=old_status)

    def _my_chat_member(self, group: GroupChat, by: dict[str, Any], old_status: BotStatus) -> None:
        update = {
            "chat": group.info(),
            "from": by,
            "date": _now(),
            "old_chat_member": self._bot_member(old_status),
            "new_chat_member": self._bot_member(group.bot_status),
        }
        self.updates.push({"my_chat_member": update})

    def _bot_member(self, status: BotStatus) -> dict[str, Any]:
        """The bot as a ChatMember object of this status."""
        member: dict[str, Any] = {"user": self.bot_sender, "status": status}
        if status == "administrator":
            member.update(_CHANNEL_ADMIN_RIGHTS)
        return member

    def bot_receives(self, group: GroupChat, message: Message) -> bool:
        """Whether a member's message in ``group`` reaches the bot.

        A bot in privacy mode (``can_read_all_group_messages`` false, the default) gets, of a
        group's messages, only commands, replies to its own messages and service messages; an
        administrator gets everything, and so does a bot whose privacy mode is off.
        """
        if not group.bot_is_member:
            return False
        if group.bot_status == "administrator" or self.bot_user["can_read_all_group_messages"]:
            return True
        replied = message.get("reply_to_message", {})
        if replied.get("from", {}).get("id") == self.bot_user["id"]:
            return True
        text = message.get("text") or message.get("caption") or ""
        first_word = text.split(maxsplit=1)[0] if text.strip() else ""
        command, _, addressee = first_word.partition("@")
        username = self.bot_user["username"].lower()
        return command.startswith("/") and addressee.lower() in ("", username)

    def chat(self, chat_id: int | None) -> Conversation:
        """The chat, or Telegram's "chat not found"."""
        chat: Conversation | None = None
        if chat_id is not None:
            chat = self.chats.get(chat_id) or self.groups.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def member_chat(self, chat_id: int | None, *, reading: bool = False) -> Conversation:
        """A chat the bot is in. ``reading``: a plain group the bot left is still found, as
        Telegram keeps it readable, while a supergroup or channel is closed to outsiders."""
        chat = self.chat(chat_id)
        if (
            isinstance(chat, GroupChat)
            and not chat.bot_is_member
            and not (reading and chat.type == "group")
        ):
            raise chat.refusal_to_outsiders()
        return chat

    def writable_chat(self, chat_id: int | None) -> Conversation:
        """A chat the bot may write to: a group it is in, or a user who has not blocked it."""
        chat = self.member_chat(chat_id)
        if chat.id in self.blocked:
            raise forbidden("bot was blocked by the user")
        return chat

    def new_poll_id(self) -> str:
        """A poll's id: a long number, as Telegram's are, in a string."""
        return f"54{next(self._poll_ids):017d}"

    def new_media_group_id(self) -> str:
        """The id an album's messages share: a long number in a string, as Telegram's are."""
        return f"13{next(self._media_group_ids):015d}"

    def post(
        self,
        chat: Conversation,
        sender: dict[str, Any],
        content: Message,
        *,
        service: bool = False,
    ) -> Message:
        """Add a message to ``chat``; returns a snapshot of it.

        A ``service`` message is one Telegram posts about a change ("X joined the group"), with
        the person it concerns as its sender.
        """
        message: Message = {
            "message_id": chat.next_message_id,
            **chat.author(sender),
            "chat": chat.info(),
            "date": _now(),
            **content,
        }
        chat.next_message_id += 1
        stored = StoredMessage(message, by_bot=not service and sender["id"] == self.bot_user["id"])
        chat.messages[message["message_id"]] = stored
        if stored.by_bot:
            chat.bot_messages.append(stored)
        snapshot = copy.deepcopy(message)
        self.events.publish(Event(EventKind.MESSAGE, chat.id, message["message_id"], snapshot))
        return copy.deepcopy(snapshot)

    def edit(self, chat: Conversation, message_id: int, changes: dict[str, Any]) -> Message:
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

    def delete(self, chat: Conversation, message_id: int) -> None:
        """Remove a message from the chat."""
        del chat.messages[message_id]
        self.events.publish(Event(EventKind.DELETED, chat.id, message_id))

    def chat_action(self, chat: Conversation, action: str) -> None:
        """The bot shows "typing..." or similar in the chat."""
        self.events.publish(Event(EventKind.CHAT_ACTION, chat.id, data={"action": action}))

    def set_reply_keyboard(self, chat: Conversation, keyboard: dict[str, Any]) -> None:
        """Show (or, with ``remove_keyboard``, hide) a reply keyboard in the users' clients."""
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
