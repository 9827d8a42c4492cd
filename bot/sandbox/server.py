"""HTTP front: routes, request decoding, faults, flood control, and the request log.

Order of checks per call, as on Telegram's side: token, method, parameters, then (double-only)
injected faults, then flood control for sending methods, then the method itself. A path that
is not the Bot API's (a wrong root in the bot's configuration) gets Telegram's JSON 404.

A revoked token (BotFather's /revoke) is answered 401 from then on, a call that was waiting
for it (a long poll) included, as Telegram ends a revoked token's sessions.

Flood control is checked before a send and charged only after it succeeded. That is atomic
because sending and editing handlers never await: no other request runs in between.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from .errors import ApiError, bad_request, too_large, too_many_requests
from .faults import Fault, FaultInjector, FaultKind
from .files import MAX_DOWNLOAD, MAX_FILE_UPLOAD, FileStore
from .limits import Clock, RateLimiter
from .methods import Method
from .params import Params, Upload

logger = logging.getLogger(__name__)

DROPPED = 0
"""``RequestRecord.status`` of a call whose connection was dropped by a fault."""


def _fault_error(fault: Fault) -> ApiError:
    if fault.kind == FaultKind.BAD_REQUEST:
        return bad_request(fault.description)
    if fault.kind == FaultKind.TOO_MANY_REQUESTS:
        return too_many_requests(fault.retry_after)
    if fault.kind == FaultKind.BAD_GATEWAY:
        return ApiError(502, "Bad Gateway")
    return ApiError(500, "Internal Server Error")


@dataclass(frozen=True)
class RequestRecord:
    """One API call as answered (the token is deliberately not kept)."""

    time: float
    """When it was answered, on the double's clock (monotonic by default)."""
    method: str
    chat_id: int | None
    status: int
    """HTTP status, or :data:`DROPPED`."""


class BotApiServer:
    """The aiohttp application serving ``/bot{token}/{method}`` and file downloads."""

    def __init__(
        self,
        *,
        token: str,
        methods: dict[str, Method],
        files: FileStore,
        faults: FaultInjector,
        limiter: RateLimiter | None,
        clock: Clock,
        on_request: Callable[[RequestRecord], None],
    ):
        self._token = token
        self._methods = methods
        self._files = files
        self._faults = faults
        self._limiter = limiter
        self._clock = clock
        self._on_request = on_request
        self._revoked = asyncio.Event()

    def revoke_token(self) -> None:
        """Every call from now on, and every call still waiting, is answered 401."""
        self._revoked.set()

    def _accepts(self, token: str) -> bool:
        return token == self._token and not self._revoked.is_set()

    def application(self) -> web.Application:
        """A fresh aiohttp application, taking bodies up to the 50 MB upload limit as the chat
        page sends it (base64 in JSON, four bytes for every three) plus a megabyte of the rest."""
        app = web.Application(
            client_max_size=4 * math.ceil(MAX_FILE_UPLOAD / 3) + 1024 * 1024,
            middlewares=[_telegram_not_found],
        )
        app.router.add_route("GET", "/bot{token}/{method}", self._api)
        app.router.add_route("POST", "/bot{token}/{method}", self._api)
        app.router.add_route("GET", "/file/bot{token}/{file_path:.+}", self._download)
        return app

    async def _api(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["method"]
        chat_id: int | None = None
        try:
            if not self._accepts(request.match_info["token"]):
                raise ApiError(401, "Unauthorized")
            method = self._methods.get(name.lower())
            if method is None:
                raise ApiError(404, "Not Found")
            name = method.name
            params = await _read_params(request)
            chat_id = params.chat_id()
            fault = self._faults.take(name, chat_id)
            if fault is not None and fault.kind == FaultKind.DROP:
                return self._drop(request, name, chat_id)
            if fault is not None and fault.kind == FaultKind.HOLD:
                fault.holding.set()
                await fault.released.wait()
            elif fault is not None:
                raise _fault_error(fault)
            limiter = self._limiter if method.rate_limited else None
            if limiter is not None and (wait := limiter.check(chat_id)):
                raise too_many_requests(wait)
            result = await self._unless_revoked(method.handler(params))
            if limiter is not None:
                limiter.take(chat_id)
        except ApiError as error:
            return self._answer(name, chat_id, error.error_code, error.payload())
        except Exception:
            logger.exception("sandbox Bot API double failed on %s", name)
            payload = ApiError(500, "Internal Server Error").payload()
            return self._answer(name, chat_id, 500, payload)
        return self._answer(name, chat_id, 200, {"ok": True, "result": result})

    async def _unless_revoked(self, answer: Awaitable[Any]) -> Any:
        """The method's answer, or 401 if the token is revoked before it is ready."""
        answering = asyncio.ensure_future(answer)
        revoked = asyncio.ensure_future(self._revoked.wait())
        await asyncio.wait((answering, revoked), return_when=asyncio.FIRST_COMPLETED)
        revoked.cancel()
        if not answering.done():
            answering.cancel()
            raise ApiError(401, "Unauthorized")
        return answering.result()

    def _answer(
        self, method: str, chat_id: int | None, status: int, body: dict[str, Any]
    ) -> web.Response:
        self._on_request(RequestRecord(self._clock(), method, chat_id, status))
        return web.json_response(body, status=status)

    def _drop(self, request: web.Request, method: str, chat_id: int | None) -> web.Response:
        """Close the connection unanswered; the response returned is never written."""
        self._on_request(RequestRecord(self._clock(), method, chat_id, DROPPED))
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=500)

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if not self._accepts(request.match_info["token"]):
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        stored = self._files.by_path(request.match_info["file_path"])
        if stored is None or len(stored.data) > MAX_DOWNLOAD:
            return web.json_response(ApiError(404, "Not Found").payload(), status=404)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )


@web.middleware
async def _telegram_not_found(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A path no route serves is answered as Telegram answers it, not with aiohttp's text."""
    if isinstance(request.match_info.http_exception, web.HTTPNotFound):
        return web.json_response(ApiError(404, "Not Found").payload(), status=404)
    return await handler(request)


async def _read_params(request: web.Request) -> Params:
    """Merge the query string and the body (JSON, url-encoded or multipart)."""
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if not request.body_exists:
        return Params(values)
    try:
        if request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise bad_request("JSON body must be an object")
            values.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    uploads[key] = Upload(value.file.read(), value.filename, value.content_type)
                else:
                    values[key] = value
    except web.HTTPRequestEntityTooLarge:
        raise too_large() from None
    except ValueError:
        raise bad_request("can't parse request body") from None
    return Params(values, uploads)
