"""Method parameters as clients send them, coerced to what a method needs.

Telegram accepts the query string, url-encoded forms, JSON bodies and multipart forms. In
forms every value is a string (PTB JSON-encodes objects and arrays and stringifies numbers),
while a JSON body carries real types. Rather than guessing a type per value (a message text
"[1]" must stay a string), each method asks for the type it needs and the value is coerced then.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import bad_request


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    data: bytes
    filename: str | None
    content_type: str | None


class Params:
    """Typed access to one request's parameters; errors are Bot API 400s."""

    def __init__(self, values: Mapping[str, Any], uploads: Mapping[str, Upload] | None = None):
        self._values = dict(values)
        self._uploads = dict(uploads or {})

    def has(self, name: str) -> bool:
        """Whether the parameter was sent at all (an empty string counts)."""
        return name in self._values or name in self._uploads

    def text(self, name: str) -> str | None:
        """A string parameter (JSON scalars are stringified)."""
        value = self._values.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        raise bad_request(f"{name} must be a string")

    def integer(self, name: str) -> int | None:
        """An integer parameter, or None if absent or empty."""
        value = self._values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise bad_request(f"invalid {name} specified")

    def require_int(self, name: str) -> int:
        """A mandatory integer parameter."""
        value = self.integer(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def flag(self, name: str) -> bool:
        """A boolean parameter; absent means False."""
        value = self._values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes", "on")
        return bool(value)

    def json(self, name: str) -> Any:
        """An object/array parameter, JSON-decoded when it arrived as a string."""
        value = self._values.get(name)
        if not isinstance(value, str):
            return value
        if not value:
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None

    def file(self, name: str) -> Upload | str | None:
        """An InputFile parameter: an uploaded part (also via ``attach://name``) or a string."""
        if name in self._uploads:
            return self._uploads[name]
        return self.attachment(self.text(name))

    def attachment(self, value: str | None) -> Upload | str | None:
        """An InputFile given as a string (in a parameter or inside an InputMedia object): the
        part it names as ``attach://name`` (None if there is no such part), else the string."""
        if value is not None and value.startswith("attach://"):
            return self._uploads.get(value.removeprefix("attach://"))
        return value

    def chat_id(self) -> int | None:
        """``chat_id`` if it is numeric, for logs, limits and fault matching (never raises)."""
        try:
            return self.integer("chat_id")
        except Exception:
            return None
