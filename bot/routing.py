"""From a foster family's message to a mentor's conversation: requests, offers, claims, the end.

Every decision that two people could race for is one conditional UPDATE inside an IMMEDIATE
transaction: the first Accept wins (`offered -> accepted`), an escalation step happens once
(`escalation = n-1 -> n`), a cancel or an end happens once. The handlers only send and edit
messages; what was decided is always read back from the database.

A request belongs to the family household, so either adult may write in it; whichever adult
accepts holds the conversation. Who is offered it, and when more are, is bot/matching's pure
decision (own mentor household, matching experience, everyone; the load cap), taken here with
what the database says now and asked again at the moment it names (`widen`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot import matching, metrics
from bot.i18n import N_
from bot.matching import DEFAULT_RULES, Decision, MatchingRules, OnDuty, Question, Reason
from storage import households, requests, shifts
from storage import matching as matching_store
from storage.db import Database, Session
from storage.models import (
    OPEN_REQUEST_STATES,
    Kind,
    Member,
    OfferMessage,
    RelayPurpose,
    Request,
    RequestState,
    Role,
    Side,
)

PREVIEW_LENGTH = 300  # the first words of a question, enough for a mentor to decide
TOP_ESCALATION = 2  # 1: mentors on duty asked again (and any who came on duty); 2: coordinators
EXPIRY = TOP_ESCALATION + 1  # the step after the coordinators: nobody took it, it ends
MAX_RATING = 5
TAKE_OVER_HISTORY = 100  # the family's last messages a mentor taking over is shown (one call)


class Topic(StrEnum):
    """What a conversation was about, as the mentor files it for the evaluation."""

    SLEEP = "sleep"
    SCHOOL = "school"
    BIRTH_FAMILY = "birth_family"
    BEHAVIOUR = "behaviour"
    HEALTH = "health"
    PRACTICAL = "practical"
    OTHER = "other"


# How each topic reads, in the mentor's buttons and in the evaluation report.
TOPIC_LABELS = {
    Topic.SLEEP: N_("topic.sleep"),
    Topic.SCHOOL: N_("topic.school"),
    Topic.BIRTH_FAMILY: N_("topic.birth_family"),
    Topic.BEHAVIOUR: N_("topic.behaviour"),
    Topic.HEALTH: N_("topic.health"),
    Topic.PRACTICAL: N_("topic.practical"),
    Topic.OTHER: N_("topic.other"),
}


class RoutingProblem(StrEnum):
    GONE = "gone"  # taken by someone else, withdrawn, or ended
    NOT_YOURS = "not_yours"  # never offered to this adult, or declined already
    NO_REQUEST = "no_request"


@dataclass(frozen=True, slots=True)
class Intake:
    """What became of a family's message outside a conversation."""

    request: Request
    opened: bool  # a new request (else attached to the open one)
    # The adults to send an offer to now; empty when attached, or when nobody is on duty.
    offer_to: list[Member] = field(default_factory=list)
    next_shift: datetime | None = None  # when a waiting request will be offered
    became_urgent: bool = False
    in_conversation: bool = False  # nothing was stored: relay the message instead
    # How many conversations each adult asked holds already, for their offer's text.
    holding: dict[int, int] = field(default_factory=dict)
    widens_at: datetime | None = None  # when more mentors are to be asked, if nobody accepted
    asks_topics: bool = False  # the family's choice of topics could change who is asked

    @property
    def offering(self) -> Offering:
        """The new question going out, as every other way a question goes out is handed on."""
        return Offering(self.request, self.offer_to, self.holding, self.widens_at, self.asks_topics)


@dataclass(frozen=True, slots=True)
class Offering:
    """A request going out (again): to whom, and the offers shown before, to edit."""

    request: Request
    offer_to: list[Member]
    holding: dict[int, int] = field(default_factory=dict)
    widens_at: datetime | None = None
    asks_topics: bool = False  # the family's choice of topics could change who is asked


class TopicProblem(StrEnum):
    """Why a family's choice of topics changed nothing."""

    GONE = "gone"  # accepted, withdrawn or ended since the buttons were sent
    CHOSEN = "chosen"  # chosen (or skipped) already
    TOO_LATE = "too_late"  # it reached everyone on duty already: a choice changes nothing


@dataclass(frozen=True, slots=True)
class Accepted:
    request: Request
    family: list[Member]
    # The family's messages so far, to copy to the mentor in order.
    pending: list[tuple[int, int]]
    # The other offers, to edit to "taken".
    other_offers: list[OfferMessage]
    # Who held the conversation before, when a mentor on duty took over an urgent one.
    taken_from: Member | None = None


class AddressProblem(StrEnum):
    """Why a mentor's message goes to no conversation."""

    ENDED = "ended"  # a reply to a conversation that is over
    NOT_YOURS = "not_yours"  # a reply to a question not (or no longer) theirs to answer
    UNKNOWN_REPLY = "unknown_reply"  # a reply to a bot message no conversation knows
    NONE_OPEN = "none_open"


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """The mentor holds several conversations and did not reply to one: they must choose."""

    choices: list[Request]


@dataclass(frozen=True, slots=True)
class Alarm:
    """Danger words inside a conversation: what the handler must now tell and to whom."""

    request: Request
    became_urgent: bool  # the coordinators have not been told about this question yet
    # Mentors on duty asked to take the conversation over, when its mentor is not on duty.
    offer_to: list[Member]


@dataclass(frozen=True, slots=True)
class Ended:
    request: Request
    family: list[Member]
    mentor: Member | None
    withdrawn_offers: list[OfferMessage] = field(default_factory=list)


async def _on_duty_adults(session: Session, now: datetime) -> list[Member]:
    return _mentors(await households.members_on_duty(session, now))


def _mentors(on_duty: Sequence[Member]) -> list[Member]:
    return [adult for adult in on_duty if adult.role is Role.MENTOR]


@dataclass(frozen=True, slots=True)
class _Routed:
    """bot/matching's decision for a request, with the adults it names."""

    decision: Decision
    adults: dict[int, Member]
    holding: dict[int, int]
    asks_topics: bool


async def _route(
    session: Session,
    request: Request,
    adults: Sequence[Member],
    rules: MatchingRules,
    now: datetime,
    *,
    everyone: bool = False,
    known: tuple[matching_store.QuestionFacts, Sequence[matching_store.AdultFacts]] | None = None,
) -> _Routed:
    """Who of the adults on duty is to hold an offer now. An adult who declined it is out of
    every circle, so a circle whose adults all declined opens the next at once. `everyone`:
    all circles at once and the load cap set aside (an escalation asks everyone on duty again:
    nobody with room took it). `known`: the facts routing weighs, read already (a question
    just opened: `requests.first_look`)."""
    if everyone:
        rules = replace(rules, max_conversations=sys.maxsize)
    question_facts, read_facts = known or await matching_store.routing_facts(
        session, request.id, [adult.id for adult in adults]
    )
    on_duty_ids = {adult.id for adult in adults}
    facts = [fact for fact in read_facts if fact.member_id in on_duty_ids]
    asked = [fact for fact in facts if not fact.declined]
    on_duty = [
        OnDuty(fact.member_id, fact.household_id, fact.open_conversations, fact.experience)
        for fact in asked
    ]
    question = Question(
        first_offered_at=request.offered_at or now,
        own_mentor_household_id=question_facts.own_mentor_household_id,
        topics=question_facts.topics,
        urgent=request.urgent or everyone,
    )
    return _Routed(
        matching.route(question, on_duty, rules, now),
        {adult.id: adult for adult in adults},
        {fact.member_id: fact.open_conversations for fact in asked if fact.open_conversations},
        matching.asks_for_topics(question, on_duty, rules),
    )


async def _offer_routed(
    session: Session, request_id: int, routed: _Routed, now: datetime
) -> list[Member]:
    """Record the decided offers not made before, each with its reason; returns those newly
    asked."""
    decided = [
        (routed.adults[offer.member_id], offer.reason.value) for offer in routed.decision.offers
    ]
    return await _record_offers(session, request_id, decided, now)


async def _offer(
    session: Session, request_id: int, candidates: Sequence[Member], now: datetime
) -> list[Member]:
    """Record an offer for each candidate not asked before; returns those newly asked."""
    return await _record_offers(session, request_id, [(adult, None) for adult in candidates], now)


async def _record_offers(
    session: Session,
    request_id: int,
    offers: Sequence[tuple[Member, str | None]],
    now: datetime,
) -> list[Member]:
    rows = [(adult.id, adult.telegram_user_id, reason) for adult, reason in offers]
    new = await requests.add_offers(session, request_id, rows, now)
    return [adult for adult, _ in offers if adult.id in new]


async def _read(session: Session, request_id: int) -> Request:
    request = await requests.request_by_id(session, request_id)
    if request is None:
        raise LookupError(f"request {request_id} vanished inside its own transaction")
    return request


async def open_request_of(db: Database, family: Member) -> Request | None:
    async with db.read() as session:
        return await requests.open_request_of_family(session, family.household.id)


async def take_message(
    db: Database,
    family: Member,
    chat_id: int,
    message_id: int,
    *,
    kind: Kind,
    preview: str | None,
    urgent: bool,
    now: datetime,
    rules: MatchingRules = DEFAULT_RULES,
) -> Intake:
    """Open a request with this message, or attach it to the family's open one."""
    async with db.write() as session:
        look = await requests.first_look(session, family.household.id, now)
        existing = look.open_request
        if existing is not None and existing.state is RequestState.ACCEPTED:
            # In the conversation (a mentor may have accepted a moment ago): the message is
            # handled once it is relayed, not here, so a stop before the copy loses nothing.
            session.handled_later()
            return Intake(existing, False, in_conversation=True)
        if existing is not None:
            await requests.add_pending_message(session, existing.id, chat_id, message_id, now)
            became_urgent = urgent and not existing.urgent
            if became_urgent:
                await requests.mark_urgent(session, existing.id)
            return Intake(await _read(session, existing.id), False, became_urgent=became_urgent)
        adults = _mentors(look.on_duty)
        state = RequestState.OFFERED if adults else RequestState.WAITING
        clipped = preview[:PREVIEW_LENGTH] if preview else None
        request = await requests.open_request(
            session,
            family.household.id,
            state,
            first_kind=kind,
            preview=clipped,
            urgent=urgent,
            now=now,
        )
        await requests.add_pending_message(session, request.id, chat_id, message_id, now)
        if not adults:
            await session.ends_with_next()
            next_shift = await shifts.next_start_after(session, now)
            return Intake(request, True, next_shift=next_shift, became_urgent=urgent)
        routed = await _route(session, request, adults, rules, now, known=look.new_question)
        await session.ends_with_next()  # a family's question: three trips, its COMMIT in the last
        offer_to = await _offer_routed(session, request.id, routed, now)
    return Intake(
        request,
        True,
        offer_to,
        became_urgent=urgent,
        holding=routed.holding,
        widens_at=routed.decision.widens_at,
        asks_topics=routed.asks_topics,
    )


async def remember_offers(db: Database, request_id: int, shown: Sequence[tuple[int, int]]) -> None:
    """(member id, message id) of each offer sent, in one transaction for all of them."""
    async with db.write() as session:
        await requests.set_offer_messages(session, request_id, shown)
    metrics.OFFERS_SENT.inc(len(shown))


async def offer_waiting(
    db: Database, now: datetime, rules: MatchingRules = DEFAULT_RULES
) -> list[Offering]:
    """At a shift's start: every waiting request goes to the mentors now on duty."""
    async with db.write() as session:
        adults = await _on_duty_adults(session, now)
        if not adults:
            return []
        waiting = await requests.requests_in_states(session, [RequestState.WAITING])
        offerings = []
        for request in waiting:
            if await requests.mark_offered(session, request.id, now):
                offered = await _read(session, request.id)
                routed = await _route(session, offered, adults, rules, now)
                offer_to = await _offer_routed(session, request.id, routed, now)
                offerings.append(_offering(offered, offer_to, routed))
    return offerings


def _offering(request: Request, offer_to: list[Member], routed: _Routed) -> Offering:
    return Offering(
        request, offer_to, routed.holding, routed.decision.widens_at, routed.asks_topics
    )


async def widen(
    db: Database, request_id: int, now: datetime, rules: MatchingRules = DEFAULT_RULES
) -> Offering | None:
    """The moment bot/matching named has come (or the family chose its topics): the adults of
    the next circle are asked too. None when the question was taken, withdrawn or escalated
    since (an escalation asks everyone on duty itself)."""
    async with db.write() as session:
        return await _widen(session, request_id, rules, now)


async def _widen(
    session: Session, request_id: int, rules: MatchingRules, now: datetime
) -> Offering | None:
    request = await requests.request_by_id(session, request_id)
    if request is None or request.state is not RequestState.OFFERED or request.escalation:
        return None
    routed = await _route(session, request, await _on_duty_adults(session, now), rules, now)
    return _offering(request, await _offer_routed(session, request_id, routed, now), routed)


async def _reached_everyone(session: Session, request: Request) -> bool:
    if request.escalation:
        return True
    sent = await matching_store.offer_reasons(session, [request.id])
    return any(reason in sent.get(request.id, {}) for reason in (Reason.EVERYONE, Reason.LOAD))


async def choose_topics(
    db: Database,
    family: Member,
    request_id: int,
    topics: frozenset[str],
    now: datetime,
    rules: MatchingRules = DEFAULT_RULES,
) -> Offering | TopicProblem:
    """The family said what its question is about (no topics: "to everyone now"); who is
    asked is decided again at once."""
    async with db.write() as session:
        request = await requests.request_by_id(session, request_id)
        if request is None or request.family_household_id != family.household.id:
            return TopicProblem.GONE
        if request.state is RequestState.OFFERED and await _reached_everyone(session, request):
            return TopicProblem.TOO_LATE
        if not await matching_store.choose_topics(session, request_id, topics, now):
            offered = request.state is RequestState.OFFERED
            return TopicProblem.CHOSEN if offered else TopicProblem.GONE
        widened = await _widen(session, request_id, rules, now)
        return TopicProblem.GONE if widened is None else widened


async def send_long_waits_to_coordinators(
    db: Database, limit: timedelta, now: datetime
) -> list[Offering]:
    """Waiting questions with no shift booked within `limit` of their asking go to the
    coordinators at once (their top step), rather than wait, unseen, for a shift far away."""
    async with db.write() as session:
        waiting = await requests.requests_in_states(session, [RequestState.WAITING])
        if not waiting:
            return []
        next_shift = await shifts.next_start_after(session, now)
        coordinators = await households.members_with_role(session, Role.COORDINATOR)
        offerings = []
        for request in waiting:
            if next_shift is not None and next_shift <= request.opened_at + limit:
                continue
            if await requests.send_to_coordinators(session, request.id, TOP_ESCALATION, now):
                offer_to = await _offer(session, request.id, coordinators, now)
                offerings.append(Offering(await _read(session, request.id), offer_to))
    return offerings


async def expire(db: Database, request_id: int, now: datetime) -> Ended | None:
    """The coordinators did not take the question in time: it ends, rather than stay open for
    ever; its offers are withdrawn and its waiting messages forgotten (retention covers it)."""
    async with db.write() as session:
        if not await requests.expire(session, request_id, TOP_ESCALATION, now):
            return None
        withdrawn = await requests.close_offers(session, request_id)
        await requests.forget_pending_messages(session, request_id)
        request = await _read(session, request_id)
        return Ended(request, await _family(session, request), None, withdrawn)


async def escalate(
    db: Database, request_id: int, level: int, now: datetime, rules: MatchingRules = DEFAULT_RULES
) -> Offering | None:
    """Take an unanswered request one step further, unless it was answered or escalated since.

    Step 1 asks the mentors on duty again (and, for the first time, any who came on duty
    since); step 2 offers it to the coordinators, who may take the conversation themselves.
    """
    async with db.write() as session:
        if not await requests.escalate(session, request_id, level, now):
            return None
        if level >= TOP_ESCALATION:
            candidates = await households.members_with_role(session, Role.COORDINATOR)
            offer_to = await _offer(session, request_id, candidates, now)
        else:
            request = await _read(session, request_id)
            adults = await _on_duty_adults(session, now)
            routed = await _route(session, request, adults, rules, now, everyone=True)
            await _offer_routed(session, request_id, routed, now)
            asked = [routed.adults[offer.member_id] for offer in routed.decision.offers]
            return Offering(request, asked, routed.holding)
        return Offering(await _read(session, request_id), offer_to)


async def accept(
    db: Database, member: Member, request_id: int, now: datetime
) -> Accepted | RoutingProblem:
    async with db.write() as session:
        request = await requests.request_by_id(session, request_id)
        if request is None:
            return RoutingProblem.GONE
        if not await requests.open_offer(session, request_id, member.id):
            return (
                RoutingProblem.NOT_YOURS
                if request.state is RequestState.OFFERED
                else (RoutingProblem.GONE)
            )
        holder = None
        if request.state is RequestState.ACCEPTED and request.mentor_member_id is not None:
            holder = await households.member_by_id(session, request.mentor_member_id)
            taken = await requests.take_over(
                session, request_id, member.id, member.household.id, request.mentor_member_id
            )
        else:
            taken = await requests.claim(session, request_id, member.id, member.household.id, now)
        if not taken:
            return RoutingProblem.GONE
        others = [
            offer
            for offer in await requests.close_offers(session, request_id)
            if offer.member_id != member.id
        ]
        # Kept until their copies are made (handed_over): a stop in between loses none.
        pending = await requests.pending_messages(session, request_id)
        if holder is not None:  # what the family wrote so far, as the last mentor received it
            copies = await requests.relays_in_chat(session, request_id, holder.telegram_user_id)
            pending = [(holder.telegram_user_id, copy) for copy in copies[-TAKE_OVER_HISTORY:]]
        request = await _read(session, request_id)
        family = await _family(session, request)
    if holder is None:  # a take-over is not a question accepted
        metrics.TIME_TO_ACCEPT.observe((now - request.opened_at).total_seconds())
    return Accepted(request, family, pending, others, holder)


async def _offer_take_over(
    session: Session, request: Request, now: datetime, *, even_if_declined: bool
) -> list[Member]:
    """When the adult holding a conversation is not on duty now, the mentors on duty are offered
    it: whoever accepts takes it over, with what the family wrote so far. Returns the adults
    newly asked (one already asked, and not yet answering, is not asked twice)."""
    on_duty = await _on_duty_adults(session, now)
    if not _needs_taking_over(request, on_duty):
        return []
    offer = requests.offer_again if even_if_declined else requests.offer_take_over
    return [
        adult
        for adult in on_duty
        if await offer(session, request.id, adult.id, adult.telegram_user_id, now)
    ]


def _needs_taking_over(request: Request, on_duty: Sequence[Member]) -> bool:
    """A conversation whose adult is not among the mentors on duty."""
    return request.state is RequestState.ACCEPTED and all(
        adult.id != request.mentor_member_id for adult in on_duty
    )


async def raise_alarm(db: Database, request_id: int, now: datetime) -> Alarm:
    """A family in a conversation wrote words that may mean danger.

    The question becomes urgent, and goes to the mentors on duty if its mentor is not, even to
    those who declined taking it over before: danger is news.
    """
    async with db.write() as session:
        session.handled_later()  # done once the message itself is relayed
        became_urgent = await requests.mark_urgent(session, request_id)
        request = await _read(session, request_id)
        offer_to = await _offer_take_over(session, request, now, even_if_declined=True)
    return Alarm(request, became_urgent, offer_to)


async def reach_on_duty(db: Database, request_id: int, now: datetime) -> Offering:
    """A family wrote into a conversation: if its mentor is off duty, the mentors on duty are
    offered it too, so that a family is never left with someone who is not there. A mentor on
    duty who declined it is not asked again for each message.

    Mostly its mentor is on duty: that is one read, with no transaction; only a conversation
    to take over is read again in the transaction that offers it."""
    async with db.read() as session:
        request, on_duty = await requests.request_and_on_duty(session, request_id, now)
    if request is None:
        raise LookupError(f"request {request_id} vanished")
    if not _needs_taking_over(request, _mentors(on_duty)):
        return Offering(request, [])
    async with db.write() as session:
        request = await _read(session, request_id)
        offer_to = await _offer_take_over(session, request, now, even_if_declined=False)
        if not offer_to:
            session.handled_later()
    return Offering(request, offer_to)


async def handed_over(db: Database, request: Request, sources: Sequence[tuple[int, int]]) -> None:
    """The waiting messages reached the mentor (or were said not to): they wait no longer."""
    async with db.write() as session:
        await requests.drop_pending_messages(session, request.id, sources)


async def unfinished_hand_overs(db: Database) -> list[Accepted]:
    """Accepted questions whose waiting messages never reached their mentor, to send now."""
    found = []
    async with db.read() as session:
        for request_id in await requests.accepted_with_pending_messages(session):
            request = await _read(session, request_id)
            pending = await requests.pending_messages(session, request_id)
            found.append(Accepted(request, await _family(session, request), pending, []))
    return found


async def unsent_offers(db: Database) -> list[Offering]:
    """Offers decided but never shown, by request: a stop came before the message went out."""
    offerings: dict[int, Offering] = {}
    async with db.read() as session:
        for request_id, member_id in await requests.unsent_offers(session):
            adult = await households.member_by_id(session, member_id)
            if adult is None:
                continue
            if request_id not in offerings:
                offerings[request_id] = Offering(await _read(session, request_id), [])
            offerings[request_id].offer_to.append(adult)
    return list(offerings.values())


async def decline(db: Database, member: Member, request_id: int) -> RoutingProblem | None:
    async with db.write() as session:
        if await requests.decline_offer(session, request_id, member.id):
            return None
        request = await requests.request_by_id(session, request_id)
        offered = request is not None and request.state is RequestState.OFFERED
        return RoutingProblem.NOT_YOURS if offered else RoutingProblem.GONE


async def _mentor(session: Session, request: Request) -> Member | None:
    """The adult holding (or who held) the conversation, if any."""
    if request.mentor_member_id is None:
        return None
    return await households.member_by_id(session, request.mentor_member_id)


async def _family(session: Session, request: Request) -> list[Member]:
    if request.family_household_id is None:
        return []
    return await households.household_members(session, request.family_household_id)


async def cancel(db: Database, family: Member, now: datetime) -> Ended | None:
    """Withdraw the family's request while no mentor has taken it."""
    async with db.write() as session:
        request = await requests.open_request_of_family(session, family.household.id)
        waiting = (RequestState.WAITING, RequestState.OFFERED)
        if request is None or not await requests.finish(
            session, request.id, waiting, RequestState.CANCELLED, Side.FAMILY, now
        ):
            return None
        withdrawn = await requests.close_offers(session, request.id)
        await requests.forget_pending_messages(session, request.id)
        adults = await _family(session, request)
        return Ended(await _read(session, request.id), adults, None, withdrawn)


async def end_for_departure(
    session: Session, member: Member, now: datetime, *, last_of_household: bool
) -> list[Ended]:
    """An adult leaves (removed, or erased): what nobody is left to carry on ends with them.

    It happens inside the leaving transaction. The conversations they held as a mentor (or a
    coordinator) close, and each family is to be told; when they are the last adult of a family,
    its open question ends too: withdrawn from the offers while it waits, closed (its mentor to
    be told) once taken. An end also starts the retention clock, which never runs for a
    question left open forever.
    """
    ended = []
    for held in await requests.conversations_of_mentor(session, member.id):
        closed = RequestState.CLOSED
        if await requests.finish(
            session, held.id, [RequestState.ACCEPTED], closed, Side.MENTOR, now
        ):
            ended.append(Ended(await _read(session, held.id), await _family(session, held), None))
    if member.role is Role.FAMILY and last_of_household:
        left = await _end_for_family_departure(session, member.household.id, now)
        ended.extend([left] if left is not None else [])
    return ended


async def _end_for_family_departure(
    session: Session, household_id: int, now: datetime
) -> Ended | None:
    request = await requests.open_request_of_family(session, household_id)
    if request is None:
        return None
    if request.state is RequestState.ACCEPTED:
        if not await requests.finish(
            session, request.id, [RequestState.ACCEPTED], RequestState.CLOSED, Side.FAMILY, now
        ):
            return None
        mentor = await _mentor(session, request)
        return Ended(await _read(session, request.id), [], mentor)
    waiting = (RequestState.WAITING, RequestState.OFFERED)
    cancelled = RequestState.CANCELLED
    if not await requests.finish(session, request.id, waiting, cancelled, Side.FAMILY, now):
        return None
    withdrawn = await requests.close_offers(session, request.id)
    await requests.forget_pending_messages(session, request.id)
    return Ended(await _read(session, request.id), [], None, withdrawn)


async def conversation_of_family(db: Database, family: Member) -> Request | None:
    request = await open_request_of(db, family)
    return request if request and request.state is RequestState.ACCEPTED else None


async def addressee(
    db: Database, member: Member, chat_id: int, replied_bot_message: int | None
) -> Request | Ambiguous | AddressProblem:
    """The conversation a mentor's message is for; never guessed.

    A reply to anything the bot sent about a conversation (a copy, its label, the offer that
    became "you took it", the question about its topic) goes to that conversation, or nowhere
    once it is over. A reply to a bot message that no conversation knows goes nowhere either: it
    may be about one whose traces are erased, and the only open conversation is then not
    necessarily the one meant. A message that replies to nothing the bot sent goes to the only
    open conversation; with several, the mentor is asked which.
    """
    async with db.read() as session:
        if replied_bot_message is not None:
            found = await requests.request_of_bot_message(session, chat_id, replied_bot_message)
            request = await requests.request_by_id(session, found) if found else None
            if request is None:
                return AddressProblem.UNKNOWN_REPLY
            if request.state not in OPEN_REQUEST_STATES:
                return AddressProblem.ENDED
            if request.state is not RequestState.ACCEPTED or request.mentor_member_id != member.id:
                return AddressProblem.NOT_YOURS
            return request
        open_now = await requests.conversations_of_mentor(session, member.id)
    if not open_now:
        return AddressProblem.NONE_OPEN
    return open_now[0] if len(open_now) == 1 else Ambiguous(open_now)


async def park(
    db: Database, member: Member, chat_id: int, message_ids: Sequence[int], now: datetime
) -> int:
    """Keep where a mentor's unaddressed message (or album) is until they say which family."""
    async with db.write() as session:
        return await requests.park_messages(session, member.id, chat_id, message_ids, now)


async def address_parked(
    db: Database, member: Member, parked_id: int, request_id: int
) -> tuple[Request, list[tuple[int, int]]] | AddressProblem | RoutingProblem:
    """The mentor chose: the conversation and (chat, message) of what to send, once.

    A conversation that ended meanwhile leaves the message parked, so that another of the
    buttons can still send it; a second press of any of them finds it gone.
    """
    async with db.write() as session:
        request = await requests.request_by_id(session, request_id)
        if request is None or request.mentor_member_id != member.id:
            return RoutingProblem.NOT_YOURS
        if request.state is not RequestState.ACCEPTED:
            return AddressProblem.ENDED
        taken = await requests.take_parked_messages(session, parked_id, member.id)
    return (request, taken) if taken else RoutingProblem.GONE


async def is_parked(db: Database, member: Member, chat_id: int, message_id: int) -> bool:
    async with db.read() as session:
        return await requests.parked_message(session, member.id, chat_id, message_id) is not None


async def unpark(db: Database, member: Member, chat_id: int, message_id: int) -> bool:
    """An edit made a parked message unfit to pass: it (with its album) is sent nowhere."""
    async with db.write() as session:
        return await requests.drop_parked_message(session, member.id, chat_id, message_id)


async def waiting_request_of_message(
    db: Database, family: Member, chat_id: int, message_id: int
) -> Request | None:
    """The family's question this message still waits in, if any."""
    async with db.read() as session:
        found = await requests.waiting_request_of_message(session, chat_id, message_id)
        request = await requests.request_by_id(session, found) if found else None
    return request if request and request.family_household_id == family.household.id else None


async def withdraw_waiting_message(
    db: Database, request: Request, chat_id: int, message_id: int
) -> bool:
    """An edit made a waiting message unfit to pass: it leaves the hand-over."""
    async with db.write() as session:
        return await requests.drop_pending_message(session, request.id, chat_id, message_id)


async def mark_urgent(db: Database, request: Request) -> bool:
    async with db.write() as session:
        return await requests.mark_urgent(session, request.id)


@dataclass(frozen=True, slots=True)
class Conversation:
    request: Request
    family: list[Member]
    mentor: Member | None


async def open_conversation(db: Database, request_id: int) -> Conversation | None:
    """The request with both its sides, if it is (still) a conversation: read in one trip."""
    async with db.read() as session:
        request, family, mentor = await requests.request_and_its_sides(session, request_id)
    if request is None or request.state is not RequestState.ACCEPTED:
        return None
    return Conversation(request, family, mentor)


async def conversations_of(db: Database, member: Member) -> list[Request]:
    """A mentor's (or coordinator's) open conversations, the most recent first."""
    async with db.read() as session:
        return await requests.conversations_of_mentor(session, member.id)


async def counterpart(db: Database, request: Request) -> tuple[list[Member], Member | None]:
    """The family's adults and the adult holding the conversation."""
    async with db.read() as session:
        return await households.family_and_mentor(
            session, request.family_household_id, request.mentor_member_id
        )


async def end(db: Database, request_id: int, ended_by: Side, now: datetime) -> Ended | None:
    async with db.write() as session:
        if not await requests.finish(
            session, request_id, [RequestState.ACCEPTED], RequestState.CLOSED, ended_by, now
        ):
            return None
        request = await _read(session, request_id)
        mentor = await _mentor(session, request)
        return Ended(request, await _family(session, request), mentor)


async def rate(db: Database, family: Member, request_id: int, rating: int) -> bool:
    """Only the family whose request it was, only once it is closed, only 1 to 5."""
    if not 1 <= rating <= MAX_RATING:
        return False
    async with db.write() as session:
        request = await requests.request_by_id(session, request_id)
        if request is None or request.family_household_id != family.household.id:
            return False
        return await requests.set_rating(session, request_id, rating)


async def file_topic(db: Database, mentor: Member, request_id: int, topic: Topic) -> bool:
    async with db.write() as session:
        request = await requests.request_by_id(session, request_id)
        if request is None or request.mentor_member_id != mentor.id:
            return False
        return await requests.set_topic(session, request_id, topic.value)


async def remember_relays(
    db: Database, chat_id: int, message_ids: Sequence[int], request: Request, now: datetime
) -> None:
    """Where the copies of a relayed message are; the conversation was active just now."""
    async with db.write() as session:
        for message_id in message_ids:
            await requests.add_relay(
                session, chat_id, message_id, request.id, RelayPurpose.RELAY, now
            )
        await requests.note_activity(session, request.id, now)


async def close_idle(db: Database, idle: timedelta, now: datetime) -> list[Ended]:
    """Close every conversation nobody wrote in for `idle`: each end happens once.

    It is the service that ends it (no side did), so `ended_by` stays empty; the family is
    asked to rate it and the mentor to file it as after /end.
    """
    ended = []
    async with db.write() as session:
        for request_id in await requests.idle_conversations(session, now - idle):
            accepted, closed = [RequestState.ACCEPTED], RequestState.CLOSED
            if await requests.finish(session, request_id, accepted, closed, None, now):
                request = await _read(session, request_id)
                mentor = await _mentor(session, request)
                ended.append(Ended(request, await _family(session, request), mentor))
    return ended


async def remember_relay(
    db: Database,
    chat_id: int,
    message_id: int,
    request_id: int,
    purpose: RelayPurpose = RelayPurpose.RELAY,
) -> None:
    async with db.write() as session:
        await requests.add_relay(session, chat_id, message_id, request_id, purpose)


async def replied_to(
    db: Database, chat_id: int, message_id: int
) -> tuple[Request, RelayPurpose] | None:
    """The request (and why) behind a message the bot sent into this chat, if any."""
    async with db.read() as session:
        found = await requests.relay_of(session, chat_id, message_id)
        if found is None:
            return None
        request = await requests.request_by_id(session, found[0])
    return (request, found[1]) if request else None


async def add_comment(db: Database, request_id: int, purpose: RelayPurpose, text: str) -> None:
    async with db.write() as session:
        await requests.set_comment(session, request_id, purpose, text[: PREVIEW_LENGTH * 3])


async def open_requests(db: Database) -> list[Request]:
    async with db.read() as session:
        return await requests.requests_in_states(session, OPEN_REQUEST_STATES)


async def offer_reasons(
    db: Database, request_ids: Sequence[int]
) -> dict[int, dict[str, list[str | None]]]:
    """Why each request's offers went to whom: by bot/matching.Reason, the households."""
    async with db.read() as session:
        return await matching_store.offer_reasons(session, request_ids)


@dataclass(frozen=True, slots=True)
class EscalationTimer:
    request_id: int
    level: int
    due_at: datetime


def escalation_timers(
    open_now: Sequence[Request], after: timedelta, expire_after: timedelta
) -> list[EscalationTimer]:
    """When each offered request takes its next step, the last being its EXPIRY
    `expire_after` once it reached the coordinators: rebuilt from the database at start."""
    timers = []
    for request in open_now:
        if request.state is not RequestState.OFFERED or request.escalation >= EXPIRY:
            continue
        since = request.escalated_at or request.offered_at or request.opened_at
        wait = expire_after if request.escalation == TOP_ESCALATION else after
        timers.append(EscalationTimer(request.id, request.escalation + 1, since + wait))
    return timers


def at_the_coordinators(open_now: Sequence[Request]) -> list[Request]:
    """Questions offered to the coordinators that nobody has taken yet, the oldest first."""
    found = [
        request
        for request in open_now
        if request.state is RequestState.OFFERED and request.escalation == TOP_ESCALATION
    ]
    return sorted(found, key=lambda request: request.opened_at)
