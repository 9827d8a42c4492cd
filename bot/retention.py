"""Data minimisation: what a question said is kept only while it is needed.

The content of a question (its first words, the family's comment, the mentor's note) and the
pointers to the messages it relayed are erased `MENTORBOT_RETENTION_DAYS` after the question
ended. What remains is metadata the evaluation needs and nobody can read a family's words in:
when it was asked, accepted and ended, by which households, the rating and the topic.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from storage import interest, requests
from storage.db import Database


async def erase_expired_content(db: Database, retention: timedelta, now: datetime) -> int:
    """Erase the content of questions that ended more than `retention` ago, and registrations
    of interest older than that; returns how many questions were erased."""
    async with db.write() as session:
        await interest.erase_registered_before(session, now - retention)
        return await requests.erase_content_ended_before(session, now - retention)
