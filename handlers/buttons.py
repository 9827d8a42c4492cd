"""Every button's data: one pattern per kind of button, and beside it the function that builds
the data and the one that reads the pattern's groups back.

Telegram hands a pressed button's data back as it was sent (up to 64 bytes), and anyone can send
a bot any data, so data is made and read only here. Each handler is registered with its kind's
pattern; PTB matches it and hands the match over (`context.match`, read with `matched`), so a
handler never splits data by hand. tests/unit/test_buttons.py builds every kind and checks that
its own pattern reads it back and no other pattern takes it, that no prefix begins another,
that the data fits in 64 bytes, and that the application registers every pattern.

A pattern parses; it does not authorise. What the data names (a question, a shift, a member)
is looked up again by the handler, for the person who pressed.

Buttons already sent must keep working, so a kind's data never changes shape. The features
whose handlers took every data with their prefix also register `rest(pattern)` after their
patterns: data with that prefix that none of them takes (an older release's, or forged) gets
the answer it always got, after the same role check.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Literal

from telegram import CallbackQuery, Update
from telegram.ext import CallbackQueryHandler

from bot import catalogue_import, rota_planning
from bot.availability import Week
from bot.config import LANGUAGES
from bot.event_drafts import ChangeField, DeadlineChoice
from bot.routing import Topic
from bot.shift_booking import DaySpan, Span
from handlers.common import (
    NUMBER,
    MentorApplication,
    MentorContext,
    PlainHandler,
    Sender,
    answer,
    requires,
)
from handlers.confirmation import Confirmation
from storage.models import Audience, AwayReason, EventAudience, EventKind, Member, Role

# Telegram's limit for a button's data.
MAX_DATA_BYTES = 64

PREFIXES: list[str] = []
"""Every prefix, once; none begins another, so each pattern starts where no other can."""
PATTERNS: list[re.Pattern[str]] = []
"""Every kind of button, in the order of this module."""
_PREFIX_OF: dict[str, str] = {}

_N = NUMBER.pattern  # a number a button carries: as people type them, at most 9 digits
# A moment a button carries, in whole seconds since the epoch (ten digits until 2286).
_STAMP = r"[0-9]{1,11}"


def _prefix(text: str) -> str:
    PREFIXES.append(text)
    return text


def _pattern(prefix: str, form: str) -> re.Pattern[str]:
    """The whole of a kind's data: `prefix`, then `form` with its named groups, then the end."""
    pattern = re.compile(re.escape(prefix) + form + r"\Z")
    PATTERNS.append(pattern)
    _PREFIX_OF[pattern.pattern] = prefix
    return pattern


def rest(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """Any data with `pattern`'s prefix: registered after the prefix's own patterns, it takes
    only what they did not."""
    return re.compile(re.escape(_PREFIX_OF[pattern.pattern]))


def matched(context: MentorContext) -> re.Match[str] | None:
    """The groups of the pattern the press was handled for.

    None only for a press that carries no data at all: PTB gives that to the first handler
    with a pattern, whatever the pattern.
    """
    found: object = context.match
    return found if isinstance(found, re.Match) else None


def refuse_rest(*roles: Role) -> PlainHandler:
    """The handler for `rest`: the role check the feature's own handlers make, then one line."""

    @requires(*roles)
    async def refuse(
        update: Update, context: MentorContext, sender: Sender, member: Member
    ) -> None:
        await answer(update, sender.t("button.invalid"))

    return refuse


Match = re.Match[str]
"""What a pattern read from a button's data: its named groups."""
PressHandler = Callable[[CallbackQuery, Match, MentorContext, Sender, Member], Awaitable[None]]


def press(*roles: Role) -> Callable[[PressHandler], PlainHandler]:
    """A button's handler for members with one of `roles` (`requires`), given the press and
    the groups of the pattern it is registered with, so that no handler reads them by hand."""

    def decorate(handler: PressHandler) -> PlainHandler:
        @requires(*roles)
        @functools.wraps(handler)
        async def pressed(
            update: Update, context: MentorContext, sender: Sender, member: Member
        ) -> None:
            query, match = update.callback_query, matched(context)
            if query is not None and match is not None:
                await handler(query, match, context, sender, member)

        return pressed

    return decorate


def add_presses(
    application: MentorApplication,
    presses: Iterable[tuple[PlainHandler, re.Pattern[str], PlainHandler]],
) -> None:
    """Each kind's handler with its pattern, then `refuse` for the rest of its prefix."""
    for callback, pattern, refuse in presses:
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern))
        application.add_handler(CallbackQueryHandler(refuse, pattern=rest(pattern)))


def stamp(moment: datetime) -> str:
    """A moment for a button's data: short, and exact to the second, as the database is."""
    return str(int(moment.timestamp()))


def _choices(values: tuple[str, ...] | list[str]) -> str:
    return "|".join(re.escape(value) for value in values)


# /language: the language chosen.
_LANGUAGE = _prefix("language:")
LANGUAGE = _pattern(_LANGUAGE, f"(?P<language>{_choices(LANGUAGES)})")


def language(code: str) -> str:
    return f"{_LANGUAGE}{code}"


def language_of(match: re.Match[str]) -> str:
    return match["language"]


# /invites: Revoke, with the invite's number.
_REVOKE_INVITE = _prefix("revoke-invite:")
REVOKE_INVITE = _pattern(_REVOKE_INVITE, f"(?P<invite>{_N})")


def revoke_invite(invite_id: int) -> str:
    return f"{_REVOKE_INVITE}{invite_id}"


def invite_of(match: re.Match[str]) -> int:
    return int(match["invite"])


# Confirmations name a row by its number and the second it was made (handlers/confirmation.py).
_CONFIRMATION = f"(?P<number>{_N}):(?P<made>{_STAMP})"


def _confirming(prefix: str, confirmed: Confirmation) -> str:
    return f"{prefix}{confirmed.number}:{stamp(confirmed.made_at)}"


def confirmation_of(match: re.Match[str]) -> Confirmation:
    return Confirmation(int(match["number"]), datetime.fromtimestamp(int(match["made"]), UTC))


# A new partner's Approve: approve:MEMBER:JOINED.
_APPROVE = _prefix("approve:")
APPROVE = _pattern(_APPROVE, _CONFIRMATION)


def approve(adult: Confirmation) -> str:
    return _confirming(_APPROVE, adult)


# /members: a page of members, a member's card, and the card's actions, each naming the
# member by number and the second they joined (member:remove:MEMBER:JOINED).
_MEMBER = _prefix("member:")
MEMBER_PAGE = _pattern(_MEMBER, f"page:(?P<page>{_N})")
MEMBER_CARD = _pattern(_MEMBER, _CONFIRMATION)


class MemberAction(StrEnum):
    REMOVE = "remove"
    EXPORT = "export"
    ERASE = "erase"
    OWN_MENTOR = "own-mentor"  # a family's card: choose its own mentor household
    EXPERIENCE = "experience"  # a mentor's card: its household's experience, as /experience


MEMBER_ACTION = _pattern(
    _MEMBER, f"(?P<action>{_choices([a.value for a in MemberAction])}):{_CONFIRMATION}"
)


def member_page(page: int) -> str:
    return f"{_MEMBER}page:{page}"


def member_card(member: Confirmation) -> str:
    return _confirming(_MEMBER, member)


def member_action(action: MemberAction, member: Confirmation) -> str:
    return _confirming(f"{_MEMBER}{action.value}:", member)


def action_of(match: re.Match[str]) -> MemberAction:
    return MemberAction(match["action"])


# /remove, and a card's Remove: remove:MEMBER:JOINED, and Keep.
_REMOVE = _prefix("remove:")
REMOVE = _pattern(_REMOVE, _CONFIRMATION)
REMOVE_KEEP = _pattern(_REMOVE, "keep")


def remove(member: Confirmation) -> str:
    return _confirming(_REMOVE, member)


def remove_keep() -> str:
    return f"{_REMOVE}keep"


# /forget of a member: forget:MEMBER:JOINED, and Keep.
_FORGET = _prefix("forget:")
FORGET = _pattern(_FORGET, _CONFIRMATION)
FORGET_KEEP = _pattern(_FORGET, "keep")


def forget(member: Confirmation) -> str:
    return _confirming(_FORGET, member)


def forget_keep() -> str:
    return f"{_FORGET}keep"


# /forget of a stranger's registration of interest: forget-interest:NUMBER:CONSENTED, and Keep.
_FORGET_INTEREST = _prefix("forget-interest:")
FORGET_INTEREST = _pattern(_FORGET_INTEREST, _CONFIRMATION)
FORGET_INTEREST_KEEP = _pattern(_FORGET_INTEREST, "keep")


def forget_interest(registration: Confirmation) -> str:
    return _confirming(_FORGET_INTEREST, registration)


def forget_interest_keep() -> str:
    return f"{_FORGET_INTEREST}keep"


# /swap: Take the shift, with the swap's number.
_SWAP = _prefix("swap:")
SWAP = _pattern(_SWAP, f"(?P<swap>{_N})")


def swap(swap_id: int) -> str:
    return f"{_SWAP}{swap_id}"


def swap_of(match: re.Match[str]) -> int:
    return int(match["swap"])


# A shift reminder's Offer this shift: what /swap does, with the shift's number.
_OFFER_SHIFT = _prefix("offer-shift:")
OFFER_SHIFT = _pattern(_OFFER_SHIFT, f"(?P<shift>{_N})")


def offer_shift(shift_id: int) -> str:
    return f"{_OFFER_SHIFT}{shift_id}"


def offered_shift_of(match: re.Match[str]) -> int:
    return int(match["shift"])


# An offer's Accept and Decline, with the question's number.
_ACCEPT = _prefix("accept:")
ACCEPT = _pattern(_ACCEPT, f"(?P<request>{_N})")
_DECLINE = _prefix("decline:")
DECLINE = _pattern(_DECLINE, f"(?P<request>{_N})")


def accept(request_id: int) -> str:
    return f"{_ACCEPT}{request_id}"


def decline(request_id: int) -> str:
    return f"{_DECLINE}{request_id}"


# /end with several conversations: the one to end, by its question's number.
_END = _prefix("end:")
END = _pattern(_END, f"(?P<request>{_N})")


def end(request_id: int) -> str:
    return f"{_END}{request_id}"


def request_of(match: re.Match[str]) -> int:
    """The question's number (Accept, Decline, /end, a rating, a topic, "to which family?")."""
    return int(match["request"])


# /broadcast's steps: the audience, now or later, then Send or Cancel under the preview.
_BROADCAST = _prefix("broadcast:")
BROADCAST_AUDIENCE = _pattern(_BROADCAST, f"(?P<audience>{_choices([a.value for a in Audience])})")
BROADCAST_WHEN = _pattern(_BROADCAST, "(?P<when>now|later)")
BROADCAST_SEND = _pattern(_BROADCAST, "(?P<send>confirm|cancel)")

When = Literal["now", "later"]


def broadcast_audience(audience: Audience) -> str:
    return f"{_BROADCAST}{audience.value}"


def audience_of(match: re.Match[str]) -> Audience:
    return Audience(match["audience"])


def broadcast_when(when: When) -> str:
    return f"{_BROADCAST}{when}"


def later_of(match: re.Match[str]) -> bool:
    return match["when"] == "later"


def broadcast_send(send: bool) -> str:
    return f"{_BROADCAST}{'confirm' if send else 'cancel'}"


def send_of(match: re.Match[str]) -> bool:
    return match["send"] == "confirm"


# The events a newsletter may carry: each toggled by its button, then Continue.
BROADCAST_EVENT = _pattern(_BROADCAST, f"event:(?P<event>{_N})")
BROADCAST_EVENTS_DONE = _pattern(_BROADCAST, "events-done")
BROADCAST_EVENTS_PAGE = _pattern(_BROADCAST, f"events-page:(?P<page>{_N})")


def broadcast_event(event_id: int) -> str:
    return f"{_BROADCAST}event:{event_id}"


def broadcast_events_done() -> str:
    return f"{_BROADCAST}events-done"


def broadcast_events_page(page: int) -> str:
    return f"{_BROADCAST}events-page:{page}"


def attached_event_of(match: re.Match[str]) -> int:
    return int(match["event"])


# /broadcasts and a scheduled broadcast's status: Cancel, with the broadcast's number.
_CANCEL_BROADCAST = _prefix("cancel-broadcast:")
CANCEL_BROADCAST = _pattern(_CANCEL_BROADCAST, f"(?P<broadcast>{_N})")


def cancel_broadcast(broadcast_id: int) -> str:
    return f"{_CANCEL_BROADCAST}{broadcast_id}"


def broadcast_of(match: re.Match[str]) -> int:
    return int(match["broadcast"])


# A stranger's registration of interest: the way in, then the consent.
_INTEREST = _prefix("interest:")
INTEREST_START = _pattern(_INTEREST, "start")
INTEREST_CONSENT = _pattern(_INTEREST, "(?P<consent>yes|no)")


def interest_start() -> str:
    return f"{_INTEREST}start"


def interest_consent(given: bool) -> str:
    return f"{_INTEREST}{'yes' if given else 'no'}"


def consent_of(match: re.Match[str]) -> bool:
    return match["consent"] == "yes"


# The same registration, begun from an information meeting's Sign up under /start: which
# meeting, then how many come.
INTEREST_MEETING = _pattern(_INTEREST, f"meeting:(?P<event>{_N})")
INTEREST_ADULTS = _pattern(_INTEREST, "adults:(?P<adults>[1-9])")


def interest_meeting(event_id: int) -> str:
    return f"{_INTEREST}meeting:{event_id}"


def meeting_of(match: re.Match[str]) -> int:
    return int(match["event"])


def interest_adults(adults: int) -> str:
    return f"{_INTEREST}adults:{adults}"


def adults_of(match: re.Match[str]) -> int:
    return int(match["adults"])


# A stranger gives up one of their places at an information meeting, under /start: by the
# sign-up's number (read back with `signup_of`).
INTEREST_CANCEL = _pattern(_INTEREST, f"cancel:(?P<signup>{_N})")


def interest_cancel(signup_id: int) -> str:
    return f"{_INTEREST}cancel:{signup_id}"


# After /end: the family's rating and the mentor's topic, with the question's number.
_RATE = _prefix("rate:")
RATE = _pattern(_RATE, f"(?P<request>{_N}):(?P<rating>{_N})")
_TOPIC = _prefix("topic:")
TOPIC = _pattern(_TOPIC, f"(?P<request>{_N}):(?P<topic>{_choices([t.value for t in Topic])})")


def rate(request_id: int, rating: int) -> str:
    return f"{_RATE}{request_id}:{rating}"


def rating_of(match: re.Match[str]) -> int:
    """The stars as pressed; the domain decides whether they are a rating (1 to 5)."""
    return int(match["rating"])


def topic(request_id: int, chosen: Topic) -> str:
    return f"{_TOPIC}{request_id}:{chosen.value}"


def topic_of(match: re.Match[str]) -> Topic:
    return Topic(match["topic"])


# "To which family?": to:PARKED:REQUEST, the mentor's kept message and the family it is for.
_ADDRESS = _prefix("to:")
ADDRESS = _pattern(_ADDRESS, f"(?P<parked>{_N}):(?P<request>{_N})")


def address(parked_id: int, request_id: int) -> str:
    return f"{_ADDRESS}{parked_id}:{request_id}"


def parked_of(match: re.Match[str]) -> int:
    return int(match["parked"])


# The guided booking (bot/shift_booking.py): the draft so far travels in the data, as a member
# number, a local day (20261204) and clock times (17002200; an end before the start is the next
# morning), so a press is read the same after a restart.
_BOOK = _prefix("book:")
_DAY = r"(?P<day>[0-9]{8})"
_TIMES = r"(?P<span>[0-9]{8})"
_GAP = f"(?::{_DAY}:{_TIMES})?"
BOOK_PAGE = _pattern(_BOOK, f"p:(?P<page>{_N}){_GAP}")
BOOK_FILL = _pattern(_BOOK, f"f:{_DAY}:{_TIMES}")
BOOK_HOUSEHOLD = _pattern(_BOOK, f"h:(?P<member>{_N})")
BOOK_DAY = _pattern(_BOOK, f"d:(?P<member>{_N}):{_DAY}")
BOOK_TYPE_DAY = _pattern(_BOOK, f"td:(?P<member>{_N})")
BOOK_TYPE_TIMES = _pattern(_BOOK, f"tt:(?P<member>{_N}):{_DAY}")
BOOK_PREVIEW = _pattern(_BOOK, f"v:(?P<member>{_N}):{_DAY}:{_TIMES}")
BOOK_CONFIRM = _pattern(_BOOK, f"ok:(?P<member>{_N}):{_DAY}:{_TIMES}")
BOOK_CANCEL = _pattern(_BOOK, "x")


def _day_data(day: date) -> str:
    return f"{day:%Y%m%d}"


def _span_data(span: Span) -> str:
    return f"{span.start:%H%M}{span.end:%H%M}"


def _day_span_data(when: DaySpan | None) -> str:
    return "" if when is None else f":{_day_data(when.day)}:{_span_data(when.span)}"


def book_page(page: int, gap: DaySpan | None = None) -> str:
    return f"{_BOOK}p:{page}{_day_span_data(gap)}"


def book_fill(gap: DaySpan) -> str:
    return f"{_BOOK}f{_day_span_data(gap)}"


def book_household(member_number: int) -> str:
    return f"{_BOOK}h:{member_number}"


def book_day(member_number: int, day: date) -> str:
    return f"{_BOOK}d:{member_number}:{_day_data(day)}"


def book_type_day(member_number: int) -> str:
    return f"{_BOOK}td:{member_number}"


def book_type_times(member_number: int, day: date) -> str:
    return f"{_BOOK}tt:{member_number}:{_day_data(day)}"


def book_preview(member_number: int, when: DaySpan) -> str:
    return f"{_BOOK}v:{member_number}{_day_span_data(when)}"


def book_confirm(member_number: int, when: DaySpan) -> str:
    return f"{_BOOK}ok:{member_number}{_day_span_data(when)}"


def book_cancel() -> str:
    return f"{_BOOK}x"


def page_of(match: re.Match[str]) -> int:
    return int(match["page"])


def booked_member_of(match: re.Match[str]) -> int:
    return int(match["member"])


def day_of(match: re.Match[str]) -> date | None:
    """The day as pressed, or None for data that names no real day (forged)."""
    raw = match["day"]
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        return None


def day_span_of(match: re.Match[str]) -> DaySpan | None:
    """The day and times as pressed; None if the data carries none or names no real ones."""
    day, raw = (day_of(match) if match["day"] else None), match["span"]
    if day is None or raw is None:
        return None
    try:
        start, end = (time(int(raw[n : n + 2]), int(raw[n + 2 : n + 4])) for n in (0, 4))
    except ValueError:
        return None
    return None if start == end else DaySpan(day, Span(start, end))


# A rota file that removes shifts: apply it all, add its new rows only, or cancel. The data
# names the change shown (a digest of it, bot/rota_planning.py); the file is the one the
# question replies to, read again at the press.
_ROTA_FILE = _prefix("rota-file:")
ROTA_FILE = _pattern(
    _ROTA_FILE, f"(?P<mode>all|add):(?P<digest>[0-9a-f]{{{rota_planning.DIGEST_LENGTH}}})"
)
ROTA_FILE_CANCEL = _pattern(_ROTA_FILE, "cancel")


def rota_file(remove_missing: bool, digest: str) -> str:
    return f"{_ROTA_FILE}{'all' if remove_missing else 'add'}:{digest}"


def rota_file_cancel() -> str:
    return f"{_ROTA_FILE}cancel"


def rota_file_of(match: re.Match[str]) -> tuple[bool, str]:
    """Whether the missing shifts go, and the digest of the change that was shown."""
    return match["mode"] == "all", match["digest"]


# A catalogue file's preview: Import, naming the plan shown (a digest of it,
# bot/catalogue_import.py), or Cancel. The file is the one the preview replies to, read again at
# the press.
_CATALOGUE = _prefix("catalogue:")
CATALOGUE_APPLY = _pattern(
    _CATALOGUE, f"apply:(?P<digest>[0-9a-f]{{{catalogue_import.DIGEST_LENGTH}}})"
)
CATALOGUE_CANCEL = _pattern(_CATALOGUE, "cancel")


def catalogue(digest: str) -> str:
    return f"{_CATALOGUE}apply:{digest}"


def catalogue_cancel() -> str:
    return f"{_CATALOGUE}cancel"


def digest_of(match: re.Match[str]) -> str:
    return match["digest"]


# /away: remove a span, show /away (from under the open gaps), pick this or next week, and the
# reason for the days picked.
_AWAY = _prefix("away:")
AWAY_REMOVE = _pattern(_AWAY, f"del:(?P<away>{_N})")
AWAY_SHOW = _pattern(_AWAY, "show")
AWAY_WEEK = _pattern(_AWAY, "week:(?P<week>this|next)")
_ISO_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_REASONS = _choices([r.value for r in AwayReason])
AWAY_REASON = _pattern(
    _AWAY, f"why:(?P<first>{_ISO_DAY}):(?P<last>{_ISO_DAY}):(?P<reason>{_REASONS})"
)


def away_remove(span_id: int) -> str:
    return f"{_AWAY}del:{span_id}"


def away_of(match: re.Match[str]) -> int:
    return int(match["away"])


def away_show() -> str:
    return f"{_AWAY}show"


def away_week(which: Week) -> str:
    return f"{_AWAY}week:{which}"


def week_of(match: re.Match[str]) -> Week:
    return "next" if match["week"] == "next" else "this"


def away_reason(first: date, last: date, reason: AwayReason) -> str:
    return f"{_AWAY}why:{first.isoformat()}:{last.isoformat()}:{reason.value}"


def away_days_of(match: re.Match[str]) -> tuple[date, date, AwayReason] | None:
    """The days and the reason as pressed; None for a date no calendar has (forged data)."""
    try:
        first, last = date.fromisoformat(match["first"]), date.fromisoformat(match["last"])
    except ValueError:
        return None
    return first, last, AwayReason(match["reason"])


# An open gap's Take, with the offer's number; a coordinator's Confirm or Refuse of a take.
_OPEN_GAP = _prefix("gap:")
GAP_TAKE = _pattern(_OPEN_GAP, f"(?P<offer>{_N})")
_GAP_DECIDE = _prefix("gap-decide:")
GAP_DECIDE = _pattern(_GAP_DECIDE, f"(?P<offer>{_N}):(?P<confirm>yes|no)")


def gap_take(offer_id: int) -> str:
    return f"{_OPEN_GAP}{offer_id}"


def gap_decide(offer_id: int, confirm: bool) -> str:
    return f"{_GAP_DECIDE}{offer_id}:{'yes' if confirm else 'no'}"


def offer_of(match: re.Match[str]) -> int:
    return int(match["offer"])


def confirm_of(match: re.Match[str]) -> bool:
    return match["confirm"] == "yes"


# /events: Sign up for an event, then the number of adults and, for an event children come
# along to, of children; the draft travels in the data (signup:EVENT:ADULTS:CHILDREN), so a
# press is read the same after a restart. A sign-up's Cancel, and the question a late one asks
# first: my-signup:late:SIGNUP:QUEUED (the sign-up's number and the second it was made), or Keep.
_SIGNUP = _prefix("signup:")
SIGNUP = _pattern(_SIGNUP, f"(?P<event>{_N})")
SIGNUP_ADULTS = _pattern(_SIGNUP, f"(?P<event>{_N}):(?P<adults>{_N})")
SIGNUP_CHILDREN = _pattern(_SIGNUP, f"(?P<event>{_N}):(?P<adults>{_N}):(?P<children>{_N})")
_MY_SIGNUP = _prefix("my-signup:")
MY_SIGNUP_CANCEL = _pattern(_MY_SIGNUP, f"(?P<signup>{_N})")
MY_SIGNUP_LATE = _pattern(_MY_SIGNUP, f"late:{_CONFIRMATION}")
MY_SIGNUP_KEEP = _pattern(_MY_SIGNUP, "keep")


def signup(event_id: int) -> str:
    return f"{_SIGNUP}{event_id}"


def signup_adults(event_id: int, adults: int) -> str:
    return f"{_SIGNUP}{event_id}:{adults}"


def signup_children(event_id: int, adults: int, children: int) -> str:
    return f"{_SIGNUP}{event_id}:{adults}:{children}"


# --- The coordinators' events (handlers/event_admin.py) ----------------------------------
# /event new's steps, a prefix of their own so that a draft's step takes only its own kind of
# press: the draft is kept in the conversation, so a press carries only its answer.
_EVENT_NEW = _prefix("event-admin-new:")
EVENT_NEW_KIND = _pattern(_EVENT_NEW, f"kind:(?P<kind>{_choices([k.value for k in EventKind])})")
EVENT_NEW_SKIP = _pattern(_EVENT_NEW, "skip")
EVENT_NEW_DAY = _pattern(_EVENT_NEW, f"day:{_DAY}")
EVENT_NEW_CAPACITY = _pattern(_EVENT_NEW, f"cap:(?P<capacity>{_N}|none)")
EVENT_NEW_AUDIENCE = _pattern(
    _EVENT_NEW, f"aud:(?P<audience>{_choices([a.value for a in EventAudience])})"
)
EVENT_NEW_CHILDREN = _pattern(_EVENT_NEW, "kids:(?P<children>yes|no)")
EVENT_NEW_DEADLINE = _pattern(
    _EVENT_NEW, f"dl:(?P<deadline>{_choices([d.value for d in DeadlineChoice])})"
)
EVENT_NEW_CREATE = _pattern(_EVENT_NEW, "(?P<create>ok|x)")
_EVENT_ADMIN = _prefix("event-admin:")
# /event: an event's card and what it offers, each with the event's number; Cancel event asks
# first, naming the event by its number and the second it starts (a changed time asks again).
EVENT_OPEN = _pattern(_EVENT_ADMIN, f"open:(?P<event>{_N})")
EVENT_CSV = _pattern(_EVENT_ADMIN, f"csv:(?P<event>{_N})")
EVENT_EDIT = _pattern(_EVENT_ADMIN, f"edit:(?P<event>{_N})")
EVENT_CHANGE = _pattern(
    _EVENT_ADMIN, f"change:(?P<event>{_N}):(?P<field>{_choices([f.value for f in ChangeField])})"
)
EVENT_CANCEL = _pattern(_EVENT_ADMIN, f"cancel:(?P<event>{_N})")
EVENT_CANCEL_CONFIRM = _pattern(_EVENT_ADMIN, f"cancel-yes:{_CONFIRMATION}")
EVENT_CANCEL_KEEP = _pattern(_EVENT_ADMIN, "keep")
EVENT_ATTENDANCE = _pattern(_EVENT_ADMIN, f"attendance:(?P<event>{_N})")
# A page of /event's list, and a page of an event's attendance buttons.
EVENT_LIST_PAGE = _pattern(_EVENT_ADMIN, f"page:(?P<page>{_N})")
EVENT_ATTENDANCE_PAGE = _pattern(_EVENT_ADMIN, f"attendance:(?P<event>{_N}):(?P<page>{_N})")
# Attendance: the household's sign-up on the event, and the mark the press sets.
_ATTEND = _prefix("attend:")
ATTEND = _pattern(_ATTEND, f"(?P<event>{_N}):(?P<signup>{_N}):(?P<came>yes|no)")


def event_new_kind(kind: EventKind) -> str:
    return f"{_EVENT_NEW}kind:{kind.value}"


def kind_of(match: re.Match[str]) -> EventKind:
    return EventKind(match["kind"])


def event_new_skip() -> str:
    return f"{_EVENT_NEW}skip"


def event_new_day(day: date) -> str:
    return f"{_EVENT_NEW}day:{_day_data(day)}"


def event_new_capacity(capacity: int | None) -> str:
    return f"{_EVENT_NEW}cap:{'none' if capacity is None else capacity}"


def capacity_of(match: re.Match[str]) -> int | None:
    return None if match["capacity"] == "none" else int(match["capacity"])


def event_new_audience(audience: EventAudience) -> str:
    return f"{_EVENT_NEW}aud:{audience.value}"


def event_audience_of(match: re.Match[str]) -> EventAudience:
    return EventAudience(match["audience"])


def event_new_children(along: bool) -> str:
    return f"{_EVENT_NEW}kids:{'yes' if along else 'no'}"


def children_of(match: re.Match[str]) -> bool:
    return match["children"] == "yes"


def event_new_deadline(choice: DeadlineChoice) -> str:
    return f"{_EVENT_NEW}dl:{choice.value}"


def deadline_of(match: re.Match[str]) -> DeadlineChoice:
    return DeadlineChoice(match["deadline"])


def event_new_create(create: bool) -> str:
    return f"{_EVENT_NEW}{'ok' if create else 'x'}"


def create_of(match: re.Match[str]) -> bool:
    return match["create"] == "ok"


def event_open(event_id: int) -> str:
    return f"{_EVENT_ADMIN}open:{event_id}"


def event_csv(event_id: int) -> str:
    return f"{_EVENT_ADMIN}csv:{event_id}"


def event_edit(event_id: int) -> str:
    return f"{_EVENT_ADMIN}edit:{event_id}"


def event_change(event_id: int, field: ChangeField) -> str:
    return f"{_EVENT_ADMIN}change:{event_id}:{field.value}"


def field_of(match: re.Match[str]) -> ChangeField:
    return ChangeField(match["field"])


def event_cancel(event_id: int) -> str:
    return f"{_EVENT_ADMIN}cancel:{event_id}"


def event_cancel_confirm(event: Confirmation) -> str:
    return _confirming(f"{_EVENT_ADMIN}cancel-yes:", event)


def event_cancel_keep() -> str:
    return f"{_EVENT_ADMIN}keep"


def event_attendance(event_id: int) -> str:
    return f"{_EVENT_ADMIN}attendance:{event_id}"


def event_list_page(page: int) -> str:
    return f"{_EVENT_ADMIN}page:{page}"


def event_attendance_page(event_id: int, page: int) -> str:
    return f"{_EVENT_ADMIN}attendance:{event_id}:{page}"


def event_of(match: re.Match[str]) -> int:
    return int(match["event"])


def party_of(match: re.Match[str]) -> tuple[int, int]:
    """The adults and children as pressed (no children before that step); the domain decides
    whether they are a party (bot.events.check_party)."""
    children = match.groupdict().get("children")
    return int(match["adults"]), int(children) if children is not None else 0


def my_signup_cancel(signup_id: int) -> str:
    return f"{_MY_SIGNUP}{signup_id}"


def my_signup_late(signup: Confirmation) -> str:
    return _confirming(f"{_MY_SIGNUP}late:", signup)


def my_signup_keep() -> str:
    return f"{_MY_SIGNUP}keep"


def attend(event_id: int, signup_id: int, came: bool) -> str:
    return f"{_ATTEND}{event_id}:{signup_id}:{'yes' if came else 'no'}"


def signup_of(match: re.Match[str]) -> int:
    return int(match["signup"])


def came_of(match: re.Match[str]) -> bool:
    return match["came"] == "yes"


# What a family's question is about: about:REQUEST:TAG, or about:REQUEST:- ("to everyone now").
_ABOUT = _prefix("about:")
_EVERYONE_NOW = "-"
ABOUT = _pattern(_ABOUT, f"(?P<request>{_N}):(?P<tag>[a-z][a-z0-9_]{{0,19}}|{_EVERYONE_NOW})")


def about(request_id: int, tag: str | None) -> str:
    """None: the family skips the choice and sends the question to everyone now."""
    return f"{_ABOUT}{request_id}:{_EVERYONE_NOW if tag is None else tag}"


def about_tag_of(match: re.Match[str]) -> str | None:
    return None if match["tag"] == _EVERYONE_NOW else match["tag"]


# /experience: one tag of a mentor household set or taken away, as the button showed it would
# be (so a press on an outdated keyboard does what it said): experience:MEMBER:JOINED:TAG:on|off.
_EXPERIENCE = _prefix("experience:")
EXPERIENCE = _pattern(
    _EXPERIENCE, f"{_CONFIRMATION}:(?P<tag>[a-z][a-z0-9_]{{0,19}}):(?P<present>on|off)"
)


def experience(mentor: Confirmation, tag: str, present: bool) -> str:
    return f"{_confirming(_EXPERIENCE, mentor)}:{tag}:{'on' if present else 'off'}"


def tag_of(match: re.Match[str]) -> tuple[str, bool]:
    """The tag, and whether the press sets it (True) or takes it away."""
    return match["tag"], match["present"] == "on"


# A family card's Own mentor family: the mentor households a page at a time, each linking the
# family (own-mentor:FAMILY:JOINED:MENTOR, by the number of an adult of the mentor household),
# and No own mentor family; each names the family by its number and the second it joined.
_OWN_MENTOR = _prefix("own-mentor:")
OWN_MENTOR = _pattern(_OWN_MENTOR, f"{_CONFIRMATION}:(?P<mentor>{_N})")
OWN_MENTOR_NONE = _pattern(_OWN_MENTOR, f"none:{_CONFIRMATION}")
OWN_MENTOR_PAGE = _pattern(_OWN_MENTOR, f"page:{_CONFIRMATION}:(?P<page>{_N})")


def own_mentor(family: Confirmation, mentor_number: int) -> str:
    return f"{_confirming(_OWN_MENTOR, family)}:{mentor_number}"


def own_mentor_none(family: Confirmation) -> str:
    return _confirming(f"{_OWN_MENTOR}none:", family)


def own_mentor_page(family: Confirmation, page: int) -> str:
    return f"{_confirming(f'{_OWN_MENTOR}page:', family)}:{page}"


def mentor_of(match: re.Match[str]) -> int:
    return int(match["mentor"])


# Talk it through, under the mentor's end of a conversation: debrief:REQUEST; and a
# coordinator's "I will call": debrief-ack:DEBRIEF.
_DEBRIEF = _prefix("debrief:")
DEBRIEF = _pattern(_DEBRIEF, f"(?P<request>{_N})")
_DEBRIEF_ACKNOWLEDGE = _prefix("debrief-ack:")
DEBRIEF_ACKNOWLEDGE = _pattern(_DEBRIEF_ACKNOWLEDGE, f"(?P<debrief>{_N})")


def debrief(request_id: int) -> str:
    return f"{_DEBRIEF}{request_id}"


def debrief_acknowledge(debrief_id: int) -> str:
    return f"{_DEBRIEF_ACKNOWLEDGE}{debrief_id}"


def debrief_of(match: re.Match[str]) -> int:
    return int(match["debrief"])


# A note for the social worker: unit-note:REQUEST under the mentor's end of a conversation,
# and the family's answer: note-consent:NOTE:yes|no.
_UNIT_NOTE = _prefix("unit-note:")
UNIT_NOTE = _pattern(_UNIT_NOTE, f"(?P<request>{_N})")
_UNIT_NOTE_CONSENT = _prefix("note-consent:")
UNIT_NOTE_CONSENT = _pattern(_UNIT_NOTE_CONSENT, f"(?P<note>{_N}):(?P<consent>yes|no)")


def unit_note(request_id: int) -> str:
    return f"{_UNIT_NOTE}{request_id}"


def unit_note_consent(note_id: int, consent: bool) -> str:
    return f"{_UNIT_NOTE_CONSENT}{note_id}:{'yes' if consent else 'no'}"


def note_of(match: re.Match[str]) -> int:
    return int(match["note"])
