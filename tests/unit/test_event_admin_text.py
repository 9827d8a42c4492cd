"""The coordinators' event texts and keyboards, in each language: /event new's steps, the
roster and its CSV, the attendance buttons, the families below the expected course days, the
report's event figures; what someone typed stays text. And the typed answers they read."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import event_drafts
from bot.event_attendance import FamilyCourseDays
from bot.event_drafts import ChangeField, DeadlineChoice, Draft
from bot.events import EventProblem, Roster
from bot.i18n import translator
from bot.stats import EventFigures
from bot.stats_files import event_lines
from handlers import buttons, event_admin_text
from handlers.common import MESSAGE_BUDGET
from storage.models import (
    Event,
    EventAudience,
    EventDetails,
    EventKind,
    EventListing,
    EventRosterLine,
    EventState,
    Signup,
    SignupState,
)

TZ = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
STARTS = datetime(2026, 12, 10, 8, 0, tzinfo=UTC)  # 09:00 in Stockholm
TITLE = "Barn <3 & bonusföräldrar"
MORNING = EventDetails(
    kind=EventKind.THEME_MORNING,
    title=TITLE,
    starts_at=STARTS,
    ends_at=STARTS + timedelta(hours=2, minutes=30),
    audience=EventAudience.FAMILIES,
    place="Familjens hus",
    capacity=10,
)
LANGUAGES = ("sv", "da", "en")


def data(keyboard: object) -> list[str]:
    rows = getattr(keyboard, "inline_keyboard", ())
    return [str(button.callback_data) for row in rows for button in row]


def texts(keyboard: object) -> list[str]:
    rows = getattr(keyboard, "inline_keyboard", ())
    return [button.text for row in rows for button in row]


def line(
    number: int, name: str | None, state: SignupState, adults: int, attended: bool | None = None
) -> EventRosterLine:
    signup = Signup(
        number, 7, number, None, adults, 1, state, NOW + timedelta(minutes=number), attended
    )
    return EventRosterLine(signup, name)


def roster(event: Event) -> Roster:
    return Roster(
        EventListing(event, 8, 1),
        [
            line(1, "Familjen Ek", SignupState.CONFIRMED, 2, True),
            line(2, "=Lind & Co", SignupState.CONFIRMED, 3),
        ],
        [line(3, None, SignupState.WAITING, 2)],
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_step_of_event_new_asks_with_its_own_buttons(language: str) -> None:
    t = translator(language)
    days = [date(2026, 12, 2) + timedelta(days=n) for n in range(14)]
    kinds = event_admin_text.kind_step(t)
    assert data(kinds.keyboard) == [buttons.event_new_kind(kind) for kind in EventKind]
    assert event_admin_text.title_step(t, EventKind.OUTING).keyboard is None
    assert data(event_admin_text.description_step(t).keyboard) == [buttons.event_new_skip()]
    assert data(event_admin_text.day_step(t, days).keyboard) == [
        buttons.event_new_day(day) for day in days
    ]
    assert event_admin_text.times_step(t, days[3]).keyboard is None
    assert data(event_admin_text.capacity_step(t).keyboard) == [
        *(buttons.event_new_capacity(n) for n in event_drafts.CAPACITY_CHOICES),
        buttons.event_new_capacity(None),
    ]
    assert data(event_admin_text.audience_step(t).keyboard) == [
        buttons.event_new_audience(audience) for audience in EventAudience
    ]
    assert len(data(event_admin_text.children_step(t).keyboard)) == 2
    assert data(event_admin_text.deadline_step(t).keyboard) == [
        buttons.event_new_deadline(choice) for choice in DeadlineChoice
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_preview_shows_the_event_with_what_was_typed_as_text(language: str) -> None:
    t = translator(language)
    draft = Draft(
        EventKind.OUTING,
        title=TITLE,
        starts_at=MORNING.starts_at,
        ends_at=MORNING.ends_at,
        children_along=True,
        capacity=30,
    )
    step = event_admin_text.preview_step(t, draft, TZ)
    assert step is not None
    assert "Barn &lt;3 &amp; bonusföräldrar" in step.text and "<3" not in step.text
    assert "09:00\u201311:30" in step.text
    assert data(step.keyboard) == [buttons.event_new_create(True), buttons.event_new_create(False)]
    assert event_admin_text.preview_step(t, Draft(EventKind.OUTING, title="x"), TZ) is None


def test_a_card_offers_change_and_cancel_before_the_start_and_attendance_after() -> None:
    t = translator("sv")
    event = Event(7, MORNING, EventState.OPEN)
    [before] = event_admin_text.event_step(t, roster(event), TZ, NOW)
    [after] = event_admin_text.event_step(t, roster(event), TZ, STARTS + timedelta(hours=1))
    cancelled = Event(7, MORNING, EventState.CANCELLED)
    [gone] = event_admin_text.event_step(t, roster(cancelled), TZ, NOW)

    assert data(before.keyboard) == [
        buttons.event_csv(7),
        buttons.event_edit(7),
        buttons.event_cancel(7),
    ]
    assert data(after.keyboard) == [buttons.event_csv(7), buttons.event_attendance(7)]
    assert data(gone.keyboard) == [buttons.event_csv(7)]
    assert "1. Familjen Ek: 2 vuxna, 1 barn" in before.text
    assert "2. =Lind &amp; Co: 3 vuxna, 1 barn" in before.text
    assert before.text.index("Väntelista") < before.text.index("1. (namnet raderat): 2 vuxna")
    assert "Inställt" in gone.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_attendance_marks_each_household_and_a_press_sets_the_other_mark(language: str) -> None:
    t = translator(language)
    step = event_admin_text.attendance_step(t, roster(Event(7, MORNING, EventState.OPEN)), TZ)
    assert data(step.keyboard) == [
        buttons.attend(7, 1, False),  # came: a press says it did not
        buttons.attend(7, 2, True),  # not marked: a press says it came
        buttons.event_open(7),
    ]
    assert texts(step.keyboard)[:2] == ["\u2705 Familjen Ek (3)", "\u25ab\ufe0f =Lind & Co (4)"]


def many(count: int) -> Roster:
    """An outing after its start with `count` households with a place."""
    event = Event(7, replace(MORNING, capacity=None), EventState.OPEN)
    confirmed = [line(n, f"Familjen {n:03}", SignupState.CONFIRMED, 2) for n in range(1, count + 1)]
    return Roster(EventListing(event, 3 * count, 0), confirmed, [])


def test_a_long_roster_goes_on_in_messages_after_the_card_each_within_the_limit() -> None:
    t = translator("sv")
    card, *rest = event_admin_text.event_step(t, many(200), TZ, STARTS + timedelta(hours=1))
    assert rest and all(len(step.text) <= MESSAGE_BUDGET for step in [card, *rest])
    assert data(card.keyboard) == [buttons.event_csv(7), buttons.event_attendance(7)]
    assert all(step.keyboard is None for step in rest)
    text = "\n".join(step.text for step in [card, *rest])
    assert all(f"{n}. Familjen {n:03}: 2 vuxna" in text for n in range(1, 201))


def test_attendance_is_paged_and_a_marked_household_keeps_its_page() -> None:
    t = translator("sv")
    first = event_admin_text.attendance_step(t, many(45), TZ)
    last, more, back = texts(first.keyboard)[-3:]
    assert (last, more, back) == ("\u25ab\ufe0f Familjen 020 (3)", "Fler ›", "Till evenemanget")
    assert "Sida 1 av 3" in first.text
    marked = event_admin_text.attendance_step(t, many(45), TZ, 0, marked=30)
    assert "Sida 2 av 3" in marked.text
    assert data(marked.keyboard)[-3:] == [
        buttons.event_attendance_page(7, 0),
        buttons.event_attendance_page(7, 2),
        buttons.event_open(7),
    ]


def test_the_roster_csv_is_nordic_excel_with_typed_names_as_text() -> None:
    t = translator("sv")
    raw = event_admin_text.roster_csv(t, roster(Event(7, MORNING, EventState.OPEN)), TZ)
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == [TITLE, "tors 10 dec. 09:00\u201311:30"]
    assert rows[2] == ["1", "Familjen Ek", "2", "1", "har plats", "2026-12-02 11:01", "kom"]
    assert rows[3][1] == "'=Lind & Co"  # a formula typed as a name stays text
    assert rows[4][:5] == ["1", "(namnet raderat)", "2", "1", "väntelista"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_report_names_each_kind_held_with_its_figures(language: str) -> None:
    t = translator(language)
    figures = [
        EventFigures(EventKind.COURSE, 2, 40, 0, 31, 25, 3, 4),
        EventFigures(EventKind.OUTING, 1, 0, 1, 12, 0, 0, 0),
        EventFigures(EventKind.OTHER, 0, 0, 0, 0, 0, 0, 0),
    ]
    lines = event_lines(t, figures)
    assert len(lines) == 3  # a header, then the kinds that were held
    assert re.search(r"\b2\b.*\b40\b.*\b31\b.*\b25\b.*\b4\b.*\b3\b", lines[1])
    assert "(1 " in lines[2]
    assert event_lines(t, figures[2:]) == [t("event_admin.stats_none")]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_families_below_the_expected_course_days(language: str) -> None:
    t = translator(language)
    below = [FamilyCourseDays("Ek <&> Co", 0), FamilyCourseDays(None, 2)]
    text = event_admin_text.courses_text(t, 2026, 4, below)
    assert "Ek &lt;&amp;&gt; Co: 0" in text and "2026" in text
    assert event_admin_text.courses_text(t, 2026, None, below) == t("event_admin.courses_off")
    assert "4" in event_admin_text.courses_text(t, 2026, 4, [])
    assert "3" in event_admin_text.course_days_line(t, 3, 5)


# The typed answers ---------------------------------------------------------------------------


def test_a_new_time_a_capacity_and_a_deadline_read_as_the_booking_reads_them() -> None:
    today = date(2026, 12, 2)
    event = Event(7, MORNING, EventState.OPEN)
    moved = event_drafts.read_change(event, ChangeField.TIME, "12/12 9-11.30", today, TZ)
    assert moved is not None
    assert (moved.starts_at, moved.ends_at) == (
        datetime(2026, 12, 12, 8, 0, tzinfo=UTC),
        datetime(2026, 12, 12, 10, 30, tzinfo=UTC),
    )
    assert event_drafts.read_change(event, ChangeField.TIME, "12/12 nine", today, TZ) is None
    unlimited = event_drafts.read_change(event, ChangeField.CAPACITY, "-", today, TZ)
    assert unlimited is not None and unlimited.capacity is None
    assert event_drafts.read_change(event, ChangeField.CAPACITY, "tolv", today, TZ) is None
    end_of_day = event_drafts.parse_deadline("8/12", today, TZ)
    assert end_of_day == datetime(2026, 12, 8, 23, 0, tzinfo=UTC)  # midnight in Stockholm
    assert event_drafts.parse_deadline("8/12 12:00", today, TZ) == datetime(
        2026, 12, 8, 11, 0, tzinfo=UTC
    )
    assert event_drafts.parse_deadline("8/12 noon", today, TZ) is None
    assert event_drafts.deadline_before(STARTS, DeadlineChoice.WEEK_BEFORE) == STARTS - timedelta(
        days=7
    )


def test_a_draft_is_refused_as_the_stored_event_would_be() -> None:
    draft = Draft(
        EventKind.COURSE, title="Kurs", starts_at=STARTS, ends_at=STARTS + timedelta(hours=3)
    )
    assert Draft(EventKind.COURSE, title="  ").problem(NOW) is EventProblem.NO_TITLE
    assert draft.problem(STARTS) is EventProblem.PAST
    late = replace(draft, signup_deadline=STARTS + timedelta(hours=1))
    assert late.problem(NOW) is EventProblem.DEADLINE_AFTER_START
    assert replace(draft, capacity=0).problem(NOW) is EventProblem.BAD_CAPACITY
    assert draft.problem(NOW) is None
