import unicodedata

import pytest

from bot.urgent import DEFAULT_URGENT_WORDS, find_urgent_word, parse_urgent_words

# --- the default list -------------------------------------------------------------------------


def test_the_default_list_is_lower_case_without_repeats_or_stray_whitespace() -> None:
    assert DEFAULT_URGENT_WORDS
    assert len(set(DEFAULT_URGENT_WORDS)) == len(DEFAULT_URGENT_WORDS)
    for word in DEFAULT_URGENT_WORDS:
        assert word == word.lower() == " ".join(word.split())


def test_the_default_list_survives_a_round_trip_through_configuration() -> None:
    assert parse_urgent_words(", ".join(DEFAULT_URGENT_WORDS)) == DEFAULT_URGENT_WORDS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Swedish
        ("Hon pratar om självmord.", "självmord"),
        ("Han sa att han vill ta livet av sig", "ta livet av"),
        ("Det har varit våld i hemmet", "våld"),
        ("Pappa slår henne", "slår"),
        ("Hon blev misshandlad i helgen", "misshand"),
        ("Vi misstänker övergrepp", "övergrepp"),
        ("Ska jag ringa polisen?", "polis"),
        ("Han hade en kniv i väskan", "kniv"),
        ("Han hotade henne", "hotad"),
        ("Hon blev hotad på vägen hem", "hotad"),
        ("Han har rymt hemifrån", "rymt"),
        ("Flickan är försvunnen sedan i går", "försvunn"),
        # Danish
        ("Hun har selvmordstanker", "selvmord"),
        ("Han vil tage sit eget liv", "tage sit eget liv"),
        ("Hun truede med at tage livet af sig", "tage livet af"),
        ("Der har været vold i familien", "vold"),
        ("Han blev mishandlet", "mishandl"),
        ("Vi frygter et overgreb", "overgreb"),
        ("Skal jeg ringe til politiet?", "politi"),
        ("Han fik en trussel på sms", "trussel"),
        ("Han har truet hende", "truet"),
        ("Hun er stukket af igen", "stukket af"),
        ("Han stak af i nat", "stak af"),
        ("Drengen er forsvundet", "forsvund"),
        # English
        ("She has been having suicidal thoughts", "suicid"),
        ("I just want to kill myself", "kill myself"),
        ("There was violence at home", "violen"),
        ("I think he is being abused", "abus"),
        ("Should I call the police?", "police"),
        ("He threatened her", "threat"),
        ("He had knives in his bag", "kniv"),  # the Swedish and Danish stem catches it first
        ("She pulled a knife", "knife"),
        ("Our foster son ran away last night", "ran away"),
        ("Our daughter is missing", "missing"),
    ],
)
def test_the_defaults_catch_danger_in_all_three_languages(text: str, expected: str) -> None:
    assert find_urgent_word(text, DEFAULT_URGENT_WORDS) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Hej! Kan ni ta barnen på lördag?",
        "Vi bor på hotell i helgen",  # not "hotar"/"hotad"
        "Han beslår hästen",  # "slår" inside a word
        "Vi tittade på rymden i kväll",  # why "rymde" is not listed
        "Tak for i går, det var hyggeligt",
        "Thanks for the lovely dinner on Saturday",
    ],
)
def test_the_defaults_stay_quiet_on_ordinary_messages(text: str) -> None:
    assert find_urgent_word(text, DEFAULT_URGENT_WORDS) is None


# --- matching ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Våldet har ökat", "våld"),
        ("Han misshandlade henne", "misshand"),
        ("Politiet kom i går", "politi"),
        ("polisanmälan är gjord", "polis"),
        ("självmordstankar", "självmord"),
        ("He is suicidal", "suicid"),
        ("I keep thinking about killing myself", "kill myself"),
        ("Han tar livet av sig", "ta livet av"),  # each word of a phrase may be inflected
    ],
)
def test_a_word_matches_the_start_of_inflections_and_compounds(text: str, word: str) -> None:
    assert find_urgent_word(text, [word]) == word


def test_a_whole_word_does_not_stand_for_a_different_inflection() -> None:
    # Only the start is free; the listed letters must all be there.
    assert find_urgent_word("He is suicidal", ["suicide"]) is None
    assert find_urgent_word("He is suicidal", ["suicid"]) == "suicid"
    assert find_urgent_word("Hon blev misshandlad", ["misshandel"]) is None


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Han beslår hästen", "slår"),
        ("Hon gick till kriminalpolisen", "polis"),
        ("Det var ett brutalt våld", "talt"),
        ("He has a big appetite", "pet"),
        ("overgrebet", "greb"),
    ],
)
def test_a_word_never_matches_inside_another_word(text: str, word: str) -> None:
    assert find_urgent_word(text, [word]) is None


@pytest.mark.parametrize(
    "text",
    [
        "VÅLD i hemmet",
        "Våld i hemmet",
        "vÅlD i hemmet",
        unicodedata.normalize("NFD", "Våld i hemmet"),  # the ring typed as a combining mark
    ],
)
def test_case_and_unicode_spelling_do_not_matter(text: str) -> None:
    assert find_urgent_word(text, ["våld"]) == "våld"
    assert find_urgent_word(text, [unicodedata.normalize("NFD", "VÅLD")]) is not None


def test_a_decomposed_letter_is_no_word_boundary() -> None:
    # Decomposed, "å" is "a" plus a mark; the mark must not let "slår" start mid-word.
    assert find_urgent_word(unicodedata.normalize("NFD", "håslår"), ["slår"]) is None


def test_casefolding_matches_sharp_s() -> None:
    assert find_urgent_word("GROSS", ["groß"]) == "groß"


@pytest.mark.parametrize(
    "text",
    [
        "Han vill ta\nlivet av sig",
        "Han vill ta  livet   av sig",
        "Han vill ta\tlivet\r\nav sig",
        "Han vill ta\u00a0livet av sig",  # a no-break space
        "Han vill TA LIVET AV sig",
    ],
)
def test_a_phrase_matches_across_any_whitespace(text: str) -> None:
    assert find_urgent_word(text, ["ta livet av"]) == "ta livet av"


def test_a_phrase_needs_every_word_in_order() -> None:
    assert find_urgent_word("Ta det lugnt, livet är långt", ["ta livet av"]) is None
    assert find_urgent_word("away, he ran", ["ran away"]) is None


def test_the_first_listed_word_wins_not_the_first_in_the_text() -> None:
    text = "Polisen kom, det var våld"
    assert find_urgent_word(text, ["våld", "polis"]) == "våld"
    assert find_urgent_word(text, ["polis", "våld"]) == "polis"


def test_the_word_comes_back_as_listed() -> None:
    assert find_urgent_word("det var våld", ["VÅLD"]) == "VÅLD"


def test_punctuation_around_a_word_is_a_boundary() -> None:
    assert find_urgent_word("(våld!)", ["våld"]) == "våld"
    assert find_urgent_word("anti-våld", ["våld"]) == "våld"
    assert find_urgent_word('"politi"', ["politi"]) == "politi"


def test_regex_characters_in_a_word_are_taken_literally() -> None:
    assert find_urgent_word("help.me", ["help.me"]) == "help.me"
    assert find_urgent_word("helpxme", ["help.me"]) is None


def test_blank_entries_and_an_empty_list_never_match() -> None:
    assert find_urgent_word("Allt är lugnt", ["", "   "]) is None
    assert find_urgent_word("Allt är lugnt", []) is None


# --- configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("självmord, våld, polis", ("självmord", "våld", "polis")),
        ("  Självmord ,VÅLD,  ", ("självmord", "våld")),
        ("ta  livet\tav, kniv", ("ta livet av", "kniv")),
        (",,våld,,", ("våld",)),
        ("våld, Våld, VÅLD", ("våld",)),
        ("suicide", ("suicide",)),
    ],
)
def test_parse_reads_words_as_an_operator_writes_them(raw: str, expected: tuple[str, ...]) -> None:
    assert parse_urgent_words(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", ",", " , ,, ", "\n"])
def test_parse_refuses_a_list_with_no_words(raw: str) -> None:
    with pytest.raises(ValueError, match="no urgent words"):
        parse_urgent_words(raw)
