"""Is anything lost, misdelivered or doubled when the bot crashes and Telegram fails? A soak.

Run by hand, never in CI: `python -m bench.soak --seed N --minutes M` (a random seed, printed,
and 3 minutes by default). The real bot runs as a subprocess (`python -m bot run`, as in
production) against the Bot API double with Telegram's flood limits on, on a database seeded
with a coordinator, 3 mentor households on duty and 6 foster families. On a schedule drawn from
`random.Random(seed)`:
  - families ask questions, write more while they wait and inside their conversations, and now
    and then end a conversation with /end (their next message is a new question);
  - mentors accept the offers they see and answer the families by replying to what the bot
    relayed (the reply says which conversation, as a mentor with several does);
  - the coordinator sends one broadcast to everyone through the /broadcast guided flow, and the
    bot is killed while it goes out;
  - the bot is killed with SIGKILL and started again at once on the same database, sometimes
    while the double holds one of its sends (released after the kill: Telegram delivered it,
    the bot never heard), and the double answers chosen calls with 429, 502 or a dropped
    connection.
The people's decisions come from the seed; when things happen also depends on how fast the bot
answers, so a seed gives the same kind of run, not the same run.

Every message a person writes carries a unique token ("tok-<seed>-n<k>"). After the traffic, a
quiet period lets the bot's retries (RETRY_SECONDS) and restarts finish, and then the tokens in
every chat of the double are counted, as the people would see their chats:
  - lost: never reached the other side. "Told" (the sender got a "could not be delivered"
    notice, or one of its kind, after writing it) is counted apart from "lost silently";
  - delivered to the wrong chat, or under another family's label;
  - duplicates, beside the kills that can cause them (a send Telegram delivered whose answer the
    bot never saw is done again after the restart: the Bot API has no idempotency key). The
    double drops a connection before it delivers, so its drops cannot duplicate;
  - messages shown above one their sender wrote before them (order within a chat);
  - broadcast recipients missed and reached twice.
For anything lost the sender, the token and the bot's log lines around the moment are printed.
The work folder is kept and named: the database, each start's log, and chats.json (every chat
as the double held it at the end), ledger.json (every token written) and calls.json (every API
call, its time and status), from which a loss is investigated once the double is gone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from bot.app.rate_limiter import RETRY_SECONDS
from bot.sandbox import BotApiDouble, Fault, FaultKind, SandboxUser
from bot.sandbox.state import Message
from storage import households, shifts
from storage.db import Database
from storage.models import Role

TOKEN = "777777:soak-token"
MENTOR_NAMES = ("Familjen Berg", "Familien Lind", "The Holms")
FAMILY_NAMES = (
    "Familjen Ek", "Familjen Ask", "Familjen Alm", "Familjen Björk", "Familjen Gran",
    "Familjen Lönn",
)  # fmt: skip
READY_TIMEOUT = 30.0
# After the traffic: the bot tries a send for RETRY_SECONDS before it tells the sender, then
# the chats must have been still for SETTLE seconds (at most QUIET_MAX in all).
QUIET_MIN = RETRY_SECONDS + 15.0
SETTLE = 10.0
QUIET_MAX = 240.0
BROADCAST_RATE = "2"  # a second per recipient or so: long enough to be killed in the middle

FAMILY_WORDS = (
    "how do we handle bedtime when he cannot settle?",
    "school starts again next week and she is nervous.",
    "thank you, that helps a lot.",
    "he liked the visit to his grandmother.",
    "what do other families do about screen time?",
    "we tried the evening routine you suggested.",
    "she asked about her old teacher today.",
)
MENTOR_WORDS = (
    "we had the same with ours; a fixed routine helped.",
    "try a short walk together after dinner.",
    "that sounds like a good step.",
    "ask the school for a meeting with the class teacher.",
    "write again tomorrow and tell me how it went.",
)

OFFER = re.compile(r"^(?:⚠️ URGENT\n)?Question #(\d+) from (.+?), waiting")
LABEL = re.compile(r"^(?:⚠️ )?💬 #(\d+) (.+)$")
ENDED = re.compile(r"^The conversation #(\d+) has ended")
# What the bot says when what someone wrote did not go (or may not have gone) where it should.
NOTICES = (
    "could not be delivered",
    "could not be passed on",
    "something went wrong",
    "We could not reach the mentor family",
    "has ended, so your message was not passed on",
    "is not a conversation of yours",
    "I cannot tell which conversation",
    "You have no open conversation, so",
    "Which family is this message for?",
)

Kind = Literal["question", "message", "answer", "broadcast"]


# --- the people and what they wrote ------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """Someone in the service: their chat in the double and their household's name, which is
    what the bot's labels and offers show."""

    user: SandboxUser
    name: str
    role: Role

    @property
    def id(self) -> int:
        return self.user.id


@dataclass(frozen=True)
class Sent:
    """One token a person wrote: what it was, who for, and when (to read the log beside it)."""

    token: str
    sender: Person
    message_id: int
    """Its id in the sender's chat: the bot's notices there are ordered against it."""
    kind: Kind
    at: float
    to_family: Person | None = None
    """For a mentor's answer: the family whose conversation it replied to."""


@dataclass
class World:
    """Everyone in the service, and the ledger of every token written."""

    seed: int
    coordinator: Person
    mentors: list[Person]
    families: list[Person]
    ledger: list[Sent] = field(default_factory=list)
    calm: asyncio.Lock = field(default_factory=asyncio.Lock)
    """Held by the coordinator while composing the broadcast: no new faults or kills meanwhile
    (a guided flow broken by the soak would say nothing about the bot)."""
    press_answers: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    """What each press of Accept was answered, by (mentor chat, offer message)."""
    repeated_presses: int = 0
    """Presses of the coordinator's made again because the first one changed nothing."""
    _count: int = 0

    @property
    def people(self) -> list[Person]:
        return [self.coordinator, *self.mentors, *self.families]

    def token(self) -> str:
        self._count += 1
        return f"tok-{self.seed}-n{self._count}"

    def tokens_in(self, text: str) -> list[str]:
        return re.findall(rf"tok-{self.seed}-n\d+", text)

    def family_named(self, name: str) -> Person | None:
        return next((family for family in self.families if family.name == name), None)


def text_of(message: Message) -> str:
    return str(message.get("text") or message.get("caption") or "")


def buttons(message: Message) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [str(button.get("text")) for row in rows for button in row]


def make_world(double: BotApiDouble, seed: int) -> World:
    def person(name: str, role: Role) -> Person:
        first = name.split()[-1]
        return Person(double.add_user(first_name=first, language_code="en"), name, role)

    return World(
        seed,
        person("Karin Coordinator", Role.COORDINATOR),
        [person(name, Role.MENTOR) for name in MENTOR_NAMES],
        [person(name, Role.FAMILY) for name in FAMILY_NAMES],
    )


async def seed_service(db_path: Path, world: World, minutes: float) -> None:
    """Households made directly in the database (the soak is about delivery, not onboarding);
    every mentor household is on duty from an hour ago until well after the run."""
    now = datetime.now(UTC)
    database = await Database.open(db_path)
    try:
        async with database.write() as session:
            for person in world.people:
                household = await households.create_household(
                    session, person.role, now, person.name
                )
                member = await households.add_member(session, household, person.id, now)
                await households.note_telegram_language(session, member, "en")
                if person.role is Role.MENTOR:
                    ends = now + timedelta(hours=2, minutes=minutes)
                    await shifts.add_shift(
                        session, household, now - timedelta(hours=1), ends, None, now
                    )
    finally:
        await database.close()


# --- the bot, killed and started again ----------------------------------------------------------


class BotRunner:
    """`python -m bot run` on one database; a crash is SIGKILL and an immediate restart.

    Each start logs to a file of its own in the work folder, kept for reading after the run.
    """

    def __init__(self, double: BotApiDouble, workdir: Path, coordinator: Person) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MENTORBOT_", "TELEGRAM_"))}
        self._env = env | {
            "TELEGRAM_BOT_TOKEN": double.token,
            "TELEGRAM_API_URL": double.api_url,
            "MENTORBOT_DB": str(workdir / "soak.db"),
            "MENTORBOT_COORDINATORS": str(coordinator.id),
            "MENTORBOT_GAP_REPORT": "off",
            "MENTORBOT_REMINDERS": "off",
            "MENTORBOT_BROADCAST_RATE": BROADCAST_RATE,
            "PYTHONUNBUFFERED": "1",
        }
        self._workdir = workdir
        self._process: asyncio.subprocess.Process | None = None
        self.logs: list[Path] = []
        self.lock = asyncio.Lock()
        """Held across a kill and its restart, so that two kills never overlap."""

    async def start(self) -> None:
        log = self._workdir / f"bot-{len(self.logs)}.log"
        self.logs.append(log)
        with log.open("ab") as out:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=self._workdir, env=self._env,
                stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out,
            )  # fmt: skip
        await self._ready(log)

    async def _ready(self, log: Path) -> None:
        """Polling has begun: what people send now will be answered."""
        deadline = time.monotonic() + READY_TIMEOUT
        while "Application started" not in await asyncio.to_thread(
            log.read_text, "utf-8", "replace"
        ):
            if self._process is None or self._process.returncode is not None:
                raise RuntimeError(f"the bot exited at start; see {log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the bot did not start within {READY_TIMEOUT:.0f} s; see {log}")
            await asyncio.sleep(0.05)

    async def kill(self) -> None:
        """A crash: no shutdown code runs."""
        if self._process is not None and self._process.returncode is None:
            self._process.kill()
            await self._process.wait()

    async def stop(self) -> None:
        if self._process is not None and self._process.returncode is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self._process.wait(), 15)
            except TimeoutError:
                await self.kill()

    def log_lines(self) -> Iterator[tuple[float, str]]:
        """Every log line with its time (seconds since the epoch; continuation lines carry the
        time of the line they continue)."""
        moment = 0.0
        for log in self.logs:
            for line in log.read_text(errors="replace").splitlines():
                with contextlib.suppress(ValueError):
                    moment = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
                yield moment, f"{log.name}: {line}"


# --- what goes wrong on purpose -------------------------------------------------------------------


@dataclass
class Chaos:
    """The faults armed in the double and the kills, counted as they happen."""

    double: BotApiDouble
    runner: BotRunner
    kill_times: list[float] = field(default_factory=list)
    held_kills: int = 0
    """Kills while the double held a send, released after: delivered, never confirmed."""
    armed: list[tuple[Fault, int]] = field(default_factory=list)

    @property
    def kills(self) -> int:
        return len(self.kill_times)

    async def crash(self, rng: random.Random) -> None:
        """SIGKILL and a restart; every other crash waits for a send to hold first."""
        async with self.runner.lock:
            held: Fault | None = None
            if rng.random() < 0.5:
                held = self.double.faults.inject(
                    rng.choice(["sendMessage", "copyMessage"]), FaultKind.HOLD
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(held.holding.wait(), 5)
            await self.runner.kill()
            self.kill_times.append(time.time())
            if held is not None:
                self.held_kills += int(held.holding.is_set())
                held.release()  # the held send goes through now, to nobody's knowledge
            await self.runner.start()

    def fault(self, rng: random.Random, people: list[Person]) -> None:
        """One fault for the next 1-3 matching calls: a method, maybe one chat."""
        method = rng.choice(
            ["sendMessage"] * 3 + ["copyMessage"] * 2
            + ["copyMessages", "editMessageText", "answerCallbackQuery", "getUpdates"]
        )  # fmt: skip
        kinds = [FaultKind.BAD_GATEWAY, FaultKind.DROP]
        if method != "getUpdates":
            kinds.append(FaultKind.TOO_MANY_REQUESTS)
        chat = None if method == "getUpdates" or rng.random() < 0.3 else rng.choice(people).id
        times = rng.randint(1, 3)
        fault = self.double.faults.inject(
            method, rng.choice(kinds), times=times, chat_id=chat, retry_after=rng.randint(1, 3)
        )
        self.armed.append((fault, times))

    def fired(self) -> Counter[FaultKind]:
        """How many calls each kind of fault answered (an armed one may not have fired yet)."""
        fired: Counter[FaultKind] = Counter()
        for fault, times in self.armed:
            fired[fault.kind] += times - fault.remaining
        return fired


async def chaos_life(world: World, chaos: Chaos, rng: random.Random, until: float) -> None:
    """Every few seconds a fault, and now and then a crash; none while the coordinator composes."""
    loop = asyncio.get_running_loop()
    while loop.time() < until:
        await asyncio.sleep(rng.uniform(2.0, 7.0))
        async with world.calm:
            if rng.random() < 0.2:
                await chaos.crash(rng)
            else:
                chaos.fault(rng, world.people)


# --- the people ----------------------------------------------------------------------------------


async def family_life(world: World, family: Person, rng: random.Random, until: float) -> None:
    """A family writes every few seconds; a message with no open question asks a new one.

    It ends a conversation only once it has been told a mentor took its question, as a person
    would, so that what it believes is open is what the bot has open.
    """
    loop = asyncio.get_running_loop()
    asked_at: int | None = None  # the message id of the open question
    while loop.time() < until:
        await asyncio.sleep(rng.uniform(3.0, 14.0))
        if asked_at is not None and rng.random() < 0.15 and taken(family, asked_at):
            await family.user.send("/end")
            asked_at = None
            continue
        token = world.token()
        sent = await family.user.send(f"{token} {rng.choice(FAMILY_WORDS)}")
        kind: Kind = "message" if asked_at is not None else "question"
        world.ledger.append(Sent(token, family, sent["message_id"], kind, time.time()))
        asked_at = asked_at or sent["message_id"]


def taken(family: Person, asked_at: int) -> bool:
    return any(
        "has taken your question" in text_of(message)
        for message in family.user.messages
        if message["message_id"] > asked_at
    )


async def mentor_life(
    world: World, mentor: Person, rng: random.Random, answer_until: float, stop: asyncio.Event
) -> None:
    """A mentor looks at their chat every few seconds: accepts an open offer, or answers the
    newest message a family wrote that they have not answered yet (until `answer_until`; after
    that, until `stop`, they only accept, so that questions still waiting are handed over)."""
    loop = asyncio.get_running_loop()
    answered: set[int] = set()
    pressed: Counter[int] = Counter()  # an offer twice at most: a stale one says "gone"
    while not stop.is_set():
        await asyncio.sleep(rng.uniform(2.0, 7.0))
        messages = mentor.user.messages
        offers = [m for m in messages if "Accept" in buttons(m) and pressed[m["message_id"]] < 2]
        with contextlib.suppress(AssertionError):  # an offer edited, a message gone meanwhile
            if offers and rng.random() < 0.6:
                offer = rng.choice(offers)
                pressed[offer["message_id"]] += 1
                answered_with = await mentor.user.press(offer, "Accept")
                said = str((answered_with or {}).get("text") or "(answered, no text)")
                key = (mentor.id, offer["message_id"])
                world.press_answers.setdefault(key, []).append(
                    said if answered_with is not None else "(not answered)"
                )
            elif loop.time() < answer_until and rng.random() < 0.7:
                await answer(world, mentor, messages, answered, rng)


async def answer(
    world: World, mentor: Person, messages: list[Message], answered: set[int], rng: random.Random
) -> None:
    """A reply to the newest message of a family not answered yet, in a conversation the mentor
    has not been told has ended; it names the conversation, so the bot need not ask which."""
    ended = {int(m[1]) for m in (ENDED.match(text_of(message)) for message in messages) if m}
    waiting: list[tuple[Message, int, Person]] = []
    for message in messages:
        label = LABEL.match(text_of(message).split("\n", 1)[0])
        family = world.family_named(label[2]) if label else None
        if label and family and int(label[1]) not in ended:
            waiting.append((message, int(label[1]), family))
    unanswered = [item for item in waiting if item[0]["message_id"] not in answered]
    if not unanswered:
        return
    target, number, family = unanswered[-1]
    answered.update(m["message_id"] for m, n, _ in unanswered if n == number)
    token = world.token()
    sent = await mentor.user.reply(target, f"{token} {rng.choice(MENTOR_WORDS)}")
    world.ledger.append(Sent(token, mentor, sent["message_id"], "answer", time.time(), family))


async def next_with(user: SandboxUser, needle: str, timeout: float = 60.0) -> Message:  # noqa: ASYNC109
    """The next message in the user's chat that contains `needle` (others are passed over)."""
    deadline = time.monotonic() + timeout
    while True:
        message = await user.next_message(timeout=max(0.1, deadline - time.monotonic()))
        if needle in text_of(message):
            return message


PRESS_PATIENCE = 15.0  # seconds a person waits for a button to do something


async def press_until(
    world: World, message: Message, button: str, effect: Callable[[], Awaitable[Message]]
) -> Message:
    """The coordinator presses, and presses again (twice at most) when nothing happens within
    PRESS_PATIENCE, as a person does with a button that seems dead. Each repeat is counted and
    printed: a press that changed nothing is something the bot did wrong."""
    for attempt in range(3):
        await world.coordinator.user.press(message, button)
        try:
            return await effect()
        except AssertionError:
            if attempt == 2:
                raise
            world.repeated_presses += 1
    raise AssertionError("unreachable")


async def broadcast_life(
    world: World, chaos: Chaos, rng: random.Random, after: float
) -> Sent | None:
    """The coordinator's newsletter to everyone, composed in calm, killed while it goes out.

    A guided flow that does not complete (a button pressed three times to no effect) is
    reported, not started again: a second newsletter would be the soak's doing, not the bot's.
    """
    await asyncio.sleep(after)
    karin = world.coordinator.user
    token = world.token()
    content = f"{token} December newsletter: courses, a theme morning and the new rota."
    async with world.calm:
        try:
            await karin.send("/broadcast")
            await next_with(karin, "Send what you want to broadcast")
            sent = await karin.send(content)
            ask = await next_with(karin, "Who should get it?")
            audience = "Everyone (families and mentors)"
            await press_until(
                world, ask, audience, lambda: karin.wait_for_edit(ask, PRESS_PATIENCE)
            )
            confirm = await press_until(
                world, ask, "Now", lambda: next_with(karin, "Send it?", PRESS_PATIENCE)
            )
            pressed = time.time()
            await press_until(
                world, confirm, "Send", lambda: karin.wait_for_edit(confirm, PRESS_PATIENCE)
            )
        except AssertionError as problem:
            print(f"the broadcast was not sent: the guided flow stopped ({problem})".split("\n")[0])
            return None
    await asyncio.sleep(rng.uniform(1.0, 4.0))
    await chaos.crash(rng)
    return Sent(token, world.coordinator, sent["message_id"], "broadcast", pressed)


# --- the count -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """A token found in a chat: where, and in what kind of message."""

    chat: Person
    message: Message

    @property
    def is_offer(self) -> bool:
        return OFFER.match(text_of(self.message)) is not None

    @property
    def named_family(self) -> str | None:
        """The family a relay's label or an offer's heading names, if it has one of its own."""
        text = text_of(self.message)
        found = OFFER.match(text) or LABEL.match(text.split("\n", 1)[0])
        return found[2] if found else None


@dataclass
class Verdict:
    sent: Sent
    outcome: Literal["delivered", "stuck", "told", "lost"] = "lost"
    wrong: list[Seen] = field(default_factory=list)
    extra: int = 0
    extra_in: list[str] = field(default_factory=list)
    """Where the extra copies are: "<chat> (offer)" or "<chat> (copy)"."""
    notice: str = ""
    """For a message told: the notice that told it."""


def find_tokens(world: World) -> dict[str, list[Seen]]:
    """Every token in every chat, as the chats are now (edits applied, deleted messages gone)."""
    found: dict[str, list[Seen]] = {}
    for person in world.people:
        for message in person.user.messages:
            for token in world.tokens_in(text_of(message)):
                found.setdefault(token, []).append(Seen(person, message))
    return found


def judge_family_message(world: World, sent: Sent, seen: list[Seen]) -> Verdict:
    """A family's words belong to the mentors (an offer to each on duty, the copies to the one
    who took it; the coordinators only in an offer) and only under the family's own name."""
    verdict = Verdict(sent)
    mentors = {mentor.id for mentor in world.mentors}
    rightful: list[Seen] = []
    for where in seen:
        in_place = where.chat.id in mentors or (
            where.chat.role is Role.COORDINATOR and where.is_offer
        )
        named = where.named_family
        if not in_place or (named is not None and named != sent.sender.name):
            verdict.wrong.append(where)
        else:
            rightful.append(where)
    copies = Counter(where.chat.id for where in rightful if not where.is_offer)
    offers = Counter(where.chat.id for where in rightful if where.is_offer)
    names = {where.chat.id: where.chat.name for where in rightful}
    for what, counted in (("copy", copies), ("offer", offers)):
        for chat, n in counted.items():
            verdict.extra += n - 1
            verdict.extra_in += [f"{names[chat]} ({what})"] * (n - 1)
    if copies:
        verdict.outcome = "delivered"
    elif any("Accept" in buttons(where.message) for where in rightful if where.is_offer):
        # The mentors pressed Accept on every offer they saw through the quiet period: one
        # still open at the end means a question nobody could take, or one taken and stuck.
        verdict.outcome = "stuck"
    return verdict


def judge_answer(sent: Sent, seen: list[Seen]) -> Verdict:
    """A mentor's answer belongs in the chat of the family whose message it replied to."""
    verdict = Verdict(sent)
    assert sent.to_family is not None
    verdict.wrong = [where for where in seen if where.chat.id != sent.to_family.id]
    arrived = len(seen) - len(verdict.wrong)
    verdict.extra = max(0, arrived - 1)
    verdict.extra_in = [sent.to_family.name] * verdict.extra
    if arrived:
        verdict.outcome = "delivered"
    return verdict


def mark_told(world: World, verdicts: list[Verdict]) -> None:
    """A lost message counts as told when its sender got a notice after writing it.

    Notices do not quote what they are about, so each notice in a chat explains at most one
    lost message, the earliest one written before it that no earlier notice explained.
    """
    for person in world.people:
        lost = sorted(
            (v for v in verdicts if v.outcome == "lost" and v.sent.sender is person),
            key=lambda v: v.sent.message_id,
        )
        for message in person.user.messages:
            if not any(notice in text_of(message) for notice in NOTICES):
                continue
            explained = next((v for v in lost if v.sent.message_id < message["message_id"]), None)
            if explained is not None:
                explained.outcome, explained.notice = "told", text_of(message)
                lost.remove(explained)


def out_of_order(world: World, found: dict[str, list[Seen]]) -> list[tuple[Sent, Person]]:
    """Messages shown on the other side above one their sender wrote before them.

    Within one chat the bot keeps a person's messages in the order written: the waiting ones at
    a hand-over first, then what came after. The first copy of each counts (not the offers).
    """
    shown: dict[tuple[int, int], list[tuple[int, Sent, Person]]] = {}
    for sent in world.ledger:
        first: dict[int, tuple[int, Person]] = {}
        for where in found.get(sent.token, []):
            if where.is_offer or where.chat is sent.sender:
                continue
            at = where.message["message_id"]
            if where.chat.id not in first or at < first[where.chat.id][0]:
                first[where.chat.id] = (at, where.chat)
        for chat_id, (at, chat) in first.items():
            shown.setdefault((sent.sender.id, chat_id), []).append((at, sent, chat))
    late: list[tuple[Sent, Person]] = []
    for in_order in shown.values():  # in the order written, as the ledger is
        highest = 0
        for at, sent, chat in in_order:
            if at < highest:
                late.append((sent, chat))
            highest = max(highest, at)
    return late


def broadcast_counts(world: World, sent: Sent, seen: list[Seen]) -> tuple[int, int, int]:
    """Recipients (families and mentors) missed, extra copies they got, and the recipients."""
    recipients = [*world.families, *world.mentors]
    counts = Counter(where.chat.id for where in seen)
    missed = sum(1 for person in recipients if counts[person.id] == 0)
    extra = sum(counts[person.id] - 1 for person in recipients if counts[person.id] > 1)
    return missed, extra, len(recipients)


def around(runner: BotRunner, moment: float, before: float = 3.0, after: float = 8.0) -> list[str]:
    """The bot's log lines from just before a message was written until a little after."""
    return [line for at, line in runner.log_lines() if moment - before <= at <= moment + after]


def describe(verdict: Verdict) -> str:
    sent = verdict.sent
    to = f" to {sent.to_family.name}" if sent.to_family else ""
    when = datetime.fromtimestamp(sent.at).strftime("%H:%M:%S")
    article = "an" if sent.kind == "answer" else "a"
    return (f"{sent.token}: {article} {sent.kind} from {sent.sender.name}{to} at {when} "
            f"(message #{sent.message_id} of their chat)")  # fmt: skip


def keep_record(world: World, double: BotApiDouble, workdir: Path) -> None:
    """Every chat as the double holds it, the ledger and the API calls, in the work folder:
    what a loss found here is investigated from once the double is gone."""
    chats = {
        person.name: [
            {"id": stored.data["message_id"], "by_bot": stored.by_bot, "edits": stored.edits,
             "text": text_of(stored.data), "buttons": buttons(stored.data)}
            for stored in sorted(chat.messages.values(), key=lambda s: s.data["message_id"])
        ]
        for person in world.people
        if (chat := double.chat(person.id)) is not None
    }  # fmt: skip
    ledger = [
        {"token": sent.token, "from": sent.sender.name, "message_id": sent.message_id,
         "kind": sent.kind, "at": datetime.fromtimestamp(sent.at).isoformat(timespec="seconds"),
         "to": sent.to_family.name if sent.to_family else None}
        for sent in world.ledger
    ]  # fmt: skip
    to_wall = time.time() - double.clock()  # the double's clock is monotonic
    calls = [
        {"at": datetime.fromtimestamp(call.time + to_wall).isoformat(timespec="milliseconds"),
         "method": call.method, "chat_id": call.chat_id, "status": call.status}
        for call in double.requests
    ]  # fmt: skip
    for name, data in (("chats", chats), ("ledger", ledger), ("calls", calls)):
        (workdir / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False, indent=1))


# --- the run -------------------------------------------------------------------------------------


def chat_changes(double: BotApiDouble) -> int:
    """Messages the bot has sent and edits it has made, in all chats: what people see change."""
    return sum(
        len(chat.bot_messages) + sum(stored.edits for stored in chat.bot_messages)
        for chat in double.chats()
    )


async def settle(double: BotApiDouble, began: float) -> float:
    """Wait out the retries: at least QUIET_MIN, then until no chat has changed for SETTLE
    seconds (at most QUIET_MAX). Returns the seconds waited."""
    last_count, last_change = -1, time.monotonic()
    while time.monotonic() - began < QUIET_MAX:
        count = chat_changes(double)
        if count != last_count:
            last_count, last_change = count, time.monotonic()
        quiet_for = time.monotonic() - last_change
        if time.monotonic() - began >= QUIET_MIN and quiet_for >= SETTLE:
            break
        await asyncio.sleep(0.5)
    return time.monotonic() - began


async def soak(seed: int, minutes: float) -> int:
    """The whole run; returns the exit status (1 if a target was missed)."""
    rng = random.Random(seed)
    workdir = Path(tempfile.mkdtemp(prefix=f"mentorbot-soak-{seed}-"))
    async with BotApiDouble(token=TOKEN, bot_username="mentorbot_soak_bot") as double:
        world = make_world(double, seed)
        await seed_service(workdir / "soak.db", world, minutes)
        runner = BotRunner(double, workdir, world.coordinator)
        await runner.start()
        chaos = Chaos(double, runner)
        loop = asyncio.get_running_loop()
        began = loop.time()
        until = began + minutes * 60
        stop = asyncio.Event()

        def child(name: str) -> random.Random:  # each actor's decisions from the seed alone
            return random.Random(f"{seed}:{name}")

        mentors = [
            asyncio.create_task(mentor_life(world, m, child(m.name), until, stop))
            for m in world.mentors
        ]
        broadcast = asyncio.create_task(
            broadcast_life(
                world, chaos, child("broadcast"), rng.uniform(0.3, 0.6) * (until - began)
            )
        )
        await asyncio.gather(
            chaos_life(world, chaos, child("chaos"), until),
            *(family_life(world, f, child(f.name), until) for f in world.families),
        )
        broadcast_sent = await broadcast
        double.faults.clear()  # Telegram is well again; HOLDs were released already
        quiet = await settle(double, time.monotonic())
        stop.set()
        await asyncio.gather(*mentors)
        await runner.stop()
        status = report(world, chaos, runner, broadcast_sent, minutes, quiet)
        keep_record(world, double, workdir)
        throttled = sum(1 for call in double.requests if call.status == 429)
    injected_429 = chaos.fired()[FaultKind.TOO_MANY_REQUESTS]
    print(f"429 answers from Telegram's own limits in the double: {throttled - injected_429}")
    print(f"work folder (database and bot logs): {workdir}")
    return status


def report(
    world: World, chaos: Chaos, runner: BotRunner, broadcast: Sent | None, minutes: float,
    quiet: float,
) -> int:  # fmt: skip
    """Print the figures beside their targets, one line each, then the details of every message
    that did not simply arrive once; returns the exit status (1 if a target was missed)."""
    found = find_tokens(world)
    verdicts = judge_all(world, found)
    print_run(world, chaos, minutes, quiet)
    print_messages(verdicts)
    silently = sum(1 for v in verdicts if v.outcome == "lost")
    stuck = sum(1 for v in verdicts if v.outcome == "stuck")
    wrong = sum(len(v.wrong) for v in verdicts)
    extra = sum(v.extra for v in verdicts)
    late = out_of_order(world, found)
    missed, doubled, total = (
        broadcast_counts(world, broadcast, found.get(broadcast.token, []))
        if broadcast is not None
        else (0, 0, 0)
    )
    print(f"lost silently, all kinds: {silently} (target 0)")
    print(f"delivered to the wrong chat or under another family's name: {wrong} (target 0)")
    print(f"shown above a message their sender wrote before them: {len(late)} (target 0)")
    print(f"duplicates: {extra + doubled} ({extra} of messages, {doubled} of the broadcast) "
          f"(target at most one per kill: <= {chaos.kills})")  # fmt: skip
    if broadcast is None:
        print("broadcast recipients: the broadcast was not sent (see above)")
    else:
        print(f"broadcast recipients missed: {missed} of {total} (target 0), extra copies: "
              f"{doubled} (counted in the duplicates)")  # fmt: skip
    print(f"coordinator's presses made again, the first having changed nothing: "
          f"{world.repeated_presses} (target 0)")  # fmt: skip
    for sent, chat in late:
        print(f"  {describe(Verdict(sent))}: shown out of order in {chat.name}'s chat")
    for verdict in verdicts:
        if verdict.outcome != "delivered" or verdict.wrong or verdict.extra:
            details(world, verdict, runner, chaos.kill_times, found.get(verdict.sent.token, []))
    met = silently == wrong == missed == len(late) == stuck == world.repeated_presses == 0
    return 0 if met and broadcast is not None and extra + doubled <= chaos.kills else 1


def judge_all(world: World, found: dict[str, list[Seen]]) -> list[Verdict]:
    """A verdict for every token written (the broadcast is counted by its recipients)."""
    verdicts = [
        judge_answer(sent, found.get(sent.token, []))
        if sent.kind == "answer"
        else judge_family_message(world, sent, found.get(sent.token, []))
        for sent in world.ledger
    ]
    mark_told(world, verdicts)
    return verdicts


def print_run(world: World, chaos: Chaos, minutes: float, quiet: float) -> None:
    """The seed and what the run put the bot through."""
    fired = chaos.fired()
    print(f"seed: {world.seed}")
    print(
        f"traffic: {minutes:g} min, then {quiet:.0f} s quiet; {len(world.families)} families, "
        f"{len(world.mentors)} mentors on duty, 1 coordinator; Telegram's limits on"
    )
    print(
        f"kills (kill -9, restarted at once): {chaos.kills}, of which {chaos.held_kills} with "
        "a send held and delivered unconfirmed"
    )
    print(f"faults answered by the double: {fired[FaultKind.TOO_MANY_REQUESTS]} x 429, "
          f"{fired[FaultKind.BAD_GATEWAY]} x 502, {fired[FaultKind.DROP]} dropped connections "
          "(the double drops before delivering: a drop cannot duplicate)")  # fmt: skip


def print_messages(verdicts: list[Verdict]) -> None:
    """One line for each kind of message people wrote: what became of them."""
    kinds: tuple[tuple[Kind, str], ...] = (
        ("question", "questions"), ("message", "family messages"), ("answer", "mentor answers"),
    )  # fmt: skip
    for kind, noun in kinds:
        outcomes = Counter(v.outcome for v in verdicts if v.sent.kind == kind)
        stuck = f"stuck in an offer {outcomes['stuck']} (target 0), " if kind != "answer" else ""
        print(f"{noun}: {outcomes.total()} written, {outcomes['delivered']} delivered, {stuck}"
              f"lost silently {outcomes['lost']} (target 0), told not delivered "
              f"{outcomes['told']}")  # fmt: skip


def details(
    world: World, verdict: Verdict, runner: BotRunner, kills: list[float], seen: list[Seen]
) -> None:
    """One line for a message that was lost, told, misdelivered or doubled; the log for a loss.

    Beside a duplicate, how long before the next kill it was written: that kill is the likely
    cause (a hand-over redone after a restart may come many seconds after the writing).
    """
    what = {"lost": "LOST", "stuck": "STUCK"}.get(verdict.outcome, verdict.outcome)
    if verdict.notice:
        what += f" ({verdict.notice[:70]!r})"
    if verdict.wrong:
        chats = ", ".join(where.chat.name for where in verdict.wrong)
        what += f", ALSO IN {chats}"
    if verdict.extra:
        what += f", {verdict.extra} extra in {', '.join(verdict.extra_in)}"
        after = [kill - verdict.sent.at for kill in kills if kill >= verdict.sent.at]
        what += f"; written {min(after):.1f} s before the next kill" if after else "; no kill after"
    if verdict.outcome == "stuck":
        answers = [
            f"{where.chat.name}: {', '.join(world.press_answers.get(key, ['never pressed']))}"
            for where in seen
            if where.is_offer and (key := (where.chat.id, where.message["message_id"]))
        ]
        what += "; Accept on its offers answered: " + "; ".join(answers)
    print(f"  {describe(verdict)}: {what}")
    if verdict.outcome in ("lost", "stuck"):
        for line in around(runner, verdict.sent.at):
            print(f"    {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=None, help="a random one if not given")
    parser.add_argument("--minutes", type=float, default=3.0, help="of traffic (default 3)")
    options = parser.parse_args()
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(1, 100_000)
    print(f"soak with seed {seed} ({options.minutes:g} min of traffic, then a quiet period)")
    sys.exit(asyncio.run(soak(seed, options.minutes)))


if __name__ == "__main__":
    main()
