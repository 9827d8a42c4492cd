"""Events (courses, theme mornings, outings, information meetings) and signing up for them.

The contract the handlers build on:

- Capacity counts people, adults and children, not households; None is no limit. Whether an
  event is full is never stored: it is the sum of its confirmed sign-ups, counted by the very
  statement that decides a sign-up (storage/events.py), so it cannot fall out of step.
- The waiting list is served in strict arrival order, as pretix does: once anyone waits, a new
  sign-up waits behind them even if it would fit, and a place that frees goes to the head of
  the list or, if the head's party does not fit, to nobody yet. A smaller party jumping the
  queue would be fair to no one who waits longer; the coordinator can still raise the capacity.
  So a party larger than the whole capacity is refused outright: it would block the list.
- A cancellation and the moves up it makes are one write transaction (BEGIN IMMEDIATE), each
  move a conditional UPDATE that counts the places again: two cancellations and a sign-up at
  once, on one connection or two, never exceed the capacity and keep the order.
- A move up is recorded as still to tell in that same transaction, and marked told once the
  notice went (`moves_told`): one a stop came between is told at the next start
  (`untold_moves`), so a household moved up always hears of it.
- After the sign-up deadline no one signs up; a confirmed sign-up is cancelled then only with
  `late=True` (the handler asks, then tells the coordinators that a place was given back late);
  a place on the waiting list can always be given up before the start.
- A change of time or place returns everyone signed up or waiting, to tell; a cancelled event
  returns them too. Sign-ups are the household's personal data: in /mydata, and anonymised
  (counts kept) with its last adult or MENTORBOT_RETENTION_DAYS after the event.
- An information meeting is for people who are not members yet: they sign up by the
  registration of interest they consent to give (name, number), made in the same transaction,
  so a refused sign-up keeps nothing of them. They give up one place as a household does, by
  the registration's sign-up, keeping the registration and their other places (after the
  deadline too, with the coordinators told, as there is nobody else to ask).
- Whoever leaves (a household's last adult removed or erased, a registration withdrawn) gives
  back their places at the events to come, in the same transaction, and the waiting list moves
  up into them: a place kept for nobody is one a waiting family goes without.

A coordinator's making, changing and cancelling an event is in the audit log, by number and
kind. Every function takes `now`; problems are StrEnums, the texts are the handlers'.

Reminders go MENTORBOT_EVENT_REMINDERS before the start to the adults of each household with a
confirmed place, planned as shift reminders are (bot/reminders.py) with one reminder per
sign-up and offset, recorded in `event_reminders`: never to the waiting list (a household moved
up gets its reminders from then on), never for a cancelled event, and not once the household
has given its place up. A change of the start forgets the reminders already sent, in the
same transaction: they were for the old start, and each goes once more before the new one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot import reminders
from bot.i18n import N_
from storage import audit, events, households, interest
from storage import reminders as ledgers
from storage.db import Database, Session
from storage.models import (
    Action,
    Event,
    EventAudience,
    EventDetails,
    EventKind,
    EventListing,
    EventRosterLine,
    EventState,
    Member,
    Prospect,
    Role,
    Signup,
    SignupState,
)

# What each kind is called, wherever an event or a figure about events is shown.
KIND_LABELS = {
    EventKind.COURSE: N_("event.kind_course"),
    EventKind.THEME_MORNING: N_("event.kind_theme_morning"),
    EventKind.OUTING: N_("event.kind_outing"),
    EventKind.INFORMATION_MEETING: N_("event.kind_information_meeting"),
    EventKind.OTHER: N_("event.kind_other"),
}

# The coordinators' /event lists the events of these last weeks too, for their attendance.
RECENT = timedelta(weeks=4)

# The sign-up buttons offer up to these; a larger group is one the coordinator arranges.
MAX_ADULTS = 6
MAX_CHILDREN = 10

# Who a member's role lets sign up for what; PROSPECTIVE is for people who are not members.
AUDIENCES: dict[Role, tuple[EventAudience, ...]] = {
    Role.FAMILY: (EventAudience.FAMILIES, EventAudience.EVERYONE),
    Role.MENTOR: (EventAudience.MENTORS, EventAudience.EVERYONE),
    Role.COORDINATOR: (EventAudience.EVERYONE,),
}


class EventProblem(StrEnum):
    NOT_FOUND = "not_found"
    CANCELLED = "cancelled"  # cancelled already: it cannot be changed or cancelled again
    NO_TITLE = "no_title"
    BACKWARDS = "backwards"  # ends before it starts
    PAST = "past"  # starts before now
    STARTED = "started"  # has begun: held, no longer changed or cancelled
    DEADLINE_AFTER_START = "deadline_after_start"
    BAD_CAPACITY = "bad_capacity"  # below one person
    # Below the people who have places, or below a waiting party, which could then never move
    # up and would hold the whole list behind it.
    CAPACITY_TOO_SMALL = "capacity_too_small"
    CHILDREN_SIGNED_UP = "children_signed_up"  # children no longer along, but some are coming
    TOO_LONG = "too_long"  # a title, description or place over its TEXT_LIMITS
    # People are signed up under what the event was: who may sign up would shut them out, or
    # its kind would change what they signed up for (a course's days, an outing's children).
    AUDIENCE_SIGNED_UP = "audience_signed_up"
    KIND_SIGNED_UP = "kind_signed_up"


class EventText(StrEnum):
    """The parts of an event in the coordinator's words, named as the catalogue's columns."""

    TITLE = "title"
    DESCRIPTION = "description"
    PLACE = "place"


# The longest each may be, however an event is made (/event new, its Change, a catalogue
# file): its preview, card, reminder and change notice then stay well inside one of Telegram's
# messages, and the title inside a button.
TEXT_LIMITS = {EventText.TITLE: 120, EventText.DESCRIPTION: 1500, EventText.PLACE: 200}


class SignUpProblem(StrEnum):
    NOT_FOUND = "not_found"
    NOT_OPEN = "not_open"  # closed, cancelled, or started
    DEADLINE = "deadline"
    AUDIENCE = "audience"
    ALREADY = "already"  # the household is signed up or waiting already
    BAD_COUNTS = "bad_counts"  # no adult, or more than the buttons offer
    NO_CHILDREN = "no_children"  # children on an event they do not come along to
    TOO_MANY = "too_many"  # more people than the event's whole capacity


class CancelProblem(StrEnum):
    NOT_FOUND = "not_found"  # not the household's, or given up already
    STARTED = "started"
    EVENT_CANCELLED = "event_cancelled"
    LATE = "late"  # a confirmed place after the deadline: ask, then pass late=True


@dataclass(frozen=True, slots=True)
class Party:
    """A sign-up with the people who are told about it: the adults of its household, or the
    prospective family that registered interest."""

    signup: Signup
    members: list[Member]
    prospect: Prospect | None = None


@dataclass(frozen=True, slots=True)
class Confirmed:
    event: Event
    signup: Signup


@dataclass(frozen=True, slots=True)
class Waiting:
    event: Event
    signup: Signup
    position: int  # 1: first on the waiting list


@dataclass(frozen=True, slots=True)
class SignupCancelled:
    event: Event
    signup: Signup  # as it was before: confirmed or waiting
    moved_up: list[Party]  # now confirmed, to tell at once
    late: bool  # a confirmed place given back after the deadline: the coordinators are told


@dataclass(frozen=True, slots=True)
class Changed:
    event: Event
    before: Event
    time_changed: bool
    place_changed: bool
    to_tell: list[Party]  # everyone signed up or waiting, if the time or the place changed
    moved_up: list[Party]  # confirmed by a larger capacity


@dataclass(frozen=True, slots=True)
class EventCancelled:
    event: Event
    to_tell: list[Party]  # everyone who was signed up or waiting


@dataclass(frozen=True, slots=True)
class Roster:
    """The coordinators' list of an event: who has a place, and the waiting list in order."""

    listing: EventListing
    confirmed: list[EventRosterLine]
    waiting: list[EventRosterLine]


def may_join(audience: EventAudience, role: Role) -> bool:
    return audience in AUDIENCES[role]


def too_long(field: EventText, text: str) -> bool:
    """The one length rule, for a step of /event new as for a catalogue's cell."""
    return len(text) > TEXT_LIMITS[field]


def overlong(title: str, description: str, place: str) -> list[EventText]:
    """Which of an event's texts are too long, for a catalogue row to name each."""
    texts = {EventText.TITLE: title, EventText.DESCRIPTION: description, EventText.PLACE: place}
    return [field for field, text in texts.items() if too_long(field, text)]


def check_details(details: EventDetails, now: datetime) -> EventProblem | None:
    """What is wrong with an event as described, if anything."""
    if not details.title.strip():
        return EventProblem.NO_TITLE
    if overlong(details.title, details.description, details.place):
        return EventProblem.TOO_LONG
    if details.ends_at <= details.starts_at:
        return EventProblem.BACKWARDS
    if details.starts_at <= now:
        return EventProblem.PAST
    if details.signup_deadline is not None and details.signup_deadline > details.starts_at:
        return EventProblem.DEADLINE_AFTER_START
    if details.capacity is not None and details.capacity < 1:
        return EventProblem.BAD_CAPACITY
    return None


def check_party(event: Event, adults: int, children: int) -> SignUpProblem | None:
    if not 1 <= adults <= MAX_ADULTS or not 0 <= children <= MAX_CHILDREN:
        return SignUpProblem.BAD_COUNTS
    if children and not event.details.children_along:
        return SignUpProblem.NO_CHILDREN
    capacity = event.details.capacity
    if capacity is not None and adults + children > capacity:
        return SignUpProblem.TOO_MANY
    return None


def open_for_signup(event: Event, now: datetime) -> SignUpProblem | None:
    if event.state is not EventState.OPEN or event.details.starts_at <= now:
        return SignUpProblem.NOT_OPEN
    deadline = event.details.signup_deadline
    if deadline is not None and deadline <= now:
        return SignUpProblem.DEADLINE
    return None


def event_subject(event: Event) -> str:
    """How the audit log names an event: by number and kind, as it names shifts."""
    return f"event #{event.id} ({event.details.kind.value})"


async def _parties(session: Session, signups: Iterable[Signup]) -> list[Party]:
    found: list[Party] = []
    for signup in signups:
        if signup.household_id is not None:
            adults = await households.household_members(session, signup.household_id)
            found.append(Party(signup, adults))
        elif signup.interest_id is not None:
            found.append(Party(signup, [], await interest.prospect(session, signup.interest_id)))
        else:  # anonymised: nobody left to tell
            found.append(Party(signup, []))
    return found


# Coordinators ---------------------------------------------------------------------------


async def create(
    db: Database, details: EventDetails, created_by: Member | None, now: datetime
) -> Event | EventProblem:
    if problem := check_details(details, now):
        return problem
    async with db.write() as session:
        return await add_in(session, details, created_by, now)


async def add_in(
    session: Session, details: EventDetails, created_by: Member | None, now: datetime
) -> Event:
    """`create`'s writing, in the caller's transaction (a catalogue's import adds many in one);
    the details are checked already."""
    event = await events.add_event(session, details, created_by.id if created_by else None, now)
    await audit.record(session, created_by, Action.EVENT_ADD, event_subject(event), now)
    return event


def shuts_out(before: EventAudience, after: EventAudience) -> bool:
    """Whether someone `before` lets sign up may not under `after`: only opening an event of
    families or mentors to everyone keeps them all (a prospective family is no member)."""
    return before is not after and (
        after is not EventAudience.EVERYONE or before is EventAudience.PROSPECTIVE
    )


async def signups_problem(
    session: Session, before: Event, details: EventDetails
) -> EventProblem | None:
    """What the event's sign-ups and waiting list refuse of its new details: what they signed
    up for stays what it was, and every party keeps a place it can have."""
    signups = await events.live_signups(session, before.id)
    if signups and shuts_out(before.details.audience, details.audience):
        return EventProblem.AUDIENCE_SIGNED_UP
    if signups and before.details.kind is not details.kind:
        return EventProblem.KIND_SIGNED_UP
    if not details.children_along and any(signup.children for signup in signups):
        return EventProblem.CHILDREN_SIGNED_UP
    if details.capacity is None:
        return None
    confirmed = sum(s.people for s in signups if s.state is SignupState.CONFIRMED)
    largest = max((s.people for s in signups), default=0)
    return EventProblem.CAPACITY_TOO_SMALL if details.capacity < max(confirmed, largest) else None


async def update(
    db: Database, by: Member, event_id: int, details: EventDetails, now: datetime
) -> Changed | EventProblem:
    """Change an event; who is to be told follows from what changed. A larger capacity moves
    the waiting list up in the same transaction."""
    if problem := check_details(details, now):
        return problem
    async with db.write() as session:
        before = await events.event_by_id(session, event_id)
        if before is None:
            return EventProblem.NOT_FOUND
        return await update_in(session, by, before, details, now)


async def update_in(
    session: Session, by: Member | None, before: Event, details: EventDetails, now: datetime
) -> Changed | EventProblem:
    """`update`'s checks of the sign-ups and its writing, in the caller's transaction, for the
    event as read there (`before`); the details are checked already."""
    if before.state is EventState.CANCELLED:
        return EventProblem.CANCELLED
    if problem := await signups_problem(session, before, details):
        return problem
    if not await events.update_event(session, before.id, details, now):
        return EventProblem.CANCELLED
    await audit.record(session, by, Action.EVENT_CHANGE, event_subject(before), now)
    old = before.details
    if old.starts_at != details.starts_at:
        await ledgers.forget_event(session, before.id)
    moved_up = await _parties(session, await events.move_up(session, before.id, now))
    time_changed = (old.starts_at, old.ends_at) != (details.starts_at, details.ends_at)
    place_changed = old.place != details.place
    told = await events.live_signups(session, before.id) if time_changed or place_changed else []
    to_tell = await _parties(session, told)
    return Changed(
        replace(before, details=details), before, time_changed, place_changed, to_tell, moved_up
    )


async def cancel(
    db: Database, by: Member, event_id: int, now: datetime
) -> EventCancelled | EventProblem:
    """Cancel an event that has not started; its sign-ups stay as they were, for the figures,
    and are returned to be told. One that has begun was held: its attendance counts."""
    async with db.write() as session:
        event = await events.event_by_id(session, event_id)
        if event is None:
            return EventProblem.NOT_FOUND
        if event.state is not EventState.CANCELLED and event.details.starts_at <= now:
            return EventProblem.STARTED
        if not await events.cancel_event(session, event_id, now):
            return EventProblem.CANCELLED
        await audit.record(session, by, Action.EVENT_CANCEL, event_subject(event), now)
        to_tell = await _parties(session, await events.live_signups(session, event_id))
    return EventCancelled(replace(event, state=EventState.CANCELLED), to_tell)


async def for_coordinators(db: Database, now: datetime) -> list[EventListing]:
    """Every event from `RECENT` ago on, cancelled ones too, soonest first."""
    async with db.read() as session:
        return await events.listings_from(session, now - RECENT)


async def roster(db: Database, event_id: int) -> Roster | None:
    async with db.read() as session:
        listing = await events.listing(session, event_id)
        if listing is None:
            return None
        lines = await events.roster(session, event_id)
    return Roster(
        listing,
        [line for line in lines if line.signup.state is SignupState.CONFIRMED],
        [line for line in lines if line.signup.state is SignupState.WAITING],
    )


# Members --------------------------------------------------------------------------------


async def open_to(db: Database, member: Member, now: datetime) -> list[EventListing]:
    """What is coming that the member's household may still sign up for, soonest first."""
    async with db.read() as session:
        return await events.listings(session, AUDIENCES[member.role], now)


async def meetings(db: Database, now: datetime) -> list[EventListing]:
    """The information meetings a prospective family may still sign up for, soonest first."""
    async with db.read() as session:
        return await events.listings(session, (EventAudience.PROSPECTIVE,), now)


def _open_meeting(event: Event | None, now: datetime) -> Event | SignUpProblem:
    """The event, if it is an information meeting a stranger may still sign up for."""
    if event is None:
        return SignUpProblem.NOT_FOUND
    if event.details.audience is not EventAudience.PROSPECTIVE:
        return SignUpProblem.AUDIENCE
    return open_for_signup(event, now) or event


async def meeting(db: Database, event_id: int, now: datetime) -> Event | SignUpProblem:
    """The information meeting a stranger pressed Sign up for, if they still may."""
    async with db.read() as session:
        return _open_meeting(await events.event_by_id(session, event_id), now)


async def own_signups(db: Database, member: Member, now: datetime) -> list[Confirmed | Waiting]:
    """The household's sign-ups for events not over, with each waiting one's place."""
    async with db.read() as session:
        return await _own(session, ("household", member.household.id), now)


async def prospect_signups(
    db: Database, telegram_user_id: int, now: datetime
) -> list[Confirmed | Waiting]:
    """A stranger's places at information meetings not over, and where they wait: what their
    /start offers to give up, and what /forget would erase."""
    async with db.read() as session:
        whose = await _prospect(session, telegram_user_id)
        return [] if whose is None else await _own(session, whose, now)


async def _prospect(session: Session, telegram_user_id: int) -> events.Whose | None:
    """A stranger's sign-ups are their registration's: they have none without one."""
    registration = await interest.of_person(session, telegram_user_id)
    return None if registration is None else ("interest", registration.id)


async def _own(session: Session, whose: events.Whose, now: datetime) -> list[Confirmed | Waiting]:
    return [
        await _standing(session, event, signup)
        for event, signup in await events.live_signups_of(session, whose, now)
    ]


async def _standing(session: Session, event: Event, signup: Signup) -> Confirmed | Waiting:
    """A live sign-up as its people are told of it: a place, or a number in the line."""
    if signup.state is SignupState.WAITING:
        return Waiting(event, signup, await events.waiting_position(session, signup))
    return Confirmed(event, signup)


async def sign_up(
    db: Database, event_id: int, household: Member, adults: int, children: int, now: datetime
) -> Confirmed | Waiting | SignUpProblem:
    """Sign the member's household up: a place if the party fits and nobody waits, else a place
    on the waiting list."""
    async with db.write() as session:
        event = await events.event_by_id(session, event_id)
        if event is None:
            return SignUpProblem.NOT_FOUND
        if problem := open_for_signup(event, now):
            return problem
        if not may_join(event.details.audience, household.role):
            return SignUpProblem.AUDIENCE
        if problem := check_party(event, adults, children):
            return problem
        return await _add(
            session, event, ("household", household.household.id), adults, children, now
        )


async def _add(
    session: Session, event: Event, whose: events.Whose, adults: int, children: int, now: datetime
) -> Confirmed | Waiting | SignUpProblem:
    if await events.live_signup(session, event.id, whose):
        return SignUpProblem.ALREADY
    signup = await events.add_signup(session, event.id, whose, adults, children, now)
    if signup is None:  # checked in this transaction by the caller: only a bug gets here
        return SignUpProblem.NOT_OPEN
    return await _standing(session, event, signup)


async def sign_up_prospect(
    db: Database,
    event_id: int,
    telegram_user_id: int,
    *,
    name: str,
    phone: str,
    language: str,
    adults: int,
    now: datetime,
) -> Confirmed | Waiting | SignUpProblem:
    """Sign a person who is not a member up for an information meeting, with the name and
    number they consented to give: their registration of interest is made (or updated) in the
    same transaction, so the coordinators' list counts them, and nothing is kept when the
    sign-up is refused."""
    async with db.write() as session:
        event = _open_meeting(await events.event_by_id(session, event_id), now)
        if isinstance(event, SignUpProblem):
            return event
        if problem := check_party(event, adults, 0):
            return problem
        earlier = await _prospect(session, telegram_user_id)
        if earlier and await events.live_signup(session, event_id, earlier):
            return SignUpProblem.ALREADY
        interest_id, _ = await interest.register(
            session, telegram_user_id, name=name, phone=phone, language=language, now=now
        )
        return await _add(session, event, ("interest", interest_id), adults, 0, now)


async def prospect_place(
    db: Database, event_id: int, telegram_user_id: int
) -> Confirmed | Waiting | None:
    """A stranger's live sign-up for the meeting, if they have one: a second Sign up tells
    them where they stand instead of asking everything again."""
    async with db.read() as session:
        whose = await _prospect(session, telegram_user_id)
        signup = None if whose is None else await events.live_signup(session, event_id, whose)
        event = await events.event_by_id(session, event_id)
        if signup is None or event is None:
            return None
        return await _standing(session, event, signup)


async def cancel_signup(
    db: Database, member: Member, signup_id: int, now: datetime, *, late: bool = False
) -> SignupCancelled | CancelProblem:
    """Give up the household's place (or its place in line); the waiting list moves up in the
    same transaction, from its head, as far as the places freed allow."""
    async with db.write() as session:
        return await _cancel(session, ("household", member.household.id), signup_id, now, late)


async def cancel_prospect_signup(
    db: Database, telegram_user_id: int, signup_id: int, now: datetime
) -> SignupCancelled | CancelProblem:
    """A stranger gives up one place at an information meeting (or in its line), and only
    that: their registration and their other places stay, as /forget would not leave them.
    After the deadline too, without a second question (the coordinators are told): nobody
    else shares the place to ask, and a seat kept for no one is one a waiting family lacks."""
    async with db.write() as session:
        whose = await _prospect(session, telegram_user_id)
        if whose is None:
            return CancelProblem.NOT_FOUND
        return await _cancel(session, whose, signup_id, now, late=True)


async def _cancel(
    session: Session, whose: events.Whose, signup_id: int, now: datetime, late: bool
) -> SignupCancelled | CancelProblem:
    signup = await _live_signup_of(session, whose, signup_id)
    if signup is None:
        return CancelProblem.NOT_FOUND
    event = await events.event_by_id(session, signup.event_id)
    assert event is not None  # a sign-up goes with its event
    if event.state is EventState.CANCELLED:
        return CancelProblem.EVENT_CANCELLED
    if event.details.starts_at <= now:
        return CancelProblem.STARTED
    deadline = event.details.signup_deadline
    is_late = signup.state is SignupState.CONFIRMED and deadline is not None and deadline <= now
    if is_late and not late:
        return CancelProblem.LATE
    if not await events.cancel_signup(session, signup, now):
        return CancelProblem.NOT_FOUND
    moved_up = await _parties(session, await events.move_up(session, event.id, now))
    return SignupCancelled(event, signup, moved_up, is_late)


# People leaving ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Released:
    """Waiting households moved up at an event, to be told: into places given back by someone
    who left, or (`untold_moves`) by moves a stop kept from being told."""

    event: Event
    moved_up: list[Party]


async def release(session: Session, whose: events.Whose, now: datetime) -> list[Released]:
    """Give up a departing household's (or an erased registration's) places at the events to
    come, in the caller's transaction, and move each waiting list up; the moves are returned
    to be told. Events over keep the sign-ups, for the figures, until they are anonymised."""
    released: list[Released] = []
    for event_id in await events.cancel_future_signups(session, whose, now):
        moved = await events.move_up(session, event_id, now)
        event = await events.event_by_id(session, event_id)
        if moved and event is not None:
            released.append(Released(event, await _parties(session, moved)))
    return released


async def untold_moves(db: Database, before: datetime, now: datetime) -> list[Released]:
    """The moves up made before `before` that nobody was told of yet, by event, for the events
    still to come: the bot stopped between a move and its notice, or an error ended the work
    before it. A move made at `before` or later may be being told right now, so it is left to
    whoever made it."""
    by_event: dict[int, tuple[Event, list[Signup]]] = {}
    async with db.read() as session:
        for event, signup in await events.untold_moves(session, before, now):
            by_event.setdefault(event.id, (event, []))[1].append(signup)
        return [
            Released(event, await _parties(session, signups))
            for event, signups in by_event.values()
        ]


async def moves_told(db: Database, parties: Iterable[Party], now: datetime) -> None:
    """The households moved up into these places have been told: they are not told again."""
    ids = [party.signup.id for party in parties]
    if ids:
        async with db.write() as session:
            await events.mark_moves_told(session, ids, now)


async def may_sign_up(
    db: Database, event_id: int, member: Member, now: datetime
) -> EventListing | SignUpProblem:
    """Whether the member's household may begin to sign up for the event (the numbers are
    asked next, and `sign_up` decides): the event as a listing shows it, or why not."""
    async with db.read() as session:
        listing = await events.listing(session, event_id)
        if listing is None:
            return SignUpProblem.NOT_FOUND
        if problem := open_for_signup(listing.event, now):
            return problem
        if not may_join(listing.event.details.audience, member.role):
            return SignUpProblem.AUDIENCE
        if await events.live_signup(session, event_id, ("household", member.household.id)):
            return SignUpProblem.ALREADY
    return listing


async def household_signup(db: Database, member: Member, signup_id: int) -> Signup | None:
    """The household's sign-up by its number, confirmed or waiting; None if it is not theirs
    or was given up."""
    async with db.read() as session:
        return await _live_signup_of(session, ("household", member.household.id), signup_id)


async def _live_signup_of(session: Session, whose: events.Whose, signup_id: int) -> Signup | None:
    """A sign-up a press names, if it is the household's (or the registration's) and not given
    up: a number in a button is checked against the database, never trusted."""
    signup = await events.signup_by_id(session, signup_id)
    if signup is None or signup.state is SignupState.CANCELLED:
        return None
    column, whose_id = whose
    owner = signup.household_id if column == "household" else signup.interest_id
    return signup if owner == whose_id else None


# Reminders ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """A household's confirmed place at an event as a reminder is of it (bot.reminders.Timed):
    by the sign-up's number, at the event's start."""

    event: Event
    signup: Signup

    @property
    def id(self) -> int:
        return self.signup.id

    @property
    def starts_at(self) -> datetime:
        return self.event.details.starts_at


async def _coming_places(session: Session, now: datetime) -> list[Place]:
    return [Place(event, signup) for event, signup in await events.confirmed_places(session, now)]


REMINDERS = reminders.Kind(ledgers.SIGNUPS, _coming_places)


@dataclass(frozen=True, slots=True)
class ReminderDelivery:
    """An event reminder about to go out: the event as it is now, and whom it goes to."""

    listing: EventListing
    party: Party


async def claim_reminder(
    db: Database,
    signup_id: int,
    minutes_before: int,
    now: datetime,
    *,
    held_since: datetime | None = None,
) -> ReminderDelivery | None:
    """Claim a sign-up's reminder to send it (as `bot.reminders.claim` does a shift's); None if
    someone else has it or it is no longer wanted: the place was given up, the event cancelled,
    started, or moved later than this reminder is for (a replan queues the new one)."""
    async with db.write() as session:
        signup = await events.signup_by_id(session, signup_id)
        if signup is None or signup.state is not SignupState.CONFIRMED:
            return None
        listing = await events.listing(session, signup.event_id)
        if listing is None or (signup.household_id is None and signup.interest_id is None):
            return None
        event = listing.event
        starts_at = event.details.starts_at
        if event.state is EventState.CANCELLED or starts_at <= now:
            return None
        if starts_at - timedelta(minutes=minutes_before) > now:
            return None
        if not await ledgers.claim(
            session, ledgers.SIGNUPS, signup_id, minutes_before, now, held_since=held_since
        ):
            return None
        (party,) = await _parties(session, [signup])
    return ReminderDelivery(listing, party)
