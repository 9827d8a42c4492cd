"""The one translation layer: gettext catalogues (`bot/locales/*.po`) read with Babel.

Message ids are stable keys ("invite.created"), not English sentences, so that every text a
user reads, English included, lives in a catalogue a translator can edit. Parameters are
HTML-escaped on the way in, because replies are sent as HTML and names are typed by users.
"""

from __future__ import annotations

import html
import io
from datetime import date, datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.config import LANGUAGES

LANGUAGE_NAMES = {"sv": "Svenska", "da": "Dansk", "en": "English"}


class Html(str):
    """A parameter that is already safe HTML (built from escaped parts) and must not be escaped."""

    __slots__ = ()


def N_(msgid: str) -> str:
    """Mark a message id for extraction where it is translated later (tables of labels)."""
    return msgid


@cache
def _catalogue(language: str) -> Translations:
    source = resources.files("bot") / "locales" / f"{language}.po"
    with source.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


class Translator:
    """Texts in one language; call it like gettext's `_`, with named parameters.

    A text it gives is an `Html`, safe already (its parameters escaped), so a translated text
    used as another one's parameter (a shift's line in "added: {line}") is taken as it is,
    never escaped a second time.
    """

    def __init__(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}")
        self.language = language
        self._translations = _catalogue(language)

    def __call__(self, msgid: str, /, **params: object) -> str:
        return self._render(self._translations.gettext(msgid), params)

    def plural(self, msgid: str, msgid_plural: str, n: int, /, **params: object) -> str:
        text = self._translations.ngettext(msgid, msgid_plural, n)
        return self._render(text, {"n": n, **params})

    def day(self, day: date) -> str:
        """A local day as people say it: "fre 27 nov." / "Fri 27 Nov"."""
        return format_date(day, "EEE d MMM", locale=self.language)

    def moment(self, moment: datetime, tz: ZoneInfo) -> str:
        """An instant in the service's time zone, with its weekday: "fre 27 nov. 17:00"."""
        return format_datetime(moment.astimezone(tz), "EEE d MMM HH:mm", locale=self.language)

    def span(self, start: datetime, end: datetime, tz: ZoneInfo) -> str:
        """A shift's time: "fre 27 nov. 22:00–08:00" (a night ends on the next morning)."""
        return f"{self.moment(start, tz)}\u2013{end.astimezone(tz):%H:%M}"

    @staticmethod
    def _render(text: str, params: dict[str, object]) -> Html:
        if not params:
            return Html(text)
        safe = {
            key: value if isinstance(value, Html | int | float) else html.escape(str(value))
            for key, value in params.items()
        }
        return Html(text.format(**safe))


def pick_language(chosen: str | None, telegram_language: str | None, fallback: str) -> str:
    """The member's own choice, else their Telegram language if we speak it, else the service's."""
    if chosen in LANGUAGES:
        return chosen
    base = (telegram_language or "").split("-")[0].lower()
    return base if base in LANGUAGES else fallback


def translator(language: str) -> Translator:
    return Translator(language)
