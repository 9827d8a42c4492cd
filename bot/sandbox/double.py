"""``BotApiDouble``: the offline Telegram Bot API server and its in-process control surface."""

from __future__ import annotations

import asyncio
import itertools
import socket
import time
from types import TracebackType
from typing import Any

from aiohttp import web

from .chat_page import ChatPage
from .events import Event
from .faults import FaultInjector
from .files import image_type
from .groups import SandboxGroup
from .limits import Clock, RateLimiter, RateLimits
from .methods import BotApiMethods
from .server import BotApiServer, RequestRecord
from .state import Chat, GroupChat, GroupType, SandboxState, commands_key
from .users import SandboxUser
from .webhook import WebhookDelivery

FIRST_USER_ID = 1_000_001
# Chat ids as Telegram gives them: a group's is negative, a supergroup's or channel's is -100
# followed by its number; none can be mistaken for a user's.
FIRST_GROUP_ID = -4_000_000_001
FIRST_SUPERGROUP_ID = -1_002_000_000_001


class BotApiDouble:
    """A Telegram Bot API double on loopback, for end-to-end tests, benchmarks and demos.

    Use as ``async with BotApiDouble() as double:``; point the bot at ``double.api_url``
    (``f"{api_url}/bot"`` as PTB's ``base_url``, ``f"{api_url}/file/bot"`` as its
    ``base_file_url``). ``limits=None`` turns flood control off. ``group_privacy=False`` is a
    bot whose privacy mode was turned off in BotFather: it reads every message of its groups.
    """

    def __init__(
        self,
        token: str = "123456:sandbox",
        *,
        bot_username: str = "mentorbot_sandbox_bot",
        bot_first_name: str = "Mentorbot",
        host: str = "127.0.0.1",
        port: int = 0,
        limits: RateLimits | None = RateLimits(),  # noqa: B008 - frozen, safe to share
        clock: Clock = time.monotonic,
        webhook_retry_delay: float = 0.1,
        webhook_max_retry_delay: float = 5.0,
        group_privacy: bool = True,
    ):
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("a bot token looks like '<numeric bot id>:<secret>'")
        self.token = token
        self._host = host
        self._port = port
        self.clock = clock
        self.faults = FaultInjector()
        self.requests: list[RequestRecord] = []
        """Every API call answered, in order (see :class:`RequestRecord`)."""
        self._state = SandboxState(
            {
                "id": int(bot_id),
                "is_bot": True,
                "first_name": bot_first_name,
                "username": bot_username,
                "can_join_groups": True,
                "can_read_all_group_messages": not group_privacy,
                "supports_inline_queries": False,
                "can_connect_to_business": False,
                "has_main_web_app": False,
            }
        )
        self._webhook = WebhookDelivery(
            self._state.updates, webhook_retry_delay, webhook_max_retry_delay
        )
        self._server = BotApiServer(
            token=token,
            methods=BotApiMethods(self._state, self._webhook).table(),
            files=self._state.files,
            faults=self.faults,
            limiter=RateLimiter(limits, clock) if limits is not None else None,
            clock=clock,
            on_request=self.requests.append,
        )
        self._user_ids = itertools.count(FIRST_USER_ID)
        self._group_ids = itertools.count(-FIRST_GROUP_ID)
        self._supergroup_ids = itertools.count(-FIRST_SUPERGROUP_ID)
        self.page = ChatPage(self)
        """The web chat page at ``api_url`` + ``/`` (see :class:`ChatPage`)."""
        self._runner: web.AppRunner | None = None
        self._api_url: str | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        """``http://127.0.0.1:PORT``; the bot calls ``{api_url}/bot{token}/{method}``."""
        if self._api_url is None:
            raise RuntimeError("the double is not running; use 'async with' or start()")
        return self._api_url

    @property
    def bot_user(self) -> dict[str, Any]:
        """The getMe result."""
        return dict(self._state.bot_user)

    async def start(self) -> None:
        """Listen on ``host:port`` (an IPv4 address; port 0 picks a free port)."""
        if self._runner is not None:
            raise RuntimeError("the double is already running")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self._host, self._port))
        except OSError:
            sock.close()
            raise
        self._state.updates.open()
        app = self._server.application()
        self.page.install(app)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        await web.SockSite(runner, sock).start()
        self._runner = runner
        host, port = sock.getsockname()[:2]
        self._api_url = f"http://{host}:{port}"

    async def stop(self) -> None:
        """Release pending long polls, stop webhook delivery and close the server."""
        self._state.updates.close()
        await self.page.close()
        await self._webhook.delete()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._api_url = None

    async def __aenter__(self) -> BotApiDouble:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # --- the world ----------------------------------------------------------------------------

    def add_user(
        self,
        first_name: str = "Anna",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        user_id: int | None = None,
        phone_number: str | None = None,
    ) -> SandboxUser:
        """A new user with a private chat with the bot.

        Ids count from 1_000_001 up; ``user_id`` brings back a user the bot already knows (a
        sandbox restarted on its old database). ``phone_number`` is the account's, which the
        user can share by a request_contact button (as Telegram's apps send it: digits, and a
        leading + or not).
        """
        if user_id is None:
            user_id = next(self._user_ids)
            while user_id in self._state.chats:
                user_id = next(self._user_ids)
        elif user_id <= 0:
            raise ValueError(f"a user's id is positive, not {user_id}")
        elif user_id in self._state.chats:
            raise ValueError(f"user {user_id} exists already")
        user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
        }
        optional = {"last_name": last_name, "username": username, "language_code": language_code}
        user.update({key: value for key, value in optional.items() if value is not None})
        return SandboxUser(self, self._state, self._state.add_chat(user, phone_number))

    def add_group(
        self, title: str, members: list[SandboxUser], *, supergroup: bool = False
    ) -> SandboxGroup:
        """A new group of ``members``, who (the first of them) add the bot to it.

        The bot gets my_chat_member (from "left" to "member") and the ``new_chat_members``
        service message the group shows.
        """
        kind: GroupType = "supergroup" if supergroup else "group"
        return self._new_group(kind, title, members)

    def add_channel(self, title: str, owner: SandboxUser) -> SandboxGroup:
        """A new channel whose owner makes the bot an administrator (my_chat_member tells it)."""
        return self._new_group("channel", title, [owner])

    def _new_group(self, kind: GroupType, title: str, members: list[SandboxUser]) -> SandboxGroup:
        if not title.strip():
            raise ValueError("a group needs a title")
        if not members or any(self._state.chats.get(m.id) is None for m in members):
            raise ValueError("a group's members are users of this double, at least one")
        numbers = self._group_ids if kind == "group" else self._supergroup_ids
        group = GroupChat(
            chat_id=-next(numbers),
            type=kind,
            title=title,
            members=[member.as_dict() for member in members],
        )
        self._state.add_group(group)
        self._state.bot_joined(group, by=members[0].as_dict())
        return SandboxGroup(self, self._state, group)

    def chats(self) -> list[Chat]:
        """Every user's chat with the bot, in the order the users came."""
        return list(self._state.chats.values())

    def chat(self, chat_id: int) -> Chat | None:
        """A user's chat with the bot, if there is such a user."""
        return self._state.chats.get(chat_id)

    def user(self, user_id: int) -> SandboxUser | None:
        """The test-facing side of an existing user's chat."""
        chat = self._state.chats.get(user_id)
        return SandboxUser(self, self._state, chat) if chat is not None else None

    def has_message(self, chat_id: int, message_id: int) -> bool:
        """Whether the message is (still) in the chat."""
        chat = self._state.chats.get(chat_id)
        return chat is not None and message_id in chat.messages

    def age_message(self, chat_id: int, message_id: int, seconds: int) -> None:
        """Make a message `seconds` older, as if it had been sent that much earlier: for the
        rules that depend on a message's age (a bot deletes one for 48 hours only)."""
        self._state.chats[chat_id].messages[message_id].data["date"] -= seconds

    def block(self, user: SandboxUser | int) -> None:
        """The user blocks the bot: sends to their chat answer 403."""
        self._state.blocked.add(user if isinstance(user, int) else user.id)

    def unblock(self, user: SandboxUser | int) -> None:
        """The user unblocks the bot."""
        self._state.blocked.discard(user if isinstance(user, int) else user.id)

    def revoke_token(self) -> None:
        """The token is revoked in BotFather while the bot runs: every call (a long poll that
        is waiting included) answers 401 Unauthorized from now on. A webhook that was set goes
        on receiving updates; only what the bot calls is refused."""
        self._server.revoke_token()

    def inject_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (``update_id`` assigned if missing); returns it."""
        return self._state.updates.push(update)

    @property
    def allowed_updates(self) -> list[str] | None:
        """The update types the bot last asked for (getUpdates or setWebhook), in Telegram's
        order; None while it has Telegram's default."""
        return self._state.updates.allowed_updates

    def number_updates_after(self, update_id: int) -> None:
        """Go on numbering updates after ``update_id`` (a bot that remembers earlier ones)."""
        self._state.updates.number_after(update_id)

    def redeliver(self, update_id: int) -> None:
        """Deliver an update once more, unchanged, as Telegram occasionally does."""
        self._state.updates.redeliver(update_id)

    def commands(
        self, language_code: str = "", scope: dict[str, Any] | None = None
    ) -> list[dict[str, str]]:
        """The commands set by setMyCommands for exactly this scope and language."""
        key = commands_key(scope, language_code)
        return [dict(command) for command in self._state.commands.get(key, [])]

    def description(self, language_code: str = "") -> str:
        """The bot's description set for exactly this language ("" for the default)."""
        return self._state.profile.get(("description", language_code), "")

    def short_description(self, language_code: str = "") -> str:
        """The bot's short description set for exactly this language ("" for the default)."""
        return self._state.profile.get(("short_description", language_code), "")

    # --- observation --------------------------------------------------------------------------

    def subscribe(self) -> asyncio.Queue[Event]:
        """A queue of every chat event from now on (messages, edits, deletions...)."""
        return self._state.events.subscribe()

    def unsubscribe(self, queue: asyncio.Queue[Event]) -> None:
        """Stop feeding a queue from :meth:`subscribe`."""
        self._state.events.unsubscribe(queue)

    def file_bytes(self, file_id: str) -> bytes:
        """The content of a file the bot or a user sent, as a download would return it."""
        stored = self._state.files.get(file_id)
        if stored is None:
            raise KeyError(f"no file {file_id!r}")
        return stored.data

    def file(self, file_id: str) -> tuple[bytes, str | None, str]:
        """A file's content, name and media type, as a browser needs them to show it."""
        stored = self._state.files.get(file_id)
        if stored is None:
            raise KeyError(f"no file {file_id!r}")
        mime_type = stored.mime_type or image_type(stored.data) or "application/octet-stream"
        return stored.data, stored.file_name, mime_type

    def calls(self, method: str | None = None, *, status: int | None = None) -> list[RequestRecord]:
        """Logged calls, optionally only of ``method`` (case-insensitive) and/or ``status``."""
        return [
            record
            for record in self.requests
            if (method is None or record.method.lower() == method.lower())
            and (status is None or record.status == status)
        ]
