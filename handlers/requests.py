"""A foster family's request: opening it with any message, /cancel, and the coordinators' list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from telegram import Message, Update
from telegram.ext import CommandHandler

from bot import members, routing
from bot.i18n import N_, Translator
from bot.message_content import UNCHECKED_KINDS, Checked
from bot.routing import Intake, Offering
from handlers.clock import now
from handlers.common import MentorApplication, MentorContext, Sender, reply_lines, requires
from handlers.content import read_content
from handlers.matching_text import reasons_line, with_topic_question
from handlers.notices import tell, tell_coordinators
from handlers.offers import (
    edit_offers,
    plan_timers,
    send_long_waits,
    send_offers,
    tell_unreached,
    where_help_is,
    widen,
)
from storage.models import Kind, Member, Request, RequestState, Role

_STATES = {
    RequestState.WAITING: N_("requests.waiting"),
    RequestState.OFFERED: N_("requests.offered"),
    RequestState.ACCEPTED: N_("requests.accepted"),
}


def out_of_hours(
    t: Translator, context: MentorContext, intake: Intake, to_coordinators: bool = False
) -> str:
    """When the next shift starts (or that the coordinators have the question, with no shift
    near), the office hours and the emergency numbers."""
    config = context.config
    number = intake.request.id
    if to_coordinators:
        limit = config.wait_limit
        lines = [t("request.waiting_coordinators", number=number, limit=limit)]
    elif intake.next_shift is not None:
        when = t.moment(intake.next_shift, config.timezone)
        lines = [t("request.waiting", number=number), t("request.next_shift", when=when)]
    else:
        lines = [t("request.waiting", number=number), t("request.no_shift_planned")]
    return "\n".join([*lines, *where_help_is(t, context)])


async def sound_alarm(
    context: MentorContext,
    sender: Sender,
    message: Message,
    request: Request,
    news: bool,
    msgid: str = N_("request.urgent"),
) -> None:
    """Danger words: the numbers that help now, first; the coordinators once per question."""
    numbers = context.config.emergency_numbers
    await message.reply_text(sender.t(msgid, numbers=numbers))
    if news:
        await tell_coordinators(
            context,
            N_("request.urgent_notice"),
            number=request.id,
            family=request.family_name or "",
        )


async def raise_family_alarm(
    context: MentorContext, sender: Sender, family: Member, message: Message, *, passed_on: bool
) -> Request | None:
    """Danger words in a family message that opens no new question: in its conversation, in an
    edit, or in a message refused for what else it carries.

    Whether or not the words themselves pass, the family gets the emergency numbers at once and
    its open question becomes urgent (the coordinators told once); if the mentor holding the
    conversation is not on duty now, the mentors on duty are offered it. With no open question
    the coordinators are told who wrote. Returns the open question as it now is.
    """
    db = context.db
    msgid = N_("request.urgent") if passed_on else N_("request.urgent_not_passed_on")
    request = await routing.open_request_of(db, family)
    if request is None:
        numbers = context.config.emergency_numbers
        await message.reply_text(sender.t(msgid, numbers=numbers))
        name = family.household.display_name or ""
        await tell_coordinators(context, N_("request.urgent_unrouted"), family=name)
        return None
    alarm = await routing.raise_alarm(db, request.id, now())
    await sound_alarm(context, sender, message, alarm.request, alarm.became_urgent, msgid)
    if alarm.offer_to:
        await send_offers(context, Offering(alarm.request, alarm.offer_to))
    if alarm.request.state is RequestState.OFFERED:
        await widen(context, request.id)  # urgent: to everyone on duty at once
    return alarm.request


async def take_family_message(
    update: Update, context: MentorContext, sender: Sender, family: Member, checked: Checked
) -> Request | None:
    """A family's message opens a request, or joins the open one.

    Returns the conversation instead when the family is in one (a mentor may have accepted a
    moment ago), for the caller to relay the message into: one transaction decides which. The
    items of an album after the first are acknowledged with it, not one by one.
    """
    message = update.effective_message
    if message is None:
        return None
    t = sender.t
    content = read_content(message)
    intake = await routing.take_message(
        context.db,
        family,
        message.chat_id,
        message.message_id,
        kind=content.kind,
        preview=content.words if content.kind is Kind.TEXT else None,
        urgent=checked.urgent,
        rules=context.config.matching,
        now=now(),
    )
    request = intake.request
    if intake.in_conversation:
        return request
    if checked.urgent:  # first the numbers that help now, then everything else
        await sound_alarm(context, sender, message, request, intake.became_urgent)
    if _later_item_of_album(context, message):
        return None
    if not intake.opened:
        await message.reply_text(t("request.attached", number=request.id))
        if intake.became_urgent and request.state is RequestState.OFFERED:
            await widen(context, request.id)  # urgent: to everyone on duty at once
    elif request.state is not RequestState.OFFERED:
        to_coordinators = await send_long_waits(context, asking=request)
        await message.reply_text(out_of_hours(t, context, intake, to_coordinators))
    elif not intake.offer_to and intake.widens_at is not None:  # waiting for the choice
        plan_timers(context.application, intake.offering)
        await _acknowledge(context, sender, message, intake)
    elif await send_offers(context, intake.offering):
        await _acknowledge(context, sender, message, intake)
    else:
        await tell_unreached(context, request)
    return None


async def _acknowledge(
    context: MentorContext, sender: Sender, message: Message, intake: Intake
) -> None:
    """The question went (or goes in a moment) to mentors; with the topic buttons when what
    the family says it is about could change who is asked."""
    t, number = sender.t, intake.request.id
    text, keyboard = with_topic_question(
        t, context.config, t("request.offered", number=number), number, intake.asks_topics
    )
    await message.reply_text(text, reply_markup=keyboard)


# Albums acknowledged already are remembered only this long: their items arrive together.
_ALBUMS_REMEMBERED = 1000


def _later_item_of_album(context: MentorContext, message: Message) -> bool:
    """Whether an earlier item of this album was acknowledged (a crash forgets: one more ack)."""
    if message.media_group_id is None:
        return False
    acknowledged = context.bot_data.acknowledged_albums
    key = (message.chat_id, message.media_group_id)
    if key in acknowledged:
        return True
    acknowledged[key] = None
    if len(acknowledged) > _ALBUMS_REMEMBERED:
        del acknowledged[next(iter(acknowledged))]
    return False


async def warn_unchecked(
    context: MentorContext, sender: Sender, message: Message, kind: Kind
) -> None:
    """Once per adult: nothing reads an identity number inside a picture or a file."""
    member = sender.member
    if (
        member is not None
        and kind in UNCHECKED_KINDS
        and await members.first_unchecked_file(context.db, member)
    ):
        await message.reply_text(sender.t("relay.files_unchecked"))


@requires(Role.FAMILY)
async def cancel(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    message = update.effective_message
    if message is None:
        return
    ended = await routing.cancel(context.db, member, now())
    if ended is None:
        await message.reply_text(sender.t("request.nothing_to_cancel"))
        return
    await edit_offers(context, ended.withdrawn_offers, N_("offer.withdrawn"), ended.request)
    others = [adult for adult in ended.family if adult.id != member.id]
    await message.reply_text(sender.t("request.cancelled", number=ended.request.id))
    await tell(context, others, N_("request.cancelled"), number=ended.request.id)


def request_line(
    t: Translator, request: Request, reasons: Mapping[str, Sequence[str | None]] | None = None
) -> str:
    line = t(
        "requests.line",
        number=request.id,
        state=t(_STATES[request.state]),
        family=request.family_name or t("members.unnamed"),
        age=now() - request.opened_at,
    )
    if request.mentor_name:
        line += t("requests.mentor", mentor=request.mentor_name)
    if request.urgent:
        line = t("offer.urgent") + " " + line
    why = reasons_line(t, reasons or {}) if request.state is RequestState.OFFERED else None
    return line if why is None else f"{line}\n{why}"


@requires(Role.COORDINATOR)
async def list_requests(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    t = sender.t
    found = await routing.open_requests(context.db)
    if not found:
        await reply_lines(update, [t("requests.none")])
        return
    reasons = await routing.offer_reasons(context.db, [request.id for request in found])
    lines = [t("requests.header", count=len(found))]
    lines.extend(request_line(t, request, reasons.get(request.id)) for request in found)
    await reply_lines(update, lines)


def register(application: MentorApplication) -> None:
    application.add_handler(CommandHandler("cancel", cancel))
    application.add_handler(CommandHandler("requests", list_requests))
