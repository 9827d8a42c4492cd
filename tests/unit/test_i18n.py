"""Every text a user can see exists in every catalogue, finished, with the same placeholders;
and whatever slips through reads in English, never as its key."""

import io
import string
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from bot.config import DEFAULT_TERMS, LANGUAGES, Terms
from bot.i18n import Html, load_catalogue, pick_language, translator
from bot.sandbox.methods import PROFILE_LIMITS
from tests.support import LOCALES, forms

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None, "t": None, "plural": (1, 2)}


def used_message_ids() -> set[str]:
    found: set[str] = set()
    for package in ("bot", "handlers"):
        for _, _, message, _, _ in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.update([message] if isinstance(message, str) else message)
    return found


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def catalogue_problems(locales: Path) -> list[str]:
    """What keeps the catalogues in `locales` from being shipped, one line a problem."""
    catalogues = {language: forms(locales, language) for language in LANGUAGES}
    english = catalogues["en"]
    problems: list[str] = []
    for language, entries in catalogues.items():
        for msgid in sorted(english.keys() | entries.keys()):
            if msgid not in entries:
                problems.append(f"{language}: {msgid} is missing")
            elif msgid not in english:
                problems.append(f"{language}: {msgid} is not in the English catalogue")
            elif not entries[msgid]:
                problems.append(f"{language}: {msgid} is fuzzy")
            elif not all(entries[msgid]):
                problems.append(f"{language}: {msgid} has an empty translation")
            elif len(entries[msgid]) != len(english[msgid]):
                problems.append(f"{language}: {msgid} has another number of plural forms")
            else:
                problems += [
                    f"{language}: {msgid} form {index} has {sorted(placeholders(text))}, "
                    f"English {sorted(placeholders(english_text))}"
                    for index, (text, english_text) in enumerate(
                        zip(entries[msgid], english[msgid], strict=True)
                    )
                    if placeholders(text) != placeholders(english_text)
                ]
    return problems


def test_the_code_uses_message_ids() -> None:
    assert {"start.stranger", "invite.created", "access.wrong_role"} <= used_message_ids()


def test_every_catalogue_is_complete_finished_and_has_the_english_placeholders() -> None:
    assert catalogue_problems(LOCALES) == []


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ('#, fuzzy\nmsgid "a"\nmsgstr "A {n}"\n', "sv: a is fuzzy"),
        ('msgid "a"\nmsgstr ""\n', "sv: a has an empty translation"),
        ('msgid "a"\nmsgstr "A {m}"\n', "sv: a form 0 has ['m'], English ['n']"),
        ('msgid "b"\nmsgstr "B"\n', "sv: a is missing"),
    ],
)
def test_the_catalogue_check_finds_each_kind_of_problem(
    tmp_path: Path, entry: str, problem: str
) -> None:
    header = 'msgid ""\nmsgstr "Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
    plural = 'msgid "p"\nmsgid_plural "p_plural"\nmsgstr[0] "one"\nmsgstr[1] "{n} of them"\n'
    for language in LANGUAGES:
        own = entry if language == "sv" else 'msgid "a"\nmsgstr "A {n}"\n'
        (tmp_path / f"{language}.po").write_text(f"{header}{own}\n{plural}")
    (tmp_path / "da.po").write_text(
        f'{header}msgid "a"\nmsgstr "A {{n}}"\n\n'
        'msgid "p"\nmsgid_plural "p_plural"\nmsgstr[0] "{n} af dem"\nmsgstr[1] "{n} af dem"\n'
    )
    found = catalogue_problems(tmp_path)
    assert problem in found
    assert "da: p form 0 has ['n'], English []" in found  # a plural is checked form by form


def test_the_code_uses_only_ids_the_catalogues_hold_and_all_of_them() -> None:
    english = set(forms(LOCALES, "en"))
    used = used_message_ids()
    assert sorted(used - english) == []
    assert sorted(english - used) == []


def test_a_fuzzy_or_missing_translation_reads_in_english_not_as_its_key() -> None:
    english = (LOCALES / "en.po").open("rb")
    with english:
        fallback = load_catalogue(english, "en")
    swedish = io.BytesIO(
        b'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n'
        b'#, fuzzy\nmsgid "role.family"\nmsgstr "familjehem"\n\n'
        b'msgid "role.mentor"\nmsgstr "mentorsfamilj"\n'
    )
    texts = load_catalogue(swedish, "sv", fallback)
    assert texts.gettext("role.family") == "foster family"
    assert texts.gettext("members.unnamed") == "(no name yet)"
    assert texts.ngettext("rota.csv_caption", "rota.csv_caption_plural", 2) == (
        "The rota from today: {n} shifts. Change, add or delete rows and send the file back; "
        "you confirm before any shift is removed."
    )
    assert texts.gettext("role.mentor") == "mentorsfamilj"


def test_parameters_are_escaped_unless_marked_safe() -> None:
    t = translator("en")
    assert t("start.welcome_back", name="<b>Eve</b> & co") == (
        "Welcome back, &lt;b&gt;Eve&lt;/b&gt; &amp; co."
    )
    assert t("start.welcome_back", name=Html("<i>x</i>")) == "Welcome back, <i>x</i>."


def test_language_is_chosen_member_first_then_telegram_then_fallback() -> None:
    assert pick_language("da", "sv", "en") == "da"
    assert pick_language(None, "sv-SE", "en") == "sv"
    assert pick_language(None, "de", "en") == "en"
    assert pick_language(None, None, "sv") == "sv"


def test_the_same_id_reads_differently_per_language() -> None:
    texts = {language: translator(language)("role.family") for language in LANGUAGES}
    assert texts == {"sv": "familjehem", "da": "plejefamilie", "en": "foster family"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_bots_descriptions_fit_telegrams_limits(language: str) -> None:
    """Telegram refuses a longer one, and the bot would start without it."""
    t = translator(language)
    for field, limit in PROFILE_LIMITS.items():
        assert 0 < len(t(f"profile.{field}")) <= limit, (language, field)


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("sv", ["45 sekunder", "1 minut", "1 timme", "1 timme och 30 minuter", "3 dagar"]),
        ("da", ["45 sekunder", "1 minut", "1 time", "1 time og 30 minutter", "3 dage"]),
        ("en", ["45 seconds", "1 minute", "1 hour", "1 hour and 30 minutes", "3 days"]),
    ],
)
def test_a_duration_reads_as_people_say_it(language: str, said: list[str]) -> None:
    minutes = [0.75, 1, 60, 90, 4320]
    t = translator(language)
    assert [t.duration(timedelta(minutes=m)) for m in minutes] == said


@pytest.mark.parametrize(
    ("length", "said"),
    [
        (timedelta(minutes=59, seconds=58), "1 timme"),  # a reminder a moment late
        (timedelta(hours=23, minutes=59, seconds=40), "1 dag"),  # rounding carries
        (timedelta(hours=23), "23 timmar"),  # not Babel's "1 day" at 85 % of one
        (timedelta(days=1, hours=2, minutes=5), "1 dag och 2 timmar"),
        (timedelta(minutes=2, seconds=30), "3 minuter"),  # seconds only under a minute
        (timedelta(seconds=-5), "0 sekunder"),
    ],
)
def test_a_duration_gives_two_units_at_most_rounded_half_up(length: timedelta, said: str) -> None:
    assert translator("sv").duration(length) == said


def test_a_length_of_time_as_a_parameter_reads_as_a_duration_in_the_texts_language() -> None:
    texts = [
        translator(language)("conversation.idle_mentor", number=3, idle=timedelta(hours=12))
        for language in LANGUAGES
    ]
    assert texts == [
        "Samtal #3 är avslutat: ingen har skrivit i det på 12 timmar.",
        "Samtale #3 er afsluttet: ingen har skrevet i den i 12 timer.",
        "Conversation #3 is closed: nobody has written in it for 12 hours.",
    ]


def test_the_unit_and_the_coordinators_title_are_the_municipalitys_own() -> None:
    terms = Terms(
        unit={**DEFAULT_TERMS.unit, "sv": "familjehemsgruppen i Örebro"},
        coordinator={**DEFAULT_TERMS.coordinator, "sv": "samordnare & handledare"},
    )
    t = translator("sv", terms)
    assert t("forget.notice").startswith("Familjehemsgruppen i Örebro har raderat")
    assert t("role.coordinator") == "samordnare &amp; handledare"
    assert translator("sv")("role.coordinator") == "familjehemssekreterare"
    assert translator("da")("forget.notice").startswith("Plejefamilieområdet har slettet")


@pytest.mark.parametrize(
    ("language", "starts"),
    [
        ("sv", "Påminnelse: ert pass #5 börjar om 1 timme (fre 27 nov. 17:00–22:00)."),
        ("da", "Påmindelse: jeres vagt #5 begynder om 1 time (fre 27 nov. 17:00–22:00)."),
        ("en", "Reminder: your shift #5 starts in 1 hour (fre 27 nov. 17:00–22:00)."),
    ],
)
def test_a_reminder_sent_a_moment_late_still_says_in_one_hour(language: str, starts: str) -> None:
    when = "fre 27 nov. 17:00–22:00"
    left = timedelta(minutes=59, seconds=57)
    assert translator(language)("reminder.text", number=5, left=left, when=when).startswith(starts)
