"""Availability, from the mentors' side: when a household cannot be on duty, and the open gaps
of the rota a mentor takes with one press.

A mentor household marks itself away for whole local days (a holiday, illness); the span is
the household's, so either adult may set or remove it. Planning reads it through
`away_households`, one value (`Availability`) for a stretch of time, and every question about
it (is this household away then? who is free for this gap? which households go on the first
page of a booking?) is a pure function of that value.

A gap is offered as a row (`gap_offers`) whose number the Take button carries, so a press is
checked against the database. Taking is decided like a swap: inside one IMMEDIATE transaction
the gap is checked to be still open (no shift booked into it meanwhile) and the taker free,
and one conditional UPDATE moves the offer on, so of two mentors pressing at once exactly one
wins. A take books the whole gap as one shift: the gap is what the button showed, and a part
of it would need a time picker, which costs the mentor more presses than a /swap later does.
With MENTORBOT_SHIFT_PICKUP=approve the take is only a request until a coordinator confirms it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from bot.rota import Interval, local_moment
from bot.rota_planning import coverage
from bot.service_hours import ServiceHours
from storage import audit, availability, households, shifts
from storage.db import Database, Session
from storage.models import (
    Action,
    AwayReason,
    AwaySpan,
    GapOffer,
    GapOfferState,
    Household,
    Member,
    Role,
    Shift,
)

# The longest span one /away marks: a long illness is several spans, each renewed on purpose.
MAX_AWAY_DAYS = 92
# /shifts and a coordinator's "open shifts" show the gaps of this many coming days.
OPEN_GAP_DAYS = 14
# Telegram allows 100 buttons a message; a rota with more gaps than this needs a coordinator.
MAX_OFFERED = 30

Week = Literal["this", "next"]


# How far ahead a day may be named: a year, as far as anyone plans a rota (and far enough from
# the calendar's end that a night shift's morning is still a date).
DAYS_AHEAD_AT_MOST = 366


class AwayProblem(StrEnum):
    BACKWARDS = "backwards"  # the last day before the first
    PAST = "past"  # over already
    TOO_LONG = "too_long"
    TOO_FAR = "too_far"  # more than a year ahead: no rota is planned that far
    OVERLAP = "overlap"  # the household is away then already
    NOT_MENTOR = "not_mentor"


class TakeProblem(StrEnum):
    GONE = "gone"  # taken, filled another way, over, or no such offer
    AWAY = "away"  # the taker's household is away then
    NOT_MENTOR = "not_mentor"
    DECIDED = "decided"  # a coordinator's press on a request already decided


# Away spans -------------------------------------------------------------------------------


def away_interval(first: date, last: date, tz: ZoneInfo) -> Interval:
    """Whole local days, both inclusive: from midnight of `first` to midnight after `last`."""
    return Interval(
        local_moment(first, time(0), tz), local_moment(last + timedelta(days=1), time(0), tz)
    )


def week(today: date, which: Week) -> tuple[date, date]:
    """Monday to Sunday of this week or the next, as the /away buttons offer them."""
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1 if which == "next" else 0)
    return monday, monday + timedelta(days=6)


def check_days(first: date, last: date, today: date) -> AwayProblem | None:
    """What is wrong with these days for an away span, checked before anything is asked."""
    if last < first:
        return AwayProblem.BACKWARDS
    if last < today:
        return AwayProblem.PAST
    if (last - first).days + 1 > MAX_AWAY_DAYS:
        return AwayProblem.TOO_LONG
    if first > today + timedelta(days=DAYS_AHEAD_AT_MOST):
        return AwayProblem.TOO_FAR
    return None


async def mark_away(
    db: Database,
    member: Member,
    first: date,
    last: date,
    reason: AwayReason,
    tz: ZoneInfo,
    now: datetime,
) -> AwaySpan | AwayProblem:
    if member.role is not Role.MENTOR:
        return AwayProblem.NOT_MENTOR
    problem = check_days(first, last, now.astimezone(tz).date())
    if problem is not None:
        return problem
    span = away_interval(first, last, tz)
    household = member.household.id
    async with db.write() as session:
        if await availability.away_overlapping(session, span.start, span.end, household):
            return AwayProblem.OVERLAP
        return await availability.add_away(
            session, household, span.start, span.end, reason, member.id, now
        )


async def remove_away(db: Database, member: Member, span_id: int) -> AwaySpan | None:
    """Remove one of the household's spans; None if it has no such span (any longer)."""
    async with db.write() as session:
        span = await availability.away_by_id(session, span_id)
        if span is None or span.household_id != member.household.id:
            return None
        await availability.delete_away(session, span_id, member.household.id)
    return span


async def own_away(db: Database, household_id: int, now: datetime) -> list[AwaySpan]:
    """The household's spans that have not ended, soonest first."""
    async with db.read() as session:
        return await availability.away_ending_after(session, household_id, now)


@dataclass(frozen=True, slots=True)
class Availability:
    """The away spans of every household over a stretch of time, by household id."""

    spans: dict[int, tuple[Interval, ...]] = field(default_factory=dict)

    def away_during(self, household_id: int, span: Interval) -> bool:
        """Away for any part of `span`: a shift then would find nobody at home for some of it."""
        return any(
            away.start < span.end and span.start < away.end
            for away in self.spans.get(household_id, ())
        )

    def free(self, candidates: Iterable[Household], span: Interval) -> list[Household]:
        """The candidates not away at any time during `span`, in the order given."""
        return [household for household in candidates if not self.away_during(household.id, span)]


async def away_households(db: Database, start: datetime, end: datetime) -> Availability:
    """Who is away when, between `start` and `end`: what planning a shift there asks about."""
    async with db.read() as session:
        found = await availability.away_overlapping(session, start, end)
    spans: dict[int, list[Interval]] = {}
    for away in found:
        spans.setdefault(away.household_id, []).append(Interval(away.starts_at, away.ends_at))
    return Availability({household: tuple(listed) for household, listed in spans.items()})


async def mentor_households(db: Database) -> list[Household]:
    """Every mentor household once, by name: the candidates for a gap."""
    async with db.read() as session:
        mentors = await households.members_with_role(session, Role.MENTOR)
    unique = {member.household.id: member.household for member in mentors}
    return sorted(
        unique.values(), key=lambda household: (household.display_name or "", household.id)
    )


# Open gaps --------------------------------------------------------------------------------


async def open_gaps(
    db: Database,
    hours: ServiceHours,
    tz: ZoneInfo,
    now: datetime,
    household_id: int | None = None,
) -> list[GapOffer]:
    """The open gaps of the coming OPEN_GAP_DAYS as offers a Take button can name; for a
    household, only those it is not away for."""
    today = now.astimezone(tz).date()
    # Whole gaps, even one that has begun: an offer is named by its gap's times, so tonight's
    # gap shown at 17:30 and again at 17:40 is one offer, not two a household could each take.
    days = await coverage(db, today, OPEN_GAP_DAYS, hours, tz)
    found = [gap for day in days for gap in day.gaps if gap.end > now]
    if household_id is not None and found:
        away = await away_households(db, found[0].start, found[-1].end)
        found = [gap for gap in found if not away.away_during(household_id, gap)]
    async with db.write() as session:
        offers = [
            await availability.live_offer(session, gap.start, gap.end, now)
            for gap in found[:MAX_OFFERED]
        ]
    return [offer for offer in offers if offer.state is GapOfferState.OPEN]


async def remember_offer_message(
    db: Database, offers: Iterable[GapOffer], chat_id: int, message_id: int
) -> None:
    async with db.write() as session:
        await availability.add_offer_messages(
            session, [offer.id for offer in offers], chat_id, message_id
        )


async def offers_in_message(db: Database, chat_id: int, message_id: int) -> list[GapOffer]:
    async with db.read() as session:
        return await availability.offers_in_message(session, chat_id, message_id)


@dataclass(frozen=True, slots=True)
class Taken:
    """A press that won: the offer as it is now, the shift booked (None while asked for or
    refused), and the household that took it or asked to."""

    offer: GapOffer
    shift: Shift | None
    taker_name: str | None
    taker_adults: list[Member]
    # Every message that shows the offer's button, to be shown again.
    messages: list[tuple[int, int]]
    # A coordinator's decision: every coordinator's copy of the request, to close.
    request_messages: list[tuple[int, int]] = field(default_factory=list)
    # Confirmed too late: the gap was filled another way while the request waited, so it
    # ends without a shift, and the household that asked is told so.
    filled: bool = False


async def take(
    db: Database, member: Member, offer_id: int, *, approve: bool, now: datetime
) -> Taken | TakeProblem:
    """The first mentor to press gets the gap; with `approve`, it is asked for instead."""
    if member.role is not Role.MENTOR or not member.approved:
        return TakeProblem.NOT_MENTOR
    household = member.household.id
    async with db.write() as session:
        offer = await availability.offer_by_id(session, offer_id)
        if offer is None or offer.state is not GapOfferState.OPEN:
            return TakeProblem.GONE
        gap = Interval(offer.starts_at, offer.ends_at)
        if gap.end <= now or await shifts.shifts_overlapping(session, gap.start, gap.end):
            # Over, or filled meanwhile: the offer stays closed for everyone.
            await availability.move_offer(
                session, offer.id, GapOfferState.OPEN, GapOfferState.CLOSED, None, now
            )
            return TakeProblem.GONE
        if await availability.away_overlapping(session, gap.start, gap.end, household):
            return TakeProblem.AWAY
        state = GapOfferState.ASKED if approve else GapOfferState.TAKEN
        if not await availability.move_offer(
            session, offer.id, GapOfferState.OPEN, state, household, now
        ):
            return TakeProblem.GONE
        booked = None
        if not approve:
            booked = await shifts.add_shift(session, household, gap.start, gap.end, member.id, now)
            await availability.set_offer_shift(session, offer.id, booked.id)
        return await _outcome(session, offer.id, booked, household)


async def decide(
    db: Database, coordinator: Member, offer_id: int, *, confirm: bool, now: datetime
) -> Taken | TakeProblem:
    """A coordinator confirms or refuses a mentor's request for a gap; the first press decides.

    Confirmed, the shift is booked, unless the gap was filled meanwhile: the offer is closed
    and the outcome says `filled`, for the household and the coordinators to be told.
    Refused, the gap is open again and its buttons say so.
    """
    if coordinator.role is not Role.COORDINATOR:
        return TakeProblem.NOT_MENTOR
    async with db.write() as session:
        offer = await availability.offer_by_id(session, offer_id)
        if offer is None or offer.state is not GapOfferState.ASKED or offer.taken_by is None:
            return TakeProblem.DECIDED
        gap = Interval(offer.starts_at, offer.ends_at)
        taker = offer.taken_by
        if confirm and (
            gap.end <= now or await shifts.shifts_overlapping(session, gap.start, gap.end)
        ):
            if not await availability.move_offer(
                session, offer.id, GapOfferState.ASKED, GapOfferState.CLOSED, taker, now
            ):
                return TakeProblem.DECIDED
            closed = await _outcome(session, offer.id, None, taker)
            requests = await availability.take_request_messages(session, offer.id)
            return replace(closed, request_messages=requests, filled=True)
        # Refused, the request is over and the gap open again for the others.
        state = GapOfferState.TAKEN if confirm else GapOfferState.OPEN
        if not await availability.move_offer(
            session, offer.id, GapOfferState.ASKED, state, taker if confirm else None, now
        ):
            return TakeProblem.DECIDED
        booked = None
        if confirm:
            booked = await shifts.add_shift(session, taker, gap.start, gap.end, coordinator.id, now)
            await availability.set_offer_shift(session, offer.id, booked.id)
            subject = f"shift #{booked.id} (open shift #{offer.id} confirmed)"
            await audit.record(session, coordinator, Action.SHIFT_ADD, subject, now)
        decided = await _outcome(session, offer.id, booked, taker)
        requests = await availability.take_request_messages(session, offer.id)
    return replace(decided, request_messages=requests)


async def remember_request_message(
    db: Database, offer: GapOffer, chat_id: int, message_id: int
) -> None:
    async with db.write() as session:
        await availability.add_request_message(session, offer.id, chat_id, message_id)


async def _outcome(
    session: Session, offer_id: int, booked: Shift | None, household_id: int
) -> Taken:
    offer = await availability.offer_by_id(session, offer_id)
    assert offer is not None  # moved in this transaction
    adults = await households.household_members(session, household_id)
    name = adults[0].household.display_name if adults else None
    messages = await availability.messages_showing(session, offer_id)
    return Taken(offer, booked, name, adults, messages)
