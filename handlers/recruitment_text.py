"""How the prospective family's side of information meetings reads: the meetings under a
stranger's /start, their own places there with a Cancel each, the answer to a second Sign up,
and what /forget of their registration would erase.

Built from the members' pieces (handlers/signup_text.py, handlers/event_text.py), so a meeting
reads for a stranger as an event does for a family; the coordinator's words and the name and
number the person typed are parameters, escaped by the Translator.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton

from bot.events import Confirmed, Waiting
from bot.i18n import Html, Translator, plain
from handlers import buttons
from handlers.event_text import event_when
from handlers.signup_text import Screen, card_screens, own_line, own_screen
from storage.models import EventListing, Interest

# /start shows the soonest meetings, this many at most, and says how many more come later:
# someone wondering whether to foster picks an evening soon, not from a year's catalogue,
# and the answer to /start stays one or two messages, well within Telegram's limits.
MEETINGS_SHOWN = 5


def _meeting_button(t: Translator, listing: EventListing, tz: ZoneInfo) -> InlineKeyboardButton:
    day = t.day(listing.event.details.starts_at.astimezone(tz).date())
    return InlineKeyboardButton(
        plain(t("interest.meeting_button", day=day)),
        callback_data=buttons.interest_meeting(listing.event.id),
    )


def meetings_screens(t: Translator, listings: Sequence[EventListing], tz: ZoneInfo) -> list[Screen]:
    """The coming information meetings under /start, a Sign up each: the soonest
    `MEETINGS_SHOWN`, then how many more come later; none at all without meetings."""
    if not listings:
        return []
    shown = listings[:MEETINGS_SHOWN]
    later = len(listings) - len(shown)
    footer = (
        t.plural("interest.more_meetings", "interest.more_meetings_plural", later)
        if later
        else None
    )
    return card_screens(
        t("interest.meetings_header"),
        t,
        shown,
        tz,
        lambda listing: _meeting_button(t, listing, tz),
        footer,
    )


def places_screen(
    t: Translator, own: Sequence[Confirmed | Waiting], tz: ZoneInfo, now: datetime
) -> Screen | None:
    """A stranger's places at meetings and places in line, each with its Cancel; None if they
    have none."""
    return own_screen(t, own, tz, now, buttons.interest_cancel)


def already_text(t: Translator, own: Confirmed | Waiting, tz: ZoneInfo) -> str:
    """A second Sign up for a meeting they are signed up for: where they stand, and that it
    changed nothing."""
    event = own.event
    title, when = event.details.title, event_when(t, event, tz)
    if isinstance(own, Waiting):
        return t("interest.already_waiting", title=title, when=when, n=own.position)
    return t("interest.already_place", title=title, when=when)


def forget_question(
    t: Translator, registration: Interest, own: Sequence[Confirmed | Waiting], tz: ZoneInfo
) -> str:
    """Before a stranger's /forget: the registration it erases, by name and number, and each
    place at a meeting it gives up."""
    name, phone = registration.name, registration.phone
    if not own:
        return t("forget.ask_interest", name=name, phone=phone)
    places = Html("\n".join(own_line(t, each, tz) for each in own))
    return t("forget.ask_interest_places", name=name, phone=phone, places=places)
