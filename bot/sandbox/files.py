"""Uploaded files: identifiers, Bot API views of them, and downloadable paths."""

from __future__ import annotations

import itertools
import mimetypes
import re
import secrets
import struct
from dataclasses import dataclass
from typing import Any, Literal

FileKind = Literal["photo", "document", "voice"]

MAX_PHOTO_UPLOAD = 10 * 1024 * 1024
MAX_FILE_UPLOAD = 50 * 1024 * 1024
MAX_DOWNLOAD = 20 * 1024 * 1024

_FOLDERS: dict[FileKind, tuple[str, str]] = {
    "photo": ("photos", ".jpg"),
    "document": ("documents", ".bin"),
    "voice": ("voice", ".oga"),
}


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG, GIF or JPEG, else (0, 0): the double accepts any bytes."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 <= len(data) and data[i] == 0xFF:
            marker, length = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return width, height
            i += 2 + length
    return 0, 0


_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")


def media_type(raw: str | None) -> str | None:
    """``type/subtype`` as Telegram keeps a file's, without parameters ("; charset=utf-8");
    None when there was none, or nonsense, so that the file name's extension decides."""
    kept = (raw or "").split(";", 1)[0].strip().lower()
    return kept if _MEDIA_TYPE.fullmatch(kept) else None


def image_type(data: bytes) -> str | None:
    """The media type of a PNG, GIF or JPEG (photos carry none in the Bot API)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    return None


@dataclass
class StoredFile:
    """One file known to the double, with the Bot API objects that describe it."""

    file_id: str
    file_unique_id: str
    kind: FileKind
    data: bytes
    file_path: str
    file_name: str | None
    mime_type: str | None
    duration: int = 0

    def _base(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }

    def media(self) -> dict[str, Any]:
        """The message field for this file: ``{"photo": [...]}``, ``{"document": ...}``..."""
        if self.kind == "photo":
            width, height = image_size(self.data)
            return {"photo": [{**self._base(), "width": width, "height": height}]}
        if self.kind == "voice":
            voice = {**self._base(), "duration": self.duration}
            voice["mime_type"] = self.mime_type or "audio/ogg"
            return {"voice": voice}
        document = self._base()
        if self.file_name:
            document["file_name"] = self.file_name
        if self.mime_type:
            document["mime_type"] = self.mime_type
        return {"document": document}

    def as_file(self) -> dict[str, Any]:
        """The getFile result."""
        return {**self._base(), "file_path": self.file_path}


class FileStore:
    """All files, by file_id and by download path."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._numbers = itertools.count(1)

    def add(
        self,
        kind: FileKind,
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        duration: int = 0,
    ) -> StoredFile:
        """Store ``data`` and allocate its identifiers and path."""
        number = next(self._numbers)
        folder, extension = _FOLDERS[kind]
        if kind == "document" and file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        mime_type = media_type(mime_type)
        if kind == "document" and mime_type is None and file_name:
            mime_type = mimetypes.guess_type(file_name)[0]
        stored = StoredFile(
            file_id=f"{kind[:2].upper()}ACAgsandbox{number}_{secrets.token_urlsafe(12)}",
            file_unique_id=f"AgAD{number}{secrets.token_hex(4)}",
            kind=kind,
            data=data,
            file_path=f"{folder}/file_{number}{extension}",
            file_name=file_name,
            mime_type=mime_type,
            duration=duration,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """The file with this file_id, if any."""
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        """The file at this download path, if any."""
        return self._by_path.get(file_path)
