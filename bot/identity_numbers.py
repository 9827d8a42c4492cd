"""Spotting a Swedish or Danish identity number in a message, so the bot can refuse to relay it.

A placed child's personnummer, samordningsnummer or CPR number is among the most sensitive
things a family can type, and once relayed it sits in another family's chat history for good.
The bot therefore stops the message rather than passing it on, and this module only has to say
whether, and where, such a number occurs.

The checks lean towards refusing: a missed number leaks a child's identity, while a false alarm
costs the sender one retyped message. Concretely:

- The text is first normalised (see `normalise`), because people do not type plain ASCII: a
  phone's keyboard or autocorrect, a copied web form or a PDF gives full-width digits,
  no-break and thin spaces, en dashes, minus signs and invisible zero-width characters, none of
  which changes what a reader sees. Digits of other scripts that NFKC leaves alone, such as
  Arabic-Indic ٨١١٢١٨, are not read as digits: they are other characters, not ASCII digits in
  another dress, and Swedish and Danish numbers are written, printed and asked for in ASCII
  digits. A number typed on an Arabic or Persian keyboard is therefore missed; that gap is known.
- A number may be written unbroken (8112189876), with a separator ("-", "+" or spaces, and
  spaces around a "-" or "+": 811218 - 9876), and with its birth date and serial read out in
  groups separated by single spaces, as people read a date aloud: 81 12 18-9876,
  1981 12 18 9876, 81 12 18 98 76. Its birth date may also be written with dashes, as a date
  is: 1981-12-18-9876, 81-12-18-9876, 1981-12-18 9876. Without a separator it has to be one
  unbroken run, so 1981-12-189876 is not read as a number.
- A file name or a link's address cannot hold a space, so there the serial follows an
  underscore, a dot or a slash: 811218_9876.pdf, 811218.9876, 811218/9876, and
  1981-12-18_9876. These three separate the birth part from the serial only, directly and
  never next to a space, and never the groups of the birth date: 04.12.26 and 04/12/26 are
  dates, and 06.12.34.56.78 is a French phone number.
- A link's address may carry its separators percent-encoded (pnr=811218%2D9876, %20 for a
  space), so the text is also read with its %XX escapes decoded (`urllib.parse.unquote`), and
  again for an address encoded twice, as one wrapped in another's query is. The text as
  written is always read first, so decoding never hides a number it shows: 811218-9876%30 is
  caught although it decodes to 811218-98760. A "+" is read as written, never as the space a
  form-encoded query means by it, so a CPR number sent as cpr=150345+1234 is missed (a "+"
  rules out the Danish reading); written with %20 or %2D it is caught.
- A candidate is never directly preceded or followed by a digit, so a longer bank, phone or
  order number never hides a match inside itself. One whose birth date has dashes is also never
  followed by a dash and a digit (spaces around the dash allowed), which a date range
  (2026-12-01-2026-12-07, 2026-12-01 - 2026-12-07) or a range of times (2026-12-04 1700-1900)
  has. Phone numbers in their usual groups of three ("070-123 45 67", "070 123 45 67",
  "08-123 456 78") never fit the layouts above.
- The serial follows the birth date with nothing but a separator between: a clock time with a
  colon or a dot (2026-12-04 17:00, 17.00) or after a word (2026-12-04 kl 1700) is never read
  as a serial, and a date on its own (2026-12-04) has none.
- A Swedish number must be a real date and pass the Luhn checksum. A Danish CPR number only has
  to be a real date, because Denmark stopped guaranteeing its modulus-11 check in 2007.
- The same ten digits are read both ways. A Swedish-looking number whose checksum fails is
  still caught as Danish if its first six digits are a day, month and year: 010203-1235 fails
  the Swedish checksum but is 3 February 2003 to a Dane.

The false alarms this accepts come mostly from the Danish date-only check: ten digits whose first
six make a day, month and year are refused however they are grouped. A Swedish mobile number
typed without spaces (0703123456 reads as 7 March 2012), and one written in pairs as the French
do (07 03 12 34 56), are refused; so is a French mobile number in pairs (06 12 34 56 78 is
6 December 2034). About one in eight Swedish mobile numbers is refused when written in either
of those ways; written as usual ("070-123 45 67", "+46 70 123 45 67") none is. A Danish phone
number has only eight digits, four pairs, so on its own it is never read as one; after +45 it
makes five pairs, but 45 is no day of the month, so only the Swedish reading with its checksum
applies and about one in 140 is refused.

Dates written with dashes bring their own: a date followed by a space (or an underscore, as in a
file name) and a bare four-digit number, a clock time without its colon or an amount, reads as a
number. Written short (04-12-26 1700, 26-12-04 1700) it is refused almost always, since its first
six digits make a date to a Dane; written in full only the Swedish reading with its checksum
applies, and about one in ten is refused (2026-12-07 1700 is, 2026-12-04 1700 is not). Six
digits, a dot or a slash and four more (150345.1234, 150345/1234) are refused whenever the digits
pass the checks, whatever they stand for, but that is no common way of writing an amount, a date
or a phone number.

What comes back is the kind and the offsets, never the digits: a result may be logged or shown
to a coordinator, and the number must not travel any further than the message it came in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from urllib.parse import unquote

# Dashes that are not in Unicode's dash punctuation category (Pd) but are typed as one: the
# minus sign (also what NFKC makes of superscript and subscript minus), the hyphen bullet and
# the heavy minus sign. The hyphen, non-breaking hyphen, figure dash, en and em dash, full-width
# and small hyphen-minus are all Pd already.
_DASHES_OUTSIDE_PD = frozenset("\u2212\u2043\u2796")
# A tab counts as a space: a number pasted from a spreadsheet has one between its cells.
_SPACES_OUTSIDE_ZS = frozenset("\t")

# The ways a birth part is written: eight digits (YYYYMMDD) before six (YYMMDD, DDMMYY), so that
# at one starting point the longer reading is tried first. Groups are separated by one space,
# or by a dash as a date is written; never by a mix of the two.
_BIRTH_LAYOUTS = (
    "[0-9]{8}",  # 19811218
    "[0-9]{4} [0-9]{2} [0-9]{2}",  # 1981 12 18
    "[0-9]{4}-[0-9]{2}-[0-9]{2}",  # 1981-12-18
    "[0-9]{2} [0-9]{2} [0-9]{2} [0-9]{2}",  # 19 81 12 18
    "[0-9]{6}",  # 811218
    "[0-9]{2} [0-9]{2} [0-9]{2}",  # 81 12 18
    "[0-9]{2}-[0-9]{2}-[0-9]{2}",  # 81-12-18
)
# What stands between the birth part and the serial in a file name or a link's address, where a
# space cannot: 811218_9876.pdf, 811218.9876, 811218/9876.
_FILE_AND_LINK_SEPARATORS = frozenset("_./")
# The birth part, an optional separator and a four-digit serial, perhaps read out as two pairs.
# "+" marks a Swede over a hundred. [0-9] rather than \d, which would also take digits from
# other scripts. No lookbehind: the scan below only starts where no digit precedes.
_CANDIDATES = tuple(
    re.compile(
        rf"(?P<birth>{layout})(?P<separator> *[-+] *| +|[_./]|)"
        r"(?P<serial>[0-9]{4}|[0-9]{2} [0-9]{2})(?![0-9])"
    )
    for layout in _BIRTH_LAYOUTS
)
# What must not follow a candidate whose birth date has dashes: a dash and a digit make it the
# first half of a range, 2026-12-01-2026-12-07 or 2026-12-04 1700 - 1900, not a number.
_RANGE_CONTINUES = re.compile(r" *- *[0-9]")
# Where a candidate may begin: at a digit with no digit directly before it.
_NUMBER_START = re.compile(r"(?<![0-9])[0-9]")
# Centuries a living person's twelve-digit personnummer can start with; a wider range would only
# let more order numbers through.
_SWEDISH_CENTURIES = (18, 19, 20)
# A samordningsnummer is given to someone not registered in Sweden and adds 60 to the day.
_COORDINATION_DAY_OFFSET = 60
# A ten-digit number does not say its century, so any year with those last two digits will do.
# 1900+YY and 2000+YY between them have every leap year an 1800s birth could need.
_CENTURIES_FOR_TWO_DIGIT_YEARS = (1900, 2000)
# How many times a text is percent-decoded at most: a link wrapped in another link's query is
# encoded twice, and one more round covers a wrapper wrapped again.
_PERCENT_DECODING_ROUNDS = 3


class IdentityKind(StrEnum):
    """Whose numbering scheme matched, so the refusal can name the right kind of number."""

    SWEDISH = "SE"  # personnummer or samordningsnummer
    DANISH = "DK"  # CPR number


@dataclass(frozen=True, slots=True)
class IdentityNumber:
    """Where an identity number sits, as half-open offsets [start, end) into `normalise(text)`.

    The offsets are into the normalised text, which can be shorter than the original (invisible
    characters are dropped) and so need not line up with it; they say where the number is for a
    log line or a test, and nothing cuts the original message with them. A number that shows
    only once the text's percent escapes are decoded has its offsets into the normalised decoded
    text, `normalise(unquote(text))` (or `normalise(unquote(unquote(text)))` for one that needed
    two rounds, and so on).

    Offsets rather than the digits themselves, so that holding on to a result (in a log line or
    an error) never copies the number anywhere new.
    """

    kind: IdentityKind
    start: int
    end: int


def _plain_character(character: str) -> str:
    """The ASCII stand-in for a dash or a space, any other character as it is."""
    category = unicodedata.category(character)
    if category == "Pd" or character in _DASHES_OUTSIDE_PD:
        return "-"
    if category == "Zs" or character in _SPACES_OUTSIDE_ZS:
        return " "
    return character


def normalise(text: str) -> str:
    """`text` as the matching sees it: what a reader sees, in ASCII digits, dashes and spaces.

    Three steps, in this order:

    1. Every format character (Unicode category Cf) is removed: zero width space, zero width
       (non-)joiner, word joiner, byte order mark, soft hyphen, direction marks. They are
       invisible, so a number with one inside still reads as the number; and removing them
       first lets step 2 see the characters either side as neighbours. NFKC never produces one.
    2. Unicode NFKC, which turns full-width, mathematical, superscript and circled digits into
       ASCII digits, most Unicode spaces into " " and the full-width and small hyphen-minus
       into "-". Digits of other scripts (Arabic-Indic, Devanagari, ...) are left as they are.
    3. Every remaining dash (category Pd, and the minus sign) becomes "-", and every remaining
       space (category Zs, and the tab) becomes " ".

    Line breaks stay: a number split over two lines is not one a reader would copy.
    """
    visible = "".join(character for character in text if unicodedata.category(character) != "Cf")
    return "".join(map(_plain_character, unicodedata.normalize("NFKC", visible)))


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
    """Which scheme the digits fit, if any; `birth` and `serial` are digits only."""
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


def _kind_of_candidate(candidate: re.Match[str]) -> IdentityKind | None:
    birth, separator, serial = candidate["birth"], candidate["separator"], candidate["serial"]
    grouped = " " in birth or "-" in birth or " " in serial
    if not separator and grouped:
        # Without a separator a number is one unbroken run: 8112189876, never 81 12 189876,
        # 1981-12-189876 or 81121898 76, which are nobody's way of writing it and would only add
        # false alarms.
        return None
    if separator in _FILE_AND_LINK_SEPARATORS and (" " in birth or " " in serial):
        # A file name or an address has no spaces, and prose has no "81 12 18_9876".
        return None
    if "-" in birth and _RANGE_CONTINUES.match(candidate.string, candidate.end()):
        return None
    digits_only = birth.replace(" ", "").replace("-", "")
    return _kind_of(digits_only, separator.strip(), serial.replace(" ", ""))


def _readings(text: str) -> Iterator[str]:
    """`text` normalised as written, then after each round of percent-decoding that changes it.

    The text as written comes first, so that decoding can only add a number, never hide one:
    811218-9876%30 decodes to 811218-98760, and %811218-9876 loses its first two digits to the
    escape %81.
    """
    yield normalise(text)
    for _ in range(_PERCENT_DECODING_ROUNDS):
        decoded = unquote(text)
        if decoded == text:
            return
        text = decoded
        yield normalise(text)


def _find_in_normalised(normalised: str) -> IdentityNumber | None:
    for start in _NUMBER_START.finditer(normalised):
        for layout in _CANDIDATES:
            candidate = layout.match(normalised, start.start())
            if candidate is None:
                continue
            kind = _kind_of_candidate(candidate)
            if kind is not None:
                return IdentityNumber(kind, candidate.start(), candidate.end())
    return None


def find_identity_number(text: str) -> IdentityNumber | None:
    """The first identity number in `text`, or None when the message is safe to relay.

    The text is normalised first, and the offsets are into `normalise(text)`; when the text as
    written holds no number, it is read again with its percent escapes decoded, and a number
    found only then has its offsets into that decoded reading (see `IdentityNumber`). The first
    is enough: one number already means the message must not be passed on. Every starting point
    and every layout is tried, rather than a single left-to-right pass, so that a candidate that
    fails its checks cannot swallow the digits of a real number that overlaps it.
    """
    for reading in _readings(text):
        found = _find_in_normalised(reading)
        if found is not None:
            return found
    return None


def find_identity_number_in(texts: Iterable[str | None]) -> IdentityNumber | None:
    """The first identity number in any of `texts`, the text fields of one message, or None.

    A number can travel in more than a message's text: its caption, a document's file name, the
    URL of a link, a shared contact's name and number, a poll's question and options, a venue's
    title and address. The caller gathers whichever of these the message has, in any order;
    fields it does not have can be passed as None and are skipped. Each field is searched on its
    own, so digits at the end of one and the start of the next never join into a number.

    The offsets of the result are into the normalised text of the field it was found in; which
    field that was is not reported, since one number anywhere is reason enough to refuse.
    """
    for text in texts:
        if text is None:
            continue
        found = find_identity_number(text)
        if found is not None:
            return found
    return None
