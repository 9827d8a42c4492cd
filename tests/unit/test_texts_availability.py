"""How availability reads in a chat, in Swedish, Danish and English: days away with their
reason, the reasons a day or a take was refused, and the open gaps' buttons, which say when a
gap is no longer open."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.availability import AwayProblem, TakeProblem
from bot.i18n import translator
from handlers import buttons
from handlers.availability import away_keyboard, offers_keyboard, reason_keyboard
from handlers.rota_text import away_lines, away_problem, take_problem
from storage.models import AwayReason, AwaySpan, GapOffer, GapOfferState
from tests.unit.telegram_support import LANGUAGES, shown

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Mon 7 to Sun 13 Dec 2026, local midnight to midnight.
WEEK = AwaySpan(
    5,
    2,
    datetime(2026, 12, 6, 23, tzinfo=UTC),
    datetime(2026, 12, 13, 23, tzinfo=UTC),
    AwayReason.ILLNESS,
)
DAYS = {
    "sv": "mån 7 dec.–sön 13 dec.",
    "da": "man. 7 dec.–søn. 13 dec.",
    "en": "Mon 7 Dec–Sun 13 Dec",
}
ILLNESS = {"sv": "Sjukdom", "da": "Sygdom", "en": "Illness"}


def offer(number: int, state: GapOfferState) -> GapOffer:
    start = datetime(2026, 12, 7, 16, tzinfo=UTC)
    return GapOffer(number, start, start.replace(hour=21), state, None, None)


@pytest.mark.parametrize("language", LANGUAGES)
def test_days_away_read_as_whole_local_days_with_the_reason_chosen(language: str) -> None:
    t = translator(language)
    lines = [shown(line) for line in away_lines(t, [WEEK], STOCKHOLM)]
    assert lines[1] == f"  {DAYS[language]} ({ILLNESS[language]})"
    assert len(away_lines(t, [], STOCKHOLM)) == 1  # "none marked", and no header
    keyboard = away_keyboard(t, [WEEK], STOCKHOLM).inline_keyboard
    assert keyboard[0][0].text.endswith(DAYS[language])
    assert keyboard[0][0].callback_data == buttons.away_remove(5)
    assert [b.callback_data for b in keyboard[1]] == ["away:week:this", "away:week:next"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_refusal_is_one_line_in_every_language(language: str) -> None:
    t = translator(language)
    lines = [away_problem(t, p) for p in AwayProblem] + [take_problem(t, p) for p in TakeProblem]
    assert all(line and "\n" not in line for line in lines)
    assert "92" in away_problem(t, AwayProblem.TOO_LONG)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_gaps_button_says_whether_it_can_still_be_taken(language: str) -> None:
    t = translator(language)
    states = [GapOfferState.OPEN, GapOfferState.ASKED, GapOfferState.TAKEN, GapOfferState.CLOSED]
    rows = offers_keyboard(
        t, [offer(n, state) for n, state in enumerate(states, 1)], STOCKHOLM
    ).inline_keyboard
    labels = [row[0].text for row in rows[:-1]]
    assert all(label.endswith("17:00–22:00") for label in labels)
    assert len(set(labels)) == 3  # taken and closed read the same: not open
    assert labels[2] == labels[3]
    assert [row[0].callback_data for row in rows] == [
        "gap:1",
        "gap:2",
        "gap:3",
        "gap:4",
        "away:show",  # and last, the way to say when one cannot
    ]
    reasons = reason_keyboard(t, date(2026, 12, 7), date(2026, 12, 13)).inline_keyboard[0]
    assert [b.callback_data for b in reasons] == [
        f"away:why:2026-12-07:2026-12-13:{reason.value}" for reason in AwayReason
    ]
