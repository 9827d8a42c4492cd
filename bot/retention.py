"""Data minimisation: what a question said is kept only while it is needed.

The content of a question (its first words, the family's comment, the mentor's note) and the
pointers to the messages it relayed are erased `MENTORBOT_RETENTION_DAYS` after the question
ended. What remains is metadata the evaluation needs and nobody can read a family's words in:
when it was asked, accepted and ended, by which households, the rating and the topic. A
broadcast's deliveries stop saying whom they went to after the same time.

A mentor household's away span goes the night after it ended: it serves planning ahead only,
and its reason may be illness, health data that is kept no longer than it serves. So do the
chats an open gap's Take button was shown in, once the gap's time has passed.

A sign-up for an event stops saying whose it was `MENTORBOT_RETENTION_DAYS` after the event:
how many signed up, waited, came and gave up are the figures, and they need no household. A
household's course days of a year, counted from those sign-ups, serve that year's follow-up:
they go the same time after the year ended (no event of the year ends later), by the
calendar year in UTC, which ends an hour or two after the Nordic one, never before it.

A mentor's note for the social worker goes the same time after it was delivered (or written,
when the family never answered it); a note the family said no to was erased at once. A
mentor's request to be called back stops saying who asked, and who took it, the same time after
it was made.

A broadcast's text and file are kept longer, `MENTORBOT_BROADCAST_RETENTION_DAYS` after it went
out (a newsletter is looked back on), then erased; its kind, audience, times and counts remain.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import availability, broadcasts, debriefs, events, interest, requests, unit_notes
from storage.db import Database


async def erase_expired_content(db: Database, retention: timedelta, now: datetime) -> int:
    """Erase the content of questions that ended more than `retention` ago, registrations of
    interest older than that, who received the broadcasts finished before then, and the away
    spans and the open gaps' buttons whose time has passed, whose the sign-ups were for events
    over before then, and the course days of the years over before then; returns how many
    questions were erased."""
    async with db.write(slow=True) as session:  # a day's worth of every kind, at once
        await availability.delete_away_ended_before(session, now)
        await availability.forget_ended_offers(session, now)
        await interest.erase_registered_before(session, now - retention, now)
        await events.forget_households_ended_before(session, now - retention)
        await events.forget_course_days_before(session, (now - retention).astimezone(UTC).year)
        await broadcasts.forget_recipients_finished_before(session, now - retention)
        await unit_notes.erase_before(session, now - retention)
        await debriefs.forget_asked_before(session, now - retention)
        return await requests.erase_content_ended_before(session, now - retention)


async def erase_expired_broadcasts(db: Database, retention: timedelta, now: datetime) -> int:
    """Erase the text and file of broadcasts finished more than `retention` ago; returns how
    many were erased."""
    async with db.write(slow=True) as session:
        return await broadcasts.erase_content_finished_before(session, now - retention)
