"""Uploaded files: identifiers, Bot API views of them, and downloadable paths."""

from __future__ import annotations

import itertools
import mimetypes
import re
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any, Literal

FileKind = Literal["photo", "document", "voice", "video", "audio", "video_note", "sticker"]

MAX_PHOTO_UPLOAD = 10 * 1024 * 1024
MAX_FILE_UPLOAD = 50 * 1024 * 1024
MAX_DOWNLOAD = 20 * 1024 * 1024

_FOLDERS: dict[FileKind, tuple[str, str]] = {
    "photo": ("photos", ".jpg"),
    "document": ("documents", ".bin"),
    "voice": ("voice", ".oga"),
    "video": ("videos", ".mp4"),
    "audio": ("music", ".mp3"),
    "video_note": ("video_notes", ".mp4"),
    "sticker": ("stickers", ".webp"),
}
# Files whose name (and its extension) Telegram keeps.
_NAMED: frozenset[FileKind] = frozenset({"document", "video", "audio"})
# The media type of kinds Telegram always knows one for. A declared type of another family is
# dropped for it: clients often declare application/octet-stream for anything.
_DEFAULT_TYPES: dict[FileKind, str] = {
    "voice": "audio/ogg",
    "video": "video/mp4",
    "audio": "audio/mpeg",
    "video_note": "video/mp4",
    "sticker": "image/webp",
}
VIDEO_NOTE_LENGTH = 384
"""The diameter Telegram's apps record round videos in."""
STICKER_SIDE = 512
"""A sticker's longer side, as Telegram requires it."""


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


def _kept_type(kind: FileKind, declared: str | None, file_name: str | None) -> str | None:
    """The media type Telegram reports for a file (photos carry none in the Bot API)."""
    if kind == "photo":
        return None
    kept = media_type(declared)
    if kind in _NAMED and kept is None and file_name:
        kept = mimetypes.guess_type(file_name)[0]
    default = _DEFAULT_TYPES.get(kind)
    if default is not None and (kept is None or kept.split("/")[0] != default.split("/")[0]):
        return default
    return kept


@dataclass(frozen=True)
class MediaDetails:
    """What the sender says about a file beyond its bytes (the double cannot decode media)."""

    duration: int = 0
    width: int = 0
    """Also a round video's diameter."""
    height: int = 0
    performer: str | None = None
    title: str | None = None
    emoji: str | None = None


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
    details: MediaDetails = field(default_factory=MediaDetails)

    def _base(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }

    def media(self) -> dict[str, Any]:
        """The message field for this file: ``{"photo": [...]}``, ``{"document": ...}``..."""
        item = self._base()
        details = self.details
        if self.kind == "photo":
            width, height = image_size(self.data)
            return {"photo": [{**item, "width": width, "height": height}]}
        if self.kind == "sticker":
            side = STICKER_SIDE
            item.update(type="regular", width=details.width or side, height=details.height or side)
            item.update(is_animated=False, is_video=False)
            if details.emoji:
                item["emoji"] = details.emoji
            return {"sticker": item}
        if self.kind == "video_note":
            item.update(length=details.width or VIDEO_NOTE_LENGTH, duration=details.duration)
            return {"video_note": item}
        if self.kind == "video":
            item.update(width=details.width, height=details.height)
        if self.kind != "document":
            item["duration"] = details.duration
        if self.kind == "audio":
            tags = {"performer": details.performer, "title": details.title}
            item.update({key: value for key, value in tags.items() if value})
        if self.kind in _NAMED and self.file_name:
            item["file_name"] = self.file_name
        if self.mime_type:
            item["mime_type"] = self.mime_type
        return {self.kind: item}

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
        details: MediaDetails | None = None,
    ) -> StoredFile:
        """Store ``data`` and allocate its identifiers and path.

        ``mime_type`` is what the sender declared; the file keeps the type Telegram would report.
        """
        number = next(self._numbers)
        folder, extension = _FOLDERS[kind]
        if kind in _NAMED and file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        stored = StoredFile(
            file_id=f"{kind[:2].upper()}ACAgsandbox{number}_{secrets.token_urlsafe(12)}",
            file_unique_id=f"AgAD{number}{secrets.token_hex(4)}",
            kind=kind,
            data=data,
            file_path=f"{folder}/file_{number}{extension}",
            file_name=file_name,
            mime_type=_kept_type(kind, mime_type, file_name),
            details=details or MediaDetails(),
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
