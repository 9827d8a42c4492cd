"""How an event reads in a chat, in Swedish, Danish and English: its card with the places left,
a time over one day or several, the coordinator's words kept as typed, and a line for every
reason a sign-up, a cancellation or a change was refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.events import CancelProblem, Confirmed, EventProblem, SignUpProblem, Waiting
from bot.i18n import translator
from bot.paging import page
from handlers import buttons
from handlers.broadcasts import events_keyboard, signup_buttons
from handlers.event_text import (
    AUDIENCES,
    KINDS,
    cancel_problem,
    event_card,
    event_problem,
    event_when,
    signup_problem,
)
from handlers.recruitment import adults_keyboard
from handlers.recruitment_text import already_text, meetings_screens
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


def listing(
    confirmed: int = 0,
    waiting: int = 0,
    capacity: int | None = 10,
    ends_at: datetime = datetime(2026, 12, 12, 10, 30, tzinfo=UTC),
) -> EventListing:
    details = EventDetails(
        kind=EventKind.THEME_MORNING,
        title="Sömn <& skärmar>",
        starts_at=datetime(2026, 12, 12, 8, tzinfo=UTC),
        ends_at=ends_at,
        audience=EventAudience.FAMILIES,
        description="Ta med <b>frågor</b>",
        place="Stadshuset & sal 2",
        capacity=capacity,
        signup_deadline=datetime(2026, 12, 10, 11, tzinfo=UTC),
    )
    return EventListing(Event(3, details, EventState.OPEN), confirmed, waiting)


def test_a_card_shows_the_coordinators_words_as_typed_never_as_markup() -> None:
    card = event_card(translator("sv"), listing(confirmed=4), STOCKHOLM)
    assert card.splitlines() == [
        "<b>Sömn &lt;&amp; skärmar&gt;</b> (Temaförmiddag)",
        "🕘 lör 12 dec. 09:00\u201311:30",
        "📍 Stadshuset &amp; sal 2",
        "6 platser kvar av 10",
        "Sista anmälan: tors 10 dec. 12:00",
        "Ta med &lt;b&gt;frågor&lt;/b&gt;",
    ]


def test_a_card_without_its_description_for_short_lists() -> None:
    card = event_card(translator("en"), listing(), STOCKHOLM, describe=False)
    assert "questions" not in card and "frågor" not in card
    assert card.splitlines()[-1] == "Sign up by Thu 10 Dec 12:00"


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        (listing(confirmed=9), {"sv": "1 plats kvar av 10", "en": "1 place left of 10"}),
        (
            listing(confirmed=10),
            {"sv": "Fullt: 0 på väntelistan", "en": "Full: 0 on the waiting list"},
        ),
        # Anyone waiting means full to a newcomer, whatever is free: the list is served in order.
        (
            listing(confirmed=7, waiting=1),
            {"sv": "Fullt: 1 på väntelistan", "en": "Full: 1 on the waiting list"},
        ),
        (listing(capacity=None), {"sv": "Obegränsat antal platser", "en": "No limit on places"}),
    ],
)
def test_the_places_say_what_a_newcomer_would_get(
    shown: EventListing, expected: dict[str, str]
) -> None:
    for language, line in expected.items():
        assert event_card(translator(language), shown, STOCKHOLM).splitlines()[3] == line


def test_an_event_over_several_days_shows_both_moments_in_full() -> None:
    weekend = listing(ends_at=datetime(2026, 12, 13, 15, tzinfo=UTC)).event
    assert event_when(translator("da"), weekend, STOCKHOLM) == (
        "lør. 12 dec. 09:00 \u2013 søn. 13 dec. 16:00"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_kind_audience_and_refusal_has_its_own_line(language: str) -> None:
    t = translator(language)
    english = translator("en")
    texts = [
        *(t(KINDS[kind]) for kind in EventKind),
        *(t(AUDIENCES[audience]) for audience in EventAudience),
    ]
    assert len(set(texts)) == len(texts)
    refusals = [
        *(event_problem(t, problem) for problem in EventProblem),
        *(signup_problem(t, problem) for problem in SignUpProblem),
        *(cancel_problem(t, problem) for problem in CancelProblem),
    ]
    assert all(line and "." in line for line in refusals)
    if language != "en":
        assert event_problem(t, EventProblem.PAST) != event_problem(english, EventProblem.PAST)


def test_a_strangers_start_lists_the_meetings_with_a_sign_up_button_each() -> None:
    shown = [listing(), listing(capacity=None)]
    for language, header, label in (
        ("sv", "<b>Kommande informationsmöten</b>", "Anmäl mig: lör 12 dec."),
        ("da", "<b>Kommende informationsmøder</b>", "Tilmeld mig: lør. 12 dec."),
        ("en", "<b>Coming information meetings</b>", "Sign up: Sat 12 Dec"),
    ):
        t = translator(language)
        [screen] = meetings_screens(t, shown, STOCKHOLM)
        assert screen.text.startswith(header + "\n\n")
        assert screen.text.count("Sömn &lt;&amp; skärmar&gt;") == 2
        assert screen.keyboard is not None
        rows = screen.keyboard.inline_keyboard
        assert [(b.text, b.callback_data) for row in rows for b in row] == [
            (label, buttons.interest_meeting(3))
        ] * 2
    assert meetings_screens(translator("sv"), [], STOCKHOLM) == []
    [counts] = adults_keyboard(translator("sv")).inline_keyboard
    assert [b.text for b in counts] == ["1", "2", "3", "4"]


def test_a_strangers_start_shows_five_meetings_and_how_many_more_in_each_language() -> None:
    many = [listing() for _ in range(8)]
    for language, more in (
        ("sv", "3 informationsmöten till kommer senare"),
        ("da", "3 informationsmøder mere kommer senere"),
        ("en", "3 more information meetings come later"),
    ):
        screens = meetings_screens(translator(language), many, STOCKHOLM)
        assert sum(len(s.keyboard.inline_keyboard) for s in screens if s.keyboard) == 5
        assert all(len(screen.text) <= 4096 for screen in screens)
        assert screens[-1].text.split("\n\n")[-1].startswith(more)
    [one_more] = meetings_screens(translator("en"), many[:6], STOCKHOLM)
    assert one_more.text.endswith(
        "\n\n1 more information meeting comes later; it is listed "
        "here once the ones above are over."
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_second_sign_up_says_in_one_line_where_one_stands(language: str) -> None:
    t = translator(language)
    event = listing().event
    signup = Signup(7, event.id, None, 4, 2, 0, SignupState.WAITING, event.details.starts_at)
    place = already_text(
        t, Confirmed(event, replace(signup, state=SignupState.CONFIRMED)), STOCKHOLM
    )
    waiting = already_text(t, Waiting(event, signup, 3), STOCKHOLM)
    assert "\n" not in place + waiting and place != waiting
    assert "Sömn &lt;&amp; skärmar&gt;" in place and " 3 " in waiting


def test_a_newsletters_events_are_ticked_when_chosen_and_signed_up_for_as_shown() -> None:
    long_title = replace(
        listing().event,
        details=replace(listing().event.details, title="Sömn, skärmar och läxor – en kväll <om>"),
    )
    offered = [listing().event, long_title]
    for language, first, done in (
        ("sv", "lör 12 dec. Sömn <& skärmar>", "Fortsätt"),
        ("da", "lør. 12 dec. Sömn <& skärmar>", "Fortsæt"),
        ("en", "Sat 12 Dec Sömn <& skärmar>", "Continue"),
    ):
        t = translator(language)
        rows = events_keyboard(t, page(offered, 0, 20), [3], STOCKHOLM).inline_keyboard
        texts = [button.text for row in rows for button in row]
        assert texts[0] == "\u2705 " + first  # chosen; the title as typed, never markup
        # The same number (3) is ticked too; its long title is shortened to fit a phone.
        assert texts[1].startswith("\u2705 ")
        assert texts[1].endswith(" Sömn, skärmar och läxor – en kv\u2026")
        assert texts[2] == done
        assert [b.callback_data for row in rows for b in row] == [
            buttons.broadcast_event(3),
            buttons.broadcast_event(3),
            buttons.broadcast_events_done(),
        ]
    [button] = signup_buttons(translator("sv"), [listing().event], STOCKHOLM)
    assert (button.label, button.data) == ("Anmäl er: lör 12 dec. Sömn <& skärmar>", "signup:3")
