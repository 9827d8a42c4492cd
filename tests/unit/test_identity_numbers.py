import dataclasses

import pytest

from bot.identity_numbers import IdentityKind, IdentityNumber, find_identity_number

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
    ],
)
def test_phone_numbers_dates_amounts_and_order_numbers_are_not_found(text: str) -> None:
    assert find_identity_number(text) is None


def test_a_valid_number_glued_into_a_longer_digit_run_is_not_found() -> None:
    assert find_identity_number("12345678112189876") is None
    assert find_identity_number("8112189876" + "0000") is None
