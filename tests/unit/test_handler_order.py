"""The order handlers/__init__.py registers the handlers in, pinned on the real application.

python-telegram-bot tries the groups in ascending order and, within a group, the handlers in
the order they were added, the first that matches taking the update. What that order has to
guarantee, and why:

- the gate (handlers/gate.py) is alone in the first group and sees every update, so nothing
  outside a private chat and no edit reaches a feature: the library hands an edit, or a group's
  message, to the same handlers as a new private message;
- naming a household comes next, before any feature reads a member's text;
- the guided conversations (/broadcast, a stranger's registration of interest) come before
  /cancel of a question and before the message router, which takes every plain message and so
  is the last feature; the fallbacks for an unknown command and an unknown button come last;
- every button the bot makes is taken by exactly one handler (of each list the library tries:
  the default group's, and each state of a guided conversation), other data with a prefix of
  ours by that prefix's refusal, and every command a menu offers has a handler.

The application is built as `mentorbot run` builds it, and never initialised: nothing is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from telegram import (
    CallbackQuery,
    Chat,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberUpdated,
    Message,
    MessageEntity,
    Update,
    User,
)
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
)

from bot.event_drafts import ChangeField, DeadlineChoice
from bot.routing import Topic
from bot.shift_booking import DaySpan, Span
from handlers import (
    availability,
    broadcasts,
    buttons,
    catalogue,
    conversations,
    debriefs,
    event_admin,
    events,
    gate,
    invites,
    language,
    members,
    mentor_rota,
    menu,
    offers,
    onboarding,
    personal_data,
    recruitment,
    requests,
    rota_planning,
    shift_booking,
    stats,
    system,
    unit_notes,
)
from handlers import matching as matching_handlers
from handlers.buttons import MemberAction
from handlers.common import MentorApplication
from handlers.confirmation import Confirmation
from storage.models import Audience, AwayReason, EventAudience, EventKind
from tests.unit.telegram_support import application, config

NOW = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
PERSON = User(5, "Anna", is_bot=False, language_code="sv")
PRIVATE = Chat(5, Chat.PRIVATE)
GROUP = Chat(-1005, Chat.SUPERGROUP, title="Mentorsfamiljerna")
Handler = BaseHandler[Any, Any, Any]


@pytest.fixture(scope="module")
def app() -> MentorApplication:
    return application(config())


def in_order(app: MentorApplication) -> list[tuple[int, Handler]]:
    """Every handler with its group, in the order the library tries them."""
    return [(group, handler) for group in sorted(app.handlers) for handler in app.handlers[group]]


def callback(handler: Handler) -> object:
    return getattr(handler, "callback", None)


def matching(app: MentorApplication, update: Update) -> list[object]:
    """The callbacks of the handlers that would take `update`, group by group, in order: only
    the first of each group runs, and a group stops the rest by raising ApplicationHandlerStop."""
    return [
        callback(handler)
        for _, handler in in_order(app)
        if handler.check_update(update) not in (None, False)
    ]


def text(body: str, chat: Chat = PRIVATE, *, edited: bool = False) -> Update:
    entities = (MessageEntity(MessageEntity.BOT_COMMAND, 0, len(body)),) if body[0] == "/" else ()
    message = Message(1, NOW, chat, from_user=PERSON, text=body, entities=entities)
    return Update(1, edited_message=message) if edited else Update(1, message=message)


def press(data: str, chat: Chat = PRIVATE) -> Update:
    shown = Message(2, NOW, chat, from_user=User(42, "Mentorbot", is_bot=True), text="?")
    return Update(1, callback_query=CallbackQuery("1", PERSON, "chat", message=shown, data=data))


def chat_member(left: bool) -> Update:
    bot = User(42, "Mentorbot", is_bot=True)
    old, new = ChatMemberMember(bot), ChatMemberLeft(bot)
    change = ChatMemberUpdated(GROUP, PERSON, NOW, new if left else old, old if left else new)
    return Update(1, my_chat_member=change)


# --- groups ------------------------------------------------------------------------------------


def test_the_gate_is_alone_in_the_first_group_then_naming_then_every_feature(
    app: MentorApplication,
) -> None:
    assert sorted(app.handlers) == [gate.GATE_GROUP, onboarding.NAMING_GROUP, 0]
    (admit,) = app.handlers[gate.GATE_GROUP]
    assert isinstance(admit, TypeHandler) and admit.type is Update
    assert callback(admit) is gate.admit
    (naming,) = app.handlers[onboarding.NAMING_GROUP]
    assert isinstance(naming, MessageHandler) and callback(naming) is onboarding.capture_name


@pytest.mark.parametrize(
    "update",
    [
        text("Hej"),
        text("Hej", edited=True),
        press("accept:1"),
        chat_member(left=False),
    ],
    ids=["message", "edited message", "button press", "added to a group"],
)
def test_the_gate_sees_every_kind_of_update_the_bot_asks_for(
    app: MentorApplication, update: Update
) -> None:
    kinds = {kind for kind in gate.ALLOWED_UPDATES if getattr(update, kind) is not None}
    assert len(kinds) == 1
    assert matching(app, update)[0] is gate.admit


@pytest.mark.parametrize(
    "update",
    [text("Hej", edited=True), text("Hej", GROUP), text("Hej", GROUP, edited=True)],
    ids=["an edit", "a group's message", "an edit in a group"],
)
def test_edits_and_groups_meet_the_gate_before_the_features_that_would_take_them(
    app: MentorApplication, update: Update
) -> None:
    """The library would hand these to naming and to the router like a new private message;
    only the gate, first, keeps them out (it stops the update: ApplicationHandlerStop)."""
    assert matching(app, update) == [
        gate.admit,
        onboarding.capture_name,
        conversations.route_message,
    ]


def test_a_groups_button_press_meets_the_gate_first(
    app: MentorApplication,
) -> None:
    assert matching(app, press(buttons.accept(7), GROUP)) == [
        gate.admit,
        offers.accept,
        offers.refuse_other_data,
        system.unknown_button,
    ]


def test_an_unknown_command_is_answered_in_a_private_chat_only(
    app: MentorApplication,
) -> None:
    fallback = next(h for _, h in in_order(app) if callback(h) is system.unknown_command)
    assert fallback.check_update(text("/nonsense")) not in (None, False)
    assert fallback.check_update(text("/nonsense", GROUP)) in (None, False)


# --- the default group -------------------------------------------------------------------------


def features(app: MentorApplication) -> list[Handler]:
    return list(app.handlers[0])


def position(handlers: list[Handler], wanted: object) -> int:
    return next(i for i, handler in enumerate(handlers) if wanted in (callback(handler), handler))


def conversation_of(handlers: list[Handler], entry: object) -> ConversationHandler[Any]:
    found = [
        handler
        for handler in handlers
        if isinstance(handler, ConversationHandler)
        and any(callback(point) is entry for point in handler.entry_points)
    ]
    assert len(found) == 1
    return found[0]


def test_the_guided_conversations_see_cancel_and_messages_before_the_rest(
    app: MentorApplication,
) -> None:
    handlers = features(app)
    composing = conversation_of(handlers, broadcasts.begin)
    registering = conversation_of(handlers, recruitment.begin)
    cancel = next(
        h for h in handlers if isinstance(h, CommandHandler) and callback(h) is requests.cancel
    )
    assert (
        handlers.index(composing)
        < handlers.index(registering)
        < handlers.index(cancel)
        < position(handlers, conversations.route_message)
    )
    for guided in (composing, registering):  # their own /cancel, while one is going on
        assert [h.commands for h in guided.fallbacks if isinstance(h, CommandHandler)] == [
            frozenset({"cancel"})
        ]


def test_the_router_is_the_last_feature_and_the_fallbacks_come_after_it(
    app: MentorApplication,
) -> None:
    *_, router, unknown_command, unknown_button = features(app)
    assert callback(router) is conversations.route_message
    assert callback(unknown_command) is system.unknown_command
    assert isinstance(unknown_button, CallbackQueryHandler)
    assert callback(unknown_button) is system.unknown_button
    assert unknown_button.pattern is None  # it takes whatever no feature took


def test_errors_have_one_handler_and_only_stats_runs_beside_other_updates(
    app: MentorApplication,
) -> None:
    assert list(app.error_handlers) == [system.on_error]
    beside = [handler for _, handler in in_order(app) if handler.block is False]
    assert [callback(handler) for handler in beside] == [stats.show_stats]


# --- buttons and commands ----------------------------------------------------------------------


def every_handler(handlers: list[Handler]) -> Iterator[Handler]:
    """Handlers, and the handlers inside each guided conversation."""
    for handler in handlers:
        yield handler
        if isinstance(handler, ConversationHandler):
            yield from handler.entry_points
            for state in handler.states.values():
                yield from state
            yield from handler.fallbacks


def button_handlers(
    app: MentorApplication,
) -> list[CallbackQueryHandler[Any, Any]]:
    return [
        handler
        for _, top in in_order(app)
        for handler in every_handler([top])
        if isinstance(handler, CallbackQueryHandler)
        and callback(handler) is not system.unknown_button
    ]


def button_lists(app: MentorApplication) -> Iterator[list[CallbackQueryHandler[Any, Any]]]:
    """The lists of button handlers the library tries a press on, the first that matches in
    each taking it: the default group's, where a guided conversation nobody is in offers its
    way in at its own place, and each state and the fallbacks of each guided conversation."""

    def presses(handlers: list[Handler]) -> list[CallbackQueryHandler[Any, Any]]:
        return [
            h
            for h in handlers
            if isinstance(h, CallbackQueryHandler) and callback(h) is not system.unknown_button
        ]

    def ways_in(handler: Handler) -> list[Handler]:
        return list(handler.entry_points) if isinstance(handler, ConversationHandler) else [handler]

    yield presses([way for handler in features(app) for way in ways_in(handler)])
    for handler in features(app):
        if isinstance(handler, ConversationHandler):
            for state in handler.states.values():
                yield presses(list(state))
            yield presses(list(handler.fallbacks))


def takers(app: MentorApplication, data: str) -> tuple[object, ...]:
    found = (
        next((h for h in handlers if h.check_update(press(data)) not in (None, False)), None)
        for handlers in button_lists(app)
    )
    return tuple(callback(handler) for handler in found if handler is not None)


CONFIRMED = Confirmation(12, NOW)
EVENING = DaySpan(date(2026, 12, 4), Span(time(17), time(22)))
# The /broadcast dialogue's buttons share one prefix; each of its states takes every press of
# them (only one state is current at a time): its own buttons on its pattern, the others' (an
# earlier draft's) to answer as that state always has.
AUDIENCE_STEP, EVENT_STEP, EVENTS_DONE_STEP, EVENTS_PAGE_STEP, WHEN_STEP, CONFIRM_STEP = (
    (broadcasts.audience, broadcasts.not_an_event, broadcasts.not_when, broadcasts.not_confirm),
    (
        broadcasts.not_an_audience,
        broadcasts.toggle_event,
        broadcasts.not_when,
        broadcasts.not_confirm,
    ),
    (
        broadcasts.not_an_audience,
        broadcasts.events_chosen,
        broadcasts.not_when,
        broadcasts.not_confirm,
    ),
    (
        broadcasts.not_an_audience,
        broadcasts.turn_events_page,
        broadcasts.not_when,
        broadcasts.not_confirm,
    ),
    (broadcasts.not_an_audience, broadcasts.not_an_event, broadcasts.when, broadcasts.not_confirm),
    (broadcasts.not_an_audience, broadcasts.not_an_event, broadcasts.not_when, broadcasts.confirm),
)
# /event new's steps share a prefix too: outside a draft its refusal takes a press; in a draft,
# the step being asked takes its own buttons, every other step answers that it is not its own.
_EVENT_STEPS = (
    event_admin.KIND,
    event_admin.DESCRIPTION,
    event_admin.DAY,
    event_admin.PLACE,
    event_admin.CAPACITY,
    event_admin.AUDIENCE,
    event_admin.CHILDREN,
    event_admin.DEADLINE,
    event_admin.PREVIEW,
)


def event_step(**own: object) -> tuple[object, ...]:
    """The takers of a press of /event new's, `own` naming the steps (by state) it answers."""
    by_state = {getattr(event_admin, name): handler for name, handler in own.items()}
    return (
        event_admin.refuse_other_data,
        *(by_state.get(state, event_admin.not_this_step) for state in _EVENT_STEPS),
    )


BUTTONS: dict[str, tuple[object, ...]] = {
    # What the bot puts in a button's callback_data, kind by kind, and which handler takes it.
    buttons.accept(12): (offers.accept,),
    buttons.decline(12): (offers.decline,),
    buttons.language("da"): (language.choose_language,),
    buttons.revoke_invite(3): (invites.revoke,),
    buttons.approve(CONFIRMED): (members.approve,),
    buttons.forget(CONFIRMED): (personal_data.forget,),
    buttons.forget_keep(): (personal_data.keep,),
    buttons.forget_interest(CONFIRMED): (personal_data.forget_interest,),
    buttons.forget_interest_keep(): (personal_data.keep_interest,),
    buttons.swap(4): (mentor_rota.take_swap,),
    buttons.rate(12, 5): (conversations.rate,),
    **{buttons.topic(12, topic): (conversations.file_topic,) for topic in Topic},
    buttons.address(3, 12): (conversations.address,),
    **{buttons.broadcast_audience(audience): AUDIENCE_STEP for audience in Audience},
    buttons.broadcast_event(7): EVENT_STEP,
    buttons.broadcast_events_done(): EVENTS_DONE_STEP,
    buttons.broadcast_events_page(1): EVENTS_PAGE_STEP,
    buttons.broadcast_when("now"): WHEN_STEP,
    buttons.broadcast_when("later"): WHEN_STEP,
    buttons.broadcast_send(True): CONFIRM_STEP,
    buttons.broadcast_send(False): CONFIRM_STEP,
    buttons.interest_start(): (recruitment.begin,),
    buttons.interest_consent(True): (recruitment.consent,),
    buttons.interest_consent(False): (recruitment.consent,),
    buttons.interest_meeting(7): (recruitment.begin_meeting,),
    buttons.interest_adults(2): (recruitment.choose_adults,),
    buttons.interest_cancel(7): (recruitment.cancel_place,),
    buttons.member_page(1): (members.turn_page,),
    buttons.member_card(CONFIRMED): (members.show_card,),
    **{buttons.member_action(action, CONFIRMED): (members.act,) for action in MemberAction},
    buttons.remove(CONFIRMED): (members.confirm_removal,),
    buttons.remove_keep(): (members.keep,),
    buttons.offer_shift(4): (mentor_rota.offer_from_reminder,),
    buttons.end(12): (conversations.end_chosen,),
    buttons.cancel_broadcast(3): (broadcasts.cancel_scheduled,),
    buttons.book_page(1): (shift_booking.turn_page,),
    buttons.book_page(1, EVENING): (shift_booking.turn_page,),
    buttons.book_fill(EVENING): (shift_booking.fill,),
    buttons.book_household(12): (shift_booking.choose_household,),
    buttons.book_day(12, EVENING.day): (shift_booking.choose_day,),
    buttons.book_type_day(12): (shift_booking.ask_day,),
    buttons.book_type_times(12, EVENING.day): (shift_booking.ask_times,),
    buttons.book_preview(12, EVENING): (shift_booking.preview,),
    buttons.book_confirm(12, EVENING): (shift_booking.confirm,),
    buttons.book_cancel(): (shift_booking.cancel,),
    buttons.rota_file(True, "0123456789abcdef"): (rota_planning.confirm_file,),
    buttons.rota_file(False, "0123456789abcdef"): (rota_planning.confirm_file,),
    buttons.rota_file_cancel(): (rota_planning.cancel_file,),
    buttons.catalogue("0123456789abcdef"): (catalogue.apply_file,),
    buttons.catalogue_cancel(): (catalogue.cancel_file,),
    buttons.away_remove(5): (availability.remove_away,),
    buttons.away_show(): (availability.show_away,),
    buttons.away_week("this"): (availability.pick_week,),
    buttons.away_reason(date(2026, 12, 7), date(2026, 12, 13), AwayReason.HOLIDAY): (
        availability.pick_reason,
    ),
    buttons.gap_take(9): (availability.take_gap,),
    buttons.gap_decide(9, False): (availability.decide_take,),
    # /events: Sign up, its questions, and one's own sign-ups' Cancel.
    buttons.signup(5): (events.sign_up,),
    buttons.signup_adults(5, 2): (events.choose_adults,),
    buttons.signup_children(5, 2, 1): (events.choose_children,),
    buttons.my_signup_cancel(8): (events.cancel,),
    buttons.my_signup_late(CONFIRMED): (events.cancel_late,),
    buttons.my_signup_keep(): (events.keep,),
    **{buttons.event_new_kind(kind): event_step(KIND=event_admin.chose_kind) for kind in EventKind},
    buttons.event_new_skip(): event_step(
        DESCRIPTION=event_admin.described, PLACE=event_admin.placed
    ),
    buttons.event_new_day(EVENING.day): event_step(DAY=event_admin.chose_day),
    buttons.event_new_capacity(20): event_step(CAPACITY=event_admin.chose_capacity),
    buttons.event_new_capacity(None): event_step(CAPACITY=event_admin.chose_capacity),
    **{
        buttons.event_new_audience(audience): event_step(AUDIENCE=event_admin.chose_audience)
        for audience in EventAudience
    },
    buttons.event_new_children(True): event_step(CHILDREN=event_admin.chose_children),
    **{
        buttons.event_new_deadline(choice): event_step(DEADLINE=event_admin.chose_deadline)
        for choice in DeadlineChoice
    },
    buttons.event_new_create(True): event_step(PREVIEW=event_admin.decide),
    buttons.event_new_create(False): event_step(PREVIEW=event_admin.decide),
    buttons.event_open(3): (event_admin.open_event,),
    buttons.event_list_page(1): (event_admin.turn_list_page,),
    buttons.event_csv(3): (event_admin.send_csv,),
    buttons.event_edit(3): (event_admin.edit_event,),
    **{buttons.event_change(3, field): (event_admin.ask_for_change,) for field in ChangeField},
    buttons.event_cancel(3): (event_admin.ask_cancel,),
    buttons.event_cancel_confirm(CONFIRMED): (event_admin.confirm_cancel,),
    buttons.event_cancel_keep(): (event_admin.keep_event,),
    buttons.event_attendance(3): (event_admin.show_attendance,),
    buttons.event_attendance_page(3, 1): (event_admin.turn_attendance_page,),
    buttons.attend(3, 14, True): (event_admin.mark_attendance,),
    buttons.about(12, "teenagers"): (matching_handlers.choose_topic,),
    buttons.about(12, None): (matching_handlers.choose_topic,),
    buttons.experience(CONFIRMED, "school", True): (matching_handlers.toggle_experience,),
    buttons.own_mentor(CONFIRMED, 7): (matching_handlers.choose_own_mentor,),
    buttons.own_mentor_none(CONFIRMED): (matching_handlers.no_own_mentor,),
    buttons.own_mentor_page(CONFIRMED, 1): (matching_handlers.turn_own_mentor_page,),
    buttons.debrief(12): (debriefs.talk_it_through,),
    buttons.debrief_acknowledge(3): (debriefs.acknowledge,),
    buttons.unit_note(12): (unit_notes.ask_for_note,),
    buttons.unit_note_consent(4, False): (unit_notes.decide,),
}
# Data with a prefix of ours that no button carries (an older release's, or forged), and the
# refusal that takes it; with none, the fallback for unknown buttons does.
OTHER_DATA: dict[str, tuple[object, ...]] = {
    "accept:abc": (offers.refuse_other_data,),
    "decline:": (offers.refuse_other_data,),
    "language:de": (language.refuse_other_data,),
    "revoke-invite:x": (invites.refuse_other_data,),
    "approve:12": (members.refuse_other_data,),
    "forget:12": (personal_data.refuse_other_forget,),
    "forget-interest:12": (personal_data.refuse_other_interest,),
    "swap:abc": (mentor_rota.refuse_other_data,),
    "rate:12:": (conversations.refuse_other_rating,),
    "topic:12:weather": (conversations.refuse_other_mentor_data,),
    "to:3": (conversations.refuse_other_mentor_data,),
    "broadcast:xyz": (
        broadcasts.not_an_audience,
        broadcasts.not_an_event,
        broadcasts.not_when,
        broadcasts.not_confirm,
    ),
    "interest:maybe": (),
    "book:ok:12:2026120:17002200": (shift_booking.refuse_other_data,),
    "member:delete:12:1795000000": (members.refuse_other_data,),
    "remove:12": (members.refuse_other_data,),
    "offer-shift:x": (mentor_rota.refuse_other_data,),
    "end:": (conversations.refuse_other_mentor_data,),
    "cancel-broadcast:all": (broadcasts.refuse_other_cancel,),
    "rota-file:all:xyz": (),
    "away:why:2026-12-07:2026-12-13:flu": (availability.refuse_other_away,),
    "gap:x": (availability.refuse_other_away,),
    "gap-decide:9:maybe": (availability.refuse_other_decision,),
    "signup:5:2:1:0": (events.refuse_other_data,),
    "signup:five": (events.refuse_other_data,),
    "my-signup:late:8": (events.refuse_other_data,),
    "event-admin-new:kind:party": event_step(),
    "event-admin:open:x": (event_admin.refuse_other_data,),
    "attend:3:14:maybe": (event_admin.refuse_other_data,),
    "about:12:Teenagers": (matching_handlers.refuse_other_topic,),
    "experience:12:1795000000:": (matching_handlers.refuse_other_experience,),
    "own-mentor:12:1795000000": (matching_handlers.refuse_other_own_mentor,),
    "own-mentor:page:12:1795000000:x": (matching_handlers.refuse_other_own_mentor,),
    "debrief:x": (debriefs.refuse_other_talk,),
    "debrief-ack:": (debriefs.refuse_other_acknowledgement,),
    "unit-note:x": (unit_notes.refuse_other_note,),
    "note-consent:4:maybe": (unit_notes.refuse_other_consent,),
}


@pytest.mark.parametrize("data", list(BUTTONS))
def test_every_kind_of_button_is_taken_by_its_one_handler(
    app: MentorApplication, data: str
) -> None:
    assert takers(app, data) == BUTTONS[data]
    assert len(data.encode()) <= 64  # Telegram's limit on callback_data


@pytest.mark.parametrize("data", list(OTHER_DATA))
def test_other_data_with_a_prefix_of_ours_is_taken_by_that_prefixs_refusal(
    app: MentorApplication, data: str
) -> None:
    assert takers(app, data) == OTHER_DATA[data]


def test_no_button_handler_is_left_without_a_button_and_a_forged_press_is_refused(
    app: MentorApplication,
) -> None:
    registered = {callback(handler) for handler in button_handlers(app)}
    expected = [*BUTTONS.values(), *OTHER_DATA.values()]
    assert registered == {taker for found in expected for taker in found}
    assert matching(app, press("nonsense:1")) == [gate.admit, system.unknown_button]


def commands(app: MentorApplication) -> set[str]:
    return {
        command
        for _, top in in_order(app)
        for handler in every_handler([top])
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }


def test_the_menus_offer_exactly_the_commands_that_have_a_handler(
    app: MentorApplication,
) -> None:
    offered = set(menu._PUBLIC).union(*menu._BY_ROLE.values())
    assert commands(app) == offered
    assert set(menu._DESCRIPTIONS) == offered
