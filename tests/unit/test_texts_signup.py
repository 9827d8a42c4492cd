"""How the members' side of events reads, in Swedish, Danish and English: /events with a Sign up
button per event (labelled as the waiting list when full) and every message within Telegram's
size, the household's own sign-ups with a Cancel each, the questions' number buttons, the
answers, and the reminder; the coordinator's words stay text."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.events import MAX_ADULTS, MAX_CHILDREN, Confirmed, Waiting
from bot.i18n import translator
from handlers import buttons
from handlers.common import MESSAGE_BUDGET
from handlers.signup_text import (
    SHORT_AFTER,
    Screen,
    adults_question,
    cancelled_text,
    children_question,
    confirmed_text,
    late_keyboard,
    listing_screens,
    own_screen,
    party_text,
    reminder_text,
    waiting_text,
)
from storage.models import (
    Event,
    EventAudience,
    EventDetails,
    EventKind,
    EventListing,
    EventState,
    Signup,
    SignupState,
)
from tests.unit.telegram_support import LANGUAGES

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 12, 2, 10, tzinfo=UTC)
TITLE = "Sömn <& skärmar>"
ESCAPED = "Sömn &lt;&amp; skärmar&gt;"


def event(event_id: int = 3, *, children_along: bool = False, title: str = TITLE) -> Event:
    details = EventDetails(
        kind=EventKind.OUTING if children_along else EventKind.THEME_MORNING,
        title=title,
        starts_at=datetime(2026, 12, 12, 8, tzinfo=UTC),
        ends_at=datetime(2026, 12, 12, 10, 30, tzinfo=UTC),
        audience=EventAudience.FAMILIES,
        description="Ta med <b>frågor</b>. " * 20,
        place="Stadshuset",
        capacity=10,
        children_along=children_along,
    )
    return Event(event_id, details, EventState.OPEN)


def listing(event_id: int = 3, confirmed: int = 0, waiting: int = 0) -> EventListing:
    return EventListing(event(event_id), confirmed, waiting)


def signup(
    state: SignupState = SignupState.CONFIRMED, adults: int = 2, children: int = 0
) -> Signup:
    return Signup(
        8, 3, 5, None, adults, children, state, datetime(2026, 12, 1, 9, 30, 15, tzinfo=UTC)
    )


def labels(screen: Screen) -> list[str]:
    assert screen.keyboard is not None
    return [button.text for row in screen.keyboard.inline_keyboard for button in row]


def data(screen: Screen) -> list[object]:
    assert screen.keyboard is not None
    return [button.callback_data for row in screen.keyboard.inline_keyboard for button in row]


def test_the_list_shows_each_card_with_its_sign_up_button_the_title_as_text() -> None:
    (screen,) = listing_screens(translator("sv"), [listing(3), listing(4, confirmed=10)], STOCKHOLM)
    assert screen.text.startswith("Det här kan ni anmäla er till:\n\n")
    assert f"<b>{ESCAPED}</b> (Temaförmiddag)" in screen.text
    assert "<b>frågor" not in screen.text  # the description's markup stays text
    assert "Ta med &lt;b&gt;frågor&lt;/b&gt;" in screen.text
    # Labels are plain text: the title as typed, never escaped twice.
    assert labels(screen) == [f"Anmäl: {TITLE}", f"Fullt – väntelista: {TITLE}"]
    assert data(screen) == [buttons.signup(3), buttons.signup(4)]


def test_a_waiting_list_makes_the_button_say_so_even_with_places_left() -> None:
    (screen,) = listing_screens(translator("en"), [listing(3, confirmed=2, waiting=1)], STOCKHOLM)
    assert labels(screen) == [f"Full – waiting list: {TITLE}"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_nothing_open_is_one_friendly_line_without_buttons(language: str) -> None:
    assert [
        (s.text.count("\n"), s.keyboard)
        for s in listing_screens(translator(language), [], STOCKHOLM)
    ] == [(0, None)]


def test_many_events_are_short_and_split_within_telegrams_limit_each_with_its_buttons() -> None:
    many = [listing(n) for n in range(1, 61)]
    screens = listing_screens(translator("da"), many, STOCKHOLM)
    assert len(screens) > 1
    assert all(len(screen.text) <= MESSAGE_BUDGET for screen in screens)
    assert [d for screen in screens for d in data(screen)] == [
        buttons.signup(n) for n in range(1, 61)
    ]
    # Many: the short form, without the descriptions.
    assert "frågor" not in "".join(screen.text for screen in screens)
    few = listing_screens(translator("da"), many[:SHORT_AFTER], STOCKHOLM)
    assert all("frågor" in screen.text for screen in few)  # a few: each with its description


def test_own_signups_show_a_place_with_its_time_and_a_wait_with_its_number() -> None:
    t = translator("sv")
    confirmed = Confirmed(event(3), signup(adults=1))
    waiting = Waiting(event(4), replace(signup(SignupState.WAITING, 2, 3), id=9), 2)
    screen = own_screen(t, [confirmed, waiting], STOCKHOLM, NOW)
    assert screen is not None
    assert screen.text.splitlines() == [
        "Era anmälningar:",
        f"✅ <b>{ESCAPED}</b>, lör 12 dec. 09:00–11:30: plats för 1 vuxen",
        f"⏳ <b>{ESCAPED}</b>, lör 12 dec. 09:00–11:30: 2 vuxna och 3 barn, "
        "nummer 2 på väntelistan",
    ]
    assert labels(screen) == [f"Avanmäl: {TITLE}", f"Lämna väntelistan: {TITLE}"]
    assert data(screen) == [buttons.my_signup_cancel(8), buttons.my_signup_cancel(9)]
    assert own_screen(t, [], STOCKHOLM, NOW) is None


def test_a_cancelled_or_started_events_button_says_so() -> None:
    t = translator("en")
    cancelled = Confirmed(replace(event(3), state=EventState.CANCELLED), signup())
    screen = own_screen(t, [cancelled], STOCKHOLM, NOW)
    assert screen is not None and "cancelled" in screen.text
    assert labels(screen) == [f"Cancelled: {TITLE}"]
    started = own_screen(t, [Confirmed(event(3), signup())], STOCKHOLM, event().details.starts_at)
    assert started is not None and labels(started) == [f"Has started: {TITLE}"]


def test_the_questions_offer_the_numbers_the_domain_takes() -> None:
    t = translator("sv")
    adults = adults_question(t, event())
    assert adults.text == f"Hur många vuxna kommer till <b>{ESCAPED}</b>?"
    assert labels(adults) == [str(n) for n in range(1, MAX_ADULTS + 1)]
    assert data(adults)[1] == buttons.signup_adults(3, 2)
    children = children_question(t, event(children_along=True), 2)
    assert children.text.startswith(f"2 vuxna till <b>{ESCAPED}</b>. Och hur många barn")
    assert labels(children) == [str(n) for n in range(0, MAX_CHILDREN + 1)]
    assert data(children)[0] == buttons.signup_children(3, 2, 0)
    assert children.keyboard is not None
    assert all(len(row) <= 6 for row in children.keyboard.inline_keyboard)


@pytest.mark.parametrize(
    ("language", "party", "confirmed", "waiting"),
    [
        (
            "sv",
            f"Anmälan till <b>{ESCAPED}</b>: 2 vuxna och 1 barn.",
            f"Klart: ni har plats på <b>{ESCAPED}</b>, lör 12 dec. 09:00–11:30.",
            f"<b>{ESCAPED}</b> är fullt, så ni står på väntelistan, som nummer 3.",
        ),
        (
            "da",
            f"Tilmelding til <b>{ESCAPED}</b>: 2 voksne og 1 barn.",
            f"Så er det på plads: I har plads til <b>{ESCAPED}</b>, lør. 12 dec. 09:00–11:30.",
            f"<b>{ESCAPED}</b> er fuldt, så I står på ventelisten, som nummer 3.",
        ),
        (
            "en",
            f"Sign-up for <b>{ESCAPED}</b>: 2 adults and 1 child.",
            f"Done: you have a place at <b>{ESCAPED}</b>, Sat 12 Dec 09:00–11:30.",
            f"<b>{ESCAPED}</b> is full, so you are on the waiting list, number 3.",
        ),
    ],
)
def test_the_answers_say_who_was_signed_up_and_whether_a_place_is_theirs(
    language: str, party: str, confirmed: str, waiting: str
) -> None:
    t = translator(language)
    outing = event(children_along=True)
    assert party_text(t, outing, signup(adults=2, children=1)) == party
    assert confirmed_text(t, outing, STOCKHOLM).startswith(confirmed)
    assert waiting_text(t, outing, 3).startswith(waiting)


def test_giving_up_a_place_and_a_place_in_line_read_differently() -> None:
    t = translator("en")
    assert (
        cancelled_text(t, event(), signup()) == f"You have given up your place at <b>{ESCAPED}</b>."
    )
    assert "waiting list" in cancelled_text(t, event(), signup(SignupState.WAITING))


def test_a_late_cancellation_asks_with_the_signup_named_by_number_and_second() -> None:
    keyboard = late_keyboard(translator("sv"), signup())
    give_up, keep = (button for row in keyboard.inline_keyboard for button in row)
    assert (give_up.text, keep.text) == ("Lämna platsen", "Behåll")
    assert give_up.callback_data == "my-signup:late:8:1796117415"
    assert keep.callback_data == buttons.my_signup_keep()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_reminder_says_how_soon_then_carries_the_card(language: str) -> None:
    text = reminder_text(
        translator(language), listing(3, confirmed=4), timedelta(days=1), STOCKHOLM
    )
    first, _, card = text.partition("\n\n")
    assert ESCAPED in first and TITLE not in text
    assert {"sv": "1 dag", "da": "1 dag", "en": "1 day"}[language] in first
    assert card.startswith(f"<b>{ESCAPED}</b>") and "Stadshuset" in card
