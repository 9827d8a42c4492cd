"""Scheduled rota work: shift reminders and the coordinators' morning report (the rota's gaps
and the questions nobody has taken).

The job queue holds nothing the database does not: at start, every hour and after every
change to the rota, the reminder jobs are thrown away and planned again from the shifts and
the state of each reminder (see `bot.reminders`); all but those that renew a claim already
made (another attempt, or the take-over after a start), whose reminder is 'sending' and so
not planned again. Only reminders due within the planning
horizon are queued, so a season of shifts costs a handful of jobs, not thousands.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, TelegramError
from telegram.ext import Job

from bot import availability, members, reminders, rota_planning, routing
from bot.availability import Availability
from bot.config import Config
from bot.i18n import Translator
from handlers import buttons, offers
from handlers.clock import now
from handlers.common import RUN_LATE, MentorApplication, MentorContext, member_translator
from handlers.requests import request_line
from handlers.rota_text import gap_report_lines
from handlers.shift_booking_text import fill_keyboard
from handlers.telegram_errors import failure
from storage.models import Role

logger = logging.getLogger(__name__)

REMINDER_JOB = "reminder"
REMINDER_RETRY_JOB = "reminder-retry"
REPLAN_JOB = "reminder-replan"
GAP_REPORT_JOB = "gap-report"
# Reminders due further ahead are queued by a later replan; the hourly one keeps ahead of them.
HORIZON = timedelta(hours=3)
REPLAN_EVERY = timedelta(hours=1)
# A reminder Telegram did not take (a network error, a 5xx) is tried again this often.
RETRY_AFTER = timedelta(minutes=1)
RETRIES = 3
# A bot started this long after the report's time still sends that morning's report.
GAP_REPORT_GRACE = timedelta(hours=3)
GAP_REPORT_DAYS = 7


@dataclass(frozen=True, slots=True)
class ReminderJob:
    subject_id: int  # the shift's number, or the event sign-up's
    minutes_before: int
    attempt: int = 1
    # The moment of the claim this job renews: its own, for another attempt; or, right after
    # a start, the one the previous bot left when it died sending the reminder (a take-over).
    held_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class QueuedReminder:
    """A reminder job as the job queue is to hold it: under which name, and when (at once if
    `due_at` is None)."""

    name: str
    job: ReminderJob
    due_at: datetime | None = None


Words = Callable[[Translator], tuple[str, InlineKeyboardMarkup | None]]


@dataclass(frozen=True, slots=True)
class Claimed:
    """A reminder claimed for sending: every chat to tell, each with its reader's language (a
    household's adults; for an information meeting, the person who signed up), and its words
    in a language."""

    recipients: list[tuple[int, Translator]]
    words: Words


@dataclass(frozen=True, slots=True)
class Reminding:
    """One kind of reminder as the job queue plans and sends it: shifts' (here) or events'
    (handlers/event_reminders.py). Each kind has job names of its own, so that replanning one
    kind leaves the other's jobs alone; the planning, the retries and the record of what went
    out are the same for both."""

    name: str  # for the log
    job_name: str
    retry_job_name: str
    replan_job_name: str
    kind: reminders.Kind
    offsets: Callable[[Config], tuple[timedelta, ...]]
    claim: Callable[[MentorContext, ReminderJob, datetime], Awaitable[Claimed | None]]


def reminder_jobs(
    plan: reminders.ReminderPlan, moment: datetime, reminding: Reminding | None = None
) -> list[QueuedReminder]:
    """The jobs a replan at `moment` queues for `plan`: every reminder due now, and those due
    within the horizon. A replan first removes the jobs named `job_name` (REMINDER_JOB for
    shifts), not the others."""
    kind = reminding or SHIFT_REMINDERS
    jobs = [
        _queued(
            kind,
            ReminderJob(
                reminder.subject.id, reminder.minutes_before, held_since=reminder.held_since
            ),
        )
        for reminder in plan.now
    ]
    for reminder in plan.later:
        if reminder.due_at > moment + HORIZON:
            break  # the plan is in order of due time
        jobs.append(
            _queued(
                kind, ReminderJob(reminder.subject.id, reminder.minutes_before), reminder.due_at
            )
        )
    return jobs


def _queued(
    reminding: Reminding, job: ReminderJob, due_at: datetime | None = None
) -> QueuedReminder:
    # A job that renews a claim (a retry, or the take-over of the claim a bot that died left)
    # is for a reminder in SENDING, which a replan does not plan again: it must not remove it.
    name = reminding.job_name if job.held_since is None else reminding.retry_job_name
    return QueuedReminder(name, job, due_at)


async def start(application: MentorApplication) -> None:
    """Rebuild every rota job from the database; called once the database is open."""
    await start_reminders(application, SHIFT_REMINDERS)
    _schedule_gap_report(application)


async def start_reminders(application: MentorApplication, reminding: Reminding) -> None:
    """Plan a kind's reminders from the database as a bot that has just started, then again
    every REPLAN_EVERY, so that reminders beyond the horizon are queued in time."""
    await plan(application, reminding, after_restart=True)
    queue = application.job_queue
    assert queue is not None  # the job-queue extra is a dependency

    async def replan(context: MentorContext) -> None:
        await plan(context.application, reminding)

    queue.run_repeating(
        replan, interval=REPLAN_EVERY, first=REPLAN_EVERY, name=reminding.replan_job_name
    )


async def rota_changed(application: MentorApplication) -> None:
    """Everything timed by the rota is planned again: reminders, and the next shift's start."""
    await plan_reminders(application)
    await offers.plan_shift_start(application)


async def plan_reminders(
    application: MentorApplication,
    *,
    after_restart: bool = False,
) -> None:
    """Queue the shift reminders the database says are due; call after every change to the
    rota."""
    await plan(application, SHIFT_REMINDERS, after_restart=after_restart)


async def plan(
    application: MentorApplication, reminding: Reminding, *, after_restart: bool = False
) -> None:
    """Queue the reminders of a kind the database says are due, in place of those queued."""
    bot_data = application.bot_data
    queue = application.job_queue
    assert queue is not None
    moment = now()
    planned = await reminders.schedule(
        bot_data.db,
        reminding.offsets(bot_data.config),
        moment,
        after_restart=after_restart,
        kind=reminding.kind,
    )
    for job in queue.get_jobs_by_name(reminding.job_name):
        job.schedule_removal()
    for queued in reminder_jobs(planned, moment, reminding):
        _queue_reminder(application, reminding, queued)


def _queue_reminder(
    application: MentorApplication, reminding: Reminding, queued: QueuedReminder
) -> None:
    queue = application.job_queue
    assert queue is not None

    async def send(context: MentorContext) -> None:
        await _send_reminder(context, reminding)

    queue.run_once(
        send,
        when=queued.due_at or 0,
        data=queued.job,
        name=queued.name,
        job_kwargs=RUN_LATE,
    )


async def _send_reminder(context: MentorContext, reminding: Reminding) -> None:
    job = _job_data(context.job)
    db = context.db
    claimed_at = now()
    claimed = await reminding.claim(context, job, claimed_at)
    if claimed is None:
        return  # sent, skipped, no longer wanted, swapped, or claimed by another job
    failed = False
    for chat_id, t in claimed.recipients:
        text, keyboard = claimed.words(t)
        try:
            await context.bot.send_message(chat_id, text, reply_markup=keyboard)
        except Forbidden:
            logger.info(
                "%s reminder %s: a recipient has blocked the bot", reminding.name, job.subject_id
            )
        except TelegramError as error:
            logger.warning(
                "%s reminder %s to one of its recipients: %s",
                reminding.name,
                job.subject_id,
                failure(error),
            )
            failed = True
    if failed and job.attempt < RETRIES:
        # Left in SENDING: a partner may read it twice, which beats a missed evening.
        retry = ReminderJob(
            job.subject_id, job.minutes_before, job.attempt + 1, held_since=claimed_at
        )
        _queue_reminder(
            context.application, reminding, _queued(reminding, retry, now() + RETRY_AFTER)
        )
        return
    if not await reminders.finish(
        db, job.subject_id, job.minutes_before, now(), held_since=claimed_at, kind=reminding.kind
    ):
        logger.info(
            "%s %s changed hands while its reminder went out; the new holder's stays theirs",
            reminding.name,
            job.subject_id,
        )


async def _claim_shift_reminder(
    context: MentorContext, job: ReminderJob, moment: datetime
) -> Claimed | None:
    delivery = await reminders.claim(
        context.db, job.subject_id, job.minutes_before, moment, held_since=job.held_since
    )
    if delivery is None:
        return None
    shift = delivery.listing.shift

    def words(t: Translator) -> tuple[str, InlineKeyboardMarkup | None]:
        text = t(
            "reminder.text",
            number=shift.id,
            left=shift.starts_at - moment,
            when=t.span(shift.starts_at, shift.ends_at, context.config.timezone),
        )
        offer = InlineKeyboardButton(
            t("reminder.offer"), callback_data=buttons.offer_shift(shift.id)
        )
        return text, InlineKeyboardMarkup([[offer]])

    recipients = [(m.telegram_user_id, member_translator(context, m)) for m in delivery.recipients]
    return Claimed(recipients, words)


SHIFT_REMINDERS = Reminding(
    name="shift",
    job_name=REMINDER_JOB,
    retry_job_name=REMINDER_RETRY_JOB,
    replan_job_name=REPLAN_JOB,
    kind=reminders.SHIFTS,
    offsets=lambda config: config.reminders,
    claim=_claim_shift_reminder,
)


def _job_data(job: Job[MentorContext] | None) -> ReminderJob:
    if job is None or not isinstance(job.data, ReminderJob):
        raise TypeError("a reminder job without its reminder")
    return job.data


def _schedule_gap_report(application: MentorApplication) -> None:
    schedule_each_morning(application, _send_gap_report, GAP_REPORT_JOB)


def schedule_each_morning(
    application: MentorApplication,
    callback: Callable[[MentorContext], Coroutine[Any, Any, None]],
    name: str,
) -> None:
    """Run `callback` each day at the morning report's time (MENTORBOT_GAP_REPORT; never if
    it is off), and at once when the bot starts less than GAP_REPORT_GRACE after that time, so
    that a morning the bot was down for is not missed. The callback claims its local day in
    the database, so it acts once a day however often it runs."""
    config = application.bot_data.config
    if config.gap_report_at is None:
        return
    queue = application.job_queue
    assert queue is not None
    tz = config.timezone
    queue.run_daily(
        callback,
        time=config.gap_report_at.replace(tzinfo=tz),
        name=name,
        job_kwargs={"misfire_grace_time": int(GAP_REPORT_GRACE.total_seconds())},
    )
    local_now = now().astimezone(tz)
    due = datetime.combine(local_now.date(), config.gap_report_at, tzinfo=tz)
    if due <= local_now < due + GAP_REPORT_GRACE:
        queue.run_once(callback, when=0, name=name, job_kwargs=RUN_LATE)


async def _send_gap_report(context: MentorContext) -> None:
    """Once per local day, whoever runs first (the daily job or a catch-up at start)."""
    config = context.config
    db = context.db
    moment = now()
    today = moment.astimezone(config.timezone).date()
    if not await rota_planning.claim_gap_report(db, today, moment):
        return
    days = await rota_planning.coverage(
        db, today, GAP_REPORT_DAYS, config.service_hours, config.timezone, since=moment
    )
    gaps = [gap for day in days for gap in day.gaps]
    unanswered = routing.at_the_coordinators(await routing.open_requests(db))
    if not gaps and not unanswered:
        return
    mentors = await availability.mentor_households(db)
    away = (
        await availability.away_households(db, gaps[0].start, gaps[-1].end)
        if gaps
        else Availability()
    )
    for coordinator in await members.with_role(db, Role.COORDINATOR):
        t = member_translator(context, coordinator)
        lines = []
        if unanswered:
            lines.append(t("report.unanswered_header"))
            lines.extend(request_line(t, request) for request in unanswered)
        if gaps:
            lines.append(t("gaps.report_header", days=GAP_REPORT_DAYS))
            free = (lambda gap: away.free(mentors, gap)) if mentors else None
            lines.extend(gap_report_lines(t, days, config.timezone, free))
        try:
            await context.bot.send_message(
                coordinator.telegram_user_id,
                "\n".join(lines),
                reply_markup=fill_keyboard(t, days, config.timezone),
            )
        except TelegramError as error:
            logger.warning("gap report to member %s: %s", coordinator.id, failure(error))
