"""The test-facing side of a group or channel: its members write, everyone reads the bot.

A group's messages reach the bot as Telegram delivers them: in privacy mode (the default) only
commands and replies to the bot, and nothing once the bot has left. A channel's posts are
signed by the channel, not by the person who wrote them, and reach the bot, an administrator
there, as ``channel_post`` updates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .state import GroupChat, Message, SandboxState
from .users import ChatView, SandboxUser, UserActionRefused, text_fields

if TYPE_CHECKING:
    from .double import BotApiDouble


class SandboxGroup(ChatView):
    """A group, supergroup or channel the bot was added to (see ``BotApiDouble.add_group``)."""

    def __init__(self, double: BotApiDouble, state: SandboxState, group: GroupChat):
        super().__init__(double, state, group)
        self._group = group

    def __repr__(self) -> str:
        return f"SandboxGroup(id={self.id}, type={self.type!r}, title={self.title!r})"

    @property
    def _who(self) -> str:
        return f"The {self.type} {self.title!r}"

    @property
    def _where(self) -> str:
        return f"the {self.type} {self.title!r}"

    @property
    def id(self) -> int:
        return self._group.id

    @property
    def chat_id(self) -> int:
        return self._group.id

    @property
    def title(self) -> str:
        return self._group.title

    @property
    def type(self) -> str:
        """``"group"``, ``"supergroup"`` or ``"channel"``."""
        return self._group.type

    @property
    def bot_is_member(self) -> bool:
        """Whether the bot is (still) in it: False once it called leaveChat."""
        return self._group.bot_is_member

    async def send(
        self, user: SandboxUser, text: str, *, reply_to: Message | int | None = None
    ) -> Message:
        """A member writes ``text`` (commands get their ``bot_command`` entities), optionally
        replying to a message of this chat.

        Returns the message, with the ``update_id`` of the update that carries it to the bot
        when it does reach the bot (see the module's description).
        """
        if not any(member["id"] == user.id for member in self._group.members):
            raise UserActionRefused(f"{user.first_name} is not in {self._where}")
        if self.type == "channel" and user.id != self._group.members[0]["id"]:
            raise UserActionRefused(f"only the owner posts in {self._where}")
        if not text.strip():
            raise UserActionRefused("a message needs text")
        fields = text_fields(text)
        if reply_to is not None:
            fields["reply_to_message"] = self._replied(reply_to)
        message = self._state.post(self._group, user.as_dict(), fields)
        if not self._state.bot_receives(self._group, message):
            return message
        kind = "channel_post" if self.type == "channel" else "message"
        update = self._state.updates.push({kind: message})
        return {**message, "update_id": update["update_id"]}
