"""When to remind a mentor household of its shift, decided from the database alone.

The plan is recomputed at every start and after every change to the rota, from the shifts and
the state of each reminder, so a restart neither loses a reminder nor sends one twice:

- a reminder already sent (or skipped) is left alone;
- a reminder still due later is scheduled;
- of the reminders that fell due while the bot was down (or before the shift was even
  planned), only the latest is sent now, because "your shift starts in 50 minutes" makes the
  one-day reminder pointless; the earlier ones are skipped;
- a reminder that was being sent when the process died is sent again: a mentor reading one
  reminder twice is better than a mentor missing the evening's shift.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from storage.models import Shift


class ReminderState(StrEnum):
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Reminder:
    shift: Shift
    before: timedelta

    @property
    def due_at(self) -> datetime:
        return self.shift.starts_at - self.before

    @property
    def minutes_before(self) -> int:
        return int(self.before.total_seconds() // 60)


@dataclass(frozen=True, slots=True)
class ReminderPlan:
    later: list[Reminder] = field(default_factory=list)
    now: list[Reminder] = field(default_factory=list)
    skip: list[Reminder] = field(default_factory=list)


def plan(
    shifts: Iterable[Shift],
    offsets: Iterable[timedelta],
    states: Mapping[tuple[int, int], ReminderState],
    now: datetime,
) -> ReminderPlan:
    """Sort every reminder of every shift that has not started into later, now, or skip."""
    result = ReminderPlan()
    offsets = sorted(offsets)  # shortest first: the latest reminder of a shift comes first
    for shift in shifts:
        if shift.starts_at <= now:
            continue
        overdue: list[Reminder] = []
        for before in offsets:
            reminder = Reminder(shift, before)
            state = states.get((shift.id, reminder.minutes_before))
            if state is ReminderState.SENDING:
                result.now.append(reminder)
            elif state is not None:
                continue
            elif reminder.due_at > now:
                result.later.append(reminder)
            else:
                overdue.append(reminder)
        if overdue:
            result.now.append(overdue[0])
            result.skip.extend(overdue[1:])
    result.later.sort(key=lambda reminder: reminder.due_at)
    return result
