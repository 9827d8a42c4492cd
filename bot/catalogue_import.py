"""Importing the shared course catalogue: which rows are new, changed or unchanged, and applying
it whole or not at all.

A row names its event by the catalogue's stable id; an event made here has none, and its files
name it `event-N@` the bot's own name (bot.calendar_feed.event_uid), which matches it again on
the way back; another bot's `event-N@…` is that municipality's event, and is added here under
that id like any catalogue's. A row with no event is added; one whose event says something
else updates it through bot.events' own update, so its checks of the sign-ups hold (a capacity
below those who have places, children no longer along, an audience that would shut out those
signed up, another kind than they signed up for) and its `Changed` says who must be told;
an unchanged row is left alone (no write, no audit line). Only what is written must meet
bot.events.check_details: an unchanged row of an event that has begun is no problem, so an
export always reads back.

The whole file is planned and applied in one write transaction (BEGIN IMMEDIATE). The preview
the coordinator confirms carries a digest of its plan; applying plans again as it writes and
changes nothing if the plan is not the one shown. Every function takes `now`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from bot import events as domain
from bot.event_catalogue import CatalogueProblem, CatalogueReason, CatalogueRow, with_id
from storage import events
from storage.db import Database, Session
from storage.models import Event, EventDetails, EventState, Member

DIGEST_LENGTH = 16  # hex digits naming a plan in a button: 64 bits, well inside 64 bytes


@dataclass(frozen=True, slots=True)
class Change:
    row: CatalogueRow
    before: Event
    details: EventDetails  # the row's, under the event's own catalogue id


@dataclass(frozen=True, slots=True)
class Plan:
    """What a catalogue file would do, as of one moment; `digest` names it for a confirmation."""

    added: list[CatalogueRow]
    changed: list[Change]
    unchanged: list[Event]
    problems: list[CatalogueProblem]
    digest: str


class CatalogueChanged(Enum):
    """The events are no longer what the preview showed: nothing was changed."""

    CHANGED = "changed"


CHANGED = CatalogueChanged.CHANGED


@dataclass(frozen=True, slots=True)
class Imported:
    added: list[Event]
    changed: list[domain.Changed]  # each says who is to be told of a new time or place
    unchanged: int


async def _matches(
    session: Session, rows: Sequence[CatalogueRow], service: str
) -> dict[str, Event]:
    """Each row's id -> the event it names, if any: by catalogue id, else by number."""
    uids = [row.uid for row in rows]
    own = re.compile(rf"event-([0-9]{{1,18}})@{re.escape(service)}")
    numbers = {int(m[1]): uid for uid in uids if (m := own.fullmatch(uid))}
    found = await events.events_named(session, uids, list(numbers))
    by_catalogue = {e.details.catalogue_id: e for e in found if e.details.catalogue_id}
    by_number = {numbers[e.id]: e for e in found if e.details.catalogue_id is None}
    # A catalogue id of its own wins over a number: it is what that event's files say.
    return {**by_number, **by_catalogue}


def _digest(plan: Plan) -> str:
    parts = sorted(f"+{row.uid}={row.details!r}" for row in plan.added)
    # What an event said when the preview was made, too: a change made to it since (in a chat,
    # or by another import) is not overwritten unseen.
    parts += sorted(
        f"~{change.before.id}:{change.before.details!r}={change.details!r}"
        for change in plan.changed
    )
    parts += sorted(f"={event.id}" for event in plan.unchanged)
    parts += [f"!{problem!r}" for problem in plan.problems]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:DIGEST_LENGTH]


async def _plan(
    session: Session, rows: Sequence[CatalogueRow], now: datetime, service: str
) -> Plan:
    matched = await _matches(session, rows, service)
    added: list[CatalogueRow] = []
    changed: list[Change] = []
    unchanged: list[Event] = []
    problems: list[CatalogueProblem] = []
    for row in rows:
        before = matched.get(row.uid)
        if before is None:
            if problem := domain.check_details(row.details, now):
                problems.append(row.problem(problem))
            else:
                added.append(row)
            continue
        details = with_id(row, before.details.catalogue_id)
        if before.state is EventState.CANCELLED:
            problems.append(row.problem(CatalogueReason.EVENT_CANCELLED, before.details.title))
        elif details == before.details:
            unchanged.append(before)
        elif problem := (
            domain.check_details(details, now)
            or await domain.signups_problem(session, before, details)
        ):
            problems.append(row.problem(problem))
        else:
            changed.append(Change(row, before, details))
    problems.sort(key=lambda problem: problem.line)
    plan = Plan(added, changed, unchanged, problems, "")
    return Plan(added, changed, unchanged, problems, _digest(plan))


async def preview(
    db: Database, rows: Sequence[CatalogueRow], now: datetime, *, service: str
) -> Plan:
    """What importing the rows would do now, for the coordinator to confirm; `service` is the
    bot's own name, which its own events' ids carry (bot.calendar_feed.event_uid)."""
    async with db.read() as session:
        return await _plan(session, rows, now, service)


async def apply(
    db: Database,
    rows: Sequence[CatalogueRow],
    by: Member,
    now: datetime,
    expected: str,
    *,
    service: str,
) -> Imported | list[CatalogueProblem] | CatalogueChanged:
    """Import the rows whole if the plan is still the one shown (`expected`, its digest), else
    change nothing: the problems, or CHANGED if anything the file touches moved since."""
    async with db.write(slow=True) as session:  # a season of events
        plan = await _plan(session, rows, now, service)
        if plan.digest != expected:
            return CHANGED
        if plan.problems:
            return plan.problems
        added = [await domain.add_in(session, row.details, by, now) for row in plan.added]
        results = []
        for change in plan.changed:
            result = await domain.update_in(session, by, change.before, change.details, now)
            # Planned in this very transaction, by the same checks: nothing can refuse it now.
            assert not isinstance(result, domain.EventProblem), result
            results.append(result)
    return Imported(added, results, len(plan.unchanged))


async def catalogue(db: Database, now: datetime) -> list[Event]:
    """Every event not cancelled and not over, soonest first: the catalogue to hand on."""
    async with db.read() as session:
        return await events.events_not_over(session, now)
