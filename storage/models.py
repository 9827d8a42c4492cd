"""The records repositories return: plain frozen dataclasses, no SQL, no Telegram."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum


class Role(StrEnum):
    FAMILY = "family"
    MENTOR = "mentor"
    COORDINATOR = "coordinator"


@dataclass(frozen=True, slots=True)
class Household:
    id: int
    role: Role
    display_name: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Member:
    """One adult; the role and the name belong to their household."""

    id: int
    telegram_user_id: int
    household: Household
    language: str | None
    telegram_language: str | None
    newsletter: bool
    joined_at: datetime
    # False for a new adult of a mentor household until a coordinator approved them: until
    # then they get no offers and so read nobody's question.
    approved: bool = True

    @property
    def role(self) -> Role:
        return self.household.role


@dataclass(frozen=True, slots=True)
class Invite:
    id: int
    role: Role
    household_id: int | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None = None
    created_by: int | None = None  # None for `mentorbot invite`, or once its maker is deleted


@dataclass(frozen=True, slots=True)
class OpenInvite:
    """An invite that can still be used, as the coordinators' /invites lists it."""

    id: int
    role: Role
    household_id: int | None  # a partner invite into this household
    household_name: str | None
    created_by: int | None  # the member who made it; None for `mentorbot invite`
    created_at: datetime
    expires_at: datetime


def to_db(moment: datetime) -> str:
    """Times go into the database in UTC, so that they compare as text and survive DST."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware one")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_db(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass(frozen=True, slots=True)
class Shift:
    """A mentor household on duty over [starts_at, ends_at), both aware UTC datetimes."""

    id: int
    household_id: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class ShiftListing:
    """A shift as people read it: with the name of the household on duty."""

    shift: Shift
    mentor_name: str | None


@dataclass(frozen=True, slots=True)
class BookableHousehold:
    """A mentor household as the guided booking lists it, by the number `/shift add` takes."""

    member_number: int
    name: str | None
    last_booked: datetime | None  # when its latest shift was booked, if one ever was
    household_id: int = 0


class ReminderState(StrEnum):
    """How far a shift's reminder got: SENDING is held by its claim; SENT or SKIPPED is done."""

    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"


class SwapState(StrEnum):
    OPEN = "open"
    TAKEN = "taken"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Swap:
    id: int
    shift_id: int
    offered_by: int
    state: SwapState
    taken_by: int | None


class AwayReason(StrEnum):
    """Why a mentor household is away: only the category pressed, nothing more (illness is
    health data)."""

    HOLIDAY = "holiday"
    ILLNESS = "illness"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class AwaySpan:
    """A mentor household that cannot be on duty over [starts_at, ends_at), aware UTC."""

    id: int
    household_id: int
    starts_at: datetime
    ends_at: datetime
    reason: AwayReason


class GapOfferState(StrEnum):
    OPEN = "open"
    ASKED = "asked"  # taken, waiting for a coordinator's confirmation
    TAKEN = "taken"
    CLOSED = "closed"  # filled another way before anyone took it


@dataclass(frozen=True, slots=True)
class GapOffer:
    """A gap of the rota offered to mentors; a Take button carries its id."""

    id: int
    starts_at: datetime
    ends_at: datetime
    state: GapOfferState
    taken_by: int | None  # the household that took it (or asked to)
    shift_id: int | None


class RequestState(StrEnum):
    WAITING = "waiting"  # nobody on duty: offered when the next shift starts
    OFFERED = "offered"
    ACCEPTED = "accepted"  # a conversation
    CLOSED = "closed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


OPEN_REQUEST_STATES = (RequestState.WAITING, RequestState.OFFERED, RequestState.ACCEPTED)


class Side(StrEnum):
    """A conversation's two sides: the one that ended it (`ended_by`), the one a copy goes to."""

    FAMILY = "family"
    MENTOR = "mentor"  # a coordinator holding a conversation is on this side too


class Kind(StrEnum):
    """What a message carries; a question's first message and a broadcast are stored by it."""

    TEXT = "text"
    PHOTO = "photo"
    VIDEO = "video"
    ANIMATION = "animation"
    VOICE = "voice"
    AUDIO = "audio"
    VIDEO_NOTE = "video_note"
    DOCUMENT = "document"
    STICKER = "sticker"
    LOCATION = "location"  # a venue too: it is a location with a name
    CONTACT = "contact"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Request:
    id: int
    family_household_id: int | None
    family_name: str | None
    state: RequestState
    escalation: int
    urgent: bool
    first_kind: Kind
    preview: str | None
    opened_at: datetime
    offered_at: datetime | None
    escalated_at: datetime | None
    accepted_at: datetime | None
    mentor_member_id: int | None
    mentor_name: str | None


class RelayPurpose(StrEnum):
    """Why the bot remembers a message it put into a chat: what a reply to that message means."""

    RELAY = "relay"  # a copy, or a word about the conversation: a reply goes into it, or nowhere
    COMMENT = "comment"  # the thanks for a rating: a reply is the family's comment
    NOTE = "note"  # the thanks for a topic: a reply is the mentor's note


@dataclass(frozen=True, slots=True)
class OfferMessage:
    """Where an offer was shown, so it can be edited when the request is taken or withdrawn."""

    member_id: int
    chat_id: int
    message_id: int | None


class Audience(StrEnum):
    FAMILIES = "families"
    MENTORS = "mentors"
    EVERYONE = "everyone"


class BroadcastState(StrEnum):
    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # marked before the send; after a crash, the one that may be a double
    SENT = "sent"
    BLOCKED = "blocked"  # the recipient blocked the bot (403)
    FAILED = "failed"  # gave up after retries, or Telegram refused it for good


class Action(StrEnum):
    """What a coordinator did, as the audit log records it."""

    INVITE = "invite"
    REMOVE = "remove"
    SHIFT_ADD = "shift_add"
    SHIFT_DELETE = "shift_delete"
    SHIFT_IMPORT = "shift_import"
    BROADCAST = "broadcast"
    BROADCAST_CANCEL = "broadcast_cancel"
    DATA_EXPORT = "data_export"
    ERASURE = "erasure"
    INVITE_REVOKE = "invite_revoke"
    PARTNER_JOIN = "partner_join"
    APPROVE = "approve"
    EVENT_ADD = "event_add"
    EVENT_CHANGE = "event_change"
    EVENT_CANCEL = "event_cancel"
    EVENT_ATTENDANCE = "event_attendance"
    MENTOR_LINK = "mentor_link"
    MENTOR_UNLINK = "mentor_unlink"
    EXPERIENCE = "experience"


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    created_by: int | None
    audience: Audience
    kind: Kind  # text, photo, document
    body: str | None
    file_id: str | None
    state: BroadcastState
    send_at: datetime
    created_at: datetime
    status_chat_id: int | None
    status_message_id: int | None


@dataclass(frozen=True, slots=True)
class EventButton:
    """A Sign up button under a newsletter, as the coordinator's preview showed it, with who
    may join the event: each recipient gets only the buttons of events their role may join."""

    event_id: int
    label: str
    data: str
    audience: EventAudience


@dataclass(frozen=True, slots=True)
class Delivery:
    broadcast: Broadcast
    chat_id: int
    attempts: int
    role: Role | None  # the recipient's household's, as it is now; None once they were removed


@dataclass(frozen=True, slots=True)
class Interest:
    """A person who registered interest in the next information meeting."""

    id: int
    name: str
    phone: str
    consented_at: datetime


@dataclass(frozen=True, slots=True)
class Prospect:
    """A registration of interest as an event's sign-up needs it: whom to write to, and how."""

    interest_id: int
    telegram_user_id: int
    name: str
    language: str


class EventKind(StrEnum):
    COURSE = "course"
    THEME_MORNING = "theme_morning"
    OUTING = "outing"
    INFORMATION_MEETING = "information_meeting"
    OTHER = "other"


class EventAudience(StrEnum):
    """Who may sign up: PROSPECTIVE is people considering becoming a foster family, no member."""

    FAMILIES = "families"
    MENTORS = "mentors"
    EVERYONE = "everyone"
    PROSPECTIVE = "prospective"


class EventState(StrEnum):
    """As stored; whether an open event is full is counted from its sign-ups, never stored."""

    OPEN = "open"
    CLOSED = "closed"  # no new sign-ups; those signed up keep their places
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class EventDetails:
    """What a coordinator (or a catalogue's row) says of an event, over [starts_at, ends_at),
    aware UTC; `capacity` counts people, None: no limit."""

    kind: EventKind
    title: str
    starts_at: datetime
    ends_at: datetime
    audience: EventAudience
    description: str = ""
    place: str = ""
    capacity: int | None = None
    children_along: bool = False
    signup_deadline: datetime | None = None
    catalogue_id: str | None = None  # the shared catalogue's stable id


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    details: EventDetails
    state: EventState


class SignupState(StrEnum):
    CONFIRMED = "confirmed"  # has a place
    WAITING = "waiting"  # on the waiting list, in `queued_at` order
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Signup:
    id: int
    event_id: int
    household_id: int | None  # None: a prospective family's (`interest_id`), or anonymised
    interest_id: int | None
    adults: int
    children: int
    state: SignupState
    queued_at: datetime
    attended: bool | None = None  # marked after the start by a coordinator; None: not yet

    @property
    def people(self) -> int:
        """What the sign-up takes of the event's capacity."""
        return self.adults + self.children


@dataclass(frozen=True, slots=True)
class EventListing:
    """An event with what its sign-ups add up to."""

    event: Event
    confirmed_people: int
    waiting: int  # sign-ups on the waiting list

    @property
    def places_left(self) -> int | None:
        capacity = self.event.details.capacity
        return None if capacity is None else max(capacity - self.confirmed_people, 0)


@dataclass(frozen=True, slots=True)
class EventRosterLine:
    signup: Signup
    household_name: str | None


@dataclass(frozen=True, slots=True)
class UnitNote:
    """A mentor's note for the family's social worker, with whose question it is about."""

    id: int
    request_id: int
    mentor_member_id: int | None
    body: str | None
    consent: str | None
    decided_at: datetime | None
    family_household_id: int | None
    family_name: str | None
    mentor_name: str | None
