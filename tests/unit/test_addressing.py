"""Where a mentor's message goes, danger inside a conversation, and the one content check.

bot.routing's resolver, parking and take-over against a real SQLite file, and
bot.message_content as plain functions; nothing is mocked.
"""

from __future__ import annotations

import asyncio

import pytest

from bot import routing
from bot.message_content import MessageContent, Verdict, check
from bot.routing import Accepted, AddressProblem, Ambiguous, RoutingProblem
from bot.urgent import DEFAULT_URGENT_WORDS
from storage import shifts
from storage.db import Database
from storage.models import Kind, Member, RequestState, Side
from tests.unit import routing_support
from tests.unit.routing_support import (
    DAY,
    HOUR,
    MINUTE,
    NOW,
    People,
    accepted,
    book,
    conversation,
    opened,
    stored,
)

# The routing tests' people and shifts: the Bergs and the Lunds on duty at NOW.
people = routing_support.people
on_duty = routing_support.on_duty


async def test_a_reply_goes_to_its_conversation_and_a_plain_message_is_never_guessed(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    berg = people.berg[0]
    ek = await conversation(db, berg, people.family[0])
    assert await routing.addressee(db, berg, berg.telegram_user_id, None) == ek
    await routing.remember_relay(db, berg.telegram_user_id, 500, ek.id)
    ask = await conversation(db, berg, people.other_family)

    plain = await routing.addressee(db, berg, berg.telegram_user_id, None)
    assert isinstance(plain, Ambiguous)
    assert [found.id for found in plain.choices] == [ask.id, ek.id]  # the most recent first
    assert await routing.addressee(db, berg, berg.telegram_user_id, 500) == ek
    # A reply to a bot message no conversation knows goes nowhere: it is not guessed either.
    assert await routing.addressee(db, berg, berg.telegram_user_id, 999) is (
        AddressProblem.UNKNOWN_REPLY
    )
    # The other Berg adult replying to it in their chat: it is not theirs.
    other = people.berg[1]
    assert await routing.addressee(db, other, berg.telegram_user_id, 500) is (
        AddressProblem.NOT_YOURS
    )

    await routing.end(db, ek.id, Side.FAMILY, NOW + HOUR)
    assert await routing.addressee(db, berg, berg.telegram_user_id, 500) is AddressProblem.ENDED
    assert (
        await routing.addressee(db, berg, berg.telegram_user_id, None)
        == (await routing.conversations_of(db, berg))[0]
    )


async def test_a_reply_to_an_offer_not_yet_accepted_is_not_relayed(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await opened(db, people.family[0])
    lund = people.lund
    await routing.remember_offers(db, request.id, [(lund.id, 77)])
    assert await routing.addressee(db, lund, lund.telegram_user_id, 77) is (
        AddressProblem.NOT_YOURS
    )
    assert await routing.addressee(db, lund, lund.telegram_user_id, None) is (
        AddressProblem.NONE_OPEN
    )


async def test_a_parked_message_goes_once_and_only_to_one_of_the_mentors_conversations(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    berg, lund = people.berg[0], people.lund
    ek = await conversation(db, berg, people.family[0])
    ask = await conversation(db, lund, people.other_family)
    parked = await routing.park(db, berg, berg.telegram_user_id, [42], NOW)

    assert await routing.address_parked(db, berg, parked, ask.id) is RoutingProblem.NOT_YOURS
    assert await routing.address_parked(db, lund, parked, ask.id) is RoutingProblem.GONE
    presses = await asyncio.gather(
        routing.address_parked(db, berg, parked, ek.id),
        routing.address_parked(db, berg, parked, ek.id),
    )
    sent = [press for press in presses if isinstance(press, tuple)]
    assert len(sent) == 1 and sent[0] == (ek, [(berg.telegram_user_id, 42)])
    assert RoutingProblem.GONE in presses


async def test_a_parked_message_stays_when_the_chosen_conversation_ended_meanwhile(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    berg = people.berg[0]
    ek = await conversation(db, berg, people.family[0])
    ask = await conversation(db, berg, people.other_family)
    parked = await routing.park(db, berg, berg.telegram_user_id, [42], NOW)
    await routing.end(db, ek.id, Side.FAMILY, NOW + HOUR)
    assert await routing.address_parked(db, berg, parked, ek.id) is AddressProblem.ENDED
    found = await routing.address_parked(db, berg, parked, ask.id)
    assert isinstance(found, tuple) and found[0].id == ask.id


async def test_an_album_is_parked_and_sent_as_one(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    berg = people.berg[0]
    ek = await conversation(db, berg, people.family[0])
    await conversation(db, berg, people.other_family)
    chat = berg.telegram_user_id
    parked = await routing.park(db, berg, chat, [50, 51, 52], NOW)
    alone = await routing.park(db, berg, chat, [53], NOW)
    assert await routing.address_parked(db, berg, parked, ek.id) == (
        ek,
        [(chat, 50), (chat, 51), (chat, 52)],
    )
    assert await routing.address_parked(db, berg, alone, ek.id) == (ek, [(chat, 53)])


async def test_danger_with_the_mentor_on_duty_only_makes_the_question_urgent(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    request = await conversation(db, people.berg[0], people.family[0])
    alarm = await routing.raise_alarm(db, request.id, NOW + 2 * MINUTE)
    assert alarm.became_urgent and alarm.request.urgent and alarm.offer_to == []
    again = await routing.raise_alarm(db, request.id, NOW + 3 * MINUTE)
    assert not again.became_urgent  # the coordinators are told once per question


async def test_danger_with_the_mentor_off_duty_is_offered_and_taken_over_once(
    db: Database, second_db: Database, people: People, on_duty: list[Member]
) -> None:
    berg = people.berg[0]
    request = await conversation(db, berg, people.family[0])
    await routing.remember_relay(db, berg.telegram_user_id, 600, request.id)
    await routing.remember_relay(db, berg.telegram_user_id, 601, request.id)
    later = NOW + 5 * HOUR  # the Bergs' and the Lunds' shifts are over; the Holms are on
    async with db.write() as session:
        await shifts.add_shift(
            session, people.holm.household.id, later - HOUR, later + HOUR, None, NOW - DAY
        )
    alarm = await routing.raise_alarm(db, request.id, later)
    assert [adult.id for adult in alarm.offer_to] == [people.holm.id]
    assert (await routing.raise_alarm(db, request.id, later)).offer_to == []  # asked already

    holm = people.holm
    presses = await asyncio.gather(
        routing.accept(db, holm, request.id, later),
        routing.accept(second_db, holm, request.id, later),
    )
    taken = [press for press in presses if isinstance(press, Accepted)]
    assert len(taken) == 1 and RoutingProblem.GONE in presses
    assert taken[0].taken_from == berg
    assert taken[0].pending == [(berg.telegram_user_id, 600), (berg.telegram_user_id, 601)]
    assert taken[0].request.mentor_member_id == holm.id
    assert taken[0].request.state is RequestState.ACCEPTED
    assert await routing.addressee(db, berg, berg.telegram_user_id, 600) is (
        AddressProblem.NOT_YOURS
    )


async def test_an_accepted_conversation_cannot_be_taken_without_an_open_offer(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    # The Lunds were offered the question too; the Bergs' Accept closed their offer.
    request = await conversation(db, people.berg[0], people.family[0])
    assert await routing.accept(db, people.lund, request.id, NOW) is RoutingProblem.GONE
    assert await routing.accept(db, people.holm, request.id, NOW) is RoutingProblem.GONE
    assert (await stored(db, request.id)).mentor_member_id == people.berg[0].id


async def test_a_message_to_a_mentor_off_duty_is_offered_once_to_the_mentors_on_duty(
    db: Database, second_db: Database, people: People, on_duty: list[Member]
) -> None:
    berg, holm = people.berg[0], people.holm
    request = await conversation(db, berg, people.family[0])
    assert (await routing.reach_on_duty(db, request.id, NOW + 2 * MINUTE)).offer_to == []
    later = NOW + 5 * HOUR  # the Bergs' and the Lunds' shifts are over; the Holms are on
    async with db.write() as session:
        await shifts.add_shift(session, holm.household.id, later - HOUR, later + HOUR, None, NOW)
    first = await routing.reach_on_duty(db, request.id, later)
    assert [adult.id for adult in first.offer_to] == [holm.id]
    assert (await routing.reach_on_duty(db, request.id, later)).offer_to == []  # asked already
    assert await routing.decline(db, holm, request.id) is None
    # Declining is an answer: the next message does not ask again; danger words do.
    assert (await routing.reach_on_duty(db, request.id, later + MINUTE)).offer_to == []
    alarm = await routing.raise_alarm(db, request.id, later + 2 * MINUTE)
    assert [adult.id for adult in alarm.offer_to] == [holm.id]

    presses = await asyncio.gather(
        routing.accept(db, holm, request.id, later),
        routing.accept(second_db, holm, request.id, later),
    )
    taken = [press for press in presses if isinstance(press, Accepted)]
    assert len(taken) == 1 and RoutingProblem.GONE in presses
    assert taken[0].taken_from == berg and taken[0].request.mentor_member_id == holm.id


async def test_a_conversation_whose_new_mentor_is_off_duty_in_turn_is_offered_again(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    berg, lund = people.berg[0], people.lund
    request = await conversation(db, berg, people.family[0])
    after_bergs = NOW + 4 * HOUR + MINUTE  # the Lunds are on again from here
    await book(db, lund, after_bergs - MINUTE, after_bergs + HOUR)
    offered = await routing.reach_on_duty(db, request.id, after_bergs)
    assert [adult.id for adult in offered.offer_to] == [lund.id]
    await accepted(db, lund, request.id, after_bergs)
    next_day = NOW + DAY
    await book(db, berg, next_day - HOUR, next_day + HOUR)
    again = await routing.reach_on_duty(db, request.id, next_day)
    assert [adult.id for adult in again.offer_to] == [adult.id for adult in people.berg]


async def test_an_edit_can_withdraw_a_waiting_message_but_not_one_already_handed_over(
    db: Database, people: People, on_duty: list[Member]
) -> None:
    family = people.family[0]
    request = await opened(db, family)
    chat = family.telegram_user_id
    assert await routing.waiting_request_of_message(db, people.other_family, chat, 100) is None
    waiting = await routing.waiting_request_of_message(db, family, chat, 100)
    assert waiting is not None and waiting.id == request.id
    assert await routing.withdraw_waiting_message(db, waiting, chat, 100)
    assert not await routing.withdraw_waiting_message(db, waiting, chat, 100)
    await accepted(db, people.berg[0], request.id)
    assert await routing.waiting_request_of_message(db, family, chat, 100) is None


def content(kind: Kind, *texts: str) -> MessageContent:
    return MessageContent(kind, texts, texts[0] if texts else None)


@pytest.mark.parametrize(
    ("kind", "verdict"),
    [
        (Kind.TEXT, Verdict.PASSES),
        (Kind.PHOTO, Verdict.PASSES),
        (Kind.VIDEO_NOTE, Verdict.PASSES),
        (Kind.STICKER, Verdict.PASSES),
        (Kind.LOCATION, Verdict.DISCLOSES),
        (Kind.CONTACT, Verdict.DISCLOSES),
        (Kind.OTHER, Verdict.UNSUPPORTED),
    ],
)
def test_each_kind_passes_or_is_refused_for_what_it_is(kind: Kind, verdict: Verdict) -> None:
    assert check(content(kind), DEFAULT_URGENT_WORDS).verdict is verdict


def test_an_identity_number_in_any_field_stops_any_kind_and_danger_is_still_seen() -> None:
    found = check(content(Kind.DOCUMENT, "rapport", "kniv 811218-9876.pdf"), DEFAULT_URGENT_WORDS)
    assert found.verdict is Verdict.IDENTITY_NUMBER and found.urgent
    poll = check(content(Kind.OTHER, "Han har en kniv"), DEFAULT_URGENT_WORDS)
    assert poll.verdict is Verdict.UNSUPPORTED and poll.urgent
    assert not check(content(Kind.TEXT, "God natt"), DEFAULT_URGENT_WORDS).urgent
