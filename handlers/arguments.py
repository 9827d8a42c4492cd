"""The words that follow a command's name, in every language, in one table.

A command's name stays in Latin letters, as Telegram requires, but what follows it is typed by
a person in their own language: `/newsletter av` from a Swede, `/shift slet 12` from a Dane,
`/invite family` from anyone. Each spelling means one `Word` whatever the reader's language
(a member who switched to English still types Swedish), in any case; a test keeps every
spelling to one meaning and every word a help text shows to one the table knows.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from enum import StrEnum


class Word(StrEnum):
    FAMILY = "family"
    MENTOR = "mentor"
    COORDINATOR = "coordinator"
    ADD = "add"
    DELETE = "del"
    LIST = "list"
    CSV = "csv"
    OPEN = "open"
    CANCEL = "cancel"
    ON = "on"
    OFF = "off"
    COURSES = "courses"


# The English word first (the one README's tables give), then Swedish, then Danish.
SPELLINGS: Mapping[Word, Mapping[str, tuple[str, ...]]] = {
    Word.FAMILY: {
        "en": ("family",),
        "sv": ("familjehem", "familj"),
        "da": ("plejefamilie", "familie"),
    },
    Word.MENTOR: {"en": ("mentor",), "sv": ("mentorsfamilj",), "da": ("mentorfamilie",)},
    Word.COORDINATOR: {
        "en": ("coordinator",),
        "sv": ("familjehemssekreterare", "sekreterare", "samordnare"),
        "da": ("anbringelseskonsulent", "konsulent", "koordinator"),
    },
    Word.ADD: {"en": ("add", "new"), "sv": ("ny",), "da": ("tilføj", "ny")},
    Word.DELETE: {"en": ("del", "delete"), "sv": ("stryk", "radera"), "da": ("slet",)},
    Word.LIST: {"en": ("list",), "sv": ("lista", "visa"), "da": ("vis", "liste")},
    Word.CSV: {"en": ("csv",)},
    Word.OPEN: {"en": ("open",), "sv": ("lediga", "öppna"), "da": ("ledige", "åbne")},
    Word.CANCEL: {"en": ("cancel",), "sv": ("avbryt",), "da": ("annuller", "annullér", "afbryd")},
    Word.ON: {"en": ("on",), "sv": ("på",), "da": ("til",)},
    Word.OFF: {"en": ("off",), "sv": ("av",), "da": ("fra",)},
    Word.COURSES: {
        "en": ("courses",),
        "sv": ("kurser", "kursdagar"),
        "da": ("kurser", "kursusdage"),
    },
}


def _key(typed: str) -> str:
    """Case and composed or decomposed letters (å as one character or two) do not matter."""
    return unicodedata.normalize("NFC", typed.strip()).casefold()


_MEANINGS: Mapping[str, Word] = {
    _key(spelling): word
    for word, languages in SPELLINGS.items()
    for spellings in languages.values()
    for spelling in spellings
}


def parse_word(
    typed: str, allowed: Iterable[Word], more: Mapping[str, Word] | None = None
) -> Word | None:
    """The word `typed` names if it is one of `allowed`, else None; `more` adds spellings of
    the service's own (the coordinators' title as the municipality writes it)."""
    own = {_key(spelling): word for spelling, word in (more or {}).items()}
    word = own.get(_key(typed)) or _MEANINGS.get(_key(typed))
    return word if word in set(allowed) else None
