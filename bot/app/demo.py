"""A believable municipality for the sandbox's demo: people, households, a rota, a newsletter.

Everything is written through the same services the bot uses (invites redeemed, households
named, shifts booked by the coordinator, a broadcast submitted), so the demo's database is one
the bot could have built itself, and its audit log says so. The rota is laid out around the
moment the demo starts: two mentor families are on duty at once, so that a visitor can ask a
question as a family and accept it as a mentor within a minute, and the coming weekend is
partly covered, so that `/rota` has gaps to show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import broadcasts, invites, members, rota_planning
from bot.broadcasts import Draft
from bot.rota import Interval, local_span
from storage.db import Database
from storage.models import Audience, Kind, Member, Role

ON_DUTY_HOURS = 6  # at least; a demo started in the day runs on to the evening's end
EVENING_ENDS = time(22)


@dataclass(frozen=True, slots=True)
class DemoAdult:
    first_name: str
    last_name: str


@dataclass(frozen=True, slots=True)
class DemoHousehold:
    """A household of the demo; its name is a surname, said the way the language says it."""

    surname: str
    role: Role
    adults: tuple[DemoAdult, ...]

    def display_name(self, language: str) -> str:
        if self.role is Role.COORDINATOR:
            return _OFFICE[language]
        return _FAMILY_NAME[language].format(surname=self.surname)


_FAMILY_NAME = {"sv": "Familjen {surname}", "da": "Familien {surname}", "en": "The {surname}s"}
_OFFICE = {"sv": "Familjehemsenheten", "da": "Plejefamilieteamet", "en": "Foster care team"}


def _household(surname: str, role: Role, *first_names: str) -> DemoHousehold:
    return DemoHousehold(surname, role, tuple(DemoAdult(name, surname) for name in first_names))


HOUSEHOLDS: tuple[DemoHousehold, ...] = (
    _household("Lund", Role.COORDINATOR, "Karin"),
    _household("Berg", Role.MENTOR, "Eva", "Johan"),
    _household("Holm", Role.MENTOR, "Sara"),
    _household("Nilsson", Role.MENTOR, "Per"),
    _household("Ek", Role.FAMILY, "Lina", "Omar"),
    _household("Sjöberg", Role.FAMILY, "Maria"),
    _household("Dahl", Role.FAMILY, "Anders"),
    _household("Lindqvist", Role.FAMILY, "Fatima"),
    _household("Andersson", Role.FAMILY, "Jonas"),
)

_NEWSLETTER = {
    "sv": (
        "<b>Nyhetsbrev hösten</b>\n"
        "Välkommen till höstens träffar! Temamorgon om skolstart för placerade barn på "
        "tisdag 09:00, och kurskatalogen från de tio kommunerna är ute. "
        "Frågor på kvällar och helger: skriv här, så svarar mentorfamiljen i tjänst."
    ),
    "da": (
        "<b>Nyhedsbrev efterår</b>\n"
        "Velkommen til efterårets møder! Temamorgen om skolestart for anbragte børn tirsdag "
        "kl. 9, og kursuskataloget fra de ti kommuner er udkommet. "
        "Spørgsmål om aftenen og i weekenden: skriv her, så svarer mentorfamilien på vagt."
    ),
    "en": (
        "<b>Autumn newsletter</b>\n"
        "Welcome to this autumn's meetings! A theme morning on starting school for placed "
        "children on Tuesday at 09:00, and the course catalogue of the ten municipalities "
        "is out. Questions on evenings and weekends: write here, and the mentor family on "
        "duty answers."
    ),
}


def adults() -> list[tuple[DemoHousehold, DemoAdult]]:
    """Every person of the demo, coordinator first."""
    return [(household, adult) for household in HOUSEHOLDS for adult in household.adults]


async def seed(
    db: Database,
    telegram_ids: Mapping[DemoAdult, int],
    language: str,
    tz: ZoneInfo,
    now: datetime,
) -> None:
    """Write the demo into an empty database; ``telegram_ids`` says who each adult is."""
    joined: dict[str, list[Member]] = {}
    coordinator: Member | None = None  # the first household; she invites everybody else
    for household in HOUSEHOLDS:
        household_members = await _join(db, household, coordinator, telegram_ids, language, now)
        joined[household.surname] = household_members
        coordinator = coordinator or household_members[0]
    assert coordinator is not None and coordinator.role is Role.COORDINATOR
    for surname, span in _rota(now, tz):
        booked = await rota_planning.add(db, joined[surname][0].id, span, coordinator, now)
        if isinstance(booked, rota_planning.Refusal):  # the plan never overlaps itself
            raise RuntimeError(f"demo shift refused: {booked.problem}")
    await broadcasts.submit(
        db,
        coordinator,
        Draft(Kind.TEXT, _NEWSLETTER[language]),
        Audience.FAMILIES,
        send_at=None,
        now=now,
    )


async def _join(
    db: Database,
    household: DemoHousehold,
    invited_by: Member | None,
    telegram_ids: Mapping[DemoAdult, int],
    language: str,
    now: datetime,
) -> list[Member]:
    """The first adult joins by an invite, the others by the first one's partner link."""
    first, *partners = household.adults
    issued = await invites.issue(db, household.role, now, created_by=invited_by)
    joined = await _redeem(db, issued.code, telegram_ids[first], now)
    await members.name_household(db, joined, household.display_name(language))
    # Read again, named: the audit log records the name its actor has at the time.
    founder = await members.identify(db, joined.telegram_user_id)
    if founder is None:
        raise RuntimeError("demo member vanished after joining")
    household_members = [founder]
    for partner in partners:
        partner_invite = await invites.issue_partner_invite(db, founder, now)
        if partner_invite is None:
            raise RuntimeError("a demo household has more adults than a household may")
        adult = await _redeem(db, partner_invite.code, telegram_ids[partner], now)
        if not adult.approved and invited_by is not None:  # the demo's coordinator says yes
            await members.approve(db, invited_by, adult.id, adult.joined_at, now)
        household_members.append(adult)
    return household_members


async def _redeem(db: Database, code: str, telegram_id: int, now: datetime) -> Member:
    result = await invites.redeem(db, code, telegram_id, now)
    if result.member is None:
        raise RuntimeError(f"demo invite not redeemed: {result.outcome}")
    return result.member


def _rota(now: datetime, tz: ZoneInfo) -> Sequence[tuple[str, Interval]]:
    """Berg and Holm on duty from this hour until the evening is over (six hours at least); the
    coming weekend half covered by the three."""
    local_now = now.astimezone(tz)
    # Hours of real time, counted in UTC: on the nights the clocks change, local arithmetic
    # would make the shift an hour shorter or longer (or end at a time that does not exist).
    this_hour = local_now.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    evening_ends = datetime.combine(local_now.date(), EVENING_ENDS, tzinfo=tz).astimezone(UTC)
    on_duty = Interval(this_hour, max(this_hour + timedelta(hours=ON_DUTY_HOURS), evening_ends))
    saturday = _next_saturday(local_now.date())
    sunday = saturday + timedelta(days=1)
    return [
        ("Berg", on_duty),
        ("Holm", on_duty),
        ("Nilsson", local_span(saturday, time(9), time(15), tz)),
        ("Berg", local_span(saturday, time(15), time(22), tz)),
        ("Holm", local_span(sunday, time(9), time(15), tz)),
    ]


def _next_saturday(today: date) -> date:
    """The Saturday after today: a week away on a Saturday, so that the weekend's shifts never
    clash with the ones on duty now (those end by 06:00 on a Saturday begun on a Friday)."""
    days = (5 - today.weekday()) % 7
    return today + timedelta(days=days or 7)
