"""What a family's question reads like on its way, in Swedish, Danish and English: the offer a
mentor gets (and its buttons, as they arrive in the mentor's chat), the coordinators' /requests
lines, the reply out of hours with where help is, and the refusals of what may not pass.

Texts are read as Telegram shows them (tests/unit/telegram_support.py): a family's name and
words come out as typed, markup and all, and the only formatting is the catalogue's own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot import members, routing
from bot.i18n import translator
from bot.message_content import Verdict
from bot.routing import Intake, Offering
from bot.sandbox import BotApiDouble, SandboxUser
from handlers.content import refusal
from handlers.help import help_text
from handlers.offers import offer_text, send_offers, where_help_is
from handlers.requests import out_of_hours, request_line
from storage import shifts
from storage.db import Database
from storage.models import Kind, Request, RequestState, Role
from tests.support import FAMILY_AS_TYPED, WORDS_AS_TYPED, make_household, offered_request
from tests.unit.telegram_support import (
    LANGUAGES,
    against,
    application,
    config,
    context,
    formatted,
    shown,
)

NOW = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # a Friday, 17:00 in Stockholm
FAMILY = FAMILY_AS_TYPED
WORDS = WORDS_AS_TYPED
HEADINGS = {"sv": "Fråga #12", "da": "Spørgsmål #12", "en": "Question #12"}


def request(**changes: Any) -> Request:
    return dataclasses.replace(offered_request(NOW), **changes)


# --- the offer ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "first_line"),
    [
        ("sv", "Fråga #12 från Ek & <Söner>, har väntat 4 minuter:"),
        ("da", "Spørgsmål #12 fra Ek & <Söner>, har ventet 4 minutter:"),
        ("en", "Question #12 from Ek & <Söner>, waiting 4 minutes:"),
    ],
)
def test_an_offer_names_the_family_and_quotes_its_words_as_typed(
    language: str, first_line: str
) -> None:
    text = offer_text(translator(language), request(), NOW)
    assert shown(text).splitlines() == [first_line, WORDS]
    assert formatted(text) == [("bold", HEADINGS[language])]  # nothing the family typed


@pytest.mark.parametrize(
    ("language", "waited"), [("sv", "1 minut"), ("da", "1 minut"), ("en", "1 minute")]
)
def test_an_offer_counts_minutes_in_the_singular_too(language: str, waited: str) -> None:
    opened = NOW - timedelta(minutes=1, seconds=20)
    text = shown(offer_text(translator(language), request(opened_at=opened), NOW))
    assert f" {waited}:" in text.splitlines()[0]


@pytest.mark.parametrize(
    ("language", "waited"),
    [
        ("sv", "1 timme och 30 minuter"),
        ("da", "1 time og 30 minutter"),
        ("en", "1 hour and 30 minutes"),
    ],
)
def test_an_offer_that_waited_long_says_so_in_hours_and_minutes(language: str, waited: str) -> None:
    opened = NOW - timedelta(minutes=90)
    text = shown(offer_text(translator(language), request(opened_at=opened), NOW))
    assert f" {waited}:" in text.splitlines()[0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_offer_from_an_unnamed_household_says_it_has_no_name(language: str) -> None:
    t = translator(language)
    text = shown(offer_text(t, request(family_name=None), NOW))
    assert t("members.unnamed") in text.splitlines()[0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_urgent_offer_asked_again_to_take_over_says_each_thing_in_its_place(
    language: str,
) -> None:
    t = translator(language)
    plain = shown(offer_text(t, request(), NOW)).splitlines()
    urgent = shown(
        offer_text(t, request(urgent=True, escalation=1, state=RequestState.ACCEPTED), NOW)
    ).splitlines()
    assert urgent == [
        t("offer.urgent"),
        plain[0],
        t("offer.asked_again"),
        t("offer.take_over"),
        WORDS,
    ]
    off_duty = shown(offer_text(t, request(state=RequestState.ACCEPTED), NOW)).splitlines()
    assert off_duty == [plain[0], t("offer.take_over_off_duty"), WORDS]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("kind", "named"),
    [
        (Kind.PHOTO, "offer.kind_photo"),
        (Kind.VOICE, "offer.kind_voice"),
        (Kind.AUDIO, "offer.kind_voice"),
        (Kind.DOCUMENT, "offer.kind_document"),
        (Kind.STICKER, "offer.kind_other"),
        (Kind.VIDEO_NOTE, "offer.kind_other"),
    ],
)
def test_an_offer_names_what_the_family_sent_without_quoting_it(
    language: str, kind: Kind, named: str
) -> None:
    t = translator(language)
    text = shown(offer_text(t, request(first_kind=kind, preview="a caption"), NOW))
    assert text.splitlines()[1:] == [t(named)]


@pytest.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble(token="424242:unit-offers", limits=None) as running:
        yield running


async def test_each_mentor_on_duty_gets_the_offer_in_their_language_with_accept_and_decline(
    db: Database, double: BotApiDouble
) -> None:
    """send_offers itself, against the double in this process: what arrives in each chat."""
    now = datetime.now(UTC)
    users: dict[str, SandboxUser] = {}
    for language in LANGUAGES:
        users[language] = double.add_user(first_name=f"Mentor {language}", language_code="de")
        (mentor,) = await make_household(
            db, Role.MENTOR, f"Mentors {language}", (users[language].id,), now - timedelta(days=1)
        )
        await members.choose_language(db, mentor, language)
        async with db.write() as session:
            on_duty = (now - timedelta(hours=1), now + timedelta(hours=2))
            await shifts.add_shift(session, mentor.household.id, *on_duty, None, now)
    family_user = double.add_user(first_name="Lina", language_code="sv")
    (family,) = await make_household(db, Role.FAMILY, FAMILY, (family_user.id,), now)
    intake = await routing.take_message(
        db,
        family,
        family_user.id,
        100,
        kind=Kind.TEXT,
        preview=WORDS,
        urgent=False,
        now=now - timedelta(minutes=3),
    )
    assert len(intake.offer_to) == 3
    async with against(double, db) as app:
        reached = await send_offers(context(app), Offering(intake.request, intake.offer_to))
    assert reached == 3
    number = intake.request.id
    for language, user in users.items():
        t = translator(language)
        offer = await user.next_message()
        assert offer["text"] == shown(offer_text(t, intake.request, now))
        assert offer["text"].splitlines()[1] == WORDS
        assert offer["reply_markup"] == {
            "inline_keyboard": [
                [
                    {"text": t("offer.accept"), "callback_data": f"accept:{number}"},
                    {"text": t("offer.decline"), "callback_data": f"decline:{number}"},
                ]
            ]
        }
    await family_user.no_message(within=0.1)  # the family's own acknowledgement is the caller's


# --- /requests ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "states", "age"),
    [
        ("sv", ["väntar på ett pass", "erbjuden", "i samtal"], "4 minuter"),
        ("da", ["venter på en vagt", "tilbudt", "i samtale"], "4 minutter"),
        ("en", ["waiting for a shift", "offered", "in conversation"], "4 minutes"),
    ],
)
def test_a_coordinator_reads_each_questions_state_its_age_and_its_mentor(
    language: str, states: list[str], age: str
) -> None:
    t = translator(language)
    opened = datetime.now(UTC) - timedelta(minutes=4, seconds=1)
    lines = [
        shown(request_line(t, request(state=state, opened_at=opened)))
        for state in (RequestState.WAITING, RequestState.OFFERED)
    ]
    assert lines == [f"#12 {FAMILY}: {states[0]}, {age}", f"#12 {FAMILY}: {states[1]}, {age}"]
    taken = request(state=RequestState.ACCEPTED, opened_at=opened, mentor_name="Berg <& Lind>")
    with_mentor = shown(request_line(t, taken))
    assert with_mentor.startswith(f"#12 {FAMILY}: {states[2]}, {age}")
    assert with_mentor.endswith(" Berg <& Lind>")
    urgent = shown(request_line(t, request(urgent=True, opened_at=opened)))
    assert urgent == f"{t('offer.urgent')} {lines[1]}"


# --- out of hours, and where help is -----------------------------------------------------------

OFFICE = "Mån–fre 8–16, 019-21 10 00 <fråga efter Eva & Co>"
EMERGENCY = "112 eller socialjouren 019-21 10 00"


def waiting(next_shift: datetime | None = None) -> Intake:
    return Intake(request(state=RequestState.WAITING), opened=True, next_shift=next_shift)


@pytest.mark.parametrize(
    ("zone", "language", "when"),
    [
        ("Europe/Stockholm", "sv", "lör 28 nov. 09:00"),
        ("Europe/Stockholm", "da", "lør. 28 nov. 09:00"),
        ("Europe/Stockholm", "en", "Sat 28 Nov 09:00"),
        ("America/New_York", "en", "Sat 28 Nov 03:00"),
        ("Asia/Tokyo", "sv", "lör 28 nov. 17:00"),
    ],
)
def test_out_of_hours_a_family_reads_when_the_next_shift_starts_in_the_services_time(
    zone: str, language: str, when: str
) -> None:
    settings = config(
        MENTORBOT_TIMEZONE=zone,
        MENTORBOT_OFFICE_HOURS=OFFICE,
        MENTORBOT_EMERGENCY_NUMBERS=EMERGENCY,
    )
    t = translator(language)
    next_shift = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    reply = shown(out_of_hours(t, context(application(settings)), waiting(next_shift)))
    assert reply.splitlines() == [
        shown(t("request.waiting", number=12)),
        shown(t("request.next_shift", when=when)),
        shown(t("request.office_hours", hours=OFFICE)),
        shown(t("request.emergency", numbers=EMERGENCY)),
    ]
    assert OFFICE in reply and EMERGENCY in reply  # as the municipality wrote them


@pytest.mark.parametrize(
    ("language", "limit"),
    [
        ("sv", "1 timme och 30 minuter"),
        ("da", "1 time og 30 minutter"),
        ("en", "1 hour and 30 minutes"),
    ],
)
def test_with_no_shift_planned_or_too_far_off_the_family_is_told_so_and_where_help_is(
    language: str, limit: str
) -> None:
    t = translator(language)
    ctx = context(application(config(MENTORBOT_WAIT_LIMIT_HOURS="1.5")))
    planned_none = shown(out_of_hours(t, ctx, waiting())).splitlines()
    assert planned_none == [
        shown(t("request.waiting", number=12)),
        shown(t("request.no_shift_planned")),
        shown(t("request.emergency", numbers="112")),  # no office hours were given
    ]
    to_coordinators = shown(out_of_hours(t, ctx, waiting(), to_coordinators=True))
    assert to_coordinators.splitlines() == [
        shown(t("request.waiting_coordinators", number=12, limit=timedelta(hours=1.5))),
        shown(t("request.emergency", numbers="112")),
    ]
    assert f" {limit}, " in to_coordinators


@pytest.mark.parametrize("language", LANGUAGES)
def test_where_help_is_lists_the_office_hours_only_when_there_are_some(language: str) -> None:
    t = translator(language)
    given = config(MENTORBOT_OFFICE_HOURS=OFFICE, MENTORBOT_EMERGENCY_NUMBERS=EMERGENCY)
    with_office = [shown(line) for line in where_help_is(t, context(application(given)))]
    assert len(with_office) == 2
    assert with_office[0].endswith(OFFICE) and with_office[1].count(EMERGENCY) == 1
    without = where_help_is(t, context(application(config())))
    assert [shown(line) for line in without] == [shown(t("request.emergency", numbers="112"))]


# --- what may not pass, and /help --------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_refusal_says_why_in_the_persons_language(language: str) -> None:
    t = translator(language)
    refused = [v for v in Verdict if v is not Verdict.PASSES]
    texts = {verdict: shown(refusal(t, verdict)) for verdict in refused}
    assert len(set(texts.values())) == len(refused)
    assert all(texts.values())


@pytest.mark.parametrize("language", LANGUAGES)
def test_help_differs_by_role_and_a_stranger_is_sent_to_start(language: str) -> None:
    t = translator(language)
    texts = {role: shown(help_text(t, role)) for role in (*Role, None)}
    assert len(set(texts.values())) == 4
    assert "/start" in texts[None]
    assert "/partner" in texts[Role.FAMILY] and "/partner" in texts[Role.MENTOR]
    assert "/invite" in texts[Role.COORDINATOR] and "/invite" not in texts[Role.FAMILY]
