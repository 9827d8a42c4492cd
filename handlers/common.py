"""What every handler shares: the typed context, who is writing, and the role check."""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot import members
from bot.config import Config
from bot.i18n import Translator, pick_language, plain, translator
from bot.keyed_locks import KeyedLocks
from handlers.outbox import Outbox
from storage.db import Database
from storage.models import Member, Role

# Telegram allows 4096 characters a message; leave room for the HTML the text may carry.
MESSAGE_BUDGET = 3500


class BotData:
    """Shared services: `config` at build time; `db` and the broadcast `outbox` from post_init
    until post_shutdown; the albums being gathered before they are relayed (handlers/relay.py),
    by (chat, media group), each with its message ids; the albums a family was told about
    already, so that an album gets one acknowledgement; and a turn per conversation, by request
    number, that the hand-over at Accept holds so that a family's message written meanwhile
    reaches the mentor after what waited (handlers/offers.py)."""

    config: Config
    db: Database
    outbox: Outbox
    albums: dict[tuple[int, str], list[int]]
    acknowledged_albums: dict[tuple[int, str], None]
    conversation_turns: KeyedLocks


@dataclass(frozen=True, slots=True)
class Sender:
    """The person behind an update: a member (with a role) or a stranger, and their language."""

    telegram_user_id: int
    member: Member | None
    t: Translator


class MentorContext(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], BotData]):
    """The context every handler and job gets: the shared services by name, and the sender.

    The library makes one context per update and hands it to each handler group in turn, so
    the sender found by the first handler that asks (`identify`) serves the others too.
    """

    def __init__(
        self,
        application: MentorApplication,
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self._mentor_application = application
        self.sender: Sender | None = None

    # The library types these two with a type variable it never binds (its context class is
    # chosen at run time); here it is bound: this context's own application and job queue.
    @property
    def application(self) -> MentorApplication:  # type: ignore[override]
        return self._mentor_application

    @property
    def job_queue(self) -> JobQueue[MentorContext]:  # type: ignore[override]
        """Always there: the application is built with its job queue (bot/app/application.py)."""
        queue = self._mentor_application.job_queue
        if queue is None:
            raise RuntimeError("the application was built without a job queue")
        return queue

    @property
    def config(self) -> Config:
        return self.bot_data.config

    @property
    def db(self) -> Database:
        return self.bot_data.db

    @property
    def outbox(self) -> Outbox:
        return self.bot_data.outbox


MentorApplication = Application[
    ExtBot[int],
    MentorContext,
    dict[Any, Any],
    dict[Any, Any],
    BotData,
    JobQueue[MentorContext],
]
CONTEXT_TYPES = ContextTypes(context=MentorContext, bot_data=BotData)


# APScheduler drops a job more than a second late by default; late is better than never for a
# reminder, an escalation or a shift's start.
RUN_LATE: dict[str, Any] = {"misfire_grace_time": None}


def member_translator(context: MentorContext, member: Member) -> Translator:
    """The language to write to a member in when they did not just write to us."""
    config = context.config
    return translator(
        pick_language(member.language, member.telegram_language, config.language), config.terms
    )


async def identify(update: Update, context: MentorContext) -> Sender:
    """Who sent the update, found once per update (see `MentorContext`)."""
    user = update.effective_user
    if user is None:  # channel posts and the like: nobody to answer
        raise LookupError("update without a sender")
    if context.sender is not None and context.sender.telegram_user_id == user.id:
        return context.sender
    member = await members.identify(context.db, user.id)
    if member is not None and member.telegram_language != user.language_code:
        await members.note_telegram_language(context.db, member, user.language_code)
    language = pick_language(
        member.language if member else None, user.language_code, context.config.language
    )
    context.sender = Sender(user.id, member, translator(language, context.config.terms))
    return context.sender


async def answer(update: Update, text: str) -> None:
    """One line back to whoever acted: a toast for a button, a reply for a message."""
    if update.callback_query is not None:
        await update.callback_query.answer(plain(text))
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


async def reply_lines(
    update: Update,
    lines: Iterable[str],
    reply_markup: InlineKeyboardMarkup | None = None,
    *,
    quote: bool = False,
) -> Message | None:
    """Send a long list as few messages as Telegram's size limit allows; buttons go under the
    last of them, which is returned, and which quotes the message answered if `quote` (a press
    can then read it)."""
    message = update.effective_message
    texts = split_lines(lines)
    if message is None or not texts:
        return None
    for text in texts[:-1]:
        await message.reply_text(text)
    return await message.reply_text(texts[-1], reply_markup=reply_markup, do_quote=quote)


def split_lines(lines: Iterable[str]) -> list[str]:
    """Lines as the texts of as few messages as Telegram's size limit allows, none cut in two."""
    texts: list[str] = []
    chunk: list[str] = []
    size = 0
    for line in lines:
        if chunk and size + len(line) + 1 > MESSAGE_BUDGET:
            texts.append("\n".join(chunk))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    return [*texts, "\n".join(chunk)] if chunk else texts


MemberHandler = Callable[[Update, MentorContext, Sender, Member], Awaitable[None]]
PlainHandler = Callable[[Update, MentorContext], Coroutine[Any, Any, None]]


def requires(*roles: Role) -> Callable[[MemberHandler], PlainHandler]:
    """Let a handler run only for members with one of `roles`; everyone else gets one line."""

    def decorate(handler: MemberHandler) -> PlainHandler:
        @functools.wraps(handler)
        async def checked(update: Update, context: MentorContext) -> None:
            sender = await identify(update, context)
            if sender.member is None:
                await answer(update, sender.t("access.not_member"))
            elif sender.member.role not in roles:
                await answer(update, sender.t("access.wrong_role"))
            else:
                await handler(update, context, sender, sender.member)

        return checked

    return decorate


ANY_MEMBER = (Role.FAMILY, Role.MENTOR, Role.COORDINATOR)
HOUSEHOLD_ROLES = (Role.FAMILY, Role.MENTOR)


# The numbers people type (members, shifts, questions) are ASCII digits, never more than this
# many: "²" is a digit to `str.isdigit`, and a 20-digit number overflows SQLite's integers.
NUMBER = re.compile(r"[0-9]{1,9}")


def parse_number(text: str | None) -> int | None:
    """A number a person typed, or None if it is not one (a button's: handlers/buttons.py)."""
    return int(text) if text is not None and NUMBER.fullmatch(text) else None


def number_argument(args: list[str] | None) -> int | None:
    """The one number a command takes (`/remove 12`, `/swap #7`), or None if that is not it."""
    return parse_number(args[0].removeprefix("#")) if args and len(args) == 1 else None


def role_label(t: Translator, role: Role) -> str:
    labels = {
        Role.FAMILY: t("role.family"),
        Role.MENTOR: t("role.mentor"),
        Role.COORDINATOR: t("role.coordinator"),
    }
    return labels[role]


def household_name(t: Translator, member: Member) -> str:
    return member.household.display_name or t("members.unnamed")


def local_date(context: MentorContext, moment: datetime) -> str:
    """A date as the service's users read it: in the service's time zone."""
    return moment.astimezone(context.config.timezone).strftime("%Y-%m-%d %H:%M")
