import dataclasses
from collections.abc import Iterator
from urllib.parse import unquote

import pytest

from bot.identity_numbers import (
    IdentityKind,
    IdentityNumber,
    find_identity_number,
    find_identity_number_in,
    normalise,
)

SWEDISH = IdentityKind.SWEDISH
DANISH = IdentityKind.DANISH


def luhn_total(digits: str) -> int:
    """The sum the Swedish check digit makes a multiple of ten, worked out apart from the bot."""
    total = 0
    for position, character in enumerate(digits):
        product = int(character) * (2 - position % 2)
        total += sum(map(int, str(product)))
    return total


def with_check_digit(first_nine: str) -> str:
    """YYMMDDNNN completed with the digit that makes the Swedish checksum hold."""
    return first_nine + str(-luhn_total(first_nine + "0") % 10)


def with_wrong_check_digit(first_nine: str) -> str:
    return first_nine + str((int(with_check_digit(first_nine)[-1]) + 1) % 10)


def found(text: str) -> tuple[IdentityKind, str] | None:
    """The kind and the exact text a match covers, to check the offsets as well as the kind."""
    match = find_identity_number(text)
    return None if match is None else (match.kind, text[match.start : match.end])


def found_normalised(text: str) -> tuple[IdentityKind, str] | None:
    """As `found`, for texts normalising changes: the offsets are into the normalised text."""
    match = find_identity_number(text)
    return None if match is None else (match.kind, normalise(text)[match.start : match.end])


# --- the helpers agree with numbers checked by hand -------------------------------------------


@pytest.mark.parametrize("number", ["8112189876", "7010632391"])
def test_the_well_known_test_numbers_pass_luhn(number: str) -> None:
    assert luhn_total(number) % 10 == 0
    assert with_check_digit(number[:9]) == number


# --- Swedish personnummer and samordningsnummer -----------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "811218-9876",
        "8112189876",
        "811218 9876",
        "811218+9876",  # over a hundred years old
        "811218\u20139876",  # a hyphen a phone's autocorrect turned into an en dash
        "19811218-9876",
        "198112189876",
        "19811218 9876",
        "701063-2391",  # samordningsnummer: born 3 October 1970, day + 60
        "7010632391",
        "19701063-2391",
        "197010632391",
        f"{with_check_digit('000229123')[:6]}-{with_check_digit('000229123')[6:]}",  # 2000 leap
        f"20{with_check_digit('050101234')}",
        f"18{with_check_digit('991231000')}",
        f"{with_check_digit('121291456')[:6]}-{with_check_digit('121291456')[6:]}",  # day 31+60
    ],
)
def test_every_swedish_format_is_found(number: str) -> None:
    assert found(number) == (SWEDISH, number)


@pytest.mark.parametrize(
    "first_nine",
    [
        "811318987",  # month 13
        "810230987",  # 30 February
        "970229123",  # 29 February in 1997 and 2097 alike
        "811200987",  # day 0
        "811232987",  # day 32: neither a day nor a samordningsnummer day
        "811260987",  # day 60 is day 0 of a samordningsnummer
        "811292987",  # day 92 is day 32 of a samordningsnummer
    ],
)
def test_a_swedish_number_with_a_valid_checksum_but_no_real_date_is_not_found(
    first_nine: str,
) -> None:
    number = with_check_digit(first_nine)
    assert found(number) is None
    assert found(f"{number[:6]}-{number[6:]}") is None
    assert found(f"19{number}") is None


@pytest.mark.parametrize("century", ["17", "21", "00"])
def test_a_twelve_digit_number_needs_a_century_a_living_person_can_have(century: str) -> None:
    assert found(f"{century}811218-9876") is None


@pytest.mark.parametrize(
    "number", ["811218-9875", "8112189877", "19811218-9870", "701063-2390", "197010632392"]
)
def test_a_swedish_number_with_a_bad_checksum_is_not_found(number: str) -> None:
    # 81 and 70 are no day of the month, so these cannot pass as CPR numbers either.
    assert found(number) is None


def test_a_plus_makes_no_sense_with_the_century_written_out() -> None:
    assert found("19811218+9876") is None


# --- Danish CPR numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "150345-1234",  # 15 March 1945; day 45 makes it no Swedish number at all
        "1503451234",
        "150345 1234",
        "240252-0000",
        "311299-9999",
        "290296-4321",  # 29 February 1996
        "290200-4321",  # 29 February 2000
        "010137-1111",
    ],
)
def test_every_danish_format_is_found_without_a_modulus_11_check(number: str) -> None:
    assert found(number) == (DANISH, number)


@pytest.mark.parametrize(
    "number",
    [
        "320145-1234",  # day 32
        "311145-1234",  # 31 November
        "150045-1234",  # month 0
        "151345-1234",  # month 13
        "290297-1234",  # 29 February in 1997 and 2097 alike
        "300256-1234",  # 30 February
        "000145-1234",  # day 0
    ],
)
def test_a_danish_number_without_a_real_date_is_not_found(number: str) -> None:
    assert found(number) is None
    assert found(number.replace("-", "")) is None


def test_a_danish_number_is_never_written_with_a_plus() -> None:
    assert found("150345+1234") is None


def test_a_swedish_number_failing_luhn_is_still_caught_if_it_reads_as_a_cpr_number() -> None:
    # Deliberate: 010203 is 3 February 2003 to a Dane, and a refused message is the safe side.
    swedish = with_check_digit("010203123")
    failing = with_wrong_check_digit("010203123")
    assert found(f"{swedish[:6]}-{swedish[6:]}") == (SWEDISH, f"{swedish[:6]}-{swedish[6:]}")
    assert found(f"{failing[:6]}-{failing[6:]}") == (DANISH, f"{failing[:6]}-{failing[6:]}")


def test_a_mobile_number_typed_without_spaces_can_read_as_a_cpr_number() -> None:
    # An accepted false alarm: 0703123456 is also 7 March 2012. Typed as people usually write
    # it, with separators, the same number is not found.
    assert found("0703123456") == (DANISH, "0703123456")
    assert found("070-312 34 56") is None


# --- numbers as people space them --------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "kind"),
    [
        ("81 12 18-9876", SWEDISH),  # the date read out in pairs
        ("81 12 18 9876", SWEDISH),
        ("81 12 18 98 76", SWEDISH),  # the serial in pairs too
        ("811218 98 76", SWEDISH),
        ("811218-98 76", SWEDISH),
        ("811218 - 9876", SWEDISH),  # spaces around the separator
        ("811218 -9876", SWEDISH),
        ("811218- 9876", SWEDISH),
        ("811218  9876", SWEDISH),
        ("811218 + 9876", SWEDISH),
        ("19811218 - 9876", SWEDISH),
        ("1981 12 18-9876", SWEDISH),
        ("1981 12 18 9876", SWEDISH),
        ("19 81 12 18-9876", SWEDISH),
        ("19 81 12 18 98 76", SWEDISH),
        ("19811218 98 76", SWEDISH),
        ("70 10 63-2391", SWEDISH),  # samordningsnummer
        ("15 03 45-1234", DANISH),
        ("15 03 45 12 34", DANISH),
        ("150345 - 1234", DANISH),
        ("150345 12 34", DANISH),
    ],
)
def test_a_number_with_spaces_in_its_birth_date_or_around_its_separator_is_found(
    number: str, kind: IdentityKind
) -> None:
    assert found(number) == (kind, number)
    assert found(f"Personnummer: {number}.") == (kind, number)


@pytest.mark.parametrize(
    "text",
    [
        "81 12 18 98 75",  # bad checksum, and 81 is no day for a Dane
        "19 81 12 18 98 70",
        "15 13 45 12 34",  # month 13
        "15 03 45 + 1234",  # a CPR number has no "+"
        "19811218 + 9876",
    ],
)
def test_a_spaced_number_still_has_to_pass_its_checks(text: str) -> None:
    assert found(text) is None


@pytest.mark.parametrize("text", ["81 12 189876", "81121898 76", "1981 12 189876", "15 03 451234"])
def test_without_a_separator_a_number_has_to_be_one_unbroken_run(text: str) -> None:
    assert found(text) is None


def test_a_failed_candidate_does_not_hide_a_real_number_overlapping_it() -> None:
    # "12 81 12" + "18 98" is tried first and fails; the number starting at 81 is still seen.
    assert found("Rum 12 81 12 18 98 76") == (SWEDISH, "81 12 18 98 76")
    assert found("Rum 20 15 03 45 12 34") == (DANISH, "15 03 45 12 34")


def test_a_spaced_number_is_found_inside_a_longer_row_of_spaced_digits() -> None:
    # Only a digit directly before or after rules a candidate out, not a digit a space away:
    # "Barn 2 811218-9876" must still be refused, and so must a number in a row of pairs.
    assert found("Barn 2 811218-9876") == (SWEDISH, "811218-9876")
    assert found("Ref 98 76 81 12 18 98 76 5") == (SWEDISH, "81 12 18 98 76")


@pytest.mark.parametrize(
    "number",
    [
        "06 12 34 56 78",  # a French mobile number in pairs: 6 December 2034 to a Dane
        "07 03 12 34 56",  # a Swedish mobile number in pairs: 7 March 2012
    ],
)
def test_a_phone_number_written_in_pairs_can_read_as_a_cpr_number(number: str) -> None:
    # An accepted false alarm, like the mobile number typed without spaces.
    assert found(number) == (DANISH, number)


# --- birth dates written with dashes -----------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "kind"),
    [
        ("1981-12-18-9876", SWEDISH),
        ("81-12-18-9876", SWEDISH),
        ("1981-12-18 9876", SWEDISH),
        ("81-12-18 9876", SWEDISH),
        ("1981-12-18 - 9876", SWEDISH),
        ("81-12-18+9876", SWEDISH),  # over a hundred years old
        ("1981-12-18-98 76", SWEDISH),
        ("1970-10-63-2391", SWEDISH),  # samordningsnummer
        ("70-10-63-2391", SWEDISH),
        ("15-03-45-1234", DANISH),
        ("15-03-45 1234", DANISH),
    ],
)
def test_a_number_whose_birth_date_is_written_with_dashes_is_found(
    number: str, kind: IdentityKind
) -> None:
    assert found(number) == (kind, number)
    assert found(f"Personnummer: {number}.") == (kind, number)


def test_any_dash_separates_the_groups_of_a_birth_date() -> None:
    assert found_normalised("1981\u201312\u201318\u20139876") == (SWEDISH, "1981-12-18-9876")
    assert found_normalised("81\u221212\u221218 9876") == (SWEDISH, "81-12-18 9876")
    assert found_normalised("15\u201103\u201145\u20111234") == (DANISH, "15-03-45-1234")


@pytest.mark.parametrize(
    "text",
    [
        "1981-12-189876",  # without a separator a number is one unbroken run
        "81-12-189876",
        "1981-12-1898 76",
        "1981-12-18-9875",  # bad checksum, and 19 81 is no CPR date
        "1981-12-18+9876",  # a "+" says nothing once the century is written out
        "15-03-45+1234",  # a CPR number has no "+"
        "15-13-45-1234",  # month 13
        "81-12 18-9876",  # dashes and spaces are not mixed inside a birth date
        "81 12-18-9876",
    ],
)
def test_a_number_with_a_dashed_birth_date_still_has_to_fit(text: str) -> None:
    assert found(text) is None


# --- file names and link addresses -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("811218_9876.pdf", (SWEDISH, "811218_9876")),
        ("811218.9876", (SWEDISH, "811218.9876")),
        ("811218/9876", (SWEDISH, "811218/9876")),
        ("19811218_9876", (SWEDISH, "19811218_9876")),
        ("1981-12-18_9876.pdf", (SWEDISH, "1981-12-18_9876")),
        ("betyg_811218_9876.pdf", (SWEDISH, "811218_9876")),
        ("journal.811218.9876.docx", (SWEDISH, "811218.9876")),
        ("https://skolan.example/elev/811218/9876", (SWEDISH, "811218/9876")),
        ("https://skolan.example/elev?pnr=811218.9876&x=1", (SWEDISH, "811218.9876")),
        ("cpr_150345_1234.pdf", (DANISH, "150345_1234")),
        ("https://kommune.example/sag/150345/1234", (DANISH, "150345/1234")),
    ],
)  # fmt: skip
def test_an_underscore_a_dot_or_a_slash_separates_birth_part_and_serial(
    text: str, expected: tuple[IdentityKind, str]
) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "81 12 18_9876",  # a file name or an address has no spaces
        "811218_98 76",
        "811218 _9876",
        "811218/ 9876",
        "811218__9876",  # one separator, not two
        "811218./9876",
        "811218_98765",  # a longer run is never hidden inside
        "8112189_9876",
        "811218.9875",  # bad checksum, and 81 is no day for a Dane
        "151345/1234",  # month 13
        # Only the birth part and the serial: a date with dots or slashes is a date, and
        # French phone numbers are written in dotted pairs.
        "81.12.18-9876",
        "81/12/18-9876",
        "81_12_18_9876",
        "Mødet er 04.12.26 kl. 17",
        "Ring 06.12.34.56.78",
        "Version 1.2.3.4567",
    ],
)
def test_file_and_link_separators_only_join_an_unspaced_birth_part_to_its_serial(
    text: str,
) -> None:
    assert found(text) is None


# --- percent-encoded link addresses ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "decoded"),
    [
        ("https://skolan.example/elev?pnr=811218%2D9876", "811218-9876"),
        ("https://skolan.example/elev?pnr=811218%2d9876", "811218-9876"),  # lower case
        ("https://skolan.example/elev?pnr=811218%209876", "811218 9876"),
        ("https://skolan.example/elev?pnr=81%2012%2018-9876", "81 12 18-9876"),
        ("https://skolan.example/elev?pnr=811218%2B9876", "811218+9876"),
        ("https://skolan.example/elev?pnr=811218%E2%80%939876", "811218-9876"),  # en dash
        ("https://skolan.example/elev?pnr=811218%C2%A09876", "811218 9876"),  # no-break space
        ("https://skolan.example/elev?pnr=8112%E2%80%8B18-9876", "811218-9876"),  # zero width
        ("https://skolan.example/elev?pnr=%38%31%31%32%31%38-9876", "811218-9876"),
        ("https://kommune.example/?cpr=150345%201234", "150345 1234"),
        ("https://kommune.example/?cpr=150345%2D1234", "150345-1234"),
    ],
)
def test_a_percent_encoded_separator_in_a_link_counts(text: str, decoded: str) -> None:
    match = find_identity_number(text)
    assert match is not None
    assert normalise(unquote(text))[match.start : match.end] == decoded


def test_an_address_encoded_twice_or_three_times_is_decoded_as_often() -> None:
    # A link wrapped in another link's query, as a mail or chat link checker does it.
    twice = "https://safe.example/?u=https%3A%2F%2Fskolan.example%2F%3Fpnr%3D811218%252D9876"
    match = find_identity_number(twice)
    assert match is not None
    assert normalise(unquote(unquote(twice)))[match.start : match.end] == "811218-9876"
    assert find_identity_number("pnr=811218%25252D9876") is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The escape %30 would glue a digit on, and %81 would swallow two.
        ("https://x.example/811218-9876%30", (SWEDISH, "811218-9876")),
        ("%811218-9876", (SWEDISH, "811218-9876")),
        ("100%811218-9876", (SWEDISH, "811218-9876")),
    ],
)
def test_decoding_never_hides_a_number_the_text_shows_as_written(
    text: str, expected: tuple[IdentityKind, str]
) -> None:
    assert found(text) == expected


def test_the_plus_of_a_form_encoded_query_is_read_as_a_plus() -> None:
    # A known and documented gap: cpr=150345+1234 means a space to a web form, but a "+" rules
    # out a CPR number. The same number with %20 or %2D is caught, and so is a Swedish one.
    assert found("https://kommune.example/?cpr=150345+1234") is None
    assert find_identity_number("https://kommune.example/?cpr=150345%201234") is not None
    assert found("https://skolan.example/?pnr=811218+9876") == (SWEDISH, "811218+9876")


@pytest.mark.parametrize(
    "text",
    [
        "Rabatt 50% på allt, 20% på 1 500 kr",
        "https://x.example/kalender?dag=2026-12-04%2017%3A00",
        "https://x.example/kalender?fran=2026-12-01&till=2026-12-07",
        "https://x.example/ring?nr=070%20123%2045%2067",
        "https://x.example/ring?nr=%2B46%2070%20123%2045%2067",
        "https://x.example/sok?q=order%20123456-78901",
    ],
)
def test_decoded_links_of_ordinary_things_are_not_found(text: str) -> None:
    assert find_identity_number(text) is None


def test_a_percent_encoded_number_in_a_link_field_stops_the_message() -> None:
    fields = ["journal", "https://skolan.example/elev?pnr=811218%2D9876"]
    assert find_identity_number_in(fields) == IdentityNumber(SWEDISH, 32, 43)


# --- Unicode spaces, dashes, digits and invisible characters -----------------------------------


@pytest.mark.parametrize(
    "space",
    [
        "\u00a0",  # no-break space
        "\u202f",  # narrow no-break space
        "\u2009",  # thin space
        "\u2007",  # figure space
        "\u2002",  # en space
        "\u200a",  # hair space
        "\u205f",  # medium mathematical space
        "\u3000",  # ideographic space
        "\u1680",  # ogham space mark, which NFKC leaves alone
        "\t",  # a number pasted from a spreadsheet
    ],
)
def test_any_unicode_space_separates(space: str) -> None:
    assert found_normalised(f"811218{space}9876") == (SWEDISH, "811218 9876")
    assert found_normalised(f"81{space}12{space}18-9876") == (SWEDISH, "81 12 18-9876")
    assert found_normalised(f"150345{space}-{space}1234") == (DANISH, "150345 - 1234")
    assert found_normalised(f"19811218{space}98{space}76") == (SWEDISH, "19811218 98 76")


@pytest.mark.parametrize(
    "dash",
    [
        "\u2010",  # hyphen
        "\u2011",  # non-breaking hyphen
        "\u2012",  # figure dash
        "\u2013",  # en dash
        "\u2014",  # em dash
        "\u2015",  # horizontal bar
        "\u2212",  # minus sign
        "\u2796",  # heavy minus sign
        "\uff0d",  # full-width hyphen-minus
        "\ufe63",  # small hyphen-minus
        "\ufe58",  # small em dash
    ],
)
def test_any_dash_separates(dash: str) -> None:
    assert found_normalised(f"811218{dash}9876") == (SWEDISH, "811218-9876")
    assert found_normalised(f"19811218 {dash} 9876") == (SWEDISH, "19811218 - 9876")
    assert found_normalised(f"150345{dash}1234") == (DANISH, "150345-1234")


def in_digits_from(zero: int, text: str) -> str:
    """`text` with its ASCII digits written in the block of ten digits starting at `zero`."""
    return "".join(chr(zero + int(c)) if c.isdigit() else c for c in text)


@pytest.mark.parametrize(
    "zero",
    [
        0xFF10,  # full-width
        0x1D7CE,  # mathematical bold
        0x1D7D8,  # mathematical double-struck
        0x1D7E2,  # mathematical sans-serif
        0x1D7F6,  # mathematical monospace
    ],
)
def test_digits_nfkc_makes_ascii_are_read_as_digits(zero: int) -> None:
    assert found_normalised(in_digits_from(zero, "811218-9876")) == (SWEDISH, "811218-9876")
    assert found_normalised(in_digits_from(zero, "198112189876")) == (SWEDISH, "198112189876")
    assert found_normalised(in_digits_from(zero, "150345 1234")) == (DANISH, "150345 1234")


def test_a_full_width_number_as_a_japanese_or_chinese_keyboard_types_it_is_found() -> None:
    assert found_normalised(
        "\uff18\uff11\uff11\uff12\uff11\uff18\uff0d\uff19\uff18\uff17\uff16"
    ) == (
        SWEDISH,
        "811218-9876",
    )
    assert found_normalised("８1１2１8－9876") == (SWEDISH, "811218-9876")  # mixed widths


@pytest.mark.parametrize(
    "zero",
    [
        0x0660,  # Arabic-Indic
        0x06F0,  # extended Arabic-Indic (Persian, Urdu)
        0x0966,  # Devanagari
    ],
)
def test_digits_of_other_scripts_are_not_read_as_digits(zero: int) -> None:
    # Deliberate and documented: NFKC leaves them alone, and they are not what Swedish or
    # Danish numbers are written in. They do not count as digits next to ASCII ones either.
    assert found(in_digits_from(zero, "811218-9876")) is None
    assert found(in_digits_from(zero, "150345-1234")) is None
    assert found(in_digits_from(zero, "1") + "811218-9876") == (SWEDISH, "811218-9876")


@pytest.mark.parametrize(
    "invisible",
    [
        "\u200b",  # zero width space
        "\u200c",  # zero width non-joiner
        "\u200d",  # zero width joiner
        "\u2060",  # word joiner
        "\ufeff",  # zero width no-break space, the byte order mark
        "\u00ad",  # soft hyphen
        "\u200e",  # left-to-right mark
        "\u2066",  # left-to-right isolate
        "\u180e",  # Mongolian vowel separator
    ],
)
def test_invisible_characters_inside_a_number_are_ignored(invisible: str) -> None:
    swedish = f"8{invisible}11{invisible}218{invisible}-{invisible}98{invisible}76"
    assert found_normalised(swedish) == (SWEDISH, "811218-9876")
    assert found_normalised(invisible.join("8112189876")) == (SWEDISH, "8112189876")
    assert found_normalised(f"15 03 45{invisible}{invisible} 1234") == (DANISH, "15 03 45 1234")
    # Invisible characters join digits as a reader sees them, so a longer run stays a longer run.
    assert found(f"1{invisible}8112189876") is None


def test_the_offsets_are_into_the_normalised_text() -> None:
    text = "Pnr\u200b\u200b: 811218\u00a0\u2013\u00a09876"
    match = find_identity_number(text)
    assert match == IdentityNumber(SWEDISH, len("Pnr: "), len("Pnr: 811218 - 9876"))
    assert normalise(text)[match.start : match.end] == "811218 - 9876"


# --- normalise ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("Hej! Ring 070-123 45 67.", "Hej! Ring 070-123 45 67."),
        ("a\u00a0b\u202fc\u2009d\u1680e\tf", "a b c d e f"),
        ("1\u20102\u20113\u20124\u20135\u20146\u22127\uff0d8\ufe639", "1-2-3-4-5-6-7-8-9"),
        ("\uff11\U0001d7d0\u00b3", "123"),  # full-width, mathematical bold, superscript
        ("\u0661\u0662", "\u0661\u0662"),  # Arabic-Indic digits stay
        ("a\u200bb\u00adc\ufeffd\u2060e\u200df", "abcdef"),
        ("rad ett\nrad två", "rad ett\nrad två"),  # a line break is no space
        ("\uff0b46", "+46"),  # a full-width plus
    ],
)
def test_normalise_maps_spaces_dashes_and_digits_to_ascii_and_drops_invisible_ones(
    text: str, expected: str
) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Lisa 8\u200b11218\u00a0\u2011\u00a09876, \uff11\uff15\uff10\uff13\uff14\uff15",
        "e\u200d\u0301 \u00a8 \ufb01 \u2460",  # accents, a ligature, a circled digit
    ],
)
def test_normalise_is_idempotent(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)


# --- in messages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hej! Lisas personnummer är 811218-9876, kan du skicka det till skolan?",
         (SWEDISH, "811218-9876")),
        ("Pnr:198112189876.", (SWEDISH, "198112189876")),
        ("Hon har samordningsnummer 701063-2391 tills vidare.", (SWEDISH, "701063-2391")),
        ("(19811218 9876)", (SWEDISH, "19811218 9876")),
        ("Hans CPR-nummer er 150345-1234, og han bor i Odense.", (DANISH, "150345-1234")),
        ("CPR nr. 1503451234\nMvh Mette", (DANISH, "1503451234")),
        ("His number is 811218-9876.", (SWEDISH, "811218-9876")),
    ],
)  # fmt: skip
def test_a_number_inside_a_sentence_is_found_with_its_exact_offsets(
    text: str, expected: tuple[IdentityKind, str]
) -> None:
    assert found(text) == expected


def test_the_first_valid_number_is_reported() -> None:
    text = "Ordre 987654-3210, barnet 150345-1234, mamman 811218-9876"
    match = find_identity_number(text)
    assert match == IdentityNumber(DANISH, text.index("150345"), text.index(", mamman"))


def test_the_result_holds_offsets_and_never_the_digits() -> None:
    assert [field.name for field in dataclasses.fields(IdentityNumber)] == ["kind", "start", "end"]
    match = find_identity_number("811218-9876")
    assert match is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.start = 0  # type: ignore[misc]


# --- things that are not identity numbers ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Ring mig på 070-123 45 67 efter sex.",
        "Mitt nummer: +46 70 123 45 67",
        "+46701234567",
        "Ring 112 om det brinner!",
        "Ring til 112 eller +45 12 34 56 78",
        "Mötet är 2026-12-04 kl. 18:30-20:00.",
        "Mødet er 04-12-2026 kl. 18.30",
        "Jour 22:00-08:00",
        "Det kostar 1 500 kr.",
        "Det koster 12 500,00 kr",
        "Order 123456-7890 har skickats.",
        "Ordrenummer 987654-3210",
        "Fakturanr 20261204-0001",
        "Kontonummer 8327-9, 811218987612",  # a valid number with two more digits after it
        "IBAN DK50 0040 0440 1162 43",
        "Ref 08112189876",
        "Ref 81121898761",
        "19811218-98765",
        # phone numbers in their usual groups, also with Unicode spaces and dashes
        "Ring 070 123 45 67 eller 08-123 456 78",
        "070\u00a0123\u00a045\u00a067",
        "+46\u202f70\u202f123\u202f45\u202f67",
        "070\u2011123\u200945\u200967",
        "\uff10\uff17\uff10\uff0d\uff11\uff12\uff13 \uff14\uff15 \uff16\uff17",
        "Växeln 08-12 34 56, direkt 031-12 34 56",
        "Ring 12 34 56 78",  # a Danish number in pairs
        "+45 21 02 03 04",  # five pairs, but 45 is no day and the Swedish checksum fails
        "0045 21 02 03 04",
        "Storgatan 12, 811 21 Sandviken",
        # times, dates and ranges of them
        "Jour 17:00-22:00",
        "Jour 17:00\u201322:00",
        "Mötet är 2026-12-04.",
        "Mötet är 2026\u201112\u201104.",
        "Lägret 2026-12-04\u20132026-12-06",
        "Lägret 20261204\u201320261206",
        # amounts
        "Pris 1\u00a0299 kr",
        "Det koster 12\u202f500,00 kr",
        "Summa: 150 345,12 kr",
        # order numbers with longer digit runs
        "Order 81121898761",
        "Order 811218-98765",
        "Order 811218\u201398765",
        "Ordernr 1234567890123",
    ],
)
def test_phone_numbers_dates_amounts_and_order_numbers_are_not_found(text: str) -> None:
    assert find_identity_number(text) is None


def test_a_valid_number_glued_into_a_longer_digit_run_is_not_found() -> None:
    assert find_identity_number("12345678112189876") is None
    assert find_identity_number("8112189876" + "0000") is None


@pytest.mark.parametrize(
    "text",
    [
        # dates alone and with a clock time
        "2026-12-04",
        "Mötet är 2026-12-04.",
        "2026-12-04 17:00",
        "2026-12-07 17:00",  # 2026-12-07 1700 would pass the checksum; the colon rules it out
        "2026-12-07 17.00",
        "2026-12-04 kl 1700",  # a word between date and time: never a birth part and serial
        "2026-12-07 kl 1700",
        "2026-12-07 kl. 17.00",
        "2026-12-07T17:00",
        "Mødet er 04-12-2026 kl. 18.30",
        "04-12-2026 1700",
        "Screenshot_2026-12-04-17-00-00.png",
        "IMG_20261207_170012.jpg",
        "signal-2026-12-07-170012.jpg",
        # phone numbers
        "08-123 456 78",
        "070-123 45 67",
        "+46 70 123 45 67",
        "070.123.45.67",
        "Ring 12-34-56-78",  # a Danish number with dashes
        "+45 21-02-03-04",
        # order numbers
        "Order 2026-12-04-98765",
        "Ordernr 12-34-56-7890",
        "Best.nr 1234-56-78-9012",
        "Ordre 811218_98765",
        "Ordre 1811218/9876",
        "Order 2026-12-02-2026-1",
        # date ranges, the first half of which would pass as a number on its own
        "2026-12-01-2026-12-07",
        "Lägret 2026-12-02-2026-12-07",
        "Lägret 2026-12-02 - 2026-12-07",
        "Lägret 2026-12-02\u20132026-12-07",
        "Lägret 2026-12-02 \u2013 2026-12-07",
        # a date and a range of times
        "Jour 2026-12-07 1700-1900",
        "Jour 2026-12-07 1700 - 1900",
    ],
)
def test_dates_times_phone_and_order_numbers_do_not_fit_the_dashed_layouts(text: str) -> None:
    assert find_identity_number(text) is None


def test_the_first_half_of_a_date_range_alone_would_be_a_number() -> None:
    # What the ranges above rely on: only the dash and the digit after rule these out.
    assert found("2026-12-02-2026") == (SWEDISH, "2026-12-02-2026")
    assert found("2026-12-07 1700") == (SWEDISH, "2026-12-07 1700")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("04-12-26 1700", (DANISH, "04-12-26 1700")),  # 4 December 2026, then a time
        ("26-12-04 1700", (DANISH, "26-12-04 1700")),  # 26 December 2004 to a Dane
        ("2026-12-07 1700", (SWEDISH, "2026-12-07 1700")),  # about one in ten passes Luhn
        ("2026-12-07_1700.jpg", (SWEDISH, "2026-12-07_1700")),
    ],
)  # fmt: skip
def test_a_dashed_date_with_a_bare_four_digit_time_can_read_as_a_number(
    text: str, expected: tuple[IdentityKind, str]
) -> None:
    # An accepted false alarm, documented in the module: 1981-12-18 9876 must be caught, and
    # the same shape with a time in it cannot be told apart but by the checks.
    assert found(text) == expected
    assert found(f"{text[:-4]}17:00") is None


# --- several fields of one message -------------------------------------------------------------


def test_every_field_of_a_message_is_searched_and_none_is_skipped() -> None:
    fields = [
        None,  # no text, only a caption
        "Här är betyget",
        "betyg_19811218-9876.pdf",
        "https://skolan.example/elev?pnr=150345-1234",
    ]
    assert find_identity_number_in(fields) == find_identity_number("betyg_19811218-9876.pdf")
    assert find_identity_number_in(fields) == IdentityNumber(SWEDISH, 6, 19)


def test_the_first_field_with_a_number_decides() -> None:
    assert find_identity_number_in(["Barnet", "CPR 150345-1234", "811218-9876"]) == (
        IdentityNumber(DANISH, 4, 15)
    )


@pytest.mark.parametrize(
    "fields",
    [
        [],
        [None, None],
        ["Ring 070-123 45 67", None, "Storgatan 12, 811 21 Sandviken", ""],
        # Each field stands alone: the end of one and the start of the next never join up.
        ["Lisa 811218", "9876"],
    ],
)
def test_a_message_whose_fields_hold_no_number_is_safe(fields: list[str | None]) -> None:
    assert find_identity_number_in(fields) is None


def test_any_iterable_of_fields_will_do_and_it_stops_at_the_first_hit() -> None:
    read: list[str] = []

    def fields() -> Iterator[str | None]:
        for field in ["Omröstning", "Ja", "811218-9876", "Nej"]:
            read.append(field)
            yield field

    assert find_identity_number_in(fields()) == IdentityNumber(SWEDISH, 0, 11)
    assert read == ["Omröstning", "Ja", "811218-9876"]


def test_the_fields_are_normalised_one_by_one() -> None:
    contact = ["Lisa", "Berg", "\uff18\uff11\uff11\uff12\uff11\uff18\u2011\uff19\uff18\uff17\uff16"]
    assert find_identity_number_in(contact) == IdentityNumber(SWEDISH, 0, 11)
