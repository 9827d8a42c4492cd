"""Recognising a message that may be about danger, so the bot answers at once with 112.

A family writing about violence or a child gone missing should not wait for a mentor to read
the chat: the bot replies with the emergency numbers straight away and relays the message as
usual. That makes a false alarm cheap (one extra reply) and a missed one expensive, so matching
is deliberately generous:

- A listed word matches at the start of any word, so inflections and compounds come along:
  "våld" catches "våldet" and "våldtäkt", "politi" catches "politiet". The price is the odd
  unrelated word with the same beginning ("politik", "voldsomt"), which is accepted.
- It never matches inside a word, so "slår" does not fire on "beslår".
- Each word of a phrase is matched the same way and the words may be separated by any run of
  whitespace, line breaks included: "kill myself" catches "killing" at the end of one line
  and "myself" at the start of the next.
- Case and Unicode spelling are ignored (casefold, NFC), so "VÅLD" typed with a combining ring
  still matches.

The default list keeps to words that, in a foster-care chat, more likely than not mean someone
is at risk. Several are stems rather than words ("misshand", "suicid") because a stem is what
the start-of-word rule needs to catch every inflection.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

_SWEDISH = (
    "självmord",
    "ta livet av",
    "våld",
    "slår",
    "misshand",  # misshandel, misshandlad, misshandlade
    "övergrepp",
    "polis",
    # Not "hot" alone: it would fire on every "hotell".
    "hotar",
    "hotad",  # hotad, hotade
    "kniv",  # also English "knives"
    # Not "rymde" or "rym": both begin "rymden" (space). The past tense is the price.
    "rymt",
    "försvunn",  # försvunnen, försvunnit, försvunna
)
_DANISH = (
    "selvmord",
    "tage sit eget liv",
    "tage livet af",
    "vold",
    "slår",
    "mishandl",  # mishandling, mishandlet
    "overgreb",
    "politi",
    "trussel",
    "trusl",  # truslen, trusler
    "truer",
    "truet",
    "kniv",
    "stukket af",
    "stak af",
    "forsvund",  # forsvundet, forsvundne
)
_ENGLISH = (
    "suicid",  # suicide, suicidal; also Swedish and Danish "suicid"
    "kill myself",
    "violen",  # violence, violent
    "abus",  # abuse, abused, abusive
    "police",
    "threat",
    "knife",
    "ran away",
    "missing",
)
# Words the languages share ("slår", "kniv") are listed once, in the order first met.
DEFAULT_URGENT_WORDS: tuple[str, ...] = tuple(dict.fromkeys(_SWEDISH + _DANISH + _ENGLISH))


def _normalise(text: str) -> str:
    # NFC on both sides of casefold: a decomposed "å" must compare equal to a composed one, and
    # must stay one letter so that the start-of-word check does not see a boundary inside it.
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())


def parse_urgent_words(raw: str) -> tuple[str, ...]:
    """The urgent words an operator configured, as "självmord, våld, ta livet av".

    Entries are trimmed, lower-cased and have inner whitespace collapsed; blank entries are
    dropped, so a trailing comma is harmless, and repeats are kept once. An empty result is
    refused rather than taken as "no urgent words": an operator who wants the defaults should
    leave the setting out, and a list that matches nothing would silently switch off the alarm.
    """
    entries = (" ".join(entry.split()).lower() for entry in raw.split(","))
    words = tuple(dict.fromkeys(entry for entry in entries if entry))
    if not words:
        raise ValueError(
            f"no urgent words in {raw!r}: give a comma-separated list such as 'självmord, våld'"
        )
    return words


@lru_cache(maxsize=1024)
def _pattern(word: str) -> re.Pattern[str]:
    # (?<!\w) rather than \b: \b would also match where a word ends, and what follows the
    # beginning is left open on purpose so that inflections match.
    return re.compile(r"(?<!\w)" + r"\w*\s+".join(map(re.escape, _normalise(word).split())))


def find_urgent_word(text: str, words: Sequence[str]) -> str | None:
    """The first of `words`, in the order listed, that occurs in `text`; None if none does.

    The word comes back as listed, so the caller can say what triggered the reply. A blank
    entry is skipped: it could only come from bypassing `parse_urgent_words`, and it would
    otherwise flag every message.
    """
    normalised = _normalise(text)
    for word in words:
        if word.strip() and _pattern(word).search(normalised):
            return word
    return None
