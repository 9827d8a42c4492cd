"""A coordinator asks for the evaluation report of a seeded month and gets its text, chart and
CSV; bad dates get one line; a family is refused.

The month is written into the database before the bot starts, through the storage functions
the bot itself uses, so that a month of questions takes no month and no timer. Every figure
checked below is worked out by hand in the comments.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.rota import local_moment
from bot.sandbox import BotApiDouble, SandboxUser
from storage import broadcasts, households, requests, shifts
from storage.db import Database, Session
from storage.models import (
    Audience,
    BroadcastState,
    DeliveryState,
    Kind,
    Member,
    RequestState,
    Role,
    Side,
)
from tests.e2e.chat_support import BotProcess, StartBot, answer

pytestmark = pytest.mark.chat_burst(30)
TZ = ZoneInfo("Europe/Stockholm")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Four weeks that ended ten days ago, starting on a Monday: every time below is in the past.
TODAY = datetime.now(TZ).date()
FIRST = TODAY - timedelta(days=40)
MONDAY = FIRST + timedelta(days=(7 - FIRST.weekday()) % 7)
LAST = FIRST + timedelta(days=27)


@dataclass(frozen=True)
class Question:
    """One seeded question: the day after MONDAY and local time it was asked, then minutes."""

    day: int
    at: time
    accepted_after: int | None = None  # minutes after the offer
    length: int | None = None  # minutes from acceptance to the end
    by: str = "berg"
    rating: int | None = None
    topic: str | None = None
    escalation: int = 0
    urgent: bool = False
    offered_at: time | None = None  # a question asked with nobody on duty; None: at once
    waited: bool = False  # never offered


# Accepted after 4 2 1 5 4 18 6 3 8 minutes: sorted 1 2 3 4 4 5 6 8 18, so the median is 4 and
# the 90th percentile lies at position 0.9 * 8 = 7.2: 8 + 0.2 * (18 - 8) = 10 minutes.
# Conversations of 30 20 45 60 15 25 40 30 50 minutes: median 30, 90th percentile
# 50 + 0.2 * (60 - 50) = 52 minutes.
MONTH = [
    Question(0, time(18, 10), 4, 30, "berg", 5, "sleep"),
    Question(1, time(19, 5), 2, 20, "berg_partner", 4, "school"),
    Question(2, time(19, 40), 1, 45, "lind", 5, "sleep"),
    Question(5, time(10, 15), 5, 60, "lind", 3, "behaviour"),  # Saturday: within the hours
    Question(6, time(19, 20), 4, 15, "berg", None, "sleep"),
    Question(7, time(19, 30), 18, 25, "karin", 4, "other", escalation=2),
    Question(10, time(20, 10), 6, 40, "berg", 5, "school"),
    Question(11, time(7, 30), 3, 30, "lind", offered_at=time(17)),  # outside the hours
    Question(13, time(19, 50), 8, 50, "lind", 4, escalation=1),
    Question(15, time(21, 0), escalation=1, urgent=True),  # withdrawn
    Question(16, time(23, 30), waited=True),  # outside the hours, withdrawn before a shift
    Question(20, time(19, 10), escalation=2),  # withdrawn
]


def moment(day: int, at: time) -> datetime:
    return local_moment(MONDAY + timedelta(days=day), at, TZ)


async def _ask(
    session: Session, family: int, question: Question, people: dict[str, Member]
) -> None:
    asked = moment(question.day, question.at)
    state = RequestState.WAITING if question.waited or question.offered_at else RequestState.OFFERED
    number = (
        await requests.open_request(
            session,
            family,
            state,
            first_kind=Kind.TEXT,
            preview="Hemlig fråga om vårt barn",
            urgent=question.urgent,
            now=asked,
        )
    ).id
    offered = asked
    if question.offered_at:
        offered = moment(question.day, question.offered_at)
        await requests.mark_offered(session, number, offered)
    for level in range(1, question.escalation + 1):
        await requests.escalate(session, number, level, offered + timedelta(minutes=10 * level))
    if question.accepted_after is None or question.length is None:
        await requests.finish(
            session,
            number,
            [RequestState.WAITING, RequestState.OFFERED],
            RequestState.CANCELLED,
            Side.FAMILY,
            asked + timedelta(hours=9),
        )
        return
    accepted = offered + timedelta(minutes=question.accepted_after)
    mentor = people[question.by]
    await requests.claim(session, number, mentor.id, mentor.household.id, accepted)
    await requests.finish(
        session,
        number,
        [RequestState.ACCEPTED],
        RequestState.CLOSED,
        Side.FAMILY,
        accepted + timedelta(minutes=question.length),
    )
    if question.rating:
        await requests.set_rating(session, number, question.rating)
    if question.topic:
        await requests.set_topic(session, number, question.topic)


async def seed(path: Path, karin: SandboxUser, family: SandboxUser) -> None:
    """Karin, the Eks (the family asking), the Bergs (two adults) and Lind; their shifts, the
    month of questions and a newsletter to all five adults."""
    joined = moment(-30, time(9))
    database = await Database.open(path)
    try:
        async with database.write() as session:
            people: dict[str, Member] = {}
            for key, role, name, user_ids in [
                ("karin", Role.COORDINATOR, "Karin Holm", (karin.id,)),
                ("ek", Role.FAMILY, "Familjen Ek", (family.id,)),
                ("berg", Role.MENTOR, "Familjen Berg", (5001, 5002)),
                ("lind", Role.MENTOR, "Familien Lind", (5003,)),
            ]:
                household = await households.create_household(session, role, joined, name)
                for user_id in user_ids:
                    await households.add_member(session, household, user_id, joined)
                adults = await households.household_members(session, household)
                people[key] = adults[0]
                if len(adults) > 1:
                    people[f"{key}_partner"] = adults[1]
            berg, lind = people["berg"].household.id, people["lind"].household.id
            # Three shifts had a question that their mentors took; Saturday's had none.
            for household, day, start, end in [
                (berg, 0, time(17), time(22)),
                (lind, 2, time(17), time(22)),
                (lind, 11, time(17), time(22)),
                (berg, 19, time(9), time(22)),
            ]:
                await shifts.add_shift(
                    session, household, moment(day, start), moment(day, end), None, joined
                )
            for question in MONTH:
                await _ask(session, people["ek"].household.id, question, people)
            sent_at = moment(3, time(9))
            news = await broadcasts.create_broadcast(
                session,
                people["karin"].id,
                Audience.EVERYONE,
                kind=Kind.TEXT,
                body="Hemligt nyhetsbrev",
                file_id=None,
                state=BroadcastState.SENDING,
                send_at=sent_at,
                now=sent_at,
            )
            adults = [people[key] for key in ("ek", "berg", "berg_partner", "lind", "karin")]
            await broadcasts.add_deliveries(
                session, news, [(a.id, a.telegram_user_id, None) for a in adults], sent_at
            )
            outcomes = [DeliveryState.SENT] * 3 + [DeliveryState.BLOCKED, DeliveryState.FAILED]
            for adult, outcome in zip(adults, outcomes, strict=True):
                await broadcasts.settle_delivery(
                    session, news, adult.telegram_user_id, outcome, sent_at
                )
            await broadcasts.move(
                session, news, BroadcastState.SENDING, BroadcastState.DONE, sent_at
            )
    finally:
        await database.close()


@pytest.fixture
async def family(double: BotApiDouble) -> SandboxUser:
    return double.add_user(first_name="Dorte", language_code="sv")


@pytest.fixture
async def seeded_bot(
    start_bot: StartBot, coordinator: SandboxUser, family: SandboxUser, tmp_path: Path
) -> BotProcess:
    await seed(tmp_path / "mentorbot.db", coordinator, family)
    return await start_bot()


def read_csv(data: bytes) -> tuple[dict[str, str], list[list[str]]]:
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    blank = rows.index([])
    return {row[0]: row[1] for row in rows[1:blank]}, rows[blank + 1 :]


async def test_a_coordinator_gets_the_months_report(
    seeded_bot: BotProcess, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    karin = coordinator
    await karin.send(f"/stats {FIRST} {LAST}")
    text = (await karin.next_message())["text"]
    lines = text.splitlines()
    assert lines[0] == f"Utvärdering {FIRST} – {LAST} (tider i Europe/Stockholm)"
    assert "Förfrågningar: 12, varav brådskande: 1" in lines
    assert "Accepterade: 75\xa0% (9 av 12), varav av familjehemsenheten: 1" in lines
    assert (
        "Tid tills förfrågan accepterades: median 4 minuter, 90:e percentilen 10 minuter"
    ) in lines
    # Offered: all but the one withdrawn at night; asked again: 4 of those 11, 2 of them
    # passed on to the coordinators.
    assert (
        "Erbjudna igen i brist på svar: 36\xa0% (4 av 11), vidare till familjehemsenheten: 2"
        in lines
    )
    # Outside the hours: 07:30 (accepted at the shift's start) and 23:30 (withdrawn).
    assert (
        "Inom öppettiderna för stödet: 10, varav 80\xa0% accepterade; "
        "utanför: 2, varav 50\xa0% accepterade"
    ) in lines
    assert "Avslutade samtal: 9; längd: median 30 minuter, 90:e percentilen 52 minuter" in lines
    # 5 4 5 3 4 5 4: 30 / 7 = 4.29.
    assert "Betyg: 7, medelvärde 4,3 (1★ 0 · 2★ 0 · 3★ 1 · 4★ 3 · 5★ 3)" in lines
    assert "Ämnen: Sömn 3, Skola 2, Annat 1, Beteende 1" in lines
    assert "Mentorsfamiljer som accepterade förfrågningar: 2 (vuxna: 3)" in lines
    assert (
        "Pass: 4; med en förfrågan: 3; med en förfrågan som passets mentorsfamilj accepterade: 3"
        in lines
    )
    assert "Utskick: 1, till 5 mottagare: 3 levererade, 1 blockerade, 1 misslyckades" in lines
    assert "Hemlig" not in text

    chart = await karin.next_message()
    assert chart["caption"].startswith("Förfrågningar per veckodag och timme")
    assert double.file_bytes(chart["photo"][-1]["file_id"]).startswith(PNG_SIGNATURE)

    sent = await karin.next_message()
    assert sent["document"]["file_name"] == f"mentorbot-stats-{FIRST}-{LAST}.csv"
    data = double.file_bytes(sent["document"]["file_id"])
    assert b"Hemlig" not in data
    metrics, table = read_csv(data)
    assert metrics["requests"] == "12"
    assert metrics["accepted_share"] == "75,0"
    assert metrics["time_to_accept_median"] == "4,0"
    assert metrics["time_to_accept_p90"] == "10,0"
    assert metrics["waited_for_shift"] == "2"
    assert metrics["rating_mean"] == "4,29"
    assert metrics["topic_sleep"] == "3"
    assert metrics["broadcast_failed"] == "1"
    # Sundays at 19:20, 19:50 and 19:10; Mondays at 18:10 and 19:30.
    assert table[1 + 6][1 + 19] == "3"
    assert (table[1][1 + 18], table[1][1 + 19]) == ("1", "1")
    assert table[-1][-1] == "12"


async def test_an_empty_period_still_gets_its_files(
    seeded_bot: BotProcess, coordinator: SandboxUser, double: BotApiDouble
) -> None:
    karin = coordinator
    await karin.send("/stats 2020-01-01 2020-01-31")
    text = (await karin.next_message())["text"]
    assert "Inga förfrågningar kom in under perioden." in text.splitlines()
    chart = await karin.next_message()
    assert double.file_bytes(chart["photo"][-1]["file_id"]).startswith(PNG_SIGNATURE)
    metrics, _ = read_csv(double.file_bytes((await karin.next_message())["document"]["file_id"]))
    assert (metrics["requests"], metrics["accepted_share"]) == ("0", "")


async def test_bad_dates_get_one_line_and_a_family_is_refused(
    seeded_bot: BotProcess, coordinator: SandboxUser, family: SandboxUser
) -> None:
    karin = coordinator
    for command, expected in [
        ("/stats 2026-13-01 2026-12-01", "2026-13-01 är inget datum; skriv datum som ÅÅÅÅ-MM-DD"),
        ("/stats 2026-10-31 2026-10-01", "Det första datumet är senare än det andra"),
        ("/stats 2024-01-01 2026-01-01", "En rapport omfattar högst 366 dagar"),
        ("/stats 2026-10-01", "Skriv /stats för de senaste 30 dagarna"),
    ]:
        assert (await answer(karin, command)).startswith(expected)
        await karin.no_message(0.3)
    assert await answer(family, "/stats") == (
        "Det kommandot finns inte för din roll. /help visar vad du kan göra."
    )
    await family.no_message(0.3)
