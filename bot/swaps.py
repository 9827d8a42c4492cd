"""Shift swaps: a mentor household offers its shift, the first other mentor to take it gets it.

Taking is decided by one conditional UPDATE on the swap (open -> taken) inside the same
transaction that moves the shift, so two mentors pressing at the same moment cannot both win,
and a shift never ends up with nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.rota import Interval, overlaps
from storage import availability, households, shifts
from storage.db import Database
from storage.models import Member, Role, ShiftListing, Swap, SwapState


class SwapProblem(StrEnum):
    NOT_FOUND = "not_found"  # no such shift, or not the household's own
    STARTED = "started"
    GONE = "gone"  # taken by someone else, withdrawn, or the shift was removed
    OWN = "own"  # a household cannot take its own offer
    OVERLAP = "overlap"  # the taker is already on duty then
    AWAY = "away"  # the taker's household said it is away then
    NOT_MENTOR = "not_mentor"  # only a mentor household may take a shift


@dataclass(frozen=True, slots=True)
class Offer:
    swap: Swap
    listing: ShiftListing
    # Every adult of every other mentor household: who is asked to take the shift.
    recipients: list[Member]
    # False when the shift was on offer already: its offers went out then.
    new: bool = True


@dataclass(frozen=True, slots=True)
class Taken:
    swap: Swap
    listing: ShiftListing  # the shift as it was offered, with the giver's name
    giver: list[Member]
    # Where the offer was shown, so every copy can say it is taken.
    offer_messages: list[tuple[int, int]]


async def offer(db: Database, member: Member, shift_id: int, now: datetime) -> Offer | SwapProblem:
    async with db.write() as session:
        listing = await shifts.listing_by_id(session, shift_id)
        if listing is None or listing.shift.household_id != member.household.id:
            return SwapProblem.NOT_FOUND
        if listing.shift.starts_at <= now:
            return SwapProblem.STARTED
        swap, new = await shifts.open_swap(session, shift_id, member.household.id, now)
        mentors = await households.members_with_role(session, Role.MENTOR)
        shift = listing.shift
        away = {
            span.household_id
            for span in await availability.away_overlapping(session, shift.starts_at, shift.ends_at)
        }
    # Every other mentor household, but those that said they are away then: asked, they
    # could only say no, or take a shift nobody would come to.
    recipients = [
        other
        for other in mentors
        if other.household.id != member.household.id and other.household.id not in away
    ]
    return Offer(swap, listing, recipients, new)


async def remember_offer_message(db: Database, swap: Swap, chat_id: int, message_id: int) -> None:
    async with db.write() as session:
        await shifts.add_swap_message(session, swap.id, chat_id, message_id)


async def take(db: Database, member: Member, swap_id: int, now: datetime) -> Taken | SwapProblem:
    async with db.write() as session:
        swap = await shifts.swap_by_id(session, swap_id)
        listing = await shifts.listing_by_id(session, swap.shift_id) if swap else None
        if (
            swap is None
            or listing is None
            or swap.state is not SwapState.OPEN
            or listing.shift.household_id != swap.offered_by
        ):
            return SwapProblem.GONE
        if member.role is not Role.MENTOR:  # only mentor households are ever on duty
            return SwapProblem.NOT_MENTOR
        if swap.offered_by == member.household.id:
            return SwapProblem.OWN
        shift = listing.shift
        if shift.starts_at <= now:
            return SwapProblem.STARTED
        mine = await shifts.shifts_overlapping(
            session, shift.starts_at, shift.ends_at, member.household.id
        )
        if overlaps(mine, member.household.id, Interval(shift.starts_at, shift.ends_at)):
            return SwapProblem.OVERLAP
        if await availability.away_overlapping(
            session, shift.starts_at, shift.ends_at, member.household.id
        ):
            return SwapProblem.AWAY
        if not await shifts.take_swap(session, swap, member.household.id, now):
            return SwapProblem.GONE
        taken = await shifts.swap_by_id(session, swap_id)
        giver = await households.household_members(session, swap.offered_by)
        messages = await shifts.swap_messages(session, swap_id)
    assert taken is not None
    return Taken(taken, listing, giver, messages)
