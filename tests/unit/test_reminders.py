from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.events import Place
from bot.i18n import translator
from bot.reminders import Reminder, plan
from storage.models import (
    Event,
    EventAudience,
    EventDetails,
    EventKind,
    EventState,
    ReminderState,
    Shift,
    Signup,
    SignupState,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
DAY, HOUR = timedelta(hours=24), timedelta(hours=1)


def shift(shift_id: int, starts_in: timedelta) -> Shift:
    return Shift(shift_id, 1, NOW + starts_in, NOW + starts_in + 5 * HOUR)


def keys(reminders: list[Reminder]) -> list[tuple[int, int]]:
    return [(r.subject.id, r.minutes_before) for r in reminders]


def test_future_reminders_are_scheduled_in_time_order() -> None:
    result = plan([shift(1, 3 * DAY), shift(2, 2 * DAY)], [DAY, HOUR], {}, NOW)
    assert keys(result.later) == [(2, 1440), (2, 60), (1, 1440), (1, 60)]
    assert result.now == [] and result.skip == []
    assert result.later[0].due_at == NOW + DAY


def test_a_shift_planned_at_short_notice_gets_one_reminder_now() -> None:
    result = plan([shift(1, 2 * HOUR)], [DAY, HOUR], {}, NOW)
    assert keys(result.now) == [(1, 1440)]
    assert keys(result.later) == [(1, 60)]


def test_after_a_long_outage_only_the_latest_missed_reminder_is_sent() -> None:
    result = plan([shift(1, 30 * timedelta(minutes=1))], [DAY, HOUR], {}, NOW)
    assert keys(result.now) == [(1, 60)]
    assert keys(result.skip) == [(1, 1440)]
    assert result.later == []


def test_sent_and_skipped_reminders_are_left_alone() -> None:
    states = {(1, 1440): ReminderState.SENT, (1, 60): ReminderState.SKIPPED}
    result = plan([shift(1, 30 * timedelta(minutes=1))], [DAY, HOUR], states, NOW)
    assert result == plan([], [DAY, HOUR], {}, NOW)


def test_a_reminder_interrupted_by_a_crash_is_sent_again() -> None:
    result = plan([shift(1, 5 * HOUR)], [DAY, HOUR], {(1, 1440): ReminderState.SENDING}, NOW)
    assert keys(result.now) == [(1, 1440)]
    assert keys(result.later) == [(1, 60)]


def test_shifts_that_have_started_get_no_reminder() -> None:
    result = plan([shift(1, timedelta(0)), shift(2, -HOUR)], [DAY, HOUR], {}, NOW)
    assert result.now == result.later == result.skip == []


def test_no_offsets_means_no_reminders() -> None:
    assert plan([shift(1, 2 * DAY)], [], {}, NOW).later == []


def test_an_earlier_reminder_never_arrives_after_a_later_one() -> None:
    """The hour-before reminder went out; the day-before one, now overdue, is skipped."""
    soon = shift(1, 30 * timedelta(minutes=1))
    result = plan([soon], [DAY, HOUR], {(1, 60): ReminderState.SENT}, NOW)
    assert result.now == [] and result.later == []
    assert keys(result.skip) == [(1, 1440)]


def test_a_day_before_an_event_the_morning_after_the_clock_change_is_24_hours_before() -> None:
    """Summer time begins at 02:00 on Sunday 29 March 2026 in Stockholm. The one-day reminder
    of an event at 09:00 that Sunday goes 24 hours before it: at 08:00 on Saturday by the
    clock, since the night between is an hour short, and it says "in 1 day"."""
    stockholm = ZoneInfo("Europe/Stockholm")
    starts = datetime(2026, 3, 29, 9, 0, tzinfo=stockholm)
    details = EventDetails(
        EventKind.THEME_MORNING, "Temaförmiddag", starts, starts + HOUR, EventAudience.FAMILIES
    )
    signup = Signup(8, 3, 5, None, 2, 0, SignupState.CONFIRMED, NOW)
    place = Place(Event(3, details, EventState.OPEN), signup)
    friday = datetime(2026, 3, 27, 12, 0, tzinfo=stockholm)

    result = plan([place], [DAY], {}, friday)

    (reminder,) = result.later
    assert reminder.subject is place and reminder.minutes_before == 1440
    assert reminder.due_at.astimezone(stockholm) == datetime(2026, 3, 28, 8, 0, tzinfo=stockholm)
    assert translator("sv").duration(starts - reminder.due_at) == "1 dag"
    # Planned again at its due moment (a restart then): due now, not skipped.
    assert keys(plan([place], [DAY], {}, reminder.due_at).now) == [(8, 1440)]
