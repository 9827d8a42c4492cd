"""The one translation layer: gettext catalogues (`bot/locales/*.po`) read with Babel.

Message ids are stable keys ("invite.created"), not English sentences, so that every text a
user reads, English included, lives in a catalogue a translator can edit. Parameters are
HTML-escaped on the way in, because replies are sent as HTML and names are typed by users.
A Swedish or Danish text that is missing or marked fuzzy reads in English, never as its key.
The municipality's own names for its unit and its coordinators (`Terms`) are placeholders the
translator fills in, so every text names them the one way the municipality does.
"""

from __future__ import annotations

import html
import io
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import IO, Literal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_timedelta
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.config import DEFAULT_TERMS, LANGUAGES, Terms

LANGUAGE_NAMES = {"sv": "Svenska", "da": "Dansk", "en": "English"}


class Html(str):
    """A parameter that is already safe HTML (built from escaped parts) and must not be escaped."""

    __slots__ = ()


def N_(msgid: str) -> str:
    """Mark a message id for extraction where it is translated later (tables of labels)."""
    return msgid


FALLBACK_LANGUAGE = "en"
# A duration reads in its largest unit and, when that is not all of it, the next one down:
# "3 dagar", "1 timme och 30 minuter"; seconds only under a minute.
_Unit = Literal["day", "hour", "minute", "second"]
_UNITS: tuple[tuple[_Unit, int], ...] = (("day", 86400), ("hour", 3600), ("minute", 60))
_SECONDS: dict[_Unit, int] = {"second": 1, **dict(_UNITS)}


@cache
def _catalogue(language: str) -> Translations:
    source = resources.files("bot") / "locales" / f"{language}.po"
    fallback = None if language == FALLBACK_LANGUAGE else _catalogue(FALLBACK_LANGUAGE)
    with source.open("rb") as po_file:
        return load_catalogue(po_file, language, fallback)


def load_catalogue(
    po_file: IO[bytes], language: str, fallback: Translations | None = None
) -> Translations:
    """A catalogue whose fuzzy and missing texts are the fallback's (English), never a key."""
    catalog = read_po(po_file, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # leaves fuzzy entries out, so they fall back too
    compiled.seek(0)
    translations = Translations(compiled)
    if fallback is not None:
        translations.add_fallback(fallback)
    return translations


class Translator:
    """Texts in one language; call it like gettext's `_`, with named parameters.

    A text it gives is an `Html`, safe already (its parameters escaped), so a translated text
    used as another one's parameter (a shift's line in "added: {line}") is taken as it is,
    never escaped a second time. A `timedelta` parameter reads as `duration` says it, so a
    notice sent to several people gives each the length of time in their own language.
    """

    def __init__(self, language: str, terms: Terms = DEFAULT_TERMS) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}")
        self.language = language
        self._translations = _catalogue(language)
        unit, coordinator = terms.unit[language], terms.coordinator[language]
        # {Unit} and {Coordinator} begin a sentence; the settings are written as mid-sentence.
        self._terms = {
            "unit": unit,
            "Unit": unit[:1].upper() + unit[1:],
            "coordinator": coordinator,
            "Coordinator": coordinator[:1].upper() + coordinator[1:],
        }

    def __call__(self, msgid: str, /, **params: object) -> str:
        return self._render(self._translations.gettext(msgid), {**self._terms, **params})

    def plural(self, msgid: str, msgid_plural: str, n: int, /, **params: object) -> str:
        text = self._translations.ngettext(msgid, msgid_plural, n)
        return self._render(text, {**self._terms, "n": n, **params})

    def duration(self, length: timedelta) -> str:
        """A length of time as people say it: "3 dagar", "1 timme och 30 minuter", "45 sekunder".

        Babel's `format_timedelta` gives one unit, rounded ("2 timmar" for 90 minutes), so the
        largest unit and the next one down are each given whole, rounded half up to the
        smaller: a reminder sent a few seconds late still says "om 1 timme".
        """
        seconds = max(0, round(length.total_seconds()))
        if seconds < _SECONDS["minute"]:
            return self._unit("second", seconds)
        for index, (_, size) in enumerate(_UNITS):
            step = _UNITS[min(index + 1, len(_UNITS) - 1)][1]
            rounded = (seconds + step // 2) // step * step
            if rounded >= size:  # rounding may carry: 23 hours 59 minutes 40 seconds is 1 day
                break
        parts: list[str] = []
        for unit, size in _UNITS[index : index + 2]:
            amount, rounded = divmod(rounded, size)
            if amount:
                parts.append(self._unit(unit, amount))
        return format_list(parts, locale=self.language)

    def _unit(self, unit: _Unit, amount: int) -> str:
        """Days come from the catalogue: CLDR's Swedish says "dygn", a social worker "dagar"."""
        if unit == "day":
            return self.plural("duration.days", "duration.days_plural", amount)
        # The threshold keeps the unit asked for (by default 23 hours would read "1 day").
        return format_timedelta(
            timedelta(seconds=amount * _SECONDS[unit]),
            granularity=unit,
            threshold=float("inf"),
            locale=self.language,
        )

    def day(self, day: date) -> str:
        """A local day as people say it: "fre 27 nov." / "Fri 27 Nov"."""
        return format_date(day, "EEE d MMM", locale=self.language)

    def moment(self, moment: datetime, tz: ZoneInfo) -> str:
        """An instant in the service's time zone, with its weekday: "fre 27 nov. 17:00"."""
        return format_datetime(moment.astimezone(tz), "EEE d MMM HH:mm", locale=self.language)

    def span(self, start: datetime, end: datetime, tz: ZoneInfo) -> str:
        """A shift's time: "fre 27 nov. 22:00–08:00" (a night ends on the next morning)."""
        return f"{self.moment(start, tz)}\u2013{end.astimezone(tz):%H:%M}"

    def _render(self, text: str, params: dict[str, object]) -> Html:
        safe = {key: self._safe(value) for key, value in params.items()}
        return Html(text.format(**safe))

    def _safe(self, value: object) -> object:
        if isinstance(value, timedelta):
            return self.duration(value)
        return value if isinstance(value, Html | int | float) else html.escape(str(value))


def plain(text: str) -> str:
    """A text for what Telegram shows as plain text, not HTML (a press's notice, a menu, the
    bot's descriptions): its escaped parameters as typed, so "Barn & familj" keeps its &."""
    return html.unescape(text)


def pick_language(chosen: str | None, telegram_language: str | None, fallback: str) -> str:
    """The member's own choice, else their Telegram language if we speak it, else the service's."""
    if chosen in LANGUAGES:
        return chosen
    base = (telegram_language or "").split("-")[0].lower()
    return base if base in LANGUAGES else fallback


def translator(language: str, terms: Terms = DEFAULT_TERMS) -> Translator:
    return Translator(language, terms)
