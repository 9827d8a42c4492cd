"""Offers to mentors: sending them, Accept and Decline, escalation, and the next shift's start.

Timers live in the job queue but are rebuilt from the database: at start, every offered
request gets its escalation timer back (one already overdue fires at once) and is routed again
(the next circle of bot/matching, if its moment came while the bot was down), and the start of
the next shift is looked up again whenever the rota changes.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot import members, rota_planning, routing
from bot.i18n import N_, Translator, plain
from bot.routing import Accepted, Offering, RoutingProblem
from handlers import buttons
from handlers.clock import now
from handlers.common import (
    RUN_LATE,
    MentorApplication,
    MentorContext,
    Sender,
    member_translator,
    requires,
)
from handlers.matching_text import with_topic_question
from handlers.notices import tell, tell_coordinators
from handlers.relay import messages_to_mentor
from handlers.sending import send_for_its_id
from handlers.telegram_errors import best_effort, failure
from handlers.timers import cancel_timer, replace_timer
from storage.models import Kind, Member, OfferMessage, Request, RequestState, Role

logger = logging.getLogger(__name__)

ESCALATION_JOB = "escalation"
WIDEN_JOB = "widen"
SHIFT_START_JOB = "shift-start"

_KINDS = {
    Kind.PHOTO: N_("offer.kind_photo"),
    Kind.VOICE: N_("offer.kind_voice"),
    Kind.AUDIO: N_("offer.kind_voice"),
    Kind.DOCUMENT: N_("offer.kind_document"),
    Kind.OTHER: N_("offer.kind_other"),
}
_FAMILY_ESCALATION = {1: N_("family.asked_again"), 2: N_("family.to_coordinators")}


def _waited(t: Translator, request: Request, moment: datetime) -> str:
    return t.duration(moment - request.opened_at)


def offer_text(t: Translator, request: Request, moment: datetime, holding: int = 0) -> str:
    what = request.preview if request.first_kind is Kind.TEXT and request.preview else None
    lines = [
        t(
            "offer.text",
            number=request.id,
            family=request.family_name or t("members.unnamed"),
            waited=_waited(t, request, moment),
        )
    ]
    if request.urgent:
        lines.insert(0, t("offer.urgent"))
    if request.escalation:
        lines.append(t("offer.asked_again"))
    if request.state is RequestState.ACCEPTED:  # its mentor is not on duty
        why = N_("offer.take_over") if request.urgent else N_("offer.take_over_off_duty")
        lines.append(t(why))
    # The family's own words go through the catalogue like every parameter: escaped there.
    kind = t(_KINDS.get(request.first_kind, _KINDS[Kind.OTHER]))
    lines.append(t("offer.first_words", words=what) if what is not None else kind)
    if holding:  # so a mentor can weigh one more against the families they have already
        lines.append(t.plural("offer.holding", "offer.holding_plural", holding))
    return "\n".join(lines)


async def send_offers(context: MentorContext, offering: Offering) -> int:
    """Every adult asked gets the offer with Accept and Decline; returns how many it reached.

    The offers go out side by side: a mentor's chat that Telegram is slow for (a 429 waited
    out, a 502 tried again) holds up no other mentor's offer.
    """
    request, moment = offering.request, now()

    async def offer(adult: Member) -> tuple[int, int] | None:
        t = member_translator(context, adult)
        accept_button = InlineKeyboardButton(
            t("offer.accept"), callback_data=buttons.accept(request.id)
        )
        decline_button = InlineKeyboardButton(
            t("offer.decline"), callback_data=buttons.decline(request.id)
        )
        keyboard = InlineKeyboardMarkup([[accept_button, decline_button]])
        try:
            text = offer_text(t, request, moment, offering.holding.get(adult.id, 0))
            message_id = await send_for_its_id(
                context.bot,
                "sendMessage",
                {"chat_id": adult.telegram_user_id, "text": text, "reply_markup": keyboard},
            )
        except TelegramError as error:
            logger.info(
                "offer of request %s to member %s failed: %s", request.id, adult.id, failure(error)
            )
            return None
        return adult.id, message_id

    sent = await asyncio.gather(*(offer(adult) for adult in offering.offer_to))
    shown = [made for made in sent if made is not None]
    await routing.remember_offers(context.db, request.id, shown)
    plan_timers(context.application, offering)
    return len(shown)


def plan_timers(application: MentorApplication, offering: Offering) -> None:
    """The question's escalation and its next circle: also when nobody was asked yet (it
    waits a moment for the family's topic), so that it never stays offered to nobody."""
    schedule_escalation(application, offering.request)
    schedule_widening(application, offering.request.id, offering.widens_at)


def schedule_widening(application: MentorApplication, request_id: int, at: datetime | None) -> None:
    """Ask routing again at `at` (None: no later circle); one timer a question."""
    name = f"{WIDEN_JOB}:{request_id}"
    if at is None:
        cancel_timer(application, name)
    else:
        replace_timer(application, name, _widen, at, request_id)


async def _widen(context: MentorContext) -> None:
    job = context.job
    assert job is not None and isinstance(job.data, int)
    await widen(context, job.data)


async def widen(context: MentorContext, request_id: int) -> None:
    """The next circle of mentors is asked (offers already made stay as they are)."""
    offering = await routing.widen(context.db, request_id, now(), rules=context.config.matching)
    if offering is None:  # taken, withdrawn or escalated since
        return
    if offering.offer_to:
        await send_offers(context, offering)
    else:
        plan_timers(context.application, offering)


def schedule_escalation(application: MentorApplication, request: Request) -> None:
    """The question's next step, replacing any timer set for it before (each circle's offers
    set it again)."""
    config = application.bot_data.config
    for timer in routing.escalation_timers([request], config.escalate_after, config.expire_after):
        name = f"{ESCALATION_JOB}:{timer.request_id}"
        replace_timer(application, name, _escalate, timer.due_at, (timer.request_id, timer.level))


async def _escalate(context: MentorContext) -> None:
    job = context.job
    assert job is not None and isinstance(job.data, tuple)
    request_id, level = job.data
    if level == routing.EXPIRY:
        await _expire(context, request_id)
        return
    offering = await routing.escalate(
        context.db, request_id, level, now(), rules=context.config.matching
    )
    if offering is None:  # accepted, cancelled or escalated since the timer was set
        return
    reached = await send_offers(context, offering)
    if offering.offer_to and not reached:
        await tell_unreached(context, offering.request)
    elif reached:  # the family hears of a step only when someone was really asked
        family, _ = await routing.counterpart(context.db, offering.request)
        step = _FAMILY_ESCALATION[min(level, routing.TOP_ESCALATION)]
        await tell(context, family, step, number=request_id)


def where_help_is(t: Translator, context: MentorContext) -> list[str]:
    """The office hours (when the municipality gave them) and the emergency numbers: what a
    family is told whenever no mentor is there for it."""
    config = context.config
    lines = [t("request.office_hours", hours=config.office_hours)] if config.office_hours else []
    return [*lines, t("request.emergency", numbers=config.emergency_numbers)]


async def _expire(context: MentorContext, request_id: int) -> None:
    """Nobody took the question, not even a coordinator: the family hears it honestly, with
    where help is now; the coordinators hear that it ended."""
    ended = await routing.expire(context.db, request_id, now())
    if ended is None:  # taken or withdrawn since the timer was set
        return
    await edit_offers(context, ended.withdrawn_offers, N_("offer.expired"), ended.request)
    config = context.config
    for adult in ended.family:
        t = member_translator(context, adult)
        lines = [t("request.expired", number=request_id), *where_help_is(t, context)]
        await best_effort(
            context.bot.send_message(adult.telegram_user_id, "\n".join(lines)), "expiry notice"
        )
    family, limit = ended.request.family_name or "", config.expire_after
    await tell_coordinators(
        context, N_("request.expired_notice"), number=request_id, family=family, limit=limit
    )


async def offer_to_mentors_on_duty(context: MentorContext, request: Request) -> None:
    """A family wrote into a conversation whose mentor is off duty: the mentors on duty are
    offered it as well, and the family is told who will answer (once, not for every message)."""
    offering = await routing.reach_on_duty(context.db, request.id, now())
    if offering.offer_to and await send_offers(context, offering):
        family, _ = await routing.counterpart(context.db, offering.request)
        mentor = offering.request.mentor_name or ""
        await tell(context, family, N_("family.mentor_off_duty"), number=request.id, mentor=mentor)


async def send_long_waits(context: MentorContext, asking: Request | None = None) -> bool:
    """Questions that would wait longer than MENTORBOT_WAIT_LIMIT_HOURS for a shift go to the
    coordinators now, and their families are told so; all but the family `asking` right now,
    which the caller answers in one reply. Returns whether that question went."""
    db, limit = context.db, context.config.wait_limit
    asked_went = False
    for offering in await routing.send_long_waits_to_coordinators(db, limit, now()):
        number = offering.request.id
        if not await send_offers(context, offering):  # no coordinator at all, or none reached
            await tell_unreached(context, offering.request)
        elif asking is not None and number == asking.id:
            asked_went = True
        else:
            family, _ = await routing.counterpart(db, offering.request)
            await tell(context, family, N_("family.wait_too_long"), number=number, limit=limit)
    return asked_went


async def tell_unreached(context: MentorContext, request: Request) -> None:
    """Not one offer went out (every adult asked blocked the bot, or Telegram refused): the
    family is told the truth, with the emergency numbers, and the coordinators are asked in."""
    family, _ = await routing.counterpart(context.db, request)
    numbers = context.config.emergency_numbers
    await tell(context, family, N_("request.reached_nobody"), number=request.id, numbers=numbers)
    name = request.family_name or ""
    await tell_coordinators(
        context, N_("request.reached_nobody_notice"), number=request.id, family=name
    )


async def edit_offers(
    context: MentorContext, offers: list[OfferMessage], msgid: str, request: Request
) -> None:
    """Other copies of an offer say what became of it, and lose their buttons."""
    for offer in offers:
        if offer.message_id is None:
            continue
        person = await members.identify(context.db, offer.chat_id)
        if person is None:
            continue
        t = member_translator(context, person)
        await best_effort(
            context.bot.edit_message_text(
                t(msgid, number=request.id), chat_id=offer.chat_id, message_id=offer.message_id
            ),
            "offer edit",
        )


def _pressed(update: Update, context: MentorContext) -> tuple[CallbackQuery, int] | None:
    """The button press and the request number it names."""
    query, match = update.callback_query, buttons.matched(context)
    return None if query is None or match is None else (query, buttons.request_of(match))


@requires(Role.MENTOR, Role.COORDINATOR)
async def accept(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    t = sender.t
    pressed = _pressed(update, context)
    if pressed is None:
        return
    query, request_id = pressed
    # Held from before the claim: a family message that finds the question taken waits until
    # what the family wrote before has been handed over (Accept and the family's message are
    # updates of two chats, handled at once).
    async with context.bot_data.conversation_turns.hold(request_id):
        accepted = await routing.accept(context.db, member, request_id, now())
        if isinstance(accepted, RoutingProblem):
            await query.answer(plain(t(_PROBLEMS[accepted])), show_alert=True)
            return
        await query.answer()
        request = accepted.request
        await best_effort(
            query.edit_message_text(
                t("offer.you_took", number=request.id, family=request.family_name or "")
            ),
            "accepted offer edit",
        )
        await _hand_over(context, accepted, member, t)


async def _hand_over(
    context: MentorContext, accepted: Accepted, mentor: Member, t: Translator
) -> None:
    request = accepted.request
    await edit_offers(context, accepted.other_offers, N_("offer.taken"), request)
    await _copy_waiting(context, accepted, mentor, t)
    name = mentor.household.display_name or ""
    if accepted.taken_from is None:
        await tell(context, accepted.family, N_("family.accepted"), number=request.id, mentor=name)
        return
    holder = [accepted.taken_from]
    await tell(context, holder, N_("offer.taken_over"), number=request.id, mentor=name)
    await tell(context, accepted.family, N_("family.taken_over"), number=request.id, mentor=name)


async def _copy_waiting(
    context: MentorContext, accepted: Accepted, mentor: Member, t: Translator
) -> None:
    """The family's messages so far, to the mentor; they wait in the database until then.

    A copy Telegram refuses is not tried for ever: both sides are told, and the family is asked
    to write again.
    """
    request = accepted.request
    if not accepted.pending:
        return
    chat = mentor.telegram_user_id
    if not await messages_to_mentor(context, request, chat, t, accepted.pending, request.urgent):
        await tell(context, [mentor], N_("handover.failed_mentor"), number=request.id)
        await tell(context, accepted.family, N_("handover.failed_family"), number=request.id)
    await routing.handed_over(context.db, request, accepted.pending)


async def _send_unsent_offers(context: MentorContext) -> None:
    """Offers a stop came between deciding and showing."""
    db = context.db
    for offering in await routing.unsent_offers(db):
        reached = await send_offers(context, offering)
        if offering.request.state is RequestState.OFFERED and reached:
            # The family's "your question went to..." may have been lost with the process.
            family, _ = await routing.counterpart(db, offering.request)
            await tell(context, family, N_("family.offered_now"), number=offering.request.id)


# Hand-overs finished at start: kept referenced until done, as asyncio asks of its tasks.
_HAND_OVERS: set[asyncio.Task[None]] = set()


async def _hand_over_interrupted(application: MentorApplication) -> None:
    """Hand-overs a stop interrupted, each holding its conversation's turn from before the first
    update is handled: the family's messages handled again at this start reach the mentor after
    the ones that waited longer, as they would have without the stop."""
    context = MentorContext(application)
    for accepted in await routing.unfinished_hand_overs(application.bot_data.db):
        task = asyncio.create_task(_finish_hand_over(context, accepted))
        _HAND_OVERS.add(task)
        task.add_done_callback(_HAND_OVERS.discard)
    await asyncio.sleep(0)  # each task takes its turn (its first step) before we go on


async def _finish_hand_over(context: MentorContext, accepted: Accepted) -> None:
    async with context.bot_data.conversation_turns.hold(accepted.request.id):
        _, mentor = await routing.counterpart(context.db, accepted.request)
        if mentor is None:
            return
        await _copy_waiting(context, accepted, mentor, member_translator(context, mentor))
    name = mentor.household.display_name or ""
    number = accepted.request.id
    await tell(context, accepted.family, N_("family.accepted"), number=number, mentor=name)


@requires(Role.MENTOR, Role.COORDINATOR)
async def decline(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    t = sender.t
    pressed = _pressed(update, context)
    if pressed is None:
        return
    query, request_id = pressed
    problem = await routing.decline(context.db, member, request_id)
    if problem is not None:
        await query.answer(plain(t(_PROBLEMS[problem])), show_alert=True)
        return
    await query.answer()
    await best_effort(
        query.edit_message_text(t("offer.you_declined", number=request_id)), "declined offer edit"
    )
    await widen(context, request_id)  # the next circle, if all of this one declined


_PROBLEMS = {
    RoutingProblem.GONE: N_("offer.gone"),
    RoutingProblem.NOT_YOURS: N_("offer.not_yours"),
    RoutingProblem.NO_REQUEST: N_("offer.gone"),
}


async def plan_shift_start(application: MentorApplication) -> None:
    """Waiting requests go out now if someone is on duty, and again when the next shift starts.

    Called at start and after every change to the rota: a shift added for "the rest of
    tonight" takes the questions that waited for it at once.
    """
    queue = application.job_queue
    assert queue is not None
    for job in queue.get_jobs_by_name(SHIFT_START_JOB):
        job.schedule_removal()
    queue.run_once(_offer_waiting, when=0, name=SHIFT_START_JOB, job_kwargs=RUN_LATE)
    upcoming = await rota_planning.next_start(application.bot_data.db, now())
    if upcoming is not None:
        queue.run_once(_shift_started, when=upcoming, name=SHIFT_START_JOB, job_kwargs=RUN_LATE)


async def _offer_waiting(context: MentorContext) -> None:
    await offer_waiting(context)


async def _shift_started(context: MentorContext) -> None:
    await offer_waiting(context)
    await plan_shift_start(context.application)


async def offer_waiting(context: MentorContext) -> None:
    """Waiting questions go to the mentors on duty, if any; those that would wait too long for
    the next shift, to the coordinators (the rota, or the time, may have changed)."""
    for offering in await routing.offer_waiting(context.db, now(), rules=context.config.matching):
        if offering.offer_to == [] and offering.widens_at is not None:
            plan_timers(context.application, offering)  # waiting a moment for the topic
        elif not await send_offers(context, offering):
            await tell_unreached(context, offering.request)
            continue
        family, _ = await routing.counterpart(context.db, offering.request)
        await tell_offered(context, family, offering)
    await send_long_waits(context)


async def tell_offered(context: MentorContext, family: list[Member], offering: Offering) -> None:
    """A waiting question went out: the family hears it, and may say what it is about."""
    number = offering.request.id
    for adult in family:
        t = member_translator(context, adult)
        told = t("family.offered_now", number=number)
        text, keyboard = with_topic_question(t, context.config, told, number, offering.asks_topics)
        await best_effort(
            context.bot.send_message(adult.telegram_user_id, text, reply_markup=keyboard),
            "offered notice",
        )


async def start(application: MentorApplication) -> None:
    """At start: escalation timers back from the database; what a stop interrupted; waiting
    requests and the next shift.

    Someone may have come on duty while the bot was down, so waiting requests are offered now.
    """
    queue = application.job_queue
    assert queue is not None
    for request in await routing.open_requests(application.bot_data.db):
        schedule_escalation(application, request)
        if request.state is RequestState.OFFERED and not request.escalation:
            schedule_widening(application, request.id, now())
    await _hand_over_interrupted(application)
    queue.run_once(_send_unsent_offers, when=0, job_kwargs=RUN_LATE)
    await plan_shift_start(application)


# Data with this module's button prefixes that none of its patterns takes (handlers/buttons.py).
refuse_other_data = buttons.refuse_rest(Role.MENTOR, Role.COORDINATOR)


def register(application: MentorApplication) -> None:
    for callback, pattern in ((accept, buttons.ACCEPT), (decline, buttons.DECLINE)):
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern))
        rest = buttons.rest(pattern)
        application.add_handler(CallbackQueryHandler(refuse_other_data, pattern=rest))
