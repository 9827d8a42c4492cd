"""Event reminders in the job queue: MENTORBOT_EVENT_REMINDERS before an event's start, to every
adult of each household with a confirmed place (and to each prospective family with a place at
an information meeting), with the event's card.

They are planned, retried and recorded exactly as shift reminders are (handlers/rota_jobs.py,
bot/reminders.py), under job names of their own: rebuilt from the database at start and every
hour, and planned again after every sign-up, cancellation or change that affects them
(`events_changed`), so a restart neither loses one nor sends one twice.
"""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardMarkup

from bot import events
from bot.i18n import Translator
from handlers import rota_jobs
from handlers.common import MentorApplication, MentorContext
from handlers.event_notices import recipients
from handlers.rota_jobs import Claimed, ReminderJob, Reminding
from handlers.signup_text import reminder_text


async def _claim(context: MentorContext, job: ReminderJob, moment: datetime) -> Claimed | None:
    delivery = await events.claim_reminder(
        context.db, job.subject_id, job.minutes_before, moment, held_since=job.held_since
    )
    if delivery is None:
        return None
    listing = delivery.listing
    left = listing.event.details.starts_at - moment

    def words(t: Translator) -> tuple[str, InlineKeyboardMarkup | None]:
        return reminder_text(t, listing, left, context.config.timezone), None

    return Claimed(recipients(context, delivery.party), words)


EVENT_REMINDERS = Reminding(
    name="event sign-up",
    job_name="event-reminder",
    retry_job_name="event-reminder-retry",
    replan_job_name="event-reminder-replan",
    kind=events.REMINDERS,
    offsets=lambda config: config.event_reminders,
    claim=_claim,
)


async def start(application: MentorApplication) -> None:
    """Rebuild the event reminders from the database; called once the database is open."""
    await rota_jobs.start_reminders(application, EVENT_REMINDERS)


async def events_changed(application: MentorApplication) -> None:
    """Plan the event reminders again: after a sign-up, a cancellation (and the moves up it
    made), or a coordinator's change or cancellation of an event."""
    await rota_jobs.plan(application, EVENT_REMINDERS)
