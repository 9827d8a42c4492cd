"""Bot API error answers, worded exactly as Telegram words them.

Clients (PTB included) branch on the HTTP status and sometimes on the description text,
so every refusal the double gives goes through :class:`ApiError` and these constructors.
"""

from __future__ import annotations

from typing import Any

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


class ApiError(Exception):
    """A Bot API refusal: becomes ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    """400 with Telegram's ``Bad Request:`` prefix."""
    return ApiError(400, f"Bad Request: {reason}")


def too_many_requests(retry_after: int) -> ApiError:
    """429 carrying ``parameters.retry_after`` so clients know how long to back off."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def forbidden(reason: str) -> ApiError:
    """403 with Telegram's ``Forbidden:`` prefix."""
    return ApiError(403, f"Forbidden: {reason}")


def conflict(reason: str) -> ApiError:
    """409 with Telegram's ``Conflict:`` prefix."""
    return ApiError(409, f"Conflict: {reason}")


def too_large() -> ApiError:
    """What Telegram's front answers for an upload over the size limit."""
    return ApiError(413, "Request Entity Too Large")
