"""Importing the course catalogue: an event is updated by its id, never added twice; the file
goes in whole or not at all; an unchanged row is left alone; a stale preview changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot import audit, catalogue_import, events
from bot.catalogue_import import CHANGED, Imported
from bot.event_catalogue import CatalogueProblem, CatalogueReason, CatalogueRow
from bot.events import EventProblem
from storage.db import Database
from storage.models import Event, EventAudience, EventDetails, EventKind, Member, Role
from tests.support import make_household

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
DAY, HOUR = timedelta(days=1), timedelta(hours=1)

SERVICE = "mentorbot"  # the bot's name in its events' ids


def details(n: int, **changes: object) -> EventDetails:
    base = EventDetails(
        kind=EventKind.COURSE,
        title=f"Kursdag {n}",
        starts_at=NOW + (10 + n) * DAY,
        ends_at=NOW + (10 + n) * DAY + 3 * HOUR,
        audience=EventAudience.FAMILIES,
        place="Kulturhuset",
        capacity=10,
        catalogue_id=f"kk-{n}",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def rows(*found: EventDetails) -> list[CatalogueRow]:
    return [CatalogueRow(line, row) for line, row in enumerate(found, start=2)]


@pytest.fixture
async def karin(db: Database) -> Member:
    (coordinator,) = await make_household(db, Role.COORDINATOR, "Karin", (8_002,), NOW - DAY)
    return coordinator


async def imported(db: Database, karin: Member, found: list[CatalogueRow]) -> Imported:
    plan = await catalogue_import.preview(db, found, NOW, service=SERVICE)
    assert plan.problems == []
    result = await catalogue_import.apply(db, found, karin, NOW, plan.digest, service=SERVICE)
    assert isinstance(result, Imported), result
    return result


async def all_events(db: Database) -> list[Event]:
    return await catalogue_import.catalogue(db, NOW)


async def test_a_second_import_updates_by_id_and_leaves_the_rest_alone(
    db: Database, karin: Member
) -> None:
    first = await imported(db, karin, rows(*(details(n) for n in range(5))))
    assert (len(first.added), len(first.changed), first.unchanged) == (5, 0, 0)
    audit_lines = len(await audit.latest(db, 100))

    moved = details(1, starts_at=NOW + 20 * DAY, ends_at=NOW + 20 * DAY + HOUR)
    renamed = details(3, title="Trygg anknytning")
    again = rows(details(0), moved, details(2), renamed, details(4), details(5))
    plan = await catalogue_import.preview(db, again, NOW, service=SERVICE)
    assert (len(plan.added), len(plan.changed), len(plan.unchanged)) == (1, 2, 3)
    result = await catalogue_import.apply(db, again, karin, NOW, plan.digest, service=SERVICE)

    assert isinstance(result, Imported)
    assert [(c.event.details.title, c.time_changed, c.place_changed) for c in result.changed] == [
        ("Kursdag 1", True, False),
        ("Trygg anknytning", False, False),
    ]
    stored = await all_events(db)
    assert len(stored) == 6
    assert {event.details.catalogue_id for event in stored} == {f"kk-{n}" for n in range(6)}
    # One audit line per change and per new event; none for the three unchanged rows.
    assert len(await audit.latest(db, 100)) == audit_lines + 3


async def test_an_event_made_here_is_matched_by_its_exported_uid(
    db: Database, karin: Member
) -> None:
    made = await events.create(db, details(0, catalogue_id=None), karin, NOW)
    assert isinstance(made, Event)
    uid = f"event-{made.id}@mentorbot"
    same = rows(details(0, catalogue_id=uid))
    plan = await catalogue_import.preview(db, same, NOW, service=SERVICE)
    assert (len(plan.added), len(plan.unchanged)) == (0, 1)

    result = await imported(db, karin, rows(details(0, catalogue_id=uid, place="Sal 2")))
    assert [change.event.id for change in result.changed] == [made.id]
    (stored,) = await all_events(db)
    assert stored.details.place == "Sal 2" and stored.details.catalogue_id is None


async def test_another_municipalitys_event_of_the_same_number_is_added_not_ours_changed(
    db: Database, karin: Member
) -> None:
    """Before, every bot named its own events event-N@mentorbot, so this municipality's import
    of the next one's catalogue overwrote its own event N with theirs."""
    here = "vordingborg_mentorbot"
    ours = await events.create(db, details(0, catalogue_id=None), karin, NOW)
    assert isinstance(ours, Event)
    theirs = details(1, catalogue_id=f"event-{ours.id}@mentorbot", title="Örebros kurs")
    found = rows(theirs)

    plan = await catalogue_import.preview(db, found, NOW, service=here)
    result = await catalogue_import.apply(db, found, karin, NOW, plan.digest, service=here)

    assert isinstance(result, Imported)
    assert (len(result.added), result.changed) == (1, [])
    stored = {event.id: event.details for event in await all_events(db)}
    assert stored[ours.id].title == "Kursdag 0"
    assert [d.catalogue_id for d in stored.values() if d.title == "Örebros kurs"] == [
        f"event-{ours.id}@mentorbot"
    ]


async def test_one_bad_row_and_nothing_is_imported(db: Database, karin: Member) -> None:
    await imported(db, karin, rows(details(0)))
    found = rows(
        details(0, title="Ändrad"),
        details(1),
        details(2, starts_at=NOW - DAY, ends_at=NOW - DAY + HOUR),
        details(3, capacity=0),
    )
    plan = await catalogue_import.preview(db, found, NOW, service=SERVICE)
    assert plan.problems == [
        CatalogueProblem(4, EventProblem.PAST),
        CatalogueProblem(5, EventProblem.BAD_CAPACITY),
    ]
    assert (
        await catalogue_import.apply(db, found, karin, NOW, plan.digest, service=SERVICE)
        == plan.problems
    )
    (only,) = await all_events(db)
    assert only.details.title == "Kursdag 0"


async def test_an_unchanged_row_of_an_event_that_has_begun_is_no_problem(
    db: Database, karin: Member
) -> None:
    await imported(db, karin, rows(details(0)))
    later = NOW + 10 * DAY + HOUR  # in the middle of it: the export still lists it
    plan = await catalogue_import.preview(db, rows(details(0)), later, service=SERVICE)
    assert plan.problems == [] and len(plan.unchanged) == 1
    changed = await catalogue_import.preview(
        db, rows(details(0, title="x")), later, service=SERVICE
    )
    assert [p.reason for p in changed.problems] == [EventProblem.PAST]


async def test_a_row_of_a_cancelled_event_or_one_its_signups_refuse_is_named(
    db: Database, karin: Member
) -> None:
    await imported(db, karin, rows(details(0), details(1)))
    first, second = await all_events(db)
    assert not isinstance(await events.cancel(db, karin, first.id, NOW), EventProblem)
    (family,) = await make_household(db, Role.FAMILY, "Familjen Ek", (9_001,), NOW - DAY)
    assert not isinstance(await events.sign_up(db, second.id, family, 4, 0, NOW), EventProblem)

    found = rows(details(0, title="Igen"), details(1, capacity=3))
    plan = await catalogue_import.preview(db, found, NOW, service=SERVICE)
    assert plan.problems == [
        CatalogueProblem(2, CatalogueReason.EVENT_CANCELLED, "Kursdag 0"),
        CatalogueProblem(3, EventProblem.CAPACITY_TOO_SMALL),
    ]


async def test_a_preview_that_is_no_longer_true_changes_nothing(
    db: Database, karin: Member
) -> None:
    await imported(db, karin, rows(details(0)))
    found = rows(details(0, title="Ny"), details(1))
    plan = await catalogue_import.preview(db, found, NOW, service=SERVICE)
    (event,) = await all_events(db)
    changed = await events.update(db, karin, event.id, details(0, place="Annat"), NOW)
    assert not isinstance(changed, EventProblem)

    assert (
        await catalogue_import.apply(db, found, karin, NOW, plan.digest, service=SERVICE) is CHANGED
    )
    assert await catalogue_import.apply(db, found, karin, NOW, "0" * 16, service=SERVICE) is CHANGED
    (still,) = await all_events(db)
    assert (still.details.title, still.details.place) == ("Kursdag 0", "Annat")


async def test_a_changed_time_says_who_must_be_told(db: Database, karin: Member) -> None:
    await imported(db, karin, rows(details(0)))
    (event,) = await all_events(db)
    (family,) = await make_household(db, Role.FAMILY, "Familjen Ek", (9_001,), NOW - DAY)
    assert not isinstance(await events.sign_up(db, event.id, family, 2, 0, NOW), EventProblem)

    later = details(
        0, starts_at=event.details.starts_at + HOUR, ends_at=event.details.ends_at + HOUR
    )
    result = await imported(db, karin, rows(later))
    (change,) = result.changed
    assert change.time_changed
    assert [party.members[0].id for party in change.to_tell] == [family.id]


async def test_who_may_sign_up_and_the_kind_stay_while_people_are_signed_up(
    db: Database, karin: Member
) -> None:
    await imported(db, karin, rows(details(0), details(1), details(2)))
    first, second, third = await all_events(db)
    (family,) = await make_household(db, Role.FAMILY, "Familjen Ek", (9_001,), NOW - DAY)
    for event in (first, second, third):
        assert not isinstance(await events.sign_up(db, event.id, family, 2, 0, NOW), EventProblem)

    found = rows(
        details(0, audience=EventAudience.MENTORS),  # would shut the family out
        details(1, kind=EventKind.OUTING),
        details(2, audience=EventAudience.EVERYONE),  # open to more: the family may still come
    )
    plan = await catalogue_import.preview(db, found, NOW, service=SERVICE)
    assert plan.problems == [
        CatalogueProblem(2, EventProblem.AUDIENCE_SIGNED_UP),
        CatalogueProblem(3, EventProblem.KIND_SIGNED_UP),
    ]
    assert await catalogue_import.apply(db, found, karin, NOW, plan.digest, service=SERVICE) == (
        plan.problems
    )
    stored = await all_events(db)
    assert [(e.details.kind, e.details.audience) for e in stored] == [
        (EventKind.COURSE, EventAudience.FAMILIES)
    ] * 3
    # Without sign-ups an event may become anything, and opening one to everyone always may.
    widened = await imported(db, karin, rows(details(2, audience=EventAudience.EVERYONE)))
    assert [c.event.details.audience for c in widened.changed] == [EventAudience.EVERYONE]
    await imported(db, karin, rows(details(5)))
    await imported(
        db, karin, rows(details(5, kind=EventKind.OUTING, audience=EventAudience.MENTORS))
    )
