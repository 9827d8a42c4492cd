"""Who a family's question is offered to, and why: a pure function of the rota, the links, the
experience tags, the load and the time.

A question goes out in widening circles, each recorded with its reason so a coordinator can see
why an offer went where it did:

1. the family's own mentor household, when an adult of it is on duty, for `own_mentor_wait`;
2. the mentors on duty whose experience matches what the family said the question is about, for
   `match_wait`;
3. everyone on duty.

An urgent question skips the circles and goes to everyone at once. A mentor adult who already
holds `max_conversations` open conversations is left out of every circle, so the load spreads;
when nobody on duty has room, the question goes to all of them rather than to nobody (`LOAD`).

The family picks its topics with buttons after its first message, so the experience circle
waits up to `TOPIC_CHOICE` from the question for that choice when it could make a difference
(someone on duty outside the own household, with room, has tags); a family that lets it pass
reaches everyone, and one that presses "send to everyone now" reaches everyone at once, its own
mentor household's wait included.

Nothing here reads a clock or a database: the caller passes the moment and what is on duty, asks
again at `widens_at`, and sends an offer to each adult listed who does not hold one yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

TOPIC_CHOICE = timedelta(minutes=1)  # how long the experience circle waits for a family's choice


class Experience(StrEnum):
    """The experience a coordinator may set for a mentor household, and a family may say its
    question is about. A municipality adds its own with MENTORBOT_EXTRA_EXPERIENCE."""

    SMALL_CHILDREN = "small_children"
    TEENAGERS = "teenagers"
    KINSHIP_CARE = "kinship_care"
    UNACCOMPANIED_MINORS = "unaccompanied"
    SPECIAL_NEEDS = "special_needs"  # disability or neuropsychiatric needs
    BIRTH_FAMILY = "birth_family"
    SCHOOL = "school"
    NEW_FAMILY = "new_family"


class Reason(StrEnum):
    """Why an offer went to an adult; stored with the offer and shown in /requests."""

    OWN_MENTOR = "own_mentor"
    EXPERIENCE = "experience"
    EVERYONE = "everyone"
    LOAD = "load"  # everyone on duty was at the cap, so the cap was set aside


@dataclass(frozen=True, slots=True)
class MatchingRules:
    own_mentor_wait: timedelta = timedelta(minutes=5)
    match_wait: timedelta = timedelta(minutes=2)
    max_conversations: int = 3


DEFAULT_RULES = MatchingRules()


@dataclass(frozen=True, slots=True)
class OnDuty:
    """A mentor adult on duty now, with what routing weighs."""

    member_id: int
    household_id: int
    open_conversations: int
    experience: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Question:
    first_offered_at: datetime  # when routing of this question began
    own_mentor_household_id: int | None = None
    topics: frozenset[str] | None = None  # None: the family has not chosen (yet); empty: skipped
    urgent: bool = False


@dataclass(frozen=True, slots=True)
class Offer:
    member_id: int
    reason: Reason


@dataclass(frozen=True, slots=True)
class Decision:
    offers: tuple[Offer, ...]  # everyone who should hold an offer now, in the order to send
    widens_at: datetime | None  # when asking again would offer it to more adults


def _by_load(adults: Iterable[OnDuty]) -> list[OnDuty]:
    return sorted(adults, key=lambda adult: (adult.open_conversations, adult.member_id))


def _circles(
    question: Question, on_duty: Sequence[OnDuty], rules: MatchingRules, now: datetime
) -> list[tuple[Reason, list[OnDuty]]]:
    """The circles reached by `now`, innermost first, each with the adults it adds."""
    with_room = [a for a in on_duty if a.open_conversations < rules.max_conversations]
    if not with_room:
        return [(Reason.LOAD, list(on_duty))]
    if question.urgent:
        return [(Reason.EVERYONE, with_room)]
    circles: list[tuple[Reason, list[OnDuty]]] = []
    start = question.first_offered_at
    own = [a for a in with_room if a.household_id == question.own_mentor_household_id]
    others = [a for a in with_room if a.household_id != question.own_mentor_household_id]
    skipped = question.topics is not None and not question.topics  # "send to everyone now"
    if own:
        circles.append((Reason.OWN_MENTOR, own))
        start += rules.own_mentor_wait
        if now < start and not skipped:
            return circles
    if question.topics is None:
        choosing = question.first_offered_at + TOPIC_CHOICE
        if any(a.experience for a in others) and now < choosing:
            return circles
    elif question.topics:
        matching = [a for a in others if a.experience & question.topics]
        if matching:
            circles.append((Reason.EXPERIENCE, matching))
            if now < start + rules.match_wait:
                return circles
    circles.append((Reason.EVERYONE, others))
    return circles


def _offers(circles: Sequence[tuple[Reason, Sequence[OnDuty]]]) -> tuple[Offer, ...]:
    offers: list[Offer] = []
    seen: set[int] = set()
    for reason, adults in circles:
        for adult in _by_load(adults):
            if adult.member_id not in seen:
                seen.add(adult.member_id)
                offers.append(Offer(adult.member_id, reason))
    return tuple(offers)


def _boundaries(question: Question, rules: MatchingRules) -> list[datetime]:
    """Every moment a circle may open, whatever is on duty; the caller's timer needs only one."""
    own_end = question.first_offered_at + rules.own_mentor_wait
    return sorted(
        {
            question.first_offered_at + TOPIC_CHOICE,
            question.first_offered_at + rules.match_wait,
            own_end,
            own_end + rules.match_wait,
        }
    )


def asks_for_topics(question: Question, on_duty: Sequence[OnDuty], rules: MatchingRules) -> bool:
    """Whether the family's choice of topics could change who is asked: worth the buttons."""
    if question.topics is not None or question.urgent:
        return False
    return any(
        adult.experience
        for adult in on_duty
        if adult.household_id != question.own_mentor_household_id
        and adult.open_conversations < rules.max_conversations
    )


def route(
    question: Question, on_duty: Sequence[OnDuty], rules: MatchingRules, now: datetime
) -> Decision:
    offers = _offers(_circles(question, on_duty, rules, now))
    offered = {offer.member_id for offer in offers}
    for moment in _boundaries(question, rules):
        if moment <= now:
            continue
        later = _offers(_circles(question, on_duty, rules, moment))
        if {offer.member_id for offer in later} != offered:
            return Decision(offers, moment)
    return Decision(offers, None)
