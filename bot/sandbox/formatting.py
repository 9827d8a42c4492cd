"""Telegram's text formatting: HTML and MarkdownV2 to plain text plus entities.

The parsers follow TDLib's (``parse_html`` / ``parse_markdown_v2``) rules and error texts, so a
message the bot formats wrongly fails here the way it would fail in production. Entity offsets
and lengths are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

Entity = dict[str, Any]

_SPACES = " \t\r\n\f\v"
_HTML_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
        "tg-spoiler", "code", "pre", "blockquote", "tg-emoji",
    }
)  # fmt: skip
_HTML_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"
_COMMAND = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w@])")


class EntityParseError(ValueError):
    """The text cannot be parsed; the message is TDLib's (after "can't parse entities: ")."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Bot API lengths and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def sort_entities(entities: list[Entity]) -> list[Entity]:
    """Telegram's order: by offset, outer (longer) entities first."""
    return sorted(entities, key=lambda e: (int(e["offset"]), -int(e["length"])))


def command_entities(text: str) -> list[Entity]:
    """``bot_command`` entities, which Telegram adds to commands in users' texts."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": len(m[0])}
        for m in _COMMAND.finditer(text)
    ]


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


class _Output:
    """The plain text being built, with its running UTF-16 length."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.chars = 0
        self.utf16 = 0
        self.entities: list[Entity] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.chars += len(text)
        self.utf16 += utf16_len(text)

    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int
    text_start: int
    attributes: dict[str, str] = field(default_factory=dict)


def _decode_html_entity(src: str, i: int) -> tuple[str, int] | None:
    """Decode ``&...;`` at ``src[i]``: (character, length consumed), or None to keep the '&'."""
    end = src.find(";", i + 1, i + 12)
    if end == -1:
        return None
    body = src[i + 1 : end]
    if body in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[body], end - i + 1
    try:
        if body[:2] in ("#x", "#X"):
            code = int(body[2:], 16)
        elif body[:1] == "#" and body[1:].isdigit():
            code = int(body[1:])
        else:
            return None
    except ValueError:
        return None
    if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), end - i + 1


def parse_html(src: str) -> tuple[str, list[Entity]]:
    """Parse Telegram HTML into (text, entities); raise :class:`EntityParseError` if invalid."""
    out = _Output()
    stack: list[_OpenTag] = []
    code_languages: dict[int, str] = {}
    n = len(src)
    i = 0
    while i < n:
        c = src[i]
        if c == "&":
            decoded = _decode_html_entity(src, i)
            if decoded is None:
                out.add("&")
                i += 1
            else:
                out.add(decoded[0])
                i += decoded[1]
            continue
        if c != "<":
            j = i
            while j < n and src[j] not in "<&":
                j += 1
            out.add(src[i:j])
            i = j
            continue
        begin = i
        if i + 1 < n and src[i + 1] == "/":
            i = _close_tag(src, begin, stack, out, code_languages)
        else:
            tag, i = _open_tag(src, begin)
            tag.offset = out.utf16
            tag.text_start = out.chars
            stack.append(tag)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return out.text(), sort_entities(out.entities)


def _open_tag(src: str, begin: int) -> tuple[_OpenTag, int]:
    """Parse a start tag at ``src[begin] == '<'``; returns the tag and the index after '>'."""
    n = len(src)
    at = _byte_offset(src, begin)
    i = begin + 1
    while i < n and src[i] not in _SPACES and src[i] != ">":
        i += 1
    if i >= n:
        raise EntityParseError(f"Unclosed start tag at byte offset {at}")
    name = src[begin + 1 : i].lower()
    if name not in _HTML_TAGS:
        raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {at}')
    attributes: dict[str, str] = {}
    while True:
        while i < n and src[i] in _SPACES:
            i += 1
        if i >= n:
            raise EntityParseError(f'Unclosed start tag "{name}" at byte offset {at}')
        if src[i] == ">":
            break
        attr_begin = i
        while i < n and src[i] not in _SPACES and src[i] not in "=>":
            i += 1
        attr = src[attr_begin:i].lower()
        if not attr:
            raise EntityParseError(f'Empty attribute name in the tag "{name}" at byte offset {at}')
        while i < n and src[i] in _SPACES:
            i += 1
        if name == "blockquote" and attr == "expandable" and (i >= n or src[i] != "="):
            attributes[attr] = ""
            continue
        if i >= n or src[i] != "=":
            raise EntityParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{name}" at byte offset {at}'
            )
        i += 1
        while i < n and src[i] in _SPACES:
            i += 1
        if i >= n:
            raise EntityParseError(f'Unclosed start tag "{name}" at byte offset {at}')
        value, i = _attribute_value(src, i)
        attributes[attr] = value
    return _OpenTag(name, _tag_argument(name, attributes, at), 0, 0, attributes), i + 1


def _attribute_value(src: str, i: int) -> tuple[str, int]:
    """A quoted string (entities decoded) or an unquoted name token (lowercased)."""
    n = len(src)
    quote = src[i]
    if quote not in "'\"":
        start = i
        while i < n and (src[i].isalnum() or src[i] in ".-"):
            i += 1
        if i < n and src[i] not in _SPACES and src[i] != ">":
            raise EntityParseError(
                f"Unexpected end of name token at byte offset {_byte_offset(src, start)}"
            )
        return src[start:i].lower(), i
    i += 1
    value: list[str] = []
    while i < n and src[i] != quote:
        decoded = _decode_html_entity(src, i) if src[i] == "&" else None
        if decoded is None:
            value.append(src[i])
            i += 1
        else:
            value.append(decoded[0])
            i += decoded[1]
    return "".join(value), i + 1


def _tag_argument(name: str, attributes: dict[str, str], at: int) -> str:
    if name == "a":
        return attributes.get("href", "")
    if name == "code":
        css = attributes.get("class", "")
        return css.removeprefix("language-") if css.startswith("language-") else ""
    if name == "span":
        if attributes.get("class") != "tg-spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
        return "spoiler"
    if name == "tg-emoji":
        return attributes.get("emoji-id", "")
    if name == "blockquote" and "expandable" in attributes:
        return "expandable"
    return ""


def _close_tag(
    src: str, begin: int, stack: list[_OpenTag], out: _Output, code_languages: dict[int, str]
) -> int:
    """Parse an end tag at ``src[begin:begin+2] == '</'``, emit its entity; index after '>'."""
    n = len(src)
    at = _byte_offset(src, begin)
    if not stack:
        raise EntityParseError(f"Unexpected end tag at byte offset {at}")
    i = begin + 2
    while i < n and src[i] not in _SPACES and src[i] != ">":
        i += 1
    end_name = src[begin + 2 : i].lower()
    while i < n and src[i] in _SPACES:
        i += 1
    if i >= n or src[i] != ">":
        raise EntityParseError(f"Unclosed end tag at byte offset {at}")
    tag = stack.pop()
    if end_name and end_name != tag.name:
        raise EntityParseError(
            f'Unmatched end tag at byte offset {at}, expected "</{tag.name}>", '
            f'found "</{end_name}>"'
        )
    length = out.utf16 - tag.offset
    if length > 0:
        _emit_html_entity(tag, length, out, code_languages)
    return i + 1


def _emit_html_entity(
    tag: _OpenTag, length: int, out: _Output, code_languages: dict[int, str]
) -> None:
    entity: Entity = {"offset": tag.offset, "length": length}
    entities = out.entities
    if tag.name in _HTML_SIMPLE:
        entity["type"] = _HTML_SIMPLE[tag.name]
    elif tag.name == "a":
        url = tag.argument or out.text()[tag.text_start :]
        if not url:
            return
        entity.update(type="text_link", url=url)
    elif tag.name == "code":
        entity["type"] = "code"
        if tag.argument:
            code_languages[len(entities)] = tag.argument
    elif tag.name == "pre":
        last = len(entities) - 1
        if (
            last in code_languages
            and entities[last]["offset"] == tag.offset
            and entities[last]["length"] == length
        ):
            entities[last] = {**entity, "type": "pre", "language": code_languages.pop(last)}
            return
        entity["type"] = "pre"
    elif tag.name == "blockquote":
        entity["type"] = "expandable_blockquote" if tag.argument else "blockquote"
    else:  # tg-emoji
        if not tag.argument:
            return
        entity.update(type="custom_emoji", custom_emoji_id=tag.argument)
    entities.append(entity)


# --- MarkdownV2 -------------------------------------------------------------------------------

_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "pre_code": "PreCode",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


@dataclass
class _OpenMark:
    kind: str
    argument: str
    offset: int
    text_start: int
    byte_offset: int


def _reserved_error(char: str) -> EntityParseError:
    return EntityParseError(
        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    )


def parse_markdown_v2(src: str) -> tuple[str, list[Entity]]:
    """Parse MarkdownV2 into (text, entities); raise :class:`EntityParseError` if invalid.

    Supports bold, italic, underline, strikethrough, spoiler, code, pre (with language),
    inline links and custom emoji; ``>`` block quotes are not supported (rejected as reserved).
    """
    out = _Output()
    stack: list[_OpenMark] = []
    n = len(src)

    def at(k: int) -> str:
        return src[k] if k < n else ""

    i = 0
    while i < n:
        c = src[i]
        if c == "\\" and at(i + 1) and 0 < ord(at(i + 1)) <= 126:
            out.add(src[i + 1])
            i += 2
            continue
        top = stack[-1].kind if stack else None
        reserved = "`" if top in ("code", "pre", "pre_code") else _MDV2_RESERVED
        if c not in reserved:
            out.add(c)
            i += 1
            continue
        if top is not None and _ends_mark(top, c, at(i + 1), at(i + 2)):
            i = _close_mark(src, i, stack.pop(), out)
            continue
        begin = i
        argument = ""
        if c == "_" and at(i + 1) == "_":
            kind, i = "underline", i + 2
        elif c in "_*~":
            kind, i = {"_": "italic", "*": "bold", "~": "strikethrough"}[c], i + 1
        elif c == "|" and at(i + 1) == "|":
            kind, i = "spoiler", i + 2
        elif c == "[":
            kind, i = "text_link", i + 1
        elif c == "!" and at(i + 1) == "[":
            kind, i = "custom_emoji", i + 2
        elif c == "`" and at(i + 1) == "`" and at(i + 2) == "`":
            kind, i = "pre", i + 3
            end = i
            while end < n and src[end] not in _SPACES and src[end] != "`":
                end += 1
            if end != i and end < n and src[end] != "`":
                kind, argument, i = "pre_code", src[i:end], end
            if at(i) in "\r\n" and at(i):
                i += 2 if at(i + 1) in "\r\n" and at(i + 1) and at(i + 1) != at(i) else 1
        elif c == "`":
            kind, i = "code", i + 1
        else:
            raise _reserved_error(c)
        stack.append(_OpenMark(kind, argument, out.utf16, out.chars, _byte_offset(src, begin)))
    if stack:
        mark = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_MDV2_NAMES[mark.kind]} entity at byte offset {mark.byte_offset}"
        )
    return out.text(), sort_entities(out.entities)


def _ends_mark(kind: str, c: str, next1: str, next2: str) -> bool:
    """Whether ``c`` (followed by ``next1``, ``next2``) closes the innermost open mark."""
    if kind == "bold":
        return c == "*"
    if kind == "italic":
        return c == "_" and next1 != "_"
    if kind == "underline":
        return c == "_" and next1 == "_"
    if kind == "strikethrough":
        return c == "~"
    if kind == "spoiler":
        return c == "|" and next1 == "|"
    if kind == "code":
        return c == "`"
    if kind in ("pre", "pre_code"):
        return c == "`" and next1 == "`" and next2 == "`"
    return c == "]"  # text_link, custom_emoji


def _close_mark(src: str, i: int, mark: _OpenMark, out: _Output) -> int:
    """Emit the entity closed at ``src[i]``; returns the index after the closing mark."""
    entity: Entity = {"offset": mark.offset, "length": out.utf16 - mark.offset}
    if mark.kind in ("underline", "spoiler"):
        i += 2
    elif mark.kind in ("pre", "pre_code"):
        i += 3
    elif mark.kind in ("text_link", "custom_emoji"):
        url, i = _link_target(src, i, mark, out)
        if mark.kind == "custom_emoji":
            entity.update(type="custom_emoji", custom_emoji_id=url.rpartition("id=")[2])
        else:
            entity.update(type="text_link", url=url)
        if not url:
            return i
    else:
        i += 1
    if "type" not in entity:
        entity["type"] = "pre" if mark.kind == "pre_code" else mark.kind
        if mark.kind == "pre_code":
            entity["language"] = mark.argument
    if entity["length"] > 0:
        out.entities.append(entity)
    return i


def _link_target(src: str, i: int, mark: _OpenMark, out: _Output) -> tuple[str, int]:
    """Read ``(url)`` after the ``]`` at ``src[i]``; without one the link text is the URL."""
    n = len(src)
    if i + 1 >= n or src[i + 1] != "(":
        return out.text()[mark.text_start :], i + 1
    i += 2
    url_begin = i
    url: list[str] = []
    while i < n and src[i] != ")":
        if src[i] == "\\" and i + 1 < n and 0 < ord(src[i + 1]) <= 126:
            url.append(src[i + 1])
            i += 2
            continue
        url.append(src[i])
        i += 1
    if i >= n:
        raise EntityParseError(
            f"Can't find end of a URL at byte offset {_byte_offset(src, url_begin)}"
        )
    return "".join(url), i + 1
