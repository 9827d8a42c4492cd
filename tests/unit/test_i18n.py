"""Every text a user can see exists in every catalogue, with the same placeholders."""

import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.config import LANGUAGES
from bot.i18n import Html, pick_language, translator
from bot.sandbox.methods import PROFILE_LIMITS

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


def catalogue(language: str) -> dict[str, str]:
    """Id -> text; both ids of a plural entry map to its forms, empty if any form is missing."""
    texts: dict[str, str] = {}
    with (ROOT / "bot" / "locales" / f"{language}.po").open("rb") as po_file:
        for message in read_po(po_file):
            if isinstance(message.id, str) and message.id:
                assert isinstance(message.string, str), message.id
                texts[message.id] = message.string
            elif isinstance(message.id, tuple):
                assert isinstance(message.string, tuple | list), message.id
                forms = list(message.string)
                for msgid in message.id:
                    texts[msgid] = "|".join(forms) if all(forms) else ""
    return texts


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_code_uses_message_ids() -> None:
    assert {"start.stranger", "invite.created", "access.wrong_role"} <= used_message_ids()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_id_is_translated(language: str) -> None:
    texts = catalogue(language)
    missing = sorted(mid for mid in used_message_ids() if not texts.get(mid))
    assert missing == [], f"{language}.po lacks {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogues_hold_no_unused_ids(language: str) -> None:
    unused = sorted(set(catalogue(language)) - used_message_ids())
    assert unused == [], f"{language}.po has ids the code no longer uses: {unused}"


@pytest.mark.parametrize("language", ["sv", "da"])
def test_placeholders_match_english(language: str) -> None:
    english, other = catalogue("en"), catalogue(language)
    wrong = [mid for mid in english if placeholders(english[mid]) != placeholders(other[mid])]
    assert wrong == []


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
