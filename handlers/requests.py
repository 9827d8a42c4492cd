"""A foster family's request: opening it with any message, /cancel, and the coordinators' list."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import Application, CommandHandler

from bot import routing
from bot.i18n import N_, Translator
from bot.routing import Intake, Offering
from bot.urgent import find_urgent_word
from handlers.common import MentorContext, Sender, now, reply_lines, requires
from handlers.offers import edit_offers, send_offers, tell, tell_coordinators
from storage.models import Member, Request, RequestState, Role

_STATES = {
    RequestState.WAITING: N_("requests.waiting"),
    RequestState.OFFERED: N_("requests.offered"),
    RequestState.ACCEPTED: N_("requests.accepted"),
}


def message_kind(message: Message) -> str:
    if message.text is not None:
        return "text"
    if message.photo:
        return "photo"
    if message.voice is not None or message.audio is not None:
        return "voice"
    if message.document is not None:
        return "document"
    return "other"


def out_of_hours(t: Translator, context: MentorContext, intake: Intake) -> str:
    """When the next shift starts, the office hours and the emergency numbers."""
    config = context.bot_data.config
    lines = [t("request.waiting", number=intake.request.id)]
    if intake.next_shift is not None:
        lines.append(t("request.next_shift", when=t.moment(intake.next_shift, config.timezone)))
    else:
        lines.append(t("request.no_shift_planned"))
    if config.office_hours:
        lines.append(t("request.office_hours", hours=config.office_hours))
    lines.append(t("request.emergency", numbers=config.emergency_numbers))
    return "\n".join(lines)


async def take_family_message(
    update: Update, context: MentorContext, sender: Sender, family: Member
) -> Request | None:
    """A family's message opens a request, or joins the open one.

    Returns the conversation instead when the family is in one (a mentor may have accepted a
    moment ago), for the caller to relay the message into: one transaction decides which.
    """
    message = update.effective_message
    if message is None:
        return None
    t, config = sender.t, context.bot_data.config
    kind = message_kind(message)
    words = message.text or message.caption or ""
    urgent = find_urgent_word(words, config.urgent_words) is not None
    intake = await routing.take_message(
        context.bot_data.db,
        family,
        message.chat_id,
        message.message_id,
        kind,
        message.text,
        urgent=urgent,
        now=now(),
    )
    request = intake.request
    if intake.in_conversation:
        return request
    if urgent:  # first the numbers that help now, then everything else
        await message.reply_text(t("request.urgent", numbers=config.emergency_numbers))
    if intake.became_urgent:
        await tell_coordinators(
            context,
            N_("request.urgent_notice"),
            number=request.id,
            family=request.family_name or "",
        )
    if not intake.opened:
        await message.reply_text(t("request.attached", number=request.id))
    elif request.state is RequestState.OFFERED:
        await send_offers(context, Offering(request, intake.offer_to))
        await message.reply_text(t("request.offered", number=request.id))
    else:
        await message.reply_text(out_of_hours(t, context, intake))
    return None


@requires(Role.FAMILY)
async def cancel(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    message = update.effective_message
    if message is None:
        return
    ended = await routing.cancel(context.bot_data.db, member, now())
    if ended is None:
        await message.reply_text(sender.t("request.nothing_to_cancel"))
        return
    await edit_offers(context, ended.withdrawn_offers, N_("offer.withdrawn"), ended.request)
    others = [adult for adult in ended.family if adult.id != member.id]
    await message.reply_text(sender.t("request.cancelled", number=ended.request.id))
    await tell(context, others, N_("request.cancelled"), number=ended.request.id)


def _request_line(t: Translator, request: Request) -> str:
    minutes = int((now() - request.opened_at).total_seconds() // 60)
    line = t(
        "requests.line",
        number=request.id,
        state=t(_STATES[request.state]),
        family=request.family_name or t("members.unnamed"),
        age=t.plural("offer.minutes", "offer.minutes_plural", minutes),
    )
    if request.mentor_name:
        line += t("requests.mentor", mentor=request.mentor_name)
    if request.urgent:
        line = t("offer.urgent") + " " + line
    return line


@requires(Role.COORDINATOR)
async def list_requests(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    t = sender.t
    found = await routing.open_requests(context.bot_data.db)
    if not found:
        await reply_lines(update, [t("requests.none")])
        return
    lines = [t("requests.header", count=len(found))]
    lines.extend(_request_line(t, request) for request in found)
    await reply_lines(update, lines)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("cancel", cancel))
    application.add_handler(CommandHandler("requests", list_requests))
