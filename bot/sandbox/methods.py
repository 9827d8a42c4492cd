"""The Bot API methods the double implements, each validated as Telegram validates it."""

from __future__ import annotations

import collections
import copy
import itertools
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from . import content
from .errors import NOT_MODIFIED, ApiError, bad_request, conflict, too_large
from .files import (
    MAX_DOWNLOAD,
    MAX_FILE_UPLOAD,
    MAX_PHOTO_UPLOAD,
    FileKind,
    MediaDetails,
    StoredFile,
)
from .formatting import utf16_len
from .params import Params, Upload
from .state import (
    Chat,
    Conversation,
    GroupChat,
    Message,
    SandboxState,
    StoredMessage,
    commands_key,
)
from .webhook import WebhookDelivery

Handler = Callable[[Params], Awaitable[Any]]

WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
WRONG_FILE = "wrong file identifier/HTTP URL specified"
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
# setWebhook's secret_token, as Telegram checks it; empty: no secret.
MAX_SECRET_TOKEN = 256
_SECRET_TOKEN_CHARACTERS = re.compile(r"[A-Za-z0-9_-]*")
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
MAX_COPIED_MESSAGES = 100
ProfileField = Literal["description", "short_description"]
# What Telegram shows of a bot before a chat starts, and the most characters of each.
PROFILE_LIMITS: dict[ProfileField, int] = {"description": 512, "short_description": 120}
_LANGUAGE_CODE = re.compile(r"[a-z]{2}")
# A bot may delete a message for 48 hours after it was sent, and never after.
DELETABLE_FOR_SECONDS = 48 * 3600


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


def _upload_limit(kind: FileKind) -> int:
    return MAX_PHOTO_UPLOAD if kind == "photo" else MAX_FILE_UPLOAD


def _details(params: Params) -> MediaDetails:
    """What a sending method (or an InputMedia object) says about its file."""
    return MediaDetails(
        duration=params.integer("duration") or 0,
        width=params.integer("width") or 0,
        height=params.integer("height") or 0,
        performer=params.text("performer"),
        title=params.text("title"),
    )


def _original_sender(message: Message) -> int | None:
    """Who first wrote a message: its author, or for a forward the one it came from (None if
    the forward hides them)."""
    origin = message.get("forward_origin")
    if origin:
        author = origin.get("sender_user") or origin.get("chat") or origin.get("sender_chat")
    else:
        author = message.get("from") or message.get("sender_chat")
    return int(author["id"]) if author else None


def _forward_origin(original: Message) -> dict[str, Any]:
    """The MessageOrigin of a forward: a person's message, or a channel's post."""
    if "from" in original:
        return {"type": "user", "sender_user": original["from"], "date": original["date"]}
    return {
        "type": "channel",
        "chat": original["chat"],
        "message_id": original["message_id"],
        "date": original["date"],
    }


def _check_deletable(chat: Conversation, stored: StoredMessage) -> None:
    """Telegram's rules for a bot: nothing older than 48 hours; in a private chat anything
    younger, in a group only its own messages unless it is an administrator there."""
    if time.time() - stored.data["date"] >= DELETABLE_FOR_SECONDS:
        raise bad_request("message can't be deleted for everyone")
    if isinstance(chat, GroupChat) and not stored.by_bot and chat.bot_status != "administrator":
        raise bad_request("message can't be deleted")


def _message_ids(params: Params) -> list[int]:
    """copyMessages' ``message_ids``, read as Telegram reads them."""
    ids = params.json("message_ids")
    if ids is None or ids == []:
        raise bad_request("message identifiers are not specified")
    if not isinstance(ids, list):
        raise bad_request("expected an Array of message identifiers")
    if len(ids) > MAX_COPIED_MESSAGES:
        raise bad_request("too many message identifiers specified")
    numbers = []
    for value in ids:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise bad_request("message identifier must be a Number")
        try:
            number = int(value)
        except ValueError:
            raise bad_request("can't parse message identifier as a Number") from None
        if number <= 0:
            raise bad_request("invalid message identifier specified")
        numbers.append(number)
    return numbers


def _commands_key(params: Params) -> tuple[str, str]:
    scope = params.json("scope")
    if scope is not None and (not isinstance(scope, dict) or "type" not in scope):
        raise bad_request("can't parse BotCommandScope JSON object")
    return commands_key(scope, params.text("language_code") or "")


def _profile_language(params: Params) -> str:
    """The profile methods' language_code: two lowercase letters (ISO 639-1) or none."""
    code = params.text("language_code") or ""
    if code and not _LANGUAGE_CODE.fullmatch(code):
        raise bad_request("invalid language code specified")
    return code


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
            Method("copyMessages", self.copy_messages, rate_limited=True),
            Method("forwardMessage", self.forward_message, rate_limited=True),
            Method("sendPhoto", self.send_photo, rate_limited=True),
            Method("sendDocument", self.send_document, rate_limited=True),
            Method("sendVoice", self.send_voice, rate_limited=True),
            Method("sendMediaGroup", self.send_media_group, rate_limited=True),
            Method("editMessageText", self.edit_message_text, rate_limited=True),
            Method("editMessageCaption", self.edit_message_caption, rate_limited=True),
            Method("editMessageReplyMarkup", self.edit_message_reply_markup, rate_limited=True),
            Method("deleteMessage", self.delete_message),
            Method("deleteMessages", self.delete_messages),
            Method("answerCallbackQuery", self.answer_callback_query),
            Method("getFile", self.get_file),
            Method("setMyCommands", self.set_my_commands),
            Method("getMyCommands", self.get_my_commands),
            Method("deleteMyCommands", self.delete_my_commands),
            Method("setMyDescription", self.profile_setter("description")),
            Method("getMyDescription", self.profile_getter("description")),
            Method("setMyShortDescription", self.profile_setter("short_description")),
            Method("getMyShortDescription", self.profile_getter("short_description")),
            Method("sendChatAction", self.send_chat_action),
            Method("getChat", self.get_chat),
            Method("leaveChat", self.leave_chat),
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
            # Telegram requires HTTPS. Plain HTTP is accepted: the double stands in for the
            # TLS-terminating proxy too, in front of a bot that listens on loopback.
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret_token = params.text("secret_token") or ""
        if url and len(secret_token) > MAX_SECRET_TOKEN:
            raise bad_request("secret token is too long")
        if url and not _SECRET_TOKEN_CHARACTERS.fullmatch(secret_token):
            raise bad_request("secret token contains unallowed characters")
        self._set_allowed_updates(params)
        if params.flag("drop_pending_updates"):
            self.state.updates.drop_pending()
        if not url:
            await self.webhook.delete()
            return True
        self.webhook.set(url, secret_token or None, params.integer("max_connections") or 40)
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
        missing = bad_request(f"there is no {name} in the request")
        # Last: it stores an upload.
        stored = self._input_file(params.file(name), kind, missing, _details(params))
        return self._post_from_bot(chat, {**stored.media(), **caption}, options)

    def _input_file(
        self,
        value: Upload | str | None,
        kind: FileKind,
        missing: ApiError,
        details: MediaDetails,
    ) -> StoredFile:
        """The file sent: a fresh upload or a known file_id (no URLs offline)."""
        if value is None or value == "":
            raise missing
        if isinstance(value, Upload):
            if not value.data:
                raise bad_request("file must be non-empty")
            if len(value.data) > _upload_limit(kind):
                raise too_large()
            return self.state.files.add(
                kind,
                value.data,
                file_name=value.filename,
                mime_type=value.content_type,
                details=details,
            )
        stored = self.state.files.get(value)
        if stored is None:
            raise bad_request(WRONG_FILE)
        if stored.kind != kind:
            raise bad_request(
                f"type of file mismatch: can't use file of type {stored.kind} as {kind}"
            )
        return stored

    async def send_media_group(self, params: Params) -> list[Message]:
        chat = self.state.writable_chat(params.chat_id())
        items = self._album(params)
        options = self._send_options(chat, params, markup=False)  # albums take no reply markup
        not_found = bad_request("can't parse InputMedia: media not found")
        contents = []
        for kind, item, fields in items:  # last: it stores uploads
            media = params.attachment(item.text("media"))
            stored = self._input_file(media, kind, not_found, _details(item))
            contents.append({**stored.media(), **fields})
        if len(contents) > 1:  # an "album" of one is sent as a lone message, as Telegram does
            group_id = self.state.new_media_group_id()
            for fields in contents:
                fields["media_group_id"] = group_id
        return [self._post_from_bot(chat, fields, options) for fields in contents]

    def _album(self, params: Params) -> list[tuple[FileKind, Params, Message]]:
        """sendMediaGroup's ``media``, checked as Telegram checks an album."""
        album = params.json("media")
        if not isinstance(album, list):
            raise bad_request("expected an Array of InputMedia")
        items = [self._album_item(item) for item in album]
        if not items:
            raise bad_request("there are no messages to send")
        if len(items) > content.MAX_ALBUM_ITEMS:
            raise bad_request("too many messages to send as an album")
        mixed = content.unmixable([kind for kind, _, _ in items])
        if mixed is not None:
            raise bad_request(f"{mixed} can't be mixed with other media types")
        if len({"show_caption_above_media" in fields for _, _, fields in items}) > 1:
            raise bad_request(
                "parameter show_caption_above_media must be the same for all messages"
            )
        return items

    def _album_item(self, item: Any) -> tuple[FileKind, Params, Message]:
        """One InputMedia of sendMediaGroup: its kind, its parameters and its caption fields."""
        if not isinstance(item, dict):
            raise bad_request("can't parse InputMedia: expected an Object")
        fields = Params(item)
        caption = content.caption(fields)
        name = fields.text("type")
        if name is None:
            raise bad_request("can't parse InputMedia: Can't find field \"type\"")
        kind = content.ALBUM_KINDS.get(name)
        if kind is None:
            problem = "can't be used in sendMediaGroup" if name == "animation" else "is unsupported"
            raise bad_request(f'can\'t parse InputMedia: type "{name}" {problem}')
        if fields.flag("show_caption_above_media"):
            caption["show_caption_above_media"] = True
        if fields.flag("has_spoiler") and kind in ("photo", "video"):
            caption["has_media_spoiler"] = True
        return kind, fields, caption

    async def copy_message(self, params: Params) -> dict[str, int]:
        chat = self.state.writable_chat(params.chat_id())
        original = self._source_message(params, "message to copy not found")
        fields = self._copied_content(original)
        if fields is None:
            raise bad_request("message can't be copied")
        if params.has("caption") and content.content_kind(fields) in content.CAPTIONED_KINDS:
            fields.pop("caption", None)
            fields.pop("caption_entities", None)
            fields.update(content.caption(params))
        options = self._send_options(chat, params)
        message = self._post_from_bot(chat, fields, options)
        return {"message_id": message["message_id"]}

    async def copy_messages(self, params: Params) -> list[dict[str, int]]:
        chat = self.state.writable_chat(params.chat_id())
        message_ids = _message_ids(params)
        source = self.state.member_chat(params.integer("from_chat_id"), reading=True)
        # As Telegram does: messages that are gone are skipped, the rest must be in order.
        found = [source.messages[i].data for i in message_ids if i in source.messages]
        if not found:
            raise bad_request("there are no messages to forward")
        if any(a["message_id"] >= b["message_id"] for a, b in itertools.pairwise(found)):
            raise bad_request("message identifiers must be in a strictly increasing order")
        originals = [original for original in found if content.content_kind(original)]
        if not originals:
            raise bad_request("messages can't be forwarded")
        options = self._send_options(chat, params, markup=False, replies=False)
        group_ids = self._copied_album_ids(originals)
        copied = []
        for original, group_id in zip(originals, group_ids, strict=True):
            fields = self._copied_content(original) or {}
            if params.flag("remove_caption"):
                fields.pop("caption", None)
                fields.pop("caption_entities", None)
            if group_id is not None:
                fields["media_group_id"] = group_id
            copied.append({"message_id": self._post_from_bot(chat, fields, options)["message_id"]})
        return copied

    def _copied_content(self, original: Message) -> Message | None:
        """What a copy of ``original`` consists of (None for a service message): a copied poll
        is a new poll, with votes of its own."""
        if content.content_kind(original) is None:
            return None
        fields = copy.deepcopy(
            {key: original[key] for key in content.CONTENT_FIELDS if key in original}
        )
        if "poll" in fields:
            poll = fields["poll"]
            poll.update(id=self.state.new_poll_id(), total_voter_count=0)
            for option in poll["options"]:
                option["voter_count"] = 0
        return fields

    def _copied_album_ids(self, originals: list[Message]) -> list[str | None]:
        """The media_group_id of each copy, grouped as Telegram groups copies: messages of one
        album copied together make a new album (a lone one is no album), and 2-10 documents
        (or audio files) of one sender are put together into one."""
        kinds = {content.content_kind(original) for original in originals}
        senders = {_original_sender(original) for original in originals}
        if (
            2 <= len(originals) <= content.MAX_ALBUM_ITEMS
            and content.album_of_one_kind(kinds)
            and len(senders) == 1
            and None not in senders
        ):
            shared = self.state.new_media_group_id()
            return [shared] * len(originals)
        albums = collections.Counter(
            o["media_group_id"] for o in originals if "media_group_id" in o
        )
        new_ids = {album: self.state.new_media_group_id() for album, n in albums.items() if n > 1}
        return [new_ids.get(original.get("media_group_id")) for original in originals]

    async def forward_message(self, params: Params) -> Message:
        chat = self.state.writable_chat(params.chat_id())
        original = self._source_message(params, "message to forward not found")
        fields = {key: original[key] for key in content.CONTENT_FIELDS if key in original}
        if not content.content_kind(fields):
            raise bad_request("message can't be forwarded")
        fields["forward_origin"] = original.get("forward_origin") or _forward_origin(original)
        if params.flag("protect_content"):
            fields["has_protected_content"] = True
        return self.state.post(chat, self.state.bot_sender, copy.deepcopy(fields))

    def _source_message(self, params: Params, not_found: str) -> Message:
        source = self.state.member_chat(params.integer("from_chat_id"), reading=True)
        stored = source.messages.get(params.require_int("message_id"))
        if stored is None:
            raise bad_request(not_found)
        return stored.data

    def _send_options(
        self, chat: Conversation, params: Params, *, markup: bool = True, replies: bool = True
    ) -> _SendOptions:
        """Validate the options every sending method shares (before anything is stored).

        Albums take no reply markup, and copyMessages neither markup nor replies: Telegram
        ignores those parameters there.
        """
        keyboard = content.reply_markup(params) if markup else content.Markup()
        if (
            keyboard.keyboard is not None
            and not isinstance(chat, Chat)
            and content.requests_personal_data(keyboard.keyboard)
        ):
            raise bad_request("contact and location requests are for private chats only")
        fields: Message = {}
        reply_to = self._reply_target(chat, params) if replies else None
        if reply_to is not None:
            fields["reply_to_message"] = reply_to
        if keyboard.inline is not None:
            fields["reply_markup"] = keyboard.inline
        if params.flag("protect_content"):
            fields["has_protected_content"] = True
        return _SendOptions(fields, keyboard.keyboard)

    def _post_from_bot(self, chat: Conversation, fields: Message, options: _SendOptions) -> Message:
        message = self.state.post(chat, self.state.bot_sender, {**fields, **options.fields})
        if options.keyboard is not None:
            self.state.set_reply_keyboard(chat, options.keyboard)
        return message

    def _reply_target(self, chat: Conversation, params: Params) -> Message | None:
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

    def _editable(self, params: Params) -> tuple[Conversation, StoredMessage]:
        if params.has("inline_message_id"):
            raise bad_request("message to edit not found")
        chat = self.state.writable_chat(params.chat_id())
        stored = chat.messages.get(params.require_int("message_id"))
        if stored is None:
            raise bad_request("message to edit not found")
        if not stored.by_bot:
            raise bad_request("message can't be edited")
        return chat, stored

    def _apply_edit(
        self, chat: Conversation, stored: StoredMessage, changes: dict[str, Any]
    ) -> Message:
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
        if content.content_kind(stored.data) not in content.CAPTIONED_KINDS:
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
        chat = self.state.member_chat(params.chat_id())
        message_id = params.require_int("message_id")
        stored = chat.messages.get(message_id)
        if stored is None:
            raise bad_request("message to delete not found")
        _check_deletable(chat, stored)
        self.state.delete(chat, message_id)
        return True

    async def delete_messages(self, params: Params) -> bool:
        """Those not found are skipped, as Telegram does; one the bot may not delete refuses
        the call, and none is deleted."""
        chat = self.state.member_chat(params.chat_id())
        found = [i for i in _message_ids(params) if i in chat.messages]
        for message_id in found:
            _check_deletable(chat, chat.messages[message_id])
        for message_id in found:
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

    def profile_setter(self, field: ProfileField) -> Handler:
        """setMyDescription or setMyShortDescription: a text for one language (none: the
        default), within Telegram's limit; an empty one removes it."""

        async def set_text(params: Params) -> bool:
            text = params.text(field) or ""
            if utf16_len(text) > PROFILE_LIMITS[field]:
                raise bad_request(f"{field.replace('_', ' ')} is too long")
            key = (field, _profile_language(params))
            if text:
                self.state.profile[key] = text
            else:
                self.state.profile.pop(key, None)
            return True

        return set_text

    def profile_getter(self, field: ProfileField) -> Handler:
        """getMyDescription or getMyShortDescription: what was set for exactly that language."""

        async def get_text(params: Params) -> dict[str, str]:
            return {field: self.state.profile.get((field, _profile_language(params)), "")}

        return get_text

    async def send_chat_action(self, params: Params) -> bool:
        chat = self.state.writable_chat(params.chat_id())
        action = params.text("action") or ""
        if action not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.state.chat_action(chat, action)
        return True

    async def get_chat(self, params: Params) -> dict[str, Any]:
        chat = self.state.member_chat(params.chat_id(), reading=True)
        private = isinstance(chat, Chat)
        full: dict[str, Any] = {
            **chat.info(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                key: private
                for key in (
                    "unlimited_gifts",
                    "limited_gifts",
                    "unique_gifts",
                    "premium_subscription",
                    "gifts_from_channels",
                )
            },
        }
        if isinstance(chat, Chat):
            pinned = chat.messages.get(chat.pinned_message_id or 0)
            if pinned is not None:
                full["pinned_message"] = copy.deepcopy(pinned.data)
            if chat.message_auto_delete_time:
                full["message_auto_delete_time"] = chat.message_auto_delete_time
        return full

    async def leave_chat(self, params: Params) -> bool:
        chat = self.state.member_chat(params.chat_id(), reading=True)
        if not isinstance(chat, GroupChat):
            raise bad_request("can't leave private chats")
        if chat.bot_is_member:  # leaving a plain group once more succeeds, as on Telegram
            self.state.bot_left(chat)
        return True

    async def set_chat_menu_button(self, params: Params) -> bool:
        chat_id = params.chat_id()
        if chat_id is not None and chat_id <= 0:
            raise bad_request("invalid chat_id specified")  # menu buttons are for users only
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
