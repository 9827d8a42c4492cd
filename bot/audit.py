"""What the audit log records, and reading it back.

Entries name members, shifts and broadcasts by number and role only: the log must be safe to
show to anyone entitled to see who did what, including the data protection officer.
"""

from __future__ import annotations

from enum import StrEnum

from storage import audit
from storage.audit import AuditEntry
from storage.db import Database

DEFAULT_ENTRIES = 20
MAX_ENTRIES = 200


class Action(StrEnum):
    INVITE = "invite"
    REMOVE = "remove"
    SHIFT_ADD = "shift_add"
    SHIFT_DELETE = "shift_delete"
    SHIFT_IMPORT = "shift_import"
    BROADCAST = "broadcast"
    BROADCAST_CANCEL = "broadcast_cancel"
    DATA_EXPORT = "data_export"
    ERASURE = "erasure"
    INVITE_REVOKE = "invite_revoke"
    PARTNER_JOIN = "partner_join"
    APPROVE = "approve"


async def latest(db: Database, count: int) -> list[AuditEntry]:
    async with db.read() as session:
        return await audit.latest(session, count)
