"""The Bot API methods the double implements, each validated as Telegram validates it."""

from __future__ import annotations

import copy
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from . import content
from .errors import NOT_MODIFIED, bad_request, conflict, too_large
from .files import MAX_DOWNLOAD, MAX_FILE_UPLOAD, MAX_PHOTO_UPLOAD, FileKind, StoredFile
from .params import Params, Upload
from .state import Chat, Message, SandboxState, StoredMessage, commands_key
from .webhook import WebhookDelivery

Handler = Callable[[Params], Awaitable[Any]]

WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
WRONG_FILE = "wrong file identifier/HTTP URL specified"
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
# Message fields that make up a message's content, as copied by copyMessage/forwardMessage.
_CONTENT_FIELDS = (
    "text", "entities", "link_preview_options", "photo", "document", "voice", "audio",
    "video", "video_note", "animation", "sticker", "caption", "caption_entities",
    "contact", "location", "venue", "poll", "dice",
)  # fmt: skip
_UPLOAD_LIMITS: dict[FileKind, int] = {
    "photo": MAX_PHOTO_UPLOAD,
    "document": MAX_FILE_UPLOAD,
    "voice": MAX_FILE_UPLOAD,
}


@dataclass(frozen=True)
class Method:
    """A Bot API method; ``rate_limited`` ones draw from the flood-control buckets."""

    name: str
    handler: Handler
    rate_limited: bool = False


@dataclass(frozen=True)
class _SendOptions:
    """Validated shared sending options: message fields, and a reply keyboard to show."""

    fields: Message
    keyboard: dict[str, Any] | None


def _mime_type(kind: FileKind, declared: str | None) -> str | None:
    """The MIME type Telegram would report; clients often declare application/octet-stream."""
    if kind == "photo":
        return None
    if kind == "voice":
        return declared if declared and declared.startswith("audio/") else "audio/ogg"
    return declared


def _commands_key(params: Params) -> tuple[str, str]:
    scope = params.json("scope")
    if scope is not None and (not isinstance(scope, dict) or "type" not in scope):
        raise bad_request("can't parse BotCommandScope JSON object")
    return commands_key(scope, params.text("language_code") or "")


class BotApiMethods:
    """Method implementations over one :class:`SandboxState`."""

    def __init__(self, state: SandboxState, webhook: WebhookDelivery):
        self.state = state
        self.webhook = webhook

    def table(self) -> dict[str, Method]:
        """All methods by lowercased name (Telegram matches method names case-insensitively)."""
        methods = [
            Method("getMe", self.get_me),
            Method("logOut", self.accept),
            Method("close", self.accept),
            Method("getUpdates", self.get_updates),
            Method("setWebhook", self.set_webhook),
            Method("deleteWebhook", self.delete_webhook),
            Method("getWebhookInfo", self.get_webhook_info),
            Method("sendMessage", self.send_message, rate_limited=True),
            Method("copyMessage", self.copy_message, rate_limited=True),
            Method("forwardMessage", self.forward_message, rate_limited=True),
            Method("sendPhoto", self.send_photo, rate_limited=True),
            Method("sendDocument", self.send_document, rate_limited=True),
            Method("sendVoice", self.send_voice, rate_limited=True),
            Method("editMessageText", self.edit_message_text, rate_limited=True),
            Method("editMessageCaption", self.edit_message_caption, rate_limited=True),
            Method("editMessageReplyMarkup", self.edit_message_reply_markup, rate_limited=True),
            Method("deleteMessage", self.delete_message),
            Method("answerCallbackQuery", self.answer_callback_query),
            Method("getFile", self.get_file),
            Method("setMyCommands", self.set_my_commands),
            Method("getMyCommands", self.get_my_commands),
            Method("deleteMyCommands", self.delete_my_commands),
            Method("sendChatAction", self.send_chat_action),
            Method("getChat", self.get_chat),
            Method("setChatMenuButton", self.set_chat_menu_button),
            Method("getChatMenuButton", self.get_chat_menu_button),
        ]
        return {method.name.lower(): method for method in methods}

    # --- bot and updates ----------------------------------------------------------------------

    async def get_me(self, params: Params) -> dict[str, Any]:
        return dict(self.state.bot_user)

    async def accept(self, params: Params) -> bool:
        """Methods that only matter to a real server (close, logOut)."""
        return True

    def _set_allowed_updates(self, params: Params) -> None:
        """Apply ``allowed_updates`` if sent. Like Telegram, the setting persists until changed,
        and a value it cannot read (not a JSON array of strings) changes nothing, unrefused."""
        try:
            allowed = params.json("allowed_updates")
        except ApiError:
            return
        if isinstance(allowed, list) and all(isinstance(kind, str) for kind in allowed):
            self.state.updates.set_allowed(allowed)

    async def get_updates(self, params: Params) -> list[dict[str, Any]]:
        if self.webhook.active:
            raise conflict(WEBHOOK_ACTIVE)
        self._set_allowed_updates(params)
        limit = min(max(params.integer("limit") or 100, 1), 100)
        timeout = max(params.integer("timeout") or 0, 0)
        return await self.state.updates.poll(params.integer("offset"), limit, timeout)

    async def set_webhook(self, params: Params) -> bool:
        url = params.text("url") or ""
        if url and not url.startswith(("http://", "https://")):
            # Telegram wants HTTPS; plain HTTP is accepted because the bot listens on loopback.
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self._set_allowed_updates(params)
        if params.flag("drop_pending_updates"):
            self.state.updates.drop_pending()
        if not url:
            await self.webhook.delete()
            return True
        self.webhook.set(url, params.text("secret_token"), params.integer("max_connections") or 40)
        return True

    async def delete_webhook(self, params: Params) -> bool:
        if params.flag("drop_pending_updates"):
            self.state.updates.drop_pending()
        await self.webhook.delete()
        return True

    async def get_webhook_info(self, params: Params) -> dict[str, Any]:
        return self.webhook.info()

    # --- sending ------------------------------------------------------------------------------

    async def send_message(self, params: Params) -> Message:
        chat = self.state.writable_chat(params.chat_id())
        text, entities = content.message_text(params)
        fields: Message = {"text": text}
        if entities:
            fields["entities"] = entities
        preview = params.json("link_preview_options")
        if preview is None and params.flag("disable_web_page_preview"):
            preview = {"is_disabled": True}
        if preview:
            fields["link_preview_options"] = preview
        return self._post_from_bot(chat, fields, self._send_options(chat, params))

    async def send_photo(self, params: Params) -> Message:
        return await self._send_media(params, "photo", "photo")

    async def send_document(self, params: Params) -> Message:
        return await self._send_media(params, "document", "document")

    async def send_voice(self, params: Params) -> Message:
        return await self._send_media(params, "voice", "voice")

    async def _send_media(self, params: Params, name: str, kind: FileKind) -> Message:
        chat = self.state.writable_chat(params.chat_id())
        caption = content.caption(params)
        options = self._send_options(chat, params)
        stored = self._input_file(params, name, kind)  # last: it stores an upload
        return self._post_from_bot(chat, {**stored.media(), **caption}, options)

    def _input_file(self, params: Params, name: str, kind: FileKind) -> StoredFile:
        """The file sent as ``name``: a fresh upload or a known file_id (no URLs offline)."""
        value = params.file(name)
        if value is None or value == "":
            raise bad_request(f"there is no {name} in the request")
        if isinstance(value, Upload):
            if not value.data:
                raise bad_request("file must be non-empty")
            if len(value.data) > _UPLOAD_LIMITS[kind]:
                raise too_large()
            return self.state.files.add(
                kind,
                value.data,
                file_name=value.filename,
                mime_type=_mime_type(kind, value.content_type),
                duration=params.integer("duration") or 0,
            )
        stored = self.state.files.get(value)
        if stored is None:
            raise bad_request(WRONG_FILE)
        if stored.kind != kind:
            raise bad_request(
                f"type of file mismatch: can't use file of type {stored.kind} as {kind}"
            )
        return stored

    async def copy_message(self, params: Params) -> dict[str, int]:
        chat = self.state.writable_chat(params.chat_id())
        original = self._source_message(params, "message to copy not found")
        fields = {key: original[key] for key in _CONTENT_FIELDS if key in original}
        if not fields:
            raise bad_request("message can't be copied")
        if params.has("caption") and "text" not in fields:
            fields.pop("caption", None)
            fields.pop("caption_entities", None)
            fields.update(content.caption(params))
        options = self._send_options(chat, params)
        message = self._post_from_bot(chat, copy.deepcopy(fields), options)
        return {"message_id": message["message_id"]}

    async def forward_message(self, params: Params) -> Message:
        chat = self.state.writable_chat(params.chat_id())
        original = self._source_message(params, "message to forward not found")
        fields = {key: original[key] for key in _CONTENT_FIELDS if key in original}
        if not fields:
            raise bad_request("message can't be forwarded")
        fields["forward_origin"] = original.get("forward_origin") or {
            "type": "user",
            "sender_user": original["from"],
            "date": original["date"],
        }
        if params.flag("protect_content"):
            fields["has_protected_content"] = True
        return self.state.post(chat, self.state.bot_sender, copy.deepcopy(fields))

    def _source_message(self, params: Params, not_found: str) -> Message:
        source = self.state.chat(params.integer("from_chat_id"))
        stored = source.messages.get(params.require_int("message_id"))
        if stored is None:
            raise bad_request(not_found)
        return stored.data

    def _send_options(self, chat: Chat, params: Params) -> _SendOptions:
        """Validate the options every sending method shares (before anything is stored)."""
        markup = content.reply_markup(params)
        fields: Message = {}
        reply_to = self._reply_target(chat, params)
        if reply_to is not None:
            fields["reply_to_message"] = reply_to
        if markup.inline is not None:
            fields["reply_markup"] = markup.inline
        if params.flag("protect_content"):
            fields["has_protected_content"] = True
        return _SendOptions(fields, markup.keyboard)

    def _post_from_bot(self, chat: Chat, fields: Message, options: _SendOptions) -> Message:
        message = self.state.post(chat, self.state.bot_sender, {**fields, **options.fields})
        if options.keyboard is not None:
            self.state.set_reply_keyboard(chat, options.keyboard)
        return message

    def _reply_target(self, chat: Chat, params: Params) -> Message | None:
        """The message replied to (reply_parameters or legacy reply_to_message_id)."""
        reply = params.json("reply_parameters")
        if reply is None:
            reply = {
                "message_id": params.integer("reply_to_message_id"),
                "allow_sending_without_reply": params.flag("allow_sending_without_reply"),
            }
        if not isinstance(reply, dict):
            raise bad_request("can't parse reply parameters JSON object")
        message_id = Params(reply).integer("message_id")
        if message_id is None:
            return None
        stored = chat.messages.get(message_id)
        if stored is None:
            if reply.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        target = copy.deepcopy(stored.data)
        target.pop("reply_to_message", None)
        return target

    # --- editing ------------------------------------------------------------------------------

    def _editable(self, params: Params) -> tuple[Chat, StoredMessage]:
        if params.has("inline_message_id"):
            raise bad_request("message to edit not found")
        chat = self.state.writable_chat(params.chat_id())
        stored = chat.messages.get(params.require_int("message_id"))
        if stored is None:
            raise bad_request("message to edit not found")
        if stored.data["from"]["id"] != self.state.bot_user["id"]:
            raise bad_request("message can't be edited")
        return chat, stored

    def _apply_edit(self, chat: Chat, stored: StoredMessage, changes: dict[str, Any]) -> Message:
        """Edit, unless nothing would change (Telegram's "message is not modified")."""
        if all(stored.data.get(key) == value for key, value in changes.items()):
            raise bad_request(NOT_MODIFIED)
        return self.state.edit(chat, stored.data["message_id"], changes)

    async def edit_message_text(self, params: Params) -> Message:
        chat, stored = self._editable(params)
        if "text" not in stored.data:
            raise bad_request("there is no text in the message to edit")
        text, entities = content.message_text(params)
        changes: dict[str, Any] = {
            "text": text,
            "entities": entities or None,
            "reply_markup": content.reply_markup(params).inline,
        }
        if params.has("link_preview_options"):
            changes["link_preview_options"] = params.json("link_preview_options")
        return self._apply_edit(chat, stored, changes)

    async def edit_message_caption(self, params: Params) -> Message:
        chat, stored = self._editable(params)
        if "text" in stored.data:
            raise bad_request("there is no caption in the message to edit")
        caption = content.caption(params)
        changes = {
            "caption": caption.get("caption"),
            "caption_entities": caption.get("caption_entities"),
            "reply_markup": content.reply_markup(params).inline,
        }
        return self._apply_edit(chat, stored, changes)

    async def edit_message_reply_markup(self, params: Params) -> Message:
        chat, stored = self._editable(params)
        return self._apply_edit(chat, stored, {"reply_markup": content.reply_markup(params).inline})

    async def delete_message(self, params: Params) -> bool:
        chat = self.state.chat(params.chat_id())
        message_id = params.require_int("message_id")
        if message_id not in chat.messages:
            raise bad_request("message to delete not found")
        self.state.delete(chat, message_id)
        return True

    # --- callback queries, files, commands, chats ---------------------------------------------

    async def answer_callback_query(self, params: Params) -> bool:
        answer: dict[str, Any] = {"show_alert": params.flag("show_alert")}
        for key in ("text", "url"):
            value = params.text(key)
            if value:
                answer[key] = value
        self.state.answer_callback_query(params.text("callback_query_id") or "", answer)
        return True

    async def get_file(self, params: Params) -> dict[str, Any]:
        stored = self.state.files.get(params.text("file_id") or "")
        if stored is None:
            raise bad_request("wrong file_id or the file is temporarily unavailable")
        if len(stored.data) > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return stored.as_file()

    async def set_my_commands(self, params: Params) -> bool:
        commands = params.json("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        normalized: list[dict[str, str]] = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            name = str(command.get("command", ""))
            description = str(command.get("description", ""))
            if not _COMMAND.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            normalized.append({"command": name, "description": description})
        key = _commands_key(params)
        if normalized:
            self.state.commands[key] = normalized
        else:
            self.state.commands.pop(key, None)
        return True

    async def get_my_commands(self, params: Params) -> list[dict[str, str]]:
        key = _commands_key(params)
        return copy.deepcopy(self.state.commands.get(key, []))

    async def delete_my_commands(self, params: Params) -> bool:
        key = _commands_key(params)
        self.state.commands.pop(key, None)
        return True

    async def send_chat_action(self, params: Params) -> bool:
        chat = self.state.writable_chat(params.chat_id())
        action = params.text("action") or ""
        if action not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.state.chat_action(chat, action)
        return True

    async def get_chat(self, params: Params) -> dict[str, Any]:
        chat = self.state.chat(params.chat_id())
        return {
            **chat.info(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    async def set_chat_menu_button(self, params: Params) -> bool:
        chat_id = params.chat_id()
        if chat_id is not None:
            self.state.chat(chat_id)
        button = params.json("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or "type" not in button:
            raise bad_request("can't parse menu button JSON object")
        self.state.menu_buttons[chat_id] = button
        return True

    async def get_chat_menu_button(self, params: Params) -> dict[str, Any]:
        buttons = self.state.menu_buttons
        button = buttons.get(params.chat_id()) or buttons.get(None) or {"type": "commands"}
        return copy.deepcopy(button)
