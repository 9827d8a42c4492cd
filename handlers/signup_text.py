"""How the members' side of events reads: /events (what the household may join, each with its
Sign up button, then its own sign-ups, each with its Cancel), the questions of signing up, the
answers, and the reminder.

Every text here is built from the shared pieces of handlers/event_text.py, so an event reads in
/events as it does in a notice; the coordinator's words (title, place, description) are
parameters, escaped by the Translator. Button labels are plain text (`bot.i18n.plain`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.events import MAX_ADULTS, MAX_CHILDREN, Confirmed, Waiting
from bot.i18n import N_, Translator, plain
from handlers import buttons
from handlers.common import MESSAGE_BUDGET
from handlers.confirmation import Confirmation
from handlers.event_text import event_card, event_when
from storage.models import Event, EventListing, EventState, Signup, SignupState

# More events than this are listed without their descriptions, so the list stays a list.
SHORT_AFTER = 5
# Buttons in a row of the questions' numbers: thumb-sized on a phone.
NUMBERS_PER_ROW = 6


@dataclass(frozen=True, slots=True)
class Screen:
    """One message: its text and its buttons."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


def _label(t: Translator, msgid: str, title: str) -> str:
    return plain(t(msgid, title=title))


def signup_button(t: Translator, listing: EventListing) -> InlineKeyboardButton:
    """Sign up, or, when the event is full or has a waiting list, the same press labelled as
    what it does: a place on the waiting list."""
    title = listing.event.details.title
    full = listing.waiting > 0 or listing.places_left == 0
    msgid = N_("events.join_waiting_list") if full else N_("events.sign_up")
    return InlineKeyboardButton(
        _label(t, msgid, title), callback_data=buttons.signup(listing.event.id)
    )


def listing_screens(t: Translator, listings: Sequence[EventListing], tz: ZoneInfo) -> list[Screen]:
    """The events the household may join, soonest first, as few messages as Telegram's size
    takes, each with the Sign up buttons of the events it shows."""
    if not listings:
        return [Screen(t("events.none"))]
    return card_screens(
        t("events.header"), t, listings, tz, lambda listing: signup_button(t, listing)
    )


def card_screens(
    header: str,
    t: Translator,
    listings: Sequence[EventListing],
    tz: ZoneInfo,
    button: Callable[[EventListing], InlineKeyboardButton],
    footer: str | None = None,
) -> list[Screen]:
    """`header`, then a card per event (without descriptions when there are many) and
    `footer`, in as few messages as Telegram's size takes: a coordinator's long descriptions
    never make one too long to send. Each message carries the `button`s of its events."""
    describe = len(listings) <= SHORT_AFTER
    screens: list[Screen] = []
    chunk: list[str] = [header]
    chunk_buttons: list[list[InlineKeyboardButton]] = []
    size = len(header)
    for listing in listings:
        card = event_card(t, listing, tz, describe=describe)
        if chunk_buttons and size + len(card) + 2 > MESSAGE_BUDGET:
            screens.append(Screen("\n\n".join(chunk), InlineKeyboardMarkup(chunk_buttons)))
            chunk, chunk_buttons, size = [], [], 0
        chunk.append(card)
        chunk_buttons.append([button(listing)])
        size += len(card) + 2
    if footer is not None:
        chunk.append(footer)
    screens.append(Screen("\n\n".join(chunk), InlineKeyboardMarkup(chunk_buttons)))
    return screens


def _people(t: Translator, adults: int, children: int) -> str:
    said = t.plural("signup.adults", "signup.adults_plural", adults)
    if children:
        said = t("signup.adults_and_children", adults=said, children=children_said(t, children))
    return said


def children_said(t: Translator, children: int) -> str:
    return t.plural("signup.children", "signup.children_plural", children)


def own_line(t: Translator, own: Confirmed | Waiting, tz: ZoneInfo) -> str:
    event, signup = own.event, own.signup
    title, when = event.details.title, event_when(t, event, tz)
    people = _people(t, signup.adults, signup.children)
    if event.state is EventState.CANCELLED:
        return t("events.own_cancelled", title=title, when=when)
    if isinstance(own, Waiting):
        return t("events.own_waiting", title=title, when=when, people=people, n=own.position)
    return t("events.own_confirmed", title=title, when=when, people=people)


def _cancel_label(t: Translator, event: Event, signup_waiting: bool, now: datetime) -> str:
    title = event.details.title
    if event.state is EventState.CANCELLED:
        return _label(t, N_("events.cancelled_button"), title)
    if event.details.starts_at <= now:
        return _label(t, N_("events.started_button"), title)
    msgid = N_("events.leave_waiting_list") if signup_waiting else N_("events.cancel")
    return _label(t, msgid, title)


def own_screen(
    t: Translator,
    own: Sequence[Confirmed | Waiting],
    tz: ZoneInfo,
    now: datetime,
    cancel_data: Callable[[int], str] = buttons.my_signup_cancel,
) -> Screen | None:
    """The household's (or a stranger's) sign-ups, each with its Cancel, whose data
    `cancel_data` makes of the sign-up's number; None if it has none."""
    if not own:
        return None
    lines = [t("events.own_header"), *(own_line(t, each, tz) for each in own)]
    keyboard = [
        [
            InlineKeyboardButton(
                _cancel_label(t, each.event, isinstance(each, Waiting), now),
                callback_data=cancel_data(each.signup.id),
            )
        ]
        for each in own
    ]
    return Screen("\n".join(lines), InlineKeyboardMarkup(keyboard))


def _number_rows(data: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    row: list[InlineKeyboardButton] = []
    rows: list[list[InlineKeyboardButton]] = []
    for number, callback in data:
        row.append(InlineKeyboardButton(str(number), callback_data=callback))
        if len(row) == NUMBERS_PER_ROW:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    return InlineKeyboardMarkup(rows)


def adults_question(t: Translator, event: Event) -> Screen:
    return Screen(
        t("signup.how_many_adults", title=event.details.title),
        _number_rows([(n, buttons.signup_adults(event.id, n)) for n in range(1, MAX_ADULTS + 1)]),
    )


def children_question(t: Translator, event: Event, adults: int) -> Screen:
    return Screen(
        t(
            "signup.how_many_children",
            title=event.details.title,
            adults=t.plural("signup.adults", "signup.adults_plural", adults),
        ),
        _number_rows(
            [(n, buttons.signup_children(event.id, adults, n)) for n in range(0, MAX_CHILDREN + 1)]
        ),
    )


def party_text(t: Translator, event: Event, signup: Signup) -> str:
    """What the question becomes once answered: who was signed up."""
    return t(
        "signup.party",
        title=event.details.title,
        people=_people(t, signup.adults, signup.children),
    )


def confirmed_text(t: Translator, event: Event, tz: ZoneInfo) -> str:
    return t("signup.confirmed", title=event.details.title, when=event_when(t, event, tz))


def waiting_text(t: Translator, event: Event, position: int) -> str:
    return t("signup.waiting", title=event.details.title, n=position)


def cancelled_text(t: Translator, event: Event, signup: Signup) -> str:
    """A place given up, or a place on the waiting list."""
    if signup.state is SignupState.WAITING:
        return t("signup.left_waiting_list", title=event.details.title)
    return t("signup.cancelled", title=event.details.title)


def late_keyboard(t: Translator, signup: Signup) -> InlineKeyboardMarkup:
    """Under "the deadline has passed: give the place up anyway?": Give up, and Keep. Give up
    names the sign-up by its number and the second it was made (handlers/confirmation.py)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain(t("signup.late_confirm")),
                    callback_data=buttons.my_signup_late(Confirmation(signup.id, signup.queued_at)),
                ),
                InlineKeyboardButton(
                    plain(t("signup.late_keep")), callback_data=buttons.my_signup_keep()
                ),
            ]
        ]
    )


def reminder_text(t: Translator, listing: EventListing, left: timedelta, tz: ZoneInfo) -> str:
    """The reminder a household with a place gets: how soon, then the event's card."""
    return (
        t("signup.reminder", title=listing.event.details.title, left=left)
        + "\n\n"
        + event_card(t, listing, tz)
    )
