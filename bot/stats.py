"""The evaluation report: what the pilot's evaluation needs to know, from metadata alone.

Everything is computed by `compute` from plain rows, a period of local dates, the time zone and
the service hours, so the same figures come out of the chat, the command line and a test, and
none of them reads a clock or a message. `report` is the one place that goes to the database.

Decisions a reader of the figures should know about:
- A question belongs to the period it was asked in (local dates, the last one included); its
  acceptance, end and rating count with it even when they came later.
- "Time to accept" runs from the first offer to the mentors, not from the question: a question
  asked with nobody on duty waits for the next shift by design, and that wait is counted on its
  own ("waited for a shift"), so that it does not hide how quickly mentors on duty answer.
- Percentiles interpolate between the two nearest values, as a spreadsheet's PERCENTILE.INC
  and MEDIAN do, so a coordinator can check any figure against the CSV by hand.
- Weekday and hour are the local wall clock (zoneinfo): a question at 19:30 is counted at 19
  in summer and in winter; the hour the clocks repeat in autumn counts twice as often, and the
  hour they skip in spring stays empty, which is what happened.
- Shifts and the service hours covered are counted only up to the moment the report is made;
  later hours of a period that has not ended have not been kept or missed yet.
- An event belongs to the period it started in, once it has started and unless it was
  cancelled; its figures count people (adults and children), as its capacity does. A no-show
  is a household with a place marked as not having come; one not marked is neither.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.rota import Interval, gaps
from bot.routing import MAX_RATING, TOP_ESCALATION, Topic
from bot.service_hours import ServiceHours
from storage import households, shifts
from storage import stats as queries
from storage.db import Database
from storage.models import OPEN_REQUEST_STATES, EventKind, RequestState, Role, Shift
from storage.stats import BroadcastReach, EventFacts, RequestFacts

DEFAULT_DAYS = 30
# A year, leap day included: enough for a pilot's whole evaluation, small enough to stay quick.
MAX_DAYS = 366
WEEKDAYS = 7
HOURS = 24
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class PeriodProblem(StrEnum):
    USAGE = "usage"  # not zero or two dates
    BAD_DATE = "bad_date"
    REVERSED = "reversed"
    TOO_LONG = "too_long"


class PeriodError(ValueError):
    """A period the report cannot be made for; `value` is the text at fault, if one is."""

    def __init__(self, problem: PeriodProblem, value: str = "") -> None:
        super().__init__(f"{problem.value}: {value}" if value else problem.value)
        self.problem = problem
        self.value = value


@dataclass(frozen=True, slots=True)
class Period:
    """Local dates from `first` to `last`, both included, as a coordinator names them."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def span(self, tz: ZoneInfo) -> Interval:
        """From local midnight before `first` to local midnight after `last`, in real time."""
        return Interval(_midnight(self.first, tz), _midnight(self.last + timedelta(days=1), tz))


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    # Not rota.local_moment: where a zone skips midnight itself, the first moment of the day is
    # still a fine boundary, and a report must not fail over it.
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


YEARS = range(2000, 2101)


def _parse_date(text: str) -> date:
    # fromisoformat alone also takes 20261001 and 2026-W40-1, which nobody means here.
    if not _ISO_DATE.fullmatch(text):
        raise PeriodError(PeriodProblem.BAD_DATE, text)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise PeriodError(PeriodProblem.BAD_DATE, text) from None
    # Questions are stored since the service began; a date far outside this century is a typo,
    # and at the calendar's ends (0001, 9999) the day before or after does not exist.
    if not YEARS.start <= day.year < YEARS.stop:
        raise PeriodError(PeriodProblem.BAD_DATE, text)
    return day


def parse_period(args: Sequence[str], today: date) -> Period:
    """`/stats` (the last 30 days, today included) or `/stats FROM TO`; raises PeriodError."""
    if not args:
        return Period(today - timedelta(days=DEFAULT_DAYS - 1), today)
    if len(args) != 2:
        raise PeriodError(PeriodProblem.USAGE)
    first, last = (_parse_date(arg.strip()) for arg in args)
    if first > last:
        raise PeriodError(PeriodProblem.REVERSED)
    period = Period(first, last)
    if period.days > MAX_DAYS:
        raise PeriodError(PeriodProblem.TOO_LONG)
    return period


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The value below which `fraction` of `values` lie, interpolating as PERCENTILE.INC does."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True, slots=True)
class Share:
    """`part` of `whole`, kept as counts so a reader sees how few a percentage may rest on."""

    part: int
    whole: int

    @property
    def ratio(self) -> float | None:
        return self.part / self.whole if self.whole else None


@dataclass(frozen=True, slots=True)
class Spread:
    """How long something took, over all the times it happened; seconds, in ascending order."""

    seconds: tuple[float, ...]

    @classmethod
    def of(cls, durations: Sequence[timedelta]) -> Spread:
        return cls(tuple(sorted(d.total_seconds() for d in durations)))

    @property
    def count(self) -> int:
        return len(self.seconds)

    def _at(self, fraction: float) -> timedelta | None:
        value = percentile(self.seconds, fraction)
        return None if value is None else timedelta(seconds=value)

    @property
    def median(self) -> timedelta | None:
        return self._at(0.5)

    @property
    def p90(self) -> timedelta | None:
        return self._at(0.9)


@dataclass(frozen=True, slots=True)
class Reach:
    broadcasts: int
    recipients: int
    delivered: int
    blocked: int
    failed: int


@dataclass(frozen=True, slots=True)
class EventFigures:
    """The events of one kind held in the period, added up; people, not households, as
    capacity counts them. An event without a limit offers no number of places: it is counted
    in `unlimited` instead, so that `places` stays a sum of real capacities."""

    kind: EventKind
    held: int
    places: int
    unlimited: int
    signed_up: int
    attended: int
    moves: int
    no_shows: int


def event_figures(facts: Sequence[EventFacts]) -> tuple[EventFigures, ...]:
    """One line per kind, in the kinds' order, those not held too (with zeros), so that the
    CSV has the same rows every month."""
    figures = []
    for kind in EventKind:
        held = [fact for fact in facts if fact.kind is kind]
        figures.append(
            EventFigures(
                kind=kind,
                held=len(held),
                places=sum(fact.capacity for fact in held if fact.capacity is not None),
                unlimited=sum(1 for fact in held if fact.capacity is None),
                signed_up=sum(fact.signed_up for fact in held),
                attended=sum(fact.attended for fact in held),
                moves=sum(fact.moves for fact in held),
                no_shows=sum(fact.no_shows for fact in held),
            )
        )
    return tuple(figures)


@dataclass(frozen=True, slots=True)
class MentorLoad:
    """What one mentor household carried in the period: conversations it accepted, and its
    hours on duty (the shifts within the period, up to the report's making). The report names
    nobody: a household is the member number /members shows for it (None once it is gone)."""

    household_id: int
    number: int | None
    conversations: int
    on_duty: timedelta


def mentor_load(
    accepted: Sequence[RequestFacts],
    rota: Sequence[Shift],
    numbers: Mapping[int, int],
    start: datetime,
    until: datetime,
) -> tuple[MentorLoad, ...]:
    """One line per mentor household that was on duty or took a conversation, busiest first."""
    conversations = Counter(
        r.mentor_household_id
        for r in accepted
        if r.accepted_by is Role.MENTOR and r.mentor_household_id is not None
    )
    duty: dict[int, timedelta] = {}
    for shift in rota:
        clipped = min(shift.ends_at, until) - max(shift.starts_at, start)
        if clipped > timedelta():
            duty[shift.household_id] = duty.get(shift.household_id, timedelta()) + clipped
    households = set(conversations) | set(duty)
    loads = [
        MentorLoad(h, numbers.get(h), conversations.get(h, 0), duty.get(h, timedelta()))
        for h in households
    ]
    return tuple(
        sorted(loads, key=lambda load: (-load.conversations, -load.on_duty, load.household_id))
    )


@dataclass(frozen=True, slots=True)
class StatsReport:
    period: Period
    tz: ZoneInfo
    made_at: datetime
    requests: int
    # Questions by local weekday (Monday first) and local hour.
    by_hour: tuple[tuple[int, ...], ...]
    urgent: int
    accepted: Share  # of all questions
    accepted_by_coordinators: int  # taken over after the last escalation step
    withdrawn: int
    still_open: int
    waited_for_shift: int  # asked with nobody on duty
    escalated: Share  # asked again, of the questions that were offered
    to_coordinators: Share  # of the questions that were offered
    inside_hours: Share  # accepted, of those asked within the service hours
    outside_hours: Share  # accepted, of those asked outside them
    time_to_accept: Spread
    conversations: Spread  # from acceptance to the end, of the conversations that ended
    topics: tuple[tuple[str, int], ...]  # every known topic, then any other filed, by count
    ratings: tuple[int, ...]  # how many of each rating, 1 to 5
    mentor_households: int
    mentor_adults: int
    shifts: int
    shifts_with_request: int  # a question was offered or accepted during the shift
    shifts_with_acceptance: int  # accepted by the household on that shift, during it
    promised: timedelta  # service hours in the period, up to `made_at`
    uncovered: timedelta  # of those, with nobody on duty
    broadcasts: tuple[BroadcastReach, ...]
    events: tuple[EventFigures, ...] = ()  # one per kind, in the kinds' order
    mentors: tuple[MentorLoad, ...] = ()  # per mentor household, busiest first

    @property
    def rating_count(self) -> int:
        return sum(self.ratings)

    @property
    def rating_mean(self) -> float | None:
        if not self.rating_count:
            return None
        return sum(n * (value + 1) for value, n in enumerate(self.ratings)) / self.rating_count

    @property
    def covered(self) -> Share:
        """Service hours with a mentor on duty, in whole minutes of real time."""
        promised = int(self.promised.total_seconds()) // 60
        return Share(promised - int(self.uncovered.total_seconds()) // 60, promised)

    @property
    def busiest(self) -> tuple[int, int, int] | None:
        """(weekday, hour, questions) of the busiest hour of the week; the earliest on a tie."""
        cells = [
            (count, day, hour)
            for day, row in enumerate(self.by_hour)
            for hour, count in enumerate(row)
        ]
        count, day, hour = max(cells, key=lambda cell: cell[0])  # max keeps the first of equals
        return (day, hour, count) if count else None

    @property
    def reach(self) -> Reach:
        """Every broadcast of the period added up."""
        return Reach(
            broadcasts=len(self.broadcasts),
            recipients=sum(b.recipients for b in self.broadcasts),
            delivered=sum(b.delivered for b in self.broadcasts),
            blocked=sum(b.blocked for b in self.broadcasts),
            failed=sum(b.failed for b in self.broadcasts),
        )


def _by_hour(requests: Sequence[RequestFacts], tz: ZoneInfo) -> tuple[tuple[int, ...], ...]:
    grid = [[0] * HOURS for _ in range(WEEKDAYS)]
    for request in requests:
        local = request.opened_at.astimezone(tz)
        grid[local.weekday()][local.hour] += 1
    return tuple(tuple(row) for row in grid)


def _accepted_share(requests: Sequence[RequestFacts]) -> Share:
    return Share(sum(1 for r in requests if r.accepted_at is not None), len(requests))


def _topics(requests: Sequence[RequestFacts]) -> tuple[tuple[str, int], ...]:
    filed = Counter(r.topic for r in requests if r.topic)
    known = [(topic.value, filed.pop(topic.value, 0)) for topic in Topic]
    return (*known, *sorted(filed.items(), key=lambda item: (-item[1], item[0])))


def _any_during(moments: Sequence[datetime], shift: Shift) -> bool:
    """Whether any of the sorted `moments` falls in the shift: a bisection, not a scan, so a
    year of shifts against a year of questions stays quick."""
    index = bisect_left(moments, shift.starts_at)
    return index < len(moments) and moments[index] < shift.ends_at


def _accepted_by_household(accepted: Sequence[RequestFacts]) -> dict[int, list[datetime]]:
    moments: dict[int, list[datetime]] = defaultdict(list)
    for r in accepted:
        if r.mentor_household_id is not None and r.accepted_at is not None:
            moments[r.mentor_household_id].append(r.accepted_at)
    return {household: sorted(times) for household, times in moments.items()}


def _coverage(
    rota: Sequence[Shift], windows: Sequence[Interval], start: datetime, until: datetime
) -> tuple[timedelta, timedelta]:
    """(promised, uncovered) service hours from the period's start up to `until`."""
    if until <= start:  # a period still to come has promised nothing yet
        return timedelta(), timedelta()
    # The day before's window too, which may run past midnight into the period.
    promised_so_far = [
        Interval(max(window.start, start), min(window.end, until))
        for window in windows
        if window.end > start and window.start < until
    ]
    promised = sum((window.end - window.start for window in promised_so_far), timedelta())
    uncovered = sum((gap.end - gap.start for gap in gaps(rota, promised_so_far)), timedelta())
    return promised, uncovered


def _inside(windows: Sequence[Interval], starts: Sequence[datetime], at: datetime) -> bool:
    """Whether `at` falls in one of the promised windows (in order of their `starts`).

    The same answer as ServiceHours.covers, found by bisection in windows worked out once for
    the period rather than twice a question: a year's report asks it 10,000 times.
    """
    after = bisect_right(starts, at)
    return any(window.end > at for window in windows[max(after - 2, 0) : after])


def compute(
    requests: Sequence[RequestFacts],
    rota: Sequence[Shift],
    broadcasts: Sequence[BroadcastReach],
    *,
    period: Period,
    tz: ZoneInfo,
    hours: ServiceHours,
    now: datetime,
    events: Sequence[EventFacts] = (),
    numbers: Mapping[int, int] | None = None,
) -> StatsReport:
    """The report over questions asked in the period, the shifts, broadcasts and events in it."""
    span = period.span(tz)
    until = min(span.end, now)
    offered = [r for r in requests if r.offered_at is not None]
    accepted = [r for r in requests if r.accepted_at is not None]
    promised_windows = hours.windows(period.first - timedelta(days=1), period.last, tz)
    starts = [window.start for window in promised_windows]
    within = {r.id: _inside(promised_windows, starts, r.opened_at) for r in requests}
    by_mentors = [r for r in accepted if r.accepted_by is Role.MENTOR]
    past_shifts = [s for s in rota if s.starts_at < until and s.ends_at > span.start]
    ratings = Counter(r.rating for r in requests if r.rating)
    # A question offered before a shift may be taken during it: that shift had one too, so
    # that the shifts with an acceptance are always among those with a question.
    busy = sorted(
        [r.offered_at for r in offered if r.offered_at]
        + [r.accepted_at for r in accepted if r.accepted_at]
    )
    taken = _accepted_by_household(accepted)
    promised, uncovered = _coverage(rota, promised_windows, span.start, until)
    return StatsReport(
        period=period,
        tz=tz,
        made_at=now,
        requests=len(requests),
        by_hour=_by_hour(requests, tz),
        urgent=sum(1 for r in requests if r.urgent),
        accepted=_accepted_share(requests),
        accepted_by_coordinators=sum(1 for r in accepted if r.accepted_by is Role.COORDINATOR),
        withdrawn=sum(1 for r in requests if r.state is RequestState.CANCELLED),
        still_open=sum(1 for r in requests if r.state in OPEN_REQUEST_STATES and not r.accepted_at),
        # The intake writes the same instant for both when someone is on duty.
        waited_for_shift=sum(1 for r in requests if r.offered_at != r.opened_at),
        escalated=Share(sum(1 for r in offered if r.escalation >= 1), len(offered)),
        to_coordinators=Share(
            sum(1 for r in offered if r.escalation >= TOP_ESCALATION), len(offered)
        ),
        inside_hours=_accepted_share([r for r in requests if within[r.id]]),
        outside_hours=_accepted_share([r for r in requests if not within[r.id]]),
        time_to_accept=Spread.of(
            [r.accepted_at - r.offered_at for r in accepted if r.offered_at and r.accepted_at]
        ),
        conversations=Spread.of(
            [
                r.ended_at - r.accepted_at
                for r in accepted
                if r.state is RequestState.CLOSED and r.ended_at and r.accepted_at
            ]
        ),
        topics=_topics(requests),
        ratings=tuple(ratings.get(value, 0) for value in range(1, MAX_RATING + 1)),
        mentor_households=len({r.mentor_household_id for r in by_mentors}),
        mentor_adults=len({r.mentor_member_id for r in by_mentors if r.mentor_member_id}),
        shifts=len(past_shifts),
        shifts_with_request=sum(1 for s in past_shifts if _any_during(busy, s)),
        shifts_with_acceptance=sum(
            1 for s in past_shifts if _any_during(taken.get(s.household_id, []), s)
        ),
        promised=promised,
        uncovered=uncovered,
        broadcasts=tuple(broadcasts),
        events=event_figures(events),
        mentors=mentor_load(accepted, past_shifts, numbers or {}, span.start, until),
    )


async def report(
    db: Database, period: Period, tz: ZoneInfo, hours: ServiceHours, now: datetime
) -> StatsReport:
    span = period.span(tz)
    until = min(span.end, now)
    async with db.read(slow=True) as session:  # a year's questions, for a report of one
        requests = await queries.requests_opened(session, span.start, span.end)
        rota = (
            await shifts.shifts_overlapping(session, span.start, until)
            if until > span.start
            else []
        )
        broadcasts = await queries.broadcasts_started(session, span.start, span.end)
        # Held means started: an event later in the period has not been held yet.
        held = await queries.events_held(session, span.start, until) if until > span.start else []
        numbers = await households.first_member_numbers(
            session,
            {r.mentor_household_id for r in requests if r.mentor_household_id is not None}
            | {shift.household_id for shift in rota},
        )
    return compute(
        requests,
        rota,
        broadcasts,
        period=period,
        tz=tz,
        hours=hours,
        now=now,
        events=held,
        numbers=numbers,
    )
