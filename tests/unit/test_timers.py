"""A question's timers: one a name, and a timer its own run sets again is never skipped."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from handlers.common import MentorContext
from handlers.timers import cancel_timer, replace_timer
from tests.unit.telegram_support import application, config


async def nothing(context: MentorContext) -> None:
    """A timer's work, never run here."""


async def test_a_name_holds_one_timer_which_can_be_cancelled_before_the_queue_runs_too() -> None:
    """As at start, where every open question's timers are set again before the queue runs."""
    app = application(config())
    queue = app.job_queue
    assert queue is not None
    later = datetime.now(UTC) + timedelta(hours=1)
    replace_timer(app, "escalation:7", nothing, later, (7, 1))
    replace_timer(app, "escalation:7", nothing, later + timedelta(minutes=5), (7, 2))
    replace_timer(app, "escalation:8", nothing, later, (8, 1))
    assert {job.data for job in queue.jobs()} == {(7, 2), (8, 1)}
    cancel_timer(app, "escalation:7")
    cancel_timer(app, "escalation:9")  # never set: nothing to do
    assert {job.data for job in queue.jobs()} == {(8, 1)}


async def test_a_timer_set_again_by_its_own_run_runs_while_that_run_goes_on() -> None:
    """The next circle of mentors, due at once, while the circle before is still sending."""
    app = application(config())
    queue = app.job_queue
    assert queue is not None
    next_circle = asyncio.Event()

    async def second(context: MentorContext) -> None:
        next_circle.set()

    async def first(context: MentorContext) -> None:
        replace_timer(app, "widen:1", second, datetime.now(UTC), None)
        await asyncio.wait_for(next_circle.wait(), 5)  # still running when the second is due

    await queue.start()
    try:
        replace_timer(app, "widen:1", first, datetime.now(UTC), None)
        await asyncio.wait_for(next_circle.wait(), 10)
    finally:
        await queue.stop(wait=False)
