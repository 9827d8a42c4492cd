"""The outbox worker: sends every broadcast's deliveries at the configured pace, and reports.

One worker for the whole process, so the pace is a single budget: at most
`MENTORBOT_BROADCAST_RATE` messages a second, below the bot's overall limit, so that offers
and relayed messages (sent by the handlers, not queued here) always have room and never wait
behind a newsletter. Each recipient is a different chat, so Telegram's one-a-second per chat is
kept by construction. A 429 pauses only the worker, for as long as Telegram asks; a 5xx or a
network error puts the delivery back with a growing backoff; a 403 marks the recipient blocked.

The worker claims about CLAIM_AHEAD of sending at a time, marked SENDING in one transaction, and
records each one's outcome in a transaction of its own before the next send (bot/broadcasts.py
says why a crash then resends only the message in flight): at a thousand messages a second, one
trip to the database a message instead of two transactions is most of what the outbox costs
beyond the send itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Sequence
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot import broadcasts, members
from bot.broadcasts import Draft, Progress
from bot.config import Config
from bot.i18n import Translator, pick_language, translator
from handlers.clock import now
from handlers.sending import send_for_its_id
from handlers.telegram_errors import best_effort, failure, is_transient, retry_after_seconds
from storage.db import Database
from storage.models import Broadcast, Delivery, DeliveryState, EventButton, Kind

logger = logging.getLogger(__name__)

STATUS_EVERY = 3.0  # seconds between edits of the coordinator's status message
# The longest rest of an idle worker, which otherwise rests until the next thing falls due or
# a confirmed broadcast wakes it: a wall clock put forward (times are kept in UTC, a rest is
# counted in the monotonic clock) makes a scheduled broadcast at most this late.
LONGEST_REST = 60.0
FAILURE_PAUSE = 1.0  # after a delivery failed unexpectedly
DUE_CHECK_EVERY = 1.0  # how often scheduled broadcasts are looked for while sending
CLAIM_AHEAD = 0.1  # seconds of sending claimed at a time
MAX_BATCH = 100


class Outbox:
    """The worker task, and the event that wakes it when there is something new to send.

    It is built from what it uses, the bot, the database and the configuration, and from
    nothing of the application that holds it (bot/app/application.py).
    """

    def __init__(self, bot: ExtBot[int], db: Database, config: Config) -> None:
        self._bot = bot
        self._db = db
        self._config = config
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._status_edited: dict[int, float] = {}
        self._next_due_check = 0.0
        self._next_slot = 0.0
        # Deliveries claimed (marked SENDING) and not yet sent, in their order; about
        # CLAIM_AHEAD of sending at the configured rate, so that what changes meanwhile (a
        # member leaving, a 429) finds few of them claimed.
        self._claimed: deque[Delivery] = deque()
        self._batch = max(1, min(MAX_BATCH, int(config.broadcast_rate * CLAIM_AHEAD)))
        # The Sign up buttons of the broadcast going out, read once for all its recipients.
        self._buttons: tuple[int, list[EventButton]] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        db = self._db
        requeued = await broadcasts.resume(db, now())
        if requeued:
            logger.info("outbox: %d delivery(ies) in flight at the last stop go again", requeued)
        pace = 1.0 / self._config.broadcast_rate
        while True:
            try:
                await self._tick(pace)
            except asyncio.CancelledError:
                raise
            except Exception:  # the worker must outlive any one bad delivery
                logger.exception("outbox: a delivery failed unexpectedly")
                await asyncio.sleep(FAILURE_PAUSE)

    async def _tick(self, pace: float) -> None:
        db = self._db
        if not self._claimed:
            self._wake.clear()  # before looking: a broadcast confirmed from now on ends the rest
        if time.monotonic() >= self._next_due_check:  # not once a message: once a second
            self._next_due_check = time.monotonic() + DUE_CHECK_EVERY
            for started in await broadcasts.start_due(db, now()):
                logger.info("outbox: scheduled broadcast %s starts", started.id)
        if not self._claimed:
            self._claimed.extend(await broadcasts.claim_due(db, now(), self._batch))
        if not self._claimed:
            await self._report_finished()
            rest = rest_until(await broadcasts.next_due(db), now())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), rest)
            self._next_due_check = 0.0  # what the rest waited for is looked for at once
            self._next_slot = 0.0  # after a rest, the first message need not wait
            return
        # A fixed timetable, one slot every `pace` seconds: the time the database and the send
        # take is inside the slot, not added to it.
        slot = max(self._next_slot, time.monotonic())
        if (wait := slot - time.monotonic()) > 0:  # behind the timetable: no turn of the loop
            await asyncio.sleep(wait)
        delivery = self._claimed.popleft()
        pause = await self._send(delivery)
        self._next_slot = slot + max(pace, pause)
        await self._update_status(delivery.broadcast.id)

    async def _send(self, delivery: Delivery) -> float:
        """Send one delivery and record what happened; returns how long the worker must rest."""
        db, bot, broadcast = self._db, self._bot, delivery.broadcast
        # A 429 comes straight back: the outbox has its own queue and backoff (see rate_limiter).
        buttons = broadcasts.buttons_for(await self._signup_buttons(broadcast.id), delivery.role)
        keyboard = signup_keyboard(buttons)
        try:
            sent = await send_content(bot, delivery.chat_id, broadcast, keyboard, rate_limit_args=0)
        except RetryAfter as error:
            seconds = retry_after_seconds(error)
            await broadcasts.retry_later(db, delivery, timedelta(seconds=seconds), now())
            return seconds
        except Forbidden:
            await broadcasts.settle(db, delivery, DeliveryState.BLOCKED, now())
            return 0.0
        except BadRequest as error:  # the chat is gone, or Telegram refuses the content
            logger.info("outbox: broadcast %s refused for a chat: %s", broadcast.id, failure(error))
            await broadcasts.settle(db, delivery, DeliveryState.FAILED, now())
            return 0.0
        except TelegramError as error:  # 5xx, timeouts, the network
            logger.info("outbox: broadcast %s will retry: %s", broadcast.id, failure(error))
            await broadcasts.retry_later(db, delivery, None, now())
            return 0.0
        await broadcasts.settle(db, delivery, DeliveryState.SENT, now(), sent)
        return 0.0

    async def _signup_buttons(self, broadcast_id: int) -> list[EventButton]:
        if self._buttons is None or self._buttons[0] != broadcast_id:
            self._buttons = (broadcast_id, await broadcasts.signup_buttons(self._db, broadcast_id))
        return self._buttons[1]

    async def _update_status(self, broadcast_id: int) -> None:
        # The first edit comes STATUS_EVERY after the first send, not on top of "going out".
        last = self._status_edited.setdefault(broadcast_id, time.monotonic())
        if time.monotonic() - last < STATUS_EVERY:
            return
        found = await broadcasts.progress(self._db, broadcast_id)
        if found is not None:
            await self._show_status(found)

    async def _show_status(self, found: Progress) -> None:
        self._status_edited[found.broadcast.id] = time.monotonic()
        if found.broadcast.status_message_id is None:
            return
        t = await self._coordinator_translator(found)
        await best_effort(  # a skipped edit is caught up by the next
            self._bot.edit_message_text(
                status_text(t, found, self._config.broadcast_rate),
                chat_id=found.broadcast.status_chat_id,
                message_id=found.broadcast.status_message_id,
                rate_limit_args=0,  # never hold up the deliveries for a progress line
            ),
            "broadcast status edit",
        )

    async def _report_finished(self) -> None:
        """A broadcast whose every delivery is settled is reported, and only then marked done:
        should the bot die, or Telegram fail, between the two, the report goes at the next idle
        turn (a restart's first), so the coordinator hears of it at least once."""
        db = self._db
        for broadcast in await broadcasts.sending(db):
            found = await broadcasts.progress(db, broadcast.id)
            if found is None or found.remaining:
                continue
            await self._show_status(found)
            if await self._report(found):
                await broadcasts.finish_if_complete(db, broadcast.id, now())

    async def _report(self, found: Progress) -> bool:
        """Whether the report is done with: sent, refused for good (the coordinator blocked
        the bot, say), or nobody's to send. False while Telegram could not take it."""
        chat = found.broadcast.status_chat_id
        if chat is None:  # a broadcast made without a chat (the demo's)
            return True
        t = await self._coordinator_translator(found)
        try:
            await self._bot.send_message(chat, report_text(t, found))
        except TelegramError as error:
            if is_transient(error) or isinstance(error, RetryAfter):
                logger.warning("broadcast report failed, tried again later: %s", failure(error))
                return False
            logger.warning("broadcast report refused: %s", failure(error))
        return True

    async def _coordinator_translator(self, found: Progress) -> Translator:
        config = self._config
        chat = found.broadcast.status_chat_id
        coordinator = await members.identify(self._db, chat) if chat else None
        if coordinator is None:
            return translator(config.language, config.terms)
        language = pick_language(
            coordinator.language, coordinator.telegram_language, config.language
        )
        return translator(language, config.terms)


def status_text(t: Translator, found: Progress, rate: float) -> str:
    counts = found.counts
    left = timedelta(seconds=int(found.remaining / rate) + 1 if found.remaining else 0)
    return t(
        "broadcast.status",
        number=found.broadcast.id,
        sent=counts.get(DeliveryState.SENT, 0),
        total=found.total,
        remaining=found.remaining,
        blocked=counts.get(DeliveryState.BLOCKED, 0),
        failed=counts.get(DeliveryState.FAILED, 0),
        left=left,
    )


def report_text(t: Translator, found: Progress) -> str:
    counts = found.counts
    lines = [
        t(
            "broadcast.report",
            number=found.broadcast.id,
            sent=counts.get(DeliveryState.SENT, 0),
            total=found.total,
            blocked=counts.get(DeliveryState.BLOCKED, 0),
            failed=counts.get(DeliveryState.FAILED, 0),
        )
    ]
    if found.failed:
        names = ", ".join(name or t("members.unnamed") for name in found.failed)
        lines.append(t("broadcast.report_missed", names=names))
    return "\n".join(lines)


def rest_until(next_due: datetime | None, moment: datetime) -> float:
    """Seconds an idle worker rests at `moment`: until the next thing falls due (bot/broadcasts
    `next_due`), at most LONGEST_REST. Idle, it reads nothing: no query a second to find out
    that there is still nothing to send."""
    if next_due is None:
        return LONGEST_REST
    return min(LONGEST_REST, max(0.0, (next_due - moment).total_seconds()))


def signup_keyboard(buttons: Sequence[EventButton]) -> InlineKeyboardMarkup | None:
    """A newsletter's Sign up buttons, one row each; None when it carries no event."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(button.label, callback_data=button.data)] for button in buttons]
    )


# A file's method, and the parameter that names the file, by what a broadcast carries.
_FILE_METHODS = {Kind.PHOTO: ("sendPhoto", "photo"), Kind.DOCUMENT: ("sendDocument", "document")}


async def send_content(
    bot: ExtBot[int],
    chat_id: int,
    content: Draft | Broadcast,
    keyboard: InlineKeyboardMarkup | None,
    *,
    rate_limit_args: int | None = None,
) -> int:
    """A broadcast's content, with its Sign up buttons, in one chat; the message's id. The one
    path of both a recipient's delivery and the coordinator's preview, so that the preview is
    what recipients will see; `rate_limit_args=0` asks for one try only (bot/app/rate_limiter.py).
    """
    call: dict[str, object] = {"chat_id": chat_id, "reply_markup": keyboard}
    if content.kind in _FILE_METHODS:
        method, parameter = _FILE_METHODS[content.kind]
        call |= {parameter: content.file_id or "", "caption": content.body}
    else:
        method = "sendMessage"
        call["text"] = content.body or ""
    return await send_for_its_id(bot, method, call, rate_limit_args=rate_limit_args)
