"""2,000 households sign up for one outing at the same moment. The real bot against the double.

Seeds a coordinator, 2,000 foster-family households (one adult each, Swedish, Danish or English
on record) and one open outing with the children along and room for 600 people, directly in
the database; each household's party (1 to 4 adults, 0 to 3 children: about 4 people, so about
150 households fit) comes from `random.Random(2026)`. Starts `python -m bot run` against the
Bot API double with Telegram's limits on (the double's defaults: 30 messages a second per bot,
one a second per chat) and the bot's own rate limiter at its default (30 a second).

Then every household signs up at the same instant, pressing as a person does: Sign up, then
the number of adults in the question that comes, then the number of children in the question
it becomes, and waits for its answer (the calendar file of a place, or its place on the
waiting list). The first press is `press_data` with the data `handlers.buttons.signup` builds:
the Sign up of a message the double no longer holds (a newsletter's, say), because showing
`/events` to 2,000 households first would make this a bench of `/events`. The adults and the
children are pressed by their labels on the bot's own questions.

Checked and printed, beside their targets:
  - nobody over capacity: the people of the confirmed sign-ups, from the database;
  - the waiting list in arrival order: the order the bot received the final presses (the
    children's: the double numbers each update as it is pressed, and the bot takes them in
    that order) against the sign-ups' `queued_at`, number order in the database; and no
    household confirmed after one that waits (the list is served in strict order);
  - every household answered, with its confirmation or its place on the waiting list as the
    database has it, in its own language;
  - the time from the first press to the last answer. Each household takes 4 sends Telegram
    counts (the adults question, its two edits, the answer), so 2,000 households are 8,000
    sends, and at 30 a second the last answer cannot come before 267 s; the target is 90 % of
    Telegram's rate over the whole run.
Run: `python bench/events.py` (about 5 minutes); `--households 200` for a quick try (the
capacity stays 3 in 10 of the households, in people).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from broadcast import seed  # bench/ is the script's own folder
from harness import Inboxes, start_bot, stop

from bot import events
from bot.config import load_config
from bot.i18n import Translator, translator
from bot.sandbox import BotApiDouble, SandboxUser
from bot.sandbox.formatting import parse_html
from handlers import buttons
from handlers.signup_text import adults_question, children_question, confirmed_text, waiting_text
from storage.db import Database
from storage.models import Event, EventAudience, EventDetails, EventKind, EventRosterLine

TOKEN = "777777:bench-token"
HOUSEHOLDS = 2000
PLACES_PER_HOUSEHOLD = 0.3  # 600 people for 2,000 households
LANGUAGES = ("sv", "da", "en")
SENDS_PER_HOUSEHOLD = 4  # the adults question, its edit to the children's, its edit, the answer
TELEGRAM_RATE = 30.0  # a second, per bot: the double's default, and the bot's MENTORBOT_API_RATE
TARGET_SHARE = 0.9
DEFAULTS = load_config({}, env_file=None)  # the bot runs at its defaults: the same time zone


@dataclass
class Household:
    """One household of the crowd: who presses, for how many, and what the bot answered."""

    user: SandboxUser
    t: Translator
    adults: int
    children: int
    answer: dict[str, Any] | None = None
    problem: str | None = None
    pressed: list[float] = field(default_factory=list)  # on the double's clock

    @property
    def name(self) -> str:
        return f"{self.user.first_name} household"  # as `broadcast.seed` names it


def shown(html_text: str) -> str:
    """What a person reads of a text the bot sends: Telegram's parse of its HTML."""
    return parse_html(html_text)[0]


async def add_outing(db_path: Path, capacity: int) -> Event:
    """The outing, a fortnight ahead: no reminder falls due during the run."""
    now = datetime.now(UTC)
    starts = (now + timedelta(days=14)).replace(minute=0, second=0, microsecond=0)
    details = EventDetails(
        kind=EventKind.OUTING,
        title="Utflykt till Knuthenborg Safaripark",
        starts_at=starts,
        ends_at=starts + timedelta(hours=7),
        audience=EventAudience.FAMILIES,
        description="Bussen går från rådhuset. Ta med matsäck.",
        place="Knuthenborg Safaripark",
        capacity=capacity,
        children_along=True,
    )
    database = await Database.open(db_path)
    try:
        event = await events.create(database, details, None, now)
    finally:
        await database.close()
    assert isinstance(event, Event), event
    return event


async def sign_up(
    household: Household, event: Event, inboxes: Inboxes, arrivals: list[str], wait: float
) -> None:
    """Sign up, the adults, the children, as a person presses them; then the answer."""
    user, t, clock = household.user, household.t, inboxes.clock
    try:
        household.pressed.append(clock())
        await user.press_data(0, buttons.signup(event.id), timeout=0)
        question = await inboxes.message(user, wait)
        assert question["text"] == shown(adults_question(t, event).text), question["text"]
        household.pressed.append(clock())
        await user.press(question, str(household.adults), timeout=0)
        asked = await inboxes.edit(user, wait)
        children = shown(children_question(t, event, household.adults).text)
        assert asked["text"] == children, asked["text"]
        arrivals.append(household.name)  # the press below is queued for the bot at once
        household.pressed.append(clock())
        await user.press(asked, str(household.children), timeout=0)
        await inboxes.edit(user, wait)  # the question says who was signed up
        household.answer = await inboxes.message(user, wait)
    except AssertionError as error:
        household.problem = str(error).splitlines()[0]


def answered(household: Household, event: Event, place: int | None) -> bool:
    """Whether the household was told what the database says: a place (None), with the calendar
    file, or the `place`-th on the waiting list."""
    answer, t = household.answer, household.t
    if answer is None:
        return False
    if place is None:
        caption = shown(confirmed_text(t, event, DEFAULTS.timezone))
        return answer.get("caption") == caption and "document" in answer
    return answer.get("text") == shown(waiting_text(t, event, place))


def names(lines: list[EventRosterLine]) -> list[str]:
    """The households of the coordinators' list, in its order (none is anonymised here)."""
    return [line.household_name or f"sign-up #{line.signup.id}" for line in lines]


def out_of_turn(arrivals: list[str], confirmed: list[str], waiting: list[str]) -> tuple[int, int]:
    """(places on the waiting list that are not the household that arrived in that turn,
    households confirmed although they arrived after one that waits)."""
    in_line = set(waiting)
    arrived = [name for name in arrivals if name in in_line]
    misplaced = sum(1 for got, came in zip(waiting, arrived, strict=False) if got != came)
    misplaced += abs(len(waiting) - len(arrived))
    turn = {name: index for index, name in enumerate(arrivals)}
    first_waiting = min((turn.get(name, len(arrivals)) for name in waiting), default=len(arrivals))
    jumped = sum(1 for name in confirmed if turn.get(name, len(arrivals)) > first_waiting)
    return misplaced, jumped


async def measure(count: int) -> None:
    rng = random.Random(2026)
    capacity = round(count * PLACES_PER_HOUSEHOLD)
    floor = count * SENDS_PER_HOUSEHOLD / TELEGRAM_RATE
    target = floor / TARGET_SHARE
    wait = target * 3 + 60  # for any one step: far beyond the target, short of forever
    async with BotApiDouble(token=TOKEN, bot_username="mentorbot_bench_bot") as double:
        coordinator = double.add_user(first_name="Karin", language_code="en")
        crowd = []
        for index in range(count):
            language = LANGUAGES[index % len(LANGUAGES)]
            user = double.add_user(first_name=f"F{index}", language_code=language)
            party = rng.randint(1, 4), rng.randint(0, 3)
            crowd.append(Household(user, translator(language, DEFAULTS.terms), *party))
        chats = {household.user.id for household in crowd}
        arrivals: list[str] = []
        with tempfile.TemporaryDirectory() as folder:
            workdir = Path(folder)
            await seed(workdir / "bench.db", coordinator, [h.user for h in crowd])
            event = await add_outing(workdir / "bench.db", capacity)
            process, _ = await start_bot(double, workdir, coordinator)  # the bot's own defaults
            try:
                async with Inboxes(double, [h.user for h in crowd]) as inboxes:
                    pressed = double.clock()
                    await asyncio.gather(
                        *(sign_up(h, event, inboxes, arrivals, wait) for h in crowd)
                    )
            finally:
                await stop(process)
            database = await Database.open(workdir / "bench.db")
            try:
                roster = await events.roster(database, event.id)
            finally:
                await database.close()
        answers = [
            call
            for call in double.requests
            if call.method in ("sendMessage", "sendDocument")
            and call.status == 200
            and call.chat_id in chats
        ]
        sends = [call for call in double.requests if call.status == 200 and call.chat_id in chats]
        throttled = sum(1 for call in double.requests if call.status == 429)

    assert roster is not None
    confirmed, waiting = names(roster.confirmed), names(roster.waiting)
    people = sum(line.signup.people for line in roster.confirmed)
    places: dict[str, int | None] = {name: None for name in confirmed}
    places |= {name: place for place, name in enumerate(waiting, 1)}
    told = sum(1 for h in crowd if h.name in places and answered(h, event, places[h.name]))
    out_of_order, confirmed_late = out_of_turn(arrivals, confirmed, waiting)
    last = max(call.time for call in answers) - pressed
    problems = [h for h in crowd if h.problem is not None]
    spinners = sorted(
        answer - press
        for h in crowd
        for press, answer in zip(h.pressed, inboxes.answered[h.user.chat_id], strict=False)
    )
    unanswered = sum(len(h.pressed) - len(inboxes.answered[h.user.chat_id]) for h in crowd)

    print(
        f"{count} households sign up for one outing at the same instant, {capacity} places, "
        f"Telegram's limits on (30 messages/s per bot, 1/s per chat), the bot at its defaults:"
    )
    print(
        f"  people confirmed: {people} of {capacity} places, {len(confirmed)} households "
        f"(target <= {capacity}); on the waiting list: {len(waiting)} households"
    )
    print(
        f"  the waiting list against the order the bot received the final presses: "
        f"{out_of_order} of {len(waiting)} out of place (target 0); households confirmed "
        f"after one that waits: {confirmed_late} (target 0)"
    )
    print(
        f"  answered with their place or their place in line, in their language: {told} of "
        f"{count} (target all {count}); signed up in the database: {len(places)}"
    )
    for household in problems[:5]:
        print(f"    {household.name}: {household.problem}")
    print(
        f"  first press to the last answer: {last:.1f} s (target < {target:.0f} s: "
        f"{count} households x {SENDS_PER_HOUSEHOLD} sends = {count * SENDS_PER_HOUSEHOLD} "
        f"sends, at Telegram's {TELEGRAM_RATE:.0f}/s about {floor:.0f} s at the least; the "
        f"target is {TARGET_SHARE:.0%} of that rate); "
        f"{len(sends) / last:.1f} sends/s to the households"
    )
    print(
        f"  a press to its answer (the spinner on the button ends): p50 "
        f"{statistics.median(spinners):.1f} s, max {spinners[-1]:.1f} s; presses never "
        f"answered: {unanswered} (target 0)"
    )
    print(
        f"  429 answers from the double during the run: {throttled} (target 0; the bot sends "
        f"each again once Telegram's wait is over)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--households", type=int, default=HOUSEHOLDS, metavar="N")
    asyncio.run(measure(parser.parse_args().households))


if __name__ == "__main__":
    main()
