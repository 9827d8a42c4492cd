import itertools
import random
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.rota import (
    EmptyShift,
    Interval,
    NonexistentLocalTime,
    ShiftTimeError,
    covered,
    gaps,
    local_span,
    next_shift_start,
    on_duty,
    overlaps,
)
from storage.models import Shift

STOCKHOLM = ZoneInfo("Europe/Stockholm")
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
# Both zones change clocks at the same instants (01:00 UTC), so one table serves both.
ZONES = pytest.mark.parametrize("tz", [STOCKHOLM, COPENHAGEN], ids=["Stockholm", "Copenhagen"])


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def shift(shift_id: int, household_id: int, start: datetime, end: datetime) -> Shift:
    return Shift(id=shift_id, household_id=household_id, starts_at=start, ends_at=end)


# --- local_span: wall clock to real time -----------------------------------------------------


@ZONES
@pytest.mark.parametrize(
    ("day", "start", "end", "utc_start", "hours"),
    [
        (date(2026, 3, 21), time(22), time(8), utc(2026, 3, 21, 21), 10),  # an ordinary night
        (date(2026, 3, 28), time(22), time(8), utc(2026, 3, 28, 21), 9),  # into spring-forward
        (date(2026, 10, 24), time(22), time(8), utc(2026, 10, 24, 20), 11),  # into fall-back
        (date(2026, 3, 29), time(1, 30), time(3), utc(2026, 3, 29, 0, 30), 0.5),  # over the gap
        (date(2026, 11, 22), time(17), time(22), utc(2026, 11, 22, 16), 5),  # same day
        (date(2026, 11, 22), time(23), time(1), utc(2026, 11, 22, 22), 2),  # past midnight
    ],
)
def test_local_span_lasts_what_the_clocks_say(
    tz: ZoneInfo, day: date, start: time, end: time, utc_start: datetime, hours: float
) -> None:
    result = local_span(day, start, end, tz)
    assert result == Interval(utc_start, utc_start + timedelta(hours=hours))
    assert result.start.tzinfo is UTC and result.end.tzinfo is UTC


@ZONES
@pytest.mark.parametrize(
    ("day", "start", "end", "missing"),
    [
        pytest.param(date(2026, 3, 29), time(2, 30), time(8), time(2, 30), id="start-in-gap"),
        pytest.param(date(2026, 3, 29), time(2), time(8), time(2), id="gap-opens-at-two"),
        pytest.param(date(2026, 3, 28), time(22), time(2, 30), time(2, 30), id="end-in-gap"),
    ],
)
def test_local_span_refuses_a_time_skipped_in_spring(
    tz: ZoneInfo, day: date, start: time, end: time, missing: time
) -> None:
    with pytest.raises(NonexistentLocalTime) as refused:
        local_span(day, start, end, tz)
    assert refused.value.moment == datetime.combine(date(2026, 3, 29), missing, tzinfo=tz)
    assert isinstance(refused.value, ShiftTimeError)
    assert isinstance(refused.value, ValueError)
    assert "2026-03-29 " + missing.strftime("%H:%M") in str(refused.value)


@ZONES
@pytest.mark.parametrize("fold", [0, 1])
def test_local_span_takes_the_first_of_a_repeated_autumn_time(tz: ZoneInfo, fold: int) -> None:
    result = local_span(date(2026, 10, 25), time(2, 30, fold=fold), time(4), tz)
    # 02:30 CEST is 00:30 UTC; the second 02:30 (CET) would be 01:30 UTC.
    assert result == Interval(utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 3))


@ZONES
def test_the_hour_after_the_autumn_fold_exists_once(tz: ZoneInfo) -> None:
    assert local_span(date(2026, 10, 25), time(3), time(4), tz) == Interval(
        utc(2026, 10, 25, 2), utc(2026, 10, 25, 3)
    )


def test_local_span_refuses_a_span_ending_when_it_starts() -> None:
    with pytest.raises(EmptyShift) as refused:
        local_span(date(2026, 11, 22), time(8), time(8), STOCKHOLM)
    assert isinstance(refused.value, ShiftTimeError)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        pytest.param(utc(2026, 1, 1, 10), utc(2026, 1, 1, 10), id="empty"),
        pytest.param(utc(2026, 1, 1, 10), utc(2026, 1, 1, 9), id="backwards"),
    ],
)
def test_intervals_must_end_after_they_start(start: datetime, end: datetime) -> None:
    with pytest.raises(EmptyShift):
        Interval(start, end)


def test_rota_times_must_be_timezone_aware() -> None:
    naive = datetime(2026, 1, 1, 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        Interval(utc(2026, 1, 1, 9), naive)


# --- on_duty ----------------------------------------------------------------------------------


@ZONES
@pytest.mark.parametrize(
    ("night", "at", "on"),
    [
        # Spring: 22:00-08:00 local is 21:00-06:00 UTC; clocks jump 02:00 -> 03:00 at 01:00 UTC.
        (date(2026, 3, 28), utc(2026, 3, 28, 21), True),
        (date(2026, 3, 28), utc(2026, 3, 29, 0, 59), True),  # 01:59 CET, just before the change
        (date(2026, 3, 28), utc(2026, 3, 29, 1), True),  # 03:00 CEST, just after
        (date(2026, 3, 28), utc(2026, 3, 29, 5, 59), True),
        (date(2026, 3, 28), utc(2026, 3, 29, 6), False),  # 08:00 CEST: handed over
        (date(2026, 3, 28), utc(2026, 3, 28, 20, 59), False),
        # Autumn: 22:00-08:00 local is 20:00-07:00 UTC; clocks fall 03:00 -> 02:00 at 01:00 UTC.
        (date(2026, 10, 24), utc(2026, 10, 24, 20), True),
        (date(2026, 10, 25), utc(2026, 10, 25, 0, 30), False),  # the next night has not begun
        (date(2026, 10, 24), utc(2026, 10, 25, 0, 30), True),  # first 02:30 (CEST)
        (date(2026, 10, 24), utc(2026, 10, 25, 1, 30), True),  # second 02:30 (CET)
        (date(2026, 10, 24), utc(2026, 10, 25, 6, 59), True),
        (date(2026, 10, 24), utc(2026, 10, 25, 7), False),  # 08:00 CET: handed over
    ],
)
def test_on_duty_through_a_daylight_saving_night(
    tz: ZoneInfo, night: date, at: datetime, on: bool
) -> None:
    night_shift = local_span(night, time(22), time(8), tz)
    shifts = [shift(1, 10, night_shift.start, night_shift.end)]
    assert on_duty(shifts, at) == (shifts if on else [])


@ZONES
def test_the_morning_shift_takes_over_at_eight_after_spring_forward(tz: ZoneInfo) -> None:
    night = local_span(date(2026, 3, 28), time(22), time(8), tz)
    day = local_span(date(2026, 3, 29), time(8), time(17), tz)
    shifts = [shift(1, 10, night.start, night.end), shift(2, 20, day.start, day.end)]
    handover = datetime(2026, 3, 29, 8, tzinfo=tz)
    assert [s.id for s in on_duty(shifts, handover)] == [2]
    assert [s.id for s in on_duty(shifts, handover - timedelta(microseconds=1))] == [1]


def test_on_duty_includes_the_start_and_excludes_the_end() -> None:
    only = shift(1, 10, utc(2026, 11, 23, 16), utc(2026, 11, 23, 21))
    assert on_duty([only], only.starts_at) == [only]
    assert on_duty([only], only.ends_at - timedelta(microseconds=1)) == [only]
    assert on_duty([only], only.ends_at) == []
    assert on_duty([only], only.starts_at - timedelta(microseconds=1)) == []


def test_on_duty_lists_primary_and_backup_by_start_then_id() -> None:
    late = shift(1, 30, utc(2026, 11, 23, 18), utc(2026, 11, 23, 21))
    backup = shift(7, 20, utc(2026, 11, 23, 16), utc(2026, 11, 23, 21))
    primary = shift(3, 10, utc(2026, 11, 23, 16), utc(2026, 11, 23, 21))
    elsewhere = shift(4, 40, utc(2026, 11, 24, 16), utc(2026, 11, 24, 21))
    shifts = iter([late, backup, elsewhere, primary])  # any iterable, read once
    assert on_duty(shifts, utc(2026, 11, 23, 19)) == [primary, backup, late]


def test_on_duty_across_midnight_and_into_monday() -> None:
    # 23:00-01:00 Saturday night, and Sunday 22:00 to Monday 08:00 (Stockholm, winter: UTC+1).
    saturday = local_span(date(2026, 11, 21), time(23), time(1), STOCKHOLM)
    sunday = local_span(date(2026, 11, 22), time(22), time(8), STOCKHOLM)
    shifts = [shift(1, 10, saturday.start, saturday.end), shift(2, 20, sunday.start, sunday.end)]

    def ids_at(local: datetime) -> list[int]:
        return [s.id for s in on_duty(shifts, local.replace(tzinfo=STOCKHOLM))]

    assert ids_at(datetime(2026, 11, 21, 23, 59)) == [1]
    assert ids_at(datetime(2026, 11, 22, 0, 30)) == [1]
    assert ids_at(datetime(2026, 11, 22, 1)) == []
    assert ids_at(datetime(2026, 11, 22, 23, 59)) == [2]
    assert ids_at(datetime(2026, 11, 23, 0)) == [2]
    assert ids_at(datetime(2026, 11, 23, 7, 59)) == [2]
    assert ids_at(datetime(2026, 11, 23, 8)) == []


# --- next_shift_start -------------------------------------------------------------------------

# One evening shift a day for the week of Monday 2026-11-16, then the next Monday.
WEEK = [
    shift(n, n % 3, utc(2026, 11, 16 + n, 16), utc(2026, 11, 16 + n, 21)) for n in (*range(7), 7)
]


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        pytest.param(utc(2026, 11, 1), utc(2026, 11, 16, 16), id="before-the-week"),
        pytest.param(utc(2026, 11, 18, 12), utc(2026, 11, 18, 16), id="midweek"),
        pytest.param(utc(2026, 11, 18, 16), utc(2026, 11, 19, 16), id="strictly-after-a-start"),
        pytest.param(utc(2026, 11, 22, 17), utc(2026, 11, 23, 16), id="sunday-to-monday"),
        pytest.param(utc(2026, 11, 23, 16), None, id="after-the-last"),
    ],
)
def test_next_shift_start_across_a_week(after: datetime, expected: datetime | None) -> None:
    assert next_shift_start(reversed(WEEK), after) == expected


def test_next_shift_start_without_shifts_is_none() -> None:
    assert next_shift_start([], utc(2026, 11, 23)) is None


# --- overlaps ---------------------------------------------------------------------------------

EVENING = shift(1, 10, utc(2026, 11, 23, 16), utc(2026, 11, 23, 21))


@pytest.mark.parametrize(
    ("household_id", "candidate", "collides"),
    [
        pytest.param(10, Interval(utc(2026, 11, 23, 20), utc(2026, 11, 24, 6)), True, id="tail"),
        pytest.param(10, Interval(utc(2026, 11, 23, 12), utc(2026, 11, 23, 17)), True, id="head"),
        pytest.param(10, Interval(utc(2026, 11, 23, 17), utc(2026, 11, 23, 18)), True, id="inside"),
        pytest.param(10, Interval(utc(2026, 11, 23, 8), utc(2026, 11, 24, 8)), True, id="around"),
        pytest.param(10, Interval(EVENING.starts_at, EVENING.ends_at), True, id="same-slot"),
        pytest.param(10, Interval(utc(2026, 11, 23, 21), utc(2026, 11, 24, 6)), False, id="after"),
        pytest.param(10, Interval(utc(2026, 11, 23, 8), utc(2026, 11, 23, 16)), False, id="before"),
        pytest.param(20, Interval(EVENING.starts_at, EVENING.ends_at), False, id="other-household"),
    ],
)
def test_overlaps_only_within_one_household(
    household_id: int, candidate: Interval, collides: bool
) -> None:
    backup = shift(2, 20, utc(2026, 11, 22, 16), utc(2026, 11, 22, 21))
    assert overlaps([EVENING, backup], household_id, candidate) == ([EVENING] if collides else [])


def test_overlaps_lists_every_collision_in_order() -> None:
    later = shift(5, 10, utc(2026, 11, 24, 16), utc(2026, 11, 24, 21))
    candidate = Interval(utc(2026, 11, 23, 20), utc(2026, 11, 24, 17))
    assert overlaps([later, EVENING], 10, candidate) == [EVENING, later]


# --- covered and gaps -------------------------------------------------------------------------

WINDOW = Interval(utc(2026, 11, 23, 16), utc(2026, 11, 23, 21))


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        pytest.param([], [], id="no-shifts"),
        pytest.param([(16, 21)], [(16, 21)], id="exact"),
        pytest.param([(12, 23)], [(16, 21)], id="sticks-out-both-ends"),
        pytest.param([(16, 18), (19, 21)], [(16, 18), (19, 21)], id="disjoint"),
        pytest.param([(16, 18), (18, 21)], [(16, 21)], id="touching-merge"),
        pytest.param([(16, 21), (16, 21), (17, 19)], [(16, 21)], id="primary-and-backup"),
        pytest.param([(19, 22), (15, 17)], [(16, 17), (19, 21)], id="unsorted-clipped"),
        pytest.param([(10, 16), (21, 23)], [], id="only-touching-the-window"),
    ],
)
def test_covered_is_the_merged_shift_time_inside_the_window(
    hours: list[tuple[int, int]], expected: list[tuple[int, int]]
) -> None:
    shifts = [
        shift(n, n, utc(2026, 11, 23, start), utc(2026, 11, 23, end))
        for n, (start, end) in enumerate(hours)
    ]
    assert covered(shifts, WINDOW) == [
        Interval(utc(2026, 11, 23, start), utc(2026, 11, 23, end)) for start, end in expected
    ]


def evenings(*days: int) -> list[Interval]:
    """17:00-22:00 Stockholm (16-21 UTC in winter) on the given days of November 2026."""
    return [Interval(utc(2026, 11, day, 16), utc(2026, 11, day, 21)) for day in days]


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        pytest.param([], evenings(23, 24), id="no-shifts"),
        pytest.param([((23, 16), (23, 21)), ((24, 16), (24, 21))], [], id="full-coverage"),
        pytest.param([((23, 12), (25, 0))], [], id="one-shift-over-both-windows"),
        pytest.param(
            [((23, 17), (23, 19))],
            [
                Interval(utc(2026, 11, 23, 16), utc(2026, 11, 23, 17)),
                Interval(utc(2026, 11, 23, 19), utc(2026, 11, 23, 21)),
                *evenings(24),
            ],
            id="partial",
        ),
        pytest.param(
            [((23, 16), (23, 19)), ((23, 16), (23, 19)), ((23, 18), (23, 20))],
            [Interval(utc(2026, 11, 23, 20), utc(2026, 11, 23, 21)), *evenings(24)],
            id="primary-and-backup-overlapping",
        ),
        pytest.param(
            [((23, 20), (24, 17))],
            [
                Interval(utc(2026, 11, 23, 16), utc(2026, 11, 23, 20)),
                Interval(utc(2026, 11, 24, 17), utc(2026, 11, 24, 21)),
            ],
            id="night-shift-sticks-out-of-both",
        ),
        pytest.param(
            [((23, 8), (23, 16)), ((23, 21), (24, 16)), ((24, 21), (24, 23))],
            evenings(23, 24),
            id="touching-is-not-covering",
        ),
    ],
)
def test_gaps_are_the_uncovered_parts_of_the_windows(
    hours: list[tuple[tuple[int, int], tuple[int, int]]], expected: list[Interval]
) -> None:
    shifts = [
        shift(n, n, utc(2026, 11, *start), utc(2026, 11, *end))
        for n, (start, end) in enumerate(hours)
    ]
    assert gaps(shifts, evenings(24, 23)) == expected


def test_gaps_merge_overlapping_windows() -> None:
    windows = [
        Interval(utc(2026, 11, 23, 18), utc(2026, 11, 23, 22)),
        Interval(utc(2026, 11, 23, 16), utc(2026, 11, 23, 20)),
        Interval(utc(2026, 11, 23, 22), utc(2026, 11, 23, 23)),
    ]
    shifts = [shift(1, 1, utc(2026, 11, 23, 19), utc(2026, 11, 23, 21))]
    assert gaps(shifts, iter(windows)) == [
        Interval(utc(2026, 11, 23, 16), utc(2026, 11, 23, 19)),
        Interval(utc(2026, 11, 23, 21), utc(2026, 11, 23, 23)),
    ]


GRID_ORIGIN = utc(2026, 11, 23)
GRID = range(240)  # quarter hours: two and a half days


def quarter(n: int) -> datetime:
    return GRID_ORIGIN + timedelta(minutes=15 * n)


def quarters(intervals: Iterable[Interval]) -> set[int]:
    """The grid points inside the intervals: the slow, obvious way to measure time."""
    return {n for i in intervals for n in GRID if i.start <= quarter(n) < i.end}


def random_span(rng: random.Random, longest: int) -> Interval:
    first = rng.randrange(0, 190)
    return Interval(quarter(first), quarter(first + rng.randint(1, longest)))


def assert_disjoint_and_ordered(intervals: list[Interval]) -> None:
    assert all(a.end < b.start for a, b in itertools.pairwise(intervals))


def test_gaps_and_covered_agree_with_counting_quarter_hours() -> None:
    rng = random.Random(20261123)
    for _ in range(200):
        shifts = [
            shift(n, rng.randint(1, 3), s.start, s.end)
            for n, s in enumerate(random_span(rng, 40) for _ in range(rng.randint(0, 8)))
        ]
        windows = [random_span(rng, 30) for _ in range(rng.randint(0, 4))]
        busy = quarters(Interval(s.starts_at, s.ends_at) for s in shifts)

        found = gaps(shifts, windows)
        assert quarters(found) == quarters(windows) - busy
        assert_disjoint_and_ordered(found)
        for window in windows:
            pieces = covered(shifts, window)
            assert quarters(pieces) == quarters([window]) & busy
            assert_disjoint_and_ordered(pieces)


def test_gaps_for_a_season_of_shifts() -> None:
    """A year of evenings with a primary and a backup each, one evening a week left open."""
    first_evening = utc(2026, 1, 1, 16)
    windows = [
        Interval(first_evening + timedelta(days=d), first_evening + timedelta(days=d, hours=5))
        for d in range(365)
    ]
    shifts = [
        shift(2 * d + role, role + 1, w.start, w.end)
        for d, w in enumerate(windows)
        if d % 7 != 3
        for role in (0, 1)
    ]
    assert len(shifts) > 600
    assert gaps(shifts, windows) == [w for d, w in enumerate(windows) if d % 7 == 3]
