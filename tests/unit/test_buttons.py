"""Every button's data is made and read in handlers/buttons.py: each kind's own pattern reads
back what its builder made and no other pattern takes it, the data fits in Telegram's 64 bytes,
and the real application has a handler for every pattern."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from telegram.ext import BaseHandler, CallbackQueryHandler, ConversationHandler

from bot.app.application import build_application
from bot.app.bot_api_watch import BotApiWatch
from bot.config import LANGUAGES, load_config
from bot.event_drafts import ChangeField, DeadlineChoice
from bot.events import MAX_ADULTS, MAX_CHILDREN
from bot.routing import MAX_RATING, Topic
from bot.shift_booking import DaySpan, Span
from handlers import buttons
from handlers.buttons import MemberAction
from handlers.confirmation import Confirmation
from storage.models import Audience, AwayReason, EventAudience, EventKind

JOINED = datetime(2026, 11, 2, 9, 30, 15, tzinfo=UTC)
BIGGEST = 999_999_999  # the largest number a button carries
LAST_SECOND = datetime(5000, 12, 31, 23, 59, 59, tzinfo=UTC)
DIGEST = (
    "0123456789abcdef"  # a file's change, as bot.rota_planning and bot.catalogue_import name it
)


@dataclass(frozen=True)
class Sample:
    """Data built for a pattern, and what reading the match gives back."""

    data: str
    read: Callable[[re.Match[str]], object]
    expected: object


def _none(match: re.Match[str]) -> object:
    return None


def samples(number: int, moment: datetime) -> dict[re.Pattern[str], list[Sample]]:
    """Data of every kind, with `number` wherever a number goes and `moment` for a time."""
    confirmed = Confirmation(number, moment)
    return {
        buttons.LANGUAGE: [
            Sample(buttons.language(code), buttons.language_of, code) for code in LANGUAGES
        ],
        buttons.REVOKE_INVITE: [Sample(buttons.revoke_invite(number), buttons.invite_of, number)],
        buttons.APPROVE: [Sample(buttons.approve(confirmed), buttons.confirmation_of, confirmed)],
        buttons.MEMBER_PAGE: [Sample(buttons.member_page(number), buttons.page_of, number)],
        buttons.MEMBER_CARD: [
            Sample(buttons.member_card(confirmed), buttons.confirmation_of, confirmed)
        ],
        buttons.MEMBER_ACTION: [
            Sample(
                buttons.member_action(action, confirmed),
                lambda m: (buttons.action_of(m), buttons.confirmation_of(m)),
                (action, confirmed),
            )
            for action in MemberAction
        ],
        buttons.REMOVE: [Sample(buttons.remove(confirmed), buttons.confirmation_of, confirmed)],
        buttons.REMOVE_KEEP: [Sample(buttons.remove_keep(), _none, None)],
        buttons.FORGET: [Sample(buttons.forget(confirmed), buttons.confirmation_of, confirmed)],
        buttons.FORGET_KEEP: [Sample(buttons.forget_keep(), _none, None)],
        buttons.FORGET_INTEREST: [
            Sample(buttons.forget_interest(confirmed), buttons.confirmation_of, confirmed)
        ],
        buttons.FORGET_INTEREST_KEEP: [Sample(buttons.forget_interest_keep(), _none, None)],
        buttons.SWAP: [Sample(buttons.swap(number), buttons.swap_of, number)],
        buttons.OFFER_SHIFT: [
            Sample(buttons.offer_shift(number), buttons.offered_shift_of, number)
        ],
        buttons.ACCEPT: [Sample(buttons.accept(number), buttons.request_of, number)],
        buttons.DECLINE: [Sample(buttons.decline(number), buttons.request_of, number)],
        buttons.END: [Sample(buttons.end(number), buttons.request_of, number)],
        buttons.BROADCAST_AUDIENCE: [
            Sample(buttons.broadcast_audience(audience), buttons.audience_of, audience)
            for audience in Audience
        ],
        buttons.BROADCAST_WHEN: [
            Sample(buttons.broadcast_when("now"), buttons.later_of, False),
            Sample(buttons.broadcast_when("later"), buttons.later_of, True),
        ],
        buttons.BROADCAST_SEND: [
            Sample(buttons.broadcast_send(True), buttons.send_of, True),
            Sample(buttons.broadcast_send(False), buttons.send_of, False),
        ],
        buttons.BROADCAST_EVENT: [
            Sample(buttons.broadcast_event(BIGGEST), buttons.attached_event_of, BIGGEST)
        ],
        buttons.BROADCAST_EVENTS_DONE: [Sample(buttons.broadcast_events_done(), _none, None)],
        buttons.BROADCAST_EVENTS_PAGE: [
            Sample(buttons.broadcast_events_page(number), buttons.page_of, number)
        ],
        buttons.CANCEL_BROADCAST: [
            Sample(buttons.cancel_broadcast(number), buttons.broadcast_of, number)
        ],
        buttons.INTEREST_START: [Sample(buttons.interest_start(), _none, None)],
        buttons.INTEREST_CONSENT: [
            Sample(buttons.interest_consent(True), buttons.consent_of, True),
            Sample(buttons.interest_consent(False), buttons.consent_of, False),
        ],
        buttons.INTEREST_MEETING: [
            Sample(buttons.interest_meeting(BIGGEST), buttons.meeting_of, BIGGEST)
        ],
        buttons.INTEREST_ADULTS: [
            Sample(buttons.interest_adults(1), buttons.adults_of, 1),
            Sample(buttons.interest_adults(9), buttons.adults_of, 9),
        ],
        buttons.INTEREST_CANCEL: [
            Sample(buttons.interest_cancel(BIGGEST), buttons.signup_of, BIGGEST)
        ],
        buttons.RATE: [
            Sample(
                buttons.rate(number, stars),
                lambda m: (buttons.request_of(m), buttons.rating_of(m)),
                (number, stars),
            )
            for stars in range(1, MAX_RATING + 1)
        ],
        buttons.TOPIC: [
            Sample(
                buttons.topic(number, topic),
                lambda m: (buttons.request_of(m), buttons.topic_of(m)),
                (number, topic),
            )
            for topic in Topic
        ],
        buttons.ADDRESS: [
            Sample(
                buttons.address(number, number - 1),
                lambda m: (buttons.parked_of(m), buttons.request_of(m)),
                (number, number - 1),
            )
        ],
        **rota_samples(number, moment),
        **event_samples(number, moment),
        **event_admin_samples(number, moment),
    }


def rota_samples(number: int, moment: datetime) -> dict[re.Pattern[str], list[Sample]]:
    """The rota's buttons: the guided booking's steps (a night shift, which ends before it
    starts, among them), a rota file's question, days away and open gaps."""
    evening = DaySpan(moment.date(), Span(time(17), time(22)))
    night = DaySpan(moment.date(), Span(time(22, 30), time(7, 45)))

    def member_and_times(match: re.Match[str]) -> object:
        return buttons.booked_member_of(match), buttons.day_span_of(match)

    return {
        buttons.BOOK_PAGE: [
            Sample(buttons.book_page(number), buttons.page_of, number),
            Sample(
                buttons.book_page(number, night),
                lambda m: (buttons.page_of(m), buttons.day_span_of(m)),
                (number, night),
            ),
        ],
        buttons.BOOK_FILL: [Sample(buttons.book_fill(evening), buttons.day_span_of, evening)],
        buttons.BOOK_HOUSEHOLD: [
            Sample(buttons.book_household(number), buttons.booked_member_of, number)
        ],
        buttons.BOOK_DAY: [
            Sample(
                buttons.book_day(number, moment.date()),
                lambda m: (buttons.booked_member_of(m), buttons.day_of(m)),
                (number, moment.date()),
            )
        ],
        buttons.BOOK_TYPE_DAY: [
            Sample(buttons.book_type_day(number), buttons.booked_member_of, number)
        ],
        buttons.BOOK_TYPE_TIMES: [
            Sample(
                buttons.book_type_times(number, moment.date()),
                lambda m: (buttons.booked_member_of(m), buttons.day_of(m)),
                (number, moment.date()),
            )
        ],
        buttons.BOOK_PREVIEW: [
            Sample(buttons.book_preview(number, when), member_and_times, (number, when))
            for when in (evening, night)
        ],
        buttons.BOOK_CONFIRM: [
            Sample(buttons.book_confirm(number, when), member_and_times, (number, when))
            for when in (evening, night)
        ],
        buttons.BOOK_CANCEL: [Sample(buttons.book_cancel(), _none, None)],
        buttons.ROTA_FILE: [
            Sample(buttons.rota_file(remove, DIGEST), buttons.rota_file_of, (remove, DIGEST))
            for remove in (True, False)
        ],
        buttons.ROTA_FILE_CANCEL: [Sample(buttons.rota_file_cancel(), _none, None)],
        buttons.CATALOGUE_APPLY: [Sample(buttons.catalogue(DIGEST), buttons.digest_of, DIGEST)],
        buttons.CATALOGUE_CANCEL: [Sample(buttons.catalogue_cancel(), _none, None)],
        buttons.AWAY_REMOVE: [Sample(buttons.away_remove(number), buttons.away_of, number)],
        buttons.AWAY_SHOW: [Sample(buttons.away_show(), _none, None)],
        buttons.AWAY_WEEK: [
            Sample(buttons.away_week(which), buttons.week_of, which) for which in ("this", "next")
        ],
        buttons.AWAY_REASON: [
            Sample(
                buttons.away_reason(moment.date(), moment.date(), reason),
                buttons.away_days_of,
                (moment.date(), moment.date(), reason),
            )
            for reason in AwayReason
        ],
        buttons.GAP_TAKE: [Sample(buttons.gap_take(number), buttons.offer_of, number)],
        buttons.GAP_DECIDE: [
            Sample(
                buttons.gap_decide(number, confirm),
                lambda m: (buttons.offer_of(m), buttons.confirm_of(m)),
                (number, confirm),
            )
            for confirm in (True, False)
        ],
    }


def event_samples(number: int, moment: datetime) -> dict[re.Pattern[str], list[Sample]]:
    """/events: Sign up and its questions' numbers, one's own sign-up's Cancel, and the
    question a late cancellation asks first."""
    confirmed = Confirmation(number, moment)
    return {
        buttons.SIGNUP: [Sample(buttons.signup(number), buttons.event_of, number)],
        buttons.SIGNUP_ADULTS: [
            Sample(
                buttons.signup_adults(number, MAX_ADULTS),
                lambda m: (buttons.event_of(m), buttons.party_of(m)),
                (number, (MAX_ADULTS, 0)),
            )
        ],
        buttons.SIGNUP_CHILDREN: [
            Sample(
                buttons.signup_children(number, adults, children),
                lambda m: (buttons.event_of(m), buttons.party_of(m)),
                (number, (adults, children)),
            )
            for adults, children in ((1, 0), (MAX_ADULTS, MAX_CHILDREN))
        ],
        buttons.MY_SIGNUP_CANCEL: [
            Sample(buttons.my_signup_cancel(number), buttons.signup_of, number)
        ],
        buttons.MY_SIGNUP_LATE: [
            Sample(buttons.my_signup_late(confirmed), buttons.confirmation_of, confirmed)
        ],
        buttons.MY_SIGNUP_KEEP: [Sample(buttons.my_signup_keep(), _none, None)],
    }


def event_admin_samples(number: int, moment: datetime) -> dict[re.Pattern[str], list[Sample]]:
    """The coordinators' events: /event new's steps, an event's card and its attendance."""
    confirmed = Confirmation(number, moment)
    return {
        buttons.EVENT_NEW_KIND: [
            Sample(buttons.event_new_kind(kind), buttons.kind_of, kind) for kind in EventKind
        ],
        buttons.EVENT_NEW_SKIP: [Sample(buttons.event_new_skip(), _none, None)],
        buttons.EVENT_NEW_DAY: [
            Sample(buttons.event_new_day(moment.date()), buttons.day_of, moment.date())
        ],
        buttons.EVENT_NEW_CAPACITY: [
            Sample(buttons.event_new_capacity(capacity), buttons.capacity_of, capacity)
            for capacity in (number, None)
        ],
        buttons.EVENT_NEW_AUDIENCE: [
            Sample(buttons.event_new_audience(audience), buttons.event_audience_of, audience)
            for audience in EventAudience
        ],
        buttons.EVENT_NEW_CHILDREN: [
            Sample(buttons.event_new_children(along), buttons.children_of, along)
            for along in (True, False)
        ],
        buttons.EVENT_NEW_DEADLINE: [
            Sample(buttons.event_new_deadline(choice), buttons.deadline_of, choice)
            for choice in DeadlineChoice
        ],
        buttons.EVENT_NEW_CREATE: [
            Sample(buttons.event_new_create(create), buttons.create_of, create)
            for create in (True, False)
        ],
        buttons.EVENT_OPEN: [Sample(buttons.event_open(number), buttons.event_of, number)],
        buttons.EVENT_CSV: [Sample(buttons.event_csv(number), buttons.event_of, number)],
        buttons.EVENT_EDIT: [Sample(buttons.event_edit(number), buttons.event_of, number)],
        buttons.EVENT_CHANGE: [
            Sample(
                buttons.event_change(number, field),
                lambda m: (buttons.event_of(m), buttons.field_of(m)),
                (number, field),
            )
            for field in ChangeField
        ],
        buttons.EVENT_CANCEL: [Sample(buttons.event_cancel(number), buttons.event_of, number)],
        buttons.EVENT_CANCEL_CONFIRM: [
            Sample(buttons.event_cancel_confirm(confirmed), buttons.confirmation_of, confirmed)
        ],
        buttons.EVENT_CANCEL_KEEP: [Sample(buttons.event_cancel_keep(), _none, None)],
        buttons.EVENT_ATTENDANCE: [
            Sample(buttons.event_attendance(number), buttons.event_of, number)
        ],
        buttons.EVENT_LIST_PAGE: [Sample(buttons.event_list_page(number), buttons.page_of, number)],
        buttons.EVENT_ATTENDANCE_PAGE: [
            Sample(
                buttons.event_attendance_page(number, number),
                lambda m: (buttons.event_of(m), buttons.page_of(m)),
                (number, number),
            )
        ],
        buttons.ATTEND: [
            Sample(
                buttons.attend(number, number, came),
                lambda m: (buttons.event_of(m), buttons.signup_of(m), buttons.came_of(m)),
                (number, number, came),
            )
            for came in (True, False)
        ],
        buttons.ABOUT: [
            Sample(buttons.about(number, tag), buttons.about_tag_of, tag)
            for tag in (None, "teenagers", "a" * 20)
        ],
        buttons.EXPERIENCE: [
            Sample(
                buttons.experience(Confirmation(number, moment), tag, present),
                lambda m: (buttons.confirmation_of(m), buttons.tag_of(m)),
                (Confirmation(number, moment), (tag, present)),
            )
            for tag, present in (("school", True), ("b" * 20, False))
        ],
        buttons.OWN_MENTOR: [
            Sample(
                buttons.own_mentor(confirmed, number),
                lambda m: (buttons.confirmation_of(m), buttons.mentor_of(m)),
                (confirmed, number),
            )
        ],
        buttons.OWN_MENTOR_NONE: [
            Sample(buttons.own_mentor_none(confirmed), buttons.confirmation_of, confirmed)
        ],
        buttons.OWN_MENTOR_PAGE: [
            Sample(
                buttons.own_mentor_page(confirmed, number),
                lambda m: (buttons.confirmation_of(m), buttons.page_of(m)),
                (confirmed, number),
            )
        ],
        buttons.DEBRIEF: [Sample(buttons.debrief(number), buttons.request_of, number)],
        buttons.DEBRIEF_ACKNOWLEDGE: [
            Sample(buttons.debrief_acknowledge(number), buttons.debrief_of, number)
        ],
        buttons.UNIT_NOTE: [Sample(buttons.unit_note(number), buttons.request_of, number)],
        buttons.UNIT_NOTE_CONSENT: [
            Sample(
                buttons.unit_note_consent(number, consent),
                lambda m: (buttons.note_of(m), buttons.consent_of(m)),
                (number, consent),
            )
            for consent in (True, False)
        ],
    }


def every_sample() -> Iterator[tuple[re.Pattern[str], Sample]]:
    for number, moment in ((7, JOINED), (BIGGEST, LAST_SECOND)):
        for pattern, made in samples(number, moment).items():
            for sample in made:
                yield pattern, sample


def test_the_data_is_what_buttons_already_sent_carry() -> None:
    """Byte for byte: a button in a chat keeps working only if its data never changes."""
    confirmed = Confirmation(12, datetime.fromtimestamp(1_795_000_000, UTC))
    assert [
        buttons.language("da"),
        buttons.revoke_invite(3),
        buttons.approve(confirmed),
        buttons.forget(confirmed),
        buttons.forget_keep(),
        buttons.forget_interest(confirmed),
        buttons.forget_interest_keep(),
        buttons.swap(4),
        buttons.accept(12),
        buttons.decline(12),
        buttons.broadcast_audience(Audience.FAMILIES),
        buttons.broadcast_when("later"),
        buttons.broadcast_send(True),
        buttons.broadcast_send(False),
        buttons.interest_start(),
        buttons.interest_consent(True),
        buttons.interest_consent(False),
        buttons.rate(12, 5),
        buttons.topic(12, Topic.BIRTH_FAMILY),
        buttons.address(3, 12),
        buttons.book_page(2),
        buttons.book_fill(DaySpan(date(2026, 12, 4), Span(time(17), time(22)))),
        buttons.book_confirm(12, DaySpan(date(2026, 12, 4), Span(time(22), time(8)))),
        buttons.member_action(MemberAction.EXPORT, confirmed),
        buttons.remove(confirmed),
        buttons.offer_shift(4),
        buttons.end(12),
        buttons.cancel_broadcast(3),
        buttons.away_remove(5),
        buttons.away_show(),
        buttons.away_week("next"),
        buttons.away_reason(date(2026, 12, 7), date(2026, 12, 13), AwayReason.ILLNESS),
        buttons.gap_take(9),
        buttons.gap_decide(9, True),
        buttons.signup(5),
        buttons.signup_adults(5, 2),
        buttons.signup_children(5, 2, 1),
        buttons.my_signup_cancel(8),
        buttons.my_signup_late(confirmed),
        buttons.my_signup_keep(),
        buttons.event_new_kind(EventKind.THEME_MORNING),
        buttons.event_new_day(date(2026, 12, 4)),
        buttons.event_new_capacity(None),
        buttons.event_new_create(True),
        buttons.event_open(3),
        buttons.event_change(3, ChangeField.TIME),
        buttons.event_cancel_confirm(confirmed),
        buttons.attend(3, 14, False),
        buttons.about(12, "teenagers"),
        buttons.about(12, None),
        buttons.member_action(MemberAction.OWN_MENTOR, confirmed),
        buttons.member_action(MemberAction.EXPERIENCE, confirmed),
        buttons.own_mentor(confirmed, 7),
        buttons.own_mentor_none(confirmed),
        buttons.own_mentor_page(confirmed, 1),
        buttons.debrief(12),
        buttons.debrief_acknowledge(3),
        buttons.unit_note(12),
        buttons.unit_note_consent(4, True),
    ] == [
        "language:da",
        "revoke-invite:3",
        "approve:12:1795000000",
        "forget:12:1795000000",
        "forget:keep",
        "forget-interest:12:1795000000",
        "forget-interest:keep",
        "swap:4",
        "accept:12",
        "decline:12",
        "broadcast:families",
        "broadcast:later",
        "broadcast:confirm",
        "broadcast:cancel",
        "interest:start",
        "interest:yes",
        "interest:no",
        "rate:12:5",
        "topic:12:birth_family",
        "to:3:12",
        "book:p:2",
        "book:f:20261204:17002200",
        "book:ok:12:20261204:22000800",
        "member:export:12:1795000000",
        "remove:12:1795000000",
        "offer-shift:4",
        "end:12",
        "cancel-broadcast:3",
        "away:del:5",
        "away:show",
        "away:week:next",
        "away:why:2026-12-07:2026-12-13:illness",
        "gap:9",
        "gap-decide:9:yes",
        "signup:5",
        "signup:5:2",
        "signup:5:2:1",
        "my-signup:8",
        "my-signup:late:12:1795000000",
        "my-signup:keep",
        "event-admin-new:kind:theme_morning",
        "event-admin-new:day:20261204",
        "event-admin-new:cap:none",
        "event-admin-new:ok",
        "event-admin:open:3",
        "event-admin:change:3:time",
        "event-admin:cancel-yes:12:1795000000",
        "attend:3:14:no",
        "about:12:teenagers",
        "about:12:-",
        "member:own-mentor:12:1795000000",
        "member:experience:12:1795000000",
        "own-mentor:12:1795000000:7",
        "own-mentor:none:12:1795000000",
        "own-mentor:page:12:1795000000:1",
        "debrief:12",
        "debrief-ack:3",
        "unit-note:12",
        "note-consent:4:yes",
    ]


def test_every_pattern_has_samples_here() -> None:
    assert list(samples(7, JOINED)) == buttons.PATTERNS


@pytest.mark.parametrize(("pattern", "sample"), list(every_sample()))
def test_data_is_read_back_by_its_own_pattern_and_by_no_other(
    pattern: re.Pattern[str], sample: Sample
) -> None:
    match = pattern.match(sample.data)
    assert match is not None
    assert sample.read(match) == sample.expected
    assert [other for other in buttons.PATTERNS if other.match(sample.data)] == [pattern]


@pytest.mark.parametrize(("pattern", "sample"), list(every_sample()))
def test_data_fits_in_telegrams_64_bytes(pattern: re.Pattern[str], sample: Sample) -> None:
    assert 1 <= len(sample.data.encode()) <= buttons.MAX_DATA_BYTES


def test_no_prefix_begins_another_and_every_pattern_has_one() -> None:
    prefixes = buttons.PREFIXES
    assert len(set(prefixes)) == len(prefixes)
    for prefix in prefixes:
        assert [other for other in prefixes if other.startswith(prefix)] == [prefix]
    for pattern in buttons.PATTERNS:
        assert [p for p in prefixes if pattern.pattern.startswith(re.escape(p))] != []
        assert buttons.rest(pattern).pattern in {re.escape(p) for p in prefixes}


@pytest.mark.parametrize(
    "data",
    [
        "accept:abc",
        "accept:12345678901",
        "accept:5\n",
        "decline:",
        "swap:#7",
        "revoke-invite:٣",  # an Arabic-Indic digit: a digit to str.isdigit, not to a button
        "approve:6",
        "forget:6",  # the button of an older version, which carried only the number
        "forget:6:",
        "forget:six:1795000000",
        "forget:6:1795000000:1",
        "forget:keeps",
        "forget-interest:6",
        "language:de",
        "broadcast:xyz",
        "broadcast:families:now",
        "interest:maybe",
        "rate:5:",
        "rate:5:3:4",
        "topic:5:weather",
        "to:1",
        "to:1:2:3",
        "signup:",
        "signup:5:2:1:0",
        "my-signup:late:8",
        "my-signup:keeps",
        "about:5:",
        "about:5:Teenagers",
        "about:5:" + "a" * 21,
        "own-mentor:12:1795000000",
        "own-mentor:none:12",
        "own-mentor:page:12:1795000000",
    ],
)
def test_data_a_builder_never_makes_is_taken_by_no_pattern_only_by_its_prefix(data: str) -> None:
    assert [pattern for pattern in buttons.PATTERNS if pattern.match(data)] == []
    rests = {buttons.rest(pattern).pattern for pattern in buttons.PATTERNS}
    assert [rest for rest in rests if re.match(rest, data)] != []


def test_data_with_no_prefix_of_ours_is_taken_by_nothing() -> None:
    for data in ("delete:everything", "accepted:5", "forged:data", "x"):
        assert [p for p in buttons.PATTERNS if p.match(data)] == []
        assert [p for p in buttons.PATTERNS if buttons.rest(p).match(data)] == []


Handlers = list[BaseHandler[Any, Any, Any]]


def handler_lists(handlers: dict[int, Handlers]) -> Iterator[Handlers]:
    """Every list PTB tries in order: each group's, and each conversation's."""
    for group in handlers.values():
        yield group
        for handler in group:
            if isinstance(handler, ConversationHandler):
                yield list(handler.entry_points)
                yield from (list(state) for state in handler.states.values())
                yield list(handler.fallbacks)


def test_the_application_registers_every_pattern_and_no_other_data() -> None:
    config = load_config({"TELEGRAM_BOT_TOKEN": "1:token"}, None)
    application = build_application(config, BotApiWatch())
    registry = {pattern.pattern for pattern in buttons.PATTERNS}
    rests = {buttons.rest(pattern).pattern: pattern for pattern in buttons.PATTERNS}
    registered: set[str] = set()
    catch_all: list[CallbackQueryHandler[Any, Any]] = []
    for handlers in handler_lists(application.handlers):
        presses = [h for h in handlers if isinstance(h, CallbackQueryHandler)]
        for index, handler in enumerate(presses):
            if handler.pattern is None:
                catch_all.append(handler)
                assert handler is handlers[-1]  # what no feature took: see handlers/system.py
                continue
            assert isinstance(handler.pattern, re.Pattern)  # so that PTB hands over the match
            text = handler.pattern.pattern
            assert text in registry or text in rests
            registered.add(text)
            if text in rests:  # it takes only what the patterns of its prefix before it did not
                after = {
                    h.pattern.pattern
                    for h in presses[index + 1 :]
                    if isinstance(h.pattern, re.Pattern)
                }
                assert not any(
                    buttons.rest(p).pattern == text for p in buttons.PATTERNS if p.pattern in after
                )
    assert registered >= registry
    assert len(catch_all) == 1
