"""How an event reads in a chat: its kind, who it is for, when and where, the places left, and
why something about it was refused.

Shared by the members' /events, the coordinators' event commands, the reminders and the
notices of a change, so an event looks the same in a listing, a confirmation and a reminder.
The title, place and description are the coordinator's (or the catalogue's) words: they are
parameters, escaped by the Translator, never markup.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.events import KIND_LABELS, CancelProblem, EventProblem, SignUpProblem
from bot.i18n import N_, Translator
from storage.models import Event, EventAudience, EventListing

KINDS = KIND_LABELS  # the evaluation report names the kinds too, from bot/

AUDIENCES = {
    EventAudience.FAMILIES: N_("event.audience_families"),
    EventAudience.MENTORS: N_("event.audience_mentors"),
    EventAudience.EVERYONE: N_("event.audience_everyone"),
    EventAudience.PROSPECTIVE: N_("event.audience_prospective"),
}

_EVENT_PROBLEMS = {
    EventProblem.NOT_FOUND: N_("event.not_found"),
    EventProblem.CANCELLED: N_("event.already_cancelled"),
    EventProblem.NO_TITLE: N_("event.no_title"),
    EventProblem.BACKWARDS: N_("event.backwards"),
    EventProblem.PAST: N_("event.past"),
    EventProblem.STARTED: N_("event.started"),
    EventProblem.DEADLINE_AFTER_START: N_("event.deadline_after_start"),
    EventProblem.BAD_CAPACITY: N_("event.bad_capacity"),
    EventProblem.CAPACITY_TOO_SMALL: N_("event.capacity_too_small"),
    EventProblem.TOO_LONG: N_("event.too_long"),
    EventProblem.AUDIENCE_SIGNED_UP: N_("event.audience_signed_up"),
    EventProblem.KIND_SIGNED_UP: N_("event.kind_signed_up"),
    EventProblem.CHILDREN_SIGNED_UP: N_("event.children_signed_up"),
}

_SIGNUP_PROBLEMS = {
    SignUpProblem.NOT_FOUND: N_("event.not_found"),
    SignUpProblem.NOT_OPEN: N_("signup.not_open"),
    SignUpProblem.DEADLINE: N_("signup.deadline"),
    SignUpProblem.AUDIENCE: N_("signup.audience"),
    SignUpProblem.ALREADY: N_("signup.already"),
    SignUpProblem.BAD_COUNTS: N_("signup.bad_counts"),
    SignUpProblem.NO_CHILDREN: N_("signup.no_children"),
    SignUpProblem.TOO_MANY: N_("signup.too_many"),
}

_CANCEL_PROBLEMS = {
    CancelProblem.NOT_FOUND: N_("signup.cancel_not_found"),
    CancelProblem.STARTED: N_("signup.cancel_started"),
    CancelProblem.EVENT_CANCELLED: N_("signup.cancel_event_cancelled"),
    CancelProblem.LATE: N_("signup.cancel_late"),
}


def event_when(t: Translator, event: Event, tz: ZoneInfo) -> str:
    """ "lör 24 okt. 09:00–11:30", or both moments in full when it runs over more than a day."""
    starts, ends = event.details.starts_at, event.details.ends_at
    if (ends - starts).days == 0 and starts.astimezone(tz).date() == ends.astimezone(tz).date():
        return t.span(starts, ends, tz)
    return f"{t.moment(starts, tz)} \u2013 {t.moment(ends, tz)}"


def places(t: Translator, listing: EventListing) -> str:
    """What is left of the event's places, as someone deciding whether to sign up needs it."""
    left = listing.places_left
    if left is None:
        return t("event.places_unlimited")
    if left == 0 or listing.waiting:
        return t.plural("event.full_waiting", "event.full_waiting_plural", listing.waiting)
    capacity = listing.event.details.capacity
    return t.plural("event.places_left", "event.places_left_plural", left, capacity=capacity)


def event_head(t: Translator, event: Event, tz: ZoneInfo) -> str:
    """What the event is, when and where: the lines a notice about it carries."""
    details = event.details
    lines = [
        t("event.title_line", title=details.title, kind=t(KINDS[details.kind])),
        t("event.when_line", when=event_when(t, event, tz)),
    ]
    if details.place:
        lines.append(t("event.place_line", place=details.place))
    return "\n".join(lines)


def event_card(t: Translator, listing: EventListing, tz: ZoneInfo, *, describe: bool = True) -> str:
    """An event as a listing shows it: its head, the places, the deadline and, with
    `describe`, the coordinator's description."""
    details = listing.event.details
    lines = [event_head(t, listing.event, tz), places(t, listing)]
    if details.signup_deadline is not None:
        lines.append(t("event.deadline_line", deadline=t.moment(details.signup_deadline, tz)))
    if describe and details.description:
        lines.append(t("event.description_line", description=details.description))
    return "\n".join(lines)


def event_problem(t: Translator, problem: EventProblem) -> str:
    return t(_EVENT_PROBLEMS[problem])


def signup_problem(t: Translator, problem: SignUpProblem) -> str:
    return t(_SIGNUP_PROBLEMS[problem])


def cancel_problem(t: Translator, problem: CancelProblem) -> str:
    return t(_CANCEL_PROBLEMS[problem])
