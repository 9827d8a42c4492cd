"""What unit and end-to-end tests share besides fixtures: households written straight to the
database, a family's question as the texts that show it receive it, and the catalogues' texts."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from babel.messages.pofile import read_po

from storage import households
from storage.db import Database
from storage.models import Kind, Member, Request, RequestState, Role

LOCALES = Path(__file__).resolve().parents[1] / "bot" / "locales"


async def make_household(
    db: Database, role: Role, name: str | None, telegram_ids: tuple[int, ...], at: datetime
) -> list[Member]:
    """A household with one member per Telegram account, in member-number order."""
    async with db.write() as session:
        household_id = await households.create_household(session, role, at, name)
        for telegram_id in telegram_ids:
            await households.add_member(session, household_id, telegram_id, at)
        return await households.household_members(session, household_id)


FAMILY_AS_TYPED = "Ek & <Söner>"  # a household's name, as a family typed it
WORDS_AS_TYPED = "Han är <3 år & sover <b>inte</b>"  # a family's first words


def offered_request(now: datetime) -> Request:
    """Question 12, offered four minutes before `now`, its name and words full of markup."""
    asked = now - timedelta(minutes=4)
    return Request(
        id=12,
        family_household_id=3,
        family_name=FAMILY_AS_TYPED,
        state=RequestState.OFFERED,
        escalation=0,
        urgent=False,
        first_kind=Kind.TEXT,
        preview=WORDS_AS_TYPED,
        opened_at=asked,
        offered_at=asked,
        escalated_at=None,
        accepted_at=None,
        mentor_member_id=None,
        mentor_name=None,
    )


def forms(locales: Path, language: str) -> dict[str, tuple[str, ...]]:
    """Each entry's id and its forms (one, or one per plural form); a fuzzy entry has none."""
    entries: dict[str, tuple[str, ...]] = {}
    with (locales / f"{language}.po").open("rb") as po_file:
        for message in read_po(po_file, locale=language):
            if not message.id:
                continue  # the header
            ids = [message.id] if isinstance(message.id, str) else list(message.id)
            string = message.string
            texts = (string,) if isinstance(string, str) else tuple(string or ())
            for msgid in ids:
                entries[msgid] = () if message.fuzzy else texts
    return entries
