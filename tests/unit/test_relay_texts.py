"""The texts of offers and relays, built apart from the handlers: what a person typed is escaped,
and lengths are counted as Telegram counts them."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from bot.i18n import translator
from handlers.offers import offer_text
from handlers.relay import label, utf16_length, visible_length
from storage.models import Kind, Request, RequestState
from tests.support import offered_request

NOW = datetime(2026, 11, 27, 21, 0, tzinfo=UTC)


def request(**changes: Any) -> Request:
    return dataclasses.replace(offered_request(NOW), **changes)


def test_an_offer_escapes_the_familys_words_and_name() -> None:
    text = offer_text(translator("sv"), request(), NOW)
    assert "Ek &amp; &lt;Söner&gt;" in text
    assert text.endswith("Han är &lt;3 år &amp; sover &lt;b&gt;inte&lt;/b&gt;")
    assert "<b>inte</b>" not in text


def test_an_offer_to_take_over_says_so_and_a_picture_is_named_not_quoted() -> None:
    t = translator("en")
    taking_over = offer_text(t, request(state=RequestState.ACCEPTED, urgent=True), NOW)
    assert taking_over.startswith("⚠️ URGENT") and "Accept to take the conversation over" in (
        taking_over
    )
    photo = offer_text(t, request(first_kind=Kind.PHOTO, preview=None), NOW)
    assert "Han är" not in photo


def test_labels_escape_the_name_and_count_what_telegram_shows() -> None:
    t = translator("sv")
    plain, urgent = label(t, request()), label(t, request(), urgent=True)
    assert plain == "💬 #12 Ek &amp; &lt;Söner&gt;"
    assert urgent == "⚠️ 💬 #12 Ek &amp; &lt;Söner&gt;"
    assert visible_length(plain) == utf16_length("💬 #12 Ek & <Söner>") == 19  # 💬 counts twice
    assert visible_length("<b>a</b> &amp; b") == 5
