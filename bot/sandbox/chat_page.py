"""The web chat page: play every person of the sandbox in a browser, without Telegram.

The page is the users' side of the double, as :class:`SandboxUser` is for tests: it sends
messages and presses buttons through the same state changes, so the bot cannot tell the two
apart. It is served by the double's own HTTP server, next to the Bot API, and streams every chat
event to the browser as server-sent events.

The double stays ignorant of the bot: who a person is ("foster family, Familjen Ek") and how a
new one joins (an invite code the bot understands) are given to it by whoever runs the sandbox.

The page acts as anyone, so it answers only its own browser tab. Any other web page the operator
visits can make the browser send requests to 127.0.0.1, and a name its owner controls can be
pointed at 127.0.0.1 (DNS rebinding). So every route of the page checks that the ``Host`` is one
of this computer's own names with the page's port and that an ``Origin``, when the browser sends
one, is the page's own; every route but the two public assets wants the random key in the page's
address (``?key=``), which only the operator has, printed at start; and every state-changing
request must be ``application/json``, a type a foreign page cannot send without the browser
first asking this server for permission, which it never gives. None of this is asked of the Bot
API routes: the bot is not a browser, and it holds the token.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import copy
import json
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any, TypeGuard
from urllib.parse import quote

from aiohttp import hdrs, web
from aiohttp.typedefs import Handler
from yarl import URL

from .events import Event, EventKind
from .files import MAX_FILE_UPLOAD, MAX_PHOTO_UPLOAD, image_type
from .formatting import utf16_len
from .users import SandboxUser

if TYPE_CHECKING:
    from .double import BotApiDouble

KEEPALIVE_SECONDS = 15.0
MAX_NAME_LENGTH = 64
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
"""Telegram's limits, counted as Telegram and the page's text field count: in UTF-16 units."""
# An IETF language tag as Telegram gives it (``sv``, ``pt-br``); the page sends the browser's.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}")
Joiner = Callable[[int, str], Awaitable[str]]
"""Makes a new person of a role known to the bot; returns what they send first (``/start CODE``)."""

_PAGE = ("index.html", "text/html")
_ASSETS = {
    "/chat.js": ("chat.js", "text/javascript"),
    "/chat.css": ("chat.css", "text/css"),
}
"""The same bytes in every copy of the project, with nothing of this sandbox's in them: they are
served without the key, because the page's HTML (also the same everywhere) names them without it."""
_OWN_HOSTS = ("127.0.0.1", "localhost", "[::1]")
# The page's people share numbers from the range Sweden's regulator keeps for fiction
# (070-174 06 05 to 070-174 06 99), so a number shared in a demo reaches nobody.
_FICTIONAL_NUMBERS = [f"4670174{n:04d}" for n in range(605, 700)]
_KEY_BYTES = 24


@dataclass(frozen=True)
class Role:
    """A kind of person the page can create, as the one running the sandbox names it."""

    key: str
    label: str


class _BadInput(Exception):
    """What the browser sent cannot be done; the message is shown to the person using it."""


class ChatPage:
    """Routes of the chat page, mounted on the double's HTTP server."""

    def __init__(self, double: BotApiDouble) -> None:
        self._double = double
        self._descriptions: dict[int, str] = {}
        self._roles: list[Role] = []
        self._join: Joiner | None = None
        self._streams: set[asyncio.Task[Any]] = set()
        self._closed = False
        self._time_zone = "UTC"
        self._key = secrets.token_urlsafe(_KEY_BYTES)

    @property
    def address(self) -> str:
        """Where to open the page: the only address it answers, as its key is in it."""
        return f"{self._double.api_url}/?key={self._key}"

    # --- set up by whoever runs the sandbox ----------------------------------------------------

    def describe(self, user_id: int, description: str) -> None:
        """What the page shows under a person's name (their role and household)."""
        self._descriptions[user_id] = description

    def show_times_in(self, time_zone: str) -> None:
        """The IANA time zone the page shows times in: the service's, not the browser's."""
        self._time_zone = time_zone

    def allow_joining(self, roles: list[Role], join: Joiner) -> None:
        """Let the page create people of these roles; ``join`` makes each known to the bot."""
        self._roles = list(roles)
        self._join = join

    # --- HTTP ----------------------------------------------------------------------------------

    def install(self, app: web.Application) -> None:
        """Add the page's routes to a (re)starting double's application."""
        self._closed = False

        def keyed(handler: Handler) -> Handler:
            return self._guarded(handler, keyed=True)

        for path in _ASSETS:
            app.router.add_get(path, self._guarded(self._asset, keyed=False))
        app.router.add_get("/", keyed(self._page))
        app.router.add_get("/sandbox/people", keyed(self._people))
        app.router.add_post("/sandbox/people", keyed(self._new_person))
        app.router.add_get("/sandbox/chats/{chat_id:\\d+}", keyed(self._chat))
        app.router.add_post("/sandbox/chats/{chat_id:\\d+}/messages", keyed(self._send))
        app.router.add_post("/sandbox/chats/{chat_id:\\d+}/press", keyed(self._press))
        app.router.add_get("/sandbox/files/{file_id}", keyed(self._file))
        app.router.add_get("/sandbox/events", keyed(self._events))

    def _guarded(self, handler: Handler, *, keyed: bool) -> Handler:
        """The handler, answered only for the page's own tab (see the module's docstring)."""

        async def guarded(request: web.Request) -> web.StreamResponse:
            refusal = self._not_its_own(request, keyed=keyed)
            return refusal if refusal is not None else await handler(request)

        return guarded

    def _not_its_own(self, request: web.Request, *, keyed: bool) -> web.Response | None:
        """Why the request is not the page's own, or None; refused before anything is read."""
        host = request.host.lower()
        port = URL(self._double.api_url).port
        if host not in {f"{name}:{port}" for name in _OWN_HOSTS}:
            return _error(403, f"Open the sandbox at 127.0.0.1:{port} or localhost:{port}.")
        origin = request.headers.get(hdrs.ORIGIN)
        if origin is not None and origin.lower() != f"http://{host}":
            return _error(403, "Only the sandbox's own page may use it.")
        key = request.query.get("key", "")
        if keyed and not secrets.compare_digest(key.encode(), self._key.encode()):
            return _error(403, "Open the address the sandbox printed when it started.")
        if request.method == hdrs.METH_POST and request.content_type != "application/json":
            return _error(415, "The page sends JSON only.")
        return None

    async def _page(self, request: web.Request) -> web.Response:
        return _web_file(*_PAGE)

    async def _asset(self, request: web.Request) -> web.Response:
        return _web_file(*_ASSETS[request.path])

    async def _people(self, request: web.Request) -> web.Response:
        people = [
            {
                "id": chat.id,
                "name": " ".join(
                    str(chat.user[key]) for key in ("first_name", "last_name") if key in chat.user
                ),
                "description": self._descriptions.get(chat.id, ""),
                "messages": len(chat.messages),
            }
            for chat in self._double.chats()
        ]
        roles = [{"key": role.key, "label": role.label} for role in self._roles]
        return web.json_response({"people": people, "roles": roles, "time_zone": self._time_zone})

    async def _new_person(self, request: web.Request) -> web.Response:
        try:
            body = await _json_object(request)
            name = _clean_name(body.get("name"))
            language = _clean_language(body.get("language"))
            role = next((r for r in self._roles if r.key == body.get("role")), None)
            if role is None or self._join is None:
                raise _BadInput("Choose one of the roles offered.")
        except _BadInput as problem:
            return _refusal(problem)
        first, _, last = name.partition(" ")
        phone = _FICTIONAL_NUMBERS[len(self._double.chats()) % len(_FICTIONAL_NUMBERS)]
        user = self._double.add_user(
            first, last_name=last or None, language_code=language, phone_number=phone
        )
        self.describe(user.id, role.label)
        first_words = await self._join(user.id, role.key)
        await user.send(first_words)
        return web.json_response({"id": user.id})

    async def _chat(self, request: web.Request) -> web.Response:
        chat = self._double.chat(int(request.match_info["chat_id"]))
        if chat is None:
            return _not_found("No such person.")
        bot_id = self._double.bot_user["id"]
        messages = [
            {**copy.deepcopy(stored.data), "outgoing": stored.data["from"]["id"] != bot_id}
            for stored in chat.messages.values()
        ]
        return web.json_response(
            {"id": chat.id, "messages": messages, "reply_keyboard": chat.reply_keyboard}
        )

    async def _send(self, request: web.Request) -> web.Response:
        user = self._user(request)
        if user is None:
            return _not_found("No such person.")
        try:
            body = await _json_object(request)
            if "file" in body:
                message = await self._send_file(user, body)
            elif body.get("contact") is True:  # the reply keyboard's request_contact button
                message = await self._share_contact(user)
            else:
                message = await self._send_text(user, body)
        except _BadInput as problem:
            return _refusal(problem)
        return web.json_response({"message_id": message["message_id"]})

    async def _send_text(self, user: SandboxUser, body: dict[str, Any]) -> dict[str, Any]:
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _BadInput("Write something first.")
        if utf16_len(text) > MAX_TEXT_LENGTH:
            raise _BadInput(f"Telegram takes at most {MAX_TEXT_LENGTH} characters.")
        reply_to = body.get("reply_to")
        if reply_to is not None and not _is_int(reply_to):
            raise _BadInput("That message cannot be replied to.")
        # A message deleted since the page showed it: sent without the quote, as a Telegram app
        # does when the message replied to is gone.
        if reply_to is not None and self._double.has_message(user.id, reply_to):
            return await user.reply(reply_to, text)
        return await user.send(text)

    async def _share_contact(self, user: SandboxUser) -> dict[str, Any]:
        try:
            return await user.share_contact()
        except AssertionError as refusal:  # no such button shown, or a person without a number
            raise _BadInput("There is no button to share a number now.") from refusal

    async def _send_file(self, user: SandboxUser, body: dict[str, Any]) -> dict[str, Any]:
        """A file as the page sends it: in JSON, like everything else that changes something
        (``{"file": {"name", "type", "data": base64}, "caption"}``), never as a form."""
        upload = body["file"]
        if not isinstance(upload, dict):
            raise _BadInput("Choose a file first.")
        name, mime_type, encoded = (upload.get(key, "") for key in ("name", "type", "data"))
        if not all(isinstance(value, str) for value in (name, mime_type, encoded)):
            raise _BadInput("The page sent a broken upload; choose the file again.")
        try:
            data = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise _BadInput("The page sent a broken upload; choose the file again.") from None
        caption = body.get("caption")
        caption = caption if isinstance(caption, str) and caption.strip() else None
        if not data:
            raise _BadInput("The file is empty.")
        if len(data) > MAX_FILE_UPLOAD:
            raise _BadInput("The file is too large for Telegram.")
        if caption is not None and utf16_len(caption) > MAX_CAPTION_LENGTH:
            raise _BadInput(f"A caption is at most {MAX_CAPTION_LENGTH} characters.")
        # What a Telegram app sends as a photo: a picture it can decode, whatever the browser
        # calls the file (an SVG is "image/" too, and a renamed text file can claim anything).
        if image_type(data) is not None and len(data) <= MAX_PHOTO_UPLOAD:
            return await user.send_photo(data, caption=caption)
        return await user.send_document(
            data,
            file_name=name or "file",
            mime_type=mime_type,  # the double keeps type/subtype of it
            caption=caption,
        )

    async def _press(self, request: web.Request) -> web.Response:
        user = self._user(request)
        if user is None:
            return _not_found("No such person.")
        try:
            body = await _json_object(request)
            message_id, data = body.get("message_id"), body.get("data")
            if not _is_int(message_id) or not isinstance(data, str):
                raise _BadInput("That button cannot be pressed.")
            if not self._double.has_message(user.id, message_id):
                raise _BadInput("That message is gone.")
        except _BadInput as problem:
            return _refusal(problem)
        answer = await user.press_data(message_id, data)
        return web.json_response({"answer": answer})

    async def _file(self, request: web.Request) -> web.Response:
        try:
            data, name, mime_type = self._double.file(request.match_info["file_id"])
        except KeyError:
            return _not_found("No such file.")
        # Only pictures are shown in the page, as the picture type their bytes prove; anything
        # else (an HTML file someone uploaded, whatever its first bytes) is a download under
        # a sandboxing policy, so that it never runs as part of the page.
        picture = image_type(data)
        disposition = "inline" if picture is not None else "attachment"
        if name:
            disposition += f"; filename*=UTF-8''{quote(name, safe='')}"
        headers = {
            # As a header, not content_type=: aiohttp refuses one with parameters, and the
            # bot's documents may carry a charset.
            "Content-Type": picture or mime_type,
            "Content-Disposition": disposition,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
        }
        return web.Response(body=data, headers=headers)

    async def _events(self, request: web.Request) -> web.StreamResponse:
        """Every chat event, as it happens, for as long as the page is open."""
        if self._closed:  # a browser reconnecting while the double stops
            raise web.HTTPServiceUnavailable(text="the sandbox is stopping")
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        # Subscribed before anything is sent: a page that has read ": connected" misses nothing.
        queue = self._double.subscribe()
        stream = asyncio.current_task()
        if stream is not None:
            self._streams.add(stream)
        try:
            await response.prepare(request)
            await response.write(b": connected\n\n")
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    await response.write(b": keepalive\n\n")
                    continue
                await response.write(_event_stream_entry(event))
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self._streams.discard(stream)
            with contextlib.suppress(ValueError):
                self._double.unsubscribe(queue)
        return response

    async def close(self) -> None:
        """End the open event streams: a browser tab never closes them by itself."""
        self._closed = True
        streams = list(self._streams)
        for stream in streams:
            stream.cancel()
        await asyncio.gather(*streams, return_exceptions=True)

    def _user(self, request: web.Request) -> SandboxUser | None:
        return self._double.user(int(request.match_info["chat_id"]))


def _event_stream_entry(event: Event) -> bytes:
    payload = {"kind": str(event.kind), "chat_id": event.chat_id, "message_id": event.message_id}
    if event.kind is EventKind.CALLBACK_ANSWERED:
        payload["text"] = event.data.get("text", "")
    return f"data: {json.dumps(payload)}\n\n".encode()


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except web.HTTPRequestEntityTooLarge:  # only a file makes a body that large
        raise _BadInput("The file is too large for Telegram.") from None
    except ValueError:
        raise _BadInput("The page sent something that is not JSON.") from None
    if not isinstance(body, dict):
        raise _BadInput("The page sent something that is not a JSON object.")
    return body


def _clean_name(raw: object) -> str:
    name = " ".join(raw.split()) if isinstance(raw, str) else ""
    if not name:
        raise _BadInput("Give the person a name.")
    if len(name) > MAX_NAME_LENGTH or not name.isprintable():
        raise _BadInput(f"A name is at most {MAX_NAME_LENGTH} printable characters.")
    return name


def _clean_language(raw: object) -> str | None:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or not _LANGUAGE_TAG.fullmatch(raw):
        raise _BadInput("The language must be a language code such as sv, da or en.")
    return raw.lower()


def _is_int(value: object) -> TypeGuard[int]:
    """A JSON integer (JSON's ``true`` is a bool to Python, and a bool is an int)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _web_file(name: str, content_type: str) -> web.Response:
    body = resources.files(__package__).joinpath("web", name).read_bytes()
    return web.Response(
        body=body, content_type=content_type, charset="utf-8", headers={"Cache-Control": "no-cache"}
    )


def _refusal(problem: _BadInput) -> web.Response:
    return _error(400, str(problem))


def _not_found(what: str) -> web.Response:
    return _error(404, what)


def _error(status: int, what: str) -> web.Response:
    """The page shows ``error`` whatever the status: each refusal is one line."""
    return web.json_response({"error": what}, status=status)
