"""How the coordinators' event tools read: each step of `/event new`, the list of events, an
event's card with its roster and buttons, the attendance buttons, the roster's CSV and the
families below the expected course days; apart from the handlers, so each is drawn and checked
without Telegram.

What a coordinator or a household typed (a title, a place, a household's name) is a parameter,
escaped by the Translator; in a button's label and in the CSV it is plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import paging
from bot.event_attendance import AttendanceProblem, FamilyCourseDays
from bot.event_drafts import (
    CAPACITY_CHOICES,
    NONE_TYPED,
    ChangeField,
    DeadlineChoice,
    Draft,
)
from bot.events import Roster
from bot.i18n import N_, Translator, plain
from bot.spreadsheet import nordic_csv, text_cell
from handlers import buttons
from handlers.common import split_lines
from handlers.confirmation import Confirmation
from handlers.event_text import AUDIENCES, KINDS, event_card, event_when
from handlers.shift_booking_text import button_rows, plain_button, turning_row, with_page_line
from storage.models import (
    Event,
    EventAudience,
    EventKind,
    EventListing,
    EventRosterLine,
    EventState,
)

# Telegram shows at most 100 buttons under a message: /event's events and an event's
# attendance buttons, one a row, are shown this many at a time, as many as a phone shows.
EVENTS_PER_PAGE = 20
HOUSEHOLDS_PER_PAGE = 20
_CAME, _NOT_CAME, _UNMARKED = "\u2705 ", "\u274c ", "\u25ab\ufe0f "


@dataclass(frozen=True, slots=True)
class Step:
    """A step's message, as the shift booking's are, but one may be answered by typing alone
    (a title, times): then it has no buttons."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


_DEADLINES = {
    DeadlineChoice.NONE: N_("event_admin.deadline_none"),
    DeadlineChoice.DAY_BEFORE: N_("event_admin.deadline_day"),
    DeadlineChoice.WEEK_BEFORE: N_("event_admin.deadline_week"),
}
_FIELDS = {
    ChangeField.TIME: N_("event_admin.change_time"),
    ChangeField.PLACE: N_("event_admin.change_place"),
    ChangeField.CAPACITY: N_("event_admin.change_capacity"),
    ChangeField.DEADLINE: N_("event_admin.change_deadline"),
}
_ASK_CHANGE = {
    ChangeField.TIME: N_("event_admin.ask_change_time"),
    ChangeField.PLACE: N_("event_admin.ask_change_place"),
    ChangeField.CAPACITY: N_("event_admin.ask_change_capacity"),
    ChangeField.DEADLINE: N_("event_admin.ask_change_deadline"),
}
_ATTENDANCE_PROBLEMS = {
    AttendanceProblem.NOT_FOUND: N_("event_admin.attendance_not_found"),
    AttendanceProblem.NOT_STARTED: N_("event_admin.attendance_not_started"),
    AttendanceProblem.CANCELLED: N_("event.already_cancelled"),
}


def _keyboard(rows: Sequence[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(row) for row in rows if row])


def _skip(t: Translator) -> InlineKeyboardButton:
    return plain_button(t("event_admin.skip"), buttons.event_new_skip())


# /event new -------------------------------------------------------------------------------


def kind_step(t: Translator) -> Step:
    kinds = (plain_button(t(KINDS[kind]), buttons.event_new_kind(kind)) for kind in EventKind)
    return Step(t("event_admin.ask_kind"), _keyboard(button_rows(kinds, 2)))


def title_step(t: Translator, kind: EventKind) -> Step:
    return Step(t("event_admin.ask_title", kind=t(KINDS[kind])))


def description_step(t: Translator) -> Step:
    return Step(t("event_admin.ask_description"), _keyboard([[_skip(t)]]))


def day_step(t: Translator, days: Sequence[date]) -> Step:
    choices = (plain_button(t.day(day), buttons.event_new_day(day)) for day in days)
    return Step(t("event_admin.ask_day"), _keyboard(button_rows(choices, 2)))


def times_step(t: Translator, day: date) -> Step:
    return Step(t("event_admin.ask_times", day=t.day(day)))


def place_step(t: Translator) -> Step:
    return Step(t("event_admin.ask_place"), _keyboard([[_skip(t)]]))


def capacity_step(t: Translator) -> Step:
    choices = [
        plain_button(t("event_admin.capacity_people", n=n), buttons.event_new_capacity(n))
        for n in CAPACITY_CHOICES
    ]
    unlimited = plain_button(t("event_admin.no_limit"), buttons.event_new_capacity(None))
    return Step(t("event_admin.ask_capacity"), _keyboard([*button_rows(choices, 4), [unlimited]]))


def audience_step(t: Translator) -> Step:
    choices = [
        [plain_button(t(AUDIENCES[audience]), buttons.event_new_audience(audience))]
        for audience in EventAudience
    ]
    return Step(t("event_admin.ask_audience"), _keyboard(choices))


def children_step(t: Translator) -> Step:
    return Step(
        t("event_admin.ask_children"),
        _keyboard(
            [
                [
                    plain_button(t("event_admin.children_yes"), buttons.event_new_children(True)),
                    plain_button(t("event_admin.children_no"), buttons.event_new_children(False)),
                ]
            ]
        ),
    )


def deadline_step(t: Translator) -> Step:
    choices = [
        [plain_button(t(_DEADLINES[choice]), buttons.event_new_deadline(choice))]
        for choice in DeadlineChoice
    ]
    return Step(t("event_admin.ask_deadline"), _keyboard(choices))


def _details_lines(t: Translator, event: Event) -> list[str]:
    """Who it is for and whether children come: what a coordinator checks beside the card."""
    lines = [t("event_admin.audience_line", audience=t(AUDIENCES[event.details.audience]))]
    if event.details.children_along:
        lines.append(t("event_admin.children_line"))
    return lines


def preview_step(t: Translator, draft: Draft, tz: ZoneInfo) -> Step | None:
    """The event as it will be listed, with Create and Cancel; None before it has its times."""
    details = draft.details()
    if details is None:
        return None
    listing = EventListing(Event(0, details, EventState.OPEN), 0, 0)
    text = "\n".join(
        [
            t("event_admin.preview"),
            "",
            event_card(t, listing, tz),
            *_details_lines(t, listing.event),
        ]
    )
    choices = [
        plain_button(t("event_admin.create"), buttons.event_new_create(True)),
        plain_button(t("event_admin.cancel_draft"), buttons.event_new_create(False)),
    ]
    return Step(text, _keyboard([choices]))


# /event -----------------------------------------------------------------------------------


def _label(t: Translator, event: Event, tz: ZoneInfo) -> str:
    mark = "\u274c " if event.state is EventState.CANCELLED else ""
    return f"{mark}{t.day(event.details.starts_at.astimezone(tz).date())} · {event.details.title}"


def events_step(
    t: Translator, listings: Sequence[EventListing], tz: ZoneInfo, number: int = 0
) -> Step:
    """The coming events and the recent ones, each a button that opens it, a page at a time:
    a shared catalogue of a year's courses is more than a keyboard holds."""
    if not listings:
        return Step(t("event_admin.none"))
    shown = paging.page(listings, number, EVENTS_PER_PAGE)
    choices = [
        [plain_button(_label(t, listing.event, tz), buttons.event_open(listing.event.id))]
        for listing in shown.items
    ]
    turning = turning_row(t, shown, buttons.event_list_page)
    return Step(with_page_line(t, t("event_admin.list"), shown), _keyboard([*choices, turning]))


def _party(t: Translator, line: EventRosterLine, position: int) -> str:
    signup = line.signup
    return t(
        "event_admin.roster_line",
        position=position,
        name=line.household_name or t("event_admin.anonymised"),
        adults=signup.adults,
        children=signup.children,
    )


def roster_lines(t: Translator, roster: Roster) -> list[str]:
    """Who has a place, with how many adults and children, then the waiting list in order."""
    lines = [t("event_admin.roster_places", people=roster.listing.confirmed_people)]
    lines += [_party(t, line, n) for n, line in enumerate(roster.confirmed, start=1)]
    if not roster.confirmed:
        lines.append(t("event_admin.roster_nobody"))
    if roster.waiting:
        lines.append(t("event_admin.roster_waiting"))
        lines += [_party(t, line, n) for n, line in enumerate(roster.waiting, start=1)]
    return lines


def event_step(
    t: Translator, roster: Roster, tz: ZoneInfo, now: datetime, heading: str | None = None
) -> list[Step]:
    """An event's card and roster, with what can be done to it now: before the start change
    and cancel it, after the start mark who came. The card, under `heading` if one is given,
    carries the buttons; a roster too long for one message goes on in the messages after it."""
    event = roster.listing.event
    lines = [*([heading, ""] if heading else []), event_card(t, roster.listing, tz)]
    lines += _details_lines(t, event)
    if event.state is EventState.CANCELLED:
        lines.append(t("event_admin.is_cancelled"))
    lines += ["", *roster_lines(t, roster)]
    row = [plain_button(t("event_admin.csv"), buttons.event_csv(event.id))]
    if event.state is not EventState.CANCELLED:
        if event.details.starts_at > now:
            row.append(plain_button(t("event_admin.change"), buttons.event_edit(event.id)))
            row.append(plain_button(t("event_admin.cancel_event"), buttons.event_cancel(event.id)))
        elif roster.confirmed:
            row.append(
                plain_button(t("event_admin.attendance"), buttons.event_attendance(event.id))
            )
    card, *rest = split_lines(lines)
    return [Step(card, _keyboard([row])), *(Step(text) for text in rest)]


def change_step(t: Translator, event: Event, tz: ZoneInfo) -> Step:
    choices = [
        plain_button(t(_FIELDS[field]), buttons.event_change(event.id, field))
        for field in ChangeField
    ]
    question = t("event_admin.ask_change", title=event.details.title, when=event_when(t, event, tz))
    return Step(question, _keyboard(button_rows(choices, 2)))


def ask_change(t: Translator, field: ChangeField) -> str:
    return t(_ASK_CHANGE[field], none=NONE_TYPED)


def changed_text(t: Translator, told: int) -> str:
    return t.plural("event_admin.changed", "event_admin.changed_plural", told)


def cancel_question(t: Translator, listing: EventListing, tz: ZoneInfo) -> Step:
    event = listing.event
    confirmed = buttons.event_cancel_confirm(Confirmation(event.id, event.details.starts_at))
    question = t(
        "event_admin.cancel_question",
        title=event.details.title,
        when=event_when(t, event, tz),
        people=listing.confirmed_people,
        waiting=listing.waiting,
    )
    choices = [
        plain_button(t("event_admin.cancel_yes"), confirmed),
        plain_button(t("event_admin.cancel_keep"), buttons.event_cancel_keep()),
    ]
    return Step(question, _keyboard([choices]))


def cancelled_text(t: Translator, told: int) -> str:
    return t.plural("event_admin.cancelled", "event_admin.cancelled_plural", told)


def attendance_step(
    t: Translator, roster: Roster, tz: ZoneInfo, number: int = 0, marked: int | None = None
) -> Step:
    """A button per household with a place, a page at a time, marked came, did not come or
    not yet; a press sets the other mark (not yet: came). The page shown is `number`, or the
    one that holds the sign-up just `marked`, so that marking does not turn the page."""
    event = roster.listing.event
    signups = [line.signup.id for line in roster.confirmed]
    if marked in signups:
        number = paging.page_holding(signups.index(marked), HOUSEHOLDS_PER_PAGE)
    shown = paging.page(roster.confirmed, number, HOUSEHOLDS_PER_PAGE)
    choices = []
    for line in shown.items:
        signup = line.signup
        mark = {True: _CAME, False: _NOT_CAME, None: _UNMARKED}[signup.attended]
        name = line.household_name or t("event_admin.anonymised")
        label = t("event_admin.attendance_button", name=name, people=signup.people)
        choices.append(
            [
                plain_button(
                    mark + label, buttons.attend(event.id, signup.id, signup.attended is not True)
                )
            ]
        )
    turning = turning_row(t, shown, lambda page: buttons.event_attendance_page(event.id, page))
    back = plain_button(t("event_admin.back"), buttons.event_open(event.id))
    came = sum(line.signup.people for line in roster.confirmed if line.signup.attended)
    question = t(
        "event_admin.attendance_question",
        title=event.details.title,
        when=event_when(t, event, tz),
        came=came,
        people=roster.listing.confirmed_people,
    )
    return Step(with_page_line(t, question, shown), _keyboard([*choices, turning, [back]]))


def attendance_problem(t: Translator, problem: AttendanceProblem) -> str:
    return t(_ATTENDANCE_PROBLEMS[problem])


def roster_csv(t: Translator, roster: Roster, tz: ZoneInfo) -> bytes:
    """The roster for a spreadsheet: a row per household, places first, then the waiting list
    in order, with whether they came once that is marked."""
    event = roster.listing.event
    state_labels = {
        True: plain(t("event_admin.csv_came")),
        False: plain(t("event_admin.csv_not_came")),
        None: "",
    }
    rows: list[tuple[object, ...]] = [
        (text_cell(event.details.title), plain(event_when(t, event, tz))),
        (
            plain(t("event_admin.csv_position")),
            plain(t("event_admin.csv_household")),
            plain(t("event_admin.csv_adults")),
            plain(t("event_admin.csv_children")),
            plain(t("event_admin.csv_state")),
            plain(t("event_admin.csv_signed_up")),
            plain(t("event_admin.csv_attended")),
        ),
    ]
    for lines, state in (
        (roster.confirmed, N_("event_admin.csv_place")),
        (roster.waiting, N_("event_admin.csv_waiting")),
    ):
        for position, line in enumerate(lines, start=1):
            signup = line.signup
            rows.append(
                (
                    position,
                    text_cell(line.household_name or plain(t("event_admin.anonymised"))),
                    signup.adults,
                    signup.children,
                    plain(t(state)),
                    f"{signup.queued_at.astimezone(tz):%Y-%m-%d %H:%M}",
                    state_labels[signup.attended],
                )
            )
    return nordic_csv(rows)


def roster_file_name(event: Event) -> str:
    return f"event-{event.id}-roster.csv"


# Course days ------------------------------------------------------------------------------


def courses_text(
    t: Translator, year: int, expected: int | None, below: Sequence[FamilyCourseDays]
) -> str:
    """The foster families below the expected course days this year, fewest first."""
    if expected is None:
        return t("event_admin.courses_off")
    if not below:
        return t("event_admin.courses_none_below", year=year, expected=expected)
    lines = [t("event_admin.courses_header", year=year, expected=expected)]
    lines += [
        t(
            "event_admin.courses_line",
            name=family.name or t("members.unnamed"),
            days=family.days,
            expected=expected,
        )
        for family in below
    ]
    return "\n".join(lines)


def course_days_line(t: Translator, days: int, expected: int) -> str:
    """For a family's own /events: "your course days this year: N of M"."""
    return t("event_admin.course_days_own", days=days, expected=expected)
