"""The evaluation report: its figures from plain rows, its period, and its text, CSV and chart.

The figures are worked out by hand in each test, as an evaluator would check them in the CSV.
"""

from __future__ import annotations

import csv
import io
import statistics
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import stats
from bot.i18n import translator
from bot.rota import local_moment
from bot.service_hours import ServiceHours
from bot.stats import Period, PeriodError, PeriodProblem, compute, parse_period, percentile
from bot.stats_files import chart_png, report_csv, report_text
from storage import broadcasts, requests
from storage.db import Database
from storage.models import (
    Audience,
    BroadcastState,
    DeliveryState,
    Kind,
    RelayPurpose,
    RequestState,
    Role,
    Shift,
    Side,
)
from storage.stats import BroadcastReach, RequestFacts
from tests.support import make_household

TZ = ZoneInfo("Europe/Stockholm")
HOURS = ServiceHours()  # weekdays 17-22, weekends 09-22, Swedish holidays
# A fortnight of November 2026 with no Swedish holiday on a weekday.
PERIOD = Period(date(2026, 11, 2), date(2026, 11, 15))
AFTER = datetime(2026, 12, 1, tzinfo=UTC)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return local_moment(day, time(hour, minute), TZ).astimezone(UTC)


def facts(
    number: int,
    opened: datetime,
    *,
    offered_after: int | None = 0,
    accepted_after: int | None = None,
    length: int | None = None,
    state: RequestState | None = None,
    escalation: int = 0,
    urgent: bool = False,
    rating: int | None = None,
    topic: str | None = None,
    mentor: tuple[int, int] | None = (11, 1),
    role: Role = Role.MENTOR,
) -> RequestFacts:
    """A question; times are minutes: the offer after the question, the acceptance after the
    offer, the end after the acceptance."""
    offered = None if offered_after is None else opened + timedelta(minutes=offered_after)
    accepted = (
        offered + timedelta(minutes=accepted_after)
        if offered is not None and accepted_after is not None
        else None
    )
    ended = accepted + timedelta(minutes=length) if accepted and length is not None else None
    if state is None:
        state = RequestState.CLOSED if ended else RequestState.CANCELLED
    return RequestFacts(
        id=number,
        state=state,
        opened_at=opened,
        offered_at=offered,
        accepted_at=accepted,
        ended_at=ended if ended else (opened + timedelta(hours=1) if not accepted else None),
        escalation=escalation,
        urgent=urgent,
        rating=rating,
        topic=topic,
        mentor_member_id=mentor[0] if accepted and mentor else None,
        mentor_household_id=mentor[1] if accepted and mentor else None,
        accepted_by=role if accepted else None,
    )


MON, TUE, WED, THU, FRI, SAT, SUN = (date(2026, 11, 2) + timedelta(days=n) for n in range(7))
NEXT_MON = date(2026, 11, 9)
BERG, BERG_PARTNER, LIND, KARIN = (11, 1), (12, 1), (21, 2), (31, 3)

# Eight questions in the first week of November 2026 (CET, UTC+1):
MONTH = [
    facts(1, local(MON, 19, 5), accepted_after=4, length=30, rating=5, topic="sleep"),
    facts(
        2,
        local(TUE, 19, 40),
        accepted_after=2,
        length=20,
        rating=4,
        topic="school",
        mentor=BERG_PARTNER,
    ),
    facts(3, local(WED, 19, 10), accepted_after=1, length=45, rating=5, topic="sleep", mentor=LIND),
    facts(4, local(SAT, 10, 15), accepted_after=6, length=60, rating=3, mentor=LIND, urgent=True),
    facts(
        5,
        local(SUN, 19, 20),
        accepted_after=18,
        length=25,
        escalation=2,
        mentor=KARIN,
        role=Role.COORDINATOR,
        topic="other",
    ),
    # Asked at 07:30 with nobody on duty; offered at 17:00, accepted three minutes later.
    facts(6, local(NEXT_MON, 7, 30), offered_after=570, accepted_after=3, length=40, mentor=LIND),
    facts(7, local(TUE + timedelta(days=7), 21, 0), escalation=1),  # withdrawn after 1 h
    facts(8, local(WED + timedelta(days=7), 23, 30), offered_after=None),  # never offered
]


def test_a_month_of_questions_adds_up() -> None:
    report = compute(MONTH, [], [], period=PERIOD, tz=TZ, hours=HOURS, now=AFTER)
    assert report.requests == 8
    assert report.accepted == stats.Share(6, 8)
    assert report.accepted.ratio == 0.75
    assert report.accepted_by_coordinators == 1
    assert report.withdrawn == 2
    assert report.still_open == 0
    assert report.waited_for_shift == 2  # the 07:30 and the 23:30 question
    assert report.urgent == 1
    # Minutes to accept: 4, 2, 1, 6, 18, 3 -> sorted 1 2 3 4 6 18.
    assert report.time_to_accept.median == timedelta(minutes=3.5)
    # Position 0.9 * 5 = 4.5: halfway between 6 and 18.
    assert report.time_to_accept.p90 == timedelta(minutes=12)
    # Offered: all but the last; asked again: the 5th (to the coordinators) and the 7th.
    assert report.escalated == stats.Share(2, 7)
    assert report.to_coordinators == stats.Share(1, 7)
    # Within the hours: 19:05, 19:40, 19:10, Saturday 10:15, 19:20, 21:00; outside: 07:30, 23:30.
    assert report.inside_hours == stats.Share(5, 6)
    assert report.outside_hours == stats.Share(1, 2)
    # Lengths 30 20 45 60 25 40 -> sorted 20 25 30 40 45 60: median 35, p90 at 4.5 -> 52.5.
    assert report.conversations.count == 6
    assert report.conversations.median == timedelta(minutes=35)
    assert report.conversations.p90 == timedelta(minutes=52.5)
    assert report.ratings == (0, 0, 1, 1, 2)
    assert report.rating_mean == pytest.approx(17 / 4)
    assert dict(report.topics) == {
        "sleep": 2,
        "school": 1,
        "birth_family": 0,
        "behaviour": 0,
        "health": 0,
        "practical": 0,
        "other": 1,
    }
    # Berg (two adults) and Lind; Karin the coordinator is not a mentor.
    assert (report.mentor_households, report.mentor_adults) == (2, 3)


def test_questions_are_counted_by_local_weekday_and_hour() -> None:
    report = compute(MONTH, [], [], period=PERIOD, tz=TZ, hours=HOURS, now=AFTER)
    assert report.by_hour[0][19] == 1  # Monday 19:05 CET is 18:05 UTC
    assert report.by_hour[0][7] == 1
    assert report.by_hour[5][10] == 1
    assert sum(map(sum, report.by_hour)) == 8
    # No hour has two questions: the first of the week's busiest is Monday 07:00.
    assert report.busiest == (0, 7, 1)


def test_a_week_across_the_autumn_change_keeps_the_wall_clock() -> None:
    """Clocks go back on Sunday 25 October 2026: 19:30 stays 19 all week, 02:30 happens twice,
    and the week is an hour longer in real time."""
    week = Period(date(2026, 10, 22), date(2026, 10, 28))
    rows = [facts(n, local(week.first + timedelta(days=n), 19, 30)) for n in range(7)]
    first_0230 = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second_0230 = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET
    rows += [facts(7, first_0230), facts(8, second_0230)]
    report = compute(rows, [], [], period=week, tz=TZ, hours=HOURS, now=AFTER)
    assert [report.by_hour[day][19] for day in range(7)] == [1] * 7
    assert report.by_hour[6][2] == 2  # Sunday
    span = week.span(TZ)
    assert span.end - span.start == timedelta(days=7, hours=1)
    assert span.start == datetime(2026, 10, 21, 22, 0, tzinfo=UTC)


def test_a_week_across_the_spring_change_has_no_0200() -> None:
    week = Period(date(2026, 3, 23), date(2026, 3, 29))
    rows = [
        facts(1, datetime(2026, 3, 29, 0, 59, tzinfo=UTC)),  # 01:59 CET
        facts(2, datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),  # 03:00 CEST
    ]
    report = compute(rows, [], [], period=week, tz=TZ, hours=HOURS, now=AFTER)
    assert (report.by_hour[6][1], report.by_hour[6][2], report.by_hour[6][3]) == (1, 0, 1)
    span = week.span(TZ)
    assert span.end - span.start == timedelta(days=7) - timedelta(hours=1)


def test_shifts_with_a_question_and_the_service_hours_covered() -> None:
    berg_monday = Shift(1, 1, local(MON, 17), local(MON, 22))
    lind_monday = Shift(2, 2, local(MON, 17), local(MON, 20))
    berg_tuesday = Shift(3, 1, local(TUE, 17), local(TUE, 19))  # the 19:40 question: after it
    lind_next_monday = Shift(4, 2, local(NEXT_MON, 17), local(NEXT_MON, 22))
    rota = [berg_monday, lind_monday, berg_tuesday, lind_next_monday]
    report = compute(MONTH, rota, [], period=PERIOD, tz=TZ, hours=HOURS, now=AFTER)
    assert report.shifts == 4
    # Monday 19:05 was offered to both on duty; the 07:30 question at Lind's 17:00 start.
    assert report.shifts_with_request == 3
    # Berg took Monday's, Lind the next Monday's; Lind's Monday shift took none.
    assert report.shifts_with_acceptance == 2
    # Ten weekdays of 5 h and four weekend days of 13 h; covered: 5 + 2 + 5 hours.
    assert report.promised == timedelta(hours=10 * 5 + 4 * 13)
    assert report.uncovered == timedelta(hours=102 - 12)
    assert report.covered == stats.Share(12 * 60, 102 * 60)


def test_conversations_and_hours_on_duty_per_mentor_household() -> None:
    """Both Berg adults' conversations are the household's; Karin's (a coordinator's) are no
    mentor household's; hours are those of the shifts within the period."""
    rota = [
        Shift(1, 1, local(MON, 17), local(MON, 22)),
        Shift(2, 2, local(MON, 17), local(MON, 20)),
        Shift(3, 1, local(TUE, 17), local(TUE, 19)),
    ]
    numbers = {1: 11, 2: 21}  # each household by its first adult's member number
    report = compute(MONTH, rota, [], period=PERIOD, tz=TZ, hours=HOURS, now=AFTER, numbers=numbers)
    assert report.mentors == (
        stats.MentorLoad(2, 21, 3, timedelta(hours=3)),
        stats.MentorLoad(1, 11, 2, timedelta(hours=7)),
    )
    text = report_text(translator("en"), report).splitlines()
    assert "  #21: 3 conversations, 3 h on duty" in text
    assert "  #11: 2 conversations, 7 h on duty" in text
    rows = report_csv(report).decode("utf-8-sig")
    assert "mentor_household_11_on_duty;7,0;hours" in rows


def test_a_question_taken_as_a_shift_begins_counts_for_that_shift() -> None:
    """Offered at 16:50 to whoever was on duty, taken at 17:05 by the evening's mentors: the
    shifts with an acceptance stay among the shifts with a question."""
    taken = facts(1, local(MON, 16, 50), accepted_after=15, length=10)
    evening = Shift(1, 1, local(MON, 17), local(MON, 22))
    report = compute([taken], [evening], [], period=PERIOD, tz=TZ, hours=HOURS, now=AFTER)
    assert (report.shifts, report.shifts_with_request, report.shifts_with_acceptance) == (1, 1, 1)


def test_shifts_and_hours_still_to_come_are_not_counted_yet() -> None:
    now = local(TUE, 18)
    rota = [
        Shift(1, 1, local(MON, 17), local(MON, 22)),
        Shift(2, 1, local(WED, 17), local(WED, 22)),
    ]
    report = compute([], rota, [], period=PERIOD, tz=TZ, hours=HOURS, now=now)
    assert report.shifts == 1
    assert report.promised == timedelta(hours=6)  # Monday's 5 h and Tuesday's first hour
    assert report.uncovered == timedelta(hours=1)
    future = compute(
        [], rota, [], period=PERIOD, tz=TZ, hours=HOURS, now=local(MON, 0) - timedelta(days=1)
    )
    assert (future.shifts, future.promised, future.covered.ratio) == (0, timedelta(), None)


def test_broadcast_reach_adds_up() -> None:
    sent = [
        BroadcastReach(1, Audience.FAMILIES, local(MON, 9), 10, 8, 1, 1),
        BroadcastReach(2, Audience.EVERYONE, local(THU, 9), 5, 3, 0, 0),
    ]
    report = compute([], [], sent, period=PERIOD, tz=TZ, hours=HOURS, now=AFTER)
    assert report.reach == stats.Reach(2, 15, 11, 1, 1)
    assert sent[1].unfinished == 2


def test_an_empty_period_is_a_report_of_zeros() -> None:
    report = compute([], [], [], period=PERIOD, tz=TZ, hours=HOURS, now=AFTER)
    assert report.requests == 0
    assert report.accepted.ratio is None
    assert report.time_to_accept.median is None
    assert report.rating_mean is None
    assert report.busiest is None
    text = report_text(translator("en"), report)
    assert text.splitlines() == [
        "Evaluation report 2026-11-02 – 2026-11-15 (times in Europe/Stockholm)",
        "No questions were asked in this period.",
        "Shifts: 0; with a question: 0; with a question the mentor family on the shift accepted: 0",
        "Service hours with a mentor family on duty: 0% (not covered: 4 days and 6 hours)",
        "Broadcasts: none",
        "Events: none held",
    ]
    metrics, table = read_csv(report_csv(report))
    assert metrics["requests"] == ("0", "count")
    assert metrics["time_to_accept_median"] == ("", "min")
    assert metrics["events_course_held"] == ("0", "count")
    assert table[-1] == ["total", *["0"] * 24, "0"]
    assert chart_png(translator("sv"), report).startswith(PNG_SIGNATURE)


# --- the period ----------------------------------------------------------------------------


TODAY = date(2026, 11, 27)


def test_the_default_period_is_the_last_30_days_with_today() -> None:
    assert parse_period([], TODAY) == Period(date(2026, 10, 29), TODAY)
    assert parse_period([], TODAY).days == 30


def test_a_period_of_two_dates_includes_both() -> None:
    period = parse_period(["2026-10-01", "2026-10-31"], TODAY)
    assert (period.first, period.last, period.days) == (date(2026, 10, 1), date(2026, 10, 31), 31)
    assert parse_period(["2026-10-01", "2026-10-01"], TODAY).days == 1


def test_a_leap_year_fits_and_a_day_more_does_not() -> None:
    assert parse_period(["2028-01-01", "2028-12-31"], TODAY).days == 366
    with pytest.raises(PeriodError) as refused:
        parse_period(["2027-01-01", "2028-01-02"], TODAY)
    assert refused.value.problem is PeriodProblem.TOO_LONG


@pytest.mark.parametrize(
    ("args", "problem", "value"),
    [
        (["2026-10-01"], PeriodProblem.USAGE, ""),
        (["2026-10-01", "2026-10-31", "x"], PeriodProblem.USAGE, ""),
        (["2026-02-30", "2026-03-01"], PeriodProblem.BAD_DATE, "2026-02-30"),
        (["2026-10-01", "20261031"], PeriodProblem.BAD_DATE, "20261031"),
        (["2026-W40-1", "2026-10-31"], PeriodProblem.BAD_DATE, "2026-W40-1"),
        (["yesterday", "today"], PeriodProblem.BAD_DATE, "yesterday"),
        # The calendar's ends, where the day after or before does not exist.
        (["9999-12-01", "9999-12-31"], PeriodProblem.BAD_DATE, "9999-12-01"),
        (["0001-01-01", "0001-01-31"], PeriodProblem.BAD_DATE, "0001-01-01"),
        (["2026-01-01", "2101-01-01"], PeriodProblem.BAD_DATE, "2101-01-01"),
        (["2026-10-31", "2026-10-01"], PeriodProblem.REVERSED, ""),
        (["2025-01-01", "2026-12-31"], PeriodProblem.TOO_LONG, ""),
    ],
)
def test_bad_periods_are_refused(args: list[str], problem: PeriodProblem, value: str) -> None:
    with pytest.raises(PeriodError) as refused:
        parse_period(args, TODAY)
    assert (refused.value.problem, refused.value.value) == (problem, value)


# --- percentiles ---------------------------------------------------------------------------


def test_percentiles_interpolate_as_a_spreadsheet_does() -> None:
    values = [7.0, 1.0, 3.0, 10.0, 4.0]
    assert percentile(values, 0.5) == 4.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    # PERCENTILE.INC(1..10; 0.9) is 9.1, as is statistics' inclusive method.
    ten = [float(n) for n in range(1, 11)]
    assert percentile(ten, 0.9) == pytest.approx(9.1)
    assert percentile(ten, 0.9) == pytest.approx(
        statistics.quantiles(ten, n=10, method="inclusive")[8]
    )
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([], 0.5) is None


# --- the text, the CSV and the chart ---------------------------------------------------------


def read_csv(data: bytes) -> tuple[dict[str, tuple[str, str]], list[list[str]]]:
    """The metrics (name -> value, unit) and the weekday x hour table, as a reader parses them."""
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    blank = rows.index([])
    assert rows[0] == ["metric", "value", "unit"]
    metrics = {name: (value, unit) for name, value, unit in rows[1:blank]}
    assert len(metrics) == blank - 1, "a metric is named twice"
    return metrics, rows[blank + 1 :]


def test_the_csv_has_a_metric_a_row_and_the_week_as_a_table() -> None:
    sent = [BroadcastReach(4, Audience.FAMILIES, local(MON, 9), 10, 8, 1, 1)]
    report = compute(MONTH, [], sent, period=PERIOD, tz=TZ, hours=HOURS, now=AFTER)
    metrics, table = read_csv(report_csv(report))
    assert metrics["period_from"] == ("2026-11-02", "date")
    assert metrics["timezone"] == ("Europe/Stockholm", "")
    assert metrics["requests"] == ("8", "count")
    assert metrics["accepted_share"] == ("75,0", "%")
    assert metrics["time_to_accept_median"] == ("3,5", "min")
    assert metrics["time_to_accept_p90"] == ("12,0", "min")
    assert metrics["escalated_share"] == ("28,6", "%")
    assert metrics["rating_mean"] == ("4,25", "1-5")
    assert metrics["topic_sleep"] == ("2", "count")
    assert metrics["broadcast_4_started"] == ("2026-11-02 09:00", "local time")
    assert metrics["broadcast_4_blocked"] == ("1", "count")
    assert table[0] == ["weekday", *(f"{hour:02d}" for hour in range(24)), "total"]
    assert [row[0] for row in table[1:]] == [
        "Mon",
        "Tue",
        "Wed",
        "Thu",
        "Fri",
        "Sat",
        "Sun",
        "total",
    ]
    assert all(len(row) == 26 for row in table)
    assert table[1][1 + 19] == "1" and table[1][-1] == "2"  # Monday: 19:05 and 07:30
    assert table[-1][-1] == "8"


def test_the_text_in_three_languages() -> None:
    report = compute(MONTH, [], [], period=PERIOD, tz=TZ, hours=HOURS, now=AFTER)
    english = report_text(translator("en"), report).splitlines()
    assert english[1] == "Questions: 8, of which urgent: 1"
    assert english[2] == "Busiest hour: Mon 07:00–08:00 (1)"
    assert english[3] == "Accepted: 75% (6 of 8), of which by the foster-care unit: 1"
    assert english[5] == (
        "Time from offer to acceptance: median 4 minutes, 90th percentile 12 minutes"
    )
    assert "Ratings: 4, mean 4.3 (1★ 0 · 2★ 0 · 3★ 1 · 4★ 1 · 5★ 2)" in english
    assert "Topics: Sleep 2, Other 1, School 1" in english
    swedish = report_text(translator("sv"), report)
    assert "Accepterade: 75\xa0% (6 av 8), varav av familjehemsenheten: 1" in swedish
    assert "Betyg: 4, medelvärde 4,3" in swedish
    assert "Flest förfrågningar: mån kl. 07:00–08:00 (1)" in swedish
    danish = report_text(translator("da"), report)
    assert "Accepteret: 75\xa0% (6 af 8), heraf af plejefamilieområdet: 1" in danish
    assert "Afsluttede samtaler: 6; længde: median 35 minutter, 90-percentil 53 minutter" in danish


def test_the_chart_is_a_png() -> None:
    report = compute(MONTH, [], [], period=PERIOD, tz=TZ, hours=HOURS, now=AFTER)
    assert chart_png(translator("da"), report).startswith(PNG_SIGNATURE)


# --- from the database -----------------------------------------------------------------------


async def test_the_report_reads_metadata_and_never_content(db: Database) -> None:
    """Through the real tables: the figures come out, the words that were there do not."""
    at = local(MON, 19)
    (family,) = await make_household(db, Role.FAMILY, "Familjen Ek", (201,), at)
    (mentor,) = await make_household(db, Role.MENTOR, "Familjen Berg", (101,), at)
    (karin,) = await make_household(db, Role.COORDINATOR, "Karin", (301,), at)
    async with db.write() as session:
        first = (
            await requests.open_request(
                session,
                family.household.id,
                RequestState.OFFERED,
                first_kind=Kind.TEXT,
                preview="HEMLIGT",
                urgent=False,
                now=at,
            )
        ).id
        await requests.claim(
            session, first, mentor.id, mentor.household.id, at + timedelta(minutes=5)
        )
        await requests.finish(
            session,
            first,
            [RequestState.ACCEPTED],
            RequestState.CLOSED,
            Side.FAMILY,
            at + timedelta(minutes=35),
        )
        await requests.set_rating(session, first, 4)
        await requests.set_topic(session, first, "health")
        await requests.set_comment(session, first, RelayPurpose.COMMENT, "HEMLIG KOMMENTAR")
        second = (
            await requests.open_request(
                session,
                family.household.id,
                RequestState.WAITING,
                first_kind=Kind.TEXT,
                preview="HEMLIGT",
                urgent=True,
                now=local(TUE, 23),
            )
        ).id
        await requests.finish(
            session,
            second,
            [RequestState.WAITING],
            RequestState.CANCELLED,
            Side.FAMILY,
            local(WED, 8),
        )
        outside = (
            await requests.open_request(  # the day after the period: not counted
                session,
                family.household.id,
                RequestState.OFFERED,
                first_kind=Kind.TEXT,
                preview="x",
                urgent=False,
                now=local(PERIOD.last + timedelta(days=1), 0),
            )
        ).id
        news = await broadcasts.create_broadcast(
            session,
            karin.id,
            Audience.FAMILIES,
            kind=Kind.TEXT,
            body="HEMLIGT NYHETSBREV",
            file_id=None,
            state=BroadcastState.SENDING,
            send_at=local(MON, 9),
            now=local(MON, 9),
        )
        await broadcasts.add_deliveries(
            session,
            news,
            [(family.id, 201, "Familjen Ek"), (mentor.id, 101, None), (karin.id, 301, None)],
            local(MON, 9),
        )
        await broadcasts.settle_delivery(
            session, news, 201, DeliveryState.SENT, local(MON, 9), telegram_message_id=7
        )
        await broadcasts.settle_delivery(session, news, 101, DeliveryState.BLOCKED, local(MON, 9))
        await broadcasts.move(
            session, news, BroadcastState.SENDING, BroadcastState.DONE, local(MON, 9)
        )
        cancelled = await broadcasts.create_broadcast(
            session,
            karin.id,
            Audience.FAMILIES,
            kind=Kind.TEXT,
            body="x",
            file_id=None,
            state=BroadcastState.SCHEDULED,
            send_at=local(TUE, 9),
            now=local(MON, 9),
        )
        await broadcasts.move(
            session, cancelled, BroadcastState.SCHEDULED, BroadcastState.CANCELLED, local(MON, 10)
        )
    assert outside
    report = await stats.report(db, PERIOD, TZ, HOURS, AFTER)
    assert report.requests == 2
    assert report.accepted == stats.Share(1, 2)
    assert report.time_to_accept.median == timedelta(minutes=5)
    assert report.conversations.median == timedelta(minutes=30)
    assert (report.urgent, report.withdrawn, report.waited_for_shift) == (1, 1, 1)
    assert report.ratings == (0, 0, 0, 1, 0)
    assert dict(report.topics)["health"] == 1
    assert (report.mentor_households, report.mentor_adults) == (1, 1)
    assert [
        (b.id, b.recipients, b.delivered, b.blocked, b.unfinished) for b in report.broadcasts
    ] == [(news, 3, 1, 1, 1)]
    everything = repr(report) + report_text(translator("sv"), report) + report_csv(report).decode()
    assert "HEMLIG" not in everything
    assert "Ek" not in everything and "Berg" not in everything


@pytest.mark.parametrize(
    "hours",
    [
        HOURS,
        ServiceHours(weekday=(time(17), time(2)), weekend=(time(9), time(3))),  # past midnight
        ServiceHours(weekday=(time(8), time(7)), weekend=(time(6), time(5))),  # nearly all day
    ],
    ids=["default", "past-midnight", "nearly-all-day"],
)
def test_inside_the_hours_agrees_with_the_service_hours_through_a_dst_year(
    hours: ServiceHours,
) -> None:
    """The report finds each question's window by bisection; it must answer as the promise
    itself does, every 20 minutes of a year with both clock changes and Easter in it."""
    period = Period(date(2026, 1, 1), date(2026, 12, 31))
    windows = hours.windows(period.first - timedelta(days=1), period.last, TZ)
    starts = [window.start for window in windows]
    moment, end = period.span(TZ).start, period.span(TZ).end
    checked = 0
    while moment < end:
        assert stats._inside(windows, starts, moment) == hours.covers(moment, TZ), moment
        moment += timedelta(minutes=20)
        checked += 1
    assert checked == 365 * 72
