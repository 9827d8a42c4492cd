"""The routing decision as a function of the rota, the links, the tags, the load and the time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.matching import (
    TOPIC_CHOICE,
    Decision,
    MatchingRules,
    Offer,
    OnDuty,
    Question,
    Reason,
    asks_for_topics,
    route,
)

ASKED = datetime(2026, 12, 4, 21, 0, tzinfo=UTC)  # a Friday evening
RULES = MatchingRules(
    own_mentor_wait=timedelta(minutes=5), match_wait=timedelta(minutes=2), max_conversations=3
)
OWN = 10  # the family's own mentor household

ANNA = OnDuty(member_id=1, household_id=OWN, open_conversations=0)
BO = OnDuty(member_id=2, household_id=20, open_conversations=1)
CILLA = OnDuty(member_id=3, household_id=30, open_conversations=0, experience=frozenset({"teen"}))
DAN = OnDuty(member_id=4, household_id=40, open_conversations=2)


def members(decision: Decision) -> list[int]:
    return [offer.member_id for offer in decision.offers]


def test_own_mentor_household_first_then_everyone_after_the_wait() -> None:
    question = Question(first_offered_at=ASKED, own_mentor_household_id=OWN)
    first = route(question, [BO, ANNA, DAN], RULES, ASKED)
    assert first.offers == (Offer(1, Reason.OWN_MENTOR),)
    assert first.widens_at == ASKED + timedelta(minutes=5)

    almost = route(question, [BO, ANNA, DAN], RULES, ASKED + timedelta(minutes=4, seconds=59))
    assert members(almost) == [1]

    later = route(question, [BO, ANNA, DAN], RULES, ASKED + timedelta(minutes=5))
    assert later.offers == (
        Offer(1, Reason.OWN_MENTOR),
        Offer(2, Reason.EVERYONE),
        Offer(4, Reason.EVERYONE),
    )
    assert later.widens_at is None


def test_both_adults_of_the_own_household_get_it_first() -> None:
    partner = OnDuty(member_id=5, household_id=OWN, open_conversations=0)
    question = Question(first_offered_at=ASKED, own_mentor_household_id=OWN)
    assert members(route(question, [BO, partner, ANNA], RULES, ASKED)) == [1, 5]


def test_own_mentor_off_duty_routes_as_for_anyone() -> None:
    question = Question(first_offered_at=ASKED, own_mentor_household_id=OWN)
    decision = route(question, [BO, DAN], RULES, ASKED)
    assert decision.offers == (Offer(2, Reason.EVERYONE), Offer(4, Reason.EVERYONE))
    assert decision.widens_at is None


def test_matching_experience_first_then_everyone() -> None:
    question = Question(first_offered_at=ASKED, topics=frozenset({"teen"}))
    first = route(question, [BO, CILLA, DAN], RULES, ASKED)
    assert first.offers == (Offer(3, Reason.EXPERIENCE),)
    assert first.widens_at == ASKED + timedelta(minutes=2)

    later = route(question, [BO, CILLA, DAN], RULES, ASKED + timedelta(minutes=2))
    assert members(later) == [3, 2, 4]
    assert [offer.reason for offer in later.offers] == [
        Reason.EXPERIENCE,
        Reason.EVERYONE,
        Reason.EVERYONE,
    ]


def test_a_topic_nobody_on_duty_knows_goes_to_everyone_at_once() -> None:
    question = Question(first_offered_at=ASKED, topics=frozenset({"kinship"}))
    decision = route(question, [BO, CILLA], RULES, ASKED)
    assert members(decision) == [3, 2]  # fewest open conversations first
    assert decision.widens_at is None


def test_own_mentor_then_experience_then_everyone() -> None:
    question = Question(
        first_offered_at=ASKED, own_mentor_household_id=OWN, topics=frozenset({"teen"})
    )
    on_duty = [ANNA, BO, CILLA]
    assert members(route(question, on_duty, RULES, ASKED)) == [1]
    at_five = route(question, on_duty, RULES, ASKED + timedelta(minutes=5))
    assert at_five.offers == (Offer(1, Reason.OWN_MENTOR), Offer(3, Reason.EXPERIENCE))
    assert at_five.widens_at == ASKED + timedelta(minutes=7)
    assert members(route(question, on_duty, RULES, ASKED + timedelta(minutes=7))) == [1, 3, 2]


def test_the_experience_circle_waits_a_minute_for_the_familys_choice() -> None:
    question = Question(first_offered_at=ASKED)  # no choice made yet
    waiting = route(question, [BO, CILLA], RULES, ASKED)
    assert waiting.offers == ()
    assert waiting.widens_at == ASKED + TOPIC_CHOICE
    assert members(route(question, [BO, CILLA], RULES, ASKED + TOPIC_CHOICE)) == [3, 2]


def test_no_wait_for_a_choice_when_nobody_on_duty_has_tags() -> None:
    decision = route(Question(first_offered_at=ASKED), [BO, DAN], RULES, ASKED)
    assert members(decision) == [2, 4]
    assert decision.widens_at is None


def test_a_skipped_choice_reaches_everyone_at_once() -> None:
    question = Question(first_offered_at=ASKED, topics=frozenset())
    assert members(route(question, [BO, CILLA], RULES, ASKED)) == [3, 2]


def test_urgent_goes_to_everyone_at_once() -> None:
    question = Question(
        first_offered_at=ASKED,
        own_mentor_household_id=OWN,
        topics=frozenset({"teen"}),
        urgent=True,
    )
    decision = route(question, [DAN, CILLA, BO, ANNA], RULES, ASKED)
    assert members(decision) == [1, 3, 2, 4]
    assert {offer.reason for offer in decision.offers} == {Reason.EVERYONE}
    assert decision.widens_at is None


def test_a_mentor_at_the_cap_is_skipped() -> None:
    busy = OnDuty(member_id=6, household_id=60, open_conversations=3)
    decision = route(Question(first_offered_at=ASKED), [busy, BO], RULES, ASKED)
    assert members(decision) == [2]


def test_a_mentor_at_the_cap_gets_it_when_nobody_else_can() -> None:
    busy = OnDuty(member_id=6, household_id=60, open_conversations=3)
    busier = OnDuty(member_id=7, household_id=70, open_conversations=4)
    decision = route(Question(first_offered_at=ASKED), [busier, busy], RULES, ASKED)
    assert decision.offers == (Offer(6, Reason.LOAD), Offer(7, Reason.LOAD))


def test_an_own_mentor_at_the_cap_does_not_hold_the_question_back() -> None:
    busy_own = OnDuty(member_id=1, household_id=OWN, open_conversations=3)
    question = Question(first_offered_at=ASKED, own_mentor_household_id=OWN)
    assert route(question, [busy_own, BO], RULES, ASKED).offers == (Offer(2, Reason.EVERYONE),)


def test_ties_are_broken_by_fewest_open_conversations_then_number() -> None:
    twin = OnDuty(member_id=8, household_id=80, open_conversations=1)
    decision = route(Question(first_offered_at=ASKED), [DAN, twin, BO], RULES, ASKED)
    assert members(decision) == [2, 8, 4]


def test_nobody_on_duty_offers_to_nobody() -> None:
    assert route(Question(first_offered_at=ASKED), [], RULES, ASKED) == Decision((), None)


def test_no_widening_when_the_own_household_is_all_there_is() -> None:
    question = Question(first_offered_at=ASKED, own_mentor_household_id=OWN)
    assert route(question, [ANNA], RULES, ASKED) == Decision((Offer(1, Reason.OWN_MENTOR),), None)


def test_the_family_is_asked_for_topics_only_when_it_can_matter() -> None:
    asked = Question(first_offered_at=ASKED)
    assert asks_for_topics(asked, [BO, CILLA], RULES)
    assert not asks_for_topics(asked, [BO, DAN], RULES)
    assert not asks_for_topics(Question(first_offered_at=ASKED, urgent=True), [CILLA], RULES)
    assert not asks_for_topics(Question(first_offered_at=ASKED, topics=frozenset()), [CILLA], RULES)
    own_tagged = OnDuty(
        member_id=9, household_id=OWN, open_conversations=0, experience=CILLA.experience
    )
    linked = Question(first_offered_at=ASKED, own_mentor_household_id=OWN)
    assert not asks_for_topics(linked, [own_tagged], RULES)
    busy = OnDuty(8, 80, open_conversations=3, experience=CILLA.experience)
    assert not asks_for_topics(asked, [BO, busy], RULES)  # a choice could change nothing


def test_send_to_everyone_now_skips_the_own_mentor_households_wait_too() -> None:
    question = Question(first_offered_at=ASKED, own_mentor_household_id=OWN, topics=frozenset())
    decision = route(question, [ANNA, BO, CILLA], RULES, ASKED + timedelta(seconds=20))
    assert decision.offers == (
        Offer(1, Reason.OWN_MENTOR),
        Offer(3, Reason.EVERYONE),
        Offer(2, Reason.EVERYONE),
    )
    assert decision.widens_at is None


def test_a_linked_family_that_never_chooses_reaches_the_others_at_the_own_wait() -> None:
    """The minute for the choice runs from the question, inside the own mentor's wait."""
    question = Question(first_offered_at=ASKED, own_mentor_household_id=OWN)
    first = route(question, [ANNA, BO, CILLA], RULES, ASKED)
    assert first.widens_at == ASKED + timedelta(minutes=5)
    assert members(route(question, [ANNA, BO, CILLA], RULES, ASKED + timedelta(minutes=5))) == [
        1,
        3,
        2,
    ]
