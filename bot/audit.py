"""Reading the audit log back (what it records is `storage.models.Action`).

Entries name members, shifts and broadcasts by number and role only: the log must be safe to
show to anyone entitled to see who did what, including the data protection officer.
"""

from __future__ import annotations

from storage import audit
from storage.audit import AuditEntry
from storage.db import Database

DEFAULT_ENTRIES = 20
MAX_ENTRIES = 200


async def latest(db: Database, count: int) -> list[AuditEntry]:
    async with db.read() as session:
        return await audit.latest(session, count)
