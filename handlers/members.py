"""/members, /remove and approvals: the coordinators' view of who belongs to the service.

Nobody reads a family's question without a coordinator's say: an adult added to a mentor
household with /partner gets no offer until a coordinator presses Approve, and an adult added
to a family is made known to them. The Approve button names the adult and when they joined,
and is checked against the database at the press.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import members
from bot.i18n import N_, Translator
from bot.members import ApprovalOutcome, RemoveOutcome
from handlers import buttons
from handlers.clock import now
from handlers.common import (
    MentorApplication,
    MentorContext,
    Sender,
    household_name,
    member_translator,
    number_argument,
    reply_lines,
    requires,
    role_label,
)
from handlers.confirmation import Confirmation
from handlers.departures import after_departure
from handlers.telegram_errors import best_effort
from storage.models import Member, Role


@requires(Role.COORDINATOR)
async def list_members(
    update: Update, context: MentorContext, sender: Sender, member: Member
) -> None:
    t = sender.t
    everyone = await members.list_members(context.db)
    lines = [t("members.header", count=len(everyone))]
    for other in everyone:
        line = t(
            "members.line",
            number=other.id,
            name=household_name(t, other),
            role=role_label(t, other.role),
        )
        lines.append(line + (t("members.you") if other.id == member.id else ""))
    await reply_lines(update, lines)


@requires(Role.COORDINATOR)
async def remove(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    t = sender.t
    message = update.effective_message
    if message is None:
        return
    number = number_argument(context.args)
    if number is None:
        await message.reply_text(t("remove.usage"))
        return
    removal = await members.remove(context.db, member, number, now())
    departure = removal.departure
    if removal.outcome is RemoveOutcome.SELF:
        await message.reply_text(t("remove.self"))
    elif removal.outcome is RemoveOutcome.NOT_FOUND or departure is None:
        await message.reply_text(t("remove.not_found", number=number))
    else:
        removed = departure.member
        reply = t(
            "remove.done",
            number=removed.id,
            name=household_name(t, removed),
            role=role_label(t, removed.role),
        )
        cancelled = departure.cancelled_shifts
        if cancelled:
            reply += "\n" + t.plural(
                "remove.shifts_cancelled", "remove.shifts_cancelled_plural", cancelled
            )
        await message.reply_text(reply)
        await _tell_removed(context, removed)
        await after_departure(context, departure, member)


async def _tell_removed(context: MentorContext, removed: Member) -> None:
    """The removed adult learns that their access ended; they may have blocked the bot."""
    t = member_translator(context, removed)
    await best_effort(
        context.bot.send_message(removed.telegram_user_id, t("remove.notice")), "removal notice"
    )


def approval_request(
    t: Translator, member: Member, added_by: Member | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """What the coordinators read when an adult joins a household, with Approve if needed."""
    params = {
        "number": member.id,
        "name": household_name(t, member),
        "role": role_label(t, member.role),
        "by": added_by.id if added_by else "?",
    }
    if member.approved:
        return t("partner.joined_notice", **params), None
    data = buttons.approve(Confirmation(member.id, member.joined_at))
    button = InlineKeyboardButton(t("partner.approve"), callback_data=data)
    return t("partner.approval_asked", **params), InlineKeyboardMarkup([[button]])


async def tell_coordinators_of_partner(
    context: MentorContext, member: Member, added_by: Member | None
) -> None:
    for coordinator in await members.with_role(context.db, Role.COORDINATOR):
        text, keyboard = approval_request(member_translator(context, coordinator), member, added_by)
        await best_effort(
            context.bot.send_message(coordinator.telegram_user_id, text, reply_markup=keyboard),
            "partner approval request",
        )


@requires(Role.COORDINATOR)
async def approve(update: Update, context: MentorContext, sender: Sender, member: Member) -> None:
    query, match, t = update.callback_query, buttons.matched(context), sender.t
    if query is None or match is None:
        return
    # An approval waits for a coordinator however long it takes, so it names the adult but
    # does not expire.
    pressed = buttons.confirmation_of(match)
    outcome, adult = await members.approve(
        context.db, member, pressed.number, pressed.made_at, now()
    )
    await query.answer()
    if adult is None:
        await query.edit_message_text(t("partner.approval_gone"))
        return
    msgid = _APPROVALS[outcome]
    await query.edit_message_text(t(msgid, number=adult.id, name=household_name(t, adult)))
    if outcome is ApprovalOutcome.APPROVED:
        told = member_translator(context, adult)
        await best_effort(
            context.bot.send_message(adult.telegram_user_id, told(N_("partner.approved"))),
            "partner approval notice",
        )


_APPROVALS = {
    ApprovalOutcome.APPROVED: N_("partner.approval_done"),
    ApprovalOutcome.ALREADY: N_("partner.approval_already"),
}


# Data with this module's button prefixes that none of its patterns takes (handlers/buttons.py).
refuse_other_data = buttons.refuse_rest(Role.COORDINATOR)


def register(application: MentorApplication) -> None:
    application.add_handler(CommandHandler("members", list_members))
    application.add_handler(CommandHandler("remove", remove))
    application.add_handler(CallbackQueryHandler(approve, pattern=buttons.APPROVE))
    rest = buttons.rest(buttons.APPROVE)
    application.add_handler(CallbackQueryHandler(refuse_other_data, pattern=rest))
