"""Spotting a Swedish or Danish identity number in a message, so the bot can refuse to relay it.

A placed child's personnummer, samordningsnummer or CPR number is among the most sensitive
things a family can type, and once relayed it sits in another family's chat history for good.
The bot therefore stops the message rather than passing it on, and this module only has to say
whether, and where, such a number occurs.

The checks lean towards refusing: a missed number leaks a child's identity, while a false alarm
costs the sender one retyped message. Concretely:

- Only digit runs bounded by non-digits are considered, so a longer bank, phone or order number
  never hides a match inside itself, and a separated phone number ("070-123 45 67") never
  supplies the six-digit run a date needs.
- A Swedish number must be a real date and pass the Luhn checksum. A Danish CPR number only has
  to be a real date, because Denmark stopped guaranteeing its modulus-11 check in 2007.
- The same ten digits are read both ways. A Swedish-looking number whose checksum fails is
  still caught as Danish if its first six digits are a day, month and year: 010203-1235 fails
  the Swedish checksum but is 3 February 2003 to a Dane. For the same reason a Swedish mobile
  number typed without spaces can look like a CPR number (0703123456 reads as 7 March 2012);
  that false alarm is accepted.

What comes back is the kind and the offsets, never the digits: a result may be logged or shown
to a coordinator, and the number must not travel any further than the message it came in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

# A birth part of six (YYMMDD, DDMMYY) or eight (YYYYMMDD) digits, an optional separator and a
# four-digit serial. "+" marks a Swede over a hundred; an en dash is what a phone's autocorrect
# makes of a hyphen. [0-9] rather than \d, which would also take digits from other scripts.
_CANDIDATE = re.compile(
    r"(?<![0-9])(?P<birth>(?:[0-9]{2})?[0-9]{6})(?P<separator>[-\u2013+ ]?)(?P<serial>[0-9]{4})"
    r"(?![0-9])"
)
# Centuries a living person's twelve-digit personnummer can start with; a wider range would only
# let more order numbers through.
_SWEDISH_CENTURIES = (18, 19, 20)
# A samordningsnummer is given to someone not registered in Sweden and adds 60 to the day.
_COORDINATION_DAY_OFFSET = 60
# A ten-digit number does not say its century, so any year with those last two digits will do.
# 1900+YY and 2000+YY between them have every leap year an 1800s birth could need.
_CENTURIES_FOR_TWO_DIGIT_YEARS = (1900, 2000)


class IdentityKind(StrEnum):
    """Whose numbering scheme matched, so the refusal can name the right kind of number."""

    SWEDISH = "SE"  # personnummer or samordningsnummer
    DANISH = "DK"  # CPR number


@dataclass(frozen=True, slots=True)
class IdentityNumber:
    """Where an identity number sits in the text, as half-open offsets [start, end).

    Offsets rather than the digits themselves, so that holding on to a result (in a log line or
    an error) never copies the number anywhere new.
    """

    kind: IdentityKind
    start: int
    end: int


def _is_real_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _is_real_date_in_any(years: Iterable[int], month: int, day: int) -> bool:
    return any(_is_real_date(year, month, day) for year in years)


def _swedish_day(day: int) -> int:
    # Day 60 itself maps to 0 and so fails as a date, as it should.
    return day - _COORDINATION_DAY_OFFSET if day > _COORDINATION_DAY_OFFSET else day


def _luhn_holds(digits: str) -> bool:
    """The Swedish check digit: alternate digits doubled from the left, digit sums, total % 10."""
    total = 0
    for position, digit in enumerate(map(int, digits)):
        product = digit * 2 if position % 2 == 0 else digit
        total += product // 10 + product % 10
    return total % 10 == 0


def _is_swedish_twelve_digit(birth: str, serial: str) -> bool:
    year, month, day = int(birth[:4]), int(birth[4:6]), int(birth[6:])
    return (
        int(birth[:2]) in _SWEDISH_CENTURIES
        and _is_real_date(year, month, _swedish_day(day))
        # The checksum never covers the century, which is why the short form can drop it.
        and _luhn_holds(birth[2:] + serial)
    )


def _is_swedish_ten_digit(birth: str, serial: str) -> bool:
    two_digit_year, month, day = int(birth[:2]), int(birth[2:4]), int(birth[4:])
    years = (century + two_digit_year for century in _CENTURIES_FOR_TWO_DIGIT_YEARS)
    return _is_real_date_in_any(years, month, _swedish_day(day)) and _luhn_holds(birth + serial)


def _is_danish(birth: str) -> bool:
    day, month, two_digit_year = int(birth[:2]), int(birth[2:4]), int(birth[4:])
    years = (century + two_digit_year for century in _CENTURIES_FOR_TWO_DIGIT_YEARS)
    return _is_real_date_in_any(years, month, day)


def _kind_of(birth: str, separator: str, serial: str) -> IdentityKind | None:
    if len(birth) == 8:
        # With the century written out, "+" has nothing left to say; nobody writes it that way.
        if separator != "+" and _is_swedish_twelve_digit(birth, serial):
            return IdentityKind.SWEDISH
        return None
    if _is_swedish_ten_digit(birth, serial):
        return IdentityKind.SWEDISH
    # "+" belongs to the Swedish scheme only; a CPR number is written with a hyphen or nothing.
    if separator != "+" and _is_danish(birth):
        return IdentityKind.DANISH
    return None


def find_identity_number(text: str) -> IdentityNumber | None:
    """The first identity number in `text`, or None when the message is safe to relay.

    The first is enough: one number already means the message must not be passed on.
    """
    for candidate in _CANDIDATE.finditer(text):
        kind = _kind_of(candidate["birth"], candidate["separator"], candidate["serial"])
        if kind is not None:
            return IdentityNumber(kind, candidate.start(), candidate.end())
    return None
