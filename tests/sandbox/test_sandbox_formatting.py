"""HTML and MarkdownV2 parsing: plain text, UTF-16 entity offsets and Telegram's errors."""

from __future__ import annotations

import pytest

from bot.sandbox.formatting import (
    EntityParseError,
    command_entities,
    parse_html,
    parse_markdown_v2,
    utf16_len,
)


def test_utf16_length_counts_surrogate_pairs() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("👋") == 2
    assert utf16_len("åäö") == 3


def test_html_tags_become_entities() -> None:
    text, entities = parse_html(
        "<b>bold</b> <i>it</i> <u>u</u> <s>s</s> <tg-spoiler>x</tg-spoiler> "
        '<span class="tg-spoiler">y</span> <a href="https://e.org">link</a> <code>c</code>'
    )
    assert text == "bold it u s x y link c"
    assert [(e["type"], e["offset"], e["length"]) for e in entities] == [
        ("bold", 0, 4),
        ("italic", 5, 2),
        ("underline", 8, 1),
        ("strikethrough", 10, 1),
        ("spoiler", 12, 1),
        ("spoiler", 14, 1),
        ("text_link", 16, 4),
        ("code", 21, 1),
    ]
    assert entities[6]["url"] == "https://e.org"


def test_html_synonyms_nesting_and_html_entities() -> None:
    text, entities = parse_html("<strong>a <em>&lt;b&gt; &amp; &quot;</em></strong>&#33;")
    assert text == 'a <b> & "!'
    assert entities == [
        {"offset": 0, "length": 9, "type": "bold"},
        {"offset": 2, "length": 7, "type": "italic"},
    ]


def test_html_offsets_are_utf16() -> None:
    text, entities = parse_html("👋 <b>Hej</b>")
    assert text == "👋 Hej"
    assert entities == [{"offset": 3, "length": 3, "type": "bold"}]


def test_html_pre_with_code_language_and_blockquote() -> None:
    text, entities = parse_html(
        '<pre><code class="language-python">x = 1</code></pre><blockquote>q</blockquote>'
    )
    assert text == "x = 1q"
    assert entities == [
        {"offset": 0, "length": 5, "type": "pre", "language": "python"},
        {"offset": 5, "length": 1, "type": "blockquote"},
    ]


def test_html_unknown_characters_stay_literal() -> None:
    assert parse_html("a & b &nbsp; c") == ("a & b &nbsp; c", [])


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("<x>hi</x>", 'Unsupported start tag "x" at byte offset 0'),
        ("<b>hi", 'Can\'t find end tag corresponding to start tag "b"'),
        ("hi</b>", "Unexpected end tag at byte offset 2"),
        ("<b>hi</i>", 'Unmatched end tag at byte offset 5, expected "</b>", found "</i>"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("a <b", "Unclosed start tag at byte offset 2"),
        ("ö <3 >", 'Unsupported start tag "3" at byte offset 3'),
    ],
)
def test_html_errors(source: str, error: str) -> None:
    with pytest.raises(EntityParseError) as raised:
        parse_html(source)
    assert str(raised.value) == error


def test_markdown_v2_marks() -> None:
    text, entities = parse_markdown_v2(
        "*b* _i_ __u__ ~s~ ||sp|| `c` [l](https://e.org/a\\)b) \\. \\!"
    )
    assert text == "b i u s sp c l . !"
    types = [(e["type"], e["offset"], e["length"]) for e in entities]
    assert types == [
        ("bold", 0, 1),
        ("italic", 2, 1),
        ("underline", 4, 1),
        ("strikethrough", 6, 1),
        ("spoiler", 8, 2),
        ("code", 11, 1),
        ("text_link", 13, 1),
    ]
    assert entities[-1]["url"] == "https://e.org/a)b"


def test_markdown_v2_nesting_and_pre_language() -> None:
    text, entities = parse_markdown_v2("*bold _both_*\n```python\nprint(1)\n```")
    assert text == "bold both\nprint(1)\n"
    assert entities == [
        {"offset": 0, "length": 9, "type": "bold"},
        {"offset": 5, "length": 4, "type": "italic"},
        {"offset": 10, "length": 9, "type": "pre", "language": "python"},
    ]


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("Hello.", "Character '.' is reserved and must be escaped with the preceding '\\'"),
        ("1-2", "Character '-' is reserved and must be escaped with the preceding '\\'"),
        ("a *bold", "Can't find end of Bold entity at byte offset 2"),
        ("[x](http://e.org", "Can't find end of a URL at byte offset 4"),
    ],
)
def test_markdown_v2_errors(source: str, error: str) -> None:
    with pytest.raises(EntityParseError) as raised:
        parse_markdown_v2(source)
    assert str(raised.value) == error


def test_command_entities() -> None:
    assert command_entities("/start abc") == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert command_entities("/start@mentorbot_sandbox_bot x") == [
        {"type": "bot_command", "offset": 0, "length": 28}
    ]
    assert command_entities("see https://e.org/x") == []
    assert command_entities("👋 /help") == [{"type": "bot_command", "offset": 3, "length": 5}]
