"""Timers kept one a name: a question's escalation, its next circle of mentors.

The name is the scheduler's job id as well, so a timer is found at once: python-telegram-bot's
lookup by name lists every job, and with two timers for every open question each new question
would cost more than the last. A timer is often set again by its own run (the next circle, the
next escalation step) while that run is still sending; the scheduler's default of one running
instance an id would then skip the new one when it falls due, and a date job skipped is gone.
Each run decides by a conditional update in the database, so runs side by side are harmless.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from handlers.common import RUN_LATE, MentorApplication, MentorContext


def replace_timer(
    application: MentorApplication,
    name: str,
    callback: Callable[[MentorContext], Coroutine[Any, Any, None]],
    at: datetime,
    data: object,
) -> None:
    """The one timer of this name, due `at`, replacing any set before it."""
    cancel_timer(application, name)
    queue = application.job_queue
    assert queue is not None
    job_kwargs = {**RUN_LATE, "id": name, "max_instances": sys.maxsize}
    queue.run_once(callback, when=at, data=data, name=name, job_kwargs=job_kwargs)


def cancel_timer(application: MentorApplication, name: str) -> None:
    """No timer of this name any more (it may have run, or never been set). Before the job
    queue starts (timers rebuilt at start) the scheduler holds its jobs in a list, where an id
    is not yet unique: every one of the name goes."""
    queue = application.job_queue
    assert queue is not None
    while (job := queue.scheduler.get_job(name)) is not None:
        job.remove()
